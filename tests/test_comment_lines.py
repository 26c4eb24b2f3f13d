"""A query's readings memoised by text (kazkg.query.spelling, the order of SELECT *) are made of
its text with the comment-only lines emptied (kazkg.query.syntax.without_comment_lines): the
same query, so the same readings, and a client's variants of one query that differ in a
comment (wrk's unique mix) are read once."""

from __future__ import annotations

import pytest

from kazkg.query import catalog, oxengine, spelling
from kazkg.query.engines import Scope
from kazkg.query.served import Served
from kazkg.query.sparql import Prepared, _star_order, prepare
from kazkg.query.syntax import without_comment_lines


def test_only_the_lines_that_are_a_comment_are_emptied():
    text = "# title\n  # more\nSELECT * { ?s <http://x/#y> ?o } # kept\n\t# last"
    assert without_comment_lines(text) == "\n\nSELECT * { ?s <http://x/#y> ?o } # kept\n"
    assert without_comment_lines("SELECT * { ?s ?p ?o }") == "SELECT * { ?s ?p ?o }"


@pytest.mark.parametrize("text", [
    "# a \\u000A SELECT\nASK {}",           # SPARQL decodes \u before it reads a comment
    'SELECT ("a\\\n# b" AS ?x) {}',         # an escape that may carry a string on
    "SELECT ('''a\n# not a comment''' AS ?x) {}",
    'SELECT ("""a\n# not a comment""" AS ?x) {}',
    "# a comment ends at a carriage return\rASK {}"])
def test_a_text_where_a_line_may_not_begin_a_comment_is_kept(text):
    assert without_comment_lines(text) == text


TRICKY = [
    "# STR(?v) * 2\nSELECT ?v { ?s kazkg:value ?v }",
    "# 1.0000000000000000000001 and 9223372036854775808\nASK { ?s ?p 1.50 }",
    "#   ?z ?y\nSELECT * { ?b ?a ?c }\n# ?x",
    '# "1.50"^^xsd:decimal\nSELECT ?s { ?s ?p "2"^^xsd:decimal }',
    "# FROM <urn:x>\nSELECT ?s { ?s ?p ?o }",
    "SELECT (STR\n# between\n(?v) AS ?x) { ?s kazkg:value ?v }",
]


def _texts():
    for query in catalog.load_all().values():
        yield query.text
        yield query.text.rstrip() + "\n# request 1-7\n"
    yield from TRICKY


@pytest.mark.parametrize("text", list(_texts()))
def test_every_reading_of_the_lean_text_is_that_of_the_text(text):
    lean = without_comment_lines(text)
    assert spelling.past_oxigraph(spelling.code(lean)) == spelling.past_oxigraph(spelling.code(text))
    assert spelling._typed_literals(lean) == spelling._typed_literals(text)
    assert spelling._reads(spelling.code(lean)) == spelling._reads(spelling.code(text))
    assert oxengine._defined_differently(lean) == oxengine._defined_differently(text)
    assert _star_order(lean) == _star_order(text)


@pytest.fixture(scope="module")
def ours(dataset):
    return Served(dataset, oxengine.OxigraphEngine(oxengine.Mirror(dataset)))


def test_variants_that_differ_in_a_comment_are_read_once(ours):
    """Before, each unique variant was read again (0.3 ms of a worker's 2 ms in wrk's mix)."""
    text = catalog.load_all()["city-enterprises"].text.rstrip()
    spelling._typed_literals.cache_clear()
    spelling.code.cache_clear()
    decisions = {ours.oxigraph.accepts(prepare(text + f"\n# request 0-{n}\n", project_prefixes=True),
                                       Scope()) for n in range(5)}
    assert decisions == {True}
    assert spelling._typed_literals.cache_info().misses == 1
    assert spelling.code.cache_info().misses == 1


def test_what_runs_and_is_reported_is_the_text_as_sent():
    prepared = Prepared("# a\nSELECT * { ?s ?p ?o }", project_prefixes=True)
    assert prepared.lean == "\nSELECT * { ?s ?p ?o }"
    assert prepared.full_text.endswith("# a\nSELECT * { ?s ?p ?o }")
