"""`kazkg push` against a real Oxigraph server (the PyPI package `oxigraph`), started here on
127.0.0.1: afterwards the competency queries give the same answers there as in kazkg."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kazkg import catalog, results, sparql
from kazkg.bench import answers
from kazkg.bench.servers import free_port
from kazkg.push import PushError, push
from tests.support import run_kazkg

OXIGRAPH = str(Path(sys.executable).with_name("oxigraph")) if Path(
    sys.executable).with_name("oxigraph").exists() else shutil.which("oxigraph")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not OXIGRAPH, reason="needs the oxigraph server (pip install oxigraph)")]


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen([OXIGRAPH, "serve", "--location", str(location), "--bind",
                                f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=2).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("oxigraph serve did not start")
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


def ask(url: str, text: str):
    query = urllib.parse.urlencode({"query": text, "union-default-graph": ""})
    request = urllib.request.Request(f"{url}/query?{query}",
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return answers.rows(answer.read())


def test_push_then_every_competency_query_agrees(oxigraph, dataset):
    sent = push(dataset, oxigraph + "/store")
    assert sent and all(p.status in (200, 201, 204) for p in sent)
    assert len(sent) == sum(1 for g in dataset.graphs() if len(g))
    for name, query in sorted(catalog.load_all().items()):
        ours = answers.rows(results.render(sparql.run(dataset, query.text), "json").encode())
        theirs = ask(oxigraph, query.text)
        assert answers.differences(ours, theirs) == "", name


def test_pushing_twice_replaces_not_duplicates(oxigraph, dataset):
    push(dataset, oxigraph + "/store")
    push(dataset, oxigraph + "/store")
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    (row,) = ask(oxigraph, count)
    assert int(row[0][1]) == sum(len(g) for g in dataset.graphs())


def test_the_cli_pushes_and_reports(oxigraph, built):
    done = run_kazkg("push", oxigraph + "/store", "--no-inferred")
    assert done.returncode == 0, done.stderr
    assert "pushed" in done.stdout


def test_a_refusal_is_an_error_not_a_traceback(oxigraph, dataset):
    with pytest.raises(PushError, match="HTTP 4"):
        push(dataset, oxigraph + "/no-such-endpoint")
    done = run_kazkg("push", f"http://127.0.0.1:{free_port()}/store")
    assert done.returncode == 2 and "cannot reach" in done.stderr
