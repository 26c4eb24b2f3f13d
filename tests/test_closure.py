"""kazkg's semi-naive OWL-RL closure (kazkg.closure) adds exactly the triples owlrl's own
OWLRL_Semantics adds (but its reflexive x owl:sameAs x) and reports the same inconsistencies:
on the bundled data, on the scale generator's 10x and on random ontologies with data."""

from __future__ import annotations

import owlrl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, Namespace
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kazkg.build import closure, reason, store
from kazkg.tools import scale
from kazkg.build.inputs import bundled
from kazkg.namespaces import INFERRED_GRAPH

EX = Namespace("https://example.org/")
ERRORS = owlrl.Namespaces.ERRNS


def reference(triples, semantics=owlrl.OWLRL_Semantics) -> tuple[set, list[str]]:
    """What owlrl adds to the graph, and its error messages. reason.LeanSemantics is owlrl's
    rules without its reflexive owl:sameAs (tests/test_reason_lean.py): the same, 7x sooner."""
    graph = Graph(store="SimpleMemory")  # only read: reason.closure copies it
    graph.addN((*t, graph) for t in triples)
    with reason._plain_namespaces():  # owlrl's rules as they are (tests/test_reason_lean.py)
        graph = reason.closure(graph, semantics)
    reports = set(graph.subjects(ERRORS.error, None))
    added = {t for t in graph if t not in triples and t[0] not in reports
             and not (t[1] == OWL.sameAs and t[0] == t[2])}
    return added, sorted(str(m) for m in graph.objects(None, ERRORS.error))


def assert_same_as_owlrl(triples, semantics=owlrl.OWLRL_Semantics):
    triples = set(triples)
    fast = closure.compute(triples)
    if fast.fallback:  # kazkg.reason runs owlrl itself then
        return
    added, errors = reference(triples, semantics)
    assert set(fast.inferred()) == added
    assert sorted(fast.errors) == errors


def asserted_triples(inputs) -> set:
    """Every input file's triples, as store.load parses them (without the Dataset it fills:
    at 10x, 7.7 s -> 3.1 s of CPU)."""
    triples = {(s, p, o) for source in inputs.sources
               for s, p, o, g in store.read_quads(source.path) if g != INFERRED_GRAPH}
    assert triples
    return triples


def test_the_bundled_data():
    triples = asserted_triples(bundled())
    fast = closure.compute(triples)
    assert fast.fallback is None and len(set(fast.inferred())) > 1000
    assert_same_as_owlrl(triples, reason.LeanSemantics)


@pytest.mark.slow
def test_ten_times_the_bundled_data(tmp_path):
    triples = asserted_triples(bundled(scale.generate(tmp_path / "x10", 10)))
    assert_same_as_owlrl(triples, reason.LeanSemantics)


# Random ontologies: a few classes, properties and individuals, and every kind of axiom the
# rules read, with restrictions and lists as blank nodes, then data about the individuals.
CLASSES = [EX[f"C{i}"] for i in range(4)] + [OWL.Thing]
PROPERTIES = [EX[f"p{i}"] for i in range(4)]
INDIVIDUALS = [EX[f"a{i}"] for i in range(4)]
LITERALS = [Literal("x"), Literal("x", lang="en"), Literal("1", datatype=XSD.integer),
            Literal("abc", datatype=XSD.integer), Literal("2", datatype=XSD.byte)]
PROPERTY_TYPES = [OWL.SymmetricProperty, OWL.TransitiveProperty, OWL.FunctionalProperty,
                  OWL.InverseFunctionalProperty, OWL.IrreflexiveProperty,
                  OWL.AsymmetricProperty, OWL.ObjectProperty, OWL.DatatypeProperty]
PAIRS = [RDFS.subClassOf, OWL.equivalentClass, OWL.disjointWith, OWL.complementOf]
PROPERTY_PAIRS = [RDFS.subPropertyOf, OWL.equivalentProperty, OWL.inverseOf,
                  OWL.propertyDisjointWith]
LISTS = [OWL.intersectionOf, OWL.unionOf]


@st.composite
def ontologies(draw):
    graph = Graph()
    c, p = st.sampled_from(CLASSES), st.sampled_from(PROPERTIES)
    ind, values = st.sampled_from(INDIVIDUALS), st.sampled_from(INDIVIDUALS + LITERALS)
    nodes = iter(range(1000))

    def fresh():
        return BNode(f"b{next(nodes)}")

    def a_list(items):
        head = fresh()
        Collection(graph, head, items)
        return head

    def restriction():
        r = draw(st.sampled_from([fresh(), EX.R0, EX.R1]))
        graph.add((r, RDF.type, OWL.Restriction))
        graph.add((r, OWL.onProperty, draw(p)))
        kind = draw(st.sampled_from([OWL.hasValue, OWL.someValuesFrom, OWL.allValuesFrom,
                                     OWL.maxCardinality, OWL.maxQualifiedCardinality]))
        if kind == OWL.hasValue:
            graph.add((r, kind, draw(values)))
        elif kind in (OWL.someValuesFrom, OWL.allValuesFrom):
            graph.add((r, kind, draw(st.sampled_from(CLASSES + [XSD.integer]))))
        else:
            graph.add((r, kind, Literal(draw(st.integers(0, 1)), datatype=XSD.nonNegativeInteger)))
            if kind == OWL.maxQualifiedCardinality:
                graph.add((r, OWL.onClass, draw(c)))
        return r

    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["pair", "ppair", "ptype", "class", "domain", "chain",
                                     "restriction", "list", "oneof", "all", "key", "same"]))
        if kind == "pair":
            graph.add((draw(c), draw(st.sampled_from(PAIRS)), draw(c)))
        elif kind == "ppair":
            graph.add((draw(p), draw(st.sampled_from(PROPERTY_PAIRS)), draw(p)))
        elif kind == "ptype":
            graph.add((draw(p), RDF.type, draw(st.sampled_from(PROPERTY_TYPES))))
        elif kind == "class":
            graph.add((draw(c), RDF.type, OWL.Class))
        elif kind == "domain":
            graph.add((draw(p), draw(st.sampled_from([RDFS.domain, RDFS.range])), draw(c)))
        elif kind == "chain":
            graph.add((draw(p), OWL.propertyChainAxiom, a_list(draw(st.lists(p, min_size=1, max_size=3)))))
        elif kind == "restriction":
            link = draw(st.sampled_from([RDFS.subClassOf, OWL.equivalentClass, None]))
            r = restriction()
            if link is not None:
                graph.add((draw(c), link, r) if draw(st.booleans()) else (r, link, draw(c)))
        elif kind == "list":
            members = draw(st.lists(st.one_of(c, st.builds(restriction)), min_size=1, max_size=3))
            graph.add((draw(c), draw(st.sampled_from(LISTS)), a_list(members)))
        elif kind == "oneof":
            graph.add((draw(c), OWL.oneOf, a_list(draw(st.lists(ind, min_size=1, max_size=3)))))
        elif kind == "all":
            node, what = fresh(), draw(st.sampled_from(["classes", "properties", "different"]))
            kinds = {"classes": (OWL.AllDisjointClasses, c), "properties": (OWL.AllDisjointProperties, p),
                     "different": (OWL.AllDifferent, ind)}
            graph.add((node, RDF.type, kinds[what][0]))
            graph.add((node, OWL.members, a_list(draw(st.lists(kinds[what][1], min_size=2, max_size=4)))))
        elif kind == "key":
            graph.add((draw(c), OWL.hasKey, a_list(draw(st.lists(p, min_size=1, max_size=2)))))
        else:
            graph.add((draw(ind), draw(st.sampled_from([OWL.sameAs, OWL.differentFrom])), draw(ind)))
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.booleans()):
            graph.add((draw(ind), RDF.type, draw(st.sampled_from(CLASSES + [EX.R0, EX.R1]))))
        else:
            graph.add((draw(ind), draw(p), draw(values)))
    return set(graph)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ontologies())
def test_random_ontologies_and_data(triples):
    assert_same_as_owlrl(triples)
