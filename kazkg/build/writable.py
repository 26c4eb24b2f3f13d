"""The dataset that `kazkg serve --enable-update` writes to: an on-disk Oxigraph store.

It holds every graph of the served dataset, quad for quad (rdflib's own default graph under
its name `urn:x-rdflib:default`), and beside it the build it started from, the number of
writes so far, the spellings of its literals and a manifest of their digests and of its
quads' (kazkg.build.writecheck), all checked before the store is served. The first write
fills it from the build; every later start serves what it holds, writes included. A write is
applied as its net change (the quads it removed, the quads it added), never replayed from a
log: first into a journal (N-Quads in JSON, its digest noted in the manifest first), then into
the store, then the manifest, then the journal goes; a journal found at start-up whose digest
the manifest holds (the server was killed in between) is applied again, which gives the same
store; any other is left over from a finished write, or refused.

Only the HTTP process that takes the writes opens the store, after its worker pool is forked
(RocksDB, under the store, is not fork-safe); the workers get each change from the pool's
zygote (kazkg.query.workers.Pool.change).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef

from .. import settings
from ..errors import KazkgError
from ..formats.files import write_atomic
from ..formats.terms import to_oxigraph, to_rdflib
from . import writecheck
from .mirror import canonical_spellings, read_spellings, write_spellings
from .store import new_dataset
from .writecheck import Damaged

BASE, WRITES, JOURNAL = "kazkg-base", "kazkg-writes", "kazkg-journal.json"
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
    quads = writecheck.quad_sum(store)
    del store
    files = {}
    for name, body in ((SPELLINGS, write_spellings(canonical_spellings(_typed(
            o for _, _, o, _ in dataset.quads((None, None, None, None)))))),
            (BASE, (key + "\n").encode("utf-8")), (WRITES, b"0\n")):
        (partial / name).write_bytes(body)
        files[name] = hashlib.sha256(body).hexdigest()
    writecheck.write(partial, files, quads)
    shutil.rmtree(path, ignore_errors=True)
    partial.replace(path)


def load(path: Path, build):
    """(the dataset the store at `path` holds, its number of writes), or (None, 0) when
    nothing was written there yet: the build itself is served (loaded only when needed). A
    journal left by a killed server is applied first. Damaged (a KazkgError) if the store does
    not match its manifest."""
    if _read(path, BASE) is None:
        if path.is_dir() and any(path.iterdir()):
            raise Damaged(path, f"its {BASE} is missing")
        return None, 0
    manifest = writecheck.read(path)
    if set(manifest["files"]) != {BASE, WRITES, SPELLINGS}:
        raise Damaged(path, "its manifest does not name each of its files")
    journal = _journal(path, manifest)
    # killed in the middle of a write, a file may be as it was or as the write leaves it
    writecheck.check_files(path, manifest["files"], journal[4] if journal else {})
    if not int(_read(path, WRITES) or 0) and journal is None:
        shutil.rmtree(path, ignore_errors=True)  # the build alone: made again at the first write
        return None, 0
    store = ox.Store(str(path))
    try:
        expected = manifest["quads"]
        if journal is not None:
            removed, added, writes, expected, files = journal
            _apply(store, path, removed, added, _bodies(path, added, writes), int(expected, 16),
                   manifest["files"])
            writecheck.check_files(path, files)  # what the write was to leave
            (path / JOURNAL).unlink()
        quads = list(store)
        writecheck.check_quads(path, writecheck.quad_sum(quads), expected)
        spelled = read_spellings(path / SPELLINGS)
        dataset = new_dataset()
        for quad in quads:
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
        """Make a change (kazkg.query.writes.Delta) durable: the journal's digest, the
        journal, the store, the manifest; then the journal goes."""
        store = self.store
        manifest = writecheck.read(self.path)
        writecheck.check_files(self.path, manifest["files"])  # as they were when loaded
        before = int(manifest["quads"], 16)
        after = writecheck.changed_sum(store, before, [_quad(q) for q in delta.removed],
                                       [_quad(q) for q in delta.added])
        bodies = _bodies(self.path, delta.added, self.writes + 1)
        body = json.dumps({"removed": _nquads(delta.removed), "added": _nquads(delta.added),
                           "writes": self.writes + 1, "quads": f"{after:064x}",
                           "files": {**manifest["files"], **_digests(bodies)}}).encode("utf-8")
        writecheck.write(self.path, manifest["files"], before,
                         journal=hashlib.sha256(body).hexdigest())
        write_atomic(self.path / JOURNAL, body)
        _apply(store, self.path, delta.removed, delta.added, bodies, after, manifest["files"])
        (self.path / JOURNAL).unlink()
        self.writes += 1


def _bodies(path: Path, added, writes: int) -> dict:
    """{file name: its bytes} of the files a write changes, as it leaves them: the count of
    writes, and the spellings when it adds literals that Oxigraph spells otherwise."""
    bodies = {WRITES: f"{writes}\n".encode("ascii")}
    new = canonical_spellings(_typed(o for _, _, o, _ in added))
    if new:
        bodies[SPELLINGS] = write_spellings({**read_spellings(path / SPELLINGS), **new})
    return bodies


def _digests(bodies: dict) -> dict:
    return {name: hashlib.sha256(body).hexdigest() for name, body in bodies.items()}


def _apply(store: ox.Store, path: Path, removed, added, bodies: dict, quads: int,
           files: dict) -> None:
    for quad in removed:
        store.remove(_quad(quad))
    store.extend(_quad(quad) for quad in added)  # one transaction
    store.flush()
    for name, body in bodies.items():
        write_atomic(path / name, body)
    writecheck.write(path, {**files, **_digests(bodies)}, quads)


def _typed(terms) -> set:
    return {t for t in terms if isinstance(t, Literal) and t.datatype is not None}


def _nquads(quads) -> str:
    return "".join(f"{_quad(quad)} .\n" for quad in quads)


def _journal(path: Path, manifest: dict):
    """(removed, added, writes, the quads' and the files' digests after) of the journal a
    killed server left, or None: none there, or one left after its write was whole (the
    manifest no longer names it). Damaged when the manifest names another."""
    found = writecheck.file_digest(path / JOURNAL)
    if found is None or found != manifest.get("journal"):
        if found is not None and "journal" in manifest:
            raise Damaged(path, f"its {JOURNAL} is not the one its manifest describes")
        (path / JOURNAL).unlink(missing_ok=True)
        return None
    body = json.loads((path / JOURNAL).read_text(encoding="utf-8"))
    removed, added = ({tuple(to_rdflib(term) for term in (q.subject, q.predicate, q.object,
                                                            q.graph_name))
                       for q in ox.parse(input=body[part].encode("utf-8"),
                                         format=ox.RdfFormat.N_QUADS)}
                      for part in ("removed", "added"))
    return removed, added, body["writes"], body["quads"], body["files"]
