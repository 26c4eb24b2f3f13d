"""The worker pool (kazkg.query.workers) with real forked processes: a job over its time limit
is killed and its worker replaced; so is a worker that dies, that raises, or that asks for more
memory than its cap. Quick jobs, sub-second limits."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time

import pytest

from kazkg.query.workers import Busy, JobTimeout, Pool, PoolError, WorkerBug, WorkerDied

pytestmark = pytest.mark.slow  # forks a zygote and its workers

MB = 1024 * 1024


def handler(job):
    """What a worker does with `job`: answer, sleep, exit, raise or take memory."""
    kind, value = job
    if kind == "sleep":
        time.sleep(value)
    elif kind == "exit":
        os._exit(3)
    elif kind == "bug":
        raise ValueError(value)
    elif kind == "memory":
        block = bytearray(value * MB)  # touched: the pages are really taken
        return len(block) // MB
    return value, os.getpid()


@pytest.fixture
def pool(request):
    """A pool of one worker, or of what the test asks for (indirect parametrisation)."""
    made = Pool(handler, **getattr(request, "param", {"size": 1}))
    yield made
    made.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def answer(pool, value="hello", timeout=5.0):
    with pool.borrow(wait=5) as worker:
        return worker.call(("echo", value), timeout)


def test_a_worker_answers_from_its_own_process(pool):
    value, pid = answer(pool)
    assert value == "hello" and pid != os.getpid() and alive(pid)
    assert answer(pool)[1] == pid and pool.replaced == 0  # the same worker, kept


def test_a_job_over_its_time_limit_is_killed_and_its_worker_replaced(pool):
    _, first = answer(pool)
    started = time.monotonic()
    with pytest.raises(JobTimeout, match="time limit of 0.3 s"):
        with pool.borrow(wait=5) as worker:
            worker.call(("sleep", 60), 0.3)
    assert time.monotonic() - started < 30  # not the minute the job wanted
    assert not alive(first) and pool.replaced == 1
    value, second = answer(pool)
    assert value == "hello" and second != first


def test_a_worker_that_dies_is_replaced(pool):
    _, first = answer(pool)
    with pytest.raises(WorkerDied):
        with pool.borrow(wait=5) as worker:
            worker.call(("exit", None), 5)
    _, second = answer(pool)
    assert second != first and pool.replaced == 1
    os.kill(second, signal.SIGKILL)  # killed between jobs: found out at the next job
    with pytest.raises(WorkerDied):
        answer(pool)
    _, third = answer(pool)
    assert third not in (first, second) and pool.replaced == 2


def test_a_bug_is_reported_with_its_traceback_and_the_worker_replaced(pool):
    _, first = answer(pool)
    with pytest.raises(WorkerBug) as raised:
        with pool.borrow(wait=5) as worker:
            worker.call(("bug", "the handler's own bug"), 5)
    assert "ValueError: the handler's own bug" in raised.value.detail
    assert "Traceback" in raised.value.detail
    assert answer(pool)[1] != first


@pytest.mark.parametrize("pool", [{"size": 1, "memory_mb": 64}], indirect=True)
def test_the_memory_limit_is_enforced(pool):
    with pool.borrow(wait=5) as worker:
        assert worker.call(("memory", 16), 10) == 16  # within the cap
    _, first = answer(pool)
    with pytest.raises(WorkerDied, match="more memory than allowed"):
        with pool.borrow(wait=5) as worker:
            worker.call(("memory", 200), 10)
    value, second = answer(pool)
    assert value == "hello" and second != first and not alive(first)


def test_without_a_memory_limit_the_same_job_runs(pool):
    with pool.borrow(wait=5) as worker:
        assert worker.call(("memory", 200), 30) == 200


def test_a_pool_with_every_worker_busy_says_so(pool):
    with pool.borrow(wait=5):
        with pytest.raises(Busy, match="busy for 0.1 s"):
            with pool.borrow(wait=0.1):
                pass
    assert answer(pool)[0] == "hello"  # given back after the block


@pytest.mark.parametrize("pool", [{"size": 2}], indirect=True)
def test_close_ends_the_zygote_and_every_worker(pool):
    pids = set()
    with pool.borrow(wait=5) as one, pool.borrow(wait=5) as two:
        pids = {one.call(("echo", 1), 5)[1], two.call(("echo", 2), 5)[1]}
    assert len(pids) == 2 and all(map(alive, pids))
    pool.close()
    assert not any(map(alive, pids)) and not alive(pool._zygote_pid)


def test_a_spare_worker_answers_and_goes_and_none_comes_from_a_closed_pool(pool):
    """kazkg.query.spare: a worker beside the pool's, killed after its block; once the pool
    is closed (a server stopping while VoID sizes its dumps) a PoolError, not an OSError."""
    from kazkg.query.spare import spare

    with spare(pool) as worker:
        value, pid = worker.call(("echo", "dump"), 5)
    assert value == "dump" and not alive(pid) and pool.replaced == 0
    pool.close()
    with pytest.raises(PoolError, match="closed"):
        with spare(pool):
            pass


def test_a_workers_socket_is_polled_with_its_own_poller():
    """Worker.ready: a reply (or the end of the worker) can be read, or not yet, within a
    given time; one poll object per worker, made once (Connection.poll makes a selector at
    every call, on every query)."""
    from multiprocessing import Pipe

    from kazkg.query.workers import Worker

    ours, theirs = Pipe()
    worker = Worker(0, ours)
    poller = worker._poll
    started = time.monotonic()
    assert not worker.ready(0.05) and time.monotonic() - started >= 0.04
    assert not worker.ready(-1)  # a deadline passed: no wait at all
    theirs.send(("ok", 1))
    assert worker.ready(5) and worker.ready(0) and worker._poll is poller
    assert ours.recv() == ("ok", 1)
    theirs.close()
    assert worker.ready(5)  # the end can be read: recv raises EOFError, the worker is gone
    with pytest.raises(EOFError):
        ours.recv()


_KEPT: list = []


def keeping(job):
    """A worker's job that keeps what it took (as Python does with a string-doubling query's
    memory), or answers its pid."""
    if job == "keep":
        _KEPT.append(bytearray(96 * MB))  # touched: the pages are really taken
    return os.getpid()


def test_a_worker_that_kept_its_jobs_memory_is_replaced_after_it(monkeypatch):
    """Two idle workers held 415 and 671 MB for minutes after string-doubling queries (fresh
    ones 23-75 MB): one that grew by more than the bound after a job is replaced."""
    from kazkg.query import swelling

    monkeypatch.setattr(swelling, "SWOLLEN_BYTES", 64 * MB)
    made = Pool(keeping, size=1)
    try:
        def run(job):
            with made.borrow(wait=5) as worker:
                return worker.call(job, 10.0)

        first = run("echo")
        assert run("echo") == first  # a small job: the same worker
        assert run("keep") == first  # the job that kept 96 MB ...
        renewed = run("echo")
        assert renewed != first and not alive(first)  # ... its worker was replaced after it
        assert run("echo") == renewed and made.replaced == 0  # not counted as a failure
    finally:
        made.close()


class Absorbing:
    """A handler whose state is the changes it absorbed; the change "bug" raises."""

    def __init__(self):
        self.changes = []

    def __call__(self, job):
        return list(self.changes)

    def absorb(self, change):
        if change == "bug":
            raise ValueError("a bug in absorb")
        self.changes.append(change)


def test_a_change_that_fails_in_the_zygote_is_a_pool_error_and_the_zygote_goes_on(capfd):
    to_stderr = logging.StreamHandler(sys.stderr)  # as the server logs (kazkg.web.server)
    logging.getLogger("kazkg.query").addHandler(to_stderr)
    pool = Pool(Absorbing(), size=1)  # the zygote forks with that handler
    try:
        pool.change("first")
        with pytest.raises(PoolError, match="could not take the change"):
            pool.change("bug")
        logged = capfd.readouterr().err
        assert "a write could not be absorbed" in logged and "ValueError: a bug in absorb" in logged
        pool.change("second")  # the same zygote takes the next change
        with pool.borrow(wait=5) as worker:
            assert worker.call("state", 5.0) == ["first", "second"]
    finally:
        pool.close()
        logging.getLogger("kazkg.query").removeHandler(to_stderr)
