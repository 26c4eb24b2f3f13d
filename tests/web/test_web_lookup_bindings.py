"""A page lookup that binds a variable (kazkg.web.lookup.select) gives it to Oxigraph as a
substitution, which Oxigraph takes only for a variable the query selects: the others were
refused, and the query ran on rdflib, 40 s each at 100x (the premises' lookup took 435 s of
a 529 s first start, 12-04). Each bound lookup selects what it binds, and select() refuses one
that does not, before it runs."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kazkg.namespaces import sparql_prologue
from kazkg.web import examples, lookup, premises

BOUND = {"premises.INSTANCES": (premises.INSTANCES, ("p", "a", "b")),
         "premises.MEMBERS": (premises.MEMBERS, ("c",)),
         "examples.SHAPE_QUERY": (examples.SHAPE_QUERY, ("class",)),
         "lookup.RESOURCE_QUERY": (lookup.RESOURCE_QUERY, ("this",))}


@pytest.mark.parametrize("name", sorted(BOUND))
def test_oxigraph_takes_each_lookups_bindings(name):
    text, bound = BOUND[name]
    substitutions = {ox.Variable(v): ox.NamedNode(f"urn:x:{v}") for v in bound}
    list(ox.Store().query(sparql_prologue() + text, substitutions=substitutions))  # no RuntimeError
    assert all(lookup._projects(text, v) for v in bound)


def test_a_lookup_binding_what_it_does_not_select_is_refused(app):
    with app.app_context(), pytest.raises(ValueError, match=r"binds \?c but does not select it"):
        lookup.select("SELECT ?s WHERE { ?s a ?c }", {"c": "urn:x:c"})
    with app.app_context():
        assert lookup.select("SELECT ?s ?c WHERE { ?s a ?c }", {"c": "urn:x:c"}) == []
