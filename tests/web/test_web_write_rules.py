"""What writes may do, in-process (`--enable-update` with a token): the build's own graphs are
refused, PUT says whether it created a graph, updates know the predeclared prefixes, the base
IRI is the server's own and never the Host header's; and SERVICE ?variable says federation is
off. (Writes against a real server, restarts included: test_web_writes.py.)"""

from __future__ import annotations

import pytest

from kazkg.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from tests.web.support import writable_client

TOKEN = {"Authorization": "Bearer w-t0k"}
UPDATE = {**TOKEN, "Content-Type": "application/sparql-update"}
NT = {**TOKEN, "Content-Type": "application/n-triples"}
JSON = {"Accept": "application/sparql-results+json"}
TRIPLE = "<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"


@pytest.fixture(scope="module")
def writer(private_cache, tmp_path_factory):
    with writable_client(tmp_path_factory.mktemp("writes"), "w-t0k", WORKERS=1,
                         PUBLIC_URL="https://kazkg.example.org/") as client:
        yield client


def ask(client, text: str) -> bool:
    reply = client.get("/sparql", query_string={"query": text}, headers=JSON)
    assert reply.status_code == 200, reply.data[:300]
    return reply.get_json()["boolean"]


@pytest.mark.parametrize("graph", [ONTOLOGY_GRAPH, INFERRED_GRAPH])
def test_the_builds_own_graphs_cannot_be_written(writer, graph):
    for method, body in (("put", TRIPLE), ("post", TRIPLE), ("delete", "")):
        reply = getattr(writer, method)(f"/store?graph={graph}", data=body,
                                        headers=TOKEN if method == "delete" else NT)
        assert reply.status_code == 403, (method, reply.data[:300])
        assert f"<{graph}>" in reply.get_json()["error"]["message"]
    for update in (f"INSERT DATA {{ GRAPH <{graph}> {{ {TRIPLE} }} }}", f"DROP GRAPH <{graph}>",
                   f"CLEAR SILENT GRAPH <{graph}>"):
        reply = writer.post("/sparql", data=update, headers=UPDATE)
        if update.startswith(("DROP", "CLEAR")):  # nothing in it here: nothing to change
            assert reply.status_code == 204, reply.data[:300]
            continue
        assert reply.status_code == 403, (update, reply.data[:300])
        assert "nothing was changed" in reply.get_json()["error"]["message"]
    assert not ask(writer, f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")


@pytest.mark.parametrize("op", [("update", f"DROP GRAPH <{ONTOLOGY_GRAPH}>", None),
                                ("update", "DROP ALL", None), ("update", "CLEAR DEFAULT", None),
                                ("delete", None, b""), ("put", None, TRIPLE.encode())])
def test_no_write_removes_what_the_ontology_graph_holds(op):
    from rdflib import Dataset, Literal, URIRef

    from kazkg.query import writes

    dataset = Dataset()
    dataset.graph(URIRef(str(ONTOLOGY_GRAPH))).add(
        (URIRef("urn:o"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("o")))
    with pytest.raises(writes.Protected, match="the ontology, which kazkg's build makes"):
        writes.apply(dataset, op)


def test_put_of_a_new_graph_is_created_and_of_an_existing_one_no_content(writer):
    graph = "/store?graph=http://example.org/put-new"
    assert writer.put(graph, data=TRIPLE, headers=NT).status_code == 201
    assert writer.put(graph, data=TRIPLE.replace("/o>", "/o2>"), headers=NT).status_code == 204
    assert ask(writer, "ASK { GRAPH <http://example.org/put-new> { ?s ?p <http://example.org/o2> } }")
    assert writer.delete(graph, headers=TOKEN).status_code == 204


def test_updates_know_the_predeclared_prefixes(writer):
    reply = writer.post("/sparql", data='INSERT DATA { GRAPH kzg:w { kzr:written rdfs:label "w" } }',
                        headers=UPDATE)
    assert reply.status_code == 204, reply.data[:300]
    assert ask(writer, 'ASK { GRAPH kzg:w { kzr:written rdfs:label "w" } }')
    own = writer.post("/sparql", data="PREFIX kzr: <http://example.org/mine/> "
                      'INSERT DATA { GRAPH kzg:w { kzr:x rdfs:label "x" } }', headers=UPDATE)
    assert own.status_code == 204  # the update's own PREFIX wins
    assert ask(writer, "ASK { GRAPH kzg:w { <http://example.org/mine/x> ?p ?o } }")


def test_relative_iris_resolve_against_the_public_url_not_the_host_header(writer):
    evil = {"Host": "evil.example"}
    reply = writer.get("/sparql", query_string={"query": "SELECT (IRI('x') AS ?i) {}"},
                       headers={**JSON, **evil})
    assert reply.get_json()["results"]["bindings"][0]["i"]["value"] == \
        "https://kazkg.example.org/x"
    writer.post("/sparql", data="INSERT DATA { GRAPH <rel> { <a> <b> <c> } }",
                headers={**UPDATE, **evil})
    assert ask(writer, "ASK { GRAPH <https://kazkg.example.org/rel> "
                       "{ <https://kazkg.example.org/a> ?p ?o } }")
    writer.post("/store?default", data="<d> <e> <f> .", headers={**NT, **evil,
               "Content-Type": "text/turtle"})
    assert ask(writer, "ASK { <https://kazkg.example.org/d> ?p ?o }")


def test_service_with_a_variable_says_federation_is_off(client):
    reply = client.get("/sparql", headers=JSON, query_string={
        "query": "SELECT * WHERE { SERVICE ?s { ?a ?b ?c } }"})
    assert reply.status_code == 400
    message = reply.get_json()["error"]["message"]
    assert "SERVICE ?s" in message and "federation is off" in message
