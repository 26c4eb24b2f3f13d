"""Connections shared out evenly between the HTTP processes of kazkg serve.

The HTTP processes accept on one listening socket, and the first to wake takes every
connection waiting (kazkg.web.httpserver accepts them in a batch): wrk's 8 keep-alive
connections, opened at once, often all went to one process, so that one process and its one
core answered every request while the other idled. So each process counts its open
connections in memory that all of them share (made by the supervisor before it forks them),
and one that holds more than another stops listening until the other has caught up. A process
looks again at least every LOOK_SECONDS (its poll loop's timeout), so a connection waits at
most that long when the process it was left to is idle. A process still starting counts as
one with no connection for up to START_SECONDS: the first to be ready would otherwise take
every connection of a client that starts as soon as the server answers.
"""

from __future__ import annotations

import mmap
import time

LOOK_SECONDS = 0.02
START_SECONDS = 1.0
NOT_LISTENING = 1 << 62  # a process gone: never the one to wait for
# A process starting holds minus the time (monotonic, in ms: the same clock in every process)
# until which it counts as one with no connection.


class Balance:
    """The open connections of each of `processes` HTTP processes, one slot each."""

    def __init__(self, processes: int):
        self._memory = mmap.mmap(-1, processes * 8)  # anonymous and shared: kept by a fork
        self._counts = memoryview(self._memory).cast("q")
        for slot in range(processes):
            self._counts[slot] = NOT_LISTENING
        self.slot: int | None = None

    def starting(self, slot: int) -> None:
        """In the supervisor: the process of `slot` is being started."""
        self._counts[slot] = -int((time.monotonic() + START_SECONDS) * 1000)

    def away(self, slot: int) -> None:
        """In the supervisor: the process of `slot` has ended."""
        self._counts[slot] = NOT_LISTENING

    def join(self, slot: int) -> None:
        """In an HTTP process, once it listens: it holds `slot`, with no connection yet."""
        self.slot = slot
        self._counts[slot] = 0

    def opened(self) -> None:  # the caller holds a lock: one process writes its own slot only
        if self.slot is not None:
            self._counts[self.slot] += 1

    def closed(self) -> None:
        if self.slot is not None:
            self._counts[self.slot] -= 1

    def ahead(self) -> bool:
        """Whether this process holds more connections than another that listens."""
        if self.slot is None:
            return False
        mine, low = self._counts[self.slot], min(self._counts)
        if low >= 0:  # none starting: asked at every turn of the poll loop, so kept short
            return low < mine
        now = None
        for count in self._counts:
            if count < 0:  # starting: no connection yet, for a while
                now = now or time.monotonic() * 1000
                count = 0 if now < -count else NOT_LISTENING
            if count < mine:
                return True
        return False

    def watch(self, listener) -> None:
        """Make a waitress listening dispatcher stop listening while this process is ahead
        (its own checks, the connection limit and the clean-up of idle channels, still run
        first), and count the channels it opens (its channel_class calls opened and closed)."""
        listener.channel_class.balance = self
        readable = listener.readable
        listener.readable = lambda: readable() and not self.ahead()
        listener.adj.asyncore_loop_timeout = LOOK_SECONDS
