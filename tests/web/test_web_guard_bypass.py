"""Queries that would crash Oxigraph's worker are refused before any parser, however their
text hides its operators from the guard's tokenizer (kazkg.query.guard; issue 12): a PN_LOCAL
escape `ex:a\\#b` is no comment, `1<(...)&&3>0` is no IRI, and the coarse bound on the raw
characters ( [ { ! | &, of + - * / and dots outside IRIs and of UNION, OPTIONAL, MINUS holds
whatever the tokenizer gets wrong. Each query of BYPASSES killed a worker on main before."""

from __future__ import annotations

import pytest

from kazkg.errors import QueryError
from kazkg.query import guard

PREFIX = "PREFIX ex: <urn:ex:>\n"
BYPASSES = {
    "escape": PREFIX + "ASK { ?s ex:a\\#b ?o FILTER(" + "||".join(["?o=1"] * 30_000) + ") }",
    "parens": "ASK { FILTER(1<" + "(" * 8000 + "2" + ")" * 8000 + "&&3>0) }",
    "nots": "ASK { FILTER(1<" + "!" * 20_000 + "true&&3>0) }",
    "ands": "ASK { FILTER(1<2" + "&&2" * 20_000 + "&&3>0) }",
    # 1-1-1 was one "word" to the tokenizer, and no raw bound counted - (a worker died at 6,940)
    "minus": "SELECT (1" + "-1" * 10_000 + " AS ?x) {}",
    "true-minus": "SELECT (true" + "-1" * 10_000 + " AS ?x) {}",
    # a comment ends at a carriage return too: the tokenizer read on to the next line feed
    "carriage-return": "SELECT * { # \r BIND(1" + "+1" * 10_000 + " AS ?x) }",
    "path": "SELECT * { # \r ?s <urn:p>" + "/<urn:p>" * 9_000 + " ?o }",
    "dots": "SELECT * { # \r " + "?s ?p ?o . " * 9_000 + "}",
    "unions": "SELECT * { # \r " + " UNION ".join(["{?s ?p ?o}"] * 7_000) + " }",
}


@pytest.fixture
def unreplaced(client):
    """The client; the test fails if a worker was replaced while it ran."""
    before = client.get("/health").get_json()["workers_replaced"]
    yield client
    assert client.get("/health").get_json()["workers_replaced"] == before


@pytest.mark.parametrize("name", sorted(BYPASSES))
def test_a_query_hiding_its_operators_is_refused(unreplaced, name):
    reply = unreplaced.post("/sparql", data={"query": BYPASSES[name]},
                            headers={"Accept": "application/sparql-results+json"})
    assert reply.status_code == 400, reply.get_data(as_text=True)[:300]
    message = reply.get_json()["error"]["message"]
    assert any(f"{limit:,}" in message for limit in
               (guard.MAX_WEIGHT, guard.MAX_DEPTH, guard.RAW_DEPTH, guard.RAW_OPERATORS,
                guard.RAW_BRACES, guard.RAW_ARITHMETIC, guard.RAW_DOTS, guard.RAW_KEYWORDS))


@pytest.mark.parametrize("text", [
    PREFIX + "ASK { ?s ex:a\\#b ?o FILTER(" + "||".join(["?o=1"] * 1200) + ") }",  # weight
    "ASK { FILTER(1<" + "(" * 150 + "2" + ")" * 150 + "&&3>0) }",  # depth
    "ASK { FILTER(1<" + "!" * 1200 + "true&&3>0) }",
    "SELECT (1" + "-1" * 1200 + " AS ?x) {}",  # a number ends where an operator begins
    "SELECT * { # \r BIND(1" + "+1" * 1200 + " AS ?x) }",  # the comment ends at the \r
])
def test_the_tokenizer_sees_through_escapes_and_comparisons(text):
    """Under the coarse bounds, the tokenizer's own count refuses them."""
    with pytest.raises(QueryError):
        guard.check_shape(text)


@pytest.mark.parametrize("text, limit", [
    ('ASK { FILTER("' + "(" * 500 + '" != "x") }', guard.RAW_DEPTH),  # even in a string
    ("ASK { ?s ?p ?o } # " + "&" * 4001, guard.RAW_OPERATORS),  # even in a comment
    ("ASK { ?s ?p ?o } # " + "{}" * 3001, guard.RAW_BRACES),
    ('ASK { FILTER("' + "1-" * 3001 + '" != "x") }', guard.RAW_ARITHMETIC),
    ("ASK { ?s ?p ?o } # " + "/" * 3001, guard.RAW_ARITHMETIC),
    ("ASK { ?s ?p ?o } # " + "." * 4001, guard.RAW_DOTS),
    ("ASK { ?s ?p ?o } # " + "union " * 3001, guard.RAW_KEYWORDS),
])
def test_the_coarse_bound_counts_every_character(text, limit):
    with pytest.raises(QueryError, match=f"{limit:,}"):
        guard.check_shape(text)


def test_real_queries_pass():
    for text in ("ASK { <http://x/a_(b)?c=1&d=2> ?p ?o FILTER(?o != 1 && !bound(?x)) }",
                 PREFIX + "SELECT * { ?s ex:a\\#b ?o } # a comment (",
                 "SELECT * { VALUES (?a ?b) { " + "(1 2) " * 3000 + "} }",
                 # an IRI's / . - are no operators: 5,000 of them in a VALUES block
                 "SELECT * { VALUES ?x { " + " ".join(f"<http://x.org/a-b/{i}.c>" for i in
                                                      range(5000)) + " } }",
                 PREFIX + 'SELECT * { ?s ex:a-b.c "x"@en-GB, "y"@en--ltr, -1.5e-3 }'):
        guard.check_shape(text)


# 60 KB each, under every bound: each quote, or each letter of a run with no colon after it,
# began a scan to the end of its line or run in the tokenizers (kazkg.query.guard, .spelling),
# so each took a worker the whole time limit and answered 503 "time limit" (found with a
# timing harness over every tokenizer and pairs of characters; cases in no issue).
QUADRATIC = {
    "unclosed string of escapes": "ASK { FILTER(?o = '" + "x\\'" * 20_000 + ") }",
    "unclosed double-quoted string": 'ASK { FILTER(?o = "' + 'x\\"' * 20_000 + ") }",
    "run of words and hyphens": "ASK { ?s ?p ?o } " + "ab" * 20_000 + " " + "a-" * 900,
    "unclosed long string": "ASK { FILTER(?o = '''" + "x\\'" * 20_000 + ") }",
}


@pytest.mark.parametrize("name", sorted(QUADRATIC))
def test_a_long_malformed_query_is_a_syntax_error_at_once(unreplaced, name):
    """The fixture app's time limit is 2 s: a tokenizer that rescans gives its 503."""
    reply = unreplaced.post("/sparql", data={"query": QUADRATIC[name]},
                            headers={"Accept": "application/sparql-results+json"})
    assert reply.status_code == 400, reply.get_data(as_text=True)[:300]
    assert "line 1, column" in reply.get_json()["error"]["message"]


def test_the_tokenizers_read_a_run_as_before():
    """A run of name characters read once still gives the words and operators a query's
    weight counts, and a prefixed name after an operator is still one name."""
    found = [(t.lastgroup, t.group()) for t in guard.tokens("true-1.5 ?x-ex:b.")]
    assert found == [("word", "true"), ("op", "-"), ("word", "1.5"), ("skip", "?x"),
                     ("op", "-"), ("word", "ex:b"), ("op", ".")]
