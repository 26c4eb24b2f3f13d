"""A persistent Oxigraph store for the dataset (`--store oxigraph:PATH`), through rdflib's
Oxigraph store plugin (oxrdflib): the graph lives on disk and queries run on Oxigraph's engine.

On disk: every named graph as it is, and in the default graph their set union. kazkg's default
graph is the union of its graphs as a set (an RDF merge); Oxigraph's own union option is a
multiset (a triple stated in two graphs would match twice), so the union is stored once instead
and queries read the default graph. A file `kazkg-fingerprint` beside the database names the
build it holds. This module reads and writes stores; deciding when to rebuild one is
kazkg.api.stored's job.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from ..errors import KazkgError
from ..formats.terms import is_named_graph
from .mirror import dataset_quads
from ..namespaces import bind_prefixes
from .store import new_dataset

MARKER = "kazkg-fingerprint"


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
    store.bulk_extend(dataset_quads(dataset, set()))
    store.optimize()  # compacted, as kazkg.build.mirror.write leaves its stores (5x faster)
    store.flush()
    del store
    (partial / MARKER).write_text(key + "\n", encoding="utf-8")
    shutil.rmtree(path, ignore_errors=True)
    partial.replace(path)


def open_store(path: Path, read_only: bool = False) -> Dataset:
    """The store at `path` as an rdflib Dataset whose default graph is the union; read-only,
    any number of processes may open it at once (kazkg serve's workers do)."""
    from oxrdflib import OxigraphStore  # imported here: only --store needs it

    if fingerprint(path) is None:
        raise KazkgError(f"{path} holds no kazkg store: run `kazkg build --store oxigraph:{path}`")
    try:
        handle = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as error:
        raise KazkgError(f"the store at {path} cannot be opened (is another kazkg using it?): "
                         f"{error}") from None
    store = OxigraphStore(store=handle)
    store.oxigraph = handle  # oxrdflib keeps the Store it is given only privately
    dataset = Dataset(store=store, default_union=False)
    bind_prefixes(dataset)
    return dataset


def oxigraph_store(dataset: Dataset) -> ox.Store | None:
    """The pyoxigraph Store behind a Dataset that open_store gave; None for any other."""
    return getattr(dataset.store, "oxigraph", None)


def is_oxigraph(dataset: Dataset) -> bool:
    return oxigraph_store(dataset) is not None


def in_memory(dataset: Dataset) -> Dataset:
    """The named graphs of a stored dataset, copied into rdflib's memory store (for export)."""
    copy = new_dataset()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = getattr(g, "identifier", g)
        if is_named_graph(name):
            copy.graph(name).add((s, p, o))
    return copy
