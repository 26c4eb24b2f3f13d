"""SPARQL JSON results put "head" before "results" (or "boolean") whichever engine answers:
streaming parsers read the variables first. Oxigraph's answers have their own writer
(kazkg.query.oxengine), rdflib's (default-graph-uri, and what Oxigraph does not take) are
written by kazkg.formats.results."""

from __future__ import annotations

import json

import pytest
from rdflib import Dataset

from kazkg.formats.results import render
from tests.web.support import DATA1

SELECT = "SELECT ?s ?o WHERE { ?s ?p ?o } LIMIT 3"


def _keys(text: str) -> list[str]:
    return list(json.loads(text))


@pytest.mark.parametrize("query, rest", [(SELECT, "results"), ("ASK { ?s ?p ?o }", "boolean")])
@pytest.mark.parametrize("fields", [[], [("default-graph-uri", DATA1)]],
                         ids=["oxigraph", "rdflib"])
def test_head_comes_first_from_every_engine(client, query, rest, fields):
    response = client.get("/sparql", query_string=[("query", query)] + fields,
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert _keys(response.get_data(as_text=True)) == ["head", rest]


def test_rdflibs_results_written_head_first_and_unchanged():
    dataset = Dataset()
    result = dataset.query('SELECT ?x ?y ?z WHERE { VALUES (?x ?y ?z) '
                           '{ (1 "a"@kk <http://example.org/z>) (UNDEF "b" UNDEF) } }')
    text = render(result, "json")
    assert _keys(text) == ["head", "results"]
    assert json.loads(text) == json.loads(result.serialize(format="json"))  # the same terms
    assert _keys(render(dataset.query("ASK {}"), "json")) == ["head", "boolean"]
