"""The dumps' making in the background (kazkg.web.dumps sends them): one thread per HTTP process
makes the dumps asked for first, then, once `prepare` was called (at start-up), every dump of
the version served, and again after each write (once writes have paused for SETTLE_SECONDS).
A request never waits for the making beyond kazkg.web.dumps' short bound: the request that
started a dump waited the whole making (15-19 s with no byte on a fresh cache).

HTTP processes, and other servers, may share the cache folder (the default ~/.cache/kazkg):
- one dump of a version is made at a time in the folder: a process waits for the version's
  lock (`<build>.dump-1.<version>.making`), then takes the file another one made;
- a process holds a shared lock on `<build>.dump-1.<version>.held` while it serves that
  version, and a version's files are removed only when no process holds it (the cleanup
  after a write had removed every other version's files, another live server's too).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from ..query.jobs import Answer

FAILED_SECONDS = 60.0  # a dump that failed is tried again at a request only after this
SETTLE_SECONDS = 1.0  # after a write, the next write within this makes no dump in between


def _lock_fd(path: Path, mode: int) -> int | None:
    """An open descriptor of `path` (made if need be) locked with flock `mode`; None when the
    lock is taken (LOCK_NB) or the file cannot be made (a read-only cache folder). The file
    locked is the one at `path` now: one removed meanwhile is left for the new one."""
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return None
        try:
            fcntl.flock(fd, mode)
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                return fd
        except OSError:  # taken (BlockingIOError), or removed before the stat
            if not path.exists():
                os.close(fd)
                continue
            os.close(fd)
            return None
        os.close(fd)


def _same(fd: int | None, path: Path) -> bool:
    """Whether `fd` is the file at `path` still (not one removed: its lock would hold nothing)."""
    try:
        return fd is not None and os.fstat(fd).st_ino == os.stat(path).st_ino
    except OSError:
        return False


@contextmanager
def _exclusive(path: Path):
    fd = _lock_fd(path, fcntl.LOCK_EX)
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)


def remove_unheld(directory: Path, start: str, current: str) -> None:
    """Remove the files `<start><version>.*` of every version but `current` that no process
    holds (kazkg.web.dumps: `start` is `<build>.dump-1.`); a version's staged files stay (their
    maker removes them, or kazkg.formats.files.clean once no one holds them)."""
    versions = {p.name[len(start):].split(".", 1)[0] for p in directory.glob(f"{start}*")}
    for version in versions - {current}:
        held = directory / f"{start}{version}.held"
        fd = _lock_fd(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if fd is None:  # served by a live process
            continue
        try:
            for old in directory.glob(f"{start}{version}.*"):
                if old.suffix != ".partial" and old != held:
                    old.unlink(missing_ok=True)
            held.unlink(missing_ok=True)
        finally:
            os.close(fd)


class Maker:
    """The background making of one service's dumps in this process. `make(svc, fmt, timeout)`
    makes one (an Answer when it failed), `kept(svc, fmt)` says whether it is there, and
    `prefix(svc)` is the path its version's files start with (kazkg.web.dumps)."""

    def __init__(self, svc, formats, make, kept, prefix, timeout: float):
        self.svc, self.formats, self.timeout = svc, list(formats), timeout
        self._make, self._kept, self._prefix = make, kept, prefix
        self.pid = os.getpid()
        self._lock = threading.Condition()
        self._wanted: list[str] = []  # formats to make, the first first
        self._done: dict[tuple, threading.Event] = {}  # (version, format): made or failed
        self._failed: dict[tuple, tuple[float, Answer]] = {}
        self._all, self._seen, self._noticed = False, None, (None, 0.0)
        self._held: tuple[Path, int | None] | None = None
        self._thread: threading.Thread | None = None

    def hold(self) -> Path:
        """Hold the version served now (its files' prefix, returned) for as long as it is."""
        prefix = self._prefix(self.svc)
        held = prefix.with_name(prefix.name + ".held")
        with self._lock:
            if self._held is None or self._held[0] != prefix or not _same(self._held[1], held):
                fd = _lock_fd(held, fcntl.LOCK_SH)
                old, self._held = self._held, (prefix, fd)
                if old is not None and old[1] is not None:
                    os.close(old[1])
        return prefix

    def failure(self, fmt: str) -> Answer | None:
        """Why the dump in `fmt` of the version served could not be made, lately."""
        found = self._failed.get((self.svc.version, fmt))
        return found[1] if found and time.monotonic() - found[0] < FAILED_SECONDS else None

    def want(self, fmt: str) -> threading.Event:
        """Make the dump in `fmt` of the version served next; the event is set once it is made
        or failed."""
        key = (self.svc.version, fmt)
        with self._lock:
            event = self._done.get(key)
            if event is None or event.is_set():  # not asked, or made and gone, or failed long ago
                event = self._done[key] = threading.Event()
            if self.svc.pool is None or self.svc.pool._closed:  # a server stopping: no maker
                self._failed[key] = (time.monotonic(), Answer(503, error="the server is stopping"))
                event.set()
                return event
            if fmt in self._wanted:
                self._wanted.remove(fmt)
            self._wanted.insert(0, fmt)
            self._start()
            self._lock.notify()
        return event

    def prepare(self) -> None:
        """Make every dump of the version served, and again after each write."""
        with self._lock:
            self._all = True
            self._start()
            self._lock.notify()

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, daemon=True, name="kazkg-dumps")
            self._thread.start()

    def _next(self) -> str | None:
        """The next format to make (under the lock); None once the pool is closed."""
        while True:
            pool = self.svc.pool
            if pool is None or pool._closed:
                return None
            version = self.svc.version
            if self._all and version != self._seen:  # start-up, or a write: every dump again
                if self._noticed[0] != version:
                    self._noticed = (version, time.monotonic())
                if self._seen is None or time.monotonic() - self._noticed[1] >= SETTLE_SECONDS:
                    self._seen = version
                    self._wanted += [f for f in self.formats if f not in self._wanted]
            if self._wanted:
                return self._wanted.pop(0)
            self._lock.wait(SETTLE_SECONDS)

    def _run(self) -> None:
        while True:
            with self._lock:
                fmt = self._next()
                if fmt is None:
                    return
                key = (self.svc.version, fmt)
                event = self._done.setdefault(key, threading.Event())
            failed = self._one(*key)  # nothing to do if it is kept
            with self._lock:
                if failed is not None:
                    self._failed[key] = (time.monotonic(), failed)
                else:
                    self._failed.pop(key, None)
                event.set()

    def _one(self, version: str, fmt: str) -> Answer | None:
        prefix = self.hold()
        with _exclusive(prefix.with_name(prefix.name + ".making")):  # one maker in the folder
            if self.svc.version != version or self._kept(self.svc, fmt):
                return None  # a write meanwhile, or another process made it
            made = self._make(self.svc, fmt, self.timeout)
        return made if isinstance(made, Answer) else None


def of(svc, formats, make, kept, prefix, timeout: float) -> Maker:
    """The Maker of `svc` in this process (a forked HTTP process makes its own)."""
    maker = svc.__dict__.get("dump_maker")
    if maker is None or maker.pid != os.getpid():
        maker = svc.__dict__["dump_maker"] = Maker(svc, formats, make, kept, prefix, timeout)
    return maker
