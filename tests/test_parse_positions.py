"""A syntax error on rdflib's path is reported where the parser really stopped, with what
could come there: pyparsing named the start of the alternative that failed ('line 1, column
25: Expected SelectQuery' for a '/' at column 63, the start of FILTER for a bad language tag,
and 'Expected SelectQuery' for an unclosed '{')."""

from __future__ import annotations

import pytest

from kazkg.errors import QueryError
from kazkg.query.sparql import parse


@pytest.mark.parametrize("text, line, column, said", [
    ("SELECT ?g ?p ?o WHERE { VALUES ?g { kzg:inferred kzg:reference/readings } ?g ?p ?o }",
     1, 63, "unexpected '/readings'; expected one of"),
    ('SELECT * { ?s ?p ?o FILTER(?o = "a"@ ) }', 1, 37, "expected a language tag"),
    ("SELECT * { ?s ?p ?o ", 1, 21, "the query ends too soon; expected one of"),
    ("SELECT * {\n  ?s ?p \"қала\" .\n  ?s ?p ?o ?x }", 3, 12, "unexpected '?x'"),
])
def test_the_error_is_where_the_parser_stopped(text, line, column, said):
    with pytest.raises(QueryError) as error:
        parse(text, True)
    assert (error.value.line, error.value.column) == (line, column)
    assert said in str(error.value) and "SelectQuery" not in str(error.value)


def test_an_unclosed_brace_says_a_closing_one_could_come():
    with pytest.raises(QueryError) as error:
        parse("SELECT * WHERE { ?s ?p ?o", True)
    assert "'}'" in str(error.value).splitlines()[0]
