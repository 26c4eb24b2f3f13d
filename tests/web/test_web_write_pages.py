"""The pages after a write to the bundled data (`kazkg serve --enable-update`): their shared
lookups are made again for the new version, and must not fail. The labels' lookup ran on
rdflib (its VALUES-bound ?p was taken for any predicate: kazkg.query.respelled), about 25 s
past the 10 s limit, and every page answered 503 for minutes while /health said "ok"
(1a595a8 wrote it as a UNION; the lookups after a write now have the start-up's limit too)."""

from __future__ import annotations

import time

import pytest

from tests.web.httpraw import request
from tests.web.support import Server

UPDATE = {"Authorization": "Bearer s3cret", "Content-Type": "application/sparql-update"}
KZR = "https://w3id.org/kazkg/resource/"

pytestmark = pytest.mark.slow


def test_pages_answer_at_once_after_a_write(tmp_path):
    srv = Server(["--enable-update", "--workers", "2"],
                 env={"KAZKG_UPDATE_TOKEN": "s3cret", "KAZKG_UPDATE_STORE": str(tmp_path / "w")})
    try:
        assert request(srv.url, path="", headers={"Accept": "text/html"}).status == 200
        insert = (f'INSERT DATA {{ GRAPH <http://example.org/new> {{ <{KZR}written-place> '
                  f'<http://www.w3.org/2000/01/rdf-schema#label> "Written place label"@en }} }}')
        assert request(srv.sparql, "POST", body=insert, headers=UPDATE).status == 204
        for path in ("", "resource/written-place"):
            started = time.monotonic()
            page = request(srv.url, path=path, headers={"Accept": "text/html"})
            took = time.monotonic() - started
            assert page.status == 200, (path, page.body[:300])
            assert took < 2.0, (path, took)
        assert b"Written place label" in page.body
        health = request(srv.url, path="health").json()
        assert health["status"] == "ok" and "lookups_failed" not in health
    finally:
        srv.stop()
