"""Error answers: JSON for programs, HTML for browsers, and never a traceback."""

from __future__ import annotations

import json
import logging

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from ..formats.negotiation import prefers_html

log = logging.getLogger("kazkg.web")


def error_response(status: int, message: str, *, position=None, headers=None) -> Response:
    title = HTTP_STATUS_CODES.get(status, "Error")
    if prefers_html(request.headers.get("Accept")):
        body = render_template("error.html", status=status, title=title, message=message,
                               position=position)
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


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        headers = {}
        if error.code == 405 and error.valid_methods:
            headers["Allow"] = ", ".join(sorted(error.valid_methods))
        if error.code == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="kazkg"'
        return error_response(error.code or 500, error.description or "", headers=headers)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # a bug: log it in full, tell the client nothing inside
        log.exception("internal error on %s %s", request.method, request.path)
        return error_response(500, InternalServerError.description)
