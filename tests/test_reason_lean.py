"""kazkg's OWL-RL closure (reason.LeanSemantics) is owlrl's with its waste removed: on the real
graph it infers exactly what owlrl's own OWLRL_Semantics infers, and reports the same errors."""

from __future__ import annotations

import owlrl
import pytest
from rdflib import BNode, Graph, Namespace
from rdflib.namespace import OWL, RDF, RDFS

from kazkg.build import reason

EX = Namespace("https://example.org/")


@pytest.mark.slow
def test_the_inferred_graph_equals_owlrls_on_the_real_graph(asserted):
    lean = set(reason.infer(asserted))
    with reason._plain_namespaces():  # owlrl's rules as they are, half the CPU (below)
        reference = set(reason.infer(asserted, owlrl.OWLRL_Semantics))
    assert lean == reference and len(lean) > 1000


def small() -> Graph:
    g = Graph()
    g.add((EX.Plant, RDFS.subClassOf, EX.Enterprise))
    g.add((EX.locatedIn, RDF.type, OWL.TransitiveProperty))
    g.add((EX.a, RDF.type, EX.Plant))
    g.add((EX.a, EX.locatedIn, EX.city))
    g.add((EX.city, EX.locatedIn, EX.oblast))
    g.add((EX.b, OWL.sameAs, EX.a))
    return g


def test_same_closure_as_owlrl_but_no_reflexive_sameas():
    lean = reason.closure(small())
    reference = reason.closure(small(), owlrl.OWLRL_Semantics)
    reflexive = {t for t in reference if t[1] == OWL.sameAs and t[0] == t[2]}
    assert reflexive and set(lean) == set(reference) - reflexive
    assert (EX.b, EX.locatedIn, EX.oblast) in lean


def test_plain_namespace_reads_change_nothing_in_owlrls_rules():
    """The reference above reads OWL.sameAs and the like as plain attributes (the same values,
    without rdflib's namespace lookup on every read): owlrl's own closure and errors stay."""
    g = small()
    g.add((EX.a, OWL.differentFrom, EX.a))
    g.add((EX.locatedIn, RDFS.domain, EX.Thing))

    def closed():  # the triples, and the error messages (each error is a new blank node)
        graph = reason.closure(g, owlrl.OWLRL_Semantics)
        errors = sorted(str(m) for m in graph.objects(None, owlrl.Namespaces.ERRNS.error))
        return {t for t in graph if not isinstance(t[0], BNode)}, errors

    plain = closed()
    assert len(plain[0]) > 100 and any("differentFrom" in m for m in plain[1])
    with reason._plain_namespaces():
        assert isinstance(owlrl.OWLRL.OWL, reason._Terms)
        assert closed() == plain
    assert not isinstance(owlrl.OWLRL.OWL, reason._Terms)  # put back


def test_x_different_from_itself_is_still_an_error():
    g = small()
    g.add((EX.a, OWL.differentFrom, EX.a))
    for semantics in (reason.LeanSemantics, owlrl.OWLRL_Semantics):
        closed = reason.closure(g, semantics)
        errors = [str(m) for m in closed.objects(None, owlrl.Namespaces.ERRNS.error)]
        assert any("differentFrom" in m for m in errors), semantics
