"""An update is a sequence of operations, not a nesting (issue 12): rdflib's Update rule
recursed once per ";" (161 DROP GRAPH were "nested too deeply"), and the guard weighed the
whole sequence as one; each operation is now weighed and parsed on its own. A syntax error
is reported where it is, as for queries (it was always line 1, column 1 of the operation)."""

from __future__ import annotations

import pytest

from kazkg.errors import QueryError
from kazkg.query import guard
from kazkg.query.sparql import parse_update


def drops(count: int) -> str:
    return " ;\n".join(f"DROP SILENT GRAPH <http://example.org/g{i}>" for i in range(count))


@pytest.mark.parametrize("count", [161, 2000])
def test_a_long_flat_sequence_passes(count):
    update = parse_update(drops(count))
    assert [op.name for op in update.algebra] == ["Drop"] * count


def test_each_operation_is_weighed_on_its_own():
    operation = "INSERT { ?s <urn:p> 1 } WHERE { " + "?s ?p ?o . " * 40 + "}"
    parse_update(" ;\n".join([operation] * 30))  # 1,200 patterns in all, 40 each
    with pytest.raises(QueryError, match="operation of the update has more than 1,000"):
        guard.check_shape(operation.replace("?s ?p ?o . ", "?s ?p ?o . " * 26), update=True)


def test_nesting_is_still_refused():
    with pytest.raises(QueryError, match="more than 100 deep"):
        parse_update("INSERT { ?s <urn:p> 1 } WHERE { " + "{ " * 150 + "?s ?p ?o" + " }" * 151)


def test_prefixes_carry_on_and_a_trailing_semicolon_is_allowed():
    update = parse_update("PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b 'x;y' } ;\n"
                          "INSERT { ?s ex:c 1 } WHERE { ?s ex:b ?o } # a ; in a comment\n;")
    assert [op.name for op in update.algebra] == ["InsertData", "Modify"]
    assert str(update.algebra[1].insert.triples[0][1]) == "http://e/c"
    assert parse_update("").algebra == [] and parse_update("# nothing\n").algebra == []


@pytest.mark.parametrize("text, line, column", [
    ("INSERT DATA {\n <http://a> <http://b> }", 2, 2),
    ("DROP GRAPH <http://a> ; DROP GRPH <http://b>", 1, 30),
    ("PREFIX ex: <http://e/>\nINSERT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?x = ) }", 2, 38),
    ("DROP ALL ;\n ; DROP ALL", 2, 2),
    ("DROP ALL DROP ALL", 1, 10),
])
def test_a_syntax_error_says_where_it_is(text, line, column):
    with pytest.raises(QueryError) as raised:
        parse_update(text)
    assert (raised.value.line, raised.value.column) == (line, column), str(raised.value)


def test_a_long_flat_group_is_no_nesting_either():
    """rdflib's grammar recursed per triple pattern: 100 of them in a WHERE were "nested too
    deeply" (a RecursionError, 400), for an update and for a query rdflib parses."""
    patterns = " ".join(f"?s{i} <urn:p> ?o{i} ." for i in range(600))
    update = parse_update(f"INSERT {{ <urn:a> <urn:b> 1 }} WHERE {{ {patterns} }}")
    assert update.algebra[0].name == "Modify"
    from kazkg.query.sparql import parse

    assert parse(f"SELECT * {{ {patterns} }}").algebra.name == "SelectQuery"
