"""The dumps are made in the background (kazkg.web.making): the request that started one
waited the whole making (15-19 s with no byte on a fresh cache, issue 12's review), and two
servers sharing a cache folder removed each other's dumps after a write."""

from __future__ import annotations

import time

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kazkg.web import dumps
from kazkg.web.describe import dump_filenames
from tests.web.test_web_dump_files import _counting, _forget
from tests.web.test_web_write_abuse import UPDATE, writable_client


def test_a_request_waits_for_a_dump_being_made_a_short_while_at_most(app, monkeypatch):
    svc = app.extensions["kazkg"]
    _forget(svc)
    real = dumps._make

    def slow(*args):
        time.sleep(3)  # a dump of a large store
        return real(*args)

    monkeypatch.setattr(dumps, "_make", slow)
    monkeypatch.setitem(app.config, "DUMP_WAIT", 0.5)  # kazkg serve: 2 s
    client = app.test_client()
    started = time.monotonic()
    first = client.get("/download/kazkg.nt")
    assert time.monotonic() - started < 2  # main: 200 after the whole making
    assert first.status_code == 503 and first.headers["Retry-After"] == "10"
    head = client.head("/download/kazkg.nt")  # a second client, while it is made
    assert head.status_code == 503 and time.monotonic() - started < 3
    deadline = time.monotonic() + 20
    while (reply := client.get("/download/kazkg.nt")).status_code == 503:
        assert time.monotonic() < deadline
    assert reply.status_code == 200 and reply.get_data().startswith(b"# kazkg dataset version")



def test_a_browser_sent_away_by_a_dump_being_made_is_brought_back(app, monkeypatch):
    """Browsers ignore Retry-After: a person who clicked a download link saw a dead-end 503
    page (the new user's review). Its page now reloads itself after Retry-After; a refusal
    that waiting does not cure (a 404) does not."""
    _forget(app.extensions["kazkg"])
    real = dumps._make
    monkeypatch.setattr(dumps, "_make", lambda *args: (time.sleep(2), real(*args))[1])
    monkeypatch.setitem(app.config, "DUMP_WAIT", 0.2)
    client = app.test_client()
    page = client.get("/download/kazkg.ttl", headers={"Accept": "text/html"})
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert '<meta http-equiv="refresh" content="10">' in page.get_data(as_text=True)
    data = client.get("/download/kazkg.ttl", headers={"Accept": "application/json"})
    assert data.status_code == 503 and data.is_json  # a program reads Retry-After itself
    missing = client.get("/download/kazkg.nope", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and "http-equiv" not in missing.get_data(as_text=True)

def test_a_server_prepares_every_dump(private_cache, tmp_path):
    with writable_client(tmp_path / "store", "w-t0k", WORKERS=1) as client:
        svc = client.application.extensions["kazkg"]
        _forget(svc)
        with client.application.app_context():
            dumps.prepare(svc, 60.0)
        deadline = time.monotonic() + 60
        formats = ("nt", "nquads", "turtle", "trig", "jsonld", "xml")
        while not all(dumps.path_of(svc, fmt).exists() for fmt in formats):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        reply = client.post("/sparql", data="INSERT DATA { <urn:r3> <urn:p> 4 }", headers=UPDATE)
        assert reply.status_code == 204  # and again after a write, once writes pause
        while not all(dumps.path_of(svc, fmt).exists() for fmt in formats):
            assert time.monotonic() < deadline + 60
            time.sleep(0.1)


def test_two_servers_on_one_cache_keep_each_others_dumps(app, private_cache, tmp_path, monkeypatch):
    """A read-only server and one with writes on one cache folder (/tmp/atk shared_cache_dumps.sh):
    the writer's new dump removed the other's, which made it again at its next request."""
    reader = app.extensions["kazkg"]
    _forget(reader)
    assert app.test_client().get("/download/kazkg.nt").status_code == 200
    kept = dumps.path_of(reader, "nt")
    with writable_client(tmp_path / "store", "w-t0k", WORKERS=1) as client:
        writer = client.application.extensions["kazkg"]
        assert writer.build_key == reader.build_key and dumps.path_of(writer, "nt") == kept
        assert client.get("/download/kazkg.nt").status_code == 200  # the same version's file
        reply = client.post("/sparql", data="INSERT DATA { <urn:r1> <urn:p> 2 }", headers=UPDATE)
        assert reply.status_code == 204
        assert client.get("/download/kazkg.nt").status_code == 200
        newer = dumps.path_of(writer, "nt")
        assert newer != kept and newer.exists()
        assert kept.exists()  # main: removed, the reader's live version
        made: list = []
        monkeypatch.setattr(dumps, "spare", _counting(made))
        assert app.test_client().get("/download/kazkg.nt").status_code == 200 and not made
        first_write = newer
        reply = client.post("/sparql", data="INSERT DATA { <urn:r2> <urn:p> 3 }", headers=UPDATE)
        assert client.get("/download/kazkg.nt").status_code == 200
        assert not first_write.exists()  # what the writer itself superseded, no one holds
        assert kept.exists()


@pytest.mark.parametrize("media, dump", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/n-quads", "nt"),
    ("application/trig", "turtle"), ("application/rdf+xml", "xml")])
def test_the_default_graph_is_sent_from_its_kept_dump(app, monkeypatch, media, dump):
    """GET /store?default is the union, which these dumps are: once one is kept it is sent
    from its file (its first line names the version), not written again by a worker (at 100x
    that ran past the time and answer limits); before, a worker writes the same graph."""
    svc = app.extensions["kazkg"]
    _forget(svc)
    client = app.test_client()
    with monkeypatch.context() as patched:  # not kept yet: a worker writes it
        patched.setattr(dumps, "kept_now", lambda *args: None)
        first = client.get("/store?default", headers={"Accept": media})
    assert first.status_code == 200 and first.headers["X-Dataset-Version"] == svc.data_version
    assert client.get(f"/download/kazkg.{dumps_suffix(dump)}").status_code == 200  # now kept
    again = client.get("/store?default", headers={"Accept": media})
    assert again.status_code == 200 and again.mimetype == media
    assert b"kazkg dataset version" in again.data[:200]
    # one ETag, one representation: the worker wrote the dump's very bytes (it had lacked the
    # version line, the new user's review)
    assert again.headers["ETag"] == first.headers["ETag"] and again.data == first.data
    # one default graph: TriG's and N-Quads' documents are Turtle's and N-Triples' (rdflib's
    # TriG parser warns of its ConjunctiveGraph)
    graphs = [Graph().parse(data=reply.data, format=dump) for reply in (first, again)]
    assert isomorphic(*graphs) and len(graphs[0]) > 0
    assert client.get("/store?default", headers={"Accept": media,
                                                 "If-None-Match": first.headers["ETag"]}).status_code == 304


def dumps_suffix(fmt: str) -> str:
    return next(name for name, value in dump_filenames().items() if value == fmt).split(".", 1)[1]


def test_a_refused_query_page_does_not_run_it_again(app):
    """A 503 of a query (the quick lane's, a busy pool) does not reload itself: an open tab
    ran a heavy query again every 2 s while the server was overloaded (the new user's
    review). A page's or a download's does."""
    from kazkg.web.errors import _reload_after

    for path, expected in (("/sparql?query=ASK%7B%7D", None), ("/browse", 2), ("/download/kazkg.nt", 2)):
        with app.test_request_context(path):
            assert _reload_after(503, {"Retry-After": "2"}) == expected, path
    with app.test_request_context("/browse", method="POST"):
        assert _reload_after(503, {"Retry-After": "2"}) is None


@pytest.mark.parametrize("path, headers", [
    ("/store?default", {"Accept": "text/turtle"}),
    ("/sparql?query=ASK%7B%7D", {"Accept": "application/sparql-results+json"}),
    ("/download/kazkg.ttl", {"Accept-Encoding": "gzip"}),
    ("/download/kazkg.ttl", {})])
def test_a_304_says_what_its_200_says(app, path, headers):
    """RFC 9110 15.4.5: a 304 carries the Vary and Cache-Control its 200 would. The early 304
    had a page's Vary (Accept-Language, Cookie) on RDF answers, no Accept-Encoding for a dump,
    and no Cache-Control (the new user's review)."""
    client = app.test_client()
    full = client.get(path, headers=headers)
    assert full.status_code == 200
    again = client.get(path, headers={**headers, "If-None-Match": full.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == full.headers["ETag"]
    for name in ("Vary", "Cache-Control"):
        assert set(again.headers.get(name, "").replace(" ", "").split(",")) == set(
            full.headers.get(name, "").replace(" ", "").split(",")), name


def test_a_dump_that_failed_lately_is_not_asked_for_again_by_the_graph_store(app):
    """kept_now, which /store?default asks, backs off from a dump that failed as `made` does:
    else each request started a dump that had just run out of time again."""
    from kazkg.query.jobs import Answer

    svc = app.extensions["kazkg"]
    _forget(svc)
    with app.test_request_context("/store?default"):
        maker = dumps._maker(svc, app.config["DUMP_TIMEOUT"])
        maker._failed[(svc.version, "nt")] = (time.monotonic(), Answer(503, error="timed out"))
        asked = []
        real = maker.want
        maker.want = lambda fmt: asked.append(fmt) or real(fmt)
        try:
            assert dumps.kept_now(svc, "nt") is None and asked == []
            maker._failed.clear()
            assert dumps.kept_now(svc, "nt") is None and asked == ["nt"]
        finally:
            del maker.want
