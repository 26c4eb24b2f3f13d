"""waitress, set up so that no client can hold the server: what each connection may cost.

Measured on waitress 3 before choosing it over a Rust server: its accept loop and request
parsing are asynchronous (one thread, poll()), so an idle or slowloris connection costs a
socket and a small object, never an HTTP thread; a thread is taken only by a request that has
arrived whole. What waitress lacked is set here:
- thousands of connections per process (its default of 100 is what 220 idle sockets broke),
  with deadlines, and caps per address and network that close an idle connection to make
  room for a new one (kazkg.web.connections);
- a request body over `body_limit` is refused with 413 from its headers alone: no "100
  Continue", nothing read or spooled to disk;
- answers are written in chunks that wait for the client (the high watermark), so a slow
  reader holds at most a few MB in memory and never a temporary file;
- at most half the HTTP threads serve one client address at a time (429 + Retry-After for
  the rest), so the other half is always there for everyone else.
"""

from __future__ import annotations

import functools
import resource
import socket
import threading
import time
from urllib.parse import quote

import waitress.server
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

from .accepting import ACCEPT_BATCH, accept_many
from .balance import Balance
from .admission import client_of
from .connections import CONNECTIONS, LOOK_SECONDS, ReaderWait, Table, Waiting, more_open_files
from .fastquery import QueryFastPath
from .wire import Utf8RequestParser, refusal

HEADER_LIMIT = 64 * 1024  # request line and headers: a GET query up to about 60 KB
WATERMARK = 1024 * 1024  # a response waits for its reader above this many unsent bytes
RETRY_SECONDS = 1
LINGER_SECONDS = 2  # after a 413, the body still on its way is read and dropped this long


class _Adjustments(Adjustments):
    listen = []  # the sockets are given: no default address to resolve (0.0.0.0:8080)


class _ErrorTask(ErrorTask):
    """waitress's own refusals (413, 415, 431, 400 on a malformed request) as kazkg's error page
    for a browser, its JSON for other clients."""

    def execute(self):
        error = self.request.error
        message, code, reason = error.body, error.code, error.reason
        if code == 501:  # an unknown Transfer-Encoding: the client's fault, not the server's
            code, reason = 400, "Bad Request"
            message = f"{message}: this server takes chunked and identity only"
        elif code == 413:
            limit = self.channel.adj.max_request_body_size - 1
            message = f"the request body is larger than this server's limit of {limit} bytes"
        elif code == 431:  # all that was read before the limit is request line: a long target
            if long_target := self.request.header_plus and b"\n" not in self.request.header_plus:
                code, reason = 414, "URI Too Long"
            what = "target is" if long_target else "line and headers are"
            message = f"the request {what} over the limit of {HEADER_LIMIT} bytes (POST a long query)"
        media_type, body = refusal(getattr(self.channel.server, "pages", None), code, reason,
                                   message, self.request.headers)
        self.channel.linger = True  # the rest of the request may still be on its way
        self.status = f"{code} {reason}"
        self.response_headers.extend([("Content-Type", media_type), ("Cache-Control", "no-store"),
                                      *getattr(error, "headers", ())])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)

    def build_response_header(self):
        self.request.headers.pop("CONNECTION", None)  # closed: not "Keep-Alive" as well (1.0)
        return super().build_response_header()


class _Channel(ReaderWait, HTTPChannel):
    """One connection: counted per client address and network, with deadlines and room made
    at the caps (kazkg.web.connections), and no 100 Continue for a refused body."""

    error_task_class = _ErrorTask
    parser_class = Utf8RequestParser  # raw UTF-8 in a URL read as percent-encoded
    table = Table()  # this process's connections (serve sets its limit)
    balance = Balance(1)  # this process's share of the connections (serve sets it)
    answered = False  # whether a request has arrived whole on it
    _counted = False

    def __init__(self, server, sock, addr, adj, map=None):
        super().__init__(server, sock, addr, adj, map)
        self.client = client_of(addr[0] if isinstance(addr, tuple) else str(addr))
        self.began = self.creation_time  # the first request's clock runs from the opening
        self.balance.opened()
        self._counted = True
        if not self.table.admit(self):
            self.close()  # every connection in its scope is busy: no room for one more

    def del_channel(self, map=None):  # every way of closing a channel ends here
        if self._counted:
            self._counted = False
            self.table.remove(self)
            self.balance.closed()
        super().del_channel(map)

    linger = False  # after this answer, drop what the client still sends, then close
    _lingering_until = None

    def handle_write(self):
        if (self.linger and self._lingering_until is None and self.close_when_flushed
                and not self.total_outbufs_len):
            # Closing with the refused body still arriving would reset the connection, and
            # the client might lose the 413: read and drop it for a moment instead (nothing
            # is kept), as web servers' "lingering close" does.
            self.close_when_flushed = False
            self._lingering_until = time.monotonic() + LINGER_SECONDS
            try:
                self.socket.shutdown(socket.SHUT_WR)
            except OSError:
                self.will_close = True
        if self._lingering_until is not None and time.monotonic() > self._lingering_until:
            self.will_close = True
        super().handle_write()

    def readable(self):
        return self._lingering_until is not None or super().readable()

    def writable(self):
        if self._lingering_until is not None:
            return time.monotonic() > self._lingering_until
        return super().writable()

    def handle_read(self):
        if self._lingering_until is None:
            return super().handle_read()
        try:
            data = self.recv(self.adj.recv_bytes)
        except OSError:
            data = b""
        if not data or time.monotonic() > self._lingering_until:
            self.handle_close()

    def lingering(self) -> bool:
        return self._lingering_until is not None

    def received(self, data):
        # A later request's clock runs from its first byte; one trickled in a byte at a time
        # (slowloris) counts as active when it began, not at its last byte.
        if self.request is None and self.answered:
            self.began = time.time()
        result = super().received(data)
        if self.requests:
            self.answered = True
        if self.request is not None:
            self.last_activity = self.began
        return result

    def send_continue(self):
        if self.request is not None and self.request.error is not None:
            return  # a 413 follows: the client must not send the body
        super().send_continue()


class ClientLimit:
    """WSGI middleware: at most `limit` requests of one client (address, IPv6 /64) in flight
    (until its answer is sent); the others get 429 at once instead of waiting for a thread."""

    def __init__(self, app, limit: int, pages=None):
        self.app, self.limit, self.pages = app, max(1, limit), pages  # pages: the Flask app
        self._active: dict[str, int] = {}
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        client = client_of(environ.get("REMOTE_ADDR")) or "-"
        with self._lock:
            count = self._active.get(client, 0)
            if count >= self.limit:
                refused = True
            else:
                refused = False
                self._active[client] = count + 1
        if refused:  # a browser's is the error page, which reloads itself after Retry-After
            asked = {name: environ.get(f"HTTP_{name}", "")
                     for name in ("ACCEPT", "ACCEPT_LANGUAGE", "COOKIE")}
            media_type, body = refusal(self.pages, 429, "Too Many Requests",
                                       f"this client already has {self.limit} requests in "
                                       "progress; wait for their answers before sending more",
                                       asked, environ.get("REQUEST_METHOD", "GET"), RETRY_SECONDS)
            start_response("429 Too Many Requests", [
                ("Content-Type", media_type), ("Content-Length", str(len(body))),
                ("Retry-After", str(RETRY_SECONDS)), ("Cache-Control", "no-store"),
                ("Access-Control-Allow-Origin", "*")])
            return [body]
        try:
            result = self.app(environ, _latin1_headers(start_response))
        except BaseException:
            self._release(client)
            raise
        return _Closing(result, lambda: self._release(client))

    def _release(self, client: str) -> None:
        with self._lock:
            left = self._active.get(client, 1) - 1
            if left > 0:
                self._active[client] = left
            else:
                self._active.pop(client, None)


def _latin1_headers(start_response):
    """HTTP header values are Latin-1: an IRI in one (Link, Location, Content-Location of a
    resource with a non-Latin name) is sent as its URI, every other character percent-encoded
    in UTF-8 (RFC 3987), instead of failing the whole answer."""

    def start(status, headers, exc_info=None):
        fixed = []
        for name, value in headers:
            try:
                value.encode("latin-1")
            except UnicodeEncodeError:
                value = "".join(c if ord(c) < 128 else quote(c, safe="") for c in value)
            fixed.append((name, value))
        return start_response(status, fixed, exc_info)

    return start


class _Closing:
    """An answer's iterable that frees its client's slot when the server closes it."""

    def __init__(self, result, release):
        self._result, self._release = result, release

    def __iter__(self):
        return iter(self._result)

    def close(self):
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            self._release()


def serve(app, sockets, threads: int, body_limit: int, ready=None, balance=None, backlog=1024):
    """Serve the WSGI `app` on `sockets` with waitress until the process is stopped; `ready()`
    is called once the server is set up, just before it starts answering; `balance`: the
    kazkg.web.balance.Balance this process shares the connections by; `backlog`: listen()'s."""
    more_open_files()
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    spare = 2 * ACCEPT_BATCH + 64  # connections closed for room go at the loop's next turn
    limit = CONNECTIONS if soft == resource.RLIM_INFINITY else min(CONNECTIONS, soft - spare)
    _Channel.table.limit = max(100, limit)
    _Channel.waiting = Waiting(per_client=max(1, threads // 8), limit=max(1, threads // 2))
    waitress.server.Adjustments = _Adjustments  # create_server builds its adjustments by name
    server = create_server(
        ClientLimit(QueryFastPath(app), threads // 2, app), sockets=sockets, threads=threads,
        ident="kazkg",
        clear_untrusted_proxy_headers=True, asyncore_use_poll=True, backlog=backlog,
        # waitress's own limit and clean-up are kazkg.web.connections's; its limit (stop
        # accepting) is only reached if a closing takes longer than a turn of the loop
        connection_limit=_Channel.table.limit + 2 * ACCEPT_BATCH, cleanup_interval=LOOK_SECONDS,
        max_request_header_size=HEADER_LIMIT, max_request_body_size=body_limit + 1,
        outbuf_high_watermark=WATERMARK, outbuf_overflow=4 * WATERMARK)
    dispatchers = getattr(server, "map", None) or server._map  # several sockets, or one
    for dispatcher in list(dispatchers.values()):
        if isinstance(dispatcher, BaseWSGIServer):
            dispatcher.channel_class = _Channel
            dispatcher.pages = app  # for waitress's own refusals as the app's error page
            dispatcher.handle_accept = functools.partial(accept_many, dispatcher)
            dispatcher.maintenance = _Channel.table.expire  # the deadlines, every LOOK_SECONDS
            if balance is not None:
                balance.watch(dispatcher)  # and its channels count into it
    if ready is not None:
        ready()
    server.run()
