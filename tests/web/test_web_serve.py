"""`kazkg serve` as a command: --get answers in-process; the bundled data is served from the
cache; the server logs one line per request."""

import time

import pytest

from tests.support import kazkg_cli as kazkg
from tests.web.support import PROTOCOL_DATA, Server
from tests.web.httpraw import q, request


def test_serve_get_answers_one_request(private_cache):
    done = kazkg("serve", str(PROTOCOL_DATA), "--get", "/sparql?query=" + q("ASK { ?s ?p ?o }"))
    assert done.returncode == 0, done.stderr
    assert '"boolean": true' in done.stdout
    assert done.stderr.startswith("200 application/sparql-results+json")


def test_serve_get_reports_errors(private_cache):
    done = kazkg("serve", str(PROTOCOL_DATA), "--get", "/sparql?query=" + q("SELECT {"))
    assert done.returncode == 1 and done.stderr.startswith("400")
    assert "Traceback" not in done.stderr + done.stdout


def test_bundled_data_is_served_from_the_cache(built):
    """The real target: the bundled graph (built once by the session's `built` fixture)."""
    started = time.monotonic()
    done = kazkg("serve", "--get", "/health")
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 30
    assert built.version in done.stdout
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    done = kazkg("serve", "--get", "/sparql?format=csv&query=" + q(query))
    assert done.returncode == 0 and int(done.stdout.splitlines()[1]) > 1000


@pytest.mark.slow
def test_one_log_line_per_request(private_cache, tmp_path):
    log = tmp_path / "serve.log"
    srv = Server([str(PROTOCOL_DATA)], log=log)
    try:
        for _ in range(3):
            request(srv.sparql, "GET", "?query=" + q("ASK { ?s ?p ?o }"))
    finally:
        srv.stop()
    asked = '"GET /sparql?query=' + q("ASK { ?s ?p ?o }")
    lines = [line for line in log.read_text().splitlines() if asked in line]
    assert len(lines) == 3 and all(" 200 " in line for line in lines)
    assert "ready in" in log.read_text()


def test_metadata_is_counted_once_per_build(built, monkeypatch):
    from kazkg.build import cache
    from kazkg.web.service import Metadata

    path = cache.beside(built.fingerprint, Metadata.FILE)
    path.unlink(missing_ok=True)
    counted = Metadata.cached(built)
    assert path.exists() and counted == Metadata.of(built.dataset, built.version)
    with monkeypatch.context() as patched:
        patched.setattr(Metadata, "of", classmethod(lambda *_: pytest.fail("counted again")))
        assert Metadata.cached(built) == counted  # read back, not counted
    path.write_text("{ damaged")
    assert Metadata.cached(built) == counted
