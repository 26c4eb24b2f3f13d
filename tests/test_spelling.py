"""An answer does not depend on the engine when a literal's spelling matters: SPARQL keeps a
literal's lexical form (STR(1.0) is "1.0"), Oxigraph keeps only its value ("1"), so such
queries go to rdflib (kazkg.query.spelling); the others stay on Oxigraph."""

from __future__ import annotations

import json

import pytest

from kazkg.query import oxengine, path
from kazkg.query.engines import Scope
from kazkg.query.served import Served
from kazkg.query.sparql import prepare

DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


@pytest.fixture(scope="module")
def engines(dataset):
    """(kazkg's engines, Oxigraph first; rdflib's alone): the second is the reference."""
    mirror = oxengine.Mirror(dataset)
    return Served(dataset, oxengine.OxigraphEngine(mirror)), Served(dataset)


def answer(served: Served, text: str) -> dict:
    evaluation = path.start(served, text, project_prefixes=True)
    return json.loads(path.write(evaluation, path.take(evaluation)[0], "json"))


def on_oxigraph(served: Served, text: str) -> bool:
    return served.oxigraph.accepts(prepare(text, project_prefixes=True), Scope())


def respelled(served: Served) -> tuple[str, str]:
    """(Oxigraph's spelling, the data's) of a decimal in the data that Oxigraph respells."""
    canonical, original = next((c, o) for c, o in served.oxigraph.mirror.originals.items()
                               if c.datatype.value == DECIMAL)
    return canonical.value, original.value


SPELLED_IN_THE_QUERY = [
    ("SELECT (STR(1.0) AS ?x) {}", "1.0"),
    ("SELECT (STR(1.50) AS ?x) {}", "1.50"),
    ("SELECT (1.50 AS ?x) {}", "1.50"),
    ("SELECT (STR(1E0) AS ?x) {}", None),  # rdflib writes its doubles its own way: "1.0"
    ("SELECT (1.0e0 AS ?x) {}", None),
    ('SELECT (STR("01"^^xsd:integer) AS ?x) {}', "01"),
    ('SELECT ("+1"^^xsd:integer AS ?x) {}', "+1"),
    ('SELECT (STR("1"^^xsd:boolean) AS ?x) {}', "1"),
    ('SELECT (CONCAT("n=", STR(2.50)) AS ?x) {}', "n=2.50"),
    ("SELECT ?x { VALUES ?x { 0.10 } }", "0.10"),
]


@pytest.mark.parametrize("text,value", SPELLED_IN_THE_QUERY)
def test_a_literal_spelled_in_the_query_keeps_its_spelling(engines, text, value):
    ours, reference = engines
    assert not on_oxigraph(ours, text)
    found = answer(ours, text)
    assert found == answer(reference, text)
    assert value is None or found["results"]["bindings"][0]["x"]["value"] == value


def test_two_spellings_of_one_value_are_two_terms(engines):
    ours, reference = engines
    text = "SELECT DISTINCT ?x { VALUES ?x { 1.5 1.50 } }"
    assert len(answer(ours, text)["results"]["bindings"]) == 2 == len(
        answer(reference, text)["results"]["bindings"])


def test_the_datas_spelling_read_by_a_query(engines):
    ours, reference = engines
    canonical, original = respelled(ours)
    for text in [f"SELECT ?s (STR(?v) AS ?x) {{ ?s kazkg:value|geo:lat|geo:long ?v . FILTER (?v = {original}) }}",
                 f"SELECT (?v * 2 AS ?x) {{ ?s ?p ?v . FILTER (?v = {original}) }}",
                 "SELECT (SUM(?v) AS ?x) { ?s kazkg:value ?v }",
                 f'SELECT ?s {{ ?s ?p "{canonical}"^^xsd:decimal }}',  # not the data's term
                 f"SELECT ?s {{ ?s ?p {original} }}"]:
        assert not on_oxigraph(ours, text), text
        assert answer(ours, text) == answer(reference, text), text
    reading = f"SELECT (STR(?v) AS ?x) {{ ?s ?p ?v . FILTER (?v = {original}) }}"
    found = {row["x"]["value"] for row in answer(ours, reading)["results"]["bindings"]}
    # the data's spelling, and any other term of the same value ("70" beside "70.0": which
    # respelled decimal is picked depends on the process's hash seed, so this was flaky)
    assert original in found and found == {
        row["x"]["value"] for row in answer(reference, reading)["results"]["bindings"]}


def test_queries_that_do_not_read_spellings_stay_on_oxigraph(engines):
    ours, reference = engines
    canonical, original = respelled(ours)
    for text in ["SELECT ?v { ?s kazkg:value ?v } ORDER BY ?v",  # the mirror spells them back
                 "SELECT (STR(?label) AS ?x) { ?s rdfs:label ?label } ORDER BY ?x LIMIT 5",
                 "SELECT (COUNT(*) AS ?n) { ?s ?p ?o . FILTER (isNumeric(?o) && ?o > 100) }",
                 "SELECT ?s { ?s kazkg:hasTime/time:inXSDgYear ?y . FILTER (str(?y) = '1966') } ORDER BY ?s",
                 "SELECT (1 + 2 AS ?x) ('a' AS ?y) {}"]:
        assert on_oxigraph(ours, text), text
        assert answer(ours, text) == answer(reference, text), text


def test_the_catalog_needs_no_parse_to_stay_on_oxigraph(engines, monkeypatch):
    """What is in IRIs, comments and strings is no call nor operator (the /2 of a w3.org IRI
    had rdflib parse nearly every query); a query made unique by a comment or a LIMIT is
    parsed once."""
    from kazkg.query import catalog, spelling, sparql
    from kazkg.tools.bench.mix import variant

    ours, _ = engines
    mirror = ours.oxigraph.mirror
    calls = []
    real = sparql.parse.__wrapped__
    monkeypatch.setattr(spelling, "parse", lambda *args: calls.append(args[0]) or real(*args))
    spelling._respelled.cache_clear()
    for n, query in enumerate(catalog.load_all().values()):
        for text in (query.text + f"\n# one {n}\n", query.text + f"\n# two {n}\n",
                     variant(query.text, n), variant(query.text, n + 100)):  # LIMIT 100000+n
            prepared = prepare(text, project_prefixes=True)
            assert not spelling.matters(prepared, mirror.originals, mirror.respelled_predicates)
    assert 0 < len(calls) <= len(catalog.load_all()) // 2  # never twice for one query


@pytest.mark.parametrize("text", [
    'SELECT (?v * "2"^^xsd:decimal AS ?x) { ?s kazkg:value ?v }',
    "SELECT (xsd:string(?v) AS ?x) { ?s kazkg:value ?v }",
    "SELECT (<http://www.w3.org/2001/XMLSchema#string>(?v) AS ?x) { ?s kazkg:value ?v }",
    "SELECT (STR # a comment between\n (?v) AS ?x) { ?s kazkg:value ?v }"])
def test_calls_and_operators_found_outside_comments_and_iris(engines, text):
    ours, reference = engines
    assert not on_oxigraph(ours, text), text
    assert answer(ours, text) == answer(reference, text), text
