"""Error answers: JSON for programs, HTML for browsers, and never a traceback.

A mistake in the request is answered where it is found (400 and its message, 404, 406, ...).
Anything else is a bug of kazkg's, and `unexpected` below is the one place that answers it:
500 with a short error id, the traceback under the same id in the server log.
"""

from __future__ import annotations

import json
import logging
import secrets

from flask import Flask, Response, g, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from ..formats.negotiation import prefers_html
from ..formats.xmlsafe import NotXml

log = logging.getLogger("kazkg.web")


MESSAGE_CHARS = 1000  # of a message, at most this much is sent: it may repeat the request


def shortened(message: str) -> str:
    """`message` with its middle left out past MESSAGE_CHARS: a 406 repeated a 62 KB Accept
    header, a 404 the slug, whole (issue 12); the end (what is offered) is kept."""
    if len(message) <= MESSAGE_CHARS:
        return message
    head, tail = MESSAGE_CHARS * 2 // 3, MESSAGE_CHARS // 3
    return f"{message[:head]}... ({len(message) - head - tail} characters left out) ...{message[-tail:]}"


def error_response(status: int, message: str, *, position=None, headers=None) -> Response:
    title, message = HTTP_STATUS_CODES.get(status, "Error"), shortened(message)
    if prefers_html(request.headers.get("Accept")):
        g.error_page = True  # its chrome runs no query (pages.chrome): this may be its error
        body = render_template("error.html", status=status, title=title, message=message,
                               position=position,  # links to itself only for a short URL
                               langs=len(request.full_path) <= MESSAGE_CHARS,
                               reload_after=_reload_after(status, headers or {}))
        response = Response(body, status, mimetype="text/html")
    else:
        payload = {"status": status, "title": title, "message": message}
        if position:
            payload["line"], payload["column"] = position
        response = Response(json.dumps({"error": payload}, ensure_ascii=False, indent=1) + "\n",
                            status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    return response


def _reload_after(status: int, headers: dict) -> int | None:
    """Seconds after which a browser's page asks again: a GET refused for a moment (503 or 429
    with Retry-After: a dump being made, the server's own lookups going first) reloads itself,
    as browsers ignore Retry-After; a person who followed a link then gets what it names. Not a
    query's (?query=): a tab left open would run a heavy query again every 2 s while the
    server is overloaded (the new user's review); running it again is the person's choice."""
    retry = str(headers.get("Retry-After", ""))
    if ("query" not in request.args and status in (429, 503)
            and request.method in ("GET", "HEAD") and retry.isdigit()):
        return max(1, min(int(retry), 60))
    return None


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        headers = {}
        if error.code == 405 and error.valid_methods:
            headers["Allow"] = ", ".join(sorted(error.valid_methods))
        if error.code == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="kazkg"'
        if getattr(error, "retry_after", None) is not None:  # a 503 or 429 says when to retry
            headers["Retry-After"] = str(error.retry_after)
        headers.update(getattr(error, "extra_headers", {}))
        message = error.description or ""
        if error.code == 404 and request.path.endswith("/") and request.path != "/":
            message = (f"no page at {request.path}: this site's URLs have no trailing slash "
                       f"(try {request.path.rstrip('/') or '/'})")
        return error_response(error.code or 500, message, headers=headers)

    @app.errorhandler(NotXml)
    def not_xml(error: NotXml):  # a resource or description that RDF/XML cannot write
        return error_response(406, str(error))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # a bug: log it in full, tell the client only its id
        error_id = secrets.token_hex(4)
        log.error("internal error %s on %s %s", error_id, request.method, request.path,
                  exc_info=error)
        return error_response(500, f"{InternalServerError.description} (error id {error_id}: "
                                   "the server's log has the details)",
                              headers={"X-Error-Id": error_id})
