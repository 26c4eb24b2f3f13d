"""`kazkg export`: every format, strict-parser clean, deterministic, the same triples. Each
format is exported once, in-process, and the tests share the files; one real process exports
them all again under another hash seed (the bytes must not change)."""

from __future__ import annotations

import os
import subprocess
import sys

import pyoxigraph as ox
import pytest

from rdflib import Graph
from rdflib.compare import isomorphic

from kazkg.build.inputs import bundled
from kazkg.formats import export
from kazkg.formats.terms import to_rdflib
from tests.support import kazkg_cli

OX_FORMATS = {name: fmt.oxigraph for name, fmt in export.FORMATS.items()}
# A command line that exports every format in one process (a process per format costs its
# start-up each time): `python -c EXPORT_ALL FOLDER`.
EXPORT_ALL = """
import sys
from kazkg.cli import main
from kazkg.formats import export
for name, fmt in export.FORMATS.items():
    main(["export", "--format", name, "-o", f"{sys.argv[1]}/all{fmt.extension}"])
"""


def _path(folder, fmt):
    return folder / f"all{export.FORMATS[fmt].extension}"


def _export(folder, fmt, *extra):
    out = _path(folder, fmt)
    done = kazkg_cli("export", "--format", fmt, "-o", str(out), *extra)
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"wrote {out.stat().st_size} bytes to {out}\n"
    return out


@pytest.fixture(scope="module")
def exported(built, tmp_path_factory):
    """Every format, exported by `kazkg export -o` in this process: {format: path}."""
    folder = tmp_path_factory.mktemp("export")
    return {fmt: _export(folder, fmt) for fmt in export.FORMATS}


def _triples(path, fmt):
    return {(q.subject, q.predicate, q.object) for q in ox.parse(path=path, format=OX_FORMATS[fmt])}


@pytest.mark.slow
def test_export_is_deterministic_and_strictly_parseable(exported, tmp_path):
    # This process hashes strings with its own seed; the other process with another one.
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    done = subprocess.run([sys.executable, "-c", EXPORT_ALL, str(tmp_path)], capture_output=True,
                          text=True, timeout=600, env={**os.environ, "PYTHONHASHSEED": seed})
    assert done.returncode == 0, done.stderr
    for fmt, path in exported.items():
        assert _path(tmp_path, fmt).read_bytes() == path.read_bytes(), fmt
        assert len(_triples(path, fmt)) > 1000, fmt


def _graph(path, fmt) -> Graph:
    graph = Graph()
    for q in ox.parse(path=path, format=OX_FORMATS[fmt]):
        graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return graph


@pytest.mark.parametrize("fmt", ["turtle", "nt", "trig", "jsonld", "xml"])
def test_every_format_holds_the_same_triples_as_nquads(exported, fmt):
    nquads = exported["nquads"]
    quads = list(ox.parse(path=nquads, format=ox.RdfFormat.N_QUADS))
    assert all(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads)
    # Blank nodes get new labels when parsed, so compare the graphs up to isomorphism.
    assert isomorphic(_graph(nquads, "nquads"), _graph(exported[fmt], fmt))


def test_turtle_uses_the_project_prefixes_and_names_the_dataset_version(exported):
    text = exported["turtle"].read_text(encoding="utf-8")
    for prefix in ("kazkg:", "kzr:", "schema:", "prov:", "skos:"):
        assert f"@prefix {prefix}" in text
    version = bundled().data_version()
    assert text.splitlines()[0] == f"# kazkg dataset version {version} (https://w3id.org/kazkg/)"


def test_inferred_is_included_by_default_and_can_be_left_out(exported, tmp_path):
    inferred = ox.NamedNode("https://w3id.org/kazkg/graph/inferred")

    def graphs(path):  # by graph name: the ontology itself describes the inferred graph
        return {q.graph_name for q in ox.parse(path=path, format=ox.RdfFormat.N_QUADS)}

    assert inferred in graphs(exported["nquads"])
    assert inferred not in graphs(_export(tmp_path, "nquads", "--no-inferred"))


def test_no_literal_subjects_in_any_export(exported):
    for q in ox.parse(path=exported["nquads"], format=ox.RdfFormat.N_QUADS):
        assert not isinstance(q.subject, ox.Literal)


def test_export_to_stdout(exported):
    done = kazkg_cli("export", "--format", "nt")
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.count("\n") > 1000
    assert done.stdout == exported["nt"].read_text(encoding="utf-8")
