"""`kazkg serve` with several HTTP processes: they share one port, a front that dies is
replaced, and stopping the server (or killing it outright) leaves no process behind."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from pathlib import Path

import pytest

from tests.web.httpraw import q, request
from tests.web.support import PROTOCOL_DATA, RUNAWAY, Server

pytestmark = pytest.mark.slow  # real `kazkg serve` processes


def children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def family(pid: int) -> set[int]:
    """`pid` and all its descendants."""
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        found.add(current)
        todo.extend(children(current))
    return found


def alive(pids) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


def wait_for(condition, seconds: float = 10):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def whole(pid: int, fronts: int, workers: int) -> bool:
    """Whether the supervisor `pid` has its `fronts` HTTP processes, each with one zygote that
    has forked its `workers` workers."""
    tree = [children(front) for front in children(pid)]
    return len(tree) == fronts and all(
        len(zygotes) == 1 and len(children(next(iter(zygotes)))) == workers for zygotes in tree)


@pytest.fixture
def two_fronts(private_cache, tmp_path):
    srv = Server([str(PROTOCOL_DATA), "--processes", "2", "--workers", "2"],
                 log=tmp_path / "serve.log")
    # The server is ready when one front answers; the other may still be forking its zygote and
    # workers then (a loaded machine showed it), and a worker over a start-up lookup's time
    # limit is replaced: wait until every process is there, for as long as a start may take.
    wait_for(lambda: whole(srv.process.pid, 2, 2), seconds=120)
    yield srv
    srv.stop()


def ask(srv) -> int:
    return request(srv.sparql, "GET", "?query=" + q("ASK { ?s ?p ?o }")).status


def test_two_http_processes_each_with_their_workers(two_fronts):
    assert whole(two_fronts.process.pid, 2, 2)  # each front: one zygote, two workers forked
    assert all(ask(two_fronts) == 200 for _ in range(20))
    assert "2 HTTP processes x 2 workers" in two_fronts.log.read_text()


def test_a_front_that_dies_is_replaced(two_fronts):
    supervisor = two_fronts.process.pid
    victim = min(children(supervisor))
    os.kill(victim, signal.SIGKILL)
    wait_for(lambda: victim not in children(supervisor) and len(children(supervisor)) == 2)
    assert all(ask(two_fronts) == 200 for _ in range(20))
    assert f"HTTP process {victim} exited (-9); starting another" in two_fronts.log.read_text()


def test_stopping_the_server_stops_every_process(two_fronts):
    everyone = family(two_fronts.process.pid)
    assert len(everyone) == 1 + 2 * (1 + 1 + 2)  # supervisor; per front: itself, zygote, workers
    two_fronts.stop()
    wait_for(lambda: not alive(everyone))


def test_fronts_exit_when_the_supervisor_is_killed(two_fronts):
    everyone = family(two_fronts.process.pid)
    two_fronts.process.kill()
    two_fronts.process.wait()
    wait_for(lambda: not alive(everyone))


def test_writes_keep_one_http_process(private_cache, tmp_path):
    srv = Server([str(PROTOCOL_DATA), "--processes", "4", "--enable-update"],
                 env={"KAZKG_UPDATE_TOKEN": "s3cret", "KAZKG_UPDATE_STORE": str(tmp_path)},
                 log=tmp_path / "serve.log")
    try:
        (zygote,) = children(srv.process.pid)  # no fronts: the server process serves itself
        assert len(children(zygote)) >= 1
        assert "1 HTTP process x" in srv.log.read_text()
    finally:
        srv.stop()


@pytest.mark.parametrize("processes", ["1", "2"])
@pytest.mark.parametrize("stop", ["terminate", "kill"])
def test_a_busy_worker_goes_with_the_server_and_frees_the_port(private_cache, processes, stop):
    """A worker deep in a query reads nothing until it ends, and the query's time limit lives
    in the HTTP process: stopping (or killing) the server must still end it."""
    srv = Server([str(PROTOCOL_DATA), "--processes", processes, "--query-timeout", "300"])
    everyone = family(srv.process.pid)
    # "service" in a comment keeps the query on rdflib, which runs it for minutes
    runaway = threading.Thread(target=lambda: _quietly(
        request, srv.sparql, "GET", "?query=" + q(RUNAWAY + " # service"), timeout=60))
    runaway.start()
    wait_for(lambda: any(_busy(pid) for pid in everyone - {srv.process.pid}))
    getattr(srv.process, stop)()
    srv.process.wait()
    wait_for(lambda: not alive(everyone))
    # nobody listens there any more: a process forked after `everyone` was read (once, in CI
    # at b26c3a4, of kill-2) goes with its parent, a moment later
    wait_for(lambda: _port_free(srv.port))
    srv.stop()
    runaway.join()


def _port_free(port: int) -> bool:
    try:
        with socket.create_server(("127.0.0.1", port)):
            return True
    except OSError:
        return False


def _busy(pid: int) -> bool:
    """A process using the CPU right now (state R)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "R"
    except OSError:
        return False


def _quietly(call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except OSError:
        pass  # the server went away mid-answer: expected here
