"""The bounded in-memory cache of a Service's answers (kazkg.web.service)."""

from __future__ import annotations

from sys import getsizeof
import threading
from collections import OrderedDict

from ..query.jobs import Answer


class AnswerCache:
    """A bounded LRU of successful answers, by entries and by bytes. The bytes are what an
    entry holds in memory: its answer's body, headers and objects, and its key (a key holds
    the query text: 1,000 unique 500 KB queries are 500 MB of keys), as sys.getsizeof counts
    them, and the dictionary's own entry (`footprint`)."""

    def __init__(self, entries: int, max_bytes: int):
        self.entries, self.max_bytes = entries, max_bytes
        self._items: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0
        self.filled_for = None  # the dataset version kazkg.web.pagecache.prerender filled it for

    def get(self, key):
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key, answer: Answer) -> None:
        size = footprint(answer) + footprint(key) + ENTRY
        if self.entries <= 0 or size > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (answer, size)
            self._bytes += size
            while len(self._items) > self.entries or self._bytes > self.max_bytes:
                _, (_, old) = self._items.popitem(last=False)
                self._bytes -= old

    def entries_now(self) -> dict:
        """{key: value} of what is kept now (for kazkg.web.pagecache to keep on disk)."""
        with self._lock:
            return {key: found for key, (found, _) in self._items.items()}

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
            self.filled_for = None


ENTRY = 160  # an OrderedDict entry (its links and hash) and the (answer, size) pair


_LEAVES = frozenset((bytes, str, int, float, bool, type(None)))


def footprint(value) -> int:
    """The bytes `value` holds, with what it refers to: bytes, texts, numbers, tuples, lists,
    dicts and objects with a __dict__ (an Answer, a kept page), as sys.getsizeof counts them.
    A leaf inside is counted where it is found, without a call of its own (every unique
    query's answer and key are counted: 0.01 ms of the HTTP process's time each)."""
    size = getsizeof(value)
    if type(value) in _LEAVES:  # most of what an answer and a key hold: said first
        return size
    if isinstance(value, (tuple, list, set, frozenset)):
        for item in value:
            size += getsizeof(item) if type(item) in _LEAVES else footprint(item)
        return size
    if isinstance(value, dict):
        for key, item in value.items():
            size += getsizeof(key) if type(key) in _LEAVES else footprint(key)
            size += getsizeof(item) if type(item) in _LEAVES else footprint(item)
        return size
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return size + footprint(vars(value))
    return size
