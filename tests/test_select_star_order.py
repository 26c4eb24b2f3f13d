"""SELECT * gives its variables in their order of first appearance in the query (SPARQL 1.1
18.2.1, as Jena does), on both engines and in every results format: Oxigraph sorted them by
name, rdflib in its sets' hash order (another order in each process)."""

from __future__ import annotations

import json

import pytest
from rdflib import Dataset, Literal, URIRef

from kazkg.query import jobs
from kazkg.query.served import Served
from kazkg.query.sparql import Prepared

QUERY = ("SELECT * WHERE { ?zeta <urn:p> ?alpha OPTIONAL { ?zeta <urn:q> ?mid } "
         "BIND(1 AS ?beta) }")
ORDER = ["zeta", "alpha", "mid", "beta"]


def served(engine: str) -> Served:
    data = Dataset()
    graph = data.graph(URIRef("urn:g"))
    graph.add((URIRef("urn:s"), URIRef("urn:p"), Literal("o")))
    graph.add((URIRef("urn:s"), URIRef("urn:q"), Literal("m")))
    return Served.of(data, engine=engine)


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("accept", ["application/sparql-results+json",
                                    "application/sparql-results+xml", "text/csv"])
def test_select_star_in_order_of_appearance(engine, accept):
    answer = jobs.run(served(engine), {"kind": "query", "text": QUERY, "accept": accept})
    assert answer.status == 200, answer.error
    body = answer.body.decode("utf-8")
    if "json" in accept:
        assert json.loads(body)["head"]["vars"] == ORDER
    elif "xml" in accept:
        assert [part.split('"')[0] for part in body.split('variable name="')[1:]] == ORDER
    else:
        assert body.splitlines()[0].split(",") == ORDER


def test_only_select_star_is_reordered():
    assert Prepared("SELECT ?b ?a { ?a ?b ?c }").in_order(["b", "a"]) == ["b", "a"]
    assert Prepared("SELECT DISTINCT * { ?b ?a ?c }").in_order(["a", "b", "c"]) == ["b", "a", "c"]
    assert Prepared('SELECT * { "?x" ?b $a # ?c\n }').in_order(["a", "b"]) == ["b", "a"]
