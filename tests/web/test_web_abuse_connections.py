"""Connections that fill an HTTP process: thousands of idle sockets from many addresses and
networks (127.0.10.x to 127.0.14.x), more than its cap of 4,000, and slowloris headers, while
another client (127.0.0.2) must get every answer within 2 s; the deadlines and the room made
at the caps of kazkg.web.connections, one by one, on stand-in connections.

The default run is short; `python -m pytest -m abuse` floods longer and harder.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import resource
import select
import socket
import time

import pytest

from kazkg.web import connections
from kazkg.web.connections import BODY_SECONDS, HEAD_SECONDS, KEEPALIVE_SECONDS, Table, network_of
from tests.web.abuse import Prober, connect, full  # noqa: F401
from tests.web.support import PROTOCOL_DATA, Server

SOURCES = [f"127.0.{net}.{host}" for host in range(1, 7) for net in range(10, 15)]  # 30, 5 /24s


class Stand:
    """A stand-in for a waitress channel: idle unless told otherwise."""

    class adj:  # noqa: N801 (waitress's name)
        outbuf_high_watermark = 1 << 20

    def __init__(self, client, last=0.0, began=0.0, answered=False):
        self.client, self.last_activity, self.began, self.answered = client, last, began, answered
        self.requests, self.total_outbufs_len, self.request = [], 0, None
        self.will_close = self.close_when_flushed = self.closed = False

    def lingering(self):
        return False

    def handle_close(self):
        self.closed = True


def test_a_network_is_an_ipv4_24_or_an_ipv6_64():
    assert network_of("127.0.10.7") == "127.0.10.0/24"
    assert network_of("2001:db8::5") == "2001:db8::/64"
    assert network_of("::ffff:10.1.2.3") == "10.1.2.0/24"


def test_at_a_cap_the_heaviest_address_loses_its_least_active_idle_connection(monkeypatch):
    monkeypatch.setattr(connections, "CONNECTIONS_PER_CLIENT", 3)
    monkeypatch.setattr(connections, "CONNECTIONS_PER_NETWORK", 5)
    table = Table(limit=7)
    heavy = [Stand("10.0.0.1", last=t) for t in (5, 1, 3)]
    busy = Stand("10.0.0.1", last=0)
    busy.requests = ["being answered"]
    for channel in heavy:
        assert table.admit(channel)
    newcomer = Stand("10.0.0.1", last=9)
    assert table.admit(newcomer) and heavy[1].will_close  # its own address's cap
    assert not heavy[0].will_close and len(table) == 3
    light = [Stand("10.0.0.2", last=0), Stand("10.0.0.3", last=0)]
    for channel in light:
        assert table.admit(channel)
    assert table.admit(Stand("10.0.0.4", last=9)) and heavy[2].will_close  # the network's
    assert not any(channel.will_close for channel in light)
    others = [Stand("10.0.1.1", last=0), Stand("10.0.2.1", last=0)]
    for channel in others:
        assert table.admit(channel)
    assert len(table) == 7
    assert table.admit(Stand("10.0.3.1", last=9)) and heavy[0].will_close  # the process's
    assert not any(channel.will_close for channel in light + others)
    table.remove(heavy[0])
    table.remove(heavy[0])  # closed twice: counted once
    assert len(table) == 7


def test_room_is_made_without_looking_at_every_connection(monkeypatch):
    """At the process's cap, each newcomer closes the idlest of the heaviest address: found in
    a few looks, not one per connection that address holds (250 each here; 1.3 million looks
    for 9,700 newcomers once took the loop's time, a probe waiting 4 s behind the queue)."""
    looks = []
    monkeypatch.setattr(connections, "idle", lambda channel: looks.append(1) or True)
    table = Table(limit=4000)
    first = [Stand(f"10.0.{n % 16}.1", last=n) for n in range(4000)]
    for channel in first:
        assert table.admit(channel)
    looks.clear()
    newcomers = [Stand(f"10.0.{n % 16}.1", last=4000 + n) for n in range(4000)]
    for channel in newcomers:
        assert table.admit(channel)
    assert len(table) == 4000 and len(looks) < 3 * len(newcomers), len(looks)
    assert sum(channel.will_close for channel in first) > 3900  # the idlest went first
    assert first[0].will_close and first[1].will_close


def test_a_busy_connection_is_never_closed_for_room(monkeypatch):
    monkeypatch.setattr(connections, "CONNECTIONS_PER_CLIENT", 2)
    table = Table()
    busy = [Stand("10.0.0.1"), Stand("10.0.0.1")]
    busy[0].requests, busy[1].total_outbufs_len = ["answering"], 100
    for channel in busy:
        assert table.admit(channel)
    assert not table.admit(Stand("10.0.0.1"))  # no room: the newcomer is the one refused
    assert not any(channel.will_close for channel in busy) and len(table) == 2


def test_the_deadlines():
    table = Table()

    class Partial:
        headers_finished = False

    silent = Stand("10.0.0.1", last=0, began=0)  # opened at 0, never sent a byte
    kept = Stand("10.0.0.2", last=1, began=0, answered=True)  # answered, idle since 1
    trickled = Stand("10.0.0.3", last=0, began=0)
    trickled.request = Partial()
    answering = Stand("10.0.0.4", last=0, began=0)
    answering.requests = ["a runaway"]
    unread = Stand("10.0.0.5", last=0, began=0, answered=True)  # its reader takes nothing
    unread.total_outbufs_len = 1000
    for channel in (silent, kept, trickled, answering, unread):
        table.admit(channel)
    assert table.expire(HEAD_SECONDS - 0.1) == 0
    assert table.expire(HEAD_SECONDS + 0.1) == 2 and silent.will_close and trickled.will_close
    assert table.expire(1 + KEEPALIVE_SECONDS + 0.1) == 1 and kept.will_close
    assert not unread.will_close
    assert table.expire(BODY_SECONDS + 0.1) == 1 and unread.will_close
    assert unread.closed and not kept.closed  # unsent bytes: closed now, not by the loop
    assert not answering.will_close


def more_open_files(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.skip(f"{wanted} open files needed, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def flood(port: int, count: int, seconds: float, first: bytes = b"") -> dict:
    """_flood() in a process of its own: in the test's process its busy loop held the GIL from
    the prober's thread, whose probes then measured the test's own wait (one, 2.38 s, in CI)."""
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as apart:
        return apart.submit(_flood, port, count, seconds, first).result(timeout=seconds + 60)


def _flood(port: int, count: int, seconds: float, first: bytes = b"") -> dict:
    """Keep `count` connections open from SOURCES in turn for `seconds`, each having sent
    `first` (nothing by default), opening a new one for each the server closes: how many were
    opened, closed by the server, and how long those lived (seconds, at most)."""
    poller, held = select.poll(), {}
    opened, lived, failed = 0, [], 0
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        for _ in range(min(200, count - len(held))):
            try:
                sock = connect(port, SOURCES[opened % len(SOURCES)], timeout=3)
                if first:
                    sock.sendall(first)
            except OSError:
                failed += 1
                continue
            opened += 1
            held[sock.fileno()] = (sock, time.monotonic())
            poller.register(sock, select.POLLIN)
        for fd, _ in poller.poll(0 if len(held) < count else 100):
            sock, since = held.pop(fd)
            poller.unregister(fd)
            lived.append(time.monotonic() - since)
            sock.close()
    for sock, _ in held.values():
        sock.close()
    return {"opened": opened, "closed": len(lived), "failed": failed,
            "longest": max(lived, default=0.0),
            "early": sum(took < HEAD_SECONDS - 1 for took in lived)}


@pytest.fixture(scope="module")
def one_process(private_cache):
    srv = Server([str(PROTOCOL_DATA), "--query-timeout", "4", "--workers", "2",
                  "--processes", "1"])
    yield srv
    srv.stop()


@pytest.mark.abuse
@pytest.mark.slow
def test_thousands_of_idle_connections_from_many_addresses(one_process, full):
    count = 12_000 if full else 6_000  # the process holds 4,000: 1,024 per network
    more_open_files(count + 1024)
    with Prober(one_process.port) as prober:
        seen = flood(one_process.port, count, 30 if full else 8)
    prober.check()
    assert seen["closed"] > count, seen  # the first ones, and every one after them
    assert seen["early"], seen  # some closed for room, before their deadline
    # none kept past its deadline (as the client sees it: with the wait in the kernel's queue)
    assert seen["longest"] < HEAD_SECONDS + 4, seen


@pytest.mark.abuse
@pytest.mark.slow
def test_headers_never_finished_are_closed_at_their_deadline(one_process, full):
    more_open_files(4096)
    drip = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-a: b\r\n"
    with Prober(one_process.port) as prober:
        seen = flood(one_process.port, 3000 if full else 1000, 20 if full else 8, drip)
    prober.check()
    assert seen["closed"] and seen["longest"] < HEAD_SECONDS + 4, seen
