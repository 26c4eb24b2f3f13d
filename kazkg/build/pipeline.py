"""The pipeline: load, then validate, then infer, with the result cached on disk.

A build is taken from the cache, else made from the build before (kazkg.build.incremental),
else made in full from coded triples (kazkg.build.streamed), else by the rdflib pipeline, where
data flows one way: inputs -> store.load -> validate.ensure_valid -> reason.infer -> Build.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rdflib import Dataset, Graph

from . import cache, mirror, stats, store
from .inputs import Inputs, bundled
from ..formats.graphs import union_triples
from ..errors import display_path
from ..namespaces import INFERRED_GRAPH, bind_prefixes
from .store import read_quads


@dataclass
class Build:
    """A built dataset: named graphs for the ontology, each data file and the inferred triples.

    From the cache, the dataset is loaded when first asked for: `kazkg query` and `kazkg
    serve` answer from the cached Oxigraph copy (kazkg.query.oxengine) without it."""

    source: Dataset | Callable[[], Dataset]  # the dataset, or how to load it
    inputs: Inputs
    fingerprint: str
    from_cache: bool
    seconds: dict[str, float] = field(default_factory=dict)
    stored: Path | None = None  # an on-disk Oxigraph store holds the dataset (kazkg.build.persist)
    counts: dict = field(default_factory=dict)  # counted when built: a cached build reads them
    incremental: dict | None = None  # built from the build before: what it started from
    digests: list | None = None  # the files' digests as the build read them (digest_list)

    @property
    def dataset(self) -> Dataset:
        if not isinstance(self.source, Dataset):
            self.source = self.source()
        return self.source

    @property
    def version(self) -> str:
        """The dataset's version, from its data alone: what a citation gives
        (kazkg.build.inputs.Inputs.data_version)."""
        return self.inputs.data_version(self.digests)

    @property
    def build_id(self) -> str:
        """A short name for this exact build (data, code and libraries): ETags and caches."""
        return self.fingerprint[:16]

    def triples_per_graph(self) -> dict[str, int]:
        if "graphs" not in self.counts:
            self.counts["graphs"] = stats.by_graph(self.dataset)
        return self.counts["graphs"]

    @property
    def inferred_count(self) -> int:
        return self.triples_per_graph().get(str(INFERRED_GRAPH), 0)

    @property
    def union_count(self) -> int:
        """The distinct triples of the union of the graphs."""
        if "union" not in self.counts:
            self.counts["union"] = len(union_triples(self.dataset))
        return self.counts["union"]


def load_shapes(inputs: Inputs) -> Graph | None:
    if inputs.shapes is None:
        return None
    shapes = Graph()
    for s, p, o, _ in read_quads(inputs.shapes):
        shapes.add((s, p, o))
    return shapes


def build(inputs: Inputs | None = None, *, use_cache: bool = True, infer: bool = True) -> Build:
    """Build (or, with `use_cache`, fetch from the cache) the dataset for `inputs` (default: the
    bundled data). A build always refreshes the cache."""
    inputs = inputs or bundled()
    started = time.perf_counter()
    # read once: the key, and what an incremental build compares; --no-cache reads every file
    digests = inputs.digest_list(remembered=use_cache)
    key = inputs.fingerprint(digests) + ("" if infer else "-asserted")
    if use_cache:
        found = cached(inputs, key, digests)
        if found is not None:
            cache.mark_latest(inputs.identity(), key)
            return found
    names = SourceNames(inputs)
    if use_cache and infer:  # from the latest build of the same inputs, where that is sound
        from . import incremental

        # the shapes are parsed only if the change reaches them (a tenth of a rebuild)
        made = incremental.rebuild(inputs, key, functools.cache(lambda: load_shapes(inputs)),
                                   names, dict(digests))
        if made is not None:
            cache.mark_latest(inputs.identity(), key)
            return Build(lambda: _load(inputs, key), inputs, key, False, made["seconds"],
                         counts=made["counts"], incremental=made["incremental"], digests=digests)
    shapes = load_shapes(inputs)
    if infer:  # without an rdflib dataset, where it can
        from . import streamed

        made = streamed.build(inputs, key, shapes, names, dict(digests), started)
        if made is not None:
            cache.mark_latest(inputs.identity(), key)
            kept = made["state"]  # the dataset, if the cache could not keep it
            source = (lambda: _load(inputs, key)) if made["written"] else (
                lambda: streamed.dataset(kept))
            return Build(source, inputs, key, False, made["seconds"], counts=made["counts"],
                         digests=digests)
    seconds: dict[str, float] = {}

    def timed(step, fn, *args):
        t0 = time.perf_counter()
        result = fn(*args)
        seconds[step] = round(time.perf_counter() - t0, 3)
        return result

    # Imported on a cache miss only: pyshacl and owlrl are a third of kazkg's start-up time.
    from .reason import infer as run_owl_rl
    from .validate import ensure_valid

    dataset = timed("load", store.load, inputs)
    if shapes is not None:
        timed("validate", ensure_valid, dataset, shapes, names)
    if infer:
        inferred = timed("infer", run_owl_rl, dataset)
        target = dataset.graph(INFERRED_GRAPH)
        for triple in inferred:
            target.add(triple)
    bind_prefixes(dataset)
    seconds["total"] = round(time.perf_counter() - started, 3)
    counts = {"graphs": stats.by_graph(dataset)}
    # --no-cache rebuilds, and refreshes the cache; Oxigraph's copy is written with it, so that
    # serving and querying the cached build never need rdflib's dataset to start
    cache.save(key, dataset, {"seconds": seconds})
    if mirror.write_dataset(cache.beside(key, mirror.STORE), dataset):
        cache.note_digest(cache.beside(key, mirror.STORE))
        counts["union"] = mirror.union_count(cache.beside(key, mirror.STORE))
    cache.note(key, {"counts": counts})
    cache.mark_latest(inputs.identity(), key)
    return Build(dataset, inputs, key, False, seconds, counts=counts, digests=digests)


def cached(inputs: Inputs, key: str, digests: list | None = None) -> Build | None:
    """The cached build `key` of `inputs`, its dataset loaded when first asked for; None when
    the cache holds no such entry."""
    summary = cache.summary(key)
    if summary is None:
        return None
    return Build(lambda: _load(inputs, key), inputs, key, True, summary.get("seconds", {}),
                 counts=dict(summary.get("counts", {})), digests=digests)  # the manifest stays


def _load(inputs: Inputs, key: str) -> Dataset:
    hit = cache.load(key)
    if hit is None:  # damaged since: built again
        return build(inputs, use_cache=False, infer=not key.endswith("-asserted")).dataset
    return hit[0]


class SourceNames:
    """Graph IRI -> its file as a person would type it, worked out when asked (for messages:
    resolving 15,600 paths at 100x took seconds)."""

    def __init__(self, inputs: Inputs):
        self._paths = {s.name: s.file for s in inputs.sources}

    def get(self, name: str, default=None):
        path = self._paths.get(name)
        return default if path is None else display_path(Path(path))
