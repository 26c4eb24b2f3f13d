"""Tools of the abuse suite (tests/web/test_web_abuse*.py): raw sockets from chosen loopback
addresses, a probe that another client sends while an attack runs, and what a server's
process tree holds (memory, open temporary files).

Attackers send from 127.0.0.1 (or other 127.0.x.y addresses); the probe always from
127.0.0.2, a client of its own, whose cheap query must be answered within PROBE_SECONDS.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.web.test_web_processes import family

PROBE_SOURCE = "127.0.0.2"
PROBE_SECONDS = 2.0
PROBE_QUERY = "ASK { ?s ?p ?o }"


def full_run(config) -> bool:
    """`pytest -m abuse` runs the full suite; the default run a short one."""
    expression = config.getoption("markexpr") or ""
    return "abuse" in expression and "not abuse" not in expression


@pytest.fixture(scope="session")
def full(request) -> bool:
    return full_run(request.config)


def connect(port: int, source: str = "127.0.0.1", timeout: float = 10) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                    source_address=(source, 0))


def exchange(port: int, raw: bytes, source: str = "127.0.0.1", timeout: float = 15) -> bytes:
    """Send `raw` on a new connection and read until the server closes it (or `timeout`)."""
    sock = connect(port, source, timeout)
    try:
        sock.sendall(raw)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk
    finally:
        sock.close()


def status_of(reply: bytes) -> int:
    """The status of the first (non-100) response in `reply`; 0 when there is none."""
    while reply.startswith(b"HTTP/1.1 100"):
        reply = reply.split(b"\r\n\r\n", 1)[-1]
    parts = reply.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def get(path: str, extra: str = "") -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: localhost\r\nAccept: application/sparql-results+json"
            f"\r\n{extra}Connection: close\r\n\r\n").encode("latin-1")


def query_path(text: str) -> str:
    return "/sparql?query=" + quote(text, safe="")


def probe(port: int) -> tuple[int, float]:
    """(status, seconds) of one cheap query from another client."""
    started = time.monotonic()
    try:
        reply = exchange(port, get(query_path(PROBE_QUERY)), PROBE_SOURCE, timeout=10)
    except OSError:
        return 0, time.monotonic() - started
    return status_of(reply), time.monotonic() - started


class Prober:
    """Probes every `every` seconds in a thread while the attack runs (`with Prober(port)`);
    `check()` asserts that every probe was answered 200 within PROBE_SECONDS."""

    def __init__(self, port: int, every: float = 0.4):
        self.port, self.every = port, every
        self.results: list[tuple[int, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.results.append(probe(self.port))
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=15)

    def check(self) -> None:
        assert self.results, "no probe was sent"
        late = [(status, round(took, 2)) for status, took in self.results
                if status != 200 or took > PROBE_SECONDS]
        assert not late, f"probes not answered in time: {late} of {len(self.results)}"


def under_probe(port: int, attacker, clients: int) -> None:
    """Run `attacker(n)` in `clients` threads to their end while a Prober probes; check it."""
    threads = [threading.Thread(target=attacker, args=(n,)) for n in range(clients)]
    with Prober(port) as prober:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    prober.check()


def memory_mb(pid: int) -> float:
    """Resident memory of `pid` and its descendants, in MiB (shared pages counted once per
    process: an upper bound)."""
    total = 0
    for member in family(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def temporary_files(pid: int, folder: Path) -> list[str]:
    """Files under `folder` (the server's TMPDIR) that its processes hold open: where a
    spooled request body or answer would be, deleted or not."""
    found = []
    for member in family(pid):
        try:
            for fd in os.scandir(f"/proc/{member}/fd"):
                target = os.readlink(fd.path)
                if target.startswith(str(folder)):
                    found.append(target)
        except OSError:
            continue
    return found
