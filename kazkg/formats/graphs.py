"""A dataset's named graphs and their union: the one definition every part of kazkg uses.

kazkg's default graph is the union of its named graphs as a set (an RDF merge): a triple
stated in two graphs is in the union once. rdflib's own default graph is not a named graph.
"""

from __future__ import annotations

from typing import Iterable

from rdflib import Dataset, Graph

from ..namespaces import bind_prefixes
from .terms import is_named_graph


def named_graphs(dataset: Dataset, without: Iterable = ()) -> list[Graph]:
    """The non-empty named graphs in IRI order, but those named in `without`."""
    skip = set(without)
    return [g for g in sorted(dataset.graphs(), key=lambda g: str(g.identifier))
            if is_named_graph(g.identifier) and g.identifier not in skip and len(g)]


def union_triples(dataset: Dataset, without: Iterable = ()) -> set:
    """The set of triples of the named graphs, but those named in `without`."""
    return {triple for graph in named_graphs(dataset, without) for triple in graph}


def union(dataset: Dataset, without: Iterable = (), into: Graph | None = None) -> Graph:
    """The union of the named graphs (but those in `without`) as one graph: `into` if given
    (e.g. a Graph subclass), else a new Graph with the project's prefixes."""
    if into is None:
        into = Graph()
        bind_prefixes(into)
    for graph in named_graphs(dataset, without):
        into += graph
    return into
