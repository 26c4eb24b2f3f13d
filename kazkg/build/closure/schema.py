"""The rules owlrl applies once (cls-thing, cls-nothing1, prp-ap, dt-type1/2, dt-not-type),
the rules on the schema alone (scm-*, cls-oo) and prp-key, as owlrl states them.

The schema is small, so its rules are simply applied again until nothing new comes.
"""

from __future__ import annotations

from collections import defaultdict

from owlrl.DatatypeHandling import AltXSDToPYTHON
from owlrl.OWLRL import OWLRL_Annotation_properties
from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes
from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness

from .vocabulary import (ANNP, AVF, CLASS, DATAP, DATATYPE, DISJ, DOM, EQC, EQP, HV, INT, KEY,
                         NOTHING, OBJP, ONEOF, ONP, PROPERTY, RNG, SAME, SPO, SUB, SVF, THING,
                         TYPE, UNI)


def once(engine) -> list[str]:
    """The one-time rules, read from the input as owlrl reads it; returns their error messages."""
    terms, st, derive = engine.terms, engine.store, engine.derive
    code = terms.code
    errors = []
    # Read everything first: owlrl reads the input graph, then adds what it found.
    implicit = {}  # literal -> its datatype, for literals of an OWL 2 RL datatype
    for lit in sorted(terms.literals):
        datatype = terms.term(lit).datatype
        if datatype in OWL_RL_Datatypes:
            implicit[lit] = code(datatype)
    used = set(implicit.values())
    explicit = defaultdict(set)
    for datatype in sorted(code(d) for d in OWL_RL_Datatypes):
        for s in sorted(st.subjects(TYPE, datatype)):
            used.add(datatype)
            if s not in implicit:
                explicit[s].add(datatype)
    for s, o in sorted(st.pairs(SAME)):
        if o in implicit:
            explicit[s].add(implicit[o])
        if o in explicit:
            explicit[s].add(o)
        if s in explicit:
            explicit[o].add(s)

    derive(THING, TYPE, CLASS)  # cls-thing
    derive(NOTHING, TYPE, CLASS)  # cls-nothing1
    for prop in OWLRL_Annotation_properties:  # prp-ap
        derive(code(prop), TYPE, ANNP)
    for lit, datatype in implicit.items():  # dt-type2 and dt-not-type
        derive(lit, TYPE, datatype)
        literal = terms.term(lit)
        try:
            AltXSDToPYTHON.get(literal.datatype, _identity)(str(literal))
        except ValueError:
            errors.append(f"Lexical value of the literal '{literal}' does not match its "
                          f"datatype ({literal.datatype})")
    for datatype in OWL_RL_Datatypes:  # dt-type1
        derive(code(datatype), TYPE, DATATYPE)
    for datatypes in explicit.values():
        for datatype in datatypes:
            derive(datatype, TYPE, DATATYPE)

    def subsumptions(node, datatype):
        for wider in OWL_Datatype_Subsumptions.get(terms.term(datatype), ()):
            derive(node, TYPE, code(wider))
            derive(code(wider), TYPE, DATATYPE)
            used.add(code(wider))

    for node, datatypes in list(explicit.items()):
        for datatype in list(datatypes):
            subsumptions(node, datatype)
    for lit, datatype in implicit.items():
        subsumptions(lit, datatype)
    for left, _, right in OWLRL_Datatypes_Disjointness:
        if code(left) in used and code(right) in used:
            derive(code(left), DISJ, code(right))
    engine.datatypes_used = used
    return errors


def _identity(value):
    return value


def saturate(engine) -> None:
    """Apply the schema rules until they add nothing."""
    while True:
        before = len(engine.derived)
        _schema_pass(engine)
        if len(engine.derived) == before:
            return


def _schema_pass(engine) -> None:
    st, d, lists = engine.store, engine.derive, engine.lists
    for c in list(st.subjects(TYPE, CLASS)):  # scm-cls
        d(c, SUB, c)
        d(c, EQC, c)
        d(c, SUB, THING)
        d(NOTHING, SUB, c)
    _hierarchy(st, d, SUB, EQC)  # scm-sco, scm-eqc1, scm-eqc2
    for kind in (OBJP, DATAP, PROPERTY):  # scm-op, scm-dp
        for q in list(st.subjects(TYPE, kind)):
            d(q, SPO, q)
            d(q, EQP, q)
    _hierarchy(st, d, SPO, EQP)  # scm-spo, scm-eqp1, scm-eqp2
    for predicate in (DOM, RNG):  # scm-dom1/2, scm-rng1/2
        for q, c1 in st.pairs(predicate):
            for c2 in list(st.objects(c1, SUB)):
                if c1 != c2:
                    d(q, predicate, c2)
            for p1 in list(st.subjects(SPO, q)):
                if p1 != q:
                    d(p1, predicate, c1)
    for kind in (HV, SVF, AVF):  # scm-hv, scm-svf1/2, scm-avf1/2
        for c1, y1 in st.pairs(kind):
            if kind != HV:  # the same property, the fillers subclasses
                for q in list(st.objects(c1, ONP)):
                    for c2 in list(st.subjects(ONP, q)):
                        for y2 in list(st.objects(c2, kind)):
                            if st.has(y1, SUB, y2):
                                d(c1, SUB, c2)
            for p1 in list(st.objects(c1, ONP)):  # the same value or filler, subproperties
                for c2 in list(st.subjects(kind, y1)):
                    for p2 in list(st.objects(c2, ONP)):
                        if st.has(p1, SPO, p2):
                            d(c2, SUB, c1) if kind == AVF else d(c1, SUB, c2)
    for c, head in st.pairs(INT):  # scm-int
        for member in lists(head):
            d(c, SUB, member)
    for c, head in st.pairs(UNI):  # scm-uni
        for member in lists(head):
            d(member, SUB, c)
    for c, head in st.pairs(ONEOF):  # cls-oo
        for member in lists(head):
            d(member, TYPE, c)


def _hierarchy(st, d, sub: int, equivalent: int) -> None:
    """Transitive `sub`; `equivalent` both ways `sub`; mutual `sub` is `equivalent` (owlrl
    derives a reflexive equivalentClass from a reflexive subClassOf, not so for properties)."""
    for x, y in st.pairs(sub):
        if x != y:
            for z in list(st.objects(y, sub)):
                if x != z:
                    d(x, sub, z)
        if st.has(y, sub, x) and (x != y or sub == SUB):
            d(x, equivalent, y)
    for x, y in st.pairs(equivalent):
        if x != y:
            d(x, sub, y)
            d(y, sub, x)


def keys(engine) -> None:
    """prp-key, as owlrl applies it (it compares all but the last key property's values)."""
    st, lists = engine.store, engine.lists
    for c, head in st.pairs(KEY):
        keys_of = lists(head)
        if not keys_of:
            continue
        members = sorted(st.subjects(TYPE, c))
        for x in members:
            combinations = [[z] for z in st.objects(x, keys_of[0])]
            for q in keys_of[1:]:
                combinations = [found + [z] for z in st.objects(x, q) for found in combinations]
            for y in members:
                if y == x or st.has(y, SAME, x) or st.has(x, SAME, y):
                    continue
                for values in combinations:
                    if all(st.has(y, keys_of[i], values[i]) for i in range(len(keys_of) - 1)):
                        engine.derive(x, SAME, y)
                        break
