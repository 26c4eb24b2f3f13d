"""The bounded in-memory cache of a Service's answers (kazkg.web.service)."""

from __future__ import annotations

import threading
from collections import OrderedDict

from ..query.jobs import Answer


class AnswerCache:
    """A bounded LRU of successful answers, by entries and by bytes; the bytes count each
    key too (a key holds the query text: 1,000 unique 500 KB queries are 500 MB of keys)."""

    def __init__(self, entries: int, max_bytes: int):
        self.entries, self.max_bytes = entries, max_bytes
        self._items: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

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
        size = len(answer.body) + weight(key)
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

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


def weight(key) -> int:
    """About the bytes a cache key holds: its texts, and a word for anything else."""
    if isinstance(key, (str, bytes)):
        return len(key) + 64
    if isinstance(key, (tuple, list)):
        return 64 + sum(weight(part) for part in key)
    return 32
