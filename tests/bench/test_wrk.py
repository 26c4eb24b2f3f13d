"""The wrk driver of `kazkg bench --wrk`: its Lua script and its reading of wrk's report
(in-process), and one short run against the real server when wrk is installed."""

from __future__ import annotations

import shutil
import urllib.parse

import pytest

from kazkg.tools.bench import wrk

REPORT = """Running 5s test @ http://127.0.0.1:40123
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.61ms    6.02ms  98.31ms   91.20%
    Req/Sec   745.12    120.40     1.01k    70.00%
  Latency Distribution
     50%    4.80ms
     75%    6.10ms
     90%    9.70ms
     99%   32.50us
  7402 requests in 5.04s, 31.20MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   1469.05
Transfer/sec:      6.19MB
"""


def test_the_report_is_read_as_numbers():
    found = wrk.parse(REPORT)
    assert (found.requests, found.seconds, found.throughput) == (7402, 5.04, 1469.05)
    assert found.percentiles["50%"] == pytest.approx(0.0048)
    assert found.percentiles["99%"] == pytest.approx(0.0000325)
    assert found.errors == 4 + 3  # the non-2xx answers and the socket errors


@pytest.mark.parametrize("mix", wrk.MIXES)
def test_the_script_sends_each_query_as_a_protocol_get(mix):
    queries = ["ASK { ?s ?p ?o }", 'SELECT * WHERE { ?s ?p "a b" } LIMIT 1']
    lua = wrk.script("http://127.0.0.1:1/query", queries, mix)
    for text in queries:
        assert f'"/query?query={urllib.parse.quote(text, safe="")}",' in lua
    assert ("local unique = true" in lua) == (mix == "unique")
    assert '["Accept"] = "application/sparql-results+json"' in lua


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed (apt-get install wrk)")
@pytest.mark.parametrize("mix", wrk.MIXES)
def test_a_short_run_against_the_server(bundled_server, tmp_path, mix):
    found = wrk.drive(bundled_server.url + "sparql", ["ASK { ?s ?p ?o }"], mix, 1, connections=2,
                      threads=1, workdir=tmp_path)
    assert found.requests > 0 and found.errors == 0, found.output



@pytest.mark.slow
def test_cpu_of_a_process_tree_counts_its_children():
    """`kazkg bench --wrk` reports CPU per request of each server's whole process tree (kazkg
    runs in several processes, Oxigraph in one): a child's CPU counts in its parent's tree."""
    import os
    import subprocess
    import sys
    import time

    from kazkg.tools.bench import cpu

    if not os.path.exists("/proc/self/stat"):
        pytest.skip("needs Linux's /proc")
    start = cpu.tree_seconds(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "import time; sum(range(50_000_000)); time.sleep(60)"])
    try:
        deadline = time.monotonic() + 60
        while cpu.used(start, cpu.tree_seconds(os.getpid())) < 0.3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert child.pid in cpu.tree_seconds(os.getpid())
        assert cpu.used(start, cpu.tree_seconds(os.getpid())) >= 0.3
    finally:
        child.kill()
        child.wait()
