"""The write store (kazkg.build.writable): a change is journalled whole before it reaches the
store, so a server killed in between loses nothing; a store nobody wrote to follows its inputs."""

from __future__ import annotations

import pickle
from dataclasses import replace

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kazkg.build import writable
from kazkg.query.writes import Delta

G = URIRef("http://example.org/g")
QUAD = (URIRef("http://example.org/s"), URIRef("http://example.org/p"),
        Literal("1.50", datatype=XSD.decimal), G)


def _fixture():
    from tests.web.support import fixture_build

    return fixture_build()


def test_nothing_is_made_or_loaded_before_the_first_write(tmp_path):
    built = _fixture()
    assert writable.load(tmp_path / "writes", built) == (None, 0)
    assert not (tmp_path / "writes").exists()


def test_a_journal_left_by_a_killed_server_is_applied_at_the_next_start(tmp_path):
    built = _fixture()
    path = tmp_path / "writes"
    writable.Writable(path, 0, built).commit(Delta(set(), set()))  # the store, made
    # killed after the journal was written, before the store took the change
    (path / writable.JOURNAL).write_bytes(pickle.dumps((set(), {QUAD}, 2)))
    dataset, writes = writable.load(path, built)
    assert writes == 2 and not (path / writable.JOURNAL).exists()
    assert (QUAD[0], QUAD[1], QUAD[2]) in dataset
    assert len(dataset) == len(built.dataset) + 1


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
    writable.Writable(path, 0, built).commit(Delta(set(), set()))
    (path / writable.WRITES).write_text("0\n")
    changed = replace(built, fingerprint="0" * 64)
    assert writable.load(path, changed) == (None, 0) and not path.exists()
