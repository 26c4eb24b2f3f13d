"""Who holds the connections of an HTTP process, and for how long: no client can fill them.

A connection costs waitress a socket, never a thread (kazkg.web.httpserver), but a process
holds a fixed number of them; 4,300 idle sockets from ten addresses, never closed, once made
every other client wait for a connection the process no longer accepted. So:
- deadlines, looked at every second: a request's line and headers arrive whole within
  HEAD_SECONDS (the first request's from the connection's opening, so a socket that never
  sends a byte is closed then; a later one's from its first byte), its body within
  BODY_SECONDS of its first byte; a keep-alive connection with nothing to say is closed
  KEEPALIVE_SECONDS after its last activity, and an answer's reader that takes nothing for
  BODY_SECONDS. A request being answered has no deadline here (it has the query time limit),
  except that an answer whose HTTP thread waits for its reader (more than the high watermark
  unsent) and sends nothing for STALL_SECONDS, or has waited SEND_SECONDS in all (a reader
  that takes a little now and then), is closed at once: the waiting thread wakes and is free.
- threads waiting for their readers: at most WAITING_PER_CLIENT of one address and
  WAITING of the process (kazkg.web.httpserver sets both from its threads); an answer that
  would wait beyond them is closed at once. 64 connections of two addresses that never read
  a large answer once held every thread of the process, every other client waiting.
- caps that make room rather than refuse: at most CONNECTIONS_PER_CLIENT connections of one
  client (an address, an IPv6 /64: kazkg.web.admission.client_of), CONNECTIONS_PER_NETWORK of one network (an
  IPv4 /24), and the process's limit in all. A new connection over a cap is accepted, and an idle connection is
  closed for it: the least recently active one of the address that holds most connections
  within the cap's scope (its own address, its network, the process). Idle means nothing
  being answered and nothing left to send: never sent a byte, between requests, or a request
  not whole. So the one who holds most pays, and a newcomer is neither refused nor left in the
  kernel's queue; only when every connection of that scope is busy is the newcomer closed.
"""

from __future__ import annotations

import heapq
import ipaddress
import itertools
import resource
import threading
import time

from waitress.channel import ClientDisconnected

CONNECTIONS = 4000  # per HTTP process (KAZKG_CONNECTIONS; fewer if the file limit is low)
CONNECTIONS_PER_CLIENT = 256
CONNECTIONS_PER_NETWORK = 1024
HEAD_SECONDS = 5.0
STALL_SECONDS = 5.0  # an answer's thread waiting for a reader that takes nothing
SEND_SECONDS = 60.0  # an answer's thread waiting for its reader, in all
BODY_SECONDS = 60.0
KEEPALIVE_SECONDS = 20.0
LOOK_SECONDS = 1.0  # how often the deadlines are looked at


def more_open_files() -> None:
    """Every connection is a file descriptor: raise the soft limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (OSError, ValueError):
            pass


def network_of(client: str) -> str:
    """The network `client` is counted in: its /24 (IPv4) or /64 (IPv6), else itself."""
    head, dot, _ = client.rpartition(".")
    if dot and ":" not in client and head.count(".") == 2:
        return f"{head}.0/24"
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def idle(channel) -> bool:
    """Whether `channel` may be closed to make room: nothing being answered, nothing to send,
    not closing already."""
    return not (channel.requests or channel.total_outbufs_len or channel.will_close
                or channel.close_when_flushed or channel.lingering())


def overdue(channel, now: float) -> bool:
    """Whether `channel` has outlived its deadline (see the module's docstring); an answer
    still to send, its request done, waits BODY_SECONDS for a reader that takes nothing."""
    if channel.will_close or channel.close_when_flushed or channel.lingering():
        return False  # closing already (a lingering close has its own deadline)
    if channel.requests and channel.total_outbufs_len > channel.adj.outbuf_high_watermark:
        # its thread waits for the reader
        return now > channel.last_activity + STALL_SECONDS or channel.waited(now) > SEND_SECONDS
    if channel.requests:
        return False  # being answered
    if channel.total_outbufs_len:
        return now > channel.last_activity + BODY_SECONDS
    request = channel.request
    if request is None:
        if not channel.answered:
            return now > channel.began + HEAD_SECONDS
        return now > channel.last_activity + KEEPALIVE_SECONDS
    if not request.headers_finished:
        return now > channel.began + HEAD_SECONDS
    return now > channel.began + BODY_SECONDS


class Waiting:
    """How many HTTP threads wait for their readers, per client address and in all."""

    def __init__(self, per_client: int = 1, limit: int = 1):
        self.per_client, self.limit = per_client, limit
        self._clients: dict[str, int] = {}
        self._count = 0
        self._lock = threading.Lock()

    def enter(self, client: str) -> bool:
        """One more thread of `client` is to wait; False (and not counted) over a cap."""
        with self._lock:
            mine = self._clients.get(client, 0)
            if mine >= self.per_client or self._count >= self.limit:
                return False
            self._clients[client] = mine + 1
            self._count += 1
            return True

    def leave(self, client: str) -> None:
        with self._lock:
            left = self._clients.pop(client) - 1
            if left:
                self._clients[client] = left
            self._count -= 1


class ReaderWait:
    """Of a waitress channel: its task thread waits for the reader within the Waiting caps,
    and a wait past them closes the connection instead. One that sees no progress is closed
    by its deadline (overdue), and waitress's handle_close then wakes the thread."""

    waiting = Waiting()  # the process's (kazkg.web.httpserver.serve sets the caps)
    _waits_for = None  # the request (its id) whose answer's thread has waited _waited seconds
    _waited = 0.0
    _wait_began = None  # when the wait now under way began

    def _flush_outbufs_below_high_watermark(self):
        if self.total_outbufs_len <= self.adj.outbuf_high_watermark:
            return  # no wait
        if not self.waiting.enter(self.client):
            self.will_close = True  # the loop closes it at its next turn
            self.server.pull_trigger()
            raise ClientDisconnected
        answering = id(self.requests[0]) if self.requests else None
        if answering != self._waits_for:
            self._waits_for, self._waited = answering, 0.0
        try:
            self.last_activity = self._wait_began = time.time()  # the stall counts from here
            super()._flush_outbufs_below_high_watermark()
        finally:
            self._waited += time.time() - self._wait_began
            self._wait_began = None
            self.waiting.leave(self.client)

    def waited(self, now: float) -> float:
        """Seconds the thread answering the present request has waited for its reader."""
        began = self._wait_began
        return self._waited + (now - began if began is not None else 0.0)


class Table:
    """The open connections of one HTTP process, by client address and by network."""

    def __init__(self, limit: int = CONNECTIONS):
        self.limit = limit
        self._clients: dict[str, dict] = {}  # address: {channel: None}, oldest first
        # address: a heap of (last_activity, n, channel), entries of channels gone or active
        # since skipped as they come up: the idlest is found in O(log n), not by looking at
        # every connection of the address (at the cap, that was the loop's time: 1.3 million
        # looks for 9,700 newcomers, and a probe waited 4 s behind the accept queue)
        self._order: dict[str, list] = {}
        self._filed = itertools.count()
        self._networks: dict[str, dict[str, int]] = {}  # network: {address: connections}
        self._sizes: dict[str, int] = {}  # network: connections
        self._count = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._count

    def admit(self, channel) -> bool:
        """Count the new `channel` (its .client an address), closing an idle connection where
        it goes over a cap; False (and the channel not counted) when there was none to close."""
        client = channel.client
        network = channel.network = network_of(client)
        with self._lock:
            if len(self._clients.get(client, ())) >= CONNECTIONS_PER_CLIENT:
                scope = [client]
            elif self._sizes.get(network, 0) >= CONNECTIONS_PER_NETWORK:
                scope = self._heaviest(self._networks[network])
            elif self._count >= self.limit:
                scope = (address for net in self._heaviest(self._sizes)
                         for address in self._heaviest(self._networks[net]))
            else:
                scope = None  # (a generator: the heaviest is usually the only one looked at)
            if scope is not None:
                victim = self._idlest(scope)
                if victim is None:
                    return False
                self._drop(victim)
                victim.will_close = True  # closed by the loop at its next turn
            channels = self._clients.setdefault(client, {})
            channels[channel] = None
            self._file(client, channel, len(channels))
            addresses = self._networks.setdefault(network, {})
            addresses[client] = addresses.get(client, 0) + 1
            self._sizes[network] = self._sizes.get(network, 0) + 1
            self._count += 1
            return True

    def remove(self, channel) -> None:
        """`channel` is closed (closing twice, or one never admitted, changes nothing)."""
        with self._lock:
            self._drop(channel)

    def expire(self, now: float | None = None) -> int:
        """Mark every idle connection past its deadline to be closed; how many there were."""
        now = time.time() if now is None else now
        with self._lock:
            due = [channel for channels in self._clients.values() for channel in channels
                   if overdue(channel, now)]
            for channel in due:
                self._drop(channel)  # closed at the loop's next turn: no longer a candidate
        for channel in due:
            channel.will_close = True
            if channel.total_outbufs_len:
                # The loop closes a channel marked so when its socket takes more, which the
                # socket of a reader that takes nothing never does: a thread waiting for it
                # stayed, past the stall deadline, for as long as the reader kept it open.
                channel.handle_close()  # wakes that thread (this is the loop's own thread)
        return len(due)

    @staticmethod
    def _heaviest(counts: dict[str, int]):
        """The keys of `counts`, most first; the first found without sorting them all."""
        if counts:
            top = max(counts, key=counts.__getitem__)
            yield top
            yield from (key for key in sorted(counts, key=counts.__getitem__, reverse=True)
                        if key != top)

    def _file(self, client: str, channel, live: int) -> None:
        heap = self._order.setdefault(client, [])
        heapq.heappush(heap, (channel.last_activity, next(self._filed), channel))
        if len(heap) > 2 * live + 32:  # entries of closed channels that never came up
            heap[:] = [(kept.last_activity, next(self._filed), kept)
                       for kept in self._clients[client]]
            heapq.heapify(heap)

    def _idlest(self, scope):
        """The least recently active idle connection of the first address in `scope` that
        has one."""
        for client in scope:
            channels, heap = self._clients.get(client, {}), self._order.get(client, [])
            busy, found = [], None
            while heap and found is None:
                last, _, channel = heap[0]
                if channel not in channels:
                    heapq.heappop(heap)
                elif channel.last_activity != last:  # active since it was filed
                    heapq.heapreplace(heap, (channel.last_activity, next(self._filed), channel))
                elif not idle(channel):
                    busy.append(heapq.heappop(heap))
                else:
                    found = channel
            for entry in busy:
                heapq.heappush(heap, entry)
            if found is not None:
                return found
        return None

    def _drop(self, channel) -> None:
        client = channel.client
        channels = self._clients.get(client)
        if channels is None or channel not in channels:
            return
        del channels[channel]
        if not channels:
            del self._clients[client], self._order[client]
        network = channel.network
        addresses = self._networks[network]
        addresses[client] -= 1
        if not addresses[client]:
            del addresses[client]
        self._sizes[network] -= 1
        if not self._sizes[network]:
            del self._sizes[network], self._networks[network]
        self._count -= 1
