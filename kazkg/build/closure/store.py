"""Integer-coded terms and a triple store indexed both ways, for the OWL-RL closure.

Every rdflib term becomes a small int once; the rules then compare and hash ints only.
The store keeps, per predicate, subject -> objects and object -> subjects, which answers every
lookup the rules make in one or two dict reads.
"""

from __future__ import annotations

from rdflib import Literal

from .vocabulary import VOCABULARY

EMPTY: frozenset = frozenset()


class Terms:
    """Terms <-> ints. The vocabulary the rules name is coded first, in `VOCABULARY` order."""

    def __init__(self):
        self.ids: dict = {}
        self.terms: list = []
        self.literals: set[int] = set()  # a literal is never a predicate (owlrl drops such triples)
        for term in VOCABULARY:
            self.code(term)

    def code(self, term) -> int:
        found = self.ids.get(term)
        if found is None:
            found = self.ids[term] = len(self.terms)
            self.terms.append(term)
            if isinstance(term, Literal):
                self.literals.add(found)
        return found

    def term(self, code: int):
        return self.terms[code]

    def known(self, term) -> int | None:
        return self.ids.get(term)


class Store:
    """A set of (s, p, o) int triples; `sp[p][s]` is the objects, `op[p][o]` the subjects."""

    __slots__ = ("sp", "op", "size")

    def __init__(self):
        self.sp: dict[int, dict[int, set[int]]] = {}
        self.op: dict[int, dict[int, set[int]]] = {}
        self.size = 0

    def add(self, s: int, p: int, o: int) -> bool:
        """Add the triple; False if it was there already."""
        by_subject = self.sp.get(p)
        if by_subject is None:
            by_subject = self.sp[p] = {}
            self.op[p] = {}
        objects = by_subject.get(s)
        if objects is None:
            by_subject[s] = {o}
        elif o in objects:
            return False
        else:
            objects.add(o)
        subjects = self.op[p].get(o)
        if subjects is None:
            self.op[p][o] = {s}
        else:
            subjects.add(s)
        self.size += 1
        return True

    def discard(self, s: int, p: int, o: int) -> None:
        objects = self.sp.get(p, {}).get(s)
        if objects is None or o not in objects:
            return
        objects.discard(o)
        if not objects:
            del self.sp[p][s]
        subjects = self.op[p][o]
        subjects.discard(s)
        if not subjects:
            del self.op[p][o]
        self.size -= 1

    def has(self, s: int, p: int, o: int) -> bool:
        by_subject = self.sp.get(p)
        if by_subject is None:
            return False
        objects = by_subject.get(s)
        return objects is not None and o in objects

    def objects(self, s: int, p: int):
        by_subject = self.sp.get(p)
        return by_subject.get(s, EMPTY) if by_subject is not None else EMPTY

    def subjects(self, p: int, o: int):
        by_object = self.op.get(p)
        return by_object.get(o, EMPTY) if by_object is not None else EMPTY

    def pairs(self, p: int):
        """Every (s, o) with (s, p, o) in the store (a list: the caller may add while it reads)."""
        by_subject = self.sp.get(p)
        if not by_subject:
            return []
        return [(s, o) for s, objects in by_subject.items() for o in objects]

    def triples(self):
        for p, by_subject in self.sp.items():
            for s, objects in by_subject.items():
                for o in objects:
                    yield s, p, o

    def items(self, head: int, first: int, rest: int, nil: int) -> list[int]:
        """The members of the rdf:List at `head`, read as rdflib's Graph.items reads it."""
        found, seen = [], {head}
        node = head
        while node is not None and node != nil:
            values = self.objects(node, first)
            if values:
                found.append(min(values))
            rests = self.objects(node, rest)
            node = min(rests) if rests else None
            if node in seen:
                raise ValueError("an rdf:List contains a recursive rdf:rest reference")
            seen.add(node)
        return found
