"""What waitress reads and answers before Flask sees a request: request lines with raw UTF-8,
framing it must not guess at, and its own refusals (400, 413, 415, 431) in kazkg's words, a
page for a browser, JSON otherwise.

curl and some other clients send a URL as it was typed (`/search?q=Өскемен`, not
`?q=%D3%A8...`); waitress refuses any byte over 127 in the request line with a bare
"Bad URI". Such a line is read as its percent-encoded form would be: the same path and the
same query (a byte sequence that is not UTF-8 is then refused by the app, saying so).
"""

from __future__ import annotations

import json
import logging
import re

from waitress.parser import HTTPRequestParser, ParsingError
from waitress.utilities import Error, RequestEntityTooLarge

from ..errors import bug_contained
from ..formats.accept import kept_when_short

log = logging.getLogger("kazkg.web")
_RAW = re.compile(rb"[\x80-\xff]")
# the Transfer-Encoding field lines (waitress takes the field, and removes it from the headers)
_CODINGS = re.compile(rb"\r\ntransfer-encoding:([^\r]*)", re.I)
_FOLDED = re.compile(rb"\r\n[ \t]")  # a line that continues the field above (obs-fold)


def percent_encoded(line: bytes) -> bytes:
    """A request line with each byte over 127 percent-encoded (RFC 3986 section 2.1)."""
    return _RAW.sub(lambda found: b"%%%02X" % found.group()[0], line)


class Utf8RequestParser(HTTPRequestParser):
    """waitress's request parser, reading raw UTF-8 in the request line as percent-encoded."""

    def parse_header(self, header_plus):
        end = header_plus.find(b"\r\n")
        if end > 0 and _RAW.search(header_plus, 0, end):
            header_plus = percent_encoded(header_plus[:end]) + header_plus[end:]
        super().parse_header(header_plus)
        self._check_framing(header_plus)

    def received(self, data):
        consumed = super().received(data)
        body = self.body_rcv
        if self.chunked and not self.completed and self.body_bytes_received + getattr(
                body, "chunk_remainder", 0) >= self.adj.max_request_body_size:
            # A chunk's size alone passes the limit: 413 now, not when that much has come
            # (a chunk of ffffffffffffffff held its connection to the body deadline)
            self.error = RequestEntityTooLarge("a chunk larger than the limit")
            self.completed = True
        return consumed

    def _check_framing(self, header_plus: bytes) -> None:
        """Refuse what waitress would read one way and a proxy in front of it another (RFC 9112
        section 6.1, 6.3, 5.2 and 3.2): a folded line (" Transfer-Encoding: chunked" after
        another field was read as part of that field's value, where a proxy may read it as a
        field of its own), Content-Length beside Transfer-Encoding (waitress took the
        chunked body and ignored the length), Transfer-Encoding in HTTP/1.0 (waitress ignored
        it, and read the chunks as the next request), more than one Host, none in HTTP/1.1,
        a request line of no HTTP/1.x (waitress answered HTTP/0.9, 2.0 and 9.9 as 1.0: 400, or 505
        for a version above); and, with a 415, content in a coding (Content-Encoding: gzip), read as if plain."""
        headers = self.headers
        if self.version not in ("1.0", "1.1"):
            if self.version[:1] in ("", "0"):  # no version (HTTP/0.9's request line) or 0.x
                raise ParsingError("a request line without HTTP/1.0 or HTTP/1.1 (RFC 9112 "
                                   "section 3: method, target and HTTP version)")
            self.error = VersionNotSupported(
                f"HTTP/{self.version} over this connection: this server speaks HTTP/1.1 and "
                "HTTP/1.0 (RFC 9110 section 15.6.6)")
            self.completed = True  # waitress would answer it as HTTP/1.0
            return
        if _FOLDED.search(header_plus):  # waitress joined it to the field above it
            raise ParsingError("a header line folded onto the next (obs-fold: RFC 9112 "
                               "section 5.2): send each field on one line")
        if sum(coding.strip(b" \t").lower() == b"chunked" for line in _CODINGS.findall(header_plus)
               for coding in line.split(b",")) > 1:
            raise ParsingError("Transfer-Encoding chunked more than once (RFC 9112 section 7.1)")
        if self.chunked and "CONTENT_LENGTH" in headers:
            raise ParsingError("Content-Length and Transfer-Encoding together (RFC 9112 "
                               "section 6.1): send one of them")
        if "TRANSFER_ENCODING" in headers:  # left there by waitress for HTTP/1.0 only
            raise ParsingError(f"Transfer-Encoding in an HTTP/{self.version} request (only "
                               "HTTP/1.1 has it: RFC 9112 section 6.1)")
        if self.version == "1.1" and "HOST" not in headers:
            raise ParsingError("an HTTP/1.1 request without Host (RFC 9112 section 3.2: send "
                               "Host: the server's name)")
        if "," in headers.get("HOST", ""):
            raise ParsingError("more than one Host, or a Host that is not one host[:port] "
                               "(RFC 9112 section 3.2)")
        codings = [coding.strip(" \t").lower()
                   for coding in headers.get("CONTENT_ENCODING", "").split(",")]
        codings = [coding for coding in codings if coding and coding != "identity"]
        if codings and (self.chunked or self.content_length > 0):
            self.error = UnsupportedCoding(
                f"the request content is in the coding {', '.join(codings)} (Content-Encoding): "
                "this server reads only content that is not encoded; send it as it is")
            self.completed = True  # refused from the headers: the content is never read


class VersionNotSupported(Error):
    """A 505 for a request line of HTTP/2 or above sent as text (RFC 9110 section 15.6.6)."""

    code = 505
    reason = "HTTP Version Not Supported"


class UnsupportedCoding(Error):
    """A 415 for content in a coding (RFC 9110 section 15.5.16), saying what is supported.
    Not decoded: every body this server reads is at most the body limit (512 KB) of query
    text or RDF, no SPARQL client compresses one, and a decoder would be a way to make the
    HTTP process inflate (a gzip bomb) what the body limit was to keep out."""

    code = 415
    reason = "Unsupported Media Type"
    headers = (("Accept-Encoding", "identity"),)


def error_body(status: int, title: str, message: str) -> bytes:
    """The JSON error document of kazkg.web.errors, for answers given outside Flask."""
    payload = {"error": {"status": status, "title": title, "message": message}}
    return (json.dumps(payload, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def refusal(app, status: int, title: str, message: str, headers: dict, method: str = "GET",
            retry_after: int | None = None) -> tuple[str, bytes]:
    """(Content-Type, body) of an error answered outside Flask: the app's error page when the
    request's Accept prefers HTML (a browser), kazkg's JSON error otherwise. `headers` are
    waitress's (ACCEPT, ACCEPT_LANGUAGE, COOKIE); `app` the Flask app, None if unknown;
    `retry_after`: the Retry-After sent, by which a GET's page reloads itself."""
    from ..formats.negotiation import prefers_html

    accept = headers.get("ACCEPT")
    if app is not None and prefers_html(accept):
        return _page(app, status, title, message, accept, headers.get("ACCEPT_LANGUAGE", ""),
                     headers.get("COOKIE", ""), method, retry_after)
    return "application/json", error_body(status, title, message)


@kept_when_short(maxsize=64)  # a refusal is answered at once: its page is made once
def _page(app, status, title, message, accept, languages, cookie, method, retry_after):
    asked = {"Accept": accept, "Accept-Language": languages, "Cookie": cookie}  # its language
    from .errors import error_response

    # the last resort must answer: else the JSON error, and the bug logged
    with bug_contained(log, "the error page for a %d refused by waitress could not be made",
                       status), app.test_request_context("/", method=method, headers=asked):
        page = error_response(status, message, headers={} if retry_after is None
                              else {"Retry-After": str(retry_after)})
        return page.headers["Content-Type"], page.get_data()
    return "application/json", error_body(status, title, message)
