"""Who gets the next free query worker, and for how long: fairness between clients.

A runaway query holds its worker until the time limit, so a few clients sending runaways
could otherwise keep every worker busy and every other client waiting. Two rules keep a
cheap query from anyone answered within about LANE_SECONDS:
- a lane kept free: at most `workers - 1` jobs run with the full time limit at once; a job
  that starts while they are all taken runs in the lane, stopped after LANE_SECONDS (503 with
  Retry-After), so the lane is free again within that time whatever the other jobs do;
- the waiting jobs of a client with the fewest jobs running go first, so a client that
  already holds workers cannot crowd out one that holds none.
A job that cannot start within `wait` seconds gets a fast 503 (Busy), not a long wait.
"""

from __future__ import annotations

import itertools
import threading
import time
from contextlib import contextmanager

from ..query.workers import Busy

LANE_SECONDS = 1.0
_own = threading.local()


@contextmanager
def ours():
    """Jobs started in this block are the server's own (the pages' shared lookups, computed
    once per dataset): they may take the last worker at the full time limit."""
    _own.active = True
    try:
        yield
    finally:
        _own.active = False


class Admission:
    def __init__(self, workers: int):
        self.workers = workers
        self.full = workers - 1 if workers > 1 else 1  # one worker: no lane to keep
        self._running: dict = {}  # client -> jobs running
        self._busy = self._busy_full = 0
        self._waiting: dict = {}  # ticket -> client
        self._tickets = itertools.count()
        self._changed = threading.Condition()

    def _first(self):
        """The waiting ticket to start next: its client runs fewest jobs, then first come."""
        return min(self._waiting, key=lambda t: (self._running.get(self._waiting[t], 0), t))

    @contextmanager
    def enter(self, client, wait: float):
        """A slot for one job of `client` for the `with` block; it yields True when the job
        runs in the lane (the caller shortens its time limit to LANE_SECONDS)."""
        deadline = time.monotonic() + wait
        with self._changed:
            ticket = next(self._tickets)
            self._waiting[ticket] = client
            try:
                while self._busy >= self.workers or self._first() != ticket:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise Busy(wait)
                    self._changed.wait(left)
            finally:
                del self._waiting[ticket]
                self._changed.notify_all()  # the next in line may be able to start now
            own = getattr(_own, "active", False)
            lane = self._busy_full >= self.full and not own
            counted = not lane and not own  # the server's own jobs take no client's slot
            self._busy += 1
            self._busy_full += counted
            self._running[client] = self._running.get(client, 0) + 1
        try:
            yield lane
        finally:
            with self._changed:
                self._busy -= 1
                self._busy_full -= counted
                left = self._running[client] - 1
                if left:
                    self._running[client] = left
                else:
                    del self._running[client]
                self._changed.notify_all()
