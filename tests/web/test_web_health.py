"""/health tells the truth (issue 12): it said "ok" with every worker stuck, and each HTTP
process gave its own workers_replaced unlabelled; the listen backlog is the README's 1,024
(waitress called listen() again with its default, 1024)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from kazkg.query.jobs import Answer
from kazkg.web import server
from tests.web.httpraw import request
from tests.web.support import PROTOCOL_DATA, Server


def test_health_is_a_503_when_no_worker_answers(client, monkeypatch):
    fine = client.get("/health")
    assert fine.status_code == 200 and fine.get_json()["status"] == "ok"
    assert fine.get_json()["http_process"] == os.getpid()
    svc = client.application.extensions["kazkg"]
    monkeypatch.setattr(svc, "run", lambda job, **_: Answer(503, error="the workers are stuck"))
    stuck = client.get("/health")
    assert stuck.status_code == 503 and stuck.headers["Retry-After"]
    assert stuck.get_json()["status"] == "unavailable"
    assert stuck.get_json()["error"].endswith(": the workers are stuck")


def _workers(pid: int) -> list[int]:
    """The processes below `pid` that have none below them: the query workers."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found += [child for child in below if child not in children]
        todo += below
    return found


@pytest.mark.slow
def test_health_of_stopped_workers_and_the_backlog():
    srv = Server([str(PROTOCOL_DATA), "--workers", "2", "--processes", "1"])
    stopped = []
    try:
        assert request(srv.url, path="health").json()["status"] == "ok"
        if shutil.which("ss"):
            port = srv.url.rsplit(":", 1)[1].strip("/")
            listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True,
                                       text=True, check=True).stdout.split()
            assert listening[2] == str(min(server.BACKLOG, int(Path(
                "/proc/sys/net/core/somaxconn").read_text()))), listening  # Send-Q: the backlog
        stopped = _workers(srv.pid)
        assert len(stopped) >= 2
        for pid in stopped:
            os.kill(pid, signal.SIGSTOP)
        start = time.monotonic()
        reply = request(srv.url, path="health", timeout=30)
        assert reply.status == 503 and reply.json()["status"] == "unavailable", reply.body
        assert "no query worker answered" in reply.json()["error"]
        assert time.monotonic() - start < 5  # "ok" at once before
    finally:
        for pid in stopped:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:  # replaced (killed) by then
                pass
        srv.stop()
