"""Fuzzing with hypothesis: malformed requests and queries never get a 5xx, and never hang.

Part of the abuse suite: six properties x 2,000 examples = 12,000 generated requests with
`pytest -m abuse`, x 300 in the default run (KAZKG_FUZZ_EXAMPLES sets the number per
property). They run in-process through the Flask test client, but every query still goes
through the real worker pool.
"""

import os
import time
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.abuse
EXAMPLES = int(os.environ.get("KAZKG_FUZZ_EXAMPLES", "300"))  # -m abuse: 2000 (conftest.py)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SLOWEST = 5.0  # seconds: the 2 s time limit, and room to spare

VALID = [
    "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5",
    "ASK { ?s a <http://xmlns.com/foaf/0.1/Person> }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3",
    "DESCRIBE <http://example.org/alice>",
    "PREFIX foaf: <http://xmlns.com/foaf/0.1/> SELECT ?n { ?x foaf:name ?n FILTER(lang(?n) = '') }",
    "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
]
TOKENS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", "?x", "<",
          ">", "<http://example.org/>", "FILTER", "OPTIONAL", "UNION", "GRAPH", "SERVICE",
          "FROM", "NAMED", "VALUES", "BIND", "AS", '"', "'", "\\", ".", ";", ",", "*", "#",
          "LIMIT", "-1", "99999999999999999999", "PREFIX", ":", "a", "^^", "@en", "_:b",
          "\x00", "\ufffd", "𝔘", "LOAD", "INSERT DATA", "DELETE", "CLEAR ALL", "REGEX", "1e999"]
CONTENT_TYPES = ["application/sparql-query", "application/x-www-form-urlencoded",
                 "application/sparql-update", "text/plain", "", "application/json",
                 "application/sparql-query; charset=latin-1", "multipart/form-data; boundary=x",
                 "application/x-www-form-urlencoded; charset=utf-16", "*/*", ";;;", "a/b; c"]
ACCEPTS = ["", "*/*", "text/html", "application/sparql-results+json;q=0", "text/turtle",
           "application/n-quads", "garbage", "*/*;q=abc", ";q=1", "text/csv, */*;q=0.1",
           "application/sparql-results+xml;q=0.5, application/json", "image/*"]


def check(send):
    """Send the request (`send()`); it must be answered below 500, quickly, with no traceback.

    A 503 for the time limit is the one 5xx a request may earn (issue 12: "0 5xx other than
    503 at the time limit"): every fuzzed expression is a new query, parsed and evaluated by
    rdflib once, about 1 s at load 8, and the fixture's limit is 2 s; in the full abuse run,
    beside the floods of the other tests, such a query ran out of time twice in a row (it
    was sent once more when it did). What must hold is that it is bounded: answered, by the
    limit, within SLOWEST."""
    started = time.monotonic()
    response = send()
    took = time.monotonic() - started
    timed_out = response.status_code == 503 and b"time limit" in response.data
    assert response.status_code < 500 or timed_out, (response.status_code, response.data[:300])
    assert took < SLOWEST, took
    assert b"Traceback" not in response.data


# Expressions on rdflib's engine (BIND (1.0 AS ?y) sends a query there: kazkg.query.spelling),
# whose Python functions once let their exceptions out as 500s (kazkg.query.contained).
ATOMS = ["?v", "?v", "1", "0", "-1", "1.0", "1e308", "-1e308", "99999999999999999999", '"abc"', '""',
         '"("', '"$9"', '"[a-"', '"bad tag!"', '"en"', '"a b"', '"http://a/>x"', "?y", "?unbound",
         '"2020-01-01"^^xsd:date', '"2020-13-45T00:00:00"^^xsd:dateTime', '"1e999999"',
         '"P1Y"^^xsd:duration', "<urn:x>", '"x"@en', "true", '"\\uD83D\\uDE00"']
FUNCTIONS = ["STR", "STRLEN", "SUBSTR", "REPLACE", "REGEX", "ROUND", "ABS", "CEIL", "FLOOR",
             "STRLANG", "LANGMATCHES", "ENCODE_FOR_URI", "IRI", "BNODE", "CONCAT", "UCASE",
             "CONTAINS", "STRBEFORE", "DATATYPE", "LANG", "YEAR", "TZ", "MD5", "SHA512",
             "STRDT", "COALESCE", "IF", "xsd:integer", "xsd:double", "xsd:decimal",
             "xsd:dateTime", "xsd:boolean", "xsd:float"]
OPERATORS = ["+", "-", "*", "/", "=", "<", "&&", "||", "!="]
expressions = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: st.one_of(
        st.builds(lambda f, args: f"{f}({', '.join(args)})", st.sampled_from(FUNCTIONS),
                  st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda a, op, b: f"({a} {op} {b})", inner, st.sampled_from(OPERATORS), inner)),
    max_leaves=8)
ROWS = ('VALUES ?v { 1 -2.5 "a" "b"@en <urn:x> "2020-01-01"^^xsd:date "1e5"^^xsd:double '
        '"2020-01-01T00:00:00"^^xsd:dateTime "2020-01-01T00:00:00Z"^^xsd:dateTime "x"^^<urn:t> '
        'UNDEF } BIND (1.0 AS ?y)')
FORMATS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values", "text/turtle", "application/n-triples",
           "application/rdf+xml"]


@FUZZ
@given(expression=expressions, accept=st.sampled_from(FORMATS),
       shape=st.sampled_from(["select", "filter", "order", "aggregate", "construct"]))
def test_random_expressions_on_rdflib(client, expression, accept, shape):
    where = f"{ROWS} BIND ({expression} AS ?x)"
    text = {"select": f"SELECT ?v ?x WHERE {{ {where} }}",
            "filter": f"SELECT ?v WHERE {{ {ROWS} FILTER ({expression}) }}",
            "order": f"SELECT ?v WHERE {{ {ROWS} }} ORDER BY ({expression}) DESC(?v)",
            "aggregate": f"SELECT (SUM({expression}) AS ?s) (MIN({expression}) AS ?m) "
                         f"(AVG({expression}) AS ?a) (GROUP_CONCAT({expression}) AS ?g) "
                         f"WHERE {{ {ROWS} }} GROUP BY ({expression})",
            "construct": f"CONSTRUCT {{ ?x <urn:p> ?x . ?v ?x 1 }} WHERE {{ {where} }}"}[shape]
    text = "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n" + text
    check(lambda: client.get("/sparql", query_string={"query": text},
                             headers={"Accept": accept}))
