"""Real SPARQL clients against a real server: SPARQLWrapper and rdflib's SPARQLStore."""

import pytest
from tests.web.support import DATA1
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, N3, POST, TURTLE, XML, SPARQLWrapper

PERSONS = "SELECT ?s WHERE { ?s a <http://xmlns.com/foaf/0.1/Person> } ORDER BY ?s"


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_select_json(server, method):
    client = SPARQLWrapper(server.sparql)
    client.setQuery(PERSONS)
    client.setReturnFormat(JSON)
    client.setMethod(method)
    result = client.query().convert()
    assert [b["s"]["value"] for b in result["results"]["bindings"]] == [
        "http://example.org/alice", "http://example.org/bob", "http://example.org/carol"]


def test_sparqlwrapper_select_xml_and_csv(server):
    client = SPARQLWrapper(server.sparql)
    client.setQuery(PERSONS)
    client.setReturnFormat(XML)
    assert len(client.query().convert().getElementsByTagName("result")) == 3
    client.setReturnFormat(CSV)
    assert client.query().convert().decode().splitlines()[0] == "s"


def test_sparqlwrapper_ask_and_construct(server):
    client = SPARQLWrapper(server.sparql)
    client.setQuery("ASK { ?s a <http://xmlns.com/foaf/0.1/Document> }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True
    client.setQuery("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    for fmt in (TURTLE, N3):
        client.setReturnFormat(fmt)
        graph = Graph().parse(data=client.query().convert(), format="turtle")
        assert len(graph) == 16


def test_sparqlwrapper_sees_errors(server):
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    client = SPARQLWrapper(server.sparql)
    client.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed):
        client.query()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rdflib_sparqlstore(server, method):
    store = SPARQLStore(server.sparql, method=method, returnFormat="xml")
    graph = Graph(store=store)
    names = sorted(str(o) for o in graph.objects(None, URIRef("http://xmlns.com/foaf/0.1/name")))
    assert names == ["Alice", "Bob", "Carol"]
    result = graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(list(result)[0][0]) == 16
    assert len(store) == 16
    assert URIRef(DATA1) in set(graph.subjects())
    store.close()
