"""A dump has its own time limit (--dump-timeout) and its own worker: it never runs in the
quick lane nor takes a query worker, and the server's own dump sizing (for VoID) waits for a
dump being made. On a fresh cache a dump asked
for while VoID's sizing ran answered 503 in 1 s ("every other query worker is busy")."""

from __future__ import annotations

import threading
import time

import pytest

from kazkg.query.workers import Busy
from kazkg.web import dcat, dumps, service as service_module
from kazkg.web.admission import Admission, is_ours, ours
from tests.web.test_web_admission import Holder


def test_a_job_that_may_not_take_the_lane_waits_for_a_full_slot():
    gate = Admission(2, queue=2)
    full = Holder(gate, "a")
    full.entered.wait(5)
    with pytest.raises(Busy):  # only the lane is free: it waits, and is told so
        with gate.enter("dump", wait=0.2, lane_ok=False):
            pass
    quick = Holder(gate, "b")  # the lane is still free for a quick query meanwhile
    quick.entered.wait(5)
    assert quick.lane is True
    quick.release()
    outcome = []

    def dump():
        with gate.enter("dump", wait=5, lane_ok=False) as in_lane:
            outcome.append(in_lane)

    thread = threading.Thread(target=dump)
    thread.start()
    time.sleep(0.2)
    assert outcome == []
    full.release()
    thread.join(5)
    assert outcome == [False]


def _holding(svc, own: bool, release: threading.Event) -> threading.Thread:
    """A thread holding a full query slot of `svc` (a client's, or the server's own job)."""
    entered = threading.Event()

    def hold():
        with ours() if own else _nothing():
            with svc.admission.enter("long-query-client" if not own else None, wait=5):
                entered.set()
                release.wait(10)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert entered.wait(5)
    return thread


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_a_dump_is_not_cut_short_in_the_lane(app, monkeypatch):
    monkeypatch.setattr(service_module, "LANE_SECONDS", 1e-6)  # the lane: no time at all
    svc = app.extensions["kazkg"]
    svc.cache.clear()
    release = threading.Event()
    holder = _holding(svc, own=False, release=release)
    threading.Timer(0.3, release.set).start()  # the long query ends: the dump gets its worker
    reply = app.test_client().get("/download/kazkg.nq")
    holder.join(5)
    assert reply.status_code == 200, reply.get_data(as_text=True)[:300]
    assert "X-Time-Limit" not in reply.headers


def test_a_dump_takes_no_query_worker(app, monkeypatch):
    """A dump is made by a worker of its own (kazkg.web.dumps): with every query worker and
    slot held by a client's long queries it is made all the same (main: 503 after 2 s)."""
    svc = app.extensions["kazkg"]
    for old in dumps.path_of(svc, "turtle").parent.glob(f"*.{dumps.NAME}.*"):
        old.unlink()
    monkeypatch.setattr(service_module, "QUEUE_SECONDS", 0.2)
    release = threading.Event()
    holder = _holding(svc, own=False, release=release)
    try:
        with svc.pool.borrow(wait=5), svc.pool.borrow(wait=5):
            reply = app.test_client().get("/download/kazkg.ttl")
    finally:
        release.set()
        holder.join(5)
    assert reply.status_code == 200, reply.get_data(as_text=True)[:300]
    assert reply.get_data().startswith(b"# kazkg dataset version")


def test_the_servers_own_sizing_leaves_the_full_slot_to_a_clients_dump(app, monkeypatch):
    monkeypatch.setattr(service_module, "LANE_SECONDS", 1e-6)
    svc = app.extensions["kazkg"]
    svc.cache.clear()
    release = threading.Event()
    holder = _holding(svc, own=True, release=release)  # the sizing's dump, say
    try:
        reply = app.test_client().get("/download/kazkg.trig")
    finally:
        release.set()
        holder.join(5)
    assert reply.status_code == 200, reply.get_data(as_text=True)[:300]


def test_the_sizing_thread_runs_the_dumps_as_the_servers_own(app, monkeypatch, tmp_path):
    seen, real = [], dumps.made
    monkeypatch.setattr(dumps, "made", lambda svc, fmt: seen.append(is_ours()) or real(svc, fmt))
    svc = app.extensions["kazkg"]
    key = (svc.version, "test-sizing")
    with app.app_context():
        dcat._size(app, svc, key, tmp_path / "sizes.json")
    assert seen and all(seen)
