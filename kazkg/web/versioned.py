"""Values the pages share, computed once per dataset version (only a write makes a new one)
by the server's own lookups (kazkg.web.lookup.select), kept in a dict on the app's Service
and on disk beside the cached build while no write was made (kazkg.web.kept)."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager, nullcontext as _as_is

from werkzeug.exceptions import HTTPException

from . import kept
from .admission import ours
from .answers import service


class LookupFailed(HTTPException):
    """A page's query did not answer (time limit, busy pool): the page answers 503."""

    code = 503

    def __init__(self, message: str, headers: dict | None = None):
        super().__init__(f"this page could not be built: {message}")
        self.extra_headers = headers or {}

    def get_headers(self, environ=None, scope=None):
        return [("Content-Type", "text/html; charset=utf-8"), *self.extra_headers.items()]


_patience = threading.local()


@contextmanager
def patient():
    """The server's own lookups in this block may take the dumps' time limit (kazkg serve's
    start-up: nothing is answered yet, and what they compute is kept on disk)."""
    before, _patience.active = getattr(_patience, "active", False), True
    try:
        yield
    finally:
        _patience.active = before


def is_patient() -> bool:
    """Whether the server's own lookups started now may take the dumps' time limit."""
    return getattr(_patience, "active", False)


def query_budget(svc) -> float:
    """Seconds one of the server's own lookup queries started now may take."""
    if is_patient():
        return max(svc.config["QUERY_TIMEOUT"], svc.config["DUMP_TIMEOUT"])
    return svc.config["QUERY_TIMEOUT"]


def cached(key, compute):
    """A value computed once per dataset version (only a write makes a new one), and kept on
    disk beside the cached build while no write was made (kazkg.web.kept): the next server
    of the same dataset, code and settings reads it instead. A lookup this process has
    computed or read before (so one that fits the start-up's budget) is made again after a
    write with that budget (`patient`): cut at the query time limit, each page's try at it
    failed in turn and every page answered 503 for minutes. A page waits for another's try
    as long as that try may take (the query time limit, or the start-up's budget for a try
    made with it), then answers 503 (Retry-After): with the query time limit alone, the
    pages asked during start-up's lookups answered 503 (a browser's 50 parallel fetches)."""
    svc = service()
    store = svc.__dict__.setdefault("page_cache", {})
    full_key = (svc.version, key)
    found = store.get(full_key, _MISSING)
    if found is _MISSING:
        lock = _computing(key)  # one computes, the others wait for its value
        ends = svc.__dict__.setdefault("lookup_ends", {})  # key -> when the try going on must end
        patience = max(svc.config["QUERY_TIMEOUT"], ends.get(key, 0.0) - time.monotonic())
        if not lock.acquire(timeout=patience):
            raise LookupFailed("its data is being looked up for this version of the dataset "
                               "(after a write, or at start-up); try again in a moment",
                               {"Retry-After": "2"})
        try:
            found = store.get(full_key, _MISSING)
            if found is _MISSING:
                found = kept.read(svc, key)
            if found is kept.MISSING:
                with ours(), patient() if key in svc.__dict__.get("page_keys", ()) else _as_is():
                    # the waiters wait as long as it may take (a lookup of several queries: each)
                    ends[key] = time.monotonic() + query_budget(svc)
                    found = _noting(svc, key, compute)
                kept.write(svc, key, found)
            if full_key not in store:
                forget_stale(store, svc.version)
                store[full_key] = found
            svc.__dict__.setdefault("page_keys", set()).add(key)
            svc.__dict__.get("lookups_failed", {}).pop(key, None)  # read or made: no failure
        finally:
            lock.release()
    return found


def _noting(svc, key, compute):
    """compute(), its failure for this version noted for /health (kazkg.web.data) until a
    later try finds a value."""
    try:
        return compute()
    except LookupFailed as error:
        svc.__dict__.setdefault("lookups_failed", {})[key] = (svc.version, error.description)
        raise


def failures(svc) -> dict:
    """{lookup: why it failed} for the lookups whose last try for this version failed."""
    return {key: why for key, (version, why) in dict(svc.__dict__.get("lookups_failed", {})).items()
            if version == svc.version}


_MISSING = kept.MISSING


def known(key):
    """What `cached` holds for `key` in this dataset version, or None: never computed here."""
    svc = service()
    return svc.__dict__.get("page_cache", {}).get((svc.version, key))


def forget_stale(store: dict, version: str) -> None:
    """Drop what was computed for an earlier version of the dataset (a write made it stale):
    a thousand writes must not leave a thousand copies of every lookup."""
    for old in [k for k in store if k[0] != version]:
        store.pop(old, None)


_locks: dict = {}
_locks_lock = threading.Lock()


def _computing(key) -> threading.Lock:
    with _locks_lock:
        return _locks.setdefault(key, threading.Lock())
