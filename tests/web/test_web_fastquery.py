"""A plain `GET /sparql?query=...` answered without Flask (kazkg.web.fastquery) gets what
Flask's endpoint gives: the same status, headers and body, and the same answer when the
request is handed over (errors, other parameters, conditional requests)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from werkzeug.test import EnvironBuilder

from kazkg.query import catalog
from kazkg.web.fastquery import QueryFastPath, plain_query

JSON = "application/sparql-results+json"
QUERY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 5"


def _call(app, query_string: str, headers: dict) -> tuple[str, dict, bytes]:
    environ = EnvironBuilder(path="/sparql", headers=headers).get_environ()
    environ["QUERY_STRING"] = query_string
    environ["REMOTE_ADDR"] = "127.0.0.9"
    found = {}

    def start_response(status, response_headers, exc_info=None):
        found["status"], found["headers"] = status, response_headers

    body = b"".join(app(environ, start_response))
    return found["status"], dict(found["headers"]), body


@pytest.mark.parametrize("query_string, headers", [
    ("query=" + quote(QUERY), {"Accept": JSON}),
    ("query=" + quote(QUERY), {"Accept": "text/csv"}),
    ("query=" + quote(QUERY), {}),
    ("query=" + quote("ASK { ?s ?p ?o }"), {"Accept": JSON}),
    ("query=" + quote("SELECT * WHERE { ?s ?p"), {"Accept": JSON}),  # a syntax error: 400
    ("query=" + quote(QUERY), {"Accept": "image/png"}),  # 406
    ("query=", {"Accept": JSON}),
    ("query=" + quote(QUERY) + "&format=csv", {}),  # not plain: Flask's
    ("query=" + quote(QUERY), {"Accept": JSON, "If-None-Match": '"x"'}),
])
def test_the_fast_path_answers_as_flask(app, query_string, headers):
    fast = QueryFastPath(app)
    app.extensions["kazkg"].cache.clear()
    for _ in range(2):  # the fast path's from a worker, then both from the answer cache
        found = _call(fast, query_string, headers)
        assert found == _call(app, query_string, headers)


def test_what_the_fast_path_takes():
    def environ(query_string, method="GET", path="/sparql", **extra):
        return {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query_string,
                **extra}

    assert plain_query(environ("query=ASK%20%7B%7D")) == "ASK {}"
    assert plain_query(environ("query=ASK%20%7B%7D", path="/sparql/")) == "ASK {}"
    for refused in (environ("query=ASK%20%7B%7D", method="HEAD"), environ("query=%00"),
                    environ("query=ASK%20%7B%7D", HTTP_IF_NONE_MATCH='"x"'),
                    environ("query=a&query=b"), environ("query=ASK&default-graph-uri=x"),
                    environ("update=CLEAR%20ALL"), environ("query=%ff"), environ(""),
                    environ("query=ASK", path="/sparqlx")):
        assert plain_query(refused) is None, refused


def test_a_catalog_query_from_the_fast_path(app):
    text = catalog.load_all()["city-enterprises"].text
    status, headers, body = _call(QueryFastPath(app), "query=" + quote(text), {"Accept": JSON})
    assert status == "200 OK" and headers["Content-Type"] == JSON and b'"bindings"' in body
    assert headers["Access-Control-Allow-Origin"] == "*" and headers["ETag"].startswith('"')



@pytest.mark.parametrize("whole_bytes", [1 << 20, 10])  # answered here; streamed by Flask
def test_the_etag_is_the_version_the_query_ran_on(app, monkeypatch, whole_bytes):
    """A write that lands while a query runs is newer than its answer: the answer carries the
    ETag of the version before the run, so that a 304 never keeps a stale body as current."""
    service = app.extensions["kazkg"]
    service.cache.clear()
    monkeypatch.setattr(service, "writes", service.writes)  # restored after the test
    monkeypatch.setattr("kazkg.web.service.WHOLE_BYTES", whole_bytes)
    run, before = service.run, {}

    def run_then_write(job, **options):
        before["etag"] = service.etag(options["cache_key"])
        answer = run(job, **options)
        service.writes += 1  # a write finished while the query ran
        return answer

    monkeypatch.setattr(service, "run", run_then_write)
    status, headers, _ = _call(QueryFastPath(app), "query=" + quote(QUERY), {"Accept": JSON})
    assert status == "200 OK" and headers["ETag"] == before["etag"]
