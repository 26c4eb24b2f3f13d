"""Wrong update tokens are throttled per client (issue 12): without it one connection tried
342 tokens a second, each a 403. A client (kazkg.web.admission.client_of: an address, an
IPv6 /64) may get FREE wrong tokens; each adds one to its count, which decays by one every
DECAY_SECONDS; while the count is at FREE or more, every write of that client is a 429 with
Retry-After (before its token is compared, so a throttled guess teaches nothing). So a brute
force from one address makes one guess per DECAY_SECONDS; a client that got its token wrong
once or twice never notices. A network (an IPv4 /24, an IPv6 /64: kazkg.web.connections.network_of,
as the connection caps group clients) is counted too, and throttled from NETWORK_FREE: 500 addresses
of one /24 had each its FREE guesses, 500 compared at 204 a second. The counts are per server and
HTTP process (each process has its own), at most CLIENTS of them (the ones counted longest ago are
dropped first). A client that gave the right token in the last PROVEN_SECONDS is held to its own
count only: wrong tokens from other addresses of its /24 locked the writer out (13 of 14 writes
refused, the attacker's review). Behind a proxy every client is the proxy's address: one count.
"""

from __future__ import annotations

import math
import threading
import time

from .connections import network_of

FREE = 5
# A network's allowance is four clients': as the connection caps, 1,024 per /24 and 256 per
# address, so that a few users behind one /24 who mistype their token never notice.
NETWORK_FREE = 4 * FREE
DECAY_SECONDS = 2.0
CLIENTS = 4096
PROVEN_SECONDS = 3600.0


class Throttle:
    """The wrong-token counts of one server (kept on its service: kazkg.web.answers), so that
    two apps in one process count apart."""

    def __init__(self):
        self._lock = threading.Lock()
        self._failures: dict = {}  # client -> (count, when it was counted)
        self._proven: dict = {}  # client -> when it last gave the right token

    def _count(self, client, now: float) -> float:
        count, when = self._failures.get(client, (0.0, now))
        return max(0.0, count - (now - when) / DECAY_SECONDS)

    def wait(self, client, now: float | None = None) -> int:
        """Seconds until `client` may try a token again (its own count and its network's): 0
        when it may now."""
        now = time.monotonic() if now is None else now
        with self._lock:
            proven = now - self._proven.get(client, -math.inf) < PROVEN_SECONDS
            over = max(self._count(client, now) - (FREE - 1),
                       -1 if proven else self._count(_network(client), now) - (NETWORK_FREE - 1))
        return math.ceil(over * DECAY_SECONDS) if over > 0 else 0

    def succeeded(self, client, now: float | None = None) -> None:
        """`client` gave the right token: its network's count no longer holds it back."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._proven[client] = now
            if len(self._proven) > CLIENTS:
                for old in sorted(self._proven, key=self._proven.get)[:len(self._proven) // 4]:
                    del self._proven[old]

    def failed(self, client, now: float | None = None) -> None:
        """Count one wrong token of `client`."""
        now = time.monotonic() if now is None else now
        with self._lock:
            failures = self._failures
            for counted in {client, _network(client)}:
                failures[counted] = (self._count(counted, now) + 1.0, now)
            if len(failures) > CLIENTS:
                for old in sorted(failures, key=lambda c: failures[c][1])[:len(failures) // 4]:
                    del failures[old]


def _network(client) -> tuple:
    """The key of `client`'s network in the counts (a tuple: never a client's own key)."""
    return ("network", network_of(client) if client else client)
