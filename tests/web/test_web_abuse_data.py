"""Attacks on what a real `kazkg serve` evaluates and keeps: queries shaped to crash an engine,
unknown functions (each while another client, 127.0.0.2, probes with a cheap query that must be
answered within 2 s), and a cache damaged between two runs. The default run is short (CI);
`python -m pytest -m abuse` the full one.
"""

from __future__ import annotations

import json

import pytest

from tests.web.abuse import exchange, full, get, memory_mb, status_of, under_probe  # noqa: F401
from tests.web.support import PROTOCOL_DATA, RUNAWAY, Server

pytestmark = [pytest.mark.abuse, pytest.mark.slow]

CRASHING = {  # each killed an Oxigraph worker (segfault) or held rdflib's parser for minutes
    "or": "SELECT ?o WHERE { ?s ?p ?o FILTER (" + " || ".join(f"?o = {i}" for i in range(50000)) + ") }",
    "union": "SELECT ?o WHERE {" + "UNION".join("{?s ?p %d}" % i for i in range(30000)) + "}",
    "brackets": "SELECT ?o WHERE { ?s ?p ?o FILTER (" + "(" * 5000 + "?o" + ")" * 5000 + ") }",
    "subqueries": "SELECT ?o WHERE " + "{ SELECT ?o WHERE " * 3000 + "{ ?s ?p ?o }" + "}" * 3000,
    # 30,000 triples of INSERT DATA are written now (pyoxigraph reads them: test_web_bulk_writes);
    # 5,000 nested blank nodes are still refused before any parser
    "update": "INSERT DATA { <urn:s> <urn:p> " + "[ <urn:p> " * 5000 + "1" + " ]" * 5000 + " }",
}
UNKNOWN = ["SELECT ?x WHERE { BIND (<urn:nofunc>(1) AS ?x) }",
           "SELECT ?s WHERE { ?s ?p ?o FILTER (<urn:nofunc>(?o)) }",
           "ASK { FILTER (<urn:nofunc>()) }"]


@pytest.fixture(scope="module")
def target(private_cache, tmp_path_factory):
    srv = Server([str(PROTOCOL_DATA), "--query-timeout", "4", "--workers", "2",
                  "--processes", "1", "--enable-update", "--body-limit", "2000000"],
                 env={"KAZKG_UPDATE_TOKEN": "t0k",
                      "KAZKG_UPDATE_STORE": str(tmp_path_factory.mktemp("writes"))})
    yield srv
    srv.stop()


def post(path: str, body: str, media_type: str, token: str | None = None) -> bytes:
    data = body.encode("utf-8")
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return (f"POST {path} HTTP/1.1\r\nHost: localhost\r\nAccept: application/sparql-results+json"
            f"\r\nContent-Type: {media_type}\r\nContent-Length: {len(data)}\r\n{auth}"
            "Connection: close\r\n\r\n").encode("latin-1") + data


def health(srv) -> dict:
    return json.loads(exchange(srv.port, get("/health")).split(b"\r\n\r\n", 1)[1])


def test_queries_shaped_to_crash_the_engine_kill_no_worker(target, full):
    before = health(target)["workers_replaced"]
    statuses: list[tuple[str, int]] = []

    def attacker(n):
        for _ in range(3 if full else 1):
            for name, text in CRASHING.items():
                kind = "update" if name == "update" else "query"
                raw = post("/sparql", text, f"application/sparql-{kind}", "t0k")
                statuses.append((name, status_of(exchange(target.port, raw, f"127.0.4.{n + 1}"))))
            for text in UNKNOWN:
                raw = post("/sparql", text, "application/sparql-query")
                statuses.append(("unknown", status_of(exchange(target.port, raw, f"127.0.4.{n + 1}"))))

    under_probe(target.port, attacker, 4)
    assert {s for name, s in statuses if name != "unknown"} == {400}, statuses
    assert {s for name, s in statuses if name == "unknown"} == {200}, statuses
    assert health(target)["workers_replaced"] == before  # refused or answered: none killed


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def served_counts(folder) -> tuple[int, int]:
    """(the quads a query counts, the triples /health reports) of a server over `folder`."""
    srv = Server([str(PROTOCOL_DATA), "--processes", "1", "--workers", "1"],
                 env={"KAZKG_CACHE_DIR": str(folder)})
    try:
        reply = exchange(srv.port, get("/sparql?query=" + COUNT.replace(" ", "%20")))
        body = json.loads(reply.split(b"\r\n\r\n", 1)[1])
        return int(body["results"]["bindings"][0]["n"]["value"]), health(srv)["triples"]
    finally:
        srv.stop()


def test_a_server_restarted_over_a_damaged_cache_serves_the_true_data(tmp_path):
    whole = served_counts(tmp_path)
    (meta,) = tmp_path.glob("*.metadata-2.json")
    meta.write_text(meta.read_text().replace(f'"triples": {whole[1]}', '"triples": 99999'))
    (store,) = tmp_path.glob("*.oxigraph-store-1")
    largest = max(store.glob("*.sst"), key=lambda member: member.stat().st_size)
    largest.write_bytes(largest.read_bytes()[: largest.stat().st_size // 3])
    assert served_counts(tmp_path) == whole  # rebuilt, never served
    assert json.loads(meta.read_text())["triples"] == whole[1]


def test_many_large_writes_and_timeouts_leave_every_query_answered(target, full):
    """Before, each new worker replayed every write: a few large ones plus two timeouts made
    every later query 503 while /health said "ok"."""
    before = health(target)["triples"]
    rounds = 3 if full else 1

    def writer(n):
        for r in range(rounds):
            body = "".join(f"<urn:w{n}-{r}-{i}> <urn:p> \"{'x' * 40}\" .\n" for i in range(4000))
            raw = post(f"/store?graph=urn:big{n}-{r}", body, "application/n-triples", "t0k")
            assert status_of(exchange(target.port, raw, f"127.0.5.{n + 1}", timeout=60)) == 204
        runaway = post("/sparql", RUNAWAY + " # service", "application/sparql-query")
        assert status_of(exchange(target.port, runaway, f"127.0.5.{n + 1}", timeout=60)) == 503

    under_probe(target.port, writer, 2)
    assert health(target)["triples"] == before + 2 * rounds * 4000
    ask = post("/sparql", "ASK { <urn:w0-0-1> ?p ?o }", "application/sparql-query")
    assert b'"boolean": true' in exchange(target.port, ask)


def test_unique_huge_queries_do_not_grow_memory_without_bound(target, full):
    """Each query text was kept whole as an answer-cache key (not counted in cache_bytes) and
    in the workers' memos: 1,200 unique 500 KB queries took 172 MB and more."""
    padding = "#" + "x" * 480_000 + "\n"
    before, statuses = memory_mb(target.pid), []

    def sender(n):
        for i in range(n, 1200 if full else 100, 4):
            raw = post("/sparql", f"# {i}\n{padding}ASK {{ ?s ?p ?o }}", "application/sparql-query")
            statuses.append(status_of(exchange(target.port, raw, f"127.0.6.{n + 1}", timeout=60)))

    under_probe(target.port, sender, 4)
    grown = memory_mb(target.pid) - before
    print(f"\n{len(statuses)} unique 480 KB queries: memory grew {grown:.0f} MiB")
    assert set(statuses) <= {200, 503} and statuses.count(200) > len(statuses) // 2, statuses
    assert grown < 64 + 150, grown  # the answer cache's 64 MiB, and some slack
