"""The W3C SPARQL 1.1 Protocol test cases (data-sparql11/protocol/manifest), against a real
`kazkg serve` on 127.0.0.1. The fixture dataset holds the graphs the tests name.

The update cases run against a server started with --enable-update and a bearer token; the
default server must refuse every write.
"""

import pytest
from tests.web.support import DATA1, DATA2, DATA3, Server, PROTOCOL_DATA
from tests.web.httpraw import q, request

pytestmark = pytest.mark.slow  # real `kazkg serve` processes

RESULTS = ("application/sparql-results+xml", "application/sparql-results+json")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}


# --- negative tests: 4xx ---------------------------------------------------------------------

def test_bad_query_method(server):
    assert request(server.sparql, "PUT", "?query=" + q("ASK {}")).status == 405


def test_bad_multiple_queries(server):
    r = request(server.sparql, "GET", "?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D")
    assert r.status == 400 and b"query" in r.body


def test_bad_query_wrong_media_type(server):
    r = request(server.url + "sparql/", "POST", body="ASK {}", headers={"Content-Type": "text/plain"})
    assert r.status == 415


def test_bad_query_missing_form_type(server):
    assert request(server.url + "sparql/", "POST", body="query=ASK%20%7B%7D").status == 415


def test_bad_query_missing_direct_type(server):
    assert request(server.url + "sparql/", "POST", body="ASK {}").status == 415


def test_bad_query_non_utf8(server):
    r = request(server.url + "sparql/", "POST", body="ASK {}".encode("utf-16"),
                headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert r.status == 400


def test_bad_query_non_utf8_without_charset(server):
    r = request(server.sparql, "POST", body="ASK {}".encode("utf-16"), headers=DIRECT)
    assert r.status == 400 and b"UTF-8" in r.body


def test_bad_query_syntax(server):
    r = request(server.sparql, "GET", "?query=ASK%20%7B")
    assert r.status == 400
    error = r.json()["error"]
    assert error["line"] == 1 and error["column"] >= 5 and "syntax" in error["message"]


def test_bad_update_get(server):
    assert request(server.sparql, "GET", "?update=CLEAR%20ALL").status == 400


def test_bad_multiple_updates(server):
    r = request(server.url + "sparql/", "POST", body="update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
                headers=FORM)
    assert r.status == 400


def test_bad_update_wrong_media_type(server):
    r = request(server.sparql, "POST", body="CLEAR NAMED", headers={"Content-Type": "text/plain"})
    assert r.status == 415


def test_bad_update_missing_form_type(server):
    assert request(server.sparql, "POST", body="update=CLEAR%20NAMED").status == 415


def test_bad_update_non_utf8(server):
    r = request(server.sparql, "POST", body="CLEAR NAMED".encode("utf-16"),
                headers={"Content-Type": "application/sparql-update; charset=UTF-16"})
    assert r.status == 400


@pytest.mark.parametrize("body, content_type", [
    ("update=CLEAR%20XYZ", "application/x-www-form-urlencoded"),
    ("CLEAR ALL", "application/sparql-update"),
])
def test_updates_are_refused_by_default(server, body, content_type):
    r = request(server.sparql, "POST", body=body, headers={"Content-Type": content_type})
    assert r.status == 403 and b"read-only" in r.body


# --- positive tests --------------------------------------------------------------------------

def test_query_get(server):
    r = request(server.sparql, "GET", "?query=ASK%20%7B%7D")
    assert r.status == 200 and r.type in RESULTS and r.boolean is True


def test_query_post_form(server):
    r = request(server.url + "sparql/", "POST", body="query=ASK%20%7B%7D", headers=FORM)
    assert r.status == 200 and r.type in RESULTS and r.boolean is True


def test_query_post_direct(server):
    r = request(server.url + "sparql/", "POST", body="ASK {}", headers=DIRECT)
    assert r.status == 200 and r.type in RESULTS and r.boolean is True


def test_query_dataset_default_graph(server):
    r = request(server.sparql, "POST", "?default-graph-uri=" + q(DATA1),
                body=f"ASK {{ <{DATA1}> ?p ?o }}", headers=DIRECT)
    assert r.status == 200 and r.boolean is True


def test_query_dataset_default_graphs_get(server):
    query = f"ASK {{ <{DATA1}> a ?type . <{DATA2}> a ?type . }}"
    r = request(server.sparql, "GET", f"?query={q(query)}&default-graph-uri={q(DATA1)}"
                                      f"&default-graph-uri={q(DATA2)}")
    assert r.status == 200 and r.type in RESULTS and r.boolean is True


def test_query_dataset_default_graphs_post(server):
    r = request(server.sparql, "POST", f"?default-graph-uri={q(DATA1)}&default-graph-uri={q(DATA2)}",
                body=f"ASK {{ <{DATA1}> ?p ?o . <{DATA2}> ?p ?o }}", headers=DIRECT)
    assert r.status == 200 and r.boolean is True


def test_query_dataset_named_graphs_get(server):
    query = f"ASK {{ GRAPH ?g1 {{ <{DATA1}> a ?type }} GRAPH ?g2 {{ <{DATA2}> a ?type }} }}"
    r = request(server.sparql, "GET", f"?query={q(query)}&named-graph-uri={q(DATA1)}"
                                      f"&named-graph-uri={q(DATA2)}")
    assert r.status == 200 and r.boolean is True


def test_query_dataset_named_graphs_post(server):
    r = request(server.sparql, "POST", f"?named-graph-uri={q(DATA1)}&named-graph-uri={q(DATA2)}",
                body="ASK { GRAPH ?g { ?s ?p ?o } }", headers=DIRECT)
    assert r.status == 200 and r.boolean is True


def test_query_dataset_full(server):
    r = request(server.sparql, "POST",
                f"?default-graph-uri={q(DATA3)}&named-graph-uri={q(DATA1)}&named-graph-uri={q(DATA2)}",
                body="SELECT ?g ?x ?s { ?x ?y ?o  GRAPH ?g { ?s ?p ?o } }",
                headers={**DIRECT, "Accept": "application/sparql-results+json"})
    assert r.status == 200 and r.type in RESULTS
    # ?o must be shared between data3 (the default graph) and data1/data2: only foaf:Document.
    rows = r.json()["results"]["bindings"]
    assert rows and {row["g"]["value"] for row in rows} == {DATA1, DATA2}
    assert {row["x"]["value"] for row in rows} == {DATA3}


def test_query_multiple_dataset(server):
    """The protocol's dataset wins over the query's FROM."""
    r = request(server.sparql, "POST", f"?default-graph-uri={q(DATA2)}",
                body=f"ASK FROM <{DATA1}> {{ <{DATA2}> ?p ?o }}", headers=DIRECT)
    assert r.status == 200 and r.boolean is True
    r = request(server.sparql, "POST", f"?default-graph-uri={q(DATA2)}",
                body=f"ASK FROM <{DATA1}> {{ <{DATA1}> ?p ?o }}", headers=DIRECT)
    assert r.status == 200 and r.boolean is False


@pytest.mark.parametrize("query, allowed", [
    ("SELECT (1 AS ?value) {}", RESULTS + ("text/tab-separated-values", "text/csv")),
    ("ASK {}", RESULTS),
    ("DESCRIBE <http://example.org/>", ("application/rdf+xml", "text/turtle")),
    ("CONSTRUCT { <s> <p> 1 } WHERE {}", ("application/rdf+xml", "text/turtle")),
])
def test_query_content_type(server, query, allowed):
    r = request(server.url + "sparql/", "POST", body=query, headers=DIRECT)
    assert r.status == 200 and r.type in allowed


# --- updates, with --enable-update and a token ------------------------------------------------

@pytest.fixture(scope="module")
def writable(private_cache, tmp_path_factory):
    srv = Server([str(PROTOCOL_DATA), "--enable-update"],
                 env={"KAZKG_UPDATE_TOKEN": "s3cret",
                      "KAZKG_UPDATE_STORE": str(tmp_path_factory.mktemp("writes"))})
    yield srv
    srv.stop()


UPDATE = {"Content-Type": "application/sparql-update"}
AUTH = {"Authorization": "Bearer s3cret"}


def test_update_needs_a_token(writable):
    assert request(writable.sparql, "POST", body="CLEAR ALL", headers=UPDATE).status == 401
    wrong = {**UPDATE, "Authorization": "Bearer nope"}
    assert request(writable.sparql, "POST", body="CLEAR ALL", headers=wrong).status == 403


def test_update_post_direct_and_form(writable):
    insert = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> <test> } }"
    r = request(writable.sparql, "POST", body=insert, headers={**UPDATE, **AUTH})
    assert r.status == 204, r.body
    # the update base is the endpoint: <test> became an absolute IRI
    query = "SELECT ?o WHERE { GRAPH <http://example.org/g> { ?s ?p ?o } }"
    rows = request(writable.sparql, "GET", "?query=" + q(query)).json()["results"]["bindings"]
    assert rows[0]["o"]["value"] == writable.url + "test"
    # every worker sees it (forked after the change), not only the one that ran the update
    for _ in range(6):
        r = request(writable.sparql, "POST", body=f"query={q('ASK { GRAPH <http://example.org/g> { ?s ?p ?o } }')}",
                    headers=FORM)
        assert r.boolean is True
    r = request(writable.sparql, "POST", body="update=" + q("CLEAR GRAPH <http://example.org/g>"),
                headers={**FORM, **AUTH})
    assert r.status == 204
    r = request(writable.sparql, "GET", "?query=" + q("ASK { GRAPH <http://example.org/g> { ?s ?p ?o } }"))
    assert r.boolean is False


def test_update_syntax_and_load_refused(writable):
    r = request(writable.sparql, "POST", body="update=CLEAR%20XYZ", headers={**FORM, **AUTH})
    assert r.status == 400
    r = request(writable.sparql, "POST", body="LOAD <http://127.0.0.1:9/x>", headers={**UPDATE, **AUTH})
    assert r.status == 400 and b"LOAD" in r.body
