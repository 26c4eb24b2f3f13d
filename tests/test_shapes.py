"""Every SHACL shape has a valid and an invalid example, and each behaves as its name says."""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from tests.support import ROOT
from kazkg.build.validate import QueryOnceGraph
from kazkg.namespaces import SH

SHAPES_NS = "https://w3id.org/kazkg/shapes#"
EXAMPLES = ROOT / "tests" / "shapes"


@functools.cache
def _shapes() -> Graph:
    """Parsed once: pyshacl only reads the shapes graph (kazkg.build.sparqlshapes.split copies)."""
    return Graph().parse(ROOT / "ontology" / "shapes.ttl")


@functools.cache
def _ontology() -> Graph:
    """Parsed once; each validation gets a copy to add its example to."""
    return Graph().parse(ROOT / "ontology" / "kazkg.ttl")


@functools.cache
def _ontology_in_place() -> QueryOnceGraph:
    """The ontology as the one data graph that every plain pyshacl run below adds its example
    to (and takes it out of again, `_with_ontology`): no copy of the ontology per example, and
    each SPARQL constraint's text parsed once for all the runs, not once per focus node
    (test_parsing_each_sparql_text_once_changes_no_result: plain rdflib reports the same)."""
    data = QueryOnceGraph()
    data += _ontology()
    return data


@contextlib.contextmanager
def _with_ontology(example: Path):
    data = _ontology_in_place()
    added = [triple for triple in Graph().parse(example) if triple not in data]
    for triple in added:
        data.add(triple)
    try:
        yield data
    finally:
        for triple in added:
            data.remove(triple)


def _shape_names() -> list[str]:
    shapes = _shapes()
    named = set()
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in shapes.subjects(RDF.type, kind):
            if isinstance(shape, URIRef) and str(shape).startswith(SHAPES_NS):
                named.add(str(shape)[len(SHAPES_NS):])
    return sorted(named)


def _failing(report: Graph) -> frozenset[str]:
    failing = {str(s) for s in report.objects(None, SH.sourceShape)}
    # a property shape nested in a node shape reports its own IRI; count both levels
    return frozenset(f[len(SHAPES_NS):] for f in failing if f.startswith(SHAPES_NS))


@functools.cache  # an invalid example is validated once for the two tests that ask
def _failing_shapes(example: Path) -> frozenset[str]:
    """The shapes that plain pyshacl finds failing on the ontology plus `example`."""
    with _with_ontology(example) as data:
        conforms, report, _ = validate(data, shacl_graph=_shapes(), inference="none")
    return _failing(report)


def _results(report: Graph) -> list[tuple]:
    fields = (SH.focusNode, SH.resultPath, SH.value, SH.resultMessage, SH.sourceShape,
              SH.resultSeverity)
    return sorted(tuple(str(report.value(result, field)) for field in fields)
                  for result in report.subjects(RDF.type, SH.ValidationResult))


def test_parsing_each_sparql_text_once_changes_no_result():
    """The examples above run on a QueryOnceGraph; on a plain Graph, which parses a SPARQL
    constraint's text again for every focus node, pyshacl gives the same report: every field of
    every result, on the examples of each shape with a SPARQL constraint, together."""
    shapes = _shapes()
    with_sparql = {str(shape)[len(SHAPES_NS):] for shape in shapes.subjects(SH.sparql, None)}
    assert {"LabelShape", "SelectorTextShape"} <= with_sparql
    plain = Graph()
    plain += _ontology()
    for name in sorted(with_sparql):
        plain.parse(EXAMPLES / "invalid" / f"{name}.ttl")
    once = QueryOnceGraph()
    once += plain  # the very same terms, blank nodes too
    reports = [_results(validate(data, shacl_graph=shapes, inference="none")[1])
               for data in (plain, once)]
    assert reports[0] == reports[1]
    assert _failing_names(reports[0]) >= with_sparql


def _failing_names(results: list[tuple]) -> set[str]:
    return {shape[len(SHAPES_NS):] for *_, shape, _ in results if shape.startswith(SHAPES_NS)}


def test_every_shape_has_a_stable_iri_and_message():
    shapes = _shapes()
    names = _shape_names()
    assert len(names) >= 10
    for name in names:
        shape = URIRef(SHAPES_NS + name)
        messages = set(shapes.objects(shape, SH.message))
        for nested in shapes.objects(shape, SH.property):
            messages |= set(shapes.objects(nested, SH.message))
        assert messages, f"{name} has no sh:message"


@pytest.mark.parametrize("name", _shape_names())
def test_valid_example_conforms(name):
    example = EXAMPLES / "valid" / f"{name}.ttl"
    assert example.is_file(), f"missing {example.relative_to(ROOT)}"
    assert _failing_shapes(example) == set()


@pytest.mark.parametrize("name", _shape_names())
def test_invalid_example_fails_on_its_shape(name):
    example = EXAMPLES / "invalid" / f"{name}.ttl"
    assert example.is_file(), f"missing {example.relative_to(ROOT)}"
    assert name in _failing_shapes(example)


def _kazkg_results(*examples: str, on_oxigraph: bool = True) -> list:
    """kazkg's own validation (kazkg.build.validate.check, as the build runs it) of the ontology and
    each Turtle text in a named graph of its own (`on_oxigraph` False: all on pyshacl). Made
    once per texts (the examples alone are validated by two tests); `_validated`: afresh."""
    return list(_validated_once(examples, on_oxigraph))


@functools.cache
def _validated_once(examples: tuple, on_oxigraph: bool) -> tuple:
    return tuple(_validated(examples, on_oxigraph))


def _validated(examples: tuple, on_oxigraph: bool = True) -> list:
    from rdflib import Dataset

    from kazkg.namespaces import ONTOLOGY_GRAPH
    from kazkg.build.validate import check

    dataset = Dataset()
    ontology = dataset.graph(ONTOLOGY_GRAPH)
    ontology += _ontology()
    for n, text in enumerate(examples):
        dataset.graph(URIRef(f"https://example.org/graph/{n}")).parse(data=text, format="turtle")
    return check(dataset, _shapes(), on_oxigraph=on_oxigraph)


@pytest.mark.parametrize("name", _shape_names())
def test_the_build_finds_what_plain_pyshacl_finds(name):
    # kazkg.build.validate runs pyshacl in place, on a graph that parses each SPARQL text once
    example = EXAMPLES / "invalid" / f"{name}.ttl"
    found = {v.shape for v in _kazkg_results(example.read_text(encoding="utf-8"))}
    assert {s.rstrip(">").rpartition("#")[2] for s in found} == _failing_shapes(example)


def test_a_sparql_constraint_reports_each_focus_node_with_its_own_bindings():
    # kzsh:LabelShape's sh:sparql query is parsed once and run once per focus node: each run
    # must see its own $this (and report its own ?lang), not the first node's
    prefixes = ('@prefix kazkg: <https://w3id.org/kazkg/ontology#> .\n'
                '@prefix kzr: <https://w3id.org/kazkg/resource/> .\n'
                '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n')
    results = _kazkg_results(
        prefixes + 'kzr:no-ru a kazkg:City ; rdfs:label "Бір"@kk , "One"@en .',
        prefixes + 'kzr:no-en a kazkg:City ; rdfs:label "Екі"@kk , "Два"@ru .',
        prefixes + 'kzr:no-kk-ru a kazkg:City ; rdfs:label "Three"@en .',
        prefixes + 'kzr:all-three a kazkg:City ; rdfs:label "Төрт"@kk , "Четыре"@ru , "Four"@en .',
    )
    missing = {(v.focus, v.message, v.graphs) for v in results if v.message.startswith("Missing")}
    assert missing == {
        ("kzr:no-ru", 'Missing rdfs:label in language "ru".', ("https://example.org/graph/0",)),
        ("kzr:no-en", 'Missing rdfs:label in language "en".', ("https://example.org/graph/1",)),
        ("kzr:no-kk-ru", 'Missing rdfs:label in language "kk".', ("https://example.org/graph/2",)),
        ("kzr:no-kk-ru", 'Missing rdfs:label in language "ru".', ("https://example.org/graph/2",)),
    }
    assert all(v.shape == f"<{SHAPES_NS}LabelShape>" and v.severity == "Violation" for v in results)


def test_validating_in_place_reports_what_validating_a_copy_reports(monkeypatch):
    # kazkg.build.validate reads a freshly loaded dataset's graphs in place; the same data
    # copied into one graph (as before) must give the very same results, every field
    from kazkg.build import validate

    texts = [p.read_text(encoding="utf-8") for p in sorted((EXAMPLES / "invalid").glob("*.ttl"))]
    in_place = _kazkg_results(*texts)

    def copied(dataset):
        union = validate.QueryOnceGraph()
        for graph in dataset.graphs():
            union += graph
        return union

    monkeypatch.setattr(validate, "data_graph", copied)
    assert in_place == _validated(tuple(texts)) and len(in_place) >= len(texts)


@pytest.mark.parametrize("kind", ["valid", "invalid"])
def test_sparql_constraints_on_oxigraph_report_what_pyshacl_reports(kind):
    """kazkg.build.sparqlshapes runs each SPARQL-based constraint once on Oxigraph: the report
    is pyshacl's, every field, on every example of a kind, each example alone and all at once
    (so that results of several focus nodes, shapes and graphs meet)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((EXAMPLES / kind).glob("*.ttl"))]
    for text in texts:
        assert _kazkg_results(text) == _kazkg_results(text, on_oxigraph=False)
    together = _kazkg_results(*texts)
    assert together == _kazkg_results(*texts, on_oxigraph=False)
    # kzsh:SelectorTextShape is its SPARQL constraint alone
    assert (f"<{SHAPES_NS}SelectorTextShape>" in {v.shape for v in together}) == (kind == "invalid")


def test_sparql_constraints_on_oxigraph_report_what_pyshacl_reports_on_the_data(asserted):
    """The same on the bundled data, and on it with labels and a selector's offsets broken."""
    from kazkg.build import pipeline
    from kazkg.build.inputs import bundled
    from kazkg.build.validate import check
    from kazkg.namespaces import OA
    from rdflib import Dataset, Literal
    from rdflib.namespace import RDFS

    shapes = pipeline.load_shapes(bundled())
    assert check(asserted, shapes) == check(asserted, shapes, on_oxigraph=False) == []
    broken = Dataset(default_union=True)
    for graph in asserted.graphs():
        target = broken.graph(graph.identifier)
        target += graph
    city = URIRef("https://w3id.org/kazkg/ontology#City")  # a target of kzsh:LabelShape
    labelled = sorted(set(asserted.subjects(RDF.type, city)))[:10]
    assert labelled
    for n, subject in enumerate(labelled):
        for graph in broken.graphs():
            for label in list(graph.objects(subject, RDFS.label)):
                if n % 2 or label.language == "ru":
                    graph.remove((subject, RDFS.label, label))
    for selector in sorted(set(asserted.subjects(OA.start, None)))[:5]:
        for graph in broken.graphs():
            for start in list(graph.objects(selector, OA.start)):
                graph.set((selector, OA.start, Literal(start.toPython() + 1)))
    found = check(broken, shapes)
    assert found == check(broken, shapes, on_oxigraph=False)
    # and pyshacl alone, called as a user would, finds the same (focus, message, shape)s
    from kazkg.build.validate import data_graph

    def short(term) -> str:
        return term.n3(broken.namespace_manager) if isinstance(term, URIRef) else str(term)

    _, report, _ = validate(data_graph(broken), shacl_graph=shapes, inference="none")
    plain = sorted((short(report.value(r, SH.focusNode)), str(report.value(r, SH.resultMessage)),
                    short(report.value(r, SH.sourceShape)))
                   for r in report.subjects(RDF.type, SH.ValidationResult))
    assert plain == sorted((v.focus, v.message, v.shape) for v in found)
    assert {"Missing rdfs:label in language \"ru\"."} <= {v.message for v in found}
    assert any(v.shape.endswith("SelectorTextShape>") for v in found)
