"""A dataset as the query path serves it: its engines, asked in order, and its writes.

One `Served` per dataset, made once and then handed to whatever runs queries: the worker
pool of kazkg serve (through kazkg.query.jobs.Handler), or kazkg.api and `kazkg query` in
their own process. Nothing of it lives in module state, so two apps in one process serve
two datasets.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from rdflib import Dataset

from .. import settings
from ..build import persist
from ..errors import KazkgError
from . import oxengine
from .engines import Declined, Engine, Evaluation, RdflibEngine, Scope
from .sparql import Prepared


# The largest cached Oxigraph store (bytes on disk) that is copied into memory for a process
# that runs many queries; a bigger one is queried where it is (kazkg.query.oxengine.Mirror).
COPY_LIMIT = 16 << 20


class StoreChanged(Exception):
    """The on-disk store no longer holds the build being served."""


class Served:
    def __init__(self, dataset: Dataset | Callable[[], Dataset],
                 oxigraph: oxengine.OxigraphEngine | None = None, stored: Path | None = None,
                 key: str | None = None):
        """`dataset`: rdflib's view of the data (every write goes there); `oxigraph`: the
        Oxigraph engine over the same quads, asked first; a dataset `stored` on disk
        (kazkg.build.persist, read-only) is reopened by each process that forks from here."""
        self.rdflib = RdflibEngine(dataset)
        self.oxigraph = oxigraph
        self.stored, self.key, self.opened_by = stored, key, os.getpid()
        self.applied = 0  # how many writes this copy has absorbed (kazkg.query.writes)

    @classmethod
    def of(cls, dataset: Dataset, engine: str | None = None, stored: Path | None = None,
           key: str | None = None, variant: str = "") -> "Served":
        """With engine "oxigraph" (setting query_engine), Oxigraph answers where it gives
        rdflib's answers: over the store itself for a dataset in an Oxigraph store, else over
        a copy, kept in the cache beside the cached build `key` (as `variant`, for a copy of
        part of it)."""
        oxigraph = None
        if (engine or settings.get("query_engine")) == "oxigraph":
            if persist.is_oxigraph(dataset):
                mirror = oxengine.Mirror.over(persist.oxigraph_store(dataset))
            elif key is not None:
                mirror = oxengine.Mirror.cached(dataset, key, variant)
            else:
                mirror = oxengine.Mirror(dataset)
            oxigraph = oxengine.OxigraphEngine(mirror)
        return cls(dataset, oxigraph, stored, key)

    @classmethod
    def cached(cls, load: Callable[[], Dataset], key: str, variant: str = "",
               engine: str | None = None, in_memory: bool = False,
               copy_limit: int | None = COPY_LIMIT) -> "Served":
        """The cached build `key` (`variant`: a part of it): Oxigraph's copy opens from the
        cache (copied `in_memory`, up to `copy_limit` bytes on disk or None for any size, for
        a process that runs many queries), and `load` gives rdflib's dataset only when a query
        or a write needs it (or the copy must be made)."""
        if (engine or settings.get("query_engine")) != "oxigraph":
            return cls(load, key=key)
        mirror = oxengine.Mirror.from_cache(key, variant)
        if mirror is None:
            return cls.of(load(), engine, key=key, variant=variant)
        if in_memory:
            mirror = mirror.in_memory(copy_limit)
        return cls(load, oxengine.OxigraphEngine(mirror), key=key)

    @classmethod
    def for_build(cls, build, engine: str | None = None, in_memory: bool = False,
                  copy_limit: int | None = COPY_LIMIT) -> "Served":
        """A kazkg.build.pipeline.Build, as it is kept: in an on-disk store, or in the cache."""
        if build.stored is not None:
            return cls.of(build.dataset, engine, build.stored, build.fingerprint)
        return cls.cached(lambda: build.dataset, build.fingerprint, engine=engine,
                          in_memory=in_memory, copy_limit=copy_limit)

    @property
    def dataset(self) -> Dataset:
        return self.rdflib.dataset

    @property
    def engines(self) -> list[Engine]:
        return [self.oxigraph, self.rdflib] if self.oxigraph is not None else [self.rdflib]

    def scope(self, job: dict) -> Scope:
        return Scope(tuple(job.get("default_graphs") or ()), tuple(job.get("named_graphs") or ()),
                     self.applied, tuple(sorted((job.get("bindings") or {}).items())))

    def evaluate(self, prepared: Prepared, scope: Scope) -> Evaluation:
        """The first engine that accepts the query and does not decline it answers."""
        for engine in self.engines:
            if engine.accepts(prepared, scope):
                try:
                    return engine.evaluate(prepared, scope)
                except Declined:
                    continue
        raise AssertionError("rdflib's engine takes every query")  # pragma: no cover

    def own_store_handle(self) -> None:
        """RocksDB, under Oxigraph's on-disk store, is not fork-safe: each process opens the
        store itself (read-only, so any number may) instead of using the handle it inherited."""
        if self.stored is None or self.opened_by == os.getpid():
            return
        if persist.fingerprint(self.stored) != self.key:  # rebuilt (or being rebuilt) there
            raise StoreChanged(f"the store at {self.stored} no longer holds the dataset this "
                               "server started with; restart kazkg serve to serve what it holds")
        try:
            dataset = persist.open_store(self.stored, read_only=True)
        except KazkgError as error:
            raise StoreChanged(str(error)) from None
        again = Served.of(dataset, "oxigraph" if self.oxigraph is not None else "rdflib",
                          self.stored, self.key)
        self.rdflib, self.oxigraph, self.opened_by = again.rdflib, again.oxigraph, os.getpid()
