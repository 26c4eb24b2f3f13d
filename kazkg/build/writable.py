"""The dataset that `kazkg serve --enable-update` writes to: an on-disk Oxigraph store.

It holds every graph of the served dataset, quad for quad (rdflib's own default graph under
its name `urn:x-rdflib:default`), and beside it the build it started from and the number of
writes so far. The first write fills it from the build; every later start serves what it
holds, writes included. A write is applied as its net change (the quads it removed, the
quads it added), never replayed from a log: first into a journal file, written whole, then
into the store, then the journal goes; a journal found at start-up (the server was killed
in between) is applied again, which gives the same store.

Only the HTTP process that takes the writes opens the store, after its worker pool is forked
(RocksDB, under the store, is not fork-safe); the workers get each change from the pool's
zygote (kazkg.query.workers.Pool.change).
"""

from __future__ import annotations

import hashlib
import pickle
import shutil
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef

from .. import settings
from ..errors import KazkgError
from ..formats.files import write_atomic
from ..formats.terms import to_oxigraph, to_rdflib
from .mirror import canonical_spellings, read_spellings, write_spellings
from .store import new_dataset

BASE, WRITES, JOURNAL = "kazkg-base", "kazkg-writes", "kazkg-journal.pickle"
SPELLINGS = "kazkg-spellings.nt"  # Oxigraph keeps a literal's value: "1.50" would be "1.5"


def _quad(quad) -> ox.Quad:
    s, p, o, g = quad
    return ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.NamedNode(str(g)))


def _read(path: Path, name: str) -> str | None:
    try:
        return (path / name).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def location(inputs) -> Path:
    """The write store of a set of inputs: one per set of file names (not their contents, nor
    the library versions, so that an edit or an upgrade does not lose the writes), under the
    update_store setting (default: the folder `writes` in the cache folder)."""
    root = Path(settings.get("update_store") or Path(settings.get("cache_dir")) / "writes")
    names = [str(s.path.resolve()) for s in inputs.sources]
    return root / hashlib.sha256("\n".join(names).encode("utf-8")).hexdigest()[:16]


def create(path: Path, dataset, key: str) -> None:
    """A new store at `path` holding `dataset` (every graph, as it is)."""
    if path.exists() and any(path.iterdir()):
        raise KazkgError(f"{path} is not empty and holds no kazkg write store; choose another "
                         "folder (setting update_store)")
    partial = path.with_name(f".{path.name}.partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(partial, ignore_errors=True)
    store = ox.Store(str(partial))
    store.bulk_extend(_quad((s, p, o, getattr(g, "identifier", g)))
                      for s, p, o, g in dataset.quads((None, None, None, None)))
    store.flush()
    del store
    (partial / SPELLINGS).write_bytes(write_spellings(canonical_spellings(_typed(
        o for _, _, o, _ in dataset.quads((None, None, None, None))))))
    (partial / BASE).write_text(key + "\n", encoding="utf-8")
    (partial / WRITES).write_text("0\n", encoding="utf-8")
    shutil.rmtree(path, ignore_errors=True)
    partial.replace(path)


def load(path: Path, build):
    """(the dataset the store at `path` holds, its number of writes), or (None, 0) when
    nothing was written there yet: the build itself is served (loaded only when needed). A
    journal left by a killed server is applied first."""
    if _read(path, BASE) is None:
        return None, 0
    writes = int(_read(path, WRITES) or 0)
    if not writes and not (path / JOURNAL).exists():
        if _read(path, BASE) != build.fingerprint:  # the inputs changed since: start again
            shutil.rmtree(path, ignore_errors=True)
        return None, 0
    store = ox.Store(str(path))
    try:
        _recover(path, store)
        spelled = read_spellings(path / SPELLINGS)
        dataset = new_dataset()
        for quad in store:
            dataset.add((to_rdflib(quad.subject), to_rdflib(quad.predicate),
                         to_rdflib(spelled.get(quad.object, quad.object)),
                         URIRef(quad.graph_name.value)))
    finally:
        del store
    return dataset, int(_read(path, WRITES) or 0)


class Writable:
    """The store, open for writing (in the one process that takes the writes); made from the
    build at the first write, so that a server nobody writes to never loads the dataset."""

    def __init__(self, path: Path, writes: int, build):
        self.path, self.writes, self.build = path, writes, build
        self._store: ox.Store | None = None

    @property
    def store(self) -> ox.Store:
        if self._store is None:
            if _read(self.path, BASE) is None:
                create(self.path, self.build.dataset, self.build.fingerprint)
            self._store = ox.Store(str(self.path))
        return self._store

    def commit(self, delta) -> None:
        """Make a change (kazkg.query.writes.Delta) durable: journal, store, count; then the
        journal goes."""
        store = self.store
        journal = self.path / JOURNAL
        write_atomic(journal, pickle.dumps((delta.removed, delta.added, self.writes + 1)))
        _apply(store, delta.removed, delta.added, self.writes + 1, self.path)
        journal.unlink()
        self.writes += 1


def _apply(store: ox.Store, removed, added, writes: int, path: Path) -> None:
    for quad in removed:
        store.remove(_quad(quad))
    store.extend(_quad(quad) for quad in added)  # one transaction
    store.flush()
    new = canonical_spellings(_typed(o for _, _, o, _ in added))
    if new:
        spellings = read_spellings(path / SPELLINGS)
        write_atomic(path / SPELLINGS, write_spellings({**spellings, **new}))
    write_atomic(path / WRITES, f"{writes}\n".encode("ascii"))


def _typed(terms) -> set:
    return {t for t in terms if isinstance(t, Literal) and t.datatype is not None}


def _recover(path: Path, store: ox.Store) -> None:
    journal = path / JOURNAL
    if journal.exists():
        removed, added, writes = pickle.loads(journal.read_bytes())
        _apply(store, removed, added, writes, path)
        journal.unlink()
