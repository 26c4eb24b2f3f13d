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


def test_a_comment_ends_at_a_carriage_return_on_rdflib_too():
    """SPARQL ends a comment at CR as at LF, as Oxigraph and the guard read it; rdflib's parser
    read on to the next LF: `#c\\rLIMIT 1` lost its LIMIT (10,000 rows, not 1), a valid
    query was refused, and text after the comment went unread (the new user's review)."""
    from rdflib import Graph, URIRef

    from kazkg.query.sparql import parse

    graph = Graph()
    for n in range(3):
        graph.add((URIRef(f"urn:s{n}"), URIRef("urn:p"), URIRef("urn:o")))
    assert len(graph.query(parse("SELECT ?s WHERE { ?s ?p ?o } #c\rLIMIT 1"))) == 1
    assert len(graph.query(parse("SELECT ?s WHERE { ?s ?p ?o #c\r FILTER(?s = <urn:s0>) }"))) == 1
    with pytest.raises(QueryError) as refused:
        parse("SELECT * WHERE { ?s ?p ?o } #x\r garbage")
    assert refused.value.line == 2 and "unexpected 'garbage'" in str(refused.value)  # CR ends line 1
    text = 'SELECT ?s WHERE { ?s ?p """a\rb""" }'  # a CR in a long string is the string's
    assert parse(text).algebra is not None
