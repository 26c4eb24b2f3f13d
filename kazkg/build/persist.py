"""A persistent Oxigraph store for the dataset (`--store oxigraph:PATH`), through rdflib's
Oxigraph store plugin (oxrdflib): the graph lives on disk and queries run on Oxigraph's engine.

On disk: every named graph as it is, and in the default graph their set union. kazkg's default
graph is the union of its graphs as a set (an RDF merge); Oxigraph's own union option is a
multiset (a triple stated in two graphs would match twice), so the union is stored once instead
and queries read the default graph. A file `kazkg-fingerprint` beside the database names the
build it holds; a store for other inputs is rebuilt. `kazkg serve --store` opens it read-only
(`served`), so that each query worker can open it too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from ..errors import KazkgError
from ..namespaces import bind_prefixes
from ..query.oxengine import oxigraph_quads
from .store import is_named_graph, new_dataset

SCHEME = "oxigraph:"
MARKER = "kazkg-fingerprint"


def parse(option: str | None) -> Path | None:
    """`oxigraph:PATH` -> PATH; None for the default in-memory store."""
    if not option or option == "memory":
        return None
    if not option.startswith(SCHEME) or len(option) == len(SCHEME):
        raise KazkgError(f"--store {option!r}: use oxigraph:PATH (a folder) or memory")
    path = Path(option[len(SCHEME):]).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise KazkgError(f"--store {option!r}: {path} is a file, not a folder")
    return path


def fingerprint(path: Path) -> str | None:
    try:
        return (path / MARKER).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def save(dataset: Dataset, path: Path, key: str) -> None:
    """Write the dataset to a new store at `path`, replacing a kazkg store there but never
    anything else: a folder that is not empty and holds no kazkg store is refused."""
    if path.is_dir() and any(path.iterdir()) and fingerprint(path) is None:
        raise KazkgError(f"{path} is not empty and holds no kazkg store; kazkg will not replace "
                         "it (choose an empty or new folder)")
    partial = path.with_name(f".{path.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    store = ox.Store(str(partial))
    store.bulk_extend(oxigraph_quads(dataset))
    store.flush()
    del store
    (partial / MARKER).write_text(key + "\n", encoding="utf-8")
    shutil.rmtree(path, ignore_errors=True)
    partial.replace(path)


def open_store(path: Path, read_only: bool = False) -> Dataset:
    """The store at `path` as an rdflib Dataset whose default graph is the union; read-only,
    any number of processes may open it at once (kazkg serve's workers do)."""
    if fingerprint(path) is None:
        raise KazkgError(f"{path} holds no kazkg store: run `kazkg build --store oxigraph:{path}`")
    try:
        if read_only:
            from oxrdflib import OxigraphStore

            dataset = Dataset(store=OxigraphStore(store=ox.Store.read_only(str(path))),
                              default_union=False)
        else:
            dataset = Dataset(store="Oxigraph", default_union=False)
            dataset.open(str(path))
    except OSError as error:
        raise KazkgError(f"the store at {path} cannot be opened (is another kazkg using it?): "
                         f"{error}") from None
    bind_prefixes(dataset)
    return dataset


def is_oxigraph(dataset: Dataset) -> bool:
    return type(dataset.store).__name__ == "OxigraphStore"


def oxigraph_store(dataset: Dataset) -> ox.Store:
    """The pyoxigraph Store behind a Dataset that open_store gave (oxrdflib keeps it there)."""
    return dataset.store._inner


def ensure(path: Path, *, use_cache: bool = True) -> Dataset:
    """The store at `path` for the bundled inputs, built (or refreshed) first when needed."""
    _refresh(path, use_cache)
    return open_store(path)


def served(path: Path, *, use_cache: bool = True):
    """The store at `path` as a kazkg.build.pipeline.Build to serve: opened read-only (so that every
    worker may open it too), built or refreshed first when needed."""
    from .pipeline import Build
    from .inputs import bundled

    refreshed = _refresh(path, use_cache)
    return Build(open_store(path, read_only=True), bundled(), fingerprint(path),
                 from_cache=not refreshed, stored=path)


def _refresh(path: Path, use_cache: bool) -> bool:
    """Build the store at `path` when it is missing or stale; True when it was built."""
    from .. import api
    from .inputs import bundled

    if use_cache and fingerprint(path) == bundled().fingerprint():
        return False
    built = api.build(use_cache=use_cache)
    save(built.dataset, path, built.fingerprint)
    return True


def in_memory(dataset: Dataset) -> Dataset:
    """The named graphs of a stored dataset, copied into rdflib's memory store (for export)."""
    copy = new_dataset()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = getattr(g, "identifier", g)
        if is_named_graph(name):
            copy.graph(name).add((s, p, o))
    return copy
