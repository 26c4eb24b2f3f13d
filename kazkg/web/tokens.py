"""Wrong update tokens are throttled per client (issue 12): without it one connection tried
342 tokens a second, each a 403. A client (kazkg.web.admission.client_of: an address, an
IPv6 /64) may get FREE wrong tokens; each adds one to its count, which decays by one every
DECAY_SECONDS; while the count is at FREE or more, every write of that client is a 429 with
Retry-After (before its token is compared, so a throttled guess teaches nothing). So a brute
force from one address makes one guess per DECAY_SECONDS; a client that got its token wrong
once or twice never notices. The counts are per HTTP process (each process has its own), at
most CLIENTS of them (the ones counted longest ago are dropped first).
"""

from __future__ import annotations

import math
import threading
import time

FREE = 5
DECAY_SECONDS = 2.0
CLIENTS = 4096

_lock = threading.Lock()
_failures: dict[str | None, tuple[float, float]] = {}  # client -> (count, when it was counted)


def _count(client, now: float) -> float:
    count, when = _failures.get(client, (0.0, now))
    return max(0.0, count - (now - when) / DECAY_SECONDS)


def wait(client, now: float | None = None) -> int:
    """Seconds until `client` may try a token again: 0 when it may now."""
    now = time.monotonic() if now is None else now
    with _lock:
        over = _count(client, now) - (FREE - 1)
    return math.ceil(over * DECAY_SECONDS) if over > 0 else 0


def failed(client, now: float | None = None) -> None:
    """Count one wrong token of `client`."""
    now = time.monotonic() if now is None else now
    with _lock:
        _failures[client] = (_count(client, now) + 1.0, now)
        if len(_failures) > CLIENTS:
            for old in sorted(_failures, key=lambda c: _failures[c][1])[:len(_failures) // 4]:
                del _failures[old]
