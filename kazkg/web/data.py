"""Describing and downloading the dataset: VoID, dumps at stable URLs, and /health."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, request
from werkzeug.exceptions import NotFound

from .answers import not_modified, rdf_response, respond, service
from ..formats.negotiation import RDF_FORMATS, NotAcceptable, best_match
from .describe import DUMP_NAME, dump_filenames, void_description
from .errors import error_response
from . import dcat
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
    /download/kazkg.ttl etc., or /download/kazkg in the format the client asks for."""
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
    etag = service().etag(key)
    cached = not_modified(etag)
    if cached is not None:
        return cached
    answer = dcat.dump(fmt)
    response = respond(answer, etag)
    if answer.status == 200:
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
        response.headers["Content-Location"] = f"/download/{filename}"
        response.headers["Link"] = '</.well-known/void>; rel="describedby"'
    return response


@bp.route("/health")
def health():
    svc = service()
    return jsonify(status="ok", version=svc.data_version, build=svc.version, triples=svc.meta.triples,
                   graphs=len(svc.meta.graphs), workers=svc.pool.size,
                   workers_replaced=svc.pool.replaced, writes=svc.writes)
