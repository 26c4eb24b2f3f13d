"""Fuzzing with hypothesis: malformed requests and queries never get a 5xx, and never hang.

Part of the abuse suite: five properties x 2,000 examples = 10,000 generated requests with
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

    A 503 for the time limit is the one 5xx a request may earn without a fault in how it was
    handled: the CI machine can stall a worker past the fixture's 2 s limit while other tests
    load both cores. Such a request is sent once more, alone; only a request that runs out of
    time twice is a failure (none of these queries is slow on an idle machine)."""
    started = time.monotonic()
    response = send()
    if response.status_code == 503 and b"time limit" in response.data:
        started = time.monotonic()
        response = send()
    took = time.monotonic() - started
    assert response.status_code < 500, (response.status_code, response.data[:300])
    assert took < SLOWEST, took
    assert b"Traceback" not in response.data


@FUZZ
@given(text=st.text(max_size=300))
def test_random_query_text(client, text):
    check(lambda: client.get("/sparql", query_string={"query": text}))


@FUZZ
@given(base=st.sampled_from(VALID), data=st.data())
def test_mutated_valid_queries(client, base, data):
    text = base
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["insert", "delete", "token"]))
        if action == "delete":
            text = text[:at] + text[at + data.draw(st.integers(1, 5)):]
        elif action == "insert":
            text = text[:at] + data.draw(st.text(min_size=1, max_size=3)) + text[at:]
        else:
            text = text[:at] + " " + data.draw(st.sampled_from(TOKENS)) + " " + text[at:]
    check(lambda: client.post("/sparql", data=text.encode("utf-8", "surrogatepass"),
                              content_type="application/sparql-query"))


@FUZZ
@given(tokens=st.lists(st.sampled_from(TOKENS), max_size=25))
def test_token_soup(client, tokens):
    check(lambda: client.post("/sparql", data={"query": " ".join(tokens)}))


@FUZZ
@given(body=st.binary(max_size=400), content_type=st.sampled_from(CONTENT_TYPES),
       accept=st.sampled_from(ACCEPTS), method=st.sampled_from(["POST", "PUT", "DELETE", "PATCH"]))
def test_random_bodies_and_headers(client, body, content_type, accept, method):
    headers = {"Accept": accept}
    if content_type:
        headers["Content-Type"] = content_type
    check(lambda: client.open("/sparql", method=method, data=body, headers=headers))


PARAMS = ["query", "update", "default-graph-uri", "named-graph-uri", "format", "graph",
          "default", "using-graph-uri", "", "q", "query[]"]


@FUZZ
@given(pairs=st.lists(st.tuples(st.sampled_from(PARAMS),
                                st.one_of(st.sampled_from(VALID), st.text(max_size=40))),
                      max_size=5),
       raw=st.binary(max_size=30), path=st.sampled_from(["/sparql", "/store", "/sparql/"]),
       accept=st.sampled_from(ACCEPTS), if_none_match=st.sampled_from(["", "*", '"x"', "W/\"y\"", "garbage"]))
def test_random_parameters(client, pairs, raw, path, accept, if_none_match):
    query = "&".join(f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'))}" for k, v in pairs)
    query += "&" + quote(raw, safe="=&%")  # raw bytes, possibly not UTF-8 once decoded
    headers = {"Accept": accept}
    if if_none_match:
        headers["If-None-Match"] = if_none_match
    check(lambda: client.get(f"{path}?{query}", headers=headers))
