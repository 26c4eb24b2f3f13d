"""`kazkg export`: every format, strict-parser clean, deterministic, the same triples."""

from __future__ import annotations


import pyoxigraph as ox
import pytest

from rdflib import Graph
from rdflib.compare import isomorphic

from kazkg.build.inputs import bundled
from kazkg.formats import export
from kazkg.formats.terms import to_rdflib
from tests.support import run_kazkg

OX_FORMATS = {name: fmt.oxigraph for name, fmt in export.FORMATS.items()}


@pytest.fixture(scope="module", autouse=True)
def warm_cache(built):
    """Build once in-process, so that the subprocesses below start from the cache."""


def _export(tmp_path, fmt, *extra, seed="0"):
    out = tmp_path / f"all-{fmt}-{seed}{export.FORMATS[fmt].extension}"
    done = run_kazkg("export", "--format", fmt, "-o", str(out), *extra,
                     env={"PYTHONHASHSEED": seed})
    assert done.returncode == 0, done.stderr
    return out


def _triples(path, fmt):
    return {(q.subject, q.predicate, q.object) for q in ox.parse(path=path, format=OX_FORMATS[fmt])}


@pytest.mark.parametrize("fmt", list(export.FORMATS))
def test_export_is_deterministic_and_strictly_parseable(tmp_path, fmt):
    first = _export(tmp_path, fmt, seed="1")
    second = _export(tmp_path, fmt, seed="2")
    assert first.read_bytes() == second.read_bytes()
    assert len(_triples(first, fmt)) > 1000


def _graph(path, fmt) -> Graph:
    graph = Graph()
    for q in ox.parse(path=path, format=OX_FORMATS[fmt]):
        graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return graph


@pytest.mark.parametrize("fmt", ["turtle", "nt", "trig", "jsonld", "xml"])
def test_every_format_holds_the_same_triples_as_nquads(tmp_path, fmt):
    nquads = _export(tmp_path, "nquads")
    quads = list(ox.parse(path=nquads, format=ox.RdfFormat.N_QUADS))
    assert all(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads)
    # Blank nodes get new labels when parsed, so compare the graphs up to isomorphism.
    assert isomorphic(_graph(nquads, "nquads"), _graph(_export(tmp_path, fmt), fmt))


def test_turtle_uses_the_project_prefixes_and_names_the_dataset_version(tmp_path):
    text = _export(tmp_path, "turtle").read_text(encoding="utf-8")
    for prefix in ("kazkg:", "kzr:", "schema:", "prov:", "skos:"):
        assert f"@prefix {prefix}" in text
    version = bundled().data_version()
    assert text.splitlines()[0] == f"# kazkg dataset version {version} (https://w3id.org/kazkg/)"


def test_inferred_is_included_by_default_and_can_be_left_out(tmp_path):
    graph = "<https://w3id.org/kazkg/graph/inferred>"
    with_inferred = _export(tmp_path, "nquads").read_text(encoding="utf-8")
    without = _export(tmp_path, "nquads", "--no-inferred", seed="3").read_text(encoding="utf-8")
    assert graph in with_inferred and graph not in without


def test_no_literal_subjects_in_any_export(tmp_path):
    for q in ox.parse(path=_export(tmp_path, "nquads"), format=ox.RdfFormat.N_QUADS):
        assert not isinstance(q.subject, ox.Literal)


def test_export_to_stdout(tmp_path):
    done = run_kazkg("export", "--format", "nt")
    assert done.returncode == 0
    assert done.stdout.count("\n") > 1000
