"""The on-disk cache of built datasets, keyed by the fingerprint of the inputs.

An entry is the pickled rdflib store of the built dataset (loading it takes a seventh of the
time of parsing N-Quads) and a JSON summary. The key covers the library versions, so a
pickle is only ever read back by the rdflib that wrote it; the folder is the user's own.
"""

from __future__ import annotations

import json
import logging
import pickle
import shutil
from pathlib import Path

from rdflib import Dataset

from .. import settings
from ..formats.files import write_atomic
from ..namespaces import bind_prefixes

log = logging.getLogger("kazkg")


def _directory() -> Path:
    return Path(settings.get("cache_dir"))


def _paths(key: str) -> tuple[Path, Path]:
    base = _directory() / key  # the whole key: "-asserted" builds get entries of their own
    return base.with_suffix(".pickle"), base.with_suffix(".json")


def summary(key: str) -> dict | None:
    """The build summary of an entry whose dataset is there, whole in size, without loading
    it (a damage that keeps the size is found when it is loaded, and the entry rebuilt)."""
    data, meta = _paths(key)
    try:
        found = json.loads(meta.read_text(encoding="utf-8"))
        size = data.stat().st_size
    except (OSError, ValueError):
        return None
    return found if found.get("key") == key and found.get("bytes") == size else None


def load(key: str) -> tuple[Dataset, dict] | None:
    """The cached dataset and its build summary, or None when there is no usable entry."""
    data, meta = _paths(key)
    try:
        summary = json.loads(meta.read_text(encoding="utf-8"))
        if summary.get("key") != key:
            return None
        dataset = Dataset(store=pickle.loads(data.read_bytes()), default_union=True)
    except (OSError, ValueError, EOFError, pickle.UnpicklingError, AttributeError, TypeError):
        return None  # a missing or damaged entry is simply rebuilt
    bind_prefixes(dataset)
    return dataset, summary


def save(key: str, dataset: Dataset, summary: dict) -> None:
    """Store atomically: a reader sees the old entry or the whole new one, never half. What
    was kept `beside` the old entry goes: a rebuild names its blank nodes afresh."""
    data, meta = _paths(key)
    try:
        data.parent.mkdir(parents=True, exist_ok=True)
        for derived in data.parent.glob(f"{key}.*"):
            if derived.is_dir():  # e.g. the Oxigraph copy, an on-disk store
                shutil.rmtree(derived, ignore_errors=True)
            elif derived not in (data, meta):
                derived.unlink(missing_ok=True)
        # streamed: the pickle of a 100x store is hundreds of MB that need not be held at once
        write_atomic(data, lambda out: pickle.dump(dataset.store, out, protocol=pickle.HIGHEST_PROTOCOL))
        write_atomic(meta, json.dumps({**summary, "key": key, "bytes": data.stat().st_size},
                                      indent=2).encode("utf-8"))
    except OSError as error:  # a folder the system refuses costs the next run a rebuild, not this one its result
        log.warning("kazkg: cannot keep the build in the cache folder %s (KAZKG_CACHE_DIR): %s; "
                    "the next run builds again (point KAZKG_CACHE_DIR at a writable folder)",
                    _directory(), error.strerror or error)


def note(key: str, more: dict) -> None:
    """Add `more` to the summary of the entry `key` (when it is there)."""
    _, meta = _paths(key)
    try:
        found = json.loads(meta.read_text(encoding="utf-8"))
        write_atomic(meta, json.dumps({**found, **more}, indent=2).encode("utf-8"))
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
