"""Running the app: waitress in production, Flask's development server only for --debug.

One Python process cannot use more than one core for HTTP (the GIL), and on the benchmark's
all-unique query mix the HTTP process, not the query workers, was the bottleneck. So read-only
serving forks `processes` HTTP processes that accept on one shared listening socket, each with
its own waitress threads, worker pool and answer cache:

    kazkg serve (supervisor: binds the port, restarts a front that dies, stops them all)
      front 1: waitress threads -> its own zygote -> query workers
      front 2: ...

The dataset and Oxigraph's copy of it are loaded once, before the fronts are forked, so every
process shares them copy-on-write. The fronts share the connections out evenly
(kazkg.web.balance): the first to wake would take every connection waiting. Writes (--enable-update) keep one process: the update log
lives in that process's memory. What one connection or one client may cost in each front is
set in kazkg.web.httpserver; how the query workers are shared out, in kazkg.web.admission.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
import traceback

from flask import Flask

from .app import local_root
from . import pagecache, warmup
from .balance import Balance
from .service import QUEUE_SECONDS

log = logging.getLogger("kazkg.web")


def configure_logging() -> None:
    """One line per request on standard error (the kazkg.web logger)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%dT%H:%M:%S"))
    logger = logging.getLogger("kazkg.web")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no second line per request


# Connections the kernel holds before they are accepted (somaxconn caps it). A queue is worth
# only what the loop drains well within a client's 2 s: a flood keeps it full, and a new
# client waits behind all of it (4,096 queued: probes 2-6 s at load 9; 1,024: under 1.2 s).
BACKLOG = 1024


def listen(host: str, port: int) -> list[socket.socket]:
    """Listening sockets on every address `host` resolves to (as waitress itself would bind,
    e.g. both 127.0.0.1 and ::1 for a dual-stack "localhost"); OSError when one is taken."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    sockets: list[socket.socket] = []
    try:
        for family, _, _, _, address in dict.fromkeys(found):
            sockets.append(socket.create_server(address[:2], family=family, backlog=BACKLOG,
                                                dualstack_ipv6=False))
    except OSError:
        for opened in sockets:
            opened.close()
        raise
    return sockets


def banner(app: Flask, built, host: str, port: int, processes: int, seconds: float) -> str:
    """What `kazkg serve` says when it is ready: the dataset, the endpoint and its limits."""
    config, workers = app.config, app.config["WORKERS"]
    served = app.extensions["kazkg"]  # its version: the build's, and the writes kept since
    return (f"kazkg serve: dataset {served.data_version} ({served.meta.triples} "
            f"triples, {'cache' if built.from_cache else 'built'}) ready in {seconds:.1f}s\n"
            f"  web pages        {local_root(host, port)}\n"
            f"  SPARQL endpoint  {local_root(host, port)}sparql  (query timeout "
            f"{config['QUERY_TIMEOUT']:g}s, {processes} HTTP process{'es' if processes > 1 else ''}"
            f" x {workers} worker{'s' if workers > 1 else ''}, result limit "
            f"{config['RESULT_LIMIT']}, updates {'ON' if config['ENABLE_UPDATE'] else 'off'})")


def run(app: Flask, listeners: list[socket.socket], host: str, port: int, *, threads: int = 8,
        processes: int = 1, debug: bool = False, announce=lambda: None) -> None:
    """Serve `app` on `listeners` until SIGINT or SIGTERM. The app's worker pool must not have
    been started: each HTTP process starts its own. `announce()` is called when the server
    is ready, just before it answers (after the lookups and the first pages: kazkg.web.warmup)."""
    configure_logging()
    app.config["THREADS"] = threads  # the worker queue's length is taken from it
    app.config["DUMP_WAIT"] = QUEUE_SECONDS  # a dump being made: then 503 (kazkg.web.dumps)
    app.extensions["kazkg-pages"].max_bytes = pagecache.budget(processes)
    service = app.extensions["kazkg"]
    if debug:
        # The reloader would fork a second copy of the server and its worker pool.
        service.start()
        announce()
        try:
            app.run(host=host, port=port, debug=True, use_reloader=False, threaded=True)
        finally:
            service.close()
        return
    fds = [sock.fileno() for sock in listeners]
    if processes <= 1:
        service.start(close_fds=fds)
        warmup.warm(app)  # before answering: else the first requests all wait for it
        announce()
        _serve(app, listeners, threads)
        return
    # The pages' lookups once, before the fronts fork (they all inherit them), on a pool of
    # their own: computed by each front after it answers, they took its one core from the
    # first requests for seconds (and every search waited for its index).
    service.start(close_fds=fds, poll=False)
    try:
        warmup.warm(app)
    finally:
        service.close()
    announce()
    if not Supervisor(app, listeners, threads, processes).run():
        raise SystemExit(1)  # gave up: let a service manager see the failure


def _serve(app: Flask, listeners: list[socket.socket], threads: int, balance=None,
           slot: int = 0) -> None:
    """waitress on `listeners` until the process is stopped; then the worker pool goes too.
    `balance`: the kazkg.web.balance.Balance of the HTTP processes, this one holding `slot`."""
    from . import dumps
    from .httpserver import serve

    service = app.extensions["kazkg"]
    def warm_up():
        warmup.warm(app)
        if app.config["DUMPS_AT_START"]:  # every dump, in the background at a low priority, so
            # that a client rarely waits for one (kazkg.web.making); and again after each write
            dumps.prepare(service, app.config["DUMP_TIMEOUT"])

    warm = threading.Thread(target=warm_up, daemon=True)

    def ready():
        if balance is not None:
            balance.join(slot)  # from now on, connections may be left to this process
        warm.start()

    try:
        serve(app, listeners, threads, app.config["BODY_LIMIT"], ready=ready, balance=balance,
              backlog=BACKLOG)
    finally:
        service.close()


class Supervisor:
    """Forks the HTTP processes, restarts one that dies, and stops them all on SIGINT/SIGTERM.
    A front whose supervisor is gone (even killed with SIGKILL) sees its pipe close and exits."""

    RESTARTS_PER_MINUTE = 10  # a front that keeps dying is a bug, not bad luck: give up

    def __init__(self, app: Flask, listeners: list[socket.socket], threads: int, processes: int):
        self.app, self.listeners, self.threads, self.processes = app, listeners, threads, processes
        self.fronts: dict[int, int] = {}  # pid -> its slot in the balance
        self.balance = Balance(processes)
        self.restarts: list[float] = []
        self._alive_read, self._alive_write = os.pipe()

    def run(self) -> bool:
        """Serve until stopped: True when stopped by a signal, False when it gave up."""
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for slot in range(self.processes):
                self._fork(slot)
            while True:
                pid, status = os.wait()
                if pid in self.fronts:
                    slot = self.fronts.pop(pid)
                    self.balance.away(slot)
                    if not self._restart(pid, status, slot):
                        return False
        except _Stopped:
            return True
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._stop_fronts()

    def _fork(self, slot: int) -> None:
        self.balance.starting(slot)
        pid = os.fork()
        if pid == 0:
            code = 1  # until it has served to the end
            try:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    signal.signal(sig, signal.SIG_DFL)
                os.close(self._alive_write)
                # the zygote is forked here, before any thread
                inherited = [sock.fileno() for sock in self.listeners] + [self._alive_read]
                self.app.extensions["kazkg"].start(close_fds=inherited)
                threading.Thread(target=self._exit_with_supervisor, daemon=True).start()
                _serve(self.app, self.listeners, self.threads, self.balance, slot)
                code = 0
            finally:
                # A front never returns into the supervisor's code, whatever ended it; nothing
                # is caught: what ended it early is printed as the interpreter would print it,
                # to the server log, and the supervisor sees exit status 1 and starts another.
                if code and sys.exc_info()[0] is not None:
                    traceback.print_exception(*sys.exc_info())
                os._exit(code)
        self.fronts[pid] = slot

    def _exit_with_supervisor(self) -> None:
        os.read(self._alive_read, 1)  # returns only at end-of-file: the supervisor is gone
        os.kill(os.getpid(), signal.SIGTERM)

    def _restart(self, pid: int, status: int, slot: int) -> bool:
        """Replace a front that exited; False when too many did lately."""
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < 60] + [now]
        code = os.waitstatus_to_exitcode(status)
        if len(self.restarts) > self.RESTARTS_PER_MINUTE:
            log.error("kazkg serve: HTTP process %d exited (%s); too many restarts, stopping",
                      pid, code)
            return False
        log.error("kazkg serve: HTTP process %d exited (%s); starting another", pid, code)
        self._fork(slot)
        return True

    def _stop(self, signum, frame) -> None:
        raise _Stopped

    def _stop_fronts(self) -> None:
        for pid in self.fronts:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        while self.fronts and time.monotonic() < deadline:
            for pid in list(self.fronts):
                if _reaped(pid):
                    self.fronts.pop(pid, None)
            time.sleep(0.02)
        for pid in self.fronts:
            _signal(pid, signal.SIGKILL)
            _reaped(pid, wait=True)
        self.fronts.clear()


class _Stopped(Exception):
    pass


def _reaped(pid: int, wait: bool = False) -> bool:
    try:
        return os.waitpid(pid, 0 if wait else os.WNOHANG)[0] != 0
    except ChildProcessError:
        return True


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def get(app: Flask, path: str, accept: str | None = None) -> tuple[int, str, bytes]:
    """Answer one GET in-process (kazkg serve --get PATH): a smoke test without a port."""
    headers = {"Accept": accept} if accept else {}
    response = app.test_client().get(path, headers=headers)
    return response.status_code, response.content_type or "", response.get_data()
