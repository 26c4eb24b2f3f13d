"""The on-disk cache of built datasets, keyed by the fingerprint of the inputs.

An entry is a JSON summary, its manifest, and the dataset: a build with kazkg's closure keeps
it only in its Oxigraph copy `beside` the entry (kazkg.build.streamed, incremental), a build
by the rdflib pipeline (owlrl as the reasoner, a TriG input, ...) also as the pickled rdflib
store (loading it takes a seventh of the time of parsing N-Quads). The manifest holds the
SHA-256 digest of every file of the entry, the pickle and what is kept `beside` it (kazkg
serve's Oxigraph copy, a folder, and its metadata). A file is read only after its digest has
been checked (`check`): a damaged, cut or edited one is removed and made again, never served.
One file beside an entry carries its own digest instead, as query processes write it without
the manifest's lock: the spelling check's decisions (kazkg.query.decided).
A folder's files have their digests noted beside it by their stat (kazkg.build.stamps): the
next process reads again only a file whose size, times or inode changed. What a killed
build left (temporary files and folders) is removed by the next run. The key covers the
library versions, so a pickle is only ever read back by the rdflib that wrote it; the folder
is the user's own.
"""

from __future__ import annotations

import fcntl
import gc
import hashlib
import json
import logging
import pickle
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable

from rdflib import Dataset

from .. import settings
from ..formats.files import clean, write_atomic
from ..namespaces import bind_prefixes
from . import mirror
from .stamps import digest

log = logging.getLogger("kazkg")


class Damaged(ValueError):
    """A cache file does not match the digest its entry's manifest holds."""


def _directory() -> Path:
    return Path(settings.get("cache_dir"))


def _paths(key: str) -> tuple[Path, Path]:
    base = _directory() / key  # the whole key: "-asserted" builds get entries of their own
    return base.with_suffix(".pickle"), base.with_suffix(".json")


def summary(key: str) -> dict | None:
    """The build summary of an entry whose dataset is there, whole in size, without loading
    it (a damage that keeps the size is found when it is loaded, and the entry rebuilt)."""
    data, meta = _paths(key)
    clean(_directory())  # what a killed build left
    try:
        found = manifest(key)
        if found.get("pickle") is False:  # the dataset is in the Oxigraph copy alone
            whole = (beside(key, mirror.STORE) / mirror.COMPLETE).is_file()
            return found if found.get("key") == key and whole else None
        size = data.stat().st_size
    except (OSError, ValueError):
        return None
    return found if found.get("key") == key and found.get("bytes") == size else None


_MANIFESTS: dict = {}  # key -> (its stat, the manifest): summary() and check() read it both


def manifest(key: str) -> dict:
    """The manifest of the entry `key` as it is on disk (OSError, ValueError if it is not
    there whole); read once while it stays the same file (they are replaced, never edited)."""
    meta = _paths(key)[1]
    status = meta.stat()
    stamp = (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
    known = _MANIFESTS.get(key)
    if known is None or known[0] != stamp:
        found = json.loads(meta.read_text(encoding="utf-8"))
        if not isinstance(found, dict):
            raise ValueError(f"{meta} holds no manifest")
        known = _MANIFESTS[key] = (stamp, found)
    return known[1]


def load(key: str) -> tuple[Dataset, dict] | None:
    """The cached dataset and its build summary, or None when there is no usable entry."""
    data, meta = _paths(key)
    try:
        summary = manifest(key)
        if summary.get("key") != key:
            return None
        if summary.get("pickle") is False:  # no pickle: read from its Oxigraph copy
            folder = check(beside(key, mirror.STORE), summary)
            dataset = _paused(mirror.read_dataset, folder, Dataset(default_union=True))
        else:
            dataset = Dataset(store=_paused(pickle.loads, read_bytes(data, summary)),
                              default_union=True)
    except Damaged as error:
        log.warning("kazkg: %s; building it again", error)
        return None
    except (OSError, ValueError, EOFError, pickle.UnpicklingError, AttributeError, TypeError):
        return None  # a missing or damaged entry is simply rebuilt
    bind_prefixes(dataset)
    return dataset, summary


def _paused(read: Callable, *args):
    """read(*args) with the cyclic collector paused: while the 100x pickle loaded, it walked
    the store 17 times as it grew, half of the 13 s the load took (kazkg.load then freezes the
    dataset, gc.freeze; a caller that does not has it walked a few times more)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return read(*args)
    finally:
        if enabled:
            gc.enable()


def save(key: str, dataset: Dataset, summary: dict) -> None:
    """Store atomically: a reader sees the old entry or the whole new one, never half. What
    was kept `beside` the old entry goes: a rebuild names its blank nodes afresh."""
    data, meta = _paths(key)
    try:
        data.parent.mkdir(parents=True, exist_ok=True)
        with _locked(key):
            for derived in data.parent.glob(f"{key}.*"):
                if derived.is_dir():  # e.g. the Oxigraph copy, an on-disk store
                    shutil.rmtree(derived, ignore_errors=True)
                elif derived not in (data, meta) and derived.suffix != ".lock":
                    derived.unlink(missing_ok=True)
            # streamed: the pickle of a 100x store is hundreds of MB that need not be held at once
            write_atomic(data, lambda out: pickle.dump(dataset.store, out,
                                                       protocol=pickle.HIGHEST_PROTOCOL))
            entry = {**summary, "key": key, "bytes": data.stat().st_size,
                     "files": {data.name: digest(data)}}
            write_atomic(meta, json.dumps(entry).encode("utf-8"))
    except OSError as error:  # a folder the system refuses costs the next run a rebuild, not this one its result
        _not_kept(error)


def _not_kept(error: OSError) -> None:
    log.warning("kazkg: cannot keep the build in the cache folder %s (KAZKG_CACHE_DIR): %s; "
                "the next run builds again (point KAZKG_CACHE_DIR at a writable folder)",
                _directory(), error.strerror or error)


def save_summary(key: str, summary: dict) -> None:
    """Start the entry `key` with its manifest alone, for a build whose dataset is kept in its
    Oxigraph copy (written next, `beside` it) and not pickled: an incremental build."""
    data, meta = _paths(key)
    try:
        meta.parent.mkdir(parents=True, exist_ok=True)
        with _locked(key):
            for derived in meta.parent.glob(f"{key}.*"):
                if derived.is_dir():
                    shutil.rmtree(derived, ignore_errors=True)
                elif derived != meta and derived.suffix != ".lock":
                    derived.unlink(missing_ok=True)
            write_atomic(meta, json.dumps({**summary, "key": key, "pickle": False,
                                           "files": {}}).encode("utf-8"))
    except OSError as error:
        _not_kept(error)


def note(key: str, more: dict) -> None:
    """Add `more` to the summary of the entry `key` (when it is there)."""
    _, meta = _paths(key)
    try:
        with _locked(key):
            found = json.loads(meta.read_text(encoding="utf-8"))
            write_atomic(meta, json.dumps({**found, **more}).encode("utf-8"))
    except (OSError, ValueError):
        pass  # a cache folder the system refuses: save() has said so already


def mark_latest(inputs: str, key: str) -> None:
    """Record `key` as the latest build of the inputs named `inputs` (kazkg.build.inputs.
    Inputs.identity): `kazkg serve --reload` watches this to pick up a new build."""
    path = _directory() / f"latest-{inputs}"
    try:
        if path.read_text(encoding="utf-8") == key:
            return
    except OSError:
        pass
    try:
        write_atomic(path, key.encode("utf-8"))
    except OSError:  # a read-only cache: nothing watches it then
        pass


def latest(inputs: str) -> str | None:
    try:
        return (_directory() / f"latest-{inputs}").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def beside(key: str, name: str) -> Path:
    """Where something derived from the cached build `key` is kept (e.g. kazkg serve's
    Oxigraph copy): `name` should carry its own format version."""
    return _directory() / f"{key}.{name}"


def keep(path: Path, payload: bytes | Callable[[BinaryIO], object]) -> None:
    """Write a file `beside` a cached build, whole, and note its digest in the manifest."""
    write_atomic(path, payload)
    note_digest(path, hashlib.sha256(payload).hexdigest() if isinstance(payload, bytes) else None)


def note_digest(path: Path, known: str | None = None) -> None:
    """Note the digest of `path` (a file or a folder kept beside a cached build, just written:
    nothing writes it any more) in the entry's manifest; without an entry it is noted nowhere,
    and so never trusted. `known`: the digest, when the caller has it (the bytes it wrote, or
    a link's, checked as its file was read), so the file is not read again."""
    key, path = _key_of(path), Path(path)
    meta = _paths(key)[1]
    with _locked(key):
        try:
            entry = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        entry.setdefault("files", {})[path.name] = known or digest(path, settled=True)
        write_atomic(meta, json.dumps(entry).encode("utf-8"))


def check(path: Path, summary: dict | None = None) -> Path:
    """`path` (the pickle, or a file or folder kept beside it) if its digest is the one the
    entry's manifest holds; else it is removed and Damaged raised (OSError if it is missing)."""
    path = Path(path)
    if summary is None:
        summary = manifest(_key_of(path))
    expected = summary.get("files", {}).get(path.name)
    if digest(path) != expected:
        _remove(path)
        raise Damaged(f"the cache file {path} is damaged (its SHA-256 digest is not the one "
                      "in the cache's manifest)" if expected else
                      f"the cache file {path} is not in the cache's manifest")
    return path


def read_bytes(path: Path, summary: dict | None = None) -> bytes:
    """The bytes of a cache file, checked against the manifest as they are read once."""
    data = Path(path).read_bytes()
    if summary is None:
        summary = manifest(_key_of(path))
    if hashlib.sha256(data).hexdigest() != summary.get("files", {}).get(Path(path).name):
        check(path, summary)  # removes it and says why
    return data


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _key_of(path: Path) -> str:
    return Path(path).name.split(".", 1)[0]


@contextmanager
def _locked(key: str):
    """One writer of an entry's manifest at a time (kazkg serve's processes may race)."""
    _directory().mkdir(parents=True, exist_ok=True)
    with open(_directory() / f"{key}.lock", "ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
