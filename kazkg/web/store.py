"""The SPARQL 1.1 Graph Store HTTP Protocol at /store: GET ?default or ?graph=IRI (read-only
unless writes are enabled; then PUT, POST and DELETE need the bearer token).

https://www.w3.org/TR/sparql11-http-rdf-update/
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, current_app, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from ..errors import QueryError
from ..formats.negotiation import RDF_FORMATS, NotAcceptable, best_match
from . import dumps, protocol
from ..query import writes
from .answers import (CACHE_CONTROL, not_modified, require_write, respond, service,
                      write_precondition)
from .errors import error_response

bp = Blueprint("store", __name__)
# The default graph is the union of every graph, which the Turtle, N-Triples and RDF/XML dumps
# are (and N-Triples is N-Quads, Turtle is TriG, of one default graph): sent from the kept dump,
# as /download sends it, instead of serialised again in a worker, which at 100x ran past the
# time and answer limits. Until the dump is kept a worker writes the same bytes.
DEFAULT_FROM_DUMP = {"turtle": "turtle", "trig": "turtle", "nt": "nt", "nquads": "nt", "xml": "xml"}


def target() -> str | None:
    """The graph a request names: None for ?default, the IRI for ?graph= (400 if it is not an
    absolute IRI: before anything is read or written)."""
    graphs = request.args.getlist("graph")
    has_default = "default" in request.args
    if has_default == bool(graphs) or len(graphs) > 1:
        raise BadRequest("name exactly one graph: ?default, or ?graph=IRI once")
    if graphs:
        try:
            ox.NamedNode(graphs[0])
        except ValueError as error:
            raise BadRequest(f"the graph {graphs[0]!r} is not an absolute IRI ({error})") from None
    return graphs[0] if graphs else None


def get_graph():
    graph = target()
    try:
        fmt = best_match(request.headers.get("Accept"), RDF_FORMATS, tuple(request.args.getlist("format")))
    except NotAcceptable as error:
        if graph is not None and graph not in service().meta.graphs:
            return error_response(404, f"this dataset has no graph named <{graph}>")  # existence first
        return error_response(406, str(error))
    key = ("graph", graph, fmt.name)
    etag = service().etag(key)
    cached = not_modified(etag)
    if cached is not None:
        return cached
    job = {"kind": "graph", "graph": graph, "format": fmt.name}
    if graph is None and fmt.name in DEFAULT_FROM_DUMP:
        kept = dumps.kept_now(service(), DEFAULT_FROM_DUMP[fmt.name])
        if kept is not None:
            response = dumps.send(kept, fmt.name)  # the media type asked for
            response.headers.update({"ETag": etag, "X-Dataset-Version": service().data_version,
                                     "Cache-Control": CACHE_CONTROL})
            return response
        job.update(as_dump=DEFAULT_FROM_DUMP[fmt.name], version=service().data_version)
    return respond(service().run(job, cache_key=key, stream=True), etag)


@bp.route("/store", methods=["GET", "PUT", "POST", "DELETE"])
def graph_store():
    if request.method in ("GET", "HEAD"):
        return get_graph()
    graph = target()
    require_write()
    body = b""
    if request.method != "DELETE":
        media_type = request.mimetype
        if media_type not in writes.BODY_FORMATS:
            raise UnsupportedMediaType(
                f"send the graph as one of {', '.join(writes.BODY_FORMATS)}, not {media_type or 'nothing'}")
        data = protocol._body(request, current_app.config["BODY_LIMIT"])
        try:
            body = writes.parse_body(data, media_type, graph or current_app.config["PUBLIC_URL"] + "store",
                                     limit=current_app.config["BODY_LIMIT"])
        except QueryError as error:  # 413 for XML entities that would expand past the limit
            return error_response(getattr(error, "status", 400), str(error))
    op = (request.method.lower(), graph, body)
    return respond(service().write({"kind": "write", "op": op},
                                   write_precondition(lambda: graph_tags(graph))))


def graph_tags(graph: str | None) -> set:
    """The ETags a GET of the graph answers now, in each format (none if there is no such
    graph; the default graph, the union, always exists)."""
    if graph is not None and graph not in service().meta.graphs:
        return set()
    return {service().etag(("graph", graph, fmt.name)) for fmt in RDF_FORMATS}
