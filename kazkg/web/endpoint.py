"""The /sparql blueprint: the SPARQL 1.1 Protocol's query (and, when enabled, update)
operation; with no query, the service description (or the HTML query page for browsers)."""

from __future__ import annotations

from flask import Blueprint, current_app, request
from werkzeug.exceptions import BadRequest

from ..formats.negotiation import RDF_FORMATS
from . import protocol, store
from .answers import not_modified, rdf_response, require_write, respond, service, write_precondition
from .describe import service_description
from .querypage import query_page

bp = Blueprint("endpoint", __name__)


@bp.route("/sparql", methods=["GET", "POST"])
@bp.route("/sparql/", methods=["GET", "POST"])
def sparql():
    operation = protocol.read(request, current_app.config["BODY_LIMIT"])
    if operation.kind == "query":
        return query(operation)
    if operation.kind == "update":
        return update(operation)
    if request.method == "POST":
        raise BadRequest("the request has no query")
    if "graph" in request.args or "default" in request.args:
        return store.get_graph()
    return describe()


def endpoint_url() -> str:
    """The endpoint's own URL (the base IRI of queries): from PUBLIC_URL, never the Host
    header, which any client may forge."""
    return current_app.config["PUBLIC_URL"] + "sparql"


def query_job(operation: protocol.Operation, base: str, accept: str | None) -> tuple[tuple, dict]:
    """(the answer cache's key, the worker's job) of a query operation."""
    key = ("query", operation.text, base, operation.default_graphs, operation.named_graphs,
           accept, operation.format)
    job = {"kind": "query", "text": operation.text, "base": base,
           "project_prefixes": True,  # kazkg:, kzr:, schema:, ... need no PREFIX line (README)
           "default_graphs": operation.default_graphs, "named_graphs": operation.named_graphs,
           "accept": accept, "format": operation.format,
           # the page a cut answer links to (kazkg.web.minted), beside the endpoint (`base`)
           "cap_link": base.rsplit("/", 1)[0] + "/result-limit"}
    return key, job


# What kazkg.web.fastquery got for this request before handing it over: (the Answer, or the
# WorkerBug it raised; the ETag of the version it ran on) (never set from outside: a client's
# headers are HTTP_* names)
OUTCOME = "kazkg.outcome"


def query(operation: protocol.Operation):
    key, job = query_job(operation, endpoint_url(), request.headers.get("Accept"))
    # The ETag is the version's before the run: a write that lands during it is newer than
    # the answer, so the answer must not carry the new version's tag (a 304 would keep it).
    outcome, etag = request.environ.pop(OUTCOME, None) or (None, service().etag(key))
    if isinstance(outcome, BaseException):
        raise outcome  # a bug in a worker: the 500 of kazkg.web.errors
    cached = not_modified(etag)
    if cached is not None:
        return cached
    return respond(outcome or service().run(job, cache_key=key, stream=True), etag)


def update(operation: protocol.Operation):
    require_write()
    if operation.default_graphs or operation.named_graphs:
        raise BadRequest("using-graph-uri and using-named-graph-uri are not supported; "
                         "write USING or WITH in the update instead")
    job = {"kind": "update", "text": operation.text, "base": endpoint_url(),
           "project_prefixes": True}  # the same predeclared prefixes as queries
    return respond(service().write(job, write_precondition(description_tags)))


def description_tags() -> set:
    """The ETags of the endpoint's own representation (its service description, the GET
    without a query) in each format: what an update's If-Match and If-None-Match name."""
    return {service().etag(("sd", endpoint_url(), fmt.name)) for fmt in RDF_FORMATS}


def describe():
    """The service description (RDF), or the query page for a browser."""
    graph = service_description(service().meta, endpoint_url(), current_app.config["ENABLE_UPDATE"])
    return rdf_response(graph, ("sd", endpoint_url()), page=lambda: query_page(
        endpoint_url(), current_app.config["ENABLE_UPDATE"]),
        relabel=False)  # its blank nodes are named for what they are (prefix-kazkg, named3)
