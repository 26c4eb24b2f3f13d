"""The endpoint in-process (Flask test client): datasets, negotiation, caching, descriptions,
downloads, Graph Store GET, caps and error pages."""

import time

from xml.etree import ElementTree

import pytest
from tests.web.support import DATA1, DATA2, DATA3, RUNAWAY, fixture_build
from rdflib import Graph

# rdflib's own JSON-LD parser warns about its internals; that is not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

SELECT_ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"


def rows(response):
    return response.get_json()["results"]["bindings"]


def test_factory_defaults(app):
    from kazkg import settings

    assert app.config["RESULT_LIMIT"] == settings.get("result_limit")
    assert app.config["BODY_LIMIT"] == settings.get("body_limit") == app.config["MAX_CONTENT_LENGTH"]
    assert app.config["ENABLE_UPDATE"] is False and app.config["SERVICE_ALLOW"] == ()
    assert {bp for bp in app.blueprints} == {"endpoint", "store", "data", "pages", "browse", "timeline",
                                             "mapview", "resource", "ontology", "minted", "text"}


def test_every_server_setting_is_documented():
    """Each setting the app reads (and `threads`, waitress's) is a setting with its help text,
    and a `kazkg serve` option unless it is a secret (its help then shows in `kazkg serve -h`)."""
    from kazkg.cli import cli
    from kazkg.settings import SETTINGS
    from kazkg.web.app import SERVER_SETTINGS

    documented = {s.name: s for s in SETTINGS}
    options = {flag for param in cli.commands["serve"].params for flag in param.opts}
    assert len(SERVER_SETTINGS) >= 10
    for name in SERVER_SETTINGS + ("threads",):
        setting = documented[name]
        assert len(setting.help) > 20, name
        assert (setting.flag in options) == setting.option, name
    assert not documented["update_token"].option  # a secret is never on the command line


def test_default_graph_is_exactly_the_named_ones(client):
    r = client.get("/sparql", query_string={"query": SELECT_ALL, "default-graph-uri": DATA1})
    subjects = {row["s"]["value"] for row in rows(r)}
    assert subjects == {DATA1, "http://example.org/bob"}
    # no default-graph-uri: the union of every graph
    everything = rows(client.get("/sparql", query_string={"query": SELECT_ALL}))
    assert len(everything) == 16


def test_from_selects_own_graphs_and_unknown_graphs_are_empty(client):
    r = client.get("/sparql", query_string={"query": f"SELECT * FROM <{DATA2}> {{ ?s ?p ?o }}"})
    assert {row["s"]["value"] for row in rows(r)} == {DATA2, "http://example.org/carol"}
    for iri in ("file:///etc/passwd", "http://127.0.0.1:9/x.ttl", "urn:nothing"):
        r = client.get("/sparql", query_string={"query": f"SELECT * FROM <{iri}> {{ ?s ?p ?o }}"})
        assert r.status_code == 200 and rows(r) == []
        r = client.get("/sparql", query_string={"query": SELECT_ALL, "default-graph-uri": iri})
        assert r.status_code == 200 and rows(r) == []


def test_named_graph_only_gives_an_empty_default_graph(client):
    r = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }", "named-graph-uri": DATA3})
    assert rows(r) == []
    r = client.get("/sparql", query_string={
        "query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": DATA3})
    assert [row["g"]["value"] for row in rows(r)] == [DATA3]


def test_relative_iris_resolve_against_the_endpoint(client):
    r = client.get("/sparql", query_string={"query": "CONSTRUCT { <s> <p> <o> } WHERE {}"},
                   headers={"Accept": "application/n-triples"})
    assert r.data.decode().strip() == "<http://localhost/s> <http://localhost/p> <http://localhost/o> ."
    r = client.get("/sparql", query_string={"query": "BASE <http://example.org/> SELECT ?x { ?x a <http://xmlns.com/foaf/0.1/Person> . FILTER(?x = <alice>) }"})
    assert rows(r)[0]["x"]["value"] == "http://example.org/alice"


@pytest.mark.parametrize("accept, media_type", [
    (None, "text/turtle"), ("*/*", "text/turtle"), ("application/rdf+xml", "application/rdf+xml"),
    ("application/n-triples", "application/n-triples"), ("application/ld+json", "application/ld+json"),
    ("application/trig", "application/trig"), ("application/n-quads", "application/n-quads"),
    # The names before registration, which Jena still sends.
    ("application/x-trig", "application/trig"), ("text/x-nquads", "application/n-quads"),
])
def test_construct_formats(client, accept, media_type):
    query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <%s> { ?s ?p ?o } }" % DATA1
    r = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept} if accept else {})
    assert r.status_code == 200 and r.mimetype == media_type
    assert "Accept" in r.headers["Vary"]
    parsed = Graph()
    if media_type in ("application/trig", "application/n-quads"):
        from rdflib import Dataset
        ds = Dataset(default_union=True)
        ds.parse(data=r.data, format={"application/trig": "trig", "application/n-quads": "nquads"}[media_type])
        for s, p, o, _ in ds.quads():
            parsed.add((s, p, o))
    else:
        parsed.parse(data=r.data, format={"text/turtle": "turtle", "application/rdf+xml": "xml",
                                          "application/n-triples": "nt", "application/ld+json": "json-ld"}[media_type])
    assert len(parsed) == 4


@pytest.mark.parametrize("accept, media_type, marker", [
    ("application/sparql-results+json", "application/sparql-results+json", b'"vars"'),
    ("application/sparql-results+xml", "application/sparql-results+xml", b"<sparql"),
    ("text/csv", "text/csv", b"s\r\n"),
    ("text/tab-separated-values", "text/tab-separated-values", b"?s\n"),
])
def test_select_formats(client, accept, media_type, marker):
    r = client.get("/sparql", query_string={"query": "SELECT ?s { ?s a <http://xmlns.com/foaf/0.1/Person> }"},
                   headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == media_type and marker in r.data


def test_format_parameter_and_406(client):
    r = client.get("/sparql", query_string={"query": "ASK {}", "format": "xml"}, headers={"Accept": "text/csv"})
    assert r.mimetype == "application/sparql-results+xml"
    r = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert r.status_code == 406 and r.mimetype == "application/json"
    r = client.get("/sparql", query_string={"query": "ASK {}", "format": "turtle"})
    assert r.status_code == 406


def test_output_is_another_name_for_format(client):
    """Fuseki's and Joseki's `output=`; SPARQLWrapper sends it beside `format=`."""
    r = client.get("/sparql", query_string={"query": "ASK {}", "output": "csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    r = client.get("/sparql", query_string=[("query", "ASK {}"), ("format", "tsv"),
                                            ("output", "text/tab-separated-values")])
    assert r.status_code == 200 and r.mimetype == "text/tab-separated-values"
    r = client.get("/sparql", query_string=[("query", "ASK {}"), ("format", "tsv"), ("output", "xml")])
    assert r.status_code == 406


def test_etag_and_conditional_get(client):
    query = {"query": "SELECT ?s { ?s a ?t }"}
    first = client.get("/sparql", query_string=query)
    etag = first.headers["ETag"]
    again = client.get("/sparql", query_string=query, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag and not again.data
    other = client.get("/sparql", query_string=query, headers={"Accept": "text/csv"})
    assert other.headers["ETag"] != etag


def test_answer_cache(app, client):
    cache = app.extensions["kazkg"].cache
    query = {"query": "SELECT ?n { ?s <http://xmlns.com/foaf/0.1/name> ?n } ORDER BY ?n"}
    hits = cache.hits
    first = client.get("/sparql", query_string=query).data
    assert client.get("/sparql", query_string=query).data == first
    assert cache.hits == hits + 1


def test_head_has_content_type(client):
    r = client.head("/sparql", query_string={"query": "ASK {}"})
    assert r.status_code == 200 and r.mimetype == "application/sparql-results+json" and not r.data
    r = client.head("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert r.mimetype == "text/turtle"


def test_cors_for_reading(client):
    r = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    pre = client.options("/sparql", headers={"Origin": "https://example.org",
                                             "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200 and "POST" in pre.headers["Access-Control-Allow-Methods"]
    allowed = {h.strip().lower() for h in pre.headers["Access-Control-Allow-Headers"].split(",")}
    # what real clients ask for: the update token, jQuery's marker, no-cache requests
    assert {"authorization", "x-requested-with", "cache-control", "content-type"} <= allowed


def test_result_limit_is_said_in_a_header(app):
    from kazkg.web import create_app

    small = create_app(fixture_build(), {"RESULT_LIMIT": 3, "WORKERS": 1})
    try:
        c = small.test_client()
        r = c.get("/sparql", query_string={"query": SELECT_ALL})
        assert len(rows(r)) == 3 and r.headers["X-Result-Truncated"] == "true"
        r = c.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                  headers={"Accept": "application/n-triples"})
        assert len(r.data.splitlines()) == 3 and r.headers["X-Result-Truncated"] == "true"
        r = c.get("/sparql", query_string={"query": "SELECT * { ?s a <http://xmlns.com/foaf/0.1/Document> } LIMIT 2"})
        assert "X-Result-Truncated" not in r.headers and "link" not in r.get_json()["head"]
        # the body says so too (a results head's link), for clients that read only the body
        link = small.config["PUBLIC_URL"] + "result-limit"
        r = c.get("/sparql", query_string={"query": SELECT_ALL})
        assert r.get_json()["head"]["link"] == [link] and r.get_json()["head"]["vars"]
        r = c.get("/sparql", query_string={"query": SELECT_ALL},
                  headers={"Accept": "application/sparql-results+xml"})
        head = ElementTree.fromstring(r.data).find("{http://www.w3.org/2005/sparql-results#}head")
        assert head[-1].tag.endswith("link") and head[-1].get("href") == link
        assert "cut at 3 rows" in c.get("/result-limit").get_data(as_text=True)
    finally:
        small.extensions["kazkg"].close()


def test_body_limit(client, app):
    big = "ASK {} #" + "x" * app.config["BODY_LIMIT"]
    r = client.post("/sparql", data=big, content_type="application/sparql-query")
    assert r.status_code == 413 and r.mimetype == "application/json"


def test_time_limit_in_process(client):
    started = time.monotonic()
    r = client.get("/sparql", query_string={"query": RUNAWAY})
    took = time.monotonic() - started
    assert r.status_code == 503 and "time limit of 2 s" in r.get_json()["error"]["message"]
    assert 1.9 < took < 6
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


def test_errors_are_html_for_browsers_and_never_tracebacks(client):
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    r = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"}, headers=browser)
    assert r.status_code == 400 and r.mimetype == "text/html" and b"line 1" in r.data
    r = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
    error = r.get_json()["error"]
    assert error["status"] == 400 and error["line"] == 1 and "Traceback" not in error["message"]
    assert client.get("/nowhere").status_code == 404


def test_service_is_refused(client):
    r = client.get("/sparql", query_string={"query": "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert r.status_code == 400 and "SERVICE" in r.get_json()["error"]["message"]


@pytest.mark.parametrize("accept, fmt", [
    (None, "turtle"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")])
def test_service_description(client, accept, fmt):
    r = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert r.status_code == 200
    graph = Graph().parse(data=r.data, format=fmt)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert len(list(graph.subjects(None, None))) > 3
    assert any(str(o) == sd + "SPARQL11Query" for o in graph.objects())


def test_browser_gets_the_query_page(client):
    r = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert r.mimetype == "text/html" and b"<form" in r.data


def test_void(client):
    r = client.get("/.well-known/void")
    graph = Graph().parse(data=r.data, format="turtle")
    text = r.data.decode()
    assert "void:sparqlEndpoint <http://localhost/sparql>" in text
    assert "http://localhost/download/kazkg.ttl" in text and "void:vocabulary" in text
    assert len(graph) > 10


def test_void_sends_a_browser_to_the_downloads_and_refuses_fast(client):
    """A browser that opens the VoID address is sent to the home page's downloads; an unacceptable
    Accept is refused before any dump is sized (the first VoID checksums every dump)."""
    from tests.web.accept_headers import CHROMIUM, FIREFOX

    for browser in (FIREFOX, CHROMIUM):
        r = client.get("/.well-known/void", headers={"Accept": browser})
        assert r.status_code == 303 and r.headers["Location"].endswith("/#downloads"), browser
    assert client.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/.well-known/void", headers={"Accept": "text/turtle"}).mimetype == "text/turtle"


@pytest.mark.parametrize("name, fmt", [("kazkg.ttl", "turtle"), ("kazkg.nt", "nt"), ("kazkg.nq", "nquads"),
                                       ("kazkg.trig", "trig"), ("kazkg.jsonld", "json-ld"), ("kazkg.rdf", "xml")])
def test_downloads(client, name, fmt):
    r = client.get(f"/download/{name}")
    assert r.status_code == 200
    from rdflib import Dataset
    ds = Dataset(default_union=True)
    ds.parse(data=r.data, format=fmt)
    assert len(set(ds.triples((None, None, None)))) == 16
    assert client.get(f"/download/{name}", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304


def test_graph_store_get(client):
    r = client.get("/store", query_string={"graph": DATA1}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and len(r.data.splitlines()) == 4
    assert client.get("/store?default").status_code == 200
    assert client.get("/sparql", query_string={"graph": DATA1}).mimetype == "text/turtle"
    assert client.get("/store", query_string={"graph": "http://nowhere.example/"}).status_code == 404
    assert client.get("/store").status_code == 400
    assert client.put("/store?default", data="<a> <b> <c> .", content_type="text/turtle").status_code == 403
    assert client.delete("/store", query_string={"graph": DATA1}).status_code == 403


@pytest.mark.parametrize("media, fmt", [("application/n-quads", "nquads"), ("application/trig", "trig")])
def test_a_named_graph_in_a_quad_format_carries_its_name(client, media, fmt):
    from rdflib import Dataset, URIRef

    r = client.get("/store", query_string={"graph": DATA1}, headers={"Accept": media})
    assert r.status_code == 200 and r.mimetype == media
    ds = Dataset()
    ds.parse(data=r.data, format=fmt)
    assert len(ds.graph(URIRef(DATA1))) == 4 and not len(ds.default_graph)
    default = client.get("/store?default", headers={"Accept": media})
    assert b"<" + DATA1.encode() + b"> ." not in default.data  # the default graph has no name


def test_health(client):
    data = client.get("/health").get_json()
    assert data["status"] == "ok" and data["triples"] == 16
    assert len(data["version"]) == 12 and len(data["build"]) == 16  # data version, cache key


def test_a_write_with_its_token_is_readable_cross_origin(private_cache, tmp_path):
    """A page of another origin that was given the token sees its write's answer (before:
    the preflight refused Authorization, and the answer had no CORS headers)."""
    from tests.web.support import writable_client

    with writable_client(tmp_path / "store", "w-t0k", WORKERS=1) as client:
        token = {"Content-Type": "application/sparql-update", "Authorization": "Bearer w-t0k",
                 "Origin": "https://example.org"}
        reply = client.post("/sparql", data="INSERT DATA { <urn:c:s> <urn:c:p> 1 }", headers=token)
        assert reply.status_code == 204 and reply.headers["Access-Control-Allow-Origin"] == "*"
        refused = client.post("/sparql", data="DROP ALL", headers={**token, "Authorization": ""})
        assert refused.status_code == 401  # and without the token nothing is written
