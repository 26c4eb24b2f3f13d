"""A pool of worker processes that can be killed: the time limit that always holds.

rdflib cannot interrupt a running query (nor pyparsing a huge one), and a thread cannot be
stopped. So every job runs in a separate process, and a job that overruns its limit is ended
with SIGKILL, its worker replaced, and the caller told (`JobTimeout`).

    main process (HTTP threads)                  zygote (single-threaded)
      Pool.borrow() -> Worker  --"spawn"-->   fork() -> worker process
      Worker.call(job, timeout) <--socket-->     runs handler(job), replies

The zygote is forked once, before the HTTP server starts any thread, and holds the loaded
dataset; every worker is forked from it, so workers share the dataset's memory copy-on-write
and a replacement is ready in milliseconds. Forking only from the single-threaded zygote
avoids fork-with-threads hazards in the server. The zygote is also the workers' parent, so it
kills and reaps them (no PID can be reused under our feet). When the main process exits, the
sockets close and the zygote and the workers exit on end-of-file.
"""

from __future__ import annotations

import ctypes
import os
import queue
import resource
import signal
import socket
import struct
import threading
import time
import traceback
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any, Callable

Handler = Callable[[Any], Any]


class PoolError(Exception):
    """The pool cannot run the job: see the subclasses."""


class JobTimeout(PoolError):
    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"the query was stopped after the time limit of {seconds:g} s")


class Busy(PoolError):
    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"every query worker stayed busy for {seconds:g} s; try again later")


class WorkerBug(PoolError):
    """The handler raised: a bug. The message carries the worker's traceback, for the log of
    whoever reports the bug (kazkg.web.errors answers 500, the CLI says "internal error")."""

    def __init__(self, detail: str):
        self.detail = detail
        super().__init__(f"the query worker failed with a bug:\n{detail}")


class WorkerDied(PoolError):
    def __init__(self, detail: str = ""):
        super().__init__("the query worker stopped unexpectedly" + (f" ({detail})" if detail else ""))


# --- inside the zygote and the workers ----------------------------------------------------

def _limit_memory(extra_mb: int) -> None:
    """Cap the worker's address space at what it has now plus `extra_mb`: a query that needs
    more fails with MemoryError in that worker only."""
    if extra_mb <= 0:
        return
    try:
        with open("/proc/self/statm", "rb") as handle:
            pages = int(handle.read().split()[0])
        current = pages * os.sysconf("SC_PAGE_SIZE")
        limit = current + extra_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (OSError, ValueError):  # no /proc (not Linux): run without the cap
        pass


def _worker_loop(sock: socket.socket, handler: Handler, memory_mb: int) -> None:
    _limit_memory(memory_mb)
    conn = Connection(sock.detach())
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = ("ok", handler(job))
        except MemoryError:
            reply = ("memory", None)
        except BaseException:  # a bug in a handler: report it, keep no state
            reply = ("error", traceback.format_exc())
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies, even by SIGKILL: a worker busy
    with a runaway query never reads the end-of-file that would tell it (elsewhere: no-op)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


_PR_SET_PDEATHSIG = 1


def _zygote_loop(sock: socket.socket, handler: Handler, memory_mb: int) -> None:
    """Serve spawn and kill commands from the main process until it goes away; then take the
    workers along, busy ones included."""
    workers: set[int] = set()
    try:
        while True:
            try:
                command = sock.recv(16)
            except OSError:
                return
            if not command:
                return
            kind, pid = struct.unpack("!4sQ", command)
            if kind == b"SPWN":
                ours, theirs = socket.socketpair()
                child = os.fork()
                if child == 0:
                    sock.close()
                    theirs.close()
                    try:
                        _die_with_parent()
                        _worker_loop(ours, handler, memory_mb)
                    finally:
                        os._exit(0)
                ours.close()
                workers.add(child)
                socket.send_fds(sock, [struct.pack("!Q", child)], [theirs.fileno()])
                theirs.close()
            elif kind == b"KILL":
                _kill(pid)
                workers.discard(pid)
                sock.sendall(b"done")
    finally:
        for pid in workers:
            _kill(pid)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


# --- in the main process --------------------------------------------------------------------

class Worker:
    def __init__(self, pid: int, conn: Connection):
        self.pid, self.conn = pid, conn


class Pool:
    """`size` workers forked from one zygote; `borrow()` one, `call()` it with a time limit."""

    def __init__(self, handler: Handler, size: int = 2, memory_mb: int = 0, close_fds=()):
        """`close_fds`: descriptors of this process that the zygote and the workers must not
        keep open (the HTTP listening socket: a worker that held it would hold the port)."""
        self.size = size
        self._lock = threading.Lock()
        self._idle: queue.SimpleQueue[Worker] = queue.SimpleQueue()
        self._all: dict[int, Worker] = {}
        self._closed = False
        self.replaced = 0
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # the zygote
            ours.close()
            for fd in close_fds:
                os.close(fd)
            _die_with_parent()
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                _zygote_loop(theirs, handler, memory_mb)
            finally:
                os._exit(0)
        theirs.close()
        self._zygote_pid, self._zygote = pid, ours
        for _ in range(size):
            self._idle.put(self._spawn())

    def _spawn(self) -> Worker:
        with self._lock:
            self._zygote.sendall(struct.pack("!4sQ", b"SPWN", 0))
            data, fds, _, _ = socket.recv_fds(self._zygote, 8, 1)
        if len(data) != 8 or len(fds) != 1:
            raise PoolError("the worker pool's zygote is gone")
        worker = Worker(struct.unpack("!Q", data)[0], Connection(fds[0]))
        self._all[worker.pid] = worker
        return worker

    def _kill(self, worker: Worker) -> None:
        self._all.pop(worker.pid, None)
        worker.conn.close()
        with self._lock:
            try:
                self._zygote.sendall(struct.pack("!4sQ", b"KILL", worker.pid))
                self._zygote.recv(4)
            except OSError:
                pass

    def _replace(self, worker: Worker) -> None:
        self._kill(worker)
        self.replaced += 1
        if not self._closed:
            self._idle.put(self._spawn())

    @contextmanager
    def borrow(self, wait: float):
        """A worker for the `with` block; Busy if none frees up within `wait` seconds."""
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            raise Busy(wait) from None
        borrowed = _Borrowed(self, worker)
        try:
            yield borrowed
        except PoolError:
            borrowed.done = True  # the failed worker was replaced already
            raise
        finally:
            if not borrowed.done:
                if borrowed.retired:
                    self._replace(worker)
                else:
                    self._idle.put(worker)

    def close(self) -> None:
        self._closed = True
        for worker in list(self._all.values()):
            self._kill(worker)
        self._zygote.close()
        try:
            os.kill(self._zygote_pid, signal.SIGKILL)
            os.waitpid(self._zygote_pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


class _Borrowed:
    def __init__(self, pool: Pool, worker: Worker):
        self.pool, self.worker = pool, worker
        self.done = self.retired = False

    def retire(self) -> None:
        """Replace this worker after its job (its state may be damaged)."""
        self.retired = True

    @property
    def pid(self) -> int:
        return self.worker.pid

    def call(self, job, timeout: float):
        """Send `job`; wait at most `timeout` seconds for the reply, else kill the worker."""
        conn = self.worker.conn
        started = time.monotonic()
        try:
            conn.send(job)
            ready = conn.poll(timeout)
            if ready:
                status, value = conn.recv()
        except (EOFError, OSError) as error:
            self.pool._replace(self.worker)
            raise WorkerDied(type(error).__name__) from None
        if not ready:
            self.pool._replace(self.worker)
            raise JobTimeout(timeout)
        if status == "ok":
            return value
        if status == "memory":
            self.pool._replace(self.worker)  # a fresh process gives the memory back
            raise WorkerDied(f"the query needed more memory than allowed, after "
                             f"{time.monotonic() - started:.1f} s")
        self.pool._replace(self.worker)
        raise WorkerBug(value)
