"""Parse input files into an rdflib Dataset, one named graph per file.

Parsing goes through pyoxigraph: it is strict (what it accepts, every linked-data tool
accepts), fast, and its errors carry a line and a column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
from rdflib import Dataset

from ..errors import InputError
from ..formats import entities
from ..formats.table import READABLE
from ..formats.terms import Unsupported, to_rdflib, unsupported
from ..namespaces import bind_prefixes
from .inputs import Inputs

# An RDF/XML file may grow this much by its entities (the &owl; idiom grows a file far less).
ENTITY_GROWTH, ENTITY_SLACK = 16, 16 << 20


def parse(path: Path, base_iri: str | None = None) -> list:
    """The file's quads as pyoxigraph parses them (blank nodes named afresh, unique to this
    parse). Raises InputError naming the file, line and column of the first syntax error."""
    fmt = READABLE.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(READABLE))
        raise InputError(path, f"unknown RDF file extension {path.suffix!r} (known: {known})")
    if fmt.oxigraph == ox.RdfFormat.RDF_XML:  # its parser expands entities without a limit
        try:
            data = path.read_bytes()
            entities.check(data, ENTITY_GROWTH * len(data) + ENTITY_SLACK, "the file")
        except entities.EntityRefused as refused:
            raise InputError(path, str(refused)) from None
        except OSError as error:
            raise InputError(path, str(error)) from None
    try:
        return list(
            ox.parse(path=path, format=fmt.oxigraph,
                     base_iri=base_iri or path.resolve().as_uri(), rename_blank_nodes=True)
        )
    except SyntaxError as error:
        message = str(error.msg).split(": ", 1)[-1] if error.msg else str(error)
        raise InputError(path, message, error.lineno, error.offset) from None
    except (OSError, ValueError) as error:
        raise InputError(path, str(error)) from None


def read_quads(path: Path, base_iri: str | None = None) -> Iterable[tuple]:
    """Yield (s, p, o, g) rdflib terms from a file; g is None for the default graph.

    Raises InputError naming the file, line and column of the first syntax error.
    """
    parsed = parse(path, base_iri)
    cache: dict = {}

    def convert(term):
        key = (type(term), term)
        if key not in cache:
            cache[key] = to_rdflib(term)
        return cache[key]

    for quad in parsed:
        graph = quad.graph_name
        try:
            yield (convert(quad.subject), convert(quad.predicate), convert(quad.object),
                   None if isinstance(graph, ox.DefaultGraph) else convert(graph))
        except (Unsupported, TypeError):  # a base direction, a triple term
            raise InputError(path, f"the file holds {unsupported(quad)} (in the triple with "
                             f"predicate {quad.predicate}): kazkg does not support it") from None


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
