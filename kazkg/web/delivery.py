"""A large answer passed on piece by piece as its worker sends it: the HTTP process holds a
piece or two of it (and waitress up to its high watermark), never the whole answer.

The worker stays borrowed, and its client's slot taken (kazkg.web.admission), until the last
piece is read; the query's time limit runs on through the sending, so a reader too slow for
it has its answer cut (the connection closes short of the Content-Length, the only signal
HTTP/1.1 has once the headers are out) and the worker is replaced at the limit, whether or
not the HTTP thread is still waiting for the reader at that moment.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import ExitStack

from ..query.workers import PoolError

log = logging.getLogger("kazkg.web")


class Delivery:
    """The body of a response: iterate for its pieces; `size` bytes in all. `held` (the worker
    and the admission slot) is let go when the last piece is read, when the server closes the
    response early (the client went away) or at the `deadline` (monotonic seconds)."""

    def __init__(self, worker, held: ExitStack, size: int, deadline: float, seconds: float):
        self.size = size
        self._worker, self._held = worker, held
        self._pieces = worker.pieces(size, deadline, seconds)
        self._sent = 0
        self._lock = threading.Lock()
        self._open = True
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._expire,
                                      args=(seconds,))
        self._timer.daemon = True
        self._timer.start()

    def __iter__(self):
        while True:
            with self._lock:
                if not self._open:
                    return
                try:
                    piece = next(self._pieces)
                except StopIteration:
                    self._let_go()
                    return
                except PoolError as error:  # the time limit, or the worker died: cut here
                    log.warning("kazkg: an answer of %d bytes was cut after %d: %s",
                                self.size, self._sent, error)
                    self._let_go()
                    return
                self._sent += len(piece)
            yield piece

    def close(self) -> None:
        """The server is done with the response (a HEAD, which sends no body, or a client that
        went away): what the worker has still to send is read and dropped, so that it is free
        for the next job (what is left in its pipe would be read as that job's answer). The
        answer is made already, so this is a copy through a pipe (about 5 ms for 5 MB); had
        the worker been replaced instead, every HEAD of a large answer cost a new worker. A
        worker that sends nothing by the deadline is replaced (kazkg.query.workers)."""
        with self._lock:
            if self._open:
                try:
                    for _ in self._pieces:
                        pass
                except PoolError:
                    pass  # replaced already
                self._let_go()

    def _expire(self, seconds: float) -> None:
        with self._lock:
            if self._open:
                log.warning("kazkg: an answer of %d bytes was cut after %d: its reader was "
                            "too slow for the time limit of %g s", self.size, self._sent, seconds)
                self._worker.retire()
                self._let_go()

    def _let_go(self) -> None:
        self._open = False
        self._timer.cancel()
        self._held.close()
