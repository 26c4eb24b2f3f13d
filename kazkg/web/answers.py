"""Turning Answers and small RDF graphs into HTTP responses (shared by the blueprints)."""

from __future__ import annotations

import hmac
from collections.abc import Callable

from flask import Response, current_app, request
from rdflib import Graph
from werkzeug.exceptions import Forbidden, TooManyRequests, Unauthorized

from ..formats.export import serialize_graph
from ..formats.negotiation import PAGE, RDF_FORMATS, NotAcceptable, best_match
from ..query.jobs import Answer
from . import tokens
from .admission import client_of
from .errors import error_response
from .service import Service


def service() -> Service:
    return current_app.extensions["kazkg"]


def content_type(media_type: str) -> str:
    return media_type + "; charset=utf-8" if media_type.startswith("text/") else media_type


CACHE_CONTROL = "public, max-age=0, must-revalidate"  # an answer with an ETag: ask again each time


def not_modified(etag: str, exists: bool = False) -> Response | None:
    """The answer to a conditional GET or HEAD before any work (RFC 9110, 13.1 and 13.2.2),
    else None: 412 when If-Match names no current tag (strong comparison), 304 when
    If-None-Match names this one (weak comparison: W/"x" matches "x"). `*` matches any current
    representation, so both are decided only once the caller knows that the resource `exists`
    (never for one that would answer 404 or 400): until then `conditional` decides them on
    the finished response."""
    if request.method not in ("GET", "HEAD"):
        return None
    wanted, held = request.if_match, request.if_none_match
    if wanted:
        if not exists:
            return None
        if not (wanted.star_tag or wanted.is_strong(etag.strip('"'))):
            return _failed()
    if held.contains_weak(etag.strip('"')) and not held.star_tag or exists and held.star_tag:
        # as the 200 would say (RFC 9110 15.4.5): its Cache-Control, as `respond` gives every
        # answer with an ETag, and no Content-Type, so that no page's headers (Vary:
        # Accept-Language, Cookie) are added to an RDF answer's 304 (the new user's review)
        response = Response(status=304)
        del response.headers["Content-Type"]
        response.headers.update({"ETag": etag, "Cache-Control": CACHE_CONTROL})
        return response
    return None


KEPT_IN_304 = ("ETag", "Cache-Control", "Content-Location", "Expires", "Vary")


def conditional(response: Response) -> Response:
    """After a view (an after_request hook): the preconditions of a GET or HEAD on the answer
    it made, for the answers no view decided early (a page without its own ETag, an ETag not
    checked before the work, `*`): a 200 becomes 412 if If-Match names no tag of it, else 304
    if If-None-Match names its tag or is `*`."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    wanted, held = request.if_match, request.if_none_match
    if not wanted and not held:
        return response
    tag = response.headers.get("ETag") or ""
    etag = tag.removeprefix("W/").strip('"')
    if wanted and not (wanted.star_tag or etag and tag == etag.join('""')
                       and wanted.is_strong(etag)):
        response.close()
        return _failed()
    if held.star_tag or etag and held.contains_weak(etag):
        response.close()
        changed = Response(status=304)
        for name in KEPT_IN_304:
            if name in response.headers:
                changed.headers[name] = response.headers[name]
        return changed
    return response


def write_precondition(tags: Callable[[], set]) -> Callable[[], Answer | None] | None:
    """For a write (PUT, POST, DELETE, an update): None without If-Match and If-None-Match,
    else a check to make under the write lock (kazkg.web.service.Service.write), giving a
    412 Answer when they fail (RFC 9110, 13.1: nothing is written). `tags` gives the ETags a
    GET of the target answers now in any format, or an empty set if it does not exist: If-Match
    must name one (strongly; `*`: it exists), If-None-Match none (weakly; `*`: it does not)."""
    wanted, held = request.if_match, request.if_none_match
    if not wanted and not held:
        return None

    def check() -> Answer | None:
        current = {tag.strip('"') for tag in tags()}
        if wanted and not (wanted.star_tag and current or any(map(wanted.is_strong, current))):
            return Answer(412, error="If-Match names no current version of the target (its "
                          "ETag differs, or it does not exist): nothing was written")
        if held and (held.star_tag and current or any(map(held.contains_weak, current))):
            return Answer(412, error="If-None-Match names the target's current version (or "
                          "is * and the target exists): nothing was written")
        return None
    return check


def _failed() -> Response:
    return error_response(412, "If-Match names no current version of this resource (its ETag "
                          "differs): fetch it again")


CHUNK = 256 * 1024


def chunks(body: bytes):
    """A body in slices: the HTTP server sends one at a time as the client reads, so a slow
    reader holds one slice in the server's buffers, never a copy of the whole answer (nor a
    temporary file)."""
    for start in range(0, len(body), CHUNK):
        yield body[start:start + CHUNK]


def respond(answer: Answer, etag: str | None = None) -> Response:
    if answer.status >= 400:
        return error_response(answer.status, answer.error or "", position=answer.position,
                              headers=answer.headers)
    if etag and answer.status == 200:
        cached = not_modified(etag, exists=True)
        if cached is not None:
            if answer.stream is not None:
                answer.stream.close()
            return cached
    if answer.stream is not None:  # a large answer, as its worker sends it (kazkg.web.delivery)
        response = Response(answer.stream, answer.status)
        response.content_length = answer.stream.size
    else:
        response = Response(chunks(answer.body), answer.status)
        response.content_length = len(answer.body)
    if answer.body or answer.status == 200:
        response.headers["Content-Type"] = content_type(answer.media_type)
    for name, value in answer.headers.items():
        response.headers[name] = value
    if etag and answer.status == 200:
        response.headers["ETag"] = etag
        response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def rdf_response(graph: Graph | Callable[[], Graph], key: tuple | Callable[[], tuple], page=None,
                 relabel: bool = True, fmt_name: str | None = None) -> Response:
    """A small graph (service description, VoID) in the negotiated RDF format; with `page`
    (a function giving the HTML answer), a browser gets that instead. `graph` may be a
    function: it is then called only once the answer is known to be needed (not for a 406,
    a page or a 304); so may `key` (asked only once a graph is to be sent). `relabel`:
    False for a graph whose blank nodes are labelled by what they stand for already;
    `fmt_name`: the one format to give (a suffix URL's)."""
    try:
        fmt = best_match(request.headers.get("Accept"), RDF_FORMATS,
                         fmt_name or tuple(request.args.getlist("format")), page=page is not None)
    except NotAcceptable as error:
        return error_response(406, str(error))
    if fmt is PAGE:
        return page()
    key = key() if callable(key) else key  # VoID's says whether the dumps' sizes are in
    etag = service().etag(key + (fmt.name,))
    cached = not_modified(etag)
    if cached is not None:
        return cached
    return respond(Answer(200, fmt.media_type, described(graph, key, fmt.name, relabel)), etag)


def described(graph, key: tuple, fmt: str, relabel: bool = True) -> bytes:
    """A small graph (`graph`, or the function that gives it) serialised, once per dataset
    version, key and format: the service description's blank nodes took rdflib's canonical
    labelling 4 to 10 s in the HTTP process, for every `curl /sparql`."""
    svc = service()
    kept = svc.__dict__.setdefault("described", {})
    full_key = (svc.version, key, fmt)
    body = kept.get(full_key)
    if body is None:
        body = serialize_graph(graph() if callable(graph) else graph, fmt, relabel)
        for old in [k for k in kept if k[0] != svc.version]:  # a write made them stale
            kept.pop(old, None)
        kept[full_key] = body
    return body


def require_write() -> None:
    """Writes need --enable-update and the bearer token: 403 when off, 401 without a token,
    403 with a wrong one, 429 after a few wrong ones from the client (kazkg.web.tokens)."""
    config = current_app.config
    if not config["ENABLE_UPDATE"]:
        raise Forbidden("this endpoint is read-only: SPARQL Update and Graph Store writes are off "
                        "(kazkg serve --enable-update with a bearer token turns them on)")
    header = request.headers.get("Authorization", "")
    if not header.strip():
        raise Unauthorized("writes need an 'Authorization: Bearer <token>' header")
    client = client_of(request.remote_addr)
    kept = service().__dict__
    throttle = kept.get("token_throttle") or kept.setdefault("token_throttle", tokens.Throttle())
    wait = throttle.wait(client)  # wrong tokens are throttled per client: kazkg.web.tokens
    if wait:
        raise TooManyRequests(f"too many wrong bearer tokens from this address: try again in "
                              f"{wait} s", retry_after=wait)
    scheme, _, token = header.strip().partition(" ")
    expected = config["UPDATE_TOKEN"]
    if scheme.lower() != "bearer" or not expected or not hmac.compare_digest(
            token.strip().encode("utf-8"), expected.encode("utf-8")):
        throttle.failed(client)
        raise Forbidden("the bearer token is not valid for writes")
    throttle.succeeded(client)
