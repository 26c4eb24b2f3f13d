"""The engine seam: what evaluates a prepared query, and what it gives back.

An `Engine` says whether it takes a query (`accepts`) and evaluates it (`evaluate`) into an
`Evaluation`: the query form, and its rows or triples read lazily in the engine's own terms,
with a way to hand the kept ones to rdflib's writers (`to_raw`) and, where the engine has one,
a direct SPARQL JSON writer. kazkg.query.served asks its engines in order; the first that
accepts and does not decline answers. Three engines exist:

- `RdflibEngine`: rdflib's evaluator, the reference; it takes every query.
- `kazkg.query.oxengine.OxigraphEngine` over an in-memory copy of the dataset, or over an
  on-disk Oxigraph store (`--store`, and the cache's copy): it takes the queries where it
  gives rdflib's answer, and declines the others.

A remote store would be a fourth: an Engine whose `evaluate` sends `prepared.full_text` to
its SPARQL endpoint and yields the rows it reads back as rdflib terms, put first in the
engines of kazkg.query.served.Served. The web layer, the guard, the limits and the writers
do not change: they only ever see Evaluations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Protocol

from rdflib import Dataset, Graph, URIRef, Variable
from rdflib.query import Result, ResultRow

from ..errors import QueryError
from .sparql import Prepared, form

GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


@dataclass(frozen=True)
class Scope:
    """What a request asks of the dataset beyond the query text."""

    default_graphs: tuple = ()  # the protocol's default-graph-uri (they win over FROM)
    named_graphs: tuple = ()    # and named-graph-uri (over FROM NAMED)
    generation: int = 0         # writes applied to rdflib's dataset since it was loaded
    bindings: tuple = ()        # (variable name, IRI) pairs bound before the query runs


class Declined(Exception):
    """This engine does not answer this query (e.g. Oxigraph's parser refused it, and rdflib
    must word the error): the next engine is asked."""


@dataclass
class Evaluation:
    """A query being answered. `read()` gives the rows (SELECT) or triples (CONSTRUCT,
    DESCRIBE), lazily, or the answer (ASK); `to_raw` turns what was kept into rdflib's raw
    result; `json`, when the engine has it, writes SPARQL JSON from what was kept."""

    form: str
    read: Callable[[], Iterable | bool]
    to_raw: Callable[[object], dict]
    json: Callable[[object], bytes] | None = None

    @property
    def type(self) -> str:  # as rdflib's Result names it, for kazkg.formats.results
        return self.form

    def result(self, kept) -> Result:
        return rdflib_result(self.to_raw(kept))


class Engine(Protocol):
    name: str

    def accepts(self, prepared: Prepared, scope: Scope) -> bool: ...

    def evaluate(self, prepared: Prepared, scope: Scope) -> Evaluation: ...


class RdflibEngine:
    """rdflib's evaluator over an rdflib Dataset (in memory, or an on-disk store through
    oxrdflib); the dataset may be given as a function that loads it when first needed."""

    name = "rdflib"

    def __init__(self, dataset: Dataset | Callable[[], Dataset]):
        self._dataset = dataset
        self._views: dict = {}

    @property
    def dataset(self) -> Dataset:
        if callable(self._dataset) and not isinstance(self._dataset, Dataset):
            self._dataset = self._dataset()
        return self._dataset

    def accepts(self, prepared: Prepared, scope: Scope) -> bool:
        return True

    def evaluate(self, prepared: Prepared, scope: Scope) -> Evaluation:
        from rdflib.plugins.sparql.evaluate import evalPart
        from rdflib.plugins.sparql.sparql import QueryContext

        query = prepared.parsed
        kind = form(query)
        raw: dict = {}

        def run() -> dict:
            if not raw:
                dataset, default = self._dataset_for(query, scope)
                ctx = QueryContext(dataset, initBindings={  # rdflib needs a dict here
                    Variable(name): URIRef(iri) for name, iri in scope.bindings})
                ctx.graph = default
                ctx.prologue = query.prologue
                raw.update(evalPart(ctx, query.algebra))
            return raw

        if prepared.services and prepared.may_reach_out:  # it may call an allowed endpoint
            run = _calling_out(run)
        if kind == "ASK":
            return Evaluation(kind, lambda: bool(run()["askAnswer"]),
                              lambda kept: {"type_": "ASK", "askAnswer": kept})
        if kind == "SELECT":
            return Evaluation(kind, lambda: run()["bindings"],
                              lambda kept: {"type_": "SELECT", "bindings": kept,
                                            "vars_": prepared.in_order(query.algebra["PV"])})
        return Evaluation(kind, lambda: iter(run()["graph"]),
                          lambda kept: {"type_": kind, "graph": graph_of(kept)})

    def _dataset_for(self, query, scope: Scope):
        """(dataset for GRAPH, default graph): the protocol's graphs win over FROM / FROM
        NAMED; either way only the dataset's own graphs are used, and nothing is fetched."""
        default_iris, named_iris = scope.default_graphs, scope.named_graphs
        if not default_iris and not named_iris:
            clause = query.algebra.get("datasetClause") or []
            default_iris = tuple(str(d.default) for d in clause if d.default)
            named_iris = tuple(str(d.named) for d in clause if d.named)
        if not default_iris and not named_iris:
            return self.dataset, self.dataset  # the default graph is the union of all graphs
        key = (tuple(default_iris), tuple(named_iris), scope.generation)
        if key not in self._views:
            if len(self._views) >= 32:
                self._views.clear()
            self._views[key] = view(self.dataset, *key[:2])
        return self._views[key]


def view(source: Dataset, default_iris, named_iris) -> tuple[Dataset, Graph]:
    """(dataset for GRAPH, default graph) of FROM / FROM NAMED or USING / USING NAMED: copies
    of `source`'s graphs of those names (an unknown name is an empty graph)."""
    found = Dataset(default_union=False)
    default = Graph()
    for iri in dict.fromkeys(default_iris):
        default += Graph(store=source.store, identifier=URIRef(iri))
    for iri in dict.fromkeys(named_iris):
        target = found.graph(URIRef(iri))
        target += Graph(store=source.store, identifier=URIRef(iri))
    return found, default


def _calling_out(run: Callable[[], dict]) -> Callable[[], dict]:
    """`run`, for a query that calls a SERVICE: an endpoint that fails makes the query fail
    (SPARQL 1.1 Federated Query, without SILENT), a 400 that names it, not a bug of ours."""
    def guarded() -> dict:
        try:
            raw = run()
            if "bindings" in raw:  # the calls happen while the rows are read
                raw["bindings"] = list(raw["bindings"])
            return raw
        except OSError as error:
            raise QueryError(f"a SERVICE endpoint did not answer: {error}") from None
    return guarded


class Rows(Result):
    """rdflib's Result, whose SELECT rows (rdflib's ResultRow) share one map of their labels:
    rdflib makes one for every row it gives, a third of the cost of reading a row."""

    def __iter__(self):
        if self.type != "SELECT" or self._genbindings:
            yield from super().__iter__()
            return
        variables = self.vars
        labels = {str(variable): i for i, variable in enumerate(variables)}
        for binding in self._bindings:
            if binding:  # as rdflib: a row binding nothing is not given
                row = tuple.__new__(ResultRow, [binding.get(v) for v in variables])
                row.labels = labels
                yield row


def rdflib_result(raw: dict) -> Result:
    """rdflib's Result of a raw result, as rdflib's SPARQLResult makes it (without importing
    rdflib's SPARQL package, which a query that Oxigraph answers does not need)."""
    result = Rows(raw["type_"])
    result.vars = raw.get("vars_")
    result.bindings = raw.get("bindings")
    result.askAnswer = raw.get("askAnswer")
    result.graph = raw.get("graph")
    return result


def graph_of(triples) -> Graph:
    if isinstance(triples, Graph):
        return triples
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph
