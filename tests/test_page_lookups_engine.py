"""The pages' heaviest lookups run on Oxigraph's engine (kazkg.query.spelling lets them) and
give rdflib's rows: on rdflib, at 100x, the labels took over the 120 s start-up limit and every
page that names things answered 503, and the facets' graph kinds ran for minutes."""

from __future__ import annotations

from collections import Counter

import pytest

from kazkg.namespaces import sparql_prologue
from kazkg.web import facets, lookup

from tests.test_spelling import answer, engines, on_oxigraph  # noqa: F401 (a fixture)

LOOKUPS = {"labels": lookup.LABELS_QUERY, "graphs": facets.GRAPHS,
           "editorial": facets.EDITORIAL, "from-text": facets.FROM_TEXT}


@pytest.mark.parametrize("name", sorted(LOOKUPS))
def test_a_page_lookup_stays_on_oxigraph_with_rdflibs_rows(engines, name):  # noqa: F811
    ours, reference = engines
    text = sparql_prologue() + LOOKUPS[name]
    assert on_oxigraph(ours, text)

    def rows(served):
        found = answer(served, text)["results"]["bindings"]
        return Counter(tuple(sorted((k, tuple(sorted(v.items()))) for k, v in r.items())) for r in found)

    assert rows(ours) == rows(reference) and sum(rows(ours).values()) > 40
