"""The cached build as an on-disk Oxigraph store (RocksDB), written by the build itself.

It holds every named graph as it is and, in its default graph, their set union (kazkg's
default graph is an RDF merge; Oxigraph's union option would count a triple once per graph).
A file in it, written last, says it is whole and maps the literals Oxigraph stores in
canonical form ("43.650"^^xsd:decimal becomes "43.65") back to the data's own spelling.
kazkg serve and kazkg query open it read-only in milliseconds whatever its size
(kazkg.query.oxengine.Mirror), so neither needs rdflib's dataset to start.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
from rdflib import Literal

from ..formats.files import held
from ..formats.terms import is_named_graph, to_oxigraph, to_rdflib
from . import stamps

# The folder beside the cached build, and the file in it that says it is whole (and holds the
# spellings); a change to what they hold needs a new name.
STORE, COMPLETE = "oxigraph-store-1", "kazkg-spellings.nt"
BATCH = 50_000
_CANONICAL, _ORIGINAL = ox.NamedNode("urn:x-kazkg:canonical"), ox.NamedNode("urn:x-kazkg:original")


def dataset_quads(dataset, literals: set) -> Iterable[ox.Quad]:
    """The dataset's quads as Oxigraph's, each also in the default graph (the store keeps a
    quad once, so the union needs no set of its own); the typed literals met go to `literals`."""
    default = ox.DefaultGraph()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if isinstance(o, Literal) and o.datatype is not None:
            literals.add(o)
        triple = (to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))
        name = getattr(g, "identifier", g)
        if is_named_graph(name):
            yield ox.Quad(*triple, to_oxigraph(name))
        yield ox.Quad(*triple, default)


class Draft:
    """A store being made at `folder`, whole or not at all: a new folder beside it, with the
    tables of the closed store `start` linked in if given (they are never written again, so
    this costs no copy), open for writing as `store` until `finish` names it `folder` (or
    `close` drops it). `store` is None when the folder cannot be written (a read-only cache)."""

    def __init__(self, folder: Path, start: Path | None = None):
        self.folder, self.store, self._partial, self._lock = folder, None, None, None
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            self._partial = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.",
                                                  suffix=".partial"))
            self._lock = held(self._partial)  # a killed writer's folder is removed by the next run
            if start is not None:
                _link_tables(start, self._partial)
                stamps.linked(self._partial)  # its digests are those of the files it links
            self.store = ox.Store(str(self._partial))
        except OSError:
            self.close()

    def finish(self, spellings: dict, compact: bool = False) -> bool:
        """Flush and close the store (nothing else may hold it), write the file that says it
        is whole (with the spellings) and name it `folder`; False when that cannot be done
        (or another process was first)."""
        if self.store is None:
            return False
        try:
            if compact:
                # bulk loading leaves files per batch (78 at 100x, 25 after), and look-ups
                # through all of them made queries on disk 5x slower (timeline at 100x: 1.4 s of
                # CPU, 0.28 s compacted; compacting took 10 s, 2.6 s of it CPU, load 7)
                self.store.optimize()
            self.store.flush()
            self.store = None  # the last reference: RocksDB closes it
            (self._partial / COMPLETE).write_bytes(write_spellings(spellings))
            shutil.rmtree(self.folder, ignore_errors=True)
            self._partial.rename(self.folder)
            self._partial = None
            return True
        except OSError:
            return False
        finally:
            self.close()

    def close(self) -> None:
        self.store = None
        if self._partial is not None:
            shutil.rmtree(self._partial, ignore_errors=True)
            self._partial = None
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def write(folder: Path, fill, spellings: dict | None = None) -> bool:
    """Make the store at `folder`, whole or not at all, and compacted: `fill(store)` adds the
    quads and may return the {canonical: original} spellings (else `spellings`). False when the
    folder cannot be written (a read-only cache, or another process was first)."""
    draft = Draft(folder)
    if draft.store is None:
        return False
    try:
        found = fill(draft.store)
    except OSError:
        draft.close()
        return False
    except BaseException:
        draft.close()
        raise
    return draft.finish(found if found is not None else spellings or {}, compact=True)


def _link_tables(start: Path, folder: Path) -> None:
    """Fill `folder` with the closed store at `start` as RocksDB's backup (a checkpoint) would,
    without opening it (an open starts some 150 threads: up to seconds on a loaded machine):
    its tables (*.sst, never written again) as hard links, the files that say which tables
    are live (CURRENT, MANIFEST, OPTIONS) and the write-ahead logs copied, as RocksDB replaces
    or rewrites them; not its identity (made anew), lock, info logs or kazkg's own file."""
    for entry in os.scandir(start):
        name, target = entry.name, folder / entry.name
        if name.startswith(("LOG", "LOCK", "IDENTITY")) or name == COMPLETE or not entry.is_file():
            continue
        if name.endswith(".sst"):
            os.link(entry.path, target)
        else:
            shutil.copyfile(entry.path, target)


def write_dataset(folder: Path, dataset) -> bool:
    """The store of an rdflib Dataset, streamed (no list of its quads is held)."""
    def fill(store: ox.Store) -> dict:
        literals: set = set()
        quads = dataset_quads(dataset, literals)
        # in batches: bulk_extend holds all it is given at once (1 GB more at 100x); 50,000
        # quads a call was the fastest at 10x (a tenth of that took twice as long)
        while batch := list(itertools.islice(quads, BATCH)):
            store.bulk_extend(batch)
        return canonical_spellings(literals)
    return write(folder, fill)


def change(draft: Draft, removed, added, spellings: dict) -> bool:
    """Take the quads `removed` out of the draft's store, put `added` in (rdflib terms (s, p,
    o, graph); graph None is the default graph, the union) and finish it: what an incremental
    build changed in the copy it began from (kazkg.build.incremental)."""
    if draft.store is None:
        return False

    def term(value):
        return to_oxigraph(value) if value is not None else ox.DefaultGraph()

    try:
        for quad in removed:
            draft.store.remove(ox.Quad(*(term(t) for t in quad)))
        quads = [ox.Quad(*(term(t) for t in quad)) for quad in added]
        # bulk loading writes files of its own, a quarter of a second even for one quad
        (draft.store.extend if len(quads) < BATCH else draft.store.bulk_extend)(quads)
    except OSError:
        draft.close()
        return False
    return draft.finish(spellings)


def read_dataset(folder: Path, dataset):
    """Fill an rdflib Dataset with the named graphs of the store at `folder`, in the data's
    own spellings: the dataset of a build that kept no pickle (a streamed or incremental build)."""
    originals = read_spellings(folder / COMPLETE)
    store, converted = ox.Store.read_only(str(folder)), {}

    def term(value):
        found = converted.get(value)
        if found is None:
            found = converted[value] = to_rdflib(originals.get(value, value))
        return found

    graphs: dict = {}
    for quad in store.quads_for_pattern(None, None, None, None):
        name = quad.graph_name
        if isinstance(name, ox.DefaultGraph):
            continue
        target = graphs.get(name)
        if target is None:
            target = graphs[name] = dataset.graph(term(name))
        target.add((term(quad.subject), term(quad.predicate), term(quad.object)))
    return dataset


def union_count(folder: Path) -> int:
    """The distinct triples of the union (the store's default graph)."""
    found = ox.Store.read_only(str(folder)).query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    return int(next(iter(found))["n"].value)


def canonical_spellings(literals) -> dict:
    """{Oxigraph's canonical literal: the original} for the literals whose spelling changes."""
    probe, predicate = ox.Store(), ox.NamedNode("urn:x-kazkg:value")
    originals = [to_oxigraph(lit) for lit in sorted(literals)]
    probe.bulk_extend(ox.Quad(ox.NamedNode(f"urn:x-kazkg:{i}"), predicate, lit)
                      for i, lit in enumerate(originals))
    changed = {}
    for quad in probe:
        original = originals[int(quad.subject.value.rsplit(":", 1)[1])]
        if quad.object != original:
            changed[quad.object] = original
    return changed


def write_spellings(originals: dict) -> bytes:
    """{canonical: original} as N-Triples (a parser keeps a literal's spelling, a store not)."""
    triples = []
    for i, (canonical, original) in enumerate(originals.items()):
        node = ox.NamedNode(f"urn:x-kazkg:{i}")
        triples += [ox.Triple(node, _CANONICAL, canonical), ox.Triple(node, _ORIGINAL, original)]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def read_spellings(path) -> dict:
    pairs: dict = {}
    for triple in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
        pairs.setdefault(triple.subject, {})[triple.predicate] = triple.object
    return {pair[_CANONICAL]: pair[_ORIGINAL] for pair in pairs.values()}
