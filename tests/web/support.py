"""The web tests' data and a real `kazkg serve` process on 127.0.0.1 (fixtures live in
conftest.py)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROTOCOL_DATA = FIXTURES / "protocol.trig"
DATA1 = "http://kasei.us/2009/09/sparql/data/data1.rdf"
DATA2 = "http://kasei.us/2009/09/sparql/data/data2.rdf"
DATA3 = "http://kasei.us/2009/09/sparql/data/data3.rdf"
# A query that rdflib evaluates for minutes and cannot interrupt (16^6 solutions to count).
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fixture_build():
    from kazkg.build import build
    from kazkg.inputs import from_files

    return build(from_files([PROTOCOL_DATA]), infer=False)


class Server:
    """A `kazkg serve` subprocess; `url` is its root, ending in a slash."""

    def __init__(self, args, env=None, prefix=(), log=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        command = [*prefix, "serve", "--port", str(self.port), *args]
        if not prefix:
            command = [sys.executable, "-m", "kazkg", *command]
        self.log = log
        self._log_file = open(log, "wb") if log else None
        self.process = subprocess.Popen(
            command, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
            stderr=self._log_file or subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(self.url + "health", timeout=5) as answer:
                    self.health = json.load(answer)
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"kazkg serve did not start: {command}")
                time.sleep(0.1)

    @property
    def sparql(self) -> str:
        return self.url + "sparql"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
