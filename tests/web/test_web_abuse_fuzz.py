"""Fuzzing a real `kazkg serve` over its socket: generated requests on every route, with odd
methods, headers, bodies and broken framing, from four clients at once, while a probe from
127.0.0.2 is answered within 2 s.

10,000 requests with `python -m pytest -m abuse`, 400 in the default run. Every answer must
be below 500, or a 503 at the time limit (X-Time-Limit); no request may go unanswered (a
hang), no worker may crash (it would answer a 503 without a time limit) and no HTTP process
may die. The figures are printed at the end of the run.
"""

from __future__ import annotations

import random
import socket
import threading
from urllib.parse import quote

import pytest

from tests.web.abuse import Prober, connect, full, status_of  # noqa: F401
from tests.web.support import PROTOCOL_DATA, Server
from tests.web.test_web_fuzz import ACCEPTS, CONTENT_TYPES, TOKENS, VALID

pytestmark = [pytest.mark.abuse, pytest.mark.slow]  # real servers

CLIENTS = 4
ANSWER_SECONDS = 15  # a well-framed request unanswered after this is a hang
METHODS = ["GET"] * 6 + ["POST"] * 3 + ["HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE",
                                        "CONNECT", "GE T", "get", "\u00e9", ""]
PATHS = ["/sparql", "/sparql/", "/search", "/resource/", "/graph/", "/store", "/download/",
         "/.well-known/void", "/health", "/", "/browse", "/timeline", "/map", "/ontology",
         "/static/", "/nothing", "//", "/%2e%2e/%2e%2e/etc/passwd", "/resource/%C3%A9%3E",
         "*", "http://example.org/sparql"]
PARAMS = ["query", "q", "format", "lang", "go", "class", "graph", "default", "sector", "place",
          "default-graph-uri", "named-graph-uri", "update", "x"]
HEADERS = ["Accept", "Content-Type", "If-None-Match", "If-Modified-Since", "Range", "Expect",
           "Accept-Language", "Authorization", "Origin", "Cookie", "X-Forwarded-For",
           "Accept-Encoding", "Host", "Transfer-Encoding"]


def fragment(rng: random.Random) -> str:
    """A piece of a value: a query, its mutation, tokens, or odd characters."""
    kind = rng.randrange(5)
    if kind == 0:
        return rng.choice(VALID)
    if kind == 1:
        text = rng.choice(VALID)
        at = rng.randrange(len(text))
        return text[:at] + rng.choice(TOKENS) + text[at + rng.randrange(3):]
    if kind == 2:
        return " ".join(rng.choice(TOKENS) for _ in range(rng.randrange(1, 30)))
    if kind == 3:
        return "".join(chr(rng.choice([rng.randrange(32, 127), rng.randrange(0x80, 0x3000)]))
                       for _ in range(rng.randrange(0, 60)))
    return rng.choice(["", "*", "1", "-1", "true", "kk", "ru", "en", "turtle", "json", "\x00",
                       "https://w3id.org/kazkg/graph/ontology", "javascript:alert(1)"])


def generate(rng: random.Random) -> tuple[bytes, bool]:
    """(raw request, well framed): a well-framed one must be answered."""
    method = rng.choice(METHODS)
    path = rng.choice(PATHS)
    if path.endswith("/") and path not in ("/", "//") and rng.random() < 0.8:
        path += quote(fragment(rng), safe="/")
    if rng.random() < 0.8:
        pairs = [(rng.choice(PARAMS), fragment(rng)) for _ in range(rng.randrange(1, 4))]
        path += "?" + "&".join(quote(k) + "=" + quote(v, safe="") for k, v in pairs)
    headers = [("Host", "localhost")]
    for _ in range(rng.randrange(0, 5)):
        name = rng.choice(HEADERS)
        value = {"Accept": lambda: rng.choice(ACCEPTS),
                 "Content-Type": lambda: rng.choice(CONTENT_TYPES),
                 "Transfer-Encoding": lambda: rng.choice(["gzip", "identity", "chunked, gzip"]),
                 }.get(name, lambda: fragment(rng).replace("\r", "").replace("\n", ""))()
        headers.append((name, value))
    body = b""
    if method in ("POST", "PUT", "PATCH") or rng.random() < 0.1:
        body = fragment(rng).encode("utf-8", "replace")
        if rng.random() < 0.3:
            body = ("query=" + quote(fragment(rng))).encode()
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    raw = head.encode("utf-8", "replace") + f"Content-Length: {len(body)}\r\n".encode()
    raw += b"Connection: close\r\n\r\n" + body
    if rng.random() < 0.1:  # broken framing: a byte flipped, cut short, or a bare LF
        at = rng.randrange(len(raw))
        choice = rng.randrange(3)
        if choice == 0:
            raw = raw[:at] + bytes([rng.randrange(256)]) + raw[at + 1:]
        elif choice == 1:
            raw = raw[:at]
        else:
            raw = raw.replace(b"\r\n", b"\n")
        return raw, False
    return raw, True


def send(port: int, raw: bytes, framed: bool) -> tuple[int, bytes]:
    """(status, head) of the answer; status 0 for none; -1 for a hang."""
    sock = connect(port, timeout=ANSWER_SECONDS)
    try:
        sock.sendall(raw)
        if not framed:
            sock.shutdown(socket.SHUT_WR)  # the server sees the end: it must not wait on
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        while chunk and len(data) < 10_000_000:  # read the rest: nothing left behind
            chunk = sock.recv(1 << 20)
            data += chunk
    except socket.timeout:
        return -1, b""
    except OSError:
        return 0, b""
    finally:
        sock.close()
    return status_of(data), data.split(b"\r\n\r\n", 1)[0]


@pytest.fixture(scope="module")
def fuzzed(private_cache, tmp_path_factory):
    log = tmp_path_factory.mktemp("fuzz") / "serve.log"
    srv = Server([str(PROTOCOL_DATA), "--query-timeout", "3", "--workers", "2",
                  "--processes", "2"], log=log)
    yield srv
    srv.stop()


def test_fuzzed_requests(fuzzed, full):
    total = 10_000 if full else 400
    counts = {"requests": 0, "5xx": [], "time limit": 0, "hangs": [], "unanswered framed": []}
    lock = threading.Lock()

    def client(n):
        rng = random.Random(1000 + n)
        for _ in range(total // CLIENTS):
            raw, framed = generate(rng)
            status, head = send(fuzzed.port, raw, framed)
            with lock:
                counts["requests"] += 1
                if status == -1:
                    counts["hangs"].append(raw[:200])
                elif status == 503 and b"X-Time-Limit" in head:
                    counts["time limit"] += 1
                elif status >= 500:
                    counts["5xx"].append((status, raw[:200], head[:300]))
                elif status == 0 and framed and not raw.startswith((b"HEAD", b"CONNECT")):
                    counts["unanswered framed"].append(raw[:200])

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    with Prober(fuzzed.port, every=1.0) as prober:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    log = fuzzed.log.read_text(errors="replace")
    print(f"\nfuzzed {counts['requests']} requests: {len(counts['5xx'])} 5xx other than 503 at "
          f"the time limit ({counts['time limit']} of those), {len(counts['hangs'])} hangs, "
          f"{log.count('stopped unexpectedly')} crashed workers, "
          f"{log.count('exited')} HTTP processes exited")
    assert counts["requests"] == total // CLIENTS * CLIENTS
    assert counts["5xx"] == [] and counts["hangs"] == []
    assert counts["unanswered framed"] == []
    assert "Traceback" not in log and "exited" not in log
    prober.check()
