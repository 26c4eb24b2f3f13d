"""Readers that never read: connections from a few addresses (127.0.0.31 to .33) that ask for
a large answer and take nothing of it once its status line is in, each holding an HTTP thread
waiting for it, while another client (127.0.0.2) must get every answer within 2 s; and, on
stand-ins, the stall deadline and the caps on waiting threads of kazkg.web.connections.

64 such connections of two addresses once held every thread of a process (waitress's task
thread waits while more than the high watermark is unsent, for as long as the socket is open).
The default run is short; `python -m pytest -m abuse` attacks longer.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import socket
import threading
import time
from types import SimpleNamespace

import pytest

from kazkg.web.connections import SEND_SECONDS, STALL_SECONDS, Table, Waiting
from tests.web.abuse import Prober, full  # noqa: F401
from tests.web.httpraw import request
from tests.web.support import Server

ATTACKERS = ["127.0.0.31", "127.0.0.32", "127.0.0.33"]
DUMP = "/download/kazkg.nq"
WATERMARK = 1 << 20


def test_an_answer_waiting_for_a_reader_that_takes_nothing_is_closed_at_the_stall_deadline():
    table = Table()
    adj = SimpleNamespace(outbuf_high_watermark=WATERMARK)

    class Stand(SimpleNamespace):
        __hash__ = object.__hash__  # counted by identity, as a channel is

    def channel(client, unsent, active=0.0, waited=0.0):
        stand = Stand(client=client, last_activity=active, began=0.0, answered=True,
                      requests=["being answered"], total_outbufs_len=unsent, request=None,
                      will_close=False, close_when_flushed=False, lingering=lambda: False,
                      adj=adj, waited=lambda now: waited + now, closed=False)
        stand.handle_close = lambda: setattr(stand, "closed", True)
        return stand

    stalled, computing = channel("10.0.0.1", WATERMARK + 1), channel("10.0.0.2", 100)
    # one that takes a little now and then: active lately, waiting SEND_SECONDS in all
    trickled = channel("10.0.0.3", WATERMARK + 1, active=STALL_SECONDS, waited=SEND_SECONDS - 5.05)
    for each in (stalled, computing, trickled):
        table.admit(each)
    assert table.expire(STALL_SECONDS - 0.1) == 0
    assert table.expire(STALL_SECONDS + 0.1) == 2 and stalled.will_close and trickled.will_close
    # closed at once: the loop would wait for the socket to take more, which it never does
    assert stalled.closed and trickled.closed
    assert not computing.will_close  # under the watermark its thread is not waiting


def test_waiting_threads_are_capped_per_address_and_in_all():
    waiting = Waiting(per_client=2, limit=3)
    assert waiting.enter("a") and waiting.enter("a") and not waiting.enter("a")
    assert waiting.enter("b") and not waiting.enter("c")  # the process's cap
    waiting.leave("a")
    assert waiting.enter("c") and not waiting.enter("a")
    waiting.leave("b")
    assert waiting.enter("a")


def dump_server(folder, *args) -> Server:
    """A server (`args`) of data whose dump is ~5 MB, that dump made."""
    data = folder / "big.nt"
    text = "x" * 1000
    data.write_text("".join(f'<http://example.org/s{n}> <http://example.org/p> "{n}{text}" .\n'
                            for n in range(5000)))
    srv = Server([str(data), *args])
    for _ in range(60):  # the dump is serialised on its first request (503 until then)
        if request(srv.url.rstrip("/"), "GET", DUMP).status == 200:
            break
        time.sleep(1)
    return srv


@pytest.fixture(scope="module")
def dumped(private_cache, tmp_path_factory):
    """Two HTTP processes (32 threads each, as by default) of data whose dump is ~5 MB."""
    srv = dump_server(tmp_path_factory.mktemp("readers"), "--processes", "2", "--workers", "2")
    yield srv
    srv.stop()


def hold(port: int, seconds: float, per_address: int, held: float) -> dict:
    """_hold() in a process of its own (its threads would hold the GIL from the prober)."""
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as apart:
        return apart.submit(_hold, port, seconds, per_address, held).result(timeout=seconds + 60)


def _hold(port: int, seconds: float, per_address: int, held: float) -> dict:
    """`per_address` connections of each of ATTACKERS, each asking for the dump with a small
    receive buffer, reading its status line and nothing more, kept `held` seconds and opened
    again, for `seconds`: how many answers began (200) and the other outcomes."""
    outcomes: dict[str, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def attack(source):
        while time.monotonic() < stop:
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.settimeout(10)
            try:
                sock.bind((source, 0))
                sock.connect(("127.0.0.1", port))
                sock.sendall(f"GET {DUMP} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                head = sock.recv(12, socket.MSG_WAITALL)  # "HTTP/1.1 200", no more
                status = head[9:].decode() or "none"
            except OSError as error:
                status = type(error).__name__
            with lock:
                outcomes[status] = outcomes.get(status, 0) + 1
            if status == "200":
                time.sleep(max(0.0, min(held, stop - time.monotonic())))
            else:
                time.sleep(0.2)
            sock.close()

    threads = [threading.Thread(target=attack, args=(source,), daemon=True)
               for source in ATTACKERS for _ in range(per_address)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.abuse
@pytest.mark.slow
def test_readers_that_never_read_hold_no_thread_another_client_needs(dumped, full):
    with Prober(dumped.port) as prober:
        seen = hold(dumped.port, 30 if full else 10, 40, STALL_SECONDS * 2)
    prober.check()
    assert seen.get("200", 0) >= 16, seen  # answers began, and waited for their readers


def asked(port: int, source: str, buffer: int = 4096) -> socket.socket:
    """A connection from `source` with a small receive buffer that has asked for the dump."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, buffer)
    sock.settimeout(10)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    sock.sendall(f"GET {DUMP} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    return sock


def download(port: int, source: str) -> tuple[int, int]:
    """(Content-Length, bytes of the body received) of the dump read at about 3 MB/s: its
    thread waits for it now and then (the kernel's buffers take less than the dump)."""
    with asked(port, source, 65536) as sock:
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(4096)
        head, body = data.split(b"\r\n\r\n", 1)
        size = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")))
        got = len(body)
        while got < size:
            try:
                chunk = sock.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            got += len(chunk)
            time.sleep(0.02)
    return size, got


@pytest.mark.abuse
@pytest.mark.slow
def test_readers_that_trickle_free_the_threads_they_hold(private_cache, tmp_path_factory):
    """Four addresses, each a connection that reads a byte of the dump every 2 s: each holds
    one of the 4 threads of 8 that may wait for readers, until the stall deadline closes it.
    Before, the deadline marked them, but the loop closes a connection only when its socket
    takes more, which such a socket never does: they held all 4 for as long as they were
    open, and the dump for anyone else (127.0.0.2) was cut as soon as its thread had to wait."""
    srv = dump_server(tmp_path_factory.mktemp("trickled"), "--processes", "1", "--threads", "8",
                      "--workers", "2")
    stop = threading.Event()
    tricklers = [asked(srv.port, f"127.0.0.{41 + n}") for n in range(4)]

    def trickle():
        while not stop.wait(2):
            for sock in tricklers:
                try:
                    sock.recv(1)
                except OSError:
                    pass

    reader = threading.Thread(target=trickle, daemon=True)
    reader.start()
    try:
        with Prober(srv.port) as prober:
            time.sleep(STALL_SECONDS + 3)
            size, got = download(srv.port, "127.0.0.2")
        prober.check()
        assert got == size > 4_000_000, (got, size)
    finally:
        stop.set()
        reader.join()
        for sock in tricklers:
            sock.close()
        srv.stop()
