"""Load -> validate -> infer: the named graphs, the inferred graph's hygiene, errors, cache."""

from __future__ import annotations


from rdflib import BNode, Literal
from rdflib.namespace import OWL, RDF

import kazkg
import pytest
from kazkg.formats import export
from kazkg.build import cache, inputs, mirror
from kazkg.namespaces import INFERRED_GRAPH, META_VOCABULARIES, ONTOLOGY_GRAPH

from tests.support import ROOT


def test_one_named_graph_per_file(built):
    graphs = set(built.triples_per_graph())
    files = sorted((ROOT / "graph").rglob("*.ttl"))
    expected = {str(inputs.graph_name(ROOT / "graph", f)) for f in files}
    assert expected <= graphs
    assert {str(ONTOLOGY_GRAPH), str(INFERRED_GRAPH)} <= graphs
    assert graphs == expected | {str(ONTOLOGY_GRAPH), str(INFERRED_GRAPH)}


def test_default_graph_is_the_union(dataset):
    union = set(dataset.triples((None, None, None)))
    parts = set()
    for graph in dataset.graphs():
        parts.update(graph)
    assert union == parts


def test_inferred_graph_is_new_and_clean(dataset):
    inferred = dataset.graph(INFERRED_GRAPH)
    assert len(inferred) > 0
    asserted = set()
    for graph in dataset.graphs():
        if graph.identifier != INFERRED_GRAPH:
            asserted.update(graph)
    for s, p, o in inferred:
        assert (s, p, o) not in asserted
        assert not isinstance(s, (Literal, BNode)), (s, p, o)
        assert not isinstance(o, BNode), (s, p, o)
        assert not (p == OWL.sameAs and s == o)
        assert not str(s).startswith(META_VOCABULARIES), (s, p, o)
        assert not (p == RDF.type and o in (OWL.Thing,))


def test_malformed_turtle_names_file_and_line(data_copy):
    bad = data_copy / "graph" / "text" / "industry-1956-1985" / "p1-s1.ttl"
    lines = bad.read_text(encoding="utf-8").splitlines()
    lines.append('kzr:broken rdfs:label "no closing quote .')
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(kazkg.InputError) as caught:
        kazkg.build(use_cache=False)
    message = str(caught.value)
    assert "p1-s1.ttl" in message
    assert f"line {len(lines)}" in message


def _append(path, text):
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def test_disjointness_violation_stops_the_build(data_copy):
    _append(data_copy / "graph" / "text" / "industry-1956-1985" / "p2-s7.ttl",
            "kzr:achisai-polymetallic-combine a kazkg:Place .")
    with pytest.raises(kazkg.Inconsistent) as caught:
        kazkg.build(use_cache=False)
    assert "achisai-polymetallic-combine" in str(caught.value)
    assert "kazkg:Place" in str(caught.value)


def test_functional_property_violation_stops_the_build(data_copy):
    # The SHACL shapes already demand one time per event and statistic; a name's period is
    # checked by the functional property alone.
    _append(data_copy / "graph" / "facts" / "aktau-wikipedia.ttl",
            "kzr:name-aktau-shevchenko kazkg:hasTime kzr:year-1984 .")
    with pytest.raises(kazkg.Inconsistent) as caught:
        kazkg.build(use_cache=False)
    message = str(caught.value)
    assert "name-aktau-shevchenko" in message and "kazkg:hasTime" in message
    assert "year-1984" in message and "period-1964-1991" in message


def test_shacl_violation_stops_the_build(data_copy):
    _append(data_copy / "graph" / "text" / "industry-1956-1985" / "p3-s3.ttl",
            "kzr:nameless-plant a kazkg:Plant .")
    with pytest.raises(kazkg.ValidationFailed) as caught:
        kazkg.build(use_cache=False)
    message = str(caught.value)
    assert "kzr:nameless-plant" in message
    assert "graph/text/industry-1956-1985/p3-s3.ttl" in message


def test_second_build_comes_from_the_cache(data_copy):
    _append(data_copy / "graph" / "reference" / "places.ttl", "# new bytes, so a new cache key")
    first = kazkg.build()
    second = kazkg.build()
    assert not first.from_cache and second.from_cache
    assert second.fingerprint == first.fingerprint
    # the same dataset, up to blank-node labels
    assert export.serialize(second.dataset, "nquads") == export.serialize(first.dataset, "nquads")
    rebuilt = kazkg.build(use_cache=False)
    assert not rebuilt.from_cache


def test_cache_key_follows_the_inputs(data_copy):
    before = inputs.bundled().fingerprint()
    _append(data_copy / "graph" / "reference" / "places.ttl", "# a comment changes the bytes")
    assert inputs.bundled().fingerprint() != before


def test_functional_datatype_property_compares_values_not_spellings():
    from rdflib import Graph

    from kazkg.build import reason

    graph = Graph().parse(format="turtle", data="""
        @prefix kazkg: <https://w3id.org/kazkg/ontology#> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix kzr: <https://w3id.org/kazkg/resource/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        kazkg:value a owl:DatatypeProperty, owl:FunctionalProperty .
        kzr:twice kazkg:value "1.0"^^xsd:decimal, "2.0"^^xsd:decimal .
        kzr:spelt-twice kazkg:value "1.0"^^xsd:decimal, "1.00"^^xsd:decimal .
    """)
    found = reason.problems(graph, reason.closure(graph))
    assert len(found) == 1 and found[0].startswith("kzr:twice has 2 values")


def test_a_damaged_cache_entry_is_rebuilt(data_copy):
    # a full build keeps its dataset in the Oxigraph copy (no pickle): damaged, it is found
    # when the dataset is read, and built again
    _append(data_copy / "graph" / "reference" / "places.ttl", "# another new cache key")
    first = kazkg.build()
    copy = cache.beside(first.fingerprint, mirror.STORE)
    (copy / mirror.COMPLETE).write_bytes(b"not what was written")
    again = kazkg.build()
    assert len(again.dataset.graph(INFERRED_GRAPH)) == first.inferred_count
    assert cache.check(copy) == copy  # written again, whole
