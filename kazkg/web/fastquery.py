"""The SPARQL query GET answered without Flask: what nearly every client sends, and the
HTTP process's largest cost. Flask's request context, routing and hooks took about half of
an HTTP process's CPU per query (wrk, 8 connections: 1.0 of 2.1 ms for a unique query, 0.8
of 1.0 ms for one from the answer cache), so a plain `GET /sparql?query=...` is answered here:
the same job, answer cache, admission and worker as kazkg.web.endpoint, and the same headers
and log line. Anything else, and any answer but a whole 200 (an error, a 503, a streamed or
HTML answer, a worker's bug), goes on to Flask, with the outcome already found (endpoint.OUTCOME)
and its ETag, taken before the run, so that the query does not run twice;
tests/web/test_web_fastquery.py checks both give the same answers.
"""

from __future__ import annotations

import time

from ..query.jobs import Answer
from ..query.workers import WorkerBug
from .answers import chunks, content_type
from .app import READING, STARTED, log_request
from .endpoint import OUTCOME, query_job
from .protocol import Operation
from .urlquery import ascii_pairs

PATHS = ("/sparql", "/sparql/")
FRESH = "public, max-age=0, must-revalidate"  # as kazkg.web.answers.respond says it


class QueryFastPath:
    """WSGI middleware in front of the Flask `app`."""

    def __init__(self, app):
        self.app, self.service = app, app.extensions["kazkg"]

    def __call__(self, environ, start_response):
        text = plain_query(environ)
        if text is None:
            return self.app(environ, start_response)
        started = time.perf_counter()
        key, job = query_job(Operation("query", text), self.app.config["PUBLIC_URL"] + "sparql",
                             environ.get("HTTP_ACCEPT"))
        etag = self.service.etag(key)  # the version it runs on: a write during the run is newer
        try:
            answer = self.service.run(job, cache_key=key, stream=True,
                                      client=environ.get("REMOTE_ADDR"))
        except WorkerBug as bug:
            answer = bug
        if not isinstance(answer, Answer) or answer.status != 200 or answer.stream is not None \
                or answer.media_type == "text/html":
            environ[OUTCOME], environ[STARTED] = (answer, etag), started  # its log counts the wait
            return self.app(environ, start_response)
        headers = [("Content-Type", content_type(answer.media_type)),
                   ("Content-Length", str(len(answer.body))), *answer.headers.items(),
                   ("ETag", etag), ("Cache-Control", FRESH),
                   ("Vary", "Accept"), ("X-Content-Type-Options", "nosniff"), *READING]
        start_response("200 OK", headers)
        log_request(environ.get("REMOTE_ADDR"), "GET", environ["PATH_INFO"],
                    environ.get("QUERY_STRING", "").encode("latin-1"), 200, len(answer.body),
                    started)
        return chunks(answer.body)


def plain_query(environ) -> str | None:
    """The query of a GET of /sparql whose only parameter is `query`, with no conditional
    header (a 304 or 412 is Flask's to give) and nothing the protocol refuses; None for any other."""
    if environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") not in PATHS \
            or "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MATCH" in environ:
        return None
    pairs = ascii_pairs(environ.get("QUERY_STRING", "").encode("latin-1"))
    if not pairs or len(pairs) != 1 or pairs[0][0] != "query" or "\x00" in pairs[0][1]:
        return None
    return pairs[0][1]
