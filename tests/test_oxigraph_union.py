"""The catalog queries on a store whose default graph is the union of the named graphs as
Oxigraph makes it (`oxigraph serve --union-default-graph`, which the README advises after
`kazkg push`): a triple stated in more than one named graph is there once per graph, where
kazkg's union holds it once. The export is loaded into pyoxigraph in-process, and every
catalog query must give kazkg's rows, each as often (as a multiset, not only as a set)."""

from __future__ import annotations

import pyoxigraph
import pytest

import kazkg
from kazkg.formats import export
from kazkg.query import catalog
from kazkg.tools.bench import answers
from tests.support import comparable

QUERIES = catalog.load_all()


@pytest.fixture(scope="module")
def union_store(dataset):
    store = pyoxigraph.Store()
    store.bulk_load(export.serialize(dataset, "nquads"), format=pyoxigraph.RdfFormat.N_QUADS)
    return store


def theirs(store, text):
    found = store.query(text, use_default_graph_as_union=True)
    return answers.rows(found.serialize(format=pyoxigraph.QueryResultsFormat.JSON))


def test_the_union_repeats_what_graphs_share(union_store, dataset):
    """The case the queries must survive: the export holds some triples in two graphs."""
    once = sum(1 for _ in kazkg.query("SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", dataset))
    assert len(union_store) > once


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_catalog_query_gives_the_same_rows_as_often(union_store, dataset, name):
    text = QUERIES[name].text
    ours = comparable(kazkg.query(text, dataset), blank_labels=False)
    found = theirs(union_store, text)
    assert found == ours, (name, answers.differences(ours, found),
                           f"{sum(found.values())} rows on Oxigraph's union, {sum(ours.values())} in kazkg")
