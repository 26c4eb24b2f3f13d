"""Numbers past Oxigraph's (an i64 xsd:integer, an xsd:decimal of 18 fraction digits) are
answered by rdflib, whose arithmetic is exact (issue 12): on main the served engine,
Oxigraph, answered 200 with the value unbound, or a FILTER false (kazkg.query.spelling)."""

from __future__ import annotations

import pytest

from kazkg.query import path
from tests.test_xpath_casts import XSD, answers, served  # noqa: F401 (a fixture)

CASES = [
    ("9223372036854775807 + 1", f'"9223372036854775808"^^<{XSD}integer>'),
    ("ABS(-9223372036854775808)", f'"9223372036854775808"^^<{XSD}integer>'),
    ("4611686018427387904 * 2", f'"9223372036854775808"^^<{XSD}integer>'),
    ("100000000000000000000 + 0", f'"100000000000000000000"^^<{XSD}integer>'),
    ("1.0000000000000000000001 + 0", f'"1.0000000000000000000001"^^<{XSD}decimal>'),
    ("0.000000000000000000001 * 1", f'"0.000000000000000000001"^^<{XSD}decimal>'),
]


@pytest.mark.parametrize("expression, expected", CASES)
def test_a_number_past_oxigraphs_is_computed_exactly(served, expression, expected):  # noqa: F811
    text = f"SELECT ({expression} AS ?v) {{}}"
    assert path.choose(served, text) == "rdflib"
    assert answers(served, text)["rdflib"] == expected


def test_an_overflowing_sum_and_filter_run_on_rdflib(served):  # noqa: F811
    big = "VALUES ?v { 9223372036854775807 1 }"
    total = f"SELECT (SUM(?v) AS ?s) {{ {big} }}"
    assert path.choose(served, total) == "rdflib"
    assert answers(served, total)["rdflib"] == f'"9223372036854775808"^^<{XSD}integer>'
    rows = f"SELECT ?v {{ {big} FILTER(?v + 1 > ?v) }}"
    assert path.choose(served, rows) == "rdflib"
    assert path.choose(served, "ASK { FILTER(9223372036854775807 + 1 > 0) }") == "rdflib"
    assert path.choose(served, "SELECT (3037000500 * 3037000500 AS ?v) {}") == "rdflib"


@pytest.mark.parametrize("text", ["SELECT (1234567890 + 1 AS ?v) {}", "SELECT (2.5 * 4 AS ?v) {}",
                                  'SELECT ("12345678901234567890123" AS ?v) {}'])
def test_numbers_oxigraph_holds_stay_on_it(served, text):  # noqa: F811
    assert path.choose(served, text) == "oxigraph"
