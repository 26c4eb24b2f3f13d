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

import os
import pickle
import queue
import select
import signal
import socket
import struct
import threading
import time
from contextlib import contextmanager
from multiprocessing.connection import Connection

from .poolerrors import Busy, JobTimeout, LongReply, PoolError, WorkerBug, WorkerDied
from .swelling import resident, swollen
from .zygote import COMMAND, STATUS, Handler, die_with_parent, zygote_loop

__all__ = ["Busy", "JobTimeout", "LongReply", "Pool", "PoolError", "WorkerBug", "WorkerDied"]


# --- in the main process --------------------------------------------------------------------

class Worker:
    def __init__(self, pid: int, conn: Connection, generation: int = 0):
        self.pid, self.conn, self.generation = pid, conn, generation
        self.fresh: int | None = None
        self._poll = select.poll()
        self._poll.register(conn.fileno(), select.POLLIN)

    def ready(self, seconds: float) -> bool:
        """Whether the worker's next message (or its end) can be read within `seconds`: one
        poll() of its socket, kept with it (Connection.poll makes a selector at each call)."""
        return bool(self._poll.poll(max(0.0, seconds) * 1000))


class Pool:
    """`size` workers forked from one zygote; `borrow()` one, `call()` it with a time limit."""

    def __init__(self, handler: Handler, size: int = 2, memory_mb: int = 0, close_fds=()):
        """`close_fds`: descriptors of this process that the zygote and the workers must not
        keep open (the HTTP listening socket: a worker that held it would hold the port)."""
        self.size, self.memory_mb = size, memory_mb
        self._lock = threading.Lock()
        self._idle: queue.SimpleQueue[Worker] = queue.SimpleQueue()
        self._all: dict[int, Worker] = {}
        self._closed = False
        self.replaced = 0
        self.generation = 0  # changes handed to the zygote: workers forked before are replaced
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # the zygote
            ours.close()
            for fd in close_fds:
                os.close(fd)
            die_with_parent()
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                zygote_loop(theirs, handler, memory_mb)
            finally:
                os._exit(0)
        theirs.close()
        self._zygote_pid, self._zygote = pid, ours
        for _ in range(size):
            self._idle.put(self._spawn())

    def _spawn(self) -> Worker:
        with self._lock:
            self._zygote.sendall(COMMAND.pack(b"SPWN", 0))
            data, fds, _, _ = socket.recv_fds(self._zygote, 8, 1)
        if len(data) != 8 or len(fds) != 1:
            raise PoolError("the worker pool's zygote is gone")
        worker = Worker(struct.unpack("!Q", data)[0], Connection(fds[0]), self.generation)
        worker.fresh = resident(worker.pid)  # its size when forked: see swelling
        self._all[worker.pid] = worker
        return worker

    def _kill(self, worker: Worker) -> int:
        """Kill a worker; its wait status (0 if unknown)."""
        self._all.pop(worker.pid, None)
        worker.conn.close()
        with self._lock:
            try:
                self._zygote.sendall(COMMAND.pack(b"KILL", worker.pid))
                reply = self._zygote.recv(STATUS.size)
            except OSError:
                return 0
        return STATUS.unpack(reply)[0] if len(reply) == STATUS.size else 0

    def _replace(self, worker: Worker) -> int:
        status = self._kill(worker)
        self.replaced += 1
        if not self._closed:
            self._idle.put(self._spawn())
        return status

    def why(self, status: int) -> str:
        """Why a worker that died by itself ended, for the client (from its wait status)."""
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGABRT and self.memory_mb:
            return (f"the query needed more memory than a worker may use ({self.memory_mb} MiB "
                    "more than it starts with, --worker-memory-mb); ask for fewer solutions")
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGSEGV, signal.SIGBUS):
            return "the query engine crashed on this query; the worker was replaced"
        if os.WIFSIGNALED(status):
            return f"ended by {signal.Signals(os.WTERMSIG(status)).name}"
        return f"exit status {os.WEXITSTATUS(status)}" if os.WIFEXITED(status) else ""

    def change(self, change) -> None:
        """Hand `change` to the zygote's handler (`absorb`: a write), so that every worker
        forked from now on has it; then replace the workers forked before it, the idle ones
        now and the busy ones when their job is done."""
        payload = pickle.dumps(change, protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            self.generation += 1
            self._zygote.sendall(COMMAND.pack(b"CHNG", len(payload)) + payload)
            reply = self._zygote.recv(4)
        if reply != b"done":
            raise PoolError("the worker pool's zygote could not take the change")
        for _ in range(self._idle.qsize()):
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            self._give_back(worker)

    def _give_back(self, worker: Worker) -> None:
        # forked before a change: it holds the old state; or it kept what its job took
        if worker.generation < self.generation or swollen(worker.pid, worker.fresh):
            self._kill(worker)
            if not self._closed:
                self._idle.put(self._spawn())
        else:
            self._idle.put(worker)

    @contextmanager
    def borrow(self, wait: float):
        """A worker for the `with` block; Busy if none frees up within `wait` seconds."""
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            raise Busy(wait) from None
        with self._lent(worker) as borrowed:
            yield borrowed

    def borrow_now(self):
        """borrow() for a caller that does not wait: None when no worker is idle, else the
        context manager borrow() gives, the worker already taken (kazkg.web.inline)."""
        try:
            return self._lent(self._idle.get_nowait())
        except queue.Empty:
            return None

    @contextmanager
    def _lent(self, worker: Worker):
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
                    self._give_back(worker)

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
        started = time.monotonic()
        self.send(job)
        return self.reply(timeout, timeout, started)

    def send(self, job) -> None:
        """Send `job` (its reply comes from reply())."""
        try:
            self.worker.conn.send_bytes(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
        except (EOFError, OSError):
            raise WorkerDied(self.pool.why(self.pool._replace(self.worker))) from None

    def reply(self, wait: float, limit: float, started: float):
        """The reply to the job sent, waiting for it at most `wait` seconds: past that the
        worker is killed (JobTimeout of the time limit, `limit` seconds); `started`: when the
        job was sent (monotonic)."""
        conn = self.worker.conn
        try:
            ready = self.worker.ready(wait)
            if ready:
                status, value = conn.recv()
        except (EOFError, OSError):
            raise WorkerDied(self.pool.why(self.pool._replace(self.worker))) from None
        if not ready:
            self.pool._replace(self.worker)
            raise JobTimeout(limit)
        if status == "ok":
            return value
        if status == "long":  # the head now, the body from pieces()
            return LongReply(*value)
        if status == "memory":
            self.pool._replace(self.worker)  # a fresh process gives the memory back
            raise WorkerDied(f"the query needed more memory than allowed, after "
                             f"{time.monotonic() - started:.1f} s")
        self.pool._replace(self.worker)
        raise WorkerBug(value)

    def pieces(self, size: int, deadline: float, seconds: float):
        """The `size` bytes of a reply sent in pieces (after call() gave its head), one piece
        as the worker sends it; past the monotonic `deadline` the worker is replaced and
        JobTimeout(`seconds`) raised, as it would be for a query that ran too long."""
        conn, got = self.worker.conn, 0
        while got < size:
            try:
                ready = self.worker.ready(deadline - time.monotonic())
                piece = conn.recv_bytes() if ready else None
            except (EOFError, OSError):
                self.done = True
                raise WorkerDied(self.pool.why(self.pool._replace(self.worker))) from None
            if piece is None:
                self.done = True
                self.pool._replace(self.worker)
                raise JobTimeout(seconds)
            got += len(piece)
            yield piece
