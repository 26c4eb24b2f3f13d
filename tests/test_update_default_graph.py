"""SPARQL Update on kazkg's default graph, the union of every graph (kazkg.query.writes): what
an update inserts outside a GRAPH goes to kazkg's own default graph (as Graph Store POST
?default does), and what it deletes outside a GRAPH goes from every graph that holds it, so
that a query sees exactly what the update said. In-process, on an rdflib Dataset."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from kazkg.query.writes import DEFAULT_GRAPH, apply

A, P = URIRef("http://example.org/a"), URIRef("http://example.org/p")
G = URIRef("http://example.org/g")
OWN = URIRef(DEFAULT_GRAPH)


@pytest.fixture
def dataset():
    data = Dataset(default_union=True)
    Graph(store=data.store, identifier=G).add((A, P, Literal("in g")))
    return data


def update(dataset, text):
    return apply(dataset, ("update", text, None))


def quads(dataset):
    return {(s, p, o, g) for s, p, o, g in dataset.quads((None, None, None, None))}


def test_insert_data_outside_a_graph(dataset):
    delta = update(dataset, 'INSERT DATA { <http://example.org/a> <http://example.org/p> "new" }')
    assert delta.added == {(A, P, Literal("new"), OWN)}
    assert (A, P, Literal("new"), OWN) in quads(dataset)


def test_insert_data_mixed_with_a_graph(dataset):
    update(dataset, 'INSERT DATA { GRAPH <http://example.org/h> { <http://example.org/a> '
                    '<http://example.org/p> "h" } <http://example.org/a> <http://example.org/p> "d" }')
    assert {(A, P, Literal("h"), URIRef("http://example.org/h")), (A, P, Literal("d"), OWN)} <= quads(dataset)


def test_insert_where_outside_a_graph_goes_where_post_default_goes(dataset):
    delta = update(dataset, 'INSERT { ?s ?p "copy" } WHERE { ?s ?p "in g" }')
    assert delta.added == {(A, P, Literal("copy"), OWN)}


def test_delete_where_template_deletes_from_every_graph(dataset):
    update(dataset, 'INSERT DATA { <http://example.org/a> <http://example.org/p> "in g" }')
    delta = update(dataset, "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert delta.removed == {(A, P, Literal("in g"), G), (A, P, Literal("in g"), OWN)}
    assert quads(dataset) == set()


def test_delete_data_outside_a_graph_deletes_from_every_graph(dataset):
    delta = update(dataset, 'DELETE DATA { <http://example.org/a> <http://example.org/p> "in g" }')
    assert delta.removed == {(A, P, Literal("in g"), G)}


def test_with_still_names_the_graph(dataset):
    delta = update(dataset, 'WITH <http://example.org/g> INSERT { ?s ?p "w" } WHERE { ?s ?p "in g" }')
    assert delta.added == {(A, P, Literal("w"), G)}
    delta = update(dataset, 'WITH <http://example.org/g> DELETE { ?s ?p "w" } WHERE { ?s ?p "w" }')
    assert delta.removed == {(A, P, Literal("w"), G)}


def test_drop_default_is_clear_default(dataset):
    update(dataset, 'INSERT DATA { <http://example.org/a> <http://example.org/p> "d" }')
    delta = update(dataset, "DROP DEFAULT")
    assert delta.removed == {(A, P, Literal("in g"), G), (A, P, Literal("d"), OWN)}
    assert quads(dataset) == set()


def test_add_and_copy_with_default(dataset):
    delta = update(dataset, "ADD <http://example.org/g> TO DEFAULT")
    assert delta.added == {(A, P, Literal("in g"), OWN)}
    delta = update(dataset, "COPY DEFAULT TO <http://example.org/c>")
    assert delta.added == {(A, P, Literal("in g"), URIRef("http://example.org/c"))}
    assert update(dataset, "ADD DEFAULT TO DEFAULT").added == set()


@pytest.mark.parametrize("text", ["MOVE DEFAULT TO <http://example.org/c>",
                                  "COPY <http://example.org/g> TO DEFAULT",
                                  "MOVE <http://example.org/g> TO DEFAULT"])
def test_what_the_union_cannot_mean_is_refused_before_any_change(dataset, text):
    from kazkg.errors import QueryError

    before = quads(dataset)
    with pytest.raises(QueryError, match="union of every graph"):
        update(dataset, text)
    assert quads(dataset) == before
