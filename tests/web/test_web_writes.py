"""Writes that are real (`kazkg serve --enable-update`): they go to an on-disk store and
survive a restart, every description of the dataset follows them at once, queries stay on
Oxigraph's engine, and the Graph Store's ?default does what the protocol says. Each test
starts the real server on 127.0.0.1, with a write store of its own."""

from __future__ import annotations

import pytest

from tests.web.httpraw import q, request
from tests.web.support import PROTOCOL_DATA, RUNAWAY, Server, downloaded

TOKEN = {"Authorization": "Bearer s3cret"}
UPDATE = {**TOKEN, "Content-Type": "application/sparql-update"}
NT = {**TOKEN, "Content-Type": "application/n-triples"}
JSON = {"Accept": "application/sparql-results+json"}
KZR = "https://w3id.org/kazkg/resource/"

pytestmark = pytest.mark.slow


def start(store, timeout="10"):
    return Server([str(PROTOCOL_DATA), "--enable-update", "--workers", "2",
                   "--query-timeout", timeout],
                  env={"KAZKG_UPDATE_TOKEN": "s3cret", "KAZKG_UPDATE_STORE": str(store)})


def rows(srv, text):
    reply = request(srv.sparql, path="?query=" + q(text), headers=JSON)
    assert reply.status == 200, reply.body[:300]
    return reply.json()["results"]["bindings"]


def health(srv):
    return request(srv.url, path="health").json()


def described(srv) -> dict:
    """What /health, VoID, the service description and the N-Quads dump say."""
    void = request(srv.url, path=".well-known/void", headers={"Accept": "text/turtle"}).body
    sd = request(srv.sparql, headers={"Accept": "text/turtle"}).body
    dump = downloaded(srv.url + "download/kazkg.nq").body
    return {"health": health(srv)["triples"], "void": void, "sd": sd, "dump": dump}


def test_writes_survive_a_restart_and_show_everywhere_at_once(tmp_path):
    srv = start(tmp_path / "writes")
    try:
        before = described(srv)
        insert = (f'INSERT DATA {{ GRAPH <http://example.org/new> {{ <{KZR}written> '
                  f'<http://www.w3.org/2000/01/rdf-schema#label> "Written"@en ; '
                  f'<http://example.org/weight> 1.50 }} }}')
        assert request(srv.sparql, "POST", body=insert, headers=UPDATE).status == 204
        after = described(srv)
        assert after["health"] == before["health"] + 2
        assert f"void:triples {after['health']}".encode() in after["void"]
        assert b"<http://example.org/new>" in after["sd"] and b"<http://example.org/new>" in after["void"]
        assert b'"Written"@en <http://example.org/new>' in after["dump"]
        page = request(srv.url, path="resource/written", headers={"Accept": "text/html"})
        assert page.status == 200 and b"Written" in page.body
        writes = health(srv)["writes"]
    finally:
        srv.stop()
    again = start(tmp_path / "writes")
    try:
        restarted = described(again)
        assert health(again)["writes"] == writes
        assert restarted["health"] == after["health"] and restarted["dump"] == after["dump"]
        assert f"void:triples {after['health']}".encode() in restarted["void"]
        found = rows(again, f"SELECT ?w WHERE {{ <{KZR}written> <http://example.org/weight> ?w }}")
        assert found == [{"w": {"type": "literal", "value": "1.50",  # its spelling kept
                                "datatype": "http://www.w3.org/2001/XMLSchema#decimal"}}]
    finally:
        again.stop()


def test_drop_all_empties_every_description(tmp_path):
    srv = start(tmp_path / "writes")
    try:
        assert request(srv.sparql, "POST", body="DROP ALL", headers=UPDATE).status == 204
        after = described(srv)
        assert after["health"] == 0 and b"void:triples 0" in after["void"]
        statements = [line for line in after["dump"].splitlines() if not line.startswith(b"#")]
        assert not any(line.strip() for line in statements)  # only the version comment
        assert request(srv.url, path="", headers={"Accept": "text/html"}).status == 200
        assert rows(srv, "SELECT * WHERE { ?s ?p ?o }") == []
    finally:
        srv.stop()


def test_queries_stay_on_the_fast_engine_after_a_write(tmp_path):
    # A million solutions to count: Oxigraph's engine, well inside the limit; rdflib, minutes.
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
    srv = start(tmp_path / "writes", timeout="20")
    try:
        body = "<http://example.org/x> <http://example.org/y> <http://example.org/z> .\n"
        assert request(srv.url + "store", path="?graph=http://example.org/g1", method="PUT",
                       body=body, headers=NT).status == 201  # a new graph: Created
        (row,) = rows(srv, count)
        assert int(row["n"]["value"]) > 10 ** 6
    finally:
        srv.stop()


def test_the_default_graph_of_the_graph_store(tmp_path):
    srv = start(tmp_path / "writes")
    store = srv.url + "store"
    try:
        body = "<http://example.org/only> <http://example.org/p> \"1\" .\n"
        assert request(store, "PUT", "?default", body=body, headers=NT).status == 204
        got = request(store, path="?default", headers={"Accept": "application/n-triples"})
        triples = [line for line in got.body.decode().strip().splitlines()
                   if not line.startswith("#")]  # the dump's first line names the version
        assert triples == [body.strip()]  # exactly the body
        assert rows(srv, "SELECT * WHERE { ?s ?p ?o }") == [
            {"s": {"type": "uri", "value": "http://example.org/only"},
             "p": {"type": "uri", "value": "http://example.org/p"},
             "o": {"type": "literal", "value": "1"}}]
        assert request(store, "DELETE", "?default", headers=TOKEN).status == 204
        got = request(store, path="?default", headers={"Accept": "application/n-triples"})
        empty = [line for line in got.body.decode().splitlines() if line and not line.startswith("#")]
        assert empty == [] and health(srv)["triples"] == 0
        missing = request(store, "DELETE", "?graph=http://example.org/never", headers=TOKEN)
        assert missing.status == 404
    finally:
        srv.stop()


def test_large_writes_and_timeouts_leave_the_server_answering(tmp_path):
    srv = start(tmp_path / "writes", timeout="6")
    store = srv.url + "store"
    try:
        for n in range(3):  # about 400 KB each
            body = "".join(f"<http://example.org/s{n}-{i}> <http://example.org/p> \"{'x' * 40}\" .\n"
                           for i in range(5000))
            assert request(store, "PUT", f"?graph=http://example.org/big{n}", body=body,
                           headers=NT).status == 201
        for _ in range(2):  # "service" in a comment keeps it on rdflib: cut off at the limit
            runaway = request(srv.sparql, path="?query=" + q(RUNAWAY + " # service"), headers=JSON)
            assert runaway.status == 503
        for _ in range(5):
            reply = request(srv.sparql, path="?query=" + q("ASK { <http://example.org/s0-1> ?p ?o }"),
                            headers=JSON)
            assert reply.status == 200 and reply.json()["boolean"] is True
        assert health(srv)["triples"] >= 15000
    finally:
        srv.stop()
