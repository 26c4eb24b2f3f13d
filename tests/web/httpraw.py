"""A raw HTTP client for the tests: exact headers, nothing added but Host and Content-Length."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from urllib.parse import quote, urlsplit


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip()

    def json(self):
        return json.loads(self.body)

    @property
    def boolean(self):
        if self.type == "application/sparql-results+json":
            return self.json()["boolean"]
        if self.type == "application/sparql-results+xml":
            return b"<boolean>true</boolean>" in self.body
        raise AssertionError(f"not a boolean result: {self.type}")


def request(url: str, method: str = "GET", path: str = "", body: bytes | str | None = None,
            headers: dict | None = None, timeout: float = 60, source: str | None = None) -> Reply:
    """One request on a new connection; `source`: the loopback address to send it from (a
    client other than 127.0.0.1, e.g. "127.0.0.2")."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout,
                                      source_address=(source, 0) if source else None)
    try:
        if isinstance(body, str):
            body = body.encode("utf-8")
        # A Host of the caller's replaces http.client's own: two Hosts are a 400 (RFC 9112 3.2).
        own_host = any(name.lower() == "host" for name in headers or {})
        conn.putrequest(method, (parts.path or "/") + path, skip_host=own_host,
                        skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        conn.close()


def q(text: str) -> str:
    return quote(text, safe="")
