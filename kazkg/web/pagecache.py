"""Pages for people, rendered once per (page, its own parameters, language, the format its
Accept header chooses, data version) and kept; a page not kept is rendered only in its turn (kazkg.web.admission).

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

from . import kept
from .answercache import AnswerCache
from .admission import ours
from .i18n import LANGS, page_lang
from .pageparams import OWN_TURN, known_args, negotiated, own_value

ENTRIES, BYTES = 2000, 64 << 20  # about 2,000 pages of 30 KB, for the whole server
# The pages visitors start from, rendered in each language at start-up (kazkg.web.server):
# a first render under load took 2.7 s (/ontology), and every process's first visitors paid it
FIRST_PAGES = ("/", "/text", "/browse", "/timeline", "/map", "/ontology", "/sparql")
START_UP = "kazkg.start-up"  # in the WSGI environ of prerender's requests: not logged
CONDITIONAL = ("If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since")


@dataclass
class Kept:
    body: bytes
    headers: list  # Set-Cookie left out: i18n adds it to each answer that sets the language


def _key(service):
    names = known_args(request.endpoint)
    if names is None or request.method not in ("GET", "HEAD"):
        return None
    # ?lang= is in the key as the language it chooses (page_lang), like a cookie or a header
    own = ((n, own_value(n)) for n in names if n in request.args and n != "lang")
    args = tuple((n, value) for n, value in own if value is not None)  # None: not read
    return (service.version, request.endpoint, tuple(sorted((request.view_args or {}).items())),
            args, page_lang(), negotiated(request.endpoint))


def budget(processes: int) -> int:
    """Each HTTP process's share of BYTES: each keeps pages of its own, so that the server
    as a whole holds BYTES, not BYTES per process."""
    return BYTES // max(1, processes)


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
        if request.endpoint in OWN_TURN:
            return None
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
            if request.environ.get(START_UP):
                cache.__dict__.setdefault("first", set()).add(key)  # prerender keeps them on disk
        return response

    @app.teardown_request
    def _end_turn(_error=None):
        stack = g.pop("page_turn", None)
        if stack is not None:
            stack.close()


def prerender(app: Flask) -> None:
    """Render FIRST_PAGES in every language into the kept pages, as a browser asks for them
    (?lang=, a cookie or Accept-Language: the same key), and ask for each as a client of RDF
    would (*/*: the ontology's Turtle goes into the answer cache, the service description
    into its own). As the server's own jobs: no client is charged for them. What they put
    in those three caches is kept on disk (kazkg.web.kept): the next server of the same
    dataset, code and settings takes it from there and renders nothing. A page that fails
    (503: its lookup ran out of time) is asked for once, not in every language."""
    service, pages = app.extensions["kazkg"], app.extensions["kazkg-pages"]
    if pages.filled_for == service.version:
        return  # done before this HTTP process forked: it holds them already
    found = kept.read(service, FIRST_PAGES, pages=True)
    if found is not kept.MISSING:
        _restore(service, pages, *found)
        pages.filled_for = service.version
        return
    before = _kept_now(service, pages)
    client = app.test_client(use_cookies=False)
    browser, us = {"Accept": "text/html"}, {"REMOTE_ADDR": "kazkg start-up", START_UP: True}
    with ours():
        for path in FIRST_PAGES:
            if client.get(path, headers={"Accept": "*/*"}, environ_base=us).status_code == 503:
                continue
            for lang in LANGS:
                client.get(path, headers={**browser, "Accept-Language": lang}, environ_base=us)
    now = _kept_now(service, pages)
    first = pages.__dict__.get("first", set())
    kept.write(service, FIRST_PAGES, (
        {key: page for key, page in now[0].items() if key in first},
        *({key: value for key, value in found.items() if key not in then}
          for found, then in zip(now[1:], before[1:]))), pages=True)
    pages.filled_for = service.version


def _kept_now(service, pages: AnswerCache) -> tuple[dict, dict, dict]:
    """What the kept pages, the answer cache and the kept descriptions hold now."""
    return (pages.entries_now(), service.cache.entries_now(),
            dict(service.__dict__.get("described", {})))


def _restore(service, pages: AnswerCache, kept_pages: dict, answers: dict, described: dict):
    for key, page in kept_pages.items():
        pages.put(key, page)
    for key, answer in answers.items():
        service.cache.put(key, answer)
    service.__dict__.setdefault("described", {}).update(described)
