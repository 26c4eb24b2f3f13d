"""What the user got wrong is a 400 with the message and the position; what kazkg got wrong
is a 500 that shows nothing of the inside."""

from __future__ import annotations

import pytest


def error(response) -> dict:
    return response.get_json()["error"]


def test_a_non_group_variable_is_named_with_its_position(client):
    r = client.get("/sparql", query_string={
        "query": "SELECT ?s (COUNT(*) AS ?n)\nWHERE { ?s ?p ?o }"})
    assert r.status_code == 400
    assert error(r)["message"].startswith("line 1, column 8: Non-group key variable in SELECT: ?s")
    assert (error(r)["line"], error(r)["column"]) == (1, 8)


def test_select_star_with_group_by_is_refused(client):
    r = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } GROUP BY ?s"})
    assert r.status_code == 400 and "SELECT * is not allowed" in error(r)["message"]


def test_grouped_queries_that_keep_the_rules_run(client):
    for text in ["SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s",
                 "SELECT (COUNT(*) AS ?n) ((?n + 1) AS ?m) WHERE { ?s ?p ?o }",
                 "SELECT ?l (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY (lang(?o) AS ?l)",
                 "SELECT (SAMPLE(?s) AS ?x) WHERE { ?s ?p ?o } HAVING (COUNT(*) > 1)"]:
        assert client.get("/sparql", query_string={"query": text}).status_code == 200, text


@pytest.mark.parametrize("update", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "PREFIX x: <urn:x>\nCLEAR ALL",
    "DELETE WHERE { ?s ?p ?o }", "LOAD <http://example.org/x> INTO GRAPH <urn:g>"])
def test_an_update_sent_as_a_query_is_said_to_be_one(client, update):
    r = client.get("/sparql", query_string={"query": update})
    assert r.status_code == 400
    assert error(r)["message"].startswith("this is a SPARQL Update, not a query"), update


def test_a_broken_update_sent_as_a_query_is_a_syntax_error(client):
    r = client.get("/sparql", query_string={"query": "INSERT DATA { <urn:a> }"})
    assert r.status_code == 400 and "SPARQL syntax error" in error(r)["message"]


def test_an_undeclared_prefix_is_named_with_its_position(client):
    r = client.get("/sparql", query_string={"query": "SELECT ?s WHERE {\n  ?s nope:p ?o }"})
    assert r.status_code == 400 and "nope:" in error(r)["message"]
    assert (error(r)["line"], error(r)["column"]) == (2, 6)


def test_rdflibs_own_failure_is_a_500_that_shows_nothing_inside(client):
    """GROUP BY (lang(?d)) is valid SPARQL: Oxigraph answers it; rdflib (here made to run it:
    a comment naming a service keeps a query off Oxigraph) fails inside, a bug, not a 400."""
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?d } GROUP BY (lang(?d))"
    assert client.get("/sparql", query_string={"query": text}).status_code == 200
    r = client.get("/sparql", query_string={"query": text + "\n# no service"})
    assert r.status_code == 500
    body = r.get_data(as_text=True)
    assert "Cannot eval" not in body and "Traceback" not in body
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200  # still up


def test_describe_star_is_a_400_that_says_what_to_write(client):
    """rdflib's algebra cannot plan DESCRIBE * (the fuzzer found the 500)."""
    r = client.get("/sparql", query_string={"query": "DESCRIBE *"})
    assert r.status_code == 400 and "DESCRIBE ?s WHERE" in error(r)["message"]


def test_delete_where_with_a_variable_graph_is_refused_not_answered_as_done():
    """rdflib evaluates DELETE WHERE { GRAPH ?g { ... } } as deleting nothing and reports
    success; the parse refuses it and names the equivalent form, which works."""
    from kazkg.errors import QueryError
    from kazkg.query.sparql import parse_update

    with pytest.raises(QueryError, match=r"DELETE \{ GRAPH \?g"):
        parse_update("DELETE WHERE { GRAPH ?g { <urn:s> ?p ?o } }")
    parse_update("DELETE WHERE { GRAPH <urn:t> { <urn:s> ?p ?o } }")
    parse_update("DELETE { GRAPH ?g { <urn:s> ?p ?o } } WHERE { GRAPH ?g { <urn:s> ?p ?o } }")
