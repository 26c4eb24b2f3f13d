"""The three servers of the benchmark, each a subprocess on 127.0.0.1 over the same export:
`kazkg serve`, Oxigraph's `oxigraph serve-read-only` and rdflib-endpoint."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from ...errors import ToolError


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tool(name: str) -> str:
    """An executable installed beside this Python (the venv's bin/), else on PATH."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise ToolError(f"{name} is not installed: pip install 'kazkg[bench]'")
    return found


class Server:
    """A server process; `sparql` is its query URL. Started ready (its /sparql answers)."""

    def __init__(self, name: str, command: list[str], port: int, path: str = "sparql",
                 log: Path | None = None, env: dict | None = None, timeout: float = 300):
        self.name, self.port = name, port
        self.sparql = f"http://127.0.0.1:{port}/{path}"
        self.started = time.perf_counter()
        self._log = open(log, "wb") if log else subprocess.DEVNULL
        self._log_path = log or "none kept"
        self.process = subprocess.Popen(command, stdout=self._log, stderr=self._log,
                                        env={**os.environ, **(env or {})})
        self.ready_seconds = self._wait(timeout)

    def _wait(self, timeout: float) -> float:
        probe = self.sparql + "?query=" + urllib.request.quote("ASK {}")
        deadline = time.monotonic() + timeout
        while True:
            try:
                request = urllib.request.Request(
                    probe, headers={"Accept": "application/sparql-results+json"})
                with urllib.request.urlopen(request, timeout=5) as answer:
                    answer.read()
                    return time.perf_counter() - self.started
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise ToolError(f"{self.name} did not start (its log: {self._log_path})") from None
                time.sleep(0.05)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not subprocess.DEVNULL:
            self._log.close()


class KazkgServer(Server):
    """`kazkg serve --port N ARGS` on a free port N; `url` is its root, ending in a slash.
    `prefix` is the command that stands for `python -m kazkg` (e.g. a wrapper script)."""

    def __init__(self, args=(), *, prefix=(), log: Path | None = None, env: dict | None = None,
                 timeout: float = 300):
        port = free_port()
        command = [*(prefix or (sys.executable, "-m", "kazkg")), "serve", "--port", str(port), *args]
        self.url, self.log = f"http://127.0.0.1:{port}/", log
        super().__init__("kazkg serve", command, port, log=log, env=env, timeout=timeout)


def kazkg(workdir: Path, extra: tuple = ()) -> Server:
    return KazkgServer(extra, log=workdir / "kazkg.log")


def oxigraph(workdir: Path, export: Path) -> Server:
    location = workdir / "oxigraph-store"
    if not location.exists():
        subprocess.run([tool("oxigraph"), "load", "--location", str(location), "--file",
                        str(export)], check=True, capture_output=True)
    port = free_port()
    command = [tool("oxigraph"), "serve-read-only", "--location", str(location),
               "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    return Server("oxigraph", command, port, path="query", log=workdir / "oxigraph.log")


def rdflib_endpoint(workdir: Path, export: Path) -> Server:
    port = free_port()
    command = [tool("rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", str(port),
               str(export)]
    return Server("rdflib-endpoint", command, port, path="", log=workdir / "rdflib-endpoint.log")
