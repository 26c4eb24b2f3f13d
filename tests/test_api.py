"""The Python API: kazkg.load() and kazkg.query()."""

from __future__ import annotations

import pytest
from rdflib import Dataset

import kazkg
from kazkg.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH


def test_load_returns_the_built_dataset(built):
    dataset = kazkg.load()
    assert isinstance(dataset, Dataset)
    names = {g.identifier for g in dataset.graphs() if len(g)}
    assert {ONTOLOGY_GRAPH, INFERRED_GRAPH} <= names
    assert len(names) > 100


def test_load_without_inferred(built):
    names = {g.identifier for g in kazkg.load(inferred=False).graphs() if len(g)}
    assert INFERRED_GRAPH not in names and ONTOLOGY_GRAPH in names


def test_query_by_name_and_by_text(built):
    by_name = {str(r.party) for r in kazkg.query("lenin-prize-laureates")}
    text = "SELECT ?e WHERE { ?e kazkg:involvedIn kzr:award-achisai-lenin-prize-1985 }"
    by_text = {str(r.e) for r in kazkg.query(text)}
    assert by_name == by_text == {"https://w3id.org/kazkg/resource/achisai-polymetallic-combine"}
    assert not list(kazkg.query(text, inferred=False))


def test_query_errors_are_kazkg_errors(built):
    with pytest.raises(kazkg.QueryError) as caught:
        kazkg.query("SELECT ?x WHERE { ?x ?p }")
    assert caught.value.line == 1
    with pytest.raises(kazkg.UnknownQuery):
        kazkg.query("no-such-query")


def test_query_with_a_timeout_answers_the_same_or_stops(built):
    direct = [tuple(row) for row in kazkg.query("lenin-prize-laureates")]
    limited = [tuple(row) for row in kazkg.query("lenin-prize-laureates", timeout=30)]
    assert direct == limited and direct
    graph = kazkg.query("CONSTRUCT WHERE { ?e kazkg:creditedEnterprise ?c }", timeout=30)
    assert graph.type == "CONSTRUCT" and len(graph.graph) == 1
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
    with pytest.raises(kazkg.QueryTimeout):
        kazkg.query(runaway, timeout=1)


def test_query_errors_keep_their_position_through_a_worker(built):
    with pytest.raises(kazkg.QueryError) as caught:
        kazkg.query("SELECT ?x WHERE {\n  ?x nope:p ?o }", timeout=30)
    assert (caught.value.line, caught.value.column) == (2, 6)
    assert "nope:" in str(caught.value)


def test_the_api_runs_on_oxigraph_where_it_answers_as_rdflib(built):
    from kazkg.api import served_for

    assert [engine.name for engine in served_for().engines] == ["oxigraph", "rdflib"]
    assert [engine.name for engine in served_for(kazkg.load(inferred=False)).engines][0] == "oxigraph"


def test_a_loaded_dataset_is_out_of_the_collectors_sight(built, monkeypatch):
    """kazkg.load() keeps its dataset for the life of the process: its objects are frozen
    (gc.freeze) the first time it is asked for, so no full collection walks them again."""
    import gc

    from kazkg import api

    monkeypatch.setattr(api, "_frozen", set())  # as in a process that has loaded nothing
    freezes = []
    monkeypatch.setattr(gc, "freeze", lambda real=gc.freeze: freezes.append(1) or real())
    try:
        dataset = kazkg.load()
        assert len(freezes) == 1 and gc.get_freeze_count() >= len(dataset)
        assert kazkg.load() is dataset and len(freezes) == 1
    finally:
        gc.unfreeze()  # the rest of the test session is collected as before
