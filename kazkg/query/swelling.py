"""Whether a query worker kept the memory of its last job: after string-doubling queries two
idle workers held 415 and 671 MB (PSS) for minutes, fresh ones 23-75 MB. Python and glibc seldom
hand freed memory back to the system, so such a worker is replaced after its job
(kazkg.query.workers): a fresh one is forked from the zygote in milliseconds.

The measure is the worker's resident size (/proc/PID/statm, one read, no page walk), against
the size it had when forked: pages it shares with the zygote count in both, so what it grew by
is what its jobs took and kept. SWOLLEN_BYTES is well above what an ordinary job leaves (the
memos, the rdflib and Oxigraph caches of the catalog queries: tens of MB) and well under
--worker-memory-mb's default 2 GiB, so that only a job that took hundreds of MB renews it.
"""

from __future__ import annotations

import os

SWOLLEN_BYTES = 256 << 20
_PAGE = os.sysconf("SC_PAGE_SIZE")


def resident(pid: int) -> int | None:
    """The resident bytes of process `pid`; None when it cannot be read (it is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as stats:
            return int(stats.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return None


def swollen(pid: int, fresh: int | None) -> bool:
    """Whether the worker `pid`, `fresh` bytes when forked, holds SWOLLEN_BYTES more now."""
    now = resident(pid)
    return fresh is not None and now is not None and now - fresh > SWOLLEN_BYTES
