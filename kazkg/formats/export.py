"""Deterministic serialisation of the dataset in every common RDF format.

The same dataset always gives the same bytes: blank nodes get content-derived labels
(rdflib.compare), every writer emits in a fixed order, and the project's prefixes are always
the same. rdflib's own TriG, JSON-LD and RDF/XML writers order their output by chance, so
those three are written here.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Callable

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.compare import to_canonical_graph

from ..namespaces import INFERRED_GRAPH, PREFIXES, bind_prefixes
from .table import RDF_FORMATS, Format, named
from .graphs import named_graphs
from . import xmlsafe
from .terms import to_oxigraph


def canonical(graph: Graph, identifier=None, relabel: bool = True) -> Graph:
    """A copy of `graph` whose blank-node labels depend only on its content (without
    `relabel`, kept as they are: for a graph whose labels are chosen so already)."""
    copy = Graph(identifier=identifier)
    bind_prefixes(copy)
    known = {str(ns) for _, ns in copy.namespaces()}
    for prefix, namespace in graph.namespaces():  # keep a graph's own, e.g. sd: and void:
        if str(namespace) not in known and prefix and not prefix.startswith("ns"):
            copy.bind(prefix, namespace, override=False)
    copy += _relabelled(graph) if relabel else graph
    return copy


def _relabelled(graph: Graph) -> Graph:
    """`graph` with content-derived blank-node labels: `graph` itself when it has none, as
    rdflib's canonical form only relabels them and took seconds to copy the others (at 1x,
    most of each export's time, where only the ontology's graph has blank nodes)."""
    if any(isinstance(term, BNode) for triple in graph for term in triple):
        return to_canonical_graph(graph)
    return graph


def selected(dataset: Dataset, inferred: bool = True, named_graphs_kept: bool = True):
    """A canonical copy of the dataset's named graphs, with or without the inferred graph: a
    Dataset of them, or (not `named_graphs_kept`) their union as one Graph."""
    out = Dataset(default_union=True) if named_graphs_kept else Graph()
    bind_prefixes(out)
    for graph in named_graphs(dataset, () if inferred else (INFERRED_GRAPH,)):
        target = out.graph(graph.identifier) if named_graphs_kept else out
        target += _relabelled(graph)
    return out


def _lines(text: str) -> str:
    return "\n".join(sorted({line.rstrip() for line in text.splitlines() if line.strip()})) + "\n"


def turtle(graph: Graph) -> str:
    return graph.serialize(format="turtle")  # rdflib sorts subjects, predicates and objects


def ntriples(graph: Graph) -> str:
    return _lines(graph.serialize(format="nt"))


def nquads(dataset: Dataset) -> str:
    """Each graph's N-Triples with its name appended (rdflib's N-Quads writer goes through a
    deprecated Dataset API), sorted."""
    lines = []
    for graph in dataset.graphs():
        name = " ." if graph.identifier == DATASET_DEFAULT_GRAPH_ID else f" {graph.identifier.n3()} ."
        lines += [line.rstrip()[:-1].rstrip() + name
                  for line in graph.serialize(format="nt").splitlines() if line.strip()]
    return _lines("\n".join(lines))


def trig(dataset: Dataset) -> str:
    """The graphs in IRI order, each written by the (ordered) Turtle writer."""
    prefixes, blocks = set(), []
    for graph in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        if not len(graph):
            continue
        body = []
        for line in turtle(graph).splitlines():
            if line.startswith("@prefix"):
                prefixes.add(line)
            elif line.strip() or body:
                body.append("    " + line if line.strip() else "")
        name = "" if graph.identifier == DATASET_DEFAULT_GRAPH_ID else graph.identifier.n3() + " "
        blocks.append(f"{name}{{\n" + "\n".join(body).rstrip() + "\n}\n")
    return "\n".join(sorted(prefixes)) + "\n\n" + "\n".join(blocks)


def jsonld(data: Graph) -> str:
    """JSON-LD with the project's prefixes as its context, nodes and values in a fixed order
    (JSON-LD value arrays are sets; only @list keeps its order). Named graphs are kept."""
    text = data.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
    return json.dumps(_ordered(json.loads(text)), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _ordered(node):
    if isinstance(node, dict):
        return {k: (v if k == "@list" else _ordered(v)) for k, v in node.items()}
    if isinstance(node, list):
        items = [_ordered(v) for v in node]
        return sorted(items, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return node


def rdfxml(graph: Graph) -> str:
    """RDF/XML of the triples in sorted order, written by pyoxigraph."""
    triples = sorted(graph, key=lambda t: tuple(term.n3() for term in t))
    xmlsafe.check_rdfxml(triples)  # NotXml (a 406) rather than a document that is not XML
    return ox.serialize(
        [ox.Triple(*(to_oxigraph(term) for term in t)) for t in triples],
        format=ox.RdfFormat.RDF_XML, prefixes=dict(PREFIXES),
    ).decode("utf-8")


# The deterministic writers, by format name: a Graph, or for a format that keeps named graphs
# a Dataset, to text. A format of the table without one here is written by rdflib.
WRITERS: dict[str, Callable] = {"turtle": turtle, "nt": ntriples, "nquads": nquads, "trig": trig,
                                "jsonld": jsonld, "xml": rdfxml}
FORMATS = {f.name: f for f in RDF_FORMATS}  # what the dataset can be exported in


def writer(fmt: Format) -> Callable:
    return WRITERS.get(fmt.name) or (lambda data: data.serialize(format=fmt.rdflib))


def serialize(dataset: Dataset, fmt: str = "turtle", *, inferred: bool = True) -> bytes:
    """Serialise the dataset in `fmt` (a key of FORMATS); formats without named graphs get the
    union of the graphs."""
    spec = named(fmt)
    return writer(spec)(selected(dataset, inferred, spec.named_graphs)).encode("utf-8")


# One graph in a quad format is the default graph, and N-Triples and Turtle are exactly that.
_SINGLE_GRAPH_WRITERS = {"nquads": ntriples, "trig": turtle}


def serialize_graph(graph: Graph, fmt: str, relabel: bool = True, name=None) -> bytes:
    """Serialise one graph (e.g. a CONSTRUCT result) deterministically, in any format;
    `relabel`: as canonical's. With `name` (an IRI), N-Quads and TriG give the graph that name
    (a Graph Store GET of a named graph), else it is the default graph."""
    if name is not None and fmt in _SINGLE_GRAPH_WRITERS:  # JSON-LD stays a plain graph
        one = SimpleNamespace(graphs=lambda: [canonical(graph, identifier=name, relabel=relabel)])
        return writer(named(fmt))(one).encode("utf-8")
    write = _SINGLE_GRAPH_WRITERS.get(fmt) or writer(named(fmt))
    return write(canonical(graph, relabel=relabel)).encode("utf-8")


def serialize_graphs(graphs: dict, fmt: str) -> bytes:
    """Graphs by name (None: the default graph) in N-Quads or TriG, each under its name."""
    made = [canonical(graph, identifier=DATASET_DEFAULT_GRAPH_ID if name is None else name)
            for name, graph in graphs.items()]
    return writer(named(fmt))(SimpleNamespace(graphs=lambda: made)).encode("utf-8")


def with_version(payload: bytes, fmt: str, version: str) -> bytes:
    """A dump that names its dataset version in its first line, as a comment (no triple is
    added). JSON-LD has no comments: its version is in VoID and /health."""
    note = f"kazkg dataset version {version} (https://w3id.org/kazkg/)"
    if fmt in ("turtle", "trig", "nt", "nquads"):
        return f"# {note}\n".encode("utf-8") + payload
    if fmt == "xml" and payload.startswith(b"<?xml"):
        end = payload.index(b"?>") + 2
        return payload[:end] + f"\n<!-- {note} -->".encode("utf-8") + payload[end:]
    return payload
