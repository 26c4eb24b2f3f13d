"""IPv6 clients: `kazkg serve --host ::1` serves, and a client is its /64 for every cap and
fair share (one address per request of a /64 would otherwise be a new client each time)."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from urllib.parse import quote

import pytest

from kazkg.web.admission import client_of
from kazkg.web.httpserver import ClientLimit
from tests.web.support import PROTOCOL_DATA, RUNAWAY, Server


def test_a_client_is_an_ipv4_address_or_an_ipv6_64():
    assert client_of("127.0.0.2") == "127.0.0.2"
    assert client_of("::ffff:127.0.0.2") == "127.0.0.2"  # a dual-stack socket's IPv4 client
    assert client_of("2001:db8:1:2::1") == client_of("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_of("2001:db8:1:3::1") != client_of("2001:db8:1:2::1")
    assert client_of("::1") == "::/64" and client_of("fe80::1%eth0") == "fe80::/64"
    assert client_of(None) is None and client_of("kazkg start-up") == "kazkg start-up"


def test_the_addresses_of_one_64_share_one_cap():
    held = []

    def app(environ, start_response):
        start_response("200 OK", [])
        return [b"ok"]

    limited = ClientLimit(app, 2)
    statuses = []
    for n in range(4):  # each from another address of the /64, each still in progress
        held.append(limited({"REMOTE_ADDR": f"2001:db8::{n + 1}"},
                            lambda status, headers, exc_info=None: statuses.append(status)))
    assert [s[:3] for s in statuses] == ["200", "200", "429", "429"]
    other = []
    limited({"REMOTE_ADDR": "2001:db8:0:1::1"}, lambda s, h, e=None: other.append(s))
    assert other[0].startswith("200")  # another /64 is another client
    for answer in held:
        getattr(answer, "close", lambda: None)()


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


class Server6(Server):
    """A `kazkg serve --host ::1`, looked for at [::1]."""

    def _wait(self, timeout):
        self.sparql = self.sparql.replace("127.0.0.1", "[::1]")
        self.url = self.url.replace("127.0.0.1", "[::1]")
        return super()._wait(timeout)


@pytest.mark.slow
@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback (::1) on this machine")
def test_serve_on_ipv6_loopback_answers_and_caps_its_client(private_cache):
    srv = Server6([str(PROTOCOL_DATA), "--host", "::1", "--processes", "1", "--workers", "2",
                   "--threads", "8", "--query-timeout", "3"])
    try:
        statuses = []

        def ask(n):
            with socket.create_connection(("::1", srv.port), timeout=20) as sock:
                text = quote(RUNAWAY + f" # {n}", safe="")
                sock.sendall(f"GET /sparql?query={text} HTTP/1.1\r\nHost: x\r\n"
                             "Connection: close\r\n\r\n".encode())
                statuses.append(sock.recv(12)[9:].decode())

        threads = [threading.Thread(target=ask, args=(n,)) for n in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seen = Counter(statuses)
        assert seen["429"] >= 12 - 4, seen  # 4 of 8 threads for one client, the rest refused
        assert not set(seen) - {"429", "503"}, seen  # runaways: stopped at the limit or refused
    finally:
        srv.stop()
