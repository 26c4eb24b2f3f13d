"""owlrl's inconsistency rules, checked once on the closed store, with owlrl's messages.

owlrl tests them on every triple of every cycle; its last cycle sees the whole closure, and
every condition is a conjunction of triples, so checking the closure once finds the same.
The messages (and owlrl's quirks, e.g. the pair loops of eq-diff2 and prp-adp that stop one
member short) are kept as owlrl has them, so that the reports compare equal.
"""

from __future__ import annotations

from .plans import cardinality
from .vocabulary import (ADC, ADIFF, ADP, ASSP, ASYM, COMP, DIFF, DISJ, DMEMBERS, IRR, MAXC,
                         MAXQC, MEMBERS, NOTHING, ONC, ONP, PDW, SAME, SRC, TGTI, TGTV, THING,
                         TYPE)


def contradictions(engine) -> list[str]:
    st, lists = engine.store, engine.lists
    t = engine.terms.term
    found: dict[str, None] = {}

    def say(message, *codes):
        found.setdefault(message % tuple(t(c) for c in codes))

    for s, o in st.pairs(SAME):  # eq-diff1
        if st.has(s, DIFF, o) or st.has(o, DIFF, s):
            say(_SAME_DIFFERENT, s, o)
    for s, o in st.pairs(DIFF):  # eq-diff1 with eq-ref's x owl:sameAs x
        if s == o:
            say(_SAME_DIFFERENT, s, o)
    for x in st.subjects(TYPE, ADIFF):  # eq-diff2, eq-diff3
        for head in list(st.objects(x, MEMBERS)) + list(st.objects(x, DMEMBERS)):
            for a, b in _owlrl_pairs(lists(head)):
                if a != b and (st.has(a, SAME, b) or st.has(b, SAME, a)):
                    say("'sameAs' and 'AllDifferent' cannot be used on the same subject-object "
                        "pair: (%s, %s)", a, b)
    for p in st.subjects(TYPE, IRR):  # prp-irp
        for x, y in st.pairs(p):
            if x == y:
                say("Irreflexive property used on %s with %s", x, p)
    for p in st.subjects(TYPE, ASYM):  # prp-asyp
        for x, y in st.pairs(p):
            if st.has(y, p, x):
                say("Erroneous usage of asymmetric property %s on %s and %s", p, x, y)
    for x in st.subjects(TYPE, ADP):  # prp-adp
        for head in st.objects(x, MEMBERS):
            for p1, p2 in _owlrl_pairs(lists(head)):
                for a, b in st.pairs(p1):
                    if st.has(a, p2, b):
                        say("Disjoint properties in an 'AllDisjointProperties' are not really "
                            "disjoint: (%s, %s,%s) and (%s,%s,%s)", a, p1, b, a, p2, b)
    for p1, p2 in st.pairs(PDW):  # prp-pdw
        for x, y in st.pairs(p1):
            if st.has(x, p2, y):
                say("Erroneous usage of disjoint properties %s and %s on %s and %s", p1, p2, x, y)
    for x, i1 in st.pairs(SRC):  # prp-npa1, prp-npa2
        for p in st.objects(x, ASSP):
            for target, kind in ((TGTI, "object"), (TGTV, "datatype")):
                for i2 in st.objects(x, target):
                    if st.has(i1, p, i2):
                        say(f"Negative ({kind}) property assertion violated for: (%s, %s, %s)",
                            i1, p, i2)
    for x in st.subjects(TYPE, NOTHING):  # cls-nothing2
        say("%s is defined of type 'Nothing'", x)
    for c1, c2 in st.pairs(COMP):  # cls-com (owlrl names the complement as the element)
        for x in st.subjects(TYPE, c1):
            if st.has(x, TYPE, c2):
                say("Violation of complementarity for classes %s and %s on element %s", c1, c2, c2)
    for r, value in st.pairs(MAXC):  # cls-maxc1
        if cardinality(t(value)) == 0:
            for p in st.objects(r, ONP):
                for u, y in st.pairs(p):
                    if st.has(u, TYPE, r):
                        say("Erroneous usage of maximum cardinality with %s and %s", r, y)
    for r, value in st.pairs(MAXQC):  # cls-maxqc1, cls-maxqc2
        if cardinality(t(value)) == 0:
            for p in st.objects(r, ONP):
                for c in st.objects(r, ONC):
                    for u, y in st.pairs(p):
                        if (c == THING or st.has(y, TYPE, c)) and st.has(u, TYPE, r):
                            say("Erroneous usage of maximum qualified cardinality with %s, %s "
                                "and %s", r, c, y)
    for c1, c2 in st.pairs(DISJ):  # cax-dw
        for x in st.subjects(TYPE, c1):
            if st.has(x, TYPE, c2):
                say(_DISJOINT, c1, c2, x)
    for x in st.subjects(TYPE, ADC):  # cax-adc
        for head in st.objects(x, MEMBERS):
            classes = lists(head)
            for i, c1 in enumerate(classes[:-1]):
                for z in st.subjects(TYPE, c1):
                    for c2 in classes[i + 1:]:
                        if st.has(z, TYPE, c2):
                            say(_DISJOINT, c1, c2, z)
    return list(found)


_SAME_DIFFERENT = ("'sameAs' and 'differentFrom' cannot be used on the same subject-object "
                   "pair: (%s, %s)")
_DISJOINT = "Disjoint classes %s and %s have a common individual %s"


def _owlrl_pairs(members):
    """The pairs owlrl's eq-diff2 and prp-adp loops visit: i < j < len - 1."""
    n = len(members)
    return [(members[i], members[j]) for i in range(n - 1) for j in range(i + 1, n - 1)]
