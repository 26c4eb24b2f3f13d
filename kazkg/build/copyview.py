"""The build before's Oxigraph copy, with a change applied on top, read through the closure's
integer codes: what kazkg.build.localshapes walks to find and read the focus nodes a change
reaches, so that an incremental build reads no closure for SHACL (at 10x the closure's store
took a second to load, the walks take milliseconds).

The copy's default graph holds the union of every graph, the inferred one too: a walk may
pass more triples than the data holds (localshapes filters what it collects by the union of
the asserted graphs), never fewer. Literals come back in the data's own spellings.
"""

from __future__ import annotations

import pyoxigraph as ox

from ..formats.terms import to_oxigraph, to_rdflib

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class CopyView:
    """objects/subjects/pairs over a copy (its pyoxigraph Store, and its {canonical: original}
    spellings) and the coded triples `added`."""

    def __init__(self, store: ox.Store, originals: dict, terms, added=()):
        self.store, self.terms, self.originals = store, terms, originals
        self.forward: dict = {}
        self.backward: dict = {}
        for s, p, o in added:
            self.forward.setdefault((s, p), set()).add(o)
            self.backward.setdefault((p, o), set()).add(s)
        self._terms: dict = {}

    def _term(self, code: int):
        found = self._terms.get(code)
        if found is None:
            found = self._terms[code] = to_oxigraph(self.terms.term(code))
        return found

    def _code(self, term) -> int:
        term = self.originals.get(term, term)
        if isinstance(term, ox.NamedNode):
            key = f"U{term.value}"
        elif isinstance(term, ox.BlankNode):
            key = f"B{term.value}"
        elif term.language:
            key = f"L@{term.language}\0{term.value}"
        elif term.datatype.value == _XSD_STRING:
            key = f"L\0{term.value}"
        else:
            key = f"L^{term.datatype.value}\0{term.value}"
        found = self.terms.ids.get(key)
        return found if found is not None else self.terms.code(to_rdflib(term))

    def objects(self, s: int, p: int):
        if s in self.terms.literals:  # the copy holds no triple about a literal
            return self.forward.get((s, p), set())
        found = {self._code(q.object) for q in self.store.quads_for_pattern(
            self._term(s), self._term(p), None, ox.DefaultGraph())}
        return found | self.forward.get((s, p), set())

    def subjects(self, p: int, o: int):
        found = {self._code(q.subject) for q in self.store.quads_for_pattern(
            None, self._term(p), self._term(o), ox.DefaultGraph())}
        return found | self.backward.get((p, o), set())

    def pairs(self, p: int):
        found = {(self._code(q.subject), self._code(q.object)) for q in self.store.quads_for_pattern(
            None, self._term(p), None, ox.DefaultGraph())}
        return found | {(s, o) for (s, q), objects in self.forward.items() if q == p for o in objects}
