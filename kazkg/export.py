"""Deterministic serialisation of the dataset in every common RDF format.

The same dataset always gives the same bytes: blank nodes get content-derived labels
(rdflib.compare), line formats are sorted, and the project's prefixes are always the same.
"""

from __future__ import annotations

from rdflib import Dataset, Graph
from rdflib.compare import to_canonical_graph

from .namespaces import INFERRED_GRAPH, bind_prefixes

# name -> (rdflib serializer, keeps named graphs, file suffix, media type)
FORMATS = {
    "turtle": ("turtle", False, ".ttl", "text/turtle"),
    "nt": ("nt", False, ".nt", "application/n-triples"),
    "nquads": ("nquads", True, ".nq", "application/n-quads"),
    "trig": ("trig", True, ".trig", "application/trig"),
    "jsonld": ("json-ld", True, ".jsonld", "application/ld+json"),
    "xml": ("pretty-xml", False, ".rdf", "application/rdf+xml"),
}
_LINE_FORMATS = {"nt", "nquads"}


def canonical(graph: Graph, identifier=None) -> Graph:
    """A copy of `graph` whose blank-node labels depend only on its content."""
    copy = Graph(identifier=identifier)
    bind_prefixes(copy)
    copy += to_canonical_graph(graph)
    return copy


def selected(dataset: Dataset, inferred: bool = True) -> Dataset:
    """A canonical copy of the dataset, with or without the inferred graph."""
    out = Dataset(default_union=True)
    bind_prefixes(out)
    for graph in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        if not len(graph) or (graph.identifier == INFERRED_GRAPH and not inferred):
            continue
        target = out.graph(graph.identifier)
        for triple in canonical(graph):
            target.add(triple)
    return out


def union(dataset: Dataset) -> Graph:
    """All triples of all graphs, once each."""
    graph = Graph()
    bind_prefixes(graph)
    for g in dataset.graphs():
        graph += g
    return graph


def serialize(dataset: Dataset, fmt: str = "turtle", *, inferred: bool = True) -> bytes:
    """Serialise the dataset in `fmt` (a key of FORMATS); formats without named graphs get the
    union of the graphs."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    rdflib_format, quads, _, _ = FORMATS[fmt]
    data = selected(dataset, inferred)
    target = data if quads else union(data)
    if fmt in _LINE_FORMATS:
        text = target.serialize(format=rdflib_format)
        lines = sorted(set(line for line in text.splitlines() if line.strip()))
        return ("\n".join(lines) + "\n").encode("utf-8")
    return target.serialize(format=rdflib_format, encoding="utf-8")
