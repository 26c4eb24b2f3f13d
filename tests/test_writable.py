"""The write store (kazkg.build.writable): a change is journalled whole before it reaches the
store, so a server killed in between loses nothing; a store nobody wrote to follows its inputs."""

from __future__ import annotations

import gc
import json
from dataclasses import replace

import pyoxigraph as ox
import pytest

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kazkg.build import writable, writecheck
from kazkg.query.writes import Delta

G = URIRef("http://example.org/g")
QUAD = (URIRef("http://example.org/s"), URIRef("http://example.org/p"),
        Literal("1.50", datatype=XSD.decimal), G)
OTHER = (*QUAD[:2], Literal("2.50", datatype=XSD.decimal), G)


def _fixture():
    from tests.web.support import fixture_build

    return fixture_build()


def test_nothing_is_made_or_loaded_before_the_first_write(tmp_path):
    built = _fixture()
    assert writable.load(tmp_path / "writes", built) == (None, 0)
    assert not (tmp_path / "writes").exists()


def _killed(monkeypatch, where: str):
    """Make the next commit stop as a kill would, `where` "store" (before the store took the
    change) or "manifest" (the store and files changed, the manifest not yet)."""
    real = writecheck.write

    def before_store(*args):
        raise KeyboardInterrupt

    def before_manifest(path, files, quads, journal=None):
        if journal is None:
            raise KeyboardInterrupt
        real(path, files, quads, journal)
    if where == "store":
        monkeypatch.setattr(writable, "_apply", before_store)
    else:
        monkeypatch.setattr(writecheck, "write", before_manifest)


def _closed(store: writable.Writable) -> None:
    store._store = None  # RocksDB's lock goes with the last reference
    gc.collect()


@pytest.mark.parametrize("where", ["store", "manifest"])
def test_a_write_cut_short_by_a_kill_is_finished_at_the_next_start(tmp_path, monkeypatch, where):
    built = _fixture()
    path = tmp_path / "writes"
    store = writable.Writable(path, 0, built)
    store.commit(Delta(set(), {QUAD}))
    _killed(monkeypatch, where)
    with pytest.raises(KeyboardInterrupt):
        store.commit(Delta(set(), {OTHER}))
    monkeypatch.undo()
    _closed(store)
    assert (path / writable.JOURNAL).exists()
    dataset, writes = writable.load(path, built)
    assert writes == 2 and not (path / writable.JOURNAL).exists()
    assert {str(o) for o in dataset.objects(QUAD[0], QUAD[1])} == {"1.50", "2.50"}
    assert writable.load(path, built)[1] == 2  # and the store is whole again


def test_commit_then_reload_gives_the_same_dataset(tmp_path):
    built = _fixture()
    path = tmp_path / "writes"
    store = writable.Writable(path, 0, built)
    store.commit(Delta(set(), {QUAD}))
    removed = next(iter(built.dataset.quads((None, None, None, None))))
    gone = (*removed[:3], getattr(removed[3], "identifier", removed[3]))
    store.commit(Delta({gone}, set()))
    del store
    dataset, writes = writable.load(path, built)
    assert writes == 2
    found = [o for o in dataset.objects(QUAD[0], QUAD[1])]
    assert [str(o) for o in found] == ["1.50"]  # its spelling kept, not 1.5
    assert gone[:3] not in Graph(store=dataset.store, identifier=gone[3])


def test_a_store_nobody_wrote_to_follows_new_inputs(tmp_path):
    built = _fixture()
    path = tmp_path / "writes"
    writable.create(path, built.dataset, built.fingerprint)  # made, then killed before the write
    changed = replace(built, fingerprint="0" * 64)
    assert writable.load(path, changed) == (None, 0) and not path.exists()


def _written(tmp_path) -> Path:
    """A store with two writes, closed."""
    built = _fixture()
    path = tmp_path / "writes"
    store = writable.Writable(path, 0, built)
    store.commit(Delta(set(), {QUAD}))
    store.commit(Delta(set(), {OTHER}))
    _closed(store)
    return path


def _edit_spellings(path):
    spelled = (path / writable.SPELLINGS).read_text(encoding="utf-8")
    (path / writable.SPELLINGS).write_text(spelled.replace('"2.50"', '"9.50"'), encoding="utf-8")


def _edit_store(path):
    store = ox.Store(str(path))
    store.add(ox.Quad(ox.NamedNode("http://example.org/x"), ox.NamedNode("http://example.org/p"),
                      ox.Literal("planted"), ox.NamedNode(str(G))))
    store.flush()
    del store
    gc.collect()


def _forge_journal(path):
    (path / writable.JOURNAL).write_text(json.dumps({
        "removed": "", "added": '<http://example.org/x> <http://example.org/p> "planted" <g:a> .\n',
        "writes": 3, "quads": "0" * 64, "files": {}}), encoding="utf-8")
    manifest = json.loads((path / writecheck.MANIFEST).read_text(encoding="utf-8"))
    writecheck.write(path, manifest["files"], int(manifest["quads"], 16), journal="0" * 64)


@pytest.mark.parametrize("damage", [
    _edit_spellings, _edit_store, _forge_journal,
    lambda path: (path / writable.WRITES).write_text("7\n", encoding="utf-8"),
    lambda path: (path / writecheck.MANIFEST).unlink(),
    lambda path: (path / writable.BASE).unlink(),
], ids=["spellings", "store", "journal", "count", "manifest", "base"])
def test_a_damaged_store_is_refused_never_served(tmp_path, damage):
    """Each file of the store, and its quads, are checked against the manifest: an edited
    kazkg-spellings.nt was served after a restart ("2.50" read back as the edit said)."""
    path = _written(tmp_path)
    damage(path)
    with pytest.raises(writecheck.Damaged, match=f"write store {path} is damaged"):
        writable.load(path, _fixture())


def test_a_journal_of_a_finished_write_is_dropped(tmp_path):
    path = _written(tmp_path)
    (path / writable.JOURNAL).write_text("{}", encoding="utf-8")  # the manifest names none
    dataset, writes = writable.load(path, _fixture())
    assert writes == 2 and not (path / writable.JOURNAL).exists()
    assert (None, None, Literal("planted")) not in dataset
