"""Describing and downloading the dataset: VoID, dumps at stable URLs, and /health."""

from __future__ import annotations

import os

from flask import Blueprint, current_app, jsonify, redirect, request
from werkzeug.exceptions import NotFound

from .answers import not_modified, rdf_response, respond, service
from ..formats.negotiation import RDF_FORMATS, NotAcceptable, best_match
from .describe import DUMP_NAME, dump_filenames, void_description
from .errors import error_response
from . import dcat, dumps, versioned
from ..query.jobs import Answer
from .about import about

bp = Blueprint("data", __name__)


@bp.route("/.well-known/void")
def void():
    svc = service()
    root = current_app.config["PUBLIC_URL"]  # never the Host header: a client could forge it

    entries: dict = {}

    def key():  # once an RDF answer is to be sent: a short wait at most, see dcat.distributions
        entries.update(dcat.distributions())
        return ("void", root, svc.own_data, dcat.sized(entries))

    def description():
        described = about()  # kazkg's own data is titled in kk, ru and en
        titles = dcat.TITLES if described.own else {"en": described.title}
        graph = void_description(svc.meta, root, titles, svc.data_version)
        dcat.describe(graph, root, svc.meta, svc.data_version, entries)
        return graph

    # A browser (the footer's VoID link) is sent to the page that describes the dataset and
    # its downloads for people; RDF clients get VoID and DCAT. The key (and so the ETag) says
    # whether the dumps' sizes are in: they come later on a fresh cache.
    return rdf_response(description, key, page=lambda: redirect("/#downloads", 303))


@bp.route("/download/<filename>")
def download(filename: str):
    """The whole dataset (all named graphs, inferred ones included) in one RDF format:
    /download/kazkg.ttl etc., or /download/kazkg in the format the client asks for; a dump
    has that one URL (strict_slashes is off for the pages: /download/kazkg.nq/ was the dump)."""
    if request.path.endswith("/"):
        raise NotFound(f"no download at {request.path[:200]!r}: a download's URL has no "
                       "trailing slash")
    fmt = dump_filenames().get(filename)
    if filename == DUMP_NAME:
        try:
            fmt = best_match(request.headers.get("Accept"), RDF_FORMATS,
                             tuple(request.args.getlist("format"))).name
        except NotAcceptable as error:
            return error_response(406, str(error))
        filename = next(name for name, value in dump_filenames().items() if value == fmt)
    if fmt is None:
        raise NotFound(f"no download named {filename!r}; there are: "
                       f"{', '.join(sorted(dump_filenames()))}")
    key = ("dump", fmt)
    gzipped = request.accept_encodings.quality("gzip") > 0
    etag = service().etag(key + (("gzip",) if gzipped else ()))  # one tag per representation
    cached = not_modified(etag)
    if cached is not None:
        cached.vary.add("Accept-Encoding")  # as its 200 says
        return cached
    kept = dumps.made(service(), fmt, gzipped)
    if isinstance(kept, Answer):
        return respond(kept)
    cached = not_modified(etag, exists=True)  # If-None-Match: * (the dump exists)
    if cached is not None:
        return cached
    span = ranged(etag, kept[1])
    if not isinstance(span, tuple) and span is not None:
        return span  # 416
    response = dumps.send(kept, fmt, span)
    response.accept_ranges = "bytes"
    response.vary.add("Accept-Encoding")
    if gzipped:  # a Range is of the bytes sent
        response.headers["Content-Encoding"] = "gzip"
    response.headers.update({
        "ETag": etag, "Cache-Control": "public, max-age=0, must-revalidate",
        "X-Dataset-Version": service().data_version,
        "Content-Disposition": f'inline; filename="{filename}"',
        "Content-Location": f"/download/{filename}", "Link": '</.well-known/void>; rel="describedby"'})
    if span is not None:
        response.status_code = 206
        response.content_range = request.range.to_content_range_header(kept[1])
    return response


def ranged(etag: str, length: int):
    """The one byte range of a dump of `length` bytes asked for (RFC 9110 14), as (start, end):
    None for the whole dump (no Range, If-Range naming another version, or several ranges: a
    server may send the whole, few clients ask), a 416 response for a range past the end."""
    wanted, since = request.range, request.if_range
    if wanted is None or len(wanted.ranges) > 1 or (  # If-Range: a strong match of the ETag
            since.etag is not None or since.date is not None) and (
            since.etag is None or f'"{since.etag}"' != etag):
        return None
    span = wanted.range_for_length(length)
    if span is None:
        return error_response(416, f"the range {request.headers.get('Range')!r} is not within "
                              f"this dump's {length} bytes", headers={"Content-Range": f"bytes */{length}"})
    return span


HEALTH_SECONDS = 2.0  # a worker must answer /health's ASK within this


@bp.route("/health")
def health():
    """"ok" only when a query worker answers an ASK within HEALTH_SECONDS (it said "ok" with
    every worker stuck) and the pages' names were looked up for this version (it said "ok"
    while every page answered 503); else 503 saying why. `lookups_failed`: the pages' lookups
    whose last try failed (at 100x /browse's facets may, and only /browse fails then). The
    workers are the answering HTTP process's (each has its own pool): `http_process` names
    it, `workers_replaced` counts its own."""
    svc = service()
    answer = svc.run({"kind": "query", "text": "ASK {}"}, timeout=HEALTH_SECONDS)
    failed = versioned.failures(svc)  # every HTML page needs the names: without them, none
    fine = answer.status == 200 and "names" not in failed
    why = (f"no query worker answered an ASK within {HEALTH_SECONDS:g} s: {answer.error}"
           if answer.status != 200 else
           f"the pages' names could not be looked up: {failed.get('names')}")
    response = jsonify(status="ok" if fine else "unavailable", version=svc.data_version,
                       build=svc.version, triples=svc.meta.triples, graphs=len(svc.meta.graphs),
                       workers=svc.pool.size, workers_replaced=svc.pool.replaced,
                       http_process=os.getpid(), writes=svc.writes,
                       **({"lookups_failed": {str(k): v for k, v in failed.items()}}
                          if failed else {}),
                       **({} if fine else {"error": why}))
    response.headers["Cache-Control"] = "no-store"
    if not fine:
        response.status_code = 503
        response.headers["Retry-After"] = answer.headers.get("Retry-After", "1")
    return response
