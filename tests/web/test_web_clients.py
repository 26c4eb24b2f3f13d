"""Real SPARQL clients against a real server: SPARQLWrapper (every format, GET and POST) and
rdflib's SPARQLStore (Comunica: test_web_comunica.py)."""

import pytest
from tests.web.support import DATA1
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, N3, POST, TURTLE, XML, SPARQLWrapper

pytestmark = pytest.mark.slow  # real `kazkg serve` processes

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


# SPARQLWrapper 2.0 in every return format it offers, GET and POST: what it sends (short names
# repeated as format=, Accept lists) must give what convert() can read.
SW_SELECT = ("json", "xml", "csv", "tsv")
SW_GRAPH = ("turtle", "n3", "rdf+xml", "json-ld", "xml", "rdf")


def _sparqlwrapper(server, query, fmt, method):
    client = SPARQLWrapper(server.sparql)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client.query()


@pytest.mark.parametrize("method", ["GET", POST])
@pytest.mark.parametrize("fmt", SW_SELECT)
@pytest.mark.parametrize("form", ["select", "ask"])
def test_sparqlwrapper_every_result_format(server, fmt, method, form):
    query = PERSONS if form == "select" else "ASK { ?s a <http://xmlns.com/foaf/0.1/Person> }"
    answer = _sparqlwrapper(server, query, fmt, method)
    assert answer.response.status == 200
    converted = answer.convert()
    if fmt == "json":
        found = converted["boolean"] if form == "ask" else len(converted["results"]["bindings"])
    elif fmt == "xml":
        found = (converted.getElementsByTagName("boolean")[0].firstChild.data == "true" if form == "ask"
                 else len(converted.getElementsByTagName("result")))
    else:  # CSV and TSV come back as bytes: read them as rdflib does
        import io

        from rdflib.query import Result

        rows = list(Result.parse(io.StringIO(converted.decode("utf-8")), format=fmt))
        found = str(rows[0][0]).lower() == "true" if form == "ask" else len(rows)
    assert found == (True if form == "ask" else 3)


@pytest.mark.parametrize("method", ["GET", POST])
@pytest.mark.parametrize("fmt", SW_GRAPH)
@pytest.mark.parametrize("form", ["construct", "describe"])
def test_sparqlwrapper_every_graph_format(server, fmt, method, form):
    import warnings

    query = ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }" if form == "construct"
             else "DESCRIBE <http://example.org/alice>")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SPARQLWrapper warns about its own format choices
        answer = _sparqlwrapper(server, query, fmt, method)
        converted = answer.convert()
    assert answer.response.status == 200
    if isinstance(converted, Graph):
        graph = converted
    else:
        media = answer.response.headers["Content-Type"].split(";")[0]
        data = converted.decode("utf-8") if isinstance(converted, bytes) else converted
        graph = Graph().parse(data=data if isinstance(data, str) else data.toxml(),
                              format={"application/ld+json": "json-ld", "application/rdf+xml": "xml"}
                              .get(media, "turtle"))
    if form == "construct":
        assert len(graph) == 16
    else:
        assert (URIRef("http://example.org/alice"), None, None) in graph
