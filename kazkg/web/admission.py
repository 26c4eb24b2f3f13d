"""Who gets the next free slot (a query worker, or the HTTP process's turn to search), who
waits, and who is refused at once: fairness between clients.

Slots are few (two query workers per HTTP process by default) and so are HTTP threads (32):
a job waiting for a slot holds a thread, so few may wait and not for long. Forty-eight
addresses each sending one slow query used to hold every thread for five seconds, and a
cached answer for anyone else waited behind them. The rules:
- a short queue: at most `queue` jobs wait, each at most `wait` seconds, so a gate holds at
  most `slots + queue` HTTP threads and the others stay free for cached answers and pages;
- the waiting job of the client that used least goes first: fewest jobs running, then its
  use lately (seconds of work; per refusal REQUEST_COST and the seconds it waited for
  nothing; halving every HALF_LIFE seconds) plus what its jobs typically take, so a client
  of cheap queries passes one of runaways; among equals the newest (under overload the
  oldest waiter is the nearest to giving up);
- a job that finds the queue full takes the place of the worst waiter if it ranks before it
  (that one gets a fast 503), else gets the fast 503 itself; either way with Retry-After;
- for the query workers, a lane kept free: at most `slots - 1` jobs run with the full time
  limit at once; a job that starts while they are all taken runs in the lane, stopped after
  LANE_SECONDS (503 with Retry-After), so the lane is free again within that time; a job
  that may not be cut short so (a dump: it has its own time limit) never takes the lane, it
  waits for a worker of its own.
So a client new to the server, or one that asked little lately, is answered within about a
second whatever the others do; the clients that keep every slot busy get fast 503s.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import itertools
import mmap
import os
import threading
import time
from array import array
from contextlib import contextmanager

from ..query.workers import Busy

LANE_SECONDS = 1.0
HALF_LIFE = 10.0  # seconds after which a client's past use counts half
REQUEST_COST = 0.05  # seconds of use charged per refusal: a flood of refusals counts
UNKNOWN_COST = LANE_SECONDS / 2  # what the next job of a client never run is assumed to take
# Scores this close are equal (the newest job first): a client refused once is not kept
# waiting behind a stream of new addresses, nor is a new one behind those refused once.
EQUAL = 2 * REQUEST_COST
RETRY_SECONDS = 2
KNOWN_ADDRESSES = 4096
_own = threading.local()


@functools.lru_cache(maxsize=4096)
def client_of(address: str | None) -> str | None:
    """Who `address` is for the caps and the fair shares: an IPv4 address itself (one mapped
    into IPv6, ::ffff:a.b.c.d, as that); an IPv6 address, its /64: a site or a home holds a
    whole /64 (2^64 addresses), so one client counted per address could take as many shares
    as it liked by sending from another; None and what is no address as they are."""
    if not address or ":" not in address:
        return address
    try:
        found = ipaddress.IPv6Address(address.split("%", 1)[0])
    except ValueError:
        return address
    if found.ipv4_mapped is not None:
        return str(found.ipv4_mapped)
    return str(ipaddress.IPv6Network(f"{found}/64", strict=False))


@contextmanager
def ours():
    """Jobs started in this block are the server's own (the pages' shared lookups, computed
    once per dataset): they go first, are never refused for a full queue and may take the last
    worker at the full time limit. Blocks may nest (a lookup that needs another): the outer
    one's jobs stay the server's own after the inner one ends."""
    before, _own.active = is_ours(), True
    try:
        yield
    finally:
        _own.active = before


def is_ours() -> bool:
    """Whether the job about to start is the server's own (in an `ours` block)."""
    return getattr(_own, "active", False)


class Refused(Busy):
    """No slot for this job: the queue was full of jobs of clients that used less."""

    def __init__(self, what: str):
        self.seconds = 0.0
        Exception.__init__(self, f"every {what} is busy and the jobs waiting for one are of "
                                 f"clients that asked less lately; try again in {RETRY_SECONDS} s")


class Usage:
    """What each client used lately (seconds, halving every HALF_LIFE seconds) and how long
    its jobs take (a moving average of their run time; UNKNOWN_COST for a new client).

    Kept in memory shared by every HTTP process forked after it is made: a client's
    connections reach any of them, and a client charged in one must not be new in another.
    A client is a slot found by a keyed hash of its address; two clients share a slot rarely
    (SLOTS of them), and no client can choose to share the slot of another."""

    SLOTS = 1 << 16

    def __init__(self, unknown: float = UNKNOWN_COST):
        self.unknown = unknown  # what a client never charged is taken to cost
        self._memory = mmap.mmap(-1, self.SLOTS * 3 * 8)  # anonymous and shared: kept by a fork
        self._cells = memoryview(self._memory).cast("d")
        self._key = os.urandom(16)
        self._slots: dict = {}  # address -> its slot, for up to KNOWN_ADDRESSES of them

    def _slot(self, client) -> int:
        slot = self._slots.get(client)
        if slot is None:  # a keyed hash, worked out once per address (a job asks 3-7 times)
            digest = hashlib.blake2b(str(client).encode("utf-8", "replace"), key=self._key,
                                     digest_size=8).digest()
            slot = int.from_bytes(digest, "little") % self.SLOTS * 3
            if len(self._slots) >= KNOWN_ADDRESSES:
                self._slots = {}
            self._slots[client] = slot
        return slot

    def _read(self, slot: int, now: float) -> tuple[float, float]:
        amount, when, typical = self._cells[slot:slot + 3]
        if when == 0.0:  # never charged
            return 0.0, self.unknown
        return amount * 0.5 ** (max(0.0, now - when) / HALF_LIFE), typical

    def score(self, client, now: float) -> float:
        """Use so far plus the likely cost of the next job: lower goes first."""
        amount, typical = self._read(self._slot(client), now)
        return amount + typical

    def charge(self, client, now: float, ran: float | None = None, waited: float = 0.0) -> None:
        """One job of `client` ended: refused after waiting `waited` seconds (`ran` None), or
        after running `ran` seconds. (Two processes charging one slot at the same moment may
        lose one of the charges: a small error, and no lock between processes.)"""
        slot = self._slot(client)
        amount, typical = self._read(slot, now)
        if ran is None:
            amount += REQUEST_COST + waited
        else:
            amount += ran
            typical = (typical + ran) / 2
        self._cells[slot:slot + 3] = array("d", (amount, now, typical))


class Admission:
    def __init__(self, slots: int, queue: int, lane: bool = True, what: str = "query worker",
                 usage: Usage | None = None):
        self.slots, self.queue, self.what = slots, max(1, queue), what
        self.full = slots - 1 if lane and slots > 1 else slots  # one slot: no lane to keep
        self._running: dict = {}  # client -> jobs running
        self._busy = self._busy_full = 0
        self._waiting: dict = {}  # ticket -> client
        self._own: set = set()  # tickets of the server's own jobs
        self._evicted: set = set()  # tickets whose place a better job took
        self._no_lane: set = set()  # tickets of jobs that wait for a slot outside the lane
        self._usage = usage or Usage()
        self._tickets = itertools.count()
        self._lock = threading.Lock()
        self._bells: dict = {}  # ticket -> the Condition (on _lock) its job waits on

    def _rank(self, ticket, now: float) -> tuple:
        client = self._waiting[ticket]
        return (ticket not in self._own, self._running.get(client, 0),
                int(self._usage.score(client, now) / EQUAL), -ticket)

    def _first(self, now: float):
        """The waiting job that goes first, among those that could start now (None: none)."""
        lane_only = self._busy_full >= self.full
        return min((t for t in self._waiting if t not in self._evicted
                    and not (lane_only and t in self._no_lane)),
                   key=lambda t: self._rank(t, now), default=None)

    def _make_room(self, ticket, now: float) -> None:
        """With more jobs waiting than the queue holds, the worst of them is refused: the new
        one (Refused raised here) or one already waiting (it raises when it wakes)."""
        waiting = [t for t in self._waiting if t not in self._own and t not in self._evicted]
        if len(waiting) <= self.queue + max(0, self.slots - self._busy):
            return
        worst = max(waiting, key=lambda t: self._rank(t, now))
        if worst == ticket:
            raise Refused(self.what)
        self._evicted.add(worst)
        self._ring(worst)  # it is told at once, not at the end of its wait

    def _ring(self, ticket) -> None:
        bell = self._bells.get(ticket)
        if bell is not None:
            bell.notify()

    def _next(self) -> None:
        """Wake the job that goes first, if a slot is free for it: only that one (waking every
        waiter at each change cost each job several thread switches, under load)."""
        if self._busy < self.slots and len(self._waiting) > len(self._evicted):
            first = self._first(time.monotonic())
            if first is not None:
                self._ring(first)

    @contextmanager
    def enter(self, client, wait: float, lane_ok: bool = True):
        """A slot for one job of `client` for the `with` block; it yields True when the job
        runs in the lane (the caller shortens its time limit to LANE_SECONDS). Busy (or its
        Refused) when there is none for it. With `lane_ok` False the job never runs in the lane:
        it waits for a slot that has the full time limit."""
        own = is_ours()
        with self._lock:
            now = time.monotonic()
            deadline = now + wait
            ticket = next(self._tickets)
            self._waiting[ticket] = client
            if own:
                self._own.add(ticket)
            if not lane_ok:
                self._no_lane.add(ticket)
            try:
                if not own:
                    self._make_room(ticket, now)
                while True:
                    if ticket in self._evicted:
                        raise Refused(self.what)
                    if self._busy < self.slots:
                        first = self._first(time.monotonic())
                        if first == ticket:
                            break
                        if first is not None:  # woken in its place (the ranks moved with time)
                            self._ring(first)
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise Busy(wait)
                    bell = self._bells.get(ticket) or self._bells.setdefault(
                        ticket, threading.Condition(self._lock))
                    bell.wait(left)
            except BaseException as error:
                if isinstance(error, Busy):  # it held a place in the queue for nothing: use too
                    self._usage.charge(client, time.monotonic(), waited=time.monotonic() - now)
                self._leave(ticket)
                self._next()  # the next in line may be able to start now
                raise
            self._leave(ticket)
            lane = self._busy_full >= self.full and not own
            counted = not lane and not own  # the server's own jobs take no client's slot
            self._busy += 1
            self._busy_full += counted
            self._running[client] = self._running.get(client, 0) + 1
            self._next()  # a slot may still be free, for the job now first
        started = time.monotonic()
        try:
            yield lane
        finally:
            with self._lock:
                now = time.monotonic()
                self._usage.charge(client, now, ran=now - started)
                self._busy -= 1
                self._busy_full -= counted
                left = self._running[client] - 1
                if left:
                    self._running[client] = left
                else:
                    del self._running[client]
                self._next()

    def _leave(self, ticket) -> None:
        del self._waiting[ticket]
        self._bells.pop(ticket, None)
        self._own.discard(ticket)
        self._evicted.discard(ticket)
        self._no_lane.discard(ticket)
