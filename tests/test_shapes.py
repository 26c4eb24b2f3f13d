"""Every SHACL shape has a valid and an invalid example, and each behaves as its name says."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from tests.support import ROOT
from kazkg.namespaces import SH

SHAPES_NS = "https://w3id.org/kazkg/shapes#"
EXAMPLES = ROOT / "tests" / "shapes"


def _shapes() -> Graph:
    return Graph().parse(ROOT / "ontology" / "shapes.ttl")


def _shape_names() -> list[str]:
    shapes = _shapes()
    named = set()
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in shapes.subjects(RDF.type, kind):
            if isinstance(shape, URIRef) and str(shape).startswith(SHAPES_NS):
                named.add(str(shape)[len(SHAPES_NS):])
    return sorted(named)


def _failing_shapes(example: Path) -> set[str]:
    data = Graph().parse(ROOT / "ontology" / "kazkg.ttl")
    data.parse(example)
    conforms, report, _ = validate(data, shacl_graph=_shapes(), inference="none")
    failing = {str(s) for s in report.objects(None, SH.sourceShape)}
    # a property shape nested in a node shape reports its own IRI; count both levels
    return {f[len(SHAPES_NS):] for f in failing if f.startswith(SHAPES_NS)}


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
