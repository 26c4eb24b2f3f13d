"""RFC 9110 content negotiation: the pure functions of kazkg.formats.accept, and the media
type every kind of URL answers to the Accept headers real clients send."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from kazkg.formats.accept import Offer, negotiate, parse, quality
from tests.web.accept_headers import (CHROMIUM, COMUNICA_DOCUMENT, COMUNICA_GRAPH,
                                      COMUNICA_RESULTS, CURL, FIREFOX, JENA_ASK, JENA_DATASET,
                                      JENA_GRAPH, JENA_SELECT, RDFLIB_PARSE, RDFLIB_PARSE_TURTLE,
                                      RDFLIB_STORE, SPARQLWRAPPER)

# RFC 9110, section 12.5.1: the example of precedence among ranges.
RFC_EXAMPLE = "text/*;q=0.3, text/plain;q=0.7, text/plain;format=flowed, text/plain;format=fixed;q=0.4, */*;q=0.5"


@pytest.mark.parametrize("media_type, params, q", [
    ("text/plain", (("format", "flowed"),), 1.0),
    ("text/plain", (), 0.7),
    ("text/html", (), 0.3),
    ("image/jpeg", (), 0.5),
    ("text/plain", (("format", "fixed"),), 0.4),
    ("text/html", (("level", "3"),), 0.3),
])
def test_rfc_9110_precedence_example(media_type, params, q):
    assert quality(parse(RFC_EXAMPLE), media_type, params) == q


@pytest.mark.parametrize("header, expected", [
    ("text/turtle;q=1.0, text/html;q=0.1", 1),          # q-values are read whatever is listed
    ("text/turtle;q=0.1, text/html", 0),
    ("text/turtle, text/html", 0),                       # a tie: the page, offered first
    ("*/*", 1),                                          # a wildcard never picks the page
    ("text/*", 1),
    ("text/html;q=0", None),
    ("TEXT/Turtle; Charset=UTF-8", 1),                   # case, and charset ignored
    ('text/turtle;profile="x y"', None),                 # an unknown parameter does not match
    ("application/ld+json;profile=\"http://www.w3.org/ns/json-ld#compacted\"", 2),
    ("application/ld+json;profile=\"http://www.w3.org/ns/json-ld#expanded\", */*;q=0.1", 1),
    ("text/turtle;q=0.5;foo=bar, application/ld+json;q=0.4", 1),  # accept-ext after q
    ("text/turtle;q=2, application/ld+json;q=0.4", 2),   # a malformed element is skipped
    ("garbage, text/turtle;q=0.2", 1),
    ("*; q=.2", 1),                                      # old Java clients: * and .2
    ("", 1), (None, 1), (",,", 1),
    ("application/json", 2),                             # an alias, named exactly
    ("application/*", 2),                                # ... but a wildcard wants the real type
])
def test_negotiate(header, expected):
    offers = (Offer("text/html", named=True), Offer("text/turtle"),
              Offer("application/ld+json", ("application/json",),
                    (("profile", "http://www.w3.org/ns/json-ld#compacted"),)))
    assert negotiate(header, offers) == expected


BROWSERS = (FIREFOX, CHROMIUM)
PAGE_KINDS = ("/resource/shymkent", "/graph/text/industry-1956-1985/p2-s3", "/ontology")


def _cases():
    for path in PAGE_KINDS:
        quads = path != "/ontology"  # a resource's statements with their graphs (the ontology: one)
        yield path, COMUNICA_DOCUMENT, "application/n-quads" if quads else "application/ld+json"
        yield path, RDFLIB_PARSE, "text/turtle"
        yield path, RDFLIB_PARSE_TURTLE, "text/turtle"
        yield path, JENA_GRAPH, "text/turtle"
        yield path, JENA_DATASET, "application/trig" if quads else "application/ld+json"
        yield path, SPARQLWRAPPER["jsonld"], "application/ld+json"
        yield path, SPARQLWRAPPER["rdfxml"], "application/rdf+xml"
        yield path, CURL, "text/turtle"
        yield path, "text/turtle;q=1.0,text/html;q=0.1", "text/turtle"
        yield path, "text/turtle; charset=utf-8", "text/turtle"
        for browser in BROWSERS:
            yield path, browser, "text/html"
    for path in ("/sparql", "/store?default", "/download/kazkg", "/.well-known/void"):
        yield path, COMUNICA_DOCUMENT, "application/n-quads"
        yield path, JENA_GRAPH, "text/turtle"
        yield path, JENA_DATASET, "application/trig"
        yield path, RDFLIB_PARSE, "text/turtle"
        yield path, CURL, "text/turtle"
        yield path, "application/n-triples; charset=utf-8", "application/n-triples"
    for browser in BROWSERS:
        yield "/sparql", browser, "text/html"  # the query page
        # (a browser asking for /.well-known/void is sent to the home page's downloads: a 303,
        # tested in test_web_endpoint)
    select = "/sparql?query=" + quote("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    for accept, expected in ((COMUNICA_RESULTS, "application/sparql-results+json"),
                             (JENA_SELECT, "application/sparql-results+json"),
                             (RDFLIB_STORE, "application/sparql-results+xml"),
                             (SPARQLWRAPPER["json"], "application/sparql-results+json"),
                             (SPARQLWRAPPER["tsv"], "text/tab-separated-values"),
                             (CURL, "application/sparql-results+json"),
                             (FIREFOX, "application/sparql-results+xml")):
        yield select, accept, expected
    ask = "/sparql?query=" + quote("ASK { ?s ?p ?o }")
    yield ask, JENA_ASK, "application/sparql-results+json"
    yield ask, COMUNICA_RESULTS, "application/sparql-results+json"
    construct = "/sparql?query=" + quote("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1")
    for accept, expected in ((COMUNICA_GRAPH, "text/turtle"), (JENA_GRAPH, "text/turtle"),
                             (RDFLIB_STORE, "application/rdf+xml"),
                             (SPARQLWRAPPER["n3"], "text/turtle"),
                             (SPARQLWRAPPER["jsonld"], "application/ld+json"),
                             (CURL, "text/turtle"), (CHROMIUM, "application/rdf+xml")):
        yield construct, accept, expected
    for browser in BROWSERS:  # errors: a page for people, JSON for programs
        yield "/resource/no-such-thing", browser, "text/html"
    yield "/resource/no-such-thing", COMUNICA_DOCUMENT, "text/html"  # html;q=0.2 > json;q=0.135
    yield "/resource/no-such-thing", CURL, "application/json"


@pytest.mark.parametrize("path, accept, expected", list(_cases()))
def test_real_clients_get_what_they_prefer(site, client, path, accept, expected):
    # Pages on the bundled dataset; the rest on the small fixture dataset (whole-dataset
    # answers such as the dumps cost seconds each on the bundled one).
    on = site if path.startswith(PAGE_KINDS + ("/resource/",)) else client
    response = on.get(path, headers={"Accept": accept})
    assert response.mimetype == expected, (response.status_code, response.get_data(as_text=True)[:300])
    assert "Accept" in response.headers.get("Vary", "")


def test_head_with_a_charset_on_an_absent_graph_is_404(site):
    response = site.head("/store?graph=" + quote("https://w3id.org/kazkg/graph/absent"),
                         headers={"Accept": "text/turtle; charset=utf-8"})
    assert response.status_code == 404


# --- protocol corners -----------------------------------------------------------------------

SELECT_ONE = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"


@pytest.mark.parametrize("query, values, expected", [
    # SPARQLWrapper 2.0 sends its short name and the media type (or nothing) as two values.
    (SELECT_ONE, ["tsv", "text/tab-separated-values"], "text/tab-separated-values"),
    (SELECT_ONE, ["csv", ""], "text/csv"),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", ["rdf+xml", "application/rdf+xml"], "application/rdf+xml"),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", ["rdf+xml", ""], "application/rdf+xml"),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", ["json-ld", "application/ld+json,application/x-json+ld"],
     "application/ld+json"),
    ("DESCRIBE <http://example.org/none>", ["json-ld", ""], "application/ld+json"),
])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_repeated_format_that_agrees_is_accepted(client, query, values, expected, method):
    fields = [("query", query)] + [("format", v) for v in values]
    if method == "GET":
        response = client.get("/sparql", query_string=fields)
    else:
        from urllib.parse import urlencode

        response = client.post("/sparql", data=urlencode(fields),
                               content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == expected


def test_a_repeated_format_that_disagrees_is_refused(client):
    response = client.get("/sparql", query_string=[("query", SELECT_ONE), ("format", "tsv"),
                                                    ("format", "json")])
    assert response.status_code == 406
    assert "name different formats" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
@pytest.mark.parametrize("query, answer", [("ASK { ?s ?p ?o }", True), ("ASK { <x:a> <x:b> <x:c> }", False)])
def test_ask_in_csv_and_tsv_reads_back(client, fmt, query, answer):
    import io

    from rdflib.query import Result

    response = client.get("/sparql", query_string={"query": query, "format": fmt})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.splitlines() == [("?" if fmt == "tsv" else "") + "_askResult", str(answer).lower()]
    rows = list(Result.parse(io.StringIO(text), format=fmt))
    assert [str(rows[0][0]).lower()] == [str(answer).lower()]


@pytest.mark.parametrize("name", ["inferred", "ontology", "sources"])
def test_every_graph_iri_dereferences(site, name):
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF

    from kazkg.namespaces import KZG
    from kazkg.web.describe import SD, VOID

    page = site.get(f"/graph/{name}", headers={"Accept": FIREFOX})
    assert page.status_code == 200 and page.mimetype == "text/html"
    data = site.get(f"/graph/{name}", headers={"Accept": "text/turtle"})
    assert data.status_code == 200
    graph = Graph().parse(data=data.get_data(as_text=True), format="turtle")
    iri = URIRef(KZG[name])
    assert (iri, RDF.type, SD.Graph) in graph
    assert int(graph.value(iri, VOID.triples)) > 0
    if name != "sources":  # a built graph, described here: labelled in kk, ru and en
        from rdflib.namespace import RDFS

        labels = {label.language: str(label) for label in graph.objects(iri, RDFS.label)}
        assert set(labels) == {"kk", "ru", "en"} and len(set(labels.values())) == 3
    # The graph IRI answers with its description; its statements are one link away.
    dump = str(graph.value(iri, VOID.dataDump))
    assert dump.startswith("http://localhost/store?graph=")
    contents = site.get(dump.removeprefix("http://localhost"), headers={"Accept": "application/n-triples"})
    assert contents.status_code == 200
    assert len(contents.get_data(as_text=True).splitlines()) == int(graph.value(iri, VOID.triples))


ABSENT = ["/resource/sector-energy", "/resource/sector-energy.ttl", "/graph/absent",
          "/resource?iri=" + quote("http://example.org/absent"),
          "/store?graph=" + quote("http://example.org/absent"),
          "/sparql?graph=" + quote("http://example.org/absent"), "/download/absent.ttl"]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("path", ABSENT)
@pytest.mark.parametrize("accept", ["application/trig", "image/png"])
def test_existence_is_decided_before_negotiation(client, method, path, accept):
    response = client.open(path, method=method, headers={"Accept": accept})
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/resource?iri=", "/store?graph="])
def test_what_exists_in_no_acceptable_format_is_406(client, path):
    from tests.web.support import DATA1

    response = client.get(path + quote(DATA1), headers={"Accept": "image/png"})
    assert response.status_code == 406


@pytest.mark.parametrize("accept, expected", [
    ("text/turtle;version=1.1", "text/turtle"),
    ("text/turtle; version=\"1.2\"", "text/turtle"),          # RDF 1.2: our output is valid 1.2
    ("application/n-triples;version=1.2-basic", "application/n-triples"),
    ("text/turtle;version=1.1;charset=utf-8", "text/turtle"),
    ("text/turtle;version=9.9, application/n-triples;q=0.5", "application/n-triples"),
    ("text/turtle;version=1.1, */*;q=0.1", "text/turtle"),
    ("text/turtle;q=0.1, */*", "application/n-triples"),      # the README's example
])
def test_rdf_1_2_version_parameter(accept, expected):
    from kazkg.formats.negotiation import RDF_FORMATS, best_match

    assert best_match(accept, RDF_FORMATS).media_type == expected


@pytest.mark.parametrize("path", ["/resource/shymkent", "/graph/inferred", "/ontology",
                                  "/.well-known/void", "/store?default"])
def test_a_version_announcement_is_served_everywhere(site, client, path):
    on = site if path.startswith(PAGE_KINDS + ("/graph/",)) else client
    response = on.get(path, headers={"Accept": "text/turtle;version=1.1"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    unknown = on.get(path, headers={"Accept": "text/turtle;version=9.9"})
    assert unknown.status_code == 406


def test_a_long_accept_header_is_read_for_its_first_ranges_and_never_kept(client):
    """3,000 unique Accept headers of 31,000 `*,` each grew an HTTP process by 3 GB (512 kept
    parses of 5.5 MB) and took 0.3 s of its CPU each (the attacker's review): a header over
    KEPT_HEADER characters is parsed each time and kept nowhere, and only its first MAX_RANGES
    elements are read."""
    from kazkg.formats import accept, negotiation

    kept = (accept.parse.cache_info().currsize, negotiation.best_match.cache_info().currsize)
    for n in range(3):
        reply = client.get("/store?default", headers={"Accept": "*," * 31_000 + f"x/y{n}"})
        assert reply.status_code == 200
    assert (accept.parse.cache_info().currsize,
            negotiation.best_match.cache_info().currsize) == kept
    many = ", ".join(["image/png"] * accept.MAX_RANGES + ["text/turtle"])
    assert {r.type for r in accept.parse(many)} == {"image"}  # past the first 64: not read
    assert client.get("/store?default", headers={"Accept": many}).status_code == 406
    assert client.get("/store?default", headers={"Accept": "image/png, text/turtle"}).mimetype == "text/turtle"


def test_a_long_format_list_is_not_kept_either(client):
    """?format=turtle,<60 KB> was a valid request whose list was part of the negotiation
    caches' keys: 1,000 unique ones held 30 MB in an HTTP process (the attacker's re-check)."""
    from kazkg.formats import negotiation

    kept = negotiation.best_match.cache_info().currsize
    for n in range(3):
        reply = client.get("/store", query_string={"default": "", "format": f"turtle,{n}" + "x" * 60_000})
        assert reply.status_code == 200 and reply.mimetype == "text/turtle"
    assert negotiation.best_match.cache_info().currsize == kept
