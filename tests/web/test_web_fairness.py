"""Many client addresses against a real `kazkg serve` (two HTTP processes, two workers each):
forty-eight addresses (127.0.3.x) each sending one unique runaway query after another must not
keep a cheap query of another client (127.0.0.2), cached or not, from its answer; the flood gets
fast 503s with Retry-After, never a hang. (Admission's rules one by one: test_web_admission.py.)
"""

from __future__ import annotations

import re
import threading
import time

import pytest

from tests.web.abuse import PROBE_SECONDS, PROBE_SOURCE, exchange, get, query_path, status_of
from tests.web.support import PROTOCOL_DATA, RUNAWAY, Server

pytestmark = [pytest.mark.abuse, pytest.mark.slow]  # a real server

ADDRESSES = 48
TIME_LIMIT = 3
PROBE_BOUND = 3.0  # generous: the rule is about 1 s (the quick lane's limit and a cheap query)


@pytest.fixture(scope="module")
def target(private_cache):
    srv = Server([str(PROTOCOL_DATA), "--query-timeout", str(TIME_LIMIT), "--workers", "2",
                  "--processes", "2"])
    yield srv
    srv.stop()


def flood(port: int, seconds: float) -> tuple[list, list]:
    """ADDRESSES threads, each from its own address, sending unique runaway queries one after
    another for `seconds`: the threads, and the (status, has Retry-After, seconds) they got."""
    stop = time.monotonic() + seconds
    got: list = []

    def attacker(n):
        source = f"127.0.3.{n + 3}"
        while time.monotonic() < stop:
            started = time.monotonic()
            try:
                reply = exchange(port, get(query_path(f"{RUNAWAY} # {n} {started}")), source,
                                 timeout=TIME_LIMIT + 10)
            except OSError:
                got.append((0, False, time.monotonic() - started))
                continue
            head = reply.split(b"\r\n\r\n", 1)[0]
            got.append((status_of(reply), b"\r\nRetry-After:" in head, time.monotonic() - started))

    threads = [threading.Thread(target=attacker, args=(n,)) for n in range(ADDRESSES)]
    for thread in threads:
        thread.start()
    return threads, got


def test_many_addresses_of_runaway_queries_do_not_hold_up_a_cheap_one(target):
    threads, got = flood(target.port, 5)
    probes = []
    time.sleep(1)  # the flood has taken every worker and filled the queues
    try:
        for n in range(10):
            # the same ASK (cached after its first answer in each HTTP process) and a unique one
            text = "ASK { ?s ?p ?o }" if n % 2 else f"ASK {{ ?s ?p ?o }} # probe {n} {time.time()}"
            started = time.monotonic()
            reply = exchange(target.port, get(query_path(text)), PROBE_SOURCE, timeout=10)
            probes.append((status_of(reply), round(time.monotonic() - started, 2),
                           b'"boolean": true' in reply or b'"boolean":true' in reply))
            time.sleep(0.2)
    finally:
        for thread in threads:
            thread.join(TIME_LIMIT + 15)
    late = [p for p in probes if p[0] != 200 or p[1] > PROBE_BOUND or not p[2]]
    assert not late, f"probes not answered in time: {late} of {probes}"
    assert got and not any(thread.is_alive() for thread in threads)
    statuses = {status for status, _, _ in got}
    assert statuses == {503}, statuses  # stopped or refused, never run on
    # Refused or cut short in the quick lane: fast, and told when to come back; only a query
    # that had a worker with the full time limit ran until that limit.
    slow = [g for g in got if not g[1]]
    assert all(took < TIME_LIMIT + 3 for _, _, took in slow), slow
    assert len(slow) <= 2 * 2 * (5 / TIME_LIMIT + 1), slow  # per process, one worker at a time
    assert all(took < 4 for _, with_retry, took in got if with_retry)


def page_flood(port: int, seconds: float, connections: int = 100) -> tuple[list, list]:
    """`connections` threads of one address (127.0.0.1) asking for /text with a new noise
    parameter each time: the threads, and the statuses they got."""
    stop = time.monotonic() + seconds
    got: list = []

    def attacker(n):
        while time.monotonic() < stop:
            try:
                reply = exchange(port, get(f"/text?x={n}-{time.monotonic()}"), timeout=20)
                got.append(status_of(reply))
            except OSError:
                got.append(0)

    threads = [threading.Thread(target=attacker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    return threads, got


@pytest.fixture(scope="module")
def bundled(private_cache):
    srv = Server(["--query-timeout", str(TIME_LIMIT), "--workers", "2", "--processes", "2"])
    yield srv
    srv.stop()


def test_a_flood_of_pages_from_one_address_does_not_hold_up_another_client(bundled):
    # /ontology, as a page and as Turtle, was made at start-up in each language, before the
    # server said it was ready: the probes' ?n= must find it kept in either HTTP process
    target = bundled
    threads, got = page_flood(target.port, 6)
    probes = []
    time.sleep(1)
    accepts = [b"Accept: */*", b"Accept: application/sparql-results+json", b"Accept: text/html"]
    try:
        for n in range(12):
            path = query_path(f"ASK {{ ?s ?p ?o }} # page probe {n}") if n % 2 else f"/ontology?n={n}"
            started = time.monotonic()
            reply = exchange(target.port, get(path).replace(
                b"Accept: application/sparql-results+json", accepts[1] if n % 2 else
                accepts[n % 4]), PROBE_SOURCE, timeout=15)
            probes.append((path[:30], status_of(reply), round(time.monotonic() - started, 2)))
            time.sleep(0.2)
    finally:
        for thread in threads:
            thread.join(30)
    print("probes (path, status, seconds):", probes)
    late = [p for p in probes if p[1] != 200 or p[2] > PROBE_SECONDS]
    assert not late, f"probes not answered in time: {late} of {probes}"
    assert got and set(got) <= {200, 429, 503}, set(got)  # kept pages, or told to come back


def search_flood(port: int, seconds: float, sources: list[str]) -> tuple[list, list]:
    """A thread per address of `sources`, each searching for a new term after another (never
    a kept page) for `seconds`: the threads, and the (status, seconds) they got."""
    stop = time.monotonic() + seconds
    got: list = []

    def attacker(source, n):
        while time.monotonic() < stop:
            started = time.monotonic()
            try:
                reply = exchange(port, get(f"/search?q=Shymkent{n}x{started}"), source, timeout=20)
                got.append((status_of(reply), time.monotonic() - started))
            except OSError:
                got.append((0, time.monotonic() - started))

    threads = [threading.Thread(target=attacker, args=(source, n)) for n, source in enumerate(sources)]
    for thread in threads:
        thread.start()
    return threads, got


@pytest.mark.parametrize("sources", [["127.0.0.1"] * 16, [f"127.0.6.{n + 1}" for n in range(64)]],
                         ids=["one address", "64 addresses"])
def test_a_search_flood_leaves_new_clients_their_searches_and_pages(bundled, sources):
    """Searches not kept take the search turn of their HTTP process, one at a time: the busy
    clients get fast 503s with Retry-After, and a client new to the server gets its search, or
    a page not kept yet, within 2 s. (A search used to hold a page turn while it waited for the
    search turn: a search flood held both page turns, and a page of another client waited.)"""
    listing = exchange(bundled.port, get("/browse").replace(b"application/sparql-results+json",
                                                             b"text/html"), PROBE_SOURCE)
    slugs = sorted(set(re.findall(rb'href="/resource/([a-z0-9-]+)"', listing)))
    lang = "ru" if len(sources) == 16 else "kk"  # pages not kept yet, in either run
    threads, got = search_flood(bundled.port, 6, sources)
    probes = []
    time.sleep(1)
    try:
        for n in range(12):
            path = (f"/search?q=Oskemen+{n}+{time.time()}" if n % 2 else
                    f"/resource/{slugs[n].decode()}?lang={lang}")
            started = time.monotonic()
            reply = exchange(bundled.port, get(path).replace(
                b"application/sparql-results+json", b"text/html"), f"127.0.8.{n + 1}", timeout=15)
            probes.append((path[:24], status_of(reply), round(time.monotonic() - started, 2)))
            time.sleep(0.2)
    finally:
        for thread in threads:
            thread.join(30)
    late = [p for p in probes if p[1] != 200 or p[2] > PROBE_SECONDS]
    assert not late, f"new clients not answered in time: {late} of {probes}"
    assert got and {status for status, _ in got} <= {200, 429, 503}, got
    refused = [took for status, took in got if status == 503]
    assert refused and max(refused) < PROBE_SECONDS + 1  # fast, never a hang
