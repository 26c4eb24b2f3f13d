"""Parse input files into an rdflib Dataset, one named graph per file.

Parsing goes through pyoxigraph: it is strict (what it accepts, every linked-data tool
accepts), fast, and its errors carry a line and a column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import RDF, XSD

from ..errors import InputError
from .inputs import Inputs
from ..namespaces import bind_prefixes

FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".n3": ox.RdfFormat.N3,
}

_XSD_STRING = str(XSD.string)
_RDF_LANGSTRING = str(RDF.langString)


def is_named_graph(name) -> bool:
    """False for None and for rdflib's own default graph (an on-disk store holds the union
    there, see kazkg.build.persist)."""
    return name is not None and not str(name).startswith("urn:x-rdflib:")


def to_rdflib(term):
    """Convert a pyoxigraph term to the equal rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.DefaultGraph):
        return None
    raise TypeError(f"unsupported term {term!r}")


def to_oxigraph(term):
    """Convert an rdflib term to the equal pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def read_quads(path: Path, base_iri: str | None = None) -> Iterable[tuple]:
    """Yield (s, p, o, g) rdflib terms from a file; g is None for the default graph.

    Raises InputError naming the file, line and column of the first syntax error.
    """
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise InputError(path, f"unknown RDF file extension {path.suffix!r} (known: {known})")
    try:
        parsed = list(
            ox.parse(path=path, format=fmt, base_iri=base_iri or path.resolve().as_uri(),
                     rename_blank_nodes=True)
        )
    except SyntaxError as error:
        message = str(error.msg).split(": ", 1)[-1] if error.msg else str(error)
        raise InputError(path, message, error.lineno, error.offset) from None
    except (OSError, ValueError) as error:
        raise InputError(path, str(error)) from None
    cache: dict = {}

    def convert(term):
        key = (type(term), term)
        if key not in cache:
            cache[key] = to_rdflib(term)
        return cache[key]

    for quad in parsed:
        graph = quad.graph_name
        yield (convert(quad.subject), convert(quad.predicate), convert(quad.object),
               None if isinstance(graph, ox.DefaultGraph) else convert(graph))


def new_dataset() -> Dataset:
    dataset = Dataset(default_union=True)
    bind_prefixes(dataset)
    return dataset


def load(inputs: Inputs) -> Dataset:
    """Parse every input file into its named graph of a new Dataset (default graph = union)."""
    dataset = new_dataset()
    for source in inputs.sources:
        target = dataset.graph(source.graph)
        for s, p, o, g in read_quads(source.path):
            (target if g is None else dataset.graph(g)).add((s, p, o))
    return dataset
