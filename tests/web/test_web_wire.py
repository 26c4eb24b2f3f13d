"""Before Flask: raw UTF-8 in a request line is read as its percent-encoded form, and
waitress's own refusals reach a browser as the error page (JSON for other clients)."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest
from waitress.adjustments import Adjustments

from kazkg.web.wire import Utf8RequestParser, percent_encoded, refusal

NAME = "Өскемен"


def _parsed(line: bytes) -> Utf8RequestParser:
    parser = Utf8RequestParser(Adjustments())
    parser.received(line + b"\r\nHost: localhost\r\nAccept: text/html\r\n\r\n")
    assert parser.error is None and parser.completed
    return parser


def test_raw_utf8_reads_as_its_percent_encoded_form():
    raw = _parsed(f"GET /resource/{NAME}?q={NAME}&go=1 HTTP/1.1".encode())
    encoded = _parsed(f"GET /resource/{quote(NAME)}?q={quote(NAME)}&go=1 HTTP/1.1".encode())
    assert (raw.path, raw.query) == (encoded.path, encoded.query)
    assert raw.query == f"q={quote(NAME)}&go=1"
    assert percent_encoded("/?q=é".encode()) == b"/?q=%C3%A9"
    assert percent_encoded(b"/plain?q=x") == b"/plain?q=x"


@pytest.mark.parametrize("accept, media_type", [
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ("*/*", "application/json"), (None, "application/json")])
def test_waitress_refusals_speak_to_browsers_in_html(app, accept, media_type):
    headers = {"ACCEPT": accept} if accept else {}
    content_type, body = refusal(app, 400, "Bad Request", "Content-Length is invalid", headers)
    assert content_type.split(";")[0] == media_type
    assert "Content-Length is invalid" in body.decode("utf-8")
    if media_type == "text/html":
        assert b"<html" in body
    assert refusal(None, 400, "Bad Request", "x", headers)[0] == "application/json"


def test_the_page_is_in_the_asked_language(app):
    _, body = refusal(app, 400, "Bad Request", "x", {"ACCEPT": "text/html",
                                                     "ACCEPT_LANGUAGE": "kk"})
    assert b'lang="kk"' in body


@pytest.mark.slow  # a real server: waitress parses the request line
def test_a_raw_utf8_url_is_served(server):
    from tests.web.abuse import exchange, status_of

    port = urlsplit(server.url).port
    for line in (f"/search?q={NAME}", f"/search?q={quote(NAME)}"):
        reply = exchange(port, f"GET {line} HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\n"
                               "Connection: close\r\n\r\n".encode("utf-8"))
        assert status_of(reply) == 200, reply[:300]
        assert NAME.encode("utf-8") in reply  # the query was read: it is in the search box
    broken = exchange(port, b"GET / HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\n"
                            b"Content-Length: many\r\nConnection: close\r\n\r\n")
    assert status_of(broken) == 400 and b"Content-Type: text/html" in broken


def test_an_error_page_that_cannot_be_made_is_answered_as_json(app, monkeypatch, caplog):
    from kazkg.web import errors

    def broken(*args, **kwargs):
        raise RuntimeError("no page")

    monkeypatch.setattr(errors, "error_response", broken)
    kind, body = refusal(app, 431, "Request Header Fields Too Large", "too long",
                              {"ACCEPT": "text/html"})
    assert kind == "application/json" and b'"status": 431' in body
    assert any(r.exc_info and r.exc_info[0] is RuntimeError for r in caplog.records)


def test_a_browser_over_its_clients_cap_gets_the_page_that_reloads(app):
    """The per-client cap's 429 was JSON whatever the client (the new user's review): a
    browser now gets the error page, in its language, reloading itself after Retry-After when
    it asked with GET; a program gets the JSON error as before."""
    from kazkg.web.httpserver import ClientLimit

    def slow(environ, start_response):  # a request still in progress
        start_response("200 OK", [])
        return [b"ok"]

    limited = ClientLimit(slow, 1, app)
    held = limited({"REMOTE_ADDR": "127.0.0.9"}, lambda *a: None)
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    answers = {}
    for name, method, accept in (("get", "GET", browser), ("post", "POST", browser),
                                 ("program", "GET", "application/sparql-results+json")):
        found = {}
        body = b"".join(limited({"REMOTE_ADDR": "127.0.0.9", "REQUEST_METHOD": method,
                                 "HTTP_ACCEPT": accept, "HTTP_ACCEPT_LANGUAGE": "kk"},
                                lambda status, headers, exc_info=None: found.update(
                                    status=status, headers=dict(headers))))
        answers[name] = (found["status"], found["headers"]["Content-Type"], body.decode())
    held.close()
    status, media_type, page = answers["get"]
    assert status.startswith("429") and media_type.startswith("text/html")
    assert 'http-equiv="refresh"' in page and 'lang="kk"' in page
    assert "http-equiv" not in answers["post"][2] and answers["post"][1].startswith("text/html")
    assert answers["program"][1] == "application/json" and '"status": 429' in answers["program"][2]
