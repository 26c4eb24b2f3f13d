"""The pure best-match function of kazkg.formats.negotiation."""

import pytest

from kazkg.formats.negotiation import (RDF_FORMATS, RESULT_FORMATS, NotAcceptable, best_match,
                                       prefers_html)

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept, fmt_param, formats, expected", [
    (None, None, RESULT_FORMATS, "json"),
    ("", None, RESULT_FORMATS, "json"),
    ("*/*", None, RESULT_FORMATS, "json"),
    ("application/sparql-results+xml", None, RESULT_FORMATS, "xml"),
    ("text/csv", None, RESULT_FORMATS, "csv"),
    ("text/tab-separated-values", None, RESULT_FORMATS, "tsv"),
    ("text/csv;q=0.5, text/tab-separated-values", None, RESULT_FORMATS, "tsv"),
    ("application/json", None, RESULT_FORMATS, "json"),
    ("application/xml", None, RESULT_FORMATS, "xml"),
    (BROWSER, None, RESULT_FORMATS, "xml"),
    ("text/*", None, RESULT_FORMATS, "csv"),
    ("text/csv", "json", RESULT_FORMATS, "json"),          # format= wins over Accept
    ("text/csv", "application/sparql-results+xml", RESULT_FORMATS, "xml"),
    (None, None, RDF_FORMATS, "turtle"),                   # never N-Quads by default
    ("*/*", None, RDF_FORMATS, "turtle"),
    ("application/n-quads", None, RDF_FORMATS, "nquads"),
    ("application/rdf+xml, text/turtle;q=0.9", None, RDF_FORMATS, "xml"),
    ("application/ld+json", None, RDF_FORMATS, "jsonld"),
    ("application/trig;q=1, text/turtle;q=0.1", None, RDF_FORMATS, "trig"),
    ("text/plain", None, RDF_FORMATS, "nt"),
    (None, "ttl", RDF_FORMATS, "turtle"),
    (None, "json-ld", RDF_FORMATS, "jsonld"),
    (None, "nq", RDF_FORMATS, "nquads"),
])
def test_best_match(accept, fmt_param, formats, expected):
    assert best_match(accept, formats, fmt_param).name == expected


@pytest.mark.parametrize("accept, fmt_param, formats", [
    ("text/html", None, RESULT_FORMATS),
    ("image/png", None, RDF_FORMATS),
    ("text/turtle", None, RESULT_FORMATS),
    ("application/sparql-results+json", None, RDF_FORMATS),
    ("application/json;q=0", None, RESULT_FORMATS[:1]),
    (None, "turtle", RESULT_FORMATS),
    (None, "nonsense", RDF_FORMATS),
])
def test_not_acceptable(accept, fmt_param, formats):
    with pytest.raises(NotAcceptable):
        best_match(accept, formats, fmt_param)


@pytest.mark.parametrize("accept, expected", [
    (BROWSER, True), ("text/html", True), ("application/json", False), ("*/*", False),
    (None, False), ("application/json, text/html;q=0.5", False), ("text/html;q=0", False),
])
def test_prefers_html(accept, expected):
    assert prefers_html(accept) is expected


def test_text_plain_and_an_accept_that_names_no_type_are_answered_consistently(client):
    ask = {"query": "ASK {}"}
    plain = client.get("/sparql", query_string=ask, headers={"Accept": "text/plain"})
    assert plain.status_code == 406 and "N-Triples" in plain.get_json()["error"]["message"]
    graph = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                       headers={"Accept": "text/plain"})
    assert graph.status_code == 200 and graph.mimetype == "application/n-triples"
    assert client.get("/sparql", query_string=ask, headers={"Accept": "garbage"}).status_code == 200
    other = client.get("/sparql", query_string=ask, headers={"Accept": "garbage/*"})
    assert other.status_code == 406 and "N-Triples" not in other.get_json()["error"]["message"]
