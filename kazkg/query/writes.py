"""Writes (only with `kazkg serve --enable-update` and a bearer token): the log they form.

A write is an operation tuple; the main process keeps the log of the writes that succeeded,
and every worker applies the ones it has not seen before its next job, so all workers (and
workers forked later from the unchanged zygote) answer from the same dataset.

    ("update", text, base)            a SPARQL Update
    ("put", graph_or_None, nquads)    Graph Store PUT: replace the graph
    ("post", graph_or_None, nquads)   Graph Store POST: add to the graph
    ("delete", graph_or_None, b"")    Graph Store DELETE: drop the graph
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from ..errors import QueryError
from ..formats.table import RDF_FORMATS
from ..formats.terms import to_rdflib
from .sparql import parse_update

# Graph Store bodies are one graph, parsed by pyoxigraph: strict, and it never fetches a remote
# context (so no JSON-LD, which is also the one triple format that may hold named graphs).
BODY_FORMATS = {f.media_type: f.oxigraph for f in RDF_FORMATS if not f.named_graphs}
DEFAULT_GRAPH = "urn:x-kazkg:default"


def parse_body(body: bytes, media_type: str, base: str) -> bytes:
    """Check a Graph Store body and return it as N-Triples; QueryError if it does not parse."""
    fmt = BODY_FORMATS.get(media_type)
    if fmt is None:
        raise QueryError(f"unsupported RDF media type {media_type!r}")
    try:
        triples = list(ox.parse(input=body, format=fmt, base_iri=base))
    except (SyntaxError, ValueError) as error:
        raise QueryError(f"the request body does not parse: {error}") from None
    return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples).encode("utf-8")


def target(dataset: Dataset, graph: str | None) -> Graph:
    return Graph(store=dataset.store, identifier=URIRef(graph or DEFAULT_GRAPH))


def apply(dataset: Dataset, op: tuple) -> None:
    kind = op[0]
    if kind == "update":
        run_update(dataset, parse_update(op[1], base=op[2]))
        return
    graph = target(dataset, op[1])
    if kind in ("put", "delete"):
        graph.remove((None, None, None))
    if kind in ("put", "post"):
        for t in ox.parse(input=op[2], format=ox.RdfFormat.N_TRIPLES):
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))


def run_update(dataset: Dataset, update) -> None:
    """Run a parsed and guarded update (kazkg.query.sparql.parse_update) on the dataset."""
    from rdflib.plugins.sparql.update import evalUpdate

    evalUpdate(dataset, update)
