"""A persistent Oxigraph store for the dataset (`--store oxigraph:PATH`), through rdflib's
Oxigraph store plugin (oxrdflib): the graph lives on disk and queries run on Oxigraph's engine.

On disk: every named graph as it is, and in the default graph their set union. kazkg's default
graph is the union of its graphs as a set (an RDF merge); Oxigraph's own union option is a
multiset (a triple stated in two graphs would match twice), so the union is stored once instead
and queries read the default graph. A file `kazkg-fingerprint` beside the database names the
build it holds; a store for other inputs is rebuilt.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from .errors import KazkgError
from .namespaces import bind_prefixes
from .oxengine import is_named_graph, oxigraph_quads
from .store import new_dataset

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


def open_store(path: Path) -> Dataset:
    """The store at `path` as an rdflib Dataset whose default graph is the union."""
    if fingerprint(path) is None:
        raise KazkgError(f"{path} holds no kazkg store: run `kazkg build --store oxigraph:{path}`")
    dataset = Dataset(store="Oxigraph", default_union=False)
    try:
        dataset.open(str(path))
    except OSError as error:
        raise KazkgError(f"the store at {path} cannot be opened (is another kazkg using it?): "
                         f"{error}") from None
    bind_prefixes(dataset)
    return dataset


def is_oxigraph(dataset: Dataset) -> bool:
    return type(dataset.store).__name__ == "OxigraphStore"


def ensure(path: Path, *, use_cache: bool = True) -> Dataset:
    """The store at `path` for the bundled inputs, built (or refreshed) first when needed."""
    from . import api
    from .inputs import bundled

    current = bundled().fingerprint()
    if not use_cache or fingerprint(path) != current:  # missing or stale
        built = api.build(use_cache=use_cache)
        save(built.dataset, path, built.fingerprint)
    return open_store(path)


def in_memory(dataset: Dataset) -> Dataset:
    """The named graphs of a stored dataset, copied into rdflib's memory store (for export)."""
    copy = new_dataset()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = getattr(g, "identifier", g)
        if is_named_graph(name):
            copy.graph(name).add((s, p, o))
    return copy
