"""The result cap, applied in one place for every engine and every writer.

The other limit, time, is the worker pool's (kazkg.query.workers): a query that overruns is
ended with its process, whatever engine runs it.
"""

from __future__ import annotations

from itertools import islice
from typing import Iterable


def cap(items: Iterable, limit: int, distinct: bool = False) -> tuple[list, bool]:
    """(at most `limit` of `items`, whether some were dropped); 0 means no limit. Only
    `limit` + 1 items are ever read, so a huge answer is never built whole. With `distinct`,
    repeats do not count (a graph holds a triple once, however often an engine yields it)."""
    if distinct:
        items = iter(dict.fromkeys(items)) if not limit else _unique(items)
    if not limit:
        return list(items), False
    kept = list(islice(items, limit + 1))
    return kept[:limit], len(kept) > limit


def _unique(items: Iterable):
    seen = set()
    for item in items:
        if item not in seen:
            seen.add(item)
            yield item
