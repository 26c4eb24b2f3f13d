"""Connections shared out evenly between the HTTP processes of kazkg serve.

The HTTP processes accept on one listening socket, and the first to wake takes every
connection waiting (kazkg.web.httpserver accepts them in a batch): wrk's 8 keep-alive
connections, opened at once, often all went to one process, so that one process and its one
core answered every request while the other idled. So each process counts its open
connections in memory that all of them share (made by the supervisor before it forks them),
and says there whether it is listening. One that holds more connections than another that is
listening leaves the listening socket to it (out of its own poll until it looks again, at its
next event or within LOOK_SECONDS); the others are never waited for, so a connection is never
left to a process that is not looking (400 idle connections opened at once kept a probe
waiting 2.3 s while each process waited for the other). A process still starting counts as
one listening with no connection for up to START_SECONDS: the first to be ready would
otherwise take every connection of a client that starts as soon as the server answers.
"""

from __future__ import annotations

import mmap
import time

LOOK_SECONDS = 0.02
START_SECONDS = 1.0
NOT_LISTENING = 1 << 62  # a process gone: never the one to wait for
# A process starting holds minus the time (monotonic, in ms: the same clock in every process)
# until which it counts as one listening with no connection.


class Balance:
    """The open connections of each of `processes` HTTP processes, and whether each listens."""

    def __init__(self, processes: int):
        self._memory = mmap.mmap(-1, processes * 9)  # anonymous and shared: kept by a fork
        self._counts = memoryview(self._memory)[:processes * 8].cast("q")
        self._listening = memoryview(self._memory)[processes * 8:]
        for slot in range(processes):
            self._counts[slot] = NOT_LISTENING
        self.slot: int | None = None

    def starting(self, slot: int) -> None:
        """In the supervisor: the process of `slot` is being started."""
        self._counts[slot] = -int((time.monotonic() + START_SECONDS) * 1000)
        self._listening[slot] = 0

    def away(self, slot: int) -> None:
        """In the supervisor: the process of `slot` has ended."""
        self._counts[slot] = NOT_LISTENING
        self._listening[slot] = 0

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
        """Whether this process holds more connections than another that is listening."""
        if self.slot is None:
            return False
        mine, now = self._counts[self.slot], None
        for slot, count in enumerate(self._counts):
            if count < 0:  # starting: listening with no connection, for a while
                now = now or time.monotonic() * 1000
                if now < -count and mine > 0:
                    return True
            elif count < mine and self._listening[slot]:
                return True
        return False

    def watch(self, listener) -> None:
        """Make a waitress listening dispatcher stop listening while this process is ahead
        (its own checks, the connection limit and the clean-up of idle channels, still run
        first), and count the channels it opens (its channel_class calls opened and closed)."""
        listener.channel_class.balance = self
        readable = listener.readable

        def listening() -> bool:
            found = readable() and not self.ahead()
            if self.slot is not None:
                self._listening[self.slot] = found
            return found

        listener.readable = listening
        listener.adj.asyncore_loop_timeout = LOOK_SECONDS
