"""The application factory: one Flask app serving one built dataset."""

from __future__ import annotations

import logging
import time

from flask import Flask, g, request
from werkzeug.exceptions import BadRequest

from .. import settings
from ..errors import KazkgError
from . import (browse, data, endpoint, errors, i18n, mapview, minted, ontology, pagecache, pages,
               resource, store, text, timeline)
from .answers import conditional
from .service import Service
from .urlquery import FastRequest

log = logging.getLogger("kazkg.web")

# Flask config keys <- kazkg settings (kazkg.settings.SETTINGS holds defaults and help).
SERVER_SETTINGS = ("query_timeout", "dump_timeout", "dumps_at_start", "result_limit", "body_limit",
                   "answer_limit", "workers", "worker_memory_mb", "cache_entries", "cache_bytes", "service_allow", "public_url",
                   "enable_update", "update_token")


def default_config() -> dict:
    return {name.upper(): settings.get(name) for name in SERVER_SETTINGS}


def create_app(build=None, config: dict | None = None, start: bool = True) -> Flask:
    """A Flask app for `build` (a kazkg.build.pipeline.Build; default: the bundled dataset).

    `config` overrides the settings by their upper-case names, e.g. {"QUERY_TIMEOUT": 2}.
    The worker pool is forked here, so call this before starting any server thread; with
    `start=False` the server forks it later, in each HTTP process (kazkg.web.server).
    """
    if build is None:
        from ..api import build as build_dataset

        build = build_dataset()
    app = Flask(__name__, static_folder=None)  # the pages blueprint serves /static
    app.request_class = FastRequest  # request.args decoded in C: a GET query is mostly escapes
    # No routing redirects: Werkzeug builds their Location from the Host header (a forged one
    # made /resource//x a 308 to another host); //x and a stray trailing slash are just 404s,
    # for every page as for a resource or a download: each has one URL (/sparql/ is the one
    # route declared with a slash too, for SPARQL clients set up with it).
    app.url_map.merge_slashes = False
    app.config.update(default_config())
    app.config.update(config or {})
    app.config["MAX_CONTENT_LENGTH"] = app.config["BODY_LIMIT"]
    app.config["SERVICE_ALLOW"] = tuple(app.config["SERVICE_ALLOW"])
    settings.check_update(bool(app.config["ENABLE_UPDATE"]), app.config["UPDATE_TOKEN"] or "",
                          "ENABLE_UPDATE")
    app.config["PUBLIC_URL"] = public_root(app.config["PUBLIC_URL"])
    app.extensions["kazkg"] = Service(build, app.config, start)
    app.register_blueprint(endpoint.bp)
    app.register_blueprint(store.bp)
    app.register_blueprint(data.bp)
    app.register_blueprint(pages.bp)  # pages for people: /, /browse, /search, /timeline, /map
    app.register_blueprint(browse.bp)  # /browse
    app.register_blueprint(timeline.bp)  # /timeline
    app.register_blueprint(mapview.bp)  # /map
    app.register_blueprint(resource.bp)  # /resource/<slug> and /graph/<name>
    app.register_blueprint(ontology.bp)  # /ontology
    app.register_blueprint(minted.bp)  # /dataset, /ontology/<version>, /shapes
    app.register_blueprint(text.bp)  # /text: the reading edition
    errors.init_app(app)
    i18n.init_app(app)  # the pages' language (Flask-Babel)
    app.before_request(_started)
    pagecache.init_app(app)  # after _started: request.args is checked first
    app.after_request(_headers)
    app.after_request(conditional)  # before _headers (hooks run last first): 304 is logged
    return app


def local_root(host: str, port: int) -> str:
    """The root URL of a server listening on host:port, as a client on this machine reaches it
    (an IPv6 address in brackets; every address, 0.0.0.0 or ::, as localhost)."""
    host = "localhost" if host in ("", "0.0.0.0", "::") else host
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def public_root(url: str | None) -> str:
    """The server's root URL, ending in a slash (http://localhost/ for an app in-process)."""
    url = (url or "http://localhost/").strip()
    if not url.lower().startswith(("http://", "https://")):
        raise KazkgError(f"public_url {url!r}: give an http:// or https:// URL")
    return url if url.endswith("/") else url + "/"


STARTED = "kazkg.started"  # when kazkg.web.fastquery began a request it handed over


def _started():
    g.started = request.environ.get(STARTED) or time.perf_counter()
    try:
        request.args  # parsed once here, so that every view may use it
    except UnicodeDecodeError as error:
        raise BadRequest(f"the URL's query string is not valid UTF-8 (byte {error.start}) "
                         "once percent-decoded") from None


# Pages load scripts, styles and images from this server only, and no script is inline
# (the query page's settings are a JSON data block, read by /static/query.js); style
# attributes place the timeline's bars and colour the map's markers.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
               "frame-ancestors 'none'")


def _headers(response):
    response.vary.add("Accept")
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = PAGE_POLICY
        response.headers["X-Frame-Options"] = "DENY"  # for browsers without frame-ancestors
        response.headers["Referrer-Policy"] = "same-origin"
    # CORS is open: reading needs nothing, and a write needs the bearer token, never a cookie or
    # anything else a browser adds by itself, so a page of another origin writes only with the
    # token it was given (and then may read the answer)
    for name, value in READING:
        response.headers[name] = value
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, PUT, DELETE, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "86400"
    if not request.environ.get(pagecache.START_UP):  # the pages rendered before the server is ready
        log_request(request.remote_addr, request.method, request.path, request.query_string,
                    response.status_code, response.content_length, g.get("started"))
    return response


# What real clients send (YASGUI, SPARQLWrapper, Comunica, fetch with a token, jQuery's
# X-Requested-With); "*" would not cover Authorization (Fetch standard)
ALLOWED_HEADERS = ("Accept, Accept-Language, Authorization, Cache-Control, Content-Type, If-Match, "
                   "If-Modified-Since, If-None-Match, If-Range, Pragma, Range, X-Requested-With")
# CORS is open (kazkg.web.fastquery sends these too)
READING = (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers",
           "ETag, X-Result-Limit, X-Result-Truncated, X-Time-Limit, Retry-After"))


def log_request(address, method: str, path: str, query: bytes, status: int, length,
                started: float | None) -> None:
    """The request's line in the server log (the query string as sent: it may not be UTF-8)."""
    took = f"{(time.perf_counter() - started) * 1000:.0f}ms" if started else "-"
    raw = query.decode("latin-1")
    path = path + ("?" + raw if raw else "")
    if len(path) > 200:
        path = path[:200] + "..."
    log.info('%s "%s %s" %s %s %s', address or "-", method, path, status, length or 0, took)
