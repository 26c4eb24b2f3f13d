"""What runs in the worker pool's processes (kazkg.query.workers): the zygote, which forks the
workers, kills them and takes changes of state (writes), and each worker's loop."""

from __future__ import annotations

import ctypes
import logging
import os
import pickle
import resource
import signal
import socket
import struct
import traceback
from multiprocessing.connection import Connection
from typing import Any, Callable

from ..errors import bug_contained

log = logging.getLogger("kazkg.query")
Handler = Callable[[Any], Any]
PIECE = 256 * 1024  # bytes of a long reply per message (kazkg.query.workers.Stream)


class Long:
    """A handler's reply to send in pieces: `head` (the reply without its body) first, then
    `body` PIECE bytes at a time, each sent when the caller has read the one before (the
    socket's buffer is small), so the caller never holds the whole body."""

    def __init__(self, head, body: bytes):
        self.head, self.body = head, body
COMMAND = struct.Struct("!4sQ")  # SPWN, KILL pid, CHNG payload-size
STATUS = struct.Struct("!i")  # the zygote's answer to KILL: the worker's wait status


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        block = sock.recv(min(size - len(data), 1 << 20))
        if not block:
            raise EOFError
        data += block
    return bytes(data)


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
            if isinstance(reply[1], Long):
                _send_long(conn, reply[1])
            else:
                conn.send_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
        except (OSError, ValueError):
            return


def _send_long(conn: Connection, long: Long) -> None:
    body = memoryview(long.body)
    conn.send_bytes(pickle.dumps(("long", (long.head, len(body))), protocol=pickle.HIGHEST_PROTOCOL))
    for start in range(0, len(body), PIECE):
        conn.send_bytes(body[start:start + PIECE])


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies, even by SIGKILL: a worker busy
    with a runaway query never reads the end-of-file that would tell it (elsewhere: no-op)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


_PR_SET_PDEATHSIG = 1


def zygote_loop(sock: socket.socket, handler: Handler, memory_mb: int) -> None:
    """Serve spawn, kill and change commands from the main process until it goes away; then
    take the workers along, busy ones included. A change (a write) goes to the handler's
    `absorb`: every worker forked after it has it."""
    workers: set[int] = set()
    try:
        while True:
            try:
                command = _recv_exact(sock, COMMAND.size)  # a change's payload follows it
            except (OSError, EOFError):
                return
            kind, pid = COMMAND.unpack(command)
            if kind == b"SPWN":
                ours, theirs = socket.socketpair()
                child = os.fork()
                if child == 0:
                    sock.close()
                    theirs.close()
                    try:
                        die_with_parent()
                        _worker_loop(ours, handler, memory_mb)
                    finally:
                        os._exit(0)
                ours.close()
                workers.add(child)
                socket.send_fds(sock, [struct.pack("!Q", child)], [theirs.fileno()])
                theirs.close()
            elif kind == b"KILL":
                status = _kill(pid)
                workers.discard(pid)
                sock.sendall(STATUS.pack(status))  # how it ended: why, if it died by itself
            elif kind == b"CHNG":  # `pid` is the size of the pickled change
                change = pickle.loads(_recv_exact(sock, pid))
                with bug_contained(log, "a write could not be absorbed") as absorbed:
                    handler.absorb(change)
                sock.sendall(b"fail" if absorbed.failed else b"done")  # fail: a 500 (PoolError)
    finally:
        for pid in workers:
            _kill(pid)


def _kill(pid: int) -> int:
    """Kill and reap a worker; its wait status (SIGKILL's, or how it had ended already)."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return 0
