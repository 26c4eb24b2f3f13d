"""Input files parsed straight into integer-coded triples, one array per named graph: what a
full build holds instead of an rdflib Dataset (at 100x the Dataset alone took 1.5 GB).

Each distinct pyoxigraph term is made an rdflib term once (kazkg.build.closure's Terms code
rdflib terms), and is kept too, so that writing the Oxigraph copy converts nothing back.
"""

from __future__ import annotations

from array import array

import pyoxigraph as ox

from ..formats.terms import to_oxigraph, to_rdflib
from .closure.store import Terms
from .store import parse


class Coder:
    """Terms (rdflib) and their pyoxigraph forms, by code."""

    def __init__(self, terms: Terms | None = None):
        self.terms = terms or Terms()
        self._codes: dict = {}  # pyoxigraph term -> code
        self._ox: dict = {}     # code -> pyoxigraph term
        self._list: list = []   # the same by code, once asked for

    def code(self, term) -> int:
        found = self._codes.get(term)
        if found is None:
            found = self._codes[term] = self.terms.code(to_rdflib(term))
            self._ox[found] = term
        return found

    def oxigraph_terms(self) -> list:
        """Every code's pyoxigraph term, by code (made from rdflib's where the parser gave
        none: a term the closure made, or the rules' vocabulary)."""
        made, term, known = self._ox, self.terms.term, self._list
        known += [made[c] if c in made else to_oxigraph(term(c))
                  for c in range(len(known), len(self.terms.terms))]
        return known

    def forget_parsing(self) -> None:
        """Drop the parser-side index: the codes stay, and each code's pyoxigraph term."""
        self._codes = {}


def parse_graphs(inputs, coder: Coder) -> dict[str, array] | None:
    """Graph IRI -> its coded triples (s, p, o flattened, no duplicates), for every input
    file; None when a file names graphs of its own (a TriG or N-Quads file: then a graph is
    not its file, which an incremental build relies on)."""
    code, found = coder.code, {}
    for source in inputs.sources:
        name = str(source.graph)
        own = ox.NamedNode(name)
        graph_triples = set(triples_of(found.get(name, ())))  # two files of one graph: merged
        for quad in parse(source.path):
            graph = quad.graph_name
            if not isinstance(graph, ox.DefaultGraph) and graph != own:
                return None
            graph_triples.add((code(quad.subject), code(quad.predicate), code(quad.object)))
        found[name] = array("q", [c for t in graph_triples for c in t])  # a set no longer than a file
    return {name: coded for name, coded in found.items() if coded}


def triples_of(coded):
    """The (s, p, o) triples of one graph's array."""
    it = iter(coded)
    return zip(it, it, it)


def all_triples(graphs: dict):
    """The triples of every graph (a triple in two graphs comes twice)."""
    for coded in graphs.values():
        yield from triples_of(coded)
