"""A full build without an rdflib dataset (kazkg.build.streamed) gives what the rdflib
pipeline gives: the same quads in every graph, the same inferred graph, counts and SHACL
results, and the same error when the files are wrong; SHACL a batch of focus nodes at a time
(kazkg.build.byfocus) reports what one validation of all the data reports."""

from __future__ import annotations

import pytest
from rdflib import Dataset, URIRef

from kazkg.build import byfocus, cache, closure, coded, localshapes, pipeline, state, store, validate
from kazkg.build.inputs import bundled
from kazkg.namespaces import ONTOLOGY_GRAPH

from tests.builds import assert_as_full, full_build, outcome, without_blank_nodes
from tests.support import ROOT

SENTENCE = "graph/text/industry-1956-1985/p2-s7.ttl"


def test_a_full_build_is_what_the_rdflib_pipeline_makes(data_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("KAZKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(byfocus, "BATCH", 300)  # many batches: focus nodes read across them
    made = pipeline.build(bundled(), use_cache=False)
    summary = cache.summary(made.fingerprint)
    assert summary["pickle"] is False and "incremental" not in summary  # built streamed
    assert_as_full(made, full_build())


@pytest.mark.parametrize("wrong", [
    "kzr:nameless-plant a kazkg:Enterprise .",                      # a SHACL violation
    "kzr:achisai-polymetallic-combine a kazkg:Place .",              # disjoint classes
    "kzr:nameless-plant a kazkg:Enterprise, kazkg:Place .",          # both: SHACL speaks first
])
def test_a_wrong_file_stops_it_as_it_stops_the_rdflib_pipeline(data_copy, tmp_path, monkeypatch, wrong):
    monkeypatch.setenv("KAZKG_CACHE_DIR", str(tmp_path / "cache"))
    path = data_copy / SENTENCE
    path.write_text(path.read_text(encoding="utf-8") + wrong + "\n", encoding="utf-8")
    made, error = outcome(lambda: pipeline.build(bundled(), use_cache=False))
    assert made is None and error is not None
    assert error == outcome(full_build)[1]


@pytest.mark.parametrize("kind", ["invalid", "valid"])
def test_by_focus_reports_what_validating_everything_at_once_reports(kind, monkeypatch):
    # the ontology and every example of the shapes, each in a graph of its own; batches of
    # 40 triples' worth, so that most focus nodes' reads cross into other batches
    monkeypatch.setattr(byfocus, "BATCH", 40)
    dataset = Dataset()
    for s, p, o, _ in store.read_quads(ROOT / "ontology" / "kazkg.ttl"):
        dataset.graph(ONTOLOGY_GRAPH).add((s, p, o))
    examples = sorted((ROOT / "tests" / "shapes" / kind).glob("*.ttl"))
    for n, example in enumerate(examples):
        dataset.graph(URIRef(f"https://example.org/graph/{n}")).parse(example, format="turtle")
    shapes = pipeline.load_shapes(bundled())
    reference = validate.results(validate.data_graph(dataset), shapes)

    coder = coded.Coder()
    code = coder.terms.code
    graphs = {str(g.identifier): coded.array("q", [code(t) for triple in g for t in triple])
              for g in dataset.graphs() if len(g)}
    kept = state.of_graphs("", {}, graphs, coder.terms)
    index = closure.compute_coded(coder.terms, coded.all_triples(graphs)).engine.store
    ours = byfocus.results(localshapes.analyse(shapes), shapes, coder.terms, index, kept, graphs,
                           coder.oxigraph_terms())
    assert len(byfocus.batches(graphs)) >= 10
    assert without_blank_nodes(ours) == without_blank_nodes(reference)
    assert (len(ours) >= len(examples)) == (kind == "invalid")
