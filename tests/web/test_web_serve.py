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


def test_metadata_counted_in_the_oxigraph_store_equals_rdflibs(built):
    """kazkg serve counts in the cached Oxigraph store, without loading rdflib's dataset."""
    from kazkg.query import oxengine
    from kazkg.web.service import Metadata

    store = oxengine.Mirror.from_cache(built.fingerprint).store
    assert Metadata.of_store(store, built.version) == Metadata.of(built.dataset, built.version)


def test_a_cached_build_is_counted_and_mirrored_when_built(data_copy):
    """A build writes its Oxigraph copy and its counts: from the cache, neither `kazkg build`
    nor kazkg serve's engines need rdflib's dataset."""
    from kazkg.build import pipeline
    from kazkg.query import oxengine
    from kazkg.query.served import Served

    first = pipeline.build(use_cache=False)
    again = pipeline.build()
    assert again.from_cache and not isinstance(again.source, type(first.dataset))
    assert again.triples_per_graph() == first.triples_per_graph()
    assert again.union_count == len({t for g in first.dataset.graphs() for t in g})
    assert again.inferred_count == len(first.dataset.graph(pipeline.INFERRED_GRAPH)) > 0
    served = Served.for_build(again, in_memory=True)
    assert not isinstance(served.rdflib._dataset, type(first.dataset))  # not loaded
    assert set(served.oxigraph.mirror.store) == set(oxengine.Mirror(first.dataset).store)
