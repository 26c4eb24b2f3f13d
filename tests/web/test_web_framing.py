"""Framing a real `kazkg serve` must not guess at (RFC 9112), and content in a coding: each is
refused from the headers, the connection closed, and nothing sent after it is answered.

Before: `Content-Length` beside `Transfer-Encoding: chunked` was read as chunked (a proxy that
reads the length sees another request: smuggling), `Transfer-Encoding` in HTTP/1.0 was ignored
(its chunks read as the next request), and a gzip body was read as if plain.
"""

from __future__ import annotations

import gzip
import re
from urllib.parse import urlsplit

import pytest

from tests.web.abuse import exchange, status_of

pytestmark = pytest.mark.slow  # a real server: waitress parses these

FORM = b"query=ASK%7B%7D"
CHUNKED = b"%x\r\n%s\r\n0\r\n\r\n" % (len(FORM), FORM)
STATUS = re.compile(rb"HTTP/1\.[01] \d{3} ")
NEXT = b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"  # a smuggled request


def post(head: str, body: bytes, version: str = "1.1") -> bytes:
    return (f"POST /sparql HTTP/{version}\r\nHost: x\r\nAccept: application/json\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n{head}\r\n").encode() + body


@pytest.fixture(scope="module")
def port(server):
    return urlsplit(server.url).port


@pytest.mark.parametrize("raw, says", [
    (post("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", CHUNKED + NEXT),
     "Content-Length and Transfer-Encoding together"),
    (post("Transfer-Encoding: chunked\r\nContent-Length: 200\r\n", CHUNKED + NEXT),
     "Content-Length and Transfer-Encoding together"),
    (post("Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n", CHUNKED + NEXT, "1.0"),
     "Transfer-Encoding in an HTTP/1.0 request"),
    (post(f"Host: y\r\nContent-Length: {len(FORM)}\r\n", FORM + NEXT), "more than one Host"),
    (post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", CHUNKED + NEXT),
     "chunked more than once"),
    (post("Transfer-Encoding: chunked, Chunked\r\n", CHUNKED + NEXT), "chunked more than once"),
    # obs-fold: waitress read the line as part of X-A's value, framed by the length, and
    # answered the chunks' end and NEXT as requests; a proxy may read Transfer-Encoding
    (post(f"Content-Length: {len(CHUNKED)}\r\nX-A: b\r\n Transfer-Encoding: chunked\r\n",
          CHUNKED + NEXT), "folded"),
    (post("Transfer-Encoding:\r\n\tchunked\r\nContent-Length: 4\r\n", CHUNKED + NEXT), "folded"),
], ids=["length then chunked", "chunked then length", "HTTP/1.0 chunked", "two Hosts",
        "chunked twice", "chunked, chunked", "folded Transfer-Encoding", "folded value"])
def test_ambiguous_framing_is_a_400_and_closes(port, raw, says):
    reply = exchange(port, raw)
    assert status_of(reply) == 400, reply[:400]
    head = reply.split(b"\r\n\r\n", 1)[0]
    assert says.encode() in reply and b"Connection: close" in head and b"Keep-Alive" not in head
    assert len(STATUS.findall(reply)) == 1  # neither the body nor the request after it answered


def test_content_in_a_coding_is_a_415_naming_it(port):
    body = gzip.compress(FORM)
    reply = exchange(port, post(f"Content-Encoding: gzip\r\nContent-Length: {len(body)}\r\n",
                                body + NEXT))
    assert status_of(reply) == 415, reply[:400]
    head = reply.split(b"\r\n\r\n", 1)[0]
    assert b"Accept-Encoding: identity" in head and b"Connection: close" in head
    assert b"the coding gzip" in reply and len(STATUS.findall(reply)) == 1


def test_a_gzip_bomb_is_refused_from_its_headers(port):
    bomb = gzip.compress(b"query=ASK%7B%7D" + b"%20" * 10_000_000)  # 30 MB inflated, 30 KB sent
    reply = exchange(port, post(f"Content-Encoding: x-gzip, GZIP\r\nTransfer-Encoding: chunked"
                                f"\r\n", b"%x\r\n%s\r\n0\r\n\r\n" % (len(bomb), bomb)))
    assert status_of(reply) == 415 and b"the coding x-gzip, gzip" in reply


def test_a_chunk_over_the_limit_is_a_413_at_once(port):
    reply = exchange(port, post("Transfer-Encoding: chunked\r\n", b"ffffffffffffffff\r\nquery="),
                     timeout=5)  # before: no answer until the body deadline (60 s)
    assert status_of(reply) == 413, reply[:300]


@pytest.mark.parametrize("head", ["Content-Encoding: identity\r\n", ""])
def test_plain_content_is_read(port, head):
    reply = exchange(port, post(f"{head}Content-Length: {len(FORM)}\r\nConnection: close\r\n",
                                FORM))
    assert status_of(reply) == 200 and b'"boolean": true' in reply, reply[:400]
    chunked = exchange(port, post("Transfer-Encoding: chunked\r\nConnection: close\r\n", CHUNKED))
    assert status_of(chunked) == 200


def test_a_coding_on_a_request_without_content_is_no_matter(port):
    reply = exchange(port, b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\n"
                           b"Connection: close\r\n\r\n")
    assert status_of(reply) == 200


def test_an_http_1_1_request_without_host_is_a_400(port):
    """RFC 9112 section 3.2: a server MUST answer 400 to an HTTP/1.1 request with no Host;
    HTTP/1.0 has no such rule."""
    ask = "GET /sparql?query=ASK%7B%7D HTTP/{}\r\nAccept: application/json\r\n{}\r\n"
    reply = exchange(port, ask.format("1.1", "Connection: close\r\n").encode())
    assert status_of(reply) == 400 and b"without Host" in reply, reply[:400]
    assert status_of(exchange(port, ask.format("1.0", "").encode())) == 200
    assert status_of(exchange(port, ask.format("1.1", "Host: x\r\nConnection: close\r\n")
                              .encode())) == 200


@pytest.mark.parametrize("line, status", [("GET /health HTTP/2.0", 505), ("GET /health HTTP/9.9", 505),
                                          ("GET /health HTTP/0.9", 400), ("GET /health", 400)])
def test_a_request_line_of_no_http_1_x_is_refused(port, line, status):
    """waitress answered each as HTTP/1.0 (the attacker's review): a version above 1.1 is
    505 (RFC 9110 section 15.6.6), none or 0.9 a 400; the answer speaks HTTP/1.0 or 1.1."""
    reply = exchange(port, f"{line}\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    assert status_of(reply) == status, reply[:400]
    assert reply.startswith((b"HTTP/1.0 ", b"HTTP/1.1 ")) and b"HTTP/" in reply[:12]
