"""What the ontology makes of one property's triples, or of one class's members: the OWL-RL
rules compiled from the schema triples in the store, so that a data triple is dispatched by
its predicate (or, for rdf:type, its class) to exactly the rules it can fire."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Literal

from .vocabulary import (AVF, CHAIN, DOM, EQC, EQP, FUNC, HV, IFP, INT, INV, MAXC, MAXQC, ONC,
                         ONP, RNG, SPO, SUB, SVF, SYM, TRANS, TYPE, UNI)


@dataclass(frozen=True)
class PropertyPlan:
    """The rules a triple (x P y) fires, with the schema terms they need."""

    domains: tuple = ()          # prp-dom: x a C
    ranges: tuple = ()           # prp-rng: y a C
    supers: tuple = ()           # prp-spo1, prp-eqp1/2: x Q y
    inverses: tuple = ()         # prp-inv1/2: y Q x
    symmetric: bool = False      # prp-symp
    transitive: bool = False     # prp-trp
    functional: bool = False     # prp-fp
    inverse_functional: bool = False  # prp-ifp
    chains: tuple = ()           # prp-spo2: (Q, chain, position of P in it)
    has_value: tuple = ()        # cls-hv2: (value, restriction)
    some_values: tuple = ()      # cls-svf1/2: (restriction, filler)
    all_values: tuple = ()       # cls-avf: (restriction, filler)
    max_one: tuple = ()          # cls-maxc2: restriction
    max_one_of: tuple = ()       # cls-maxqc3/4: (restriction, class)


@dataclass(frozen=True)
class ClassPlan:
    """The rules a triple (x a C) fires, with the schema terms they need."""

    supers: tuple = ()           # cax-sco, cax-eqc1/2: x a D
    in_intersections: tuple = ()  # cls-int1: (intersection, its members)
    members: tuple = ()          # cls-int2: C is an intersection: x a each member
    in_unions: tuple = ()        # cls-uni
    has_value: tuple = ()        # cls-hv1: (property, value)
    all_values: tuple = ()       # cls-avf: (property, filler)
    filler_of: tuple = ()        # cls-svf1, from the filler's side: (restriction, property)
    max_one: tuple = ()          # cls-maxc2: property
    max_one_of: tuple = ()       # cls-maxqc3/4: (property, class)
    on_class_of: tuple = ()      # cls-maxqc3, from the qualifying class's side: (restriction, property)


NO_PROPERTY_RULES = PropertyPlan()
NO_CLASS_RULES = ClassPlan()


def cardinality(term) -> object:
    """A cardinality's value as owlrl reads it (`literal.value`); None when it is no literal."""
    return term.value if isinstance(term, Literal) else None


class Compiler:
    """Builds plans from the store; `lists(head)` reads an rdf:List (cached: lists are input)."""

    def __init__(self, store, terms, lists):
        self.store, self.terms, self.lists = store, terms, lists

    def _ones(self, restriction, predicate):
        return any(cardinality(self.terms.term(v)) == 1 for v in self.store.objects(restriction, predicate))

    def _sorted(self, values, exclude=None):
        return tuple(sorted(v for v in values if v != exclude))

    def property_plan(self, p: int) -> PropertyPlan:
        st = self.store
        supers = set(st.objects(p, SPO)) | set(st.objects(p, EQP)) | set(st.subjects(EQP, p))
        chains = []
        for owner, head in st.pairs(CHAIN):
            chain = tuple(self.lists(head))
            chains.extend((owner, chain, i) for i, q in enumerate(chain) if q == p)
        has_value, some, every, max_one, max_one_of = [], [], [], [], []
        for r in st.subjects(ONP, p):
            has_value.extend((y, r) for y in st.objects(r, HV))
            some.extend((r, y) for y in st.objects(r, SVF))
            every.extend((r, y) for y in st.objects(r, AVF))
            if self._ones(r, MAXC):
                max_one.append(r)
            if self._ones(r, MAXQC):
                max_one_of.extend((r, c) for c in st.objects(r, ONC))
        plan = PropertyPlan(
            domains=self._sorted(st.objects(p, DOM)),
            ranges=self._sorted(st.objects(p, RNG)),
            supers=self._sorted(supers, exclude=p),
            inverses=self._sorted(set(st.objects(p, INV)) | set(st.subjects(INV, p))),
            symmetric=st.has(p, TYPE, SYM),
            transitive=st.has(p, TYPE, TRANS),
            functional=st.has(p, TYPE, FUNC),
            inverse_functional=st.has(p, TYPE, IFP),
            chains=tuple(sorted(chains)),
            has_value=tuple(sorted(has_value)),
            some_values=tuple(sorted(some)),
            all_values=tuple(sorted(every)),
            max_one=tuple(sorted(max_one)),
            max_one_of=tuple(sorted(max_one_of)),
        )
        return NO_PROPERTY_RULES if plan == NO_PROPERTY_RULES else plan

    def class_plan(self, c: int) -> ClassPlan:
        st = self.store
        supers = set(st.objects(c, SUB)) | set(st.objects(c, EQC)) | set(st.subjects(EQC, c))
        in_intersections = []
        for owner, head in st.pairs(INT):
            chain = tuple(self.lists(head))
            if c in chain:
                in_intersections.append((owner, chain))
        members = {m for head in st.objects(c, INT) for m in self.lists(head)}
        in_unions = {owner for owner, head in st.pairs(UNI) if c in self.lists(head)}
        on_property = st.objects(c, ONP)
        filler_of = [(r, q) for r in st.subjects(SVF, c) for q in st.objects(r, ONP)]
        on_class_of = [(r, q) for r in st.subjects(ONC, c) if self._ones(r, MAXQC)
                       for q in st.objects(r, ONP)]
        plan = ClassPlan(
            supers=self._sorted(supers, exclude=c),
            in_intersections=tuple(sorted(in_intersections)),
            members=tuple(sorted(members)),
            in_unions=tuple(sorted(in_unions)),
            has_value=tuple(sorted((q, y) for q in on_property for y in st.objects(c, HV))),
            all_values=tuple(sorted((q, y) for q in on_property for y in st.objects(c, AVF))),
            filler_of=tuple(sorted(filler_of)),
            max_one=tuple(sorted(on_property)) if self._ones(c, MAXC) else (),
            max_one_of=tuple(sorted((q, k) for q in on_property for k in st.objects(c, ONC)))
            if self._ones(c, MAXQC) else (),
            on_class_of=tuple(sorted(on_class_of)),
        )
        return NO_CLASS_RULES if plan == NO_CLASS_RULES else plan
