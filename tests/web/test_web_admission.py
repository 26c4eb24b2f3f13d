"""kazkg.web.admission in-process: who waits for a slot, who goes first, who is refused at once
(the real server under a flood of many addresses: test_web_fairness.py)."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from kazkg.query.workers import Busy
from kazkg.web.admission import Admission, Refused, ours


class Holder:
    """A job of `client` holding a slot of `gate` in a thread until `release()`."""

    def __init__(self, gate: Admission, client: str, wait: float = 5.0):
        self.entered, self.done = threading.Event(), threading.Event()
        self.outcome = None
        self.lane = None
        self._thread = threading.Thread(target=self._run, args=(gate, client, wait), daemon=True)
        self._thread.start()

    def _run(self, gate, client, wait):
        try:
            with gate.enter(client, wait) as lane:
                self.lane = lane
                self.entered.set()
                self.done.wait(10)
            self.outcome = "ran"
        except Busy as error:
            self.outcome = error
        self.entered.set()

    def release(self):
        self.done.set()
        self._thread.join(10)


def release(holders) -> None:
    for holder in holders:
        holder.done.set()
    for holder in holders:
        holder.release()


def waiting(gate: Admission, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(gate._waiting) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(gate._waiting) == count


def taken(queue: int, heavy: float = 5.0) -> tuple[Admission, Holder]:
    """A gate of one slot, taken by a job of "first"; the client "heavy" ran `heavy` s lately."""
    gate = Admission(1, queue=queue, lane=False)
    gate._usage.charge("heavy", time.monotonic(), ran=heavy)
    running = Holder(gate, "first")
    running.entered.wait(5)
    return gate, running


def runs_next(running: Holder, holder: Holder) -> None:
    """When `running` ends, `holder` runs."""
    running.release()
    holder.entered.wait(5)
    holder.release()
    assert holder.outcome == "ran"


def test_a_new_client_goes_before_those_that_used_more():
    gate, running = taken(queue=4, heavy=3.0)
    heavy = Holder(gate, "heavy")
    waiting(gate, 1)
    new = Holder(gate, "new")  # came later, but has used nothing
    waiting(gate, 2)
    running.release()
    new.entered.wait(5)
    assert new.outcome is None and new.lane is False  # it runs; heavy still waits
    assert not heavy.entered.is_set()
    new.release()
    heavy.release()
    assert heavy.outcome == "ran"


def test_a_full_queue_refuses_the_heaviest_at_once():
    gate, running = taken(queue=1)
    light = Holder(gate, "light")
    waiting(gate, 1)
    started = time.monotonic()
    with pytest.raises(Refused, match="try again in 2 s"):  # no place for it: at once
        with gate.enter("heavy", wait=5):
            pass
    assert time.monotonic() - started < 1
    runs_next(running, light)


def test_a_waiting_heavy_job_gives_its_place_to_a_lighter_one():
    gate, running = taken(queue=1)
    heavy = Holder(gate, "heavy")
    waiting(gate, 1)
    light = Holder(gate, "light")
    heavy.entered.wait(2)  # woken with its refusal, not at the end of its 5 s
    assert isinstance(heavy.outcome, Refused)
    runs_next(running, light)


def test_no_slot_within_the_wait_is_busy():
    gate, running = taken(queue=4)
    started = time.monotonic()
    with pytest.raises(Busy):
        with gate.enter("second", wait=0.3):
            pass
    assert 0.3 <= time.monotonic() - started < 2
    running.release()


def test_the_last_worker_is_a_lane_and_the_servers_own_jobs_are_never_refused():
    gate = Admission(2, queue=1)
    full = Holder(gate, "a")
    full.entered.wait(5)
    assert full.lane is False
    lane = Holder(gate, "b")  # the full-limit slot is taken: this one runs in the lane
    lane.entered.wait(5)
    assert lane.lane is True
    waiter = Holder(gate, "c")
    waiting(gate, 1)
    outcome = []

    def own_job():
        with ours():
            with gate.enter(None, wait=5) as in_lane:
                outcome.append(in_lane)

    thread = threading.Thread(target=own_job)
    thread.start()  # the queue is full, yet the server's own lookup waits and goes first
    waiting(gate, 2)
    lane.release()
    thread.join(5)
    assert outcome == [False]  # and it is never cut short in the lane
    for holder in (full, waiter):
        holder.release()
    assert waiter.outcome == "ran"


def test_a_refusal_counts_as_use():
    gate = Admission(1, queue=1, lane=False)
    before = gate._usage.score("flood", time.monotonic())
    gate._usage.charge("other", time.monotonic(), ran=0.0)  # a client of quick jobs
    running = Holder(gate, "first")
    running.entered.wait(5)
    other = Holder(gate, "other")
    waiting(gate, 1)
    for _ in range(20):
        try:
            with gate.enter("flood", wait=5):
                pass
        except Refused:
            pass
    assert gate._usage.score("flood", time.monotonic()) > before + 0.5
    running.release()
    other.entered.wait(5)
    other.release()
    assert other.outcome == "ran"


def test_search_takes_turns_and_a_client_with_no_turn_gets_503_with_retry_after(app):
    """Search runs in the HTTP process: one at a time, the others wait briefly or are refused."""
    gate = app.extensions["kazkg"].search_gate
    client = app.test_client()
    searcher = {"REMOTE_ADDR": "127.0.9.9"}
    assert client.get("/search?q=anything", environ_base=searcher).status_code == 200
    gate._usage.charge("127.0.9.9", time.monotonic(), ran=5.0)  # it searched a lot lately
    holders = [Holder(gate, "a")]
    holders[0].entered.wait(5)
    holders += [Holder(gate, "b"), Holder(gate, "c")]  # the queue is full with lighter clients
    waiting(gate, 2)
    started = time.monotonic()
    # another term: the first one's page is kept now (whatever the Accept header: it is HTML)
    refused = client.get("/search?q=anything+else", headers={"Accept": "application/json"},
                         environ_base=searcher)
    assert time.monotonic() - started < 1
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "2"
    assert "turn to search" in refused.get_json()["error"]["message"]
    release(holders)
    assert [holder.outcome for holder in holders] == ["ran"] * 3


def test_a_new_client_passes_a_queue_of_cheap_searches():
    """The search gate (one slot, a queue of two) full of clients of cheap searches: a client
    never seen goes before them (with the workers' guess of 0.5 s it ranked last)."""
    from kazkg.web.admission import Usage

    gate = Admission(1, queue=2, lane=False, usage=Usage(unknown=0.0))
    now = time.monotonic()
    for n in range(4):
        gate._usage.charge(f"flood{n}", now, ran=0.05)
    running = Holder(gate, "flood0")
    running.entered.wait(5)
    queued = [Holder(gate, f"flood{n}") for n in (1, 2)]
    waiting(gate, 2)
    new = Holder(gate, "new")
    time.sleep(0.2)
    waiting(gate, 2)  # it, or a flood client in its place
    running.release()
    new.entered.wait(5)
    assert new.outcome is None and new.entered.is_set()  # it holds the slot now
    release([new, *queued])
    assert new.outcome == "ran"
    assert sum(isinstance(h.outcome, Refused) for h in queued) == 1  # the worst made room


def test_a_freed_slot_wakes_only_the_job_that_goes_first(monkeypatch):
    """Each waiting job has a bell of its own: a freed slot rings the first in line only (all
    of them were woken at every change, each to find it was not its turn: thread switches that
    cost every query under load), and the others sleep on until their turn."""
    from kazkg.web import admission

    woken = []

    class Counted(threading.Condition):
        def wait(self, timeout=None):
            found = super().wait(timeout)
            if sys._getframe(1).f_code.co_name == "enter":  # a job waiting for its slot
                woken.append(threading.current_thread().name)
            return found

    monkeypatch.setattr(admission.threading, "Condition", Counted)
    gate, running = taken(queue=4, heavy=3.0)
    later = [Holder(gate, name) for name in ("heavy", "second", "third")]
    waiting(gate, 3)
    names = {holder._thread.name: client for holder, client in zip(later, ("heavy", "second",
                                                                          "third"))}
    running.release()
    later[2].entered.wait(5)  # the newest of equals goes first ("heavy" used more)
    time.sleep(0.2)  # time for any other waiter woken to have run
    assert [names[name] for name in woken] == ["third"]
    assert not later[0].entered.is_set() and not later[1].entered.is_set()
    release(later)
    assert all(holder.outcome == "ran" for holder in later)


def test_a_clients_slot_is_worked_out_once_and_the_addresses_kept_are_bounded(monkeypatch):
    from kazkg.web import admission
    from kazkg.web.admission import Usage

    monkeypatch.setattr(admission, "KNOWN_ADDRESSES", 8)
    usage = Usage()
    first = usage._slot("10.0.0.1")
    assert usage._slots == {"10.0.0.1": first}
    for n in range(20):
        usage._slot(f"10.0.1.{n}")
        assert len(usage._slots) <= 8
    assert usage._slot("10.0.0.1") == first  # the same keyed hash when worked out again
    usage.charge("10.0.0.1", time.monotonic(), ran=1.0)
    assert usage.score("10.0.0.1", time.monotonic()) > 1.0
