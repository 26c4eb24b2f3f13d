"""How sure an inferred statement is: as sure as the least sure statement it rests on.

OWL-RL's property chains (an enterprise operates under the policy its switch adopted, and the
policies that is part of), transitive properties (located in) and classes by restriction (an
enterprise under the new planning system) combine statements; where one of them is the
editors' reading or a hypothesis, so is what follows. `weakest()` maps each such inferred
triple, (s, rdf:type, class) included, to (certainty IRI, reason, graph of the premise); an
inferred triple that rests on attested statements only is not in it. Computed once per
dataset version from the ontology's axioms and the certainties kazkg.web.reading knows.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import RDF

from ..namespaces import KAZKG, KZR
from .lookup import cached, names, select
from .reading import ATTESTED, certainties

RANK = {ATTESTED: 0, str(KZR["certainty-editorial"]): 1, str(KZR["certainty-hypothesis"]): 2}

CHAINS = """
SELECT ?p ?a ?b WHERE {
  { ?p owl:propertyChainAxiom ?l . ?l rdf:first ?a ; rdf:rest ?r . ?r rdf:first ?b ; rdf:rest rdf:nil }
  UNION { ?p a owl:TransitiveProperty BIND (?p AS ?a) BIND (?p AS ?b) }
  FILTER (isIRI(?p) && isIRI(?a) && isIRI(?b))
}"""

# A bound variable is projected (kazkg.web.lookup.select): else Oxigraph refuses the
# substitution and the query ran on rdflib, 40 s each at 100x (435 s for this lookup).
INSTANCES = """
SELECT DISTINCT ?s ?m ?o ?p ?a ?b WHERE { ?s ?a ?m . ?m ?b ?o . ?s ?p ?o }"""
MEMBERS = "SELECT DISTINCT ?s ?c WHERE { ?s a ?c }"

RESTRICTIONS = """
SELECT ?c ?q ?v WHERE {
  ?c owl:equivalentClass ?e .
  { ?e owl:onProperty ?q ; owl:hasValue ?v } UNION
  { ?e owl:intersectionOf/rdf:rest*/rdf:first ?r . ?r owl:onProperty ?q ; owl:hasValue ?v }
  FILTER (isIRI(?c))
}"""

# a statement only an editors' graph makes is the editors' (the pages file it as editorial)
EDITORS_ONLY = """
SELECT ?s ?p ?o ?g WHERE {
  GRAPH ?g { ?s ?p ?o FILTER (isIRI(?o) && STRSTARTS(STR(?p), STR(kazkg:))) }
  ?g a kazkg:EditorialAssertion .
  FILTER NOT EXISTS { GRAPH ?h { ?s ?p ?o } FILTER (?h != ?g && ?h != kzg:inferred)
                      FILTER NOT EXISTS { ?h a kazkg:EditorialAssertion } }
}"""


def weakest() -> dict:
    """{(s, p, o): (certainty IRI, reason, graph)} of the inferred triples that rest on a
    statement less than attested."""
    return cached("inference-premises", _compute)


def _compute() -> dict:
    sure = certainties()
    editors = {(r["s"], r["p"], r["o"]): str(r["g"]) for r in select(EDITORS_ONLY)}
    nm = names()

    def own(s, p, o):
        """The certainty of one asserted triple, or None when it is attested."""
        found = sure.get((s, p, o))
        if found is None:
            claim = sure.get((s,)) or sure.get((o,))
            found = claim if claim and p != RDF.type else None
        if found is None and (s, p, o) in editors:
            found = (str(KZR["certainty-editorial"]), "", editors[(s, p, o)])
        return found if found and found[0] != ATTESTED else None

    chains = [(r["p"], r["a"], r["b"]) for r in select(CHAINS)]
    steps = []
    for p, a, b in chains:
        for r in select(INSTANCES, {"p": p, "a": a, "b": b}):
            steps.append(((r["s"], p, r["o"]), (r["s"], a, r["m"]), (r["m"], b, r["o"])))
    weak: dict = {}

    def of(triple):
        return weak.get(triple) or own(*triple)

    for _ in range(6):  # chains of chains: a fixed point within a few rounds
        changed = False
        for result, first, second in steps:
            premise = max((x for x in (of(first), of(second)) if x), key=lambda c: RANK.get(c[0], 0), default=None)
            if premise is None or own(*result) is not None:
                continue
            before = weak.get(result)
            if before is None or RANK.get(premise[0], 0) > RANK.get(before[0], 0):
                weak[result] = _because(premise, first if of(first) == premise else second, nm)
                changed = True
        if not changed:
            break
    for r in select(RESTRICTIONS):
        for s in _members(r["c"]):
            premise = of((s, r["q"], r["v"]))
            if premise:
                weak[(s, RDF.type, r["c"])] = _because(premise, (s, r["q"], r["v"]), nm)
    return weak


def _members(cls) -> list:
    return [r["s"] for r in select(MEMBERS, {"c": cls})]


def _because(premise: tuple, triple: tuple, nm) -> tuple:
    """The premise's certainty, with a reason that names the statement it comes from."""
    s, p, o = (nm.label(x, "en") for x in triple)
    if premise[1].startswith("Inferred from "):
        return premise
    reason = f"Inferred from '{s} — {p} — {o}', the editors' reading or a hypothesis"
    reason += f": {premise[1]}" if premise[1] else "."
    return (premise[0], reason, premise[2])


def of_type(iri: str, cls: str):
    return weakest().get((URIRef(iri), RDF.type, URIRef(cls)))


def dated_qualifier(iri: str) -> str | None:
    """How sure an item a list places in time is, where less than attested: the item's own
    certainty (one claim) or its kazkg:hasTime's (a figure its source leaves undated, dated by
    the editors), the less sure of the two."""
    own = certainties().get((URIRef(iri),))
    found = [c for c in ((own[0] if own else None), _time_certainties().get(iri)) if c and c != ATTESTED]
    return max(found, key=lambda c: RANK.get(c, 0)) if found else None


def _time_certainties() -> dict:
    def compute():
        out: dict = {}
        for key, (certainty, _reason, _graph) in certainties().items():
            if len(key) == 3 and key[1] == KAZKG.hasTime and certainty != ATTESTED:
                out[str(key[0])] = max(out.get(str(key[0]), certainty), certainty, key=lambda c: RANK.get(c, 0))
        return out
    return cached("time-certainties", compute)
