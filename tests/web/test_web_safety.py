"""Nothing in any request reaches outside the dataset: no file is read, no URL fetched, no
socket connected. Proved twice: an audit hook in every server process, and a loopback
listener that every attack points at and that must never see a connection."""

import json
import os
import re
import socket
import sys
import threading
import time
from pathlib import Path

import pytest
from tests.web.support import PROTOCOL_DATA, Server
from tests.web.httpraw import q, request

import kazkg

pytestmark = pytest.mark.slow  # real `kazkg serve` processes

TESTS = Path(__file__).resolve().parent
NETWORK_EVENTS = {"urllib.Request", "socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
                  "http.client.connect", "subprocess.Popen", "os.system", "os.exec",
                  "os.posix_spawn", "ftplib.connect", "smtplib.connect"}


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection made to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.running = False
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.fixture(scope="module")
def listener():
    lst = Listener()
    yield lst
    lst.close()


@pytest.fixture(scope="module")
def secret(tmp_path_factory):
    path = tmp_path_factory.mktemp("secret") / "secret.ttl"
    path.write_text('<http://example.org/leak> <http://example.org/says> "TOP-SECRET-42" .\n')
    return path


@pytest.fixture(scope="module")
def audited(private_cache, tmp_path_factory):
    log = tmp_path_factory.mktemp("audit") / "events.jsonl"
    log.touch()
    srv = Server([str(PROTOCOL_DATA), "--query-timeout", "3"],
                 prefix=[sys.executable, str(TESTS / "audited_serve.py"), str(log)])
    srv.events_log = log
    yield srv
    srv.stop()


def attacks(listener_port: int, secret: Path):
    remote = f"http://127.0.0.1:{listener_port}"
    local = secret.as_uri()
    queries = [
        f"SELECT * FROM <{local}> {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{local}> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }",
        f"SELECT * FROM <{remote}/data.ttl> {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{remote}/named.ttl> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE <{remote}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE SILENT <{remote}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE <{local}> {{ ?s ?p ?o }} }}",
        "SELECT * { SERVICE <http://127.0.0.1:1/closed> { ?s ?p ?o } }",
        f"SELECT * {{ ?s ?p ?o . SERVICE ?endpoint {{ ?s ?p ?o }} VALUES ?endpoint {{ <{remote}/> }} }}",
        "BASE <file:///etc/> SELECT * FROM <passwd> { ?s ?p ?o }",
        f"DESCRIBE <{remote}/thing>",
        f"CONSTRUCT {{ ?s ?p ?o }} FROM <{local}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * WHERE {{ GRAPH <{local}> {{ ?s ?p ?o }} }}",
        f"ASK {{ FILTER(STR(<{local}>) != \"\") }}",
    ]
    requests = [("GET", "?query=" + q(text), None, {}) for text in queries]
    requests += [
        ("GET", f"?query={q('SELECT * { ?s ?p ?o }')}&default-graph-uri={q(local)}", None, {}),
        ("GET", f"?query={q('SELECT * { GRAPH ?g { ?s ?p ?o } }')}&named-graph-uri={q(remote + '/g')}", None, {}),
        ("POST", "", f"LOAD <{remote}/load.ttl>", {"Content-Type": "application/sparql-update"}),
        ("POST", "", f"LOAD <{local}> INTO GRAPH <urn:x>", {"Content-Type": "application/sparql-update",
                                                            "Authorization": "Bearer guess"}),
        ("POST", "", "update=" + q(f"LOAD <{remote}/load.ttl>"), {"Content-Type": "application/x-www-form-urlencoded"}),
    ]
    return requests


def test_no_request_reaches_outside(audited, listener, secret):
    before = audited.events_log.stat().st_size
    for method, path, body, headers in attacks(listener.port, secret):
        r = request(audited.sparql, method, path, body=body, headers=headers, timeout=30)
        assert r.status < 500, (path, r.status, r.body)
        assert b"TOP-SECRET" not in r.body and b"root:" not in r.body
    r = request(audited.url, "GET", f"store?graph={q(secret.as_uri())}")
    assert r.status == 404
    time.sleep(0.5)
    assert listener.connections == 0
    with open(audited.events_log, "rb") as handle:
        handle.seek(before)
        events = [json.loads(line) for line in handle if line.strip()]
    reaching = [e for e in events if e["event"] in NETWORK_EVENTS]
    assert reaching == []
    opened = [e["args"][0] for e in events if e["event"] == "open"]
    assert not [p for p in opened if "secret" in str(p) or "passwd" in str(p)]
    # kazkg's own cache too: a worker loads the rdflib dataset from it when a query needs rdflib
    allowed = (sys.prefix, sys.base_prefix, str(Path(kazkg.__file__).parent), "/proc/self/",
               os.environ["KAZKG_CACHE_DIR"])
    # and the pool's reading of its workers' resident size after a job (kazkg.query.swelling)
    assert [p for p in opened if isinstance(p, str) and not p.startswith(allowed)
            and not re.fullmatch(r"/proc/\d+/statm", p)] == []


def test_the_hook_sees_what_it_should(audited, tmp_path):
    """The audit log is not empty by accident: the server's own start-up opened its data (the
    source file, or its copy in the cache when the stamps say the cache is current)."""
    with open(audited.events_log, encoding="utf-8") as handle:
        events = [json.loads(line) for line in handle]
    data = ("protocol.trig", os.environ["KAZKG_CACHE_DIR"])
    assert any(e["event"] == "open" and any(d in str(e["args"][0]) for d in data) for e in events)
    assert len({e["pid"] for e in events}) >= 1


def test_the_hook_would_catch_a_worker_reaching_out(private_cache, tmp_path, listener):
    """Control experiment: allow-list the listener, and the hook and the listener both see the
    SERVICE call, made from a worker process (so the proof above is not blind)."""
    log = tmp_path / "events.jsonl"
    endpoint = f"http://127.0.0.1:{listener.port}/sparql"
    srv = Server([str(PROTOCOL_DATA), "--query-timeout", "3", "--service-allow", endpoint],
                 prefix=[sys.executable, str(TESTS / "audited_serve.py"), str(log)])
    try:
        seen = listener.connections
        r = request(srv.sparql, "GET", "?query=" + q(f"SELECT * {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"))
        assert r.status < 500
        events = [json.loads(line) for line in log.read_text().splitlines()]
        assert any(e["event"] == "socket.connect" for e in events)
        assert listener.connections > seen
    finally:
        srv.stop()
        listener.connections = 0
