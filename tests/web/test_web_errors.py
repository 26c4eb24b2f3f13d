"""A bug of kazkg's is a 500 with a short error id; the traceback goes to the server's log under
that id and never into the answer."""

from __future__ import annotations

import logging

import pytest

SECRET = "/home/someone/kazkg/query.py, line 42, in evaluate"


@pytest.fixture
def broken(app, monkeypatch):
    def bug(*args, **kwargs):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(app.extensions["kazkg"], "run", bug)
    return app.test_client()


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/html"])
def test_a_bug_is_a_500_with_an_error_id_and_no_traceback(broken, caplog, accept):
    with caplog.at_level(logging.ERROR, logger="kazkg.web"):
        r = broken.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": accept})
    assert r.status_code == 500
    error_id = r.headers["X-Error-Id"]
    assert len(error_id) == 8 and error_id in r.get_data(as_text=True)
    assert SECRET not in r.get_data(as_text=True) and "Traceback" not in r.get_data(as_text=True)
    logged = [rec for rec in caplog.records if error_id in rec.getMessage()]
    assert logged and logged[0].exc_info[0] is RuntimeError and SECRET in str(logged[0].exc_info[1])


def test_each_bug_gets_its_own_id(broken):
    ids = {broken.get("/sparql", query_string={"query": "ASK {}"}).headers["X-Error-Id"]
           for _ in range(3)}
    assert len(ids) == 3


def test_a_mistake_in_the_request_is_not_a_bug(client):
    r = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x ?p }"})
    assert r.status_code == 400 and "X-Error-Id" not in r.headers and "line 1" in r.get_data(as_text=True)
