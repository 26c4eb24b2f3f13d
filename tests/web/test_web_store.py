"""`kazkg serve --store oxigraph:PATH`: the graph stays on disk, every worker queries it in
place (read-only), and the answers are those of the in-memory dataset on every catalog query."""

from __future__ import annotations

import json

import pytest

from kazkg.query import catalog
from kazkg.tools.bench import answers
from tests.support import comparable, kazkg_cli, rdflib_answer
from tests.web.httpraw import q, request
from tests.web.support import Server, downloaded

pytestmark = pytest.mark.slow  # real `kazkg serve` processes

QUERIES = sorted(catalog.load_all())


@pytest.fixture(scope="module")
def on_disk(built, tmp_path_factory):
    from kazkg.build import cache
    from kazkg.web.service import Metadata

    cache.beside(built.fingerprint, Metadata.FILE).unlink(missing_ok=True)  # count the store
    location = tmp_path_factory.mktemp("served") / "db"
    srv = Server(["--store", f"oxigraph:{location}", "--processes", "2", "--workers", "2"],
                 log=location.parent / "serve.log")
    yield srv
    srv.stop()


def select(srv, text: str):
    """The server's answer: its variables, and its rows (tests.support.comparable)."""
    answer = request(srv.sparql, "GET", "?query=" + q(text),
                     headers={"Accept": "application/sparql-results+json"})
    assert answer.status == 200, answer.body[:300]
    return json.loads(answer.body)["head"]["vars"], answers.rows(answer.body, blank_labels=True)


@pytest.mark.parametrize("name", QUERIES)
def test_every_catalog_query_gives_the_in_memory_answer(on_disk, dataset, name):
    text = catalog.get(name).text
    reference = rdflib_answer(dataset, text)
    names, rows = select(on_disk, text)
    assert names == [str(v) for v in reference.vars]
    assert rows == comparable(reference)


def test_health_counts_the_stored_dataset(on_disk, built):
    health = json.loads(request(on_disk.url + "health", "GET").body)
    assert health["version"] == built.version and health["graphs"] == len(built.triples_per_graph()) > 150
    assert health["triples"] == len(set(built.dataset.triples((None, None, None))))


def test_rdflibs_path_reads_the_store_too(on_disk):
    """DESCRIBE and FROM run on rdflib (kazkg.query.oxengine), here over the store through oxrdflib."""
    shymkent = "https://w3id.org/kazkg/resource/shymkent"
    answer = request(on_disk.sparql, "GET", "?query=" + q(f"DESCRIBE <{shymkent}>"),
                     headers={"Accept": "application/n-triples"})
    assert answer.status == 200 and f"<{shymkent}>".encode() in answer.body
    text = ("SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/kazkg/graph/ontology> "
            "WHERE { ?s ?p ?o }")
    _, rows = select(on_disk, text)
    ((count,),) = rows
    assert count[0] == "number" and count[1] > 100


def test_a_page_and_a_dump_from_the_store(on_disk, built):
    assert request(on_disk.url + "resource/shymkent", "GET",
                   headers={"Accept": "text/html"}).status == 200
    dump = downloaded(on_disk.url + "download/kazkg.nq")
    assert dump.status == 200
    in_memory = sum(len(g) for g in built.dataset.graphs())
    quads = [line for line in dump.body.splitlines() if line.strip() and not line.startswith(b"#")]
    assert len(quads) == in_memory  # the first line, a comment, names the dataset version


def test_store_takes_no_files_and_no_updates(tmp_path):
    done = kazkg_cli("serve", "--store", f"oxigraph:{tmp_path / 'db'}", "--enable-update")
    assert done.returncode == 2 and "takes no FILES and no --enable-update" in done.stderr


def test_a_store_rebuilt_under_the_server_is_refused_not_served(built, tmp_path):
    """A worker started after the store changed (here: all of them killed and replaced)
    must not answer from another dataset than the one /health and the ETags describe."""
    import os
    import signal

    from kazkg.build import persist
    from tests.web.test_web_processes import children, family

    location = tmp_path / "db"
    srv = Server(["--store", f"oxigraph:{location}", "--processes", "1", "--workers", "1"])
    try:
        assert select(srv, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")[1]  # workers opened it
        (location / persist.MARKER).write_text("another build\n")
        zygote = next(iter(children(srv.process.pid)))
        for worker in family(zygote) - {zygote}:
            os.kill(worker, signal.SIGKILL)
        answers = [request(srv.sparql, "GET", "?query=" + q("SELECT * { ?s ?p ?o } LIMIT 2"))
                   for _ in range(3)]
        assert all(a.status == 503 for a in answers)
        assert b"no longer holds the dataset this server started with" in answers[-1].body
    finally:
        srv.stop()
