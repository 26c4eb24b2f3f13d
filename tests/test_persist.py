"""`--store oxigraph:PATH`: the dataset in an Oxigraph store on disk (through oxrdflib) gives
the same answers as rdflib's in-memory store on every catalog query."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import kazkg
from kazkg.query import catalog
from kazkg.formats.graphs import union
from kazkg.build import persist
from kazkg.cli import cli
from kazkg.errors import KazkgError
from tests.support import comparable, kazkg_cli, rdflib_answer

QUERIES = sorted(catalog.load_all())


@pytest.fixture(scope="module")
def stored(built, tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "kazkg.oxigraph"
    persist.save(built.dataset, path, built.fingerprint)
    dataset = persist.open_store(path)
    yield dataset
    dataset.close()


@pytest.mark.parametrize("name", QUERIES)
def test_every_catalog_query_gives_the_same_answer(dataset, stored, name):
    text = catalog.get(name).text
    ours, reference = kazkg.query(text, stored), rdflib_answer(dataset, text)
    assert [str(v) for v in ours.vars] == [str(v) for v in reference.vars]
    assert comparable(ours) == comparable(reference)


def test_the_store_holds_every_named_graph(dataset, stored):
    assert persist.is_oxigraph(stored)
    copy = persist.in_memory(stored)
    assert {str(g.identifier) for g in copy.graphs() if len(g)} == {
        str(g.identifier) for g in dataset.graphs() if len(g)}
    assert len(union(copy)) == len(union(dataset))


@pytest.mark.parametrize("option, says", [("postgres:somewhere", "use oxigraph:PATH"),
                                           ("oxigraph:", "use oxigraph:PATH"),
                                           ("oxigraph:{file}", "is a file, not a folder")])
def test_a_bad_store_option_is_a_usage_error(tmp_path, option, says):
    (tmp_path / "file").write_text("")
    option = option.format(file=tmp_path / "file")
    done = CliRunner().invoke(cli, ["query", "--store", option, "ASK {}"])
    assert done.exit_code == 2 and says in done.output and "Traceback" not in done.output


def test_a_folder_without_a_store_is_explained(tmp_path):
    with pytest.raises(KazkgError, match="holds no kazkg store"):
        persist.open_store(tmp_path / "nothing-here")


def test_the_cli_builds_and_queries_the_store(tmp_path, built):
    location = f"oxigraph:{tmp_path / 'db'}"
    done = kazkg_cli("query", "--store", location, "--format", "tsv", "city-enterprises")
    assert done.returncode == 0, done.stderr
    reference = kazkg_cli("query", "--format", "tsv", "city-enterprises")
    assert sorted(done.stdout.splitlines()) == sorted(reference.stdout.splitlines())
