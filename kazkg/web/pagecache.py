"""Pages for people, rendered once per (page, its own parameters, language, Accept, data
version) and kept; a page not kept is rendered only in its turn (kazkg.web.admission).

Rendering is Python in the HTTP process: a hundred connections of one client asking for
/text?x=RANDOM used to take the process's core from every other client (a probe waited 8-11
s). Now parameters a page does not read are not part of its key (noise finds the kept page),
and a render that is not kept waits for one of PAGE_SLOTS turns, shared between clients as
the query workers are: least use first, a short queue, a fast 503 with Retry-After.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass

from flask import Flask, g, request

from .answercache import AnswerCache
from .i18n import page_lang
from .pageparams import known_args

ENTRIES, BYTES = 2000, 64 << 20  # about 2,000 pages of 30 KB: a bounded memory
CONDITIONAL = ("If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since")


@dataclass
class Kept:
    body: bytes
    headers: list  # Set-Cookie left out: i18n adds it to each answer that sets the language


def _key(service):
    names = known_args(request.endpoint)
    if names is None or request.method not in ("GET", "HEAD"):
        return None
    args = tuple((n, tuple(request.args.getlist(n))) for n in names if n in request.args)
    return (service.version, request.endpoint, tuple(sorted((request.view_args or {}).items())),
            args, page_lang(), request.headers.get("Accept", ""))


def init_app(app: Flask) -> None:
    cache = AnswerCache(ENTRIES, BYTES)
    app.extensions["kazkg-pages"] = cache

    @app.before_request
    def _kept_or_turn():
        service = app.extensions["kazkg"]
        key = _key(service)
        if key is None:
            return None
        g.page_key = key
        if not any(h in request.headers for h in CONDITIONAL):  # 304s come from the view
            kept = cache.get(key)
            if kept is not None:
                g.page_key = None
                return app.response_class(kept.body, 200, kept.headers)
        stack = ExitStack()
        stack.enter_context(service.rendering())  # a 503 when no turn comes (never kept: not 200)
        g.page_turn = stack
        return None

    @app.after_request
    def _keep(response):
        key = g.pop("page_key", None)
        if key is not None and response.status_code == 200 and not response.is_streamed:
            headers = [(k, v) for k, v in response.headers.items() if k.lower() != "set-cookie"]
            cache.put(key, Kept(response.get_data(), headers))
        return response

    @app.teardown_request
    def _end_turn(_error=None):
        stack = g.pop("page_turn", None)
        if stack is not None:
            stack.close()
