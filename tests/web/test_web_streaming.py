"""Large answers pass through the HTTP process in pieces as their worker sends them: the
process never holds one whole, the byte cap still refuses one that is too large, and a slow
reader has its answer cut at the time limit, its worker freed for others."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from kazkg.query.zygote import PIECE
from tests.web.abuse import PROBE_SECONDS, connect, get, probe, query_path
from tests.web.httpraw import request
from tests.web.support import PROTOCOL_DATA, Server

MEGABYTE = 1 << 20


def big(rows: int, digits: int = 6) -> str:
    """A SELECT of `rows` rows, each a literal of 10**`digits` characters (rows x 1 MB)."""
    expression = '"aaaaaaaaaa"'
    for _ in range(digits - 1):
        expression = f'REPLACE({expression}, "a", "aaaaaaaaaa")'
    values = " ".join(str(n) for n in range(rows))
    # the long literal made once, in a subquery, not once per row: under load, 40 rows of it
    # took more than the 4 s limit to make, and the test meant to cut a slow reader got a 503
    return (f"SELECT ?n ?big {{ {{ SELECT ({expression} AS ?long) {{}} }} VALUES ?n {{ {values} }} "
            "BIND(CONCAT(STR(?n), ?long) AS ?big) }")


CSV = {"Accept": "text/csv"}


def test_a_large_answer_comes_in_pieces(client):
    response = client.get("/sparql", query_string={"query": big(4)}, headers=CSV, buffered=False)
    try:
        assert response.status_code == 200 and response.content_length >= 4_000_000
        pieces = [len(piece) for piece in response.response]
    finally:
        response.close()
    assert len(pieces) > 10 and max(pieces) <= PIECE
    assert sum(pieces) == response.content_length


def test_an_answer_left_half_read_frees_its_worker(app, client):
    pool = app.extensions["kazkg"].pool
    before = pool.replaced
    response = client.get("/sparql", query_string={"query": big(3) + " # left"}, headers=CSV,
                          buffered=False)
    next(iter(response.response))
    response.close()  # what waitress does when the client goes away
    assert pool.replaced == before  # the rest of the answer was read and dropped
    assert client.get("/sparql", query_string={"query": "ASK {}"}).json["boolean"] is True


def test_a_head_of_a_large_answer_frees_its_worker_whole(app, client):
    pool = app.extensions["kazkg"].pool
    before = pool.replaced
    whole = client.get("/sparql", query_string={"query": big(2) + " # whole"}, headers=CSV)
    for _ in range(2 * pool.size):  # each worker answers a HEAD, then the GET after it
        head = client.head("/sparql", query_string={"query": big(3) + " # head"}, headers=CSV)
        head.close()  # what waitress does once the headers are sent
        assert head.status_code == 200 and head.content_length > 3_000_000 and not head.data
        again = client.get("/sparql", query_string={"query": big(2) + " # whole"}, headers=CSV)
        assert again.data == whole.data  # nothing of the HEAD's answer left in a worker's pipe
    assert pool.replaced == before  # a HEAD replaced a worker (5 per second, a flood of them)


def test_the_byte_cap_refuses_a_large_answer_before_sending_any(client):
    response = client.get("/sparql", query_string={"query": big(20)}, headers=CSV)
    assert response.status_code == 400
    assert "more than this server's limit of 16777216 bytes" in response.json["error"]["message"]


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def roomy(private_cache):
    """One HTTP process (its pid is the server's), answers up to 200 MB, a 4 s time limit."""
    srv = Server([str(PROTOCOL_DATA), "--processes", "1", "--workers", "2", "--query-timeout",
                  "4", "--answer-limit", str(200 * MEGABYTE), "--result-limit", "0"])
    yield srv
    srv.stop()


def read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "closed before the headers"
        data += chunk
    return tuple(data.split(b"\r\n\r\n", 1))


@pytest.mark.slow
def test_the_http_process_does_not_hold_a_large_answer(roomy):
    assert request(roomy.sparql, "GET", "?query=ASK%20{}").status == 200
    before = resident_mb(roomy.pid)
    sock = connect(roomy.port, timeout=30)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        sock.sendall(get(query_path(big(40)), "Accept: text/csv\r\n"))
        head, body = read_head(sock)
        assert head.startswith(b"HTTP/1.1 200")
        size = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")))
        assert size >= 40_000_000
        peak, got = 0.0, len(body)
        while got < size:  # a reader slower than the worker: the rest waits in the worker
            chunk = sock.recv(1 << 18)
            assert chunk
            got += len(chunk)
            peak = max(peak, resident_mb(roomy.pid))
            time.sleep(0.0005)
    finally:
        sock.close()
    assert got == size
    assert peak - before < 12, f"the HTTP process grew {peak - before:.0f} MiB for a 40 MiB answer"


@pytest.mark.slow
def test_a_reader_too_slow_for_the_time_limit_is_cut_and_frees_its_worker(roomy):
    replaced = request(roomy.url + "health").json()["workers_replaced"]
    sockets = []
    try:
        for n in range(2):  # both workers held by readers that stopped reading
            sock = connect(roomy.port, timeout=30)  # what its buffers hold is a few MB
            sock.sendall(get(query_path(big(40) + f" # {n}"), "Accept: text/csv\r\n"))
            sockets.append(sock)
        time.sleep(1)
        started = time.monotonic()
        status, took = probe(roomy.port)  # from 127.0.0.2: the lane, then a freed worker
        assert status == 200 and took < PROBE_SECONDS, (status, took)
        time.sleep(max(0.0, 5 - (time.monotonic() - started)))
        health = request(roomy.url + "health").json()
        assert health["workers_replaced"] >= replaced + 2  # cut at the 4 s limit
        head, body = read_head(sockets[0])
        assert head.startswith(b"HTTP/1.1 200 "), head  # its answer began: then it was cut
        size = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")))
        got = len(body)
        while True:
            chunk = sockets[0].recv(1 << 20)
            if not chunk:
                break
            got += len(chunk)
        assert got < size  # closed short of its Content-Length: the answer was cut
    finally:
        for sock in sockets:
            sock.close()
