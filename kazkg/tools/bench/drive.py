"""HTTP clients on threads, each with one keep-alive connection: send a mix of queries at a
fixed concurrency and measure throughput and latency."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

ACCEPT = "application/sparql-results+json"


def get(connection: http.client.HTTPConnection, path: str, text: str) -> tuple[int, bytes]:
    connection.request("GET", path + "?" + urllib.parse.urlencode({"query": text}),
                       headers={"Accept": ACCEPT})
    answer = connection.getresponse()
    return answer.status, answer.read()


def connect(url: str, timeout: float = 120) -> tuple[http.client.HTTPConnection, str]:
    parts = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout), parts.path


def fetch(url: str, text: str, timeout: float = 120) -> tuple[int, bytes]:
    connection, path = connect(url, timeout)
    try:
        return get(connection, path, text)
    finally:
        connection.close()


@dataclass
class Run:
    seconds: float = 0.0
    latencies: list = field(default_factory=list)
    errors: dict = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")

    @property
    def p99(self) -> float:
        return self.percentile(99)


def drive(url: str, mix: list[tuple[str, str]], concurrency: int,
          duration: float | None = None) -> Run:
    """Send every request of `mix` once (or cycle through it for `duration` seconds) from
    `concurrency` clients; an error is a non-200 status or a failed connection."""
    run = Run()
    lock = threading.Lock()
    position = iter(range(10**12))
    stop_at = time.monotonic() + duration if duration else None

    def client():
        connection, path = connect(url)
        while True:
            with lock:
                i = next(position)
            if stop_at is None and i >= len(mix):
                break
            if stop_at is not None and time.monotonic() >= stop_at:
                break
            _, text = mix[i % len(mix)]
            started = time.perf_counter()
            try:
                status, _ = get(connection, path, text)
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
                connection.close()
                connection, path = connect(url)
            took = time.perf_counter() - started
            with lock:
                run.latencies.append(took)
                if status != 200:
                    run.errors[status] = run.errors.get(status, 0) + 1
        connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - started
    return run
