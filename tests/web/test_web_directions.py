"""A literal with an RDF 1.2 base direction ("x"@en--ltr) is refused clearly wherever it comes
in, never kept without its direction (issue 12): pyoxigraph's parsers read it, rdflib's store
kept "x"@en, so an INSERT DATA or a Graph Store body wrote "x"@en and said 204, and a build
input lost it the same way. SPARQL 1.1 has no way to write one in results either."""

from __future__ import annotations

import pytest

from kazkg.build.store import read_quads
from kazkg.errors import InputError
from tests.web.support import writable_client

TOKEN = {"Authorization": "Bearer d-t0k"}
JSON = {"Accept": "application/sparql-results+json"}
TRIPLE = '<http://example.org/s> <http://example.org/p> "x"@en--ltr .\n'
GRAPH = "http://example.org/directed"


@pytest.fixture(scope="module")
def writer(private_cache, tmp_path_factory):
    with writable_client(tmp_path_factory.mktemp("writes"), "d-t0k", WORKERS=1) as client:
        yield client


def written(writer) -> int:
    reply = writer.get("/sparql", headers=JSON, query_string={
        "query": "SELECT (COUNT(*) AS ?n) { <http://example.org/s> ?p ?o }"})
    return int(reply.get_json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("how", ["insert data", "graph store put", "graph store post"])
def test_a_write_of_a_directional_literal_is_refused(writer, how):
    if how == "insert data":
        reply = writer.post("/sparql", data=f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {TRIPLE} }} }}",
                            headers={**TOKEN, "Content-Type": "application/sparql-update"})
    else:
        reply = getattr(writer, how.split()[-1])(f"/store?graph={GRAPH}", data=TRIPLE, headers={
            **TOKEN, "Content-Type": "application/n-triples"})
    assert reply.status_code == 400, reply.data[:300]
    assert "base direction" in reply.get_json()["error"]["message"]
    assert written(writer) == 0


@pytest.mark.parametrize("text", ['SELECT ?o { VALUES ?o { "y"@en--rtl } }',
                                  'CONSTRUCT { <urn:s> <urn:p> "y"@en--rtl } {}'])
def test_a_query_that_answers_one_is_refused(writer, text):
    reply = writer.get("/sparql", query_string={"query": text},
                       headers={"Accept": "application/n-triples, application/sparql-results+json"})
    assert reply.status_code == 400, reply.data[:300]
    assert "base direction" in reply.get_json()["error"]["message"]


def test_an_input_file_with_one_is_an_input_error(tmp_path):
    path = tmp_path / "directed.nt"
    path.write_text(TRIPLE, encoding="utf-8")
    with pytest.raises(InputError, match="base direction"):
        list(read_quads(path))
