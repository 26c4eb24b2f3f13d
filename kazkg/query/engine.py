"""What a worker process does with a job: parse, guard, negotiate, evaluate, cap, serialise.

Everything here runs inside a worker of kazkg.query.workers.Pool, never in the HTTP process, so a
query that cannot be interrupted (or a huge one that takes minutes to parse) only ever costs
one worker, which the pool kills at the time limit. A job is a plain dict; the answer is an
`Answer` that the web layer turns into an HTTP response unchanged.
"""

from __future__ import annotations

import functools
import os
import warnings
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from pyparsing import ParseException
from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.sparql.evaluate import evalPart
from rdflib.plugins.sparql.processor import SPARQLResult, prepareUpdate
from rdflib.plugins.sparql.sparql import QueryContext
from rdflib.plugins.sparql.update import evalUpdate

from ..formats import export, results
from . import oxengine
from ..build import persist
from .. import settings
from ..errors import KazkgError, QueryError
from .sparql import guard, prepare
from ..formats.negotiation import RDF_FORMATS, RESULT_FORMATS, NotAcceptable, best_match
from . import writes

GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


@dataclass
class Answer:
    status: int
    media_type: str = "application/json"
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    error: str | None = None        # a message for the client (status >= 400)
    position: tuple | None = None   # (line, column) of a syntax error
    retire: bool = False            # the worker's state may be damaged: replace it


class State:
    """The worker's dataset and how much of the update log it has applied."""

    dataset: Dataset | None = None
    mirror: oxengine.Mirror | None = None  # the same quads for Oxigraph's engine
    applied = 0
    stored: Path | None = None  # the dataset lives in this on-disk Oxigraph store
    key: str | None = None  # the build served (a store must still hold it when reopened)
    opened_by: int | None = None  # the process that opened it


class StoreChanged(Exception):
    """The on-disk store no longer holds the build being served."""


def install(dataset: Dataset, engine: str | None = None, stored: Path | None = None,
            key: str | None = None) -> None:
    """Give the engine its dataset (in the main process, before the pool forks); with engine
    "oxigraph", queries run on Oxigraph's engine where it gives rdflib's answers. A dataset
    `stored` on disk (kazkg.build.persist, read-only) is queried in place, not copied; for a cached
    build (its `key`), Oxigraph's copy is kept in the cache too."""
    State.dataset, State.stored, State.key, State.opened_by = dataset, stored, key, os.getpid()
    State.mirror = None
    if (engine or settings.get("query_engine")) == "oxigraph":
        if stored is not None:
            State.mirror = oxengine.Mirror.over(persist.oxigraph_store(dataset))
        elif key is not None:
            State.mirror = oxengine.Mirror.cached(dataset, key)
        else:
            State.mirror = oxengine.Mirror(dataset)
    State.applied = 0


def _own_store_handle() -> None:
    """RocksDB, under Oxigraph's on-disk store, is not fork-safe: each worker opens the store
    itself (read-only, so any number may) instead of using the handle it inherited."""
    if State.stored is not None and State.opened_by != os.getpid():
        if persist.fingerprint(State.stored) != State.key:  # rebuilt (or being rebuilt) there
            raise StoreChanged(f"the store at {State.stored} no longer holds the dataset this "
                               "server started with; restart kazkg serve to serve what it holds")
        try:
            dataset = persist.open_store(State.stored, read_only=True)
        except KazkgError as error:
            raise StoreChanged(str(error)) from None
        install(dataset, "oxigraph" if State.mirror is not None else "rdflib", State.stored,
                State.key)


def handle(job: dict) -> Answer:
    """The pool's handler: one job in, one Answer out; QueryError becomes a 400."""
    warnings.simplefilter("ignore")  # a library's warning is not the client's problem
    try:
        _own_store_handle()
        sync(job.get("log", ()))
        kind = job["kind"]
        if kind == "query":
            return within_bytes(run_query(job), job.get("max_bytes"))
        if kind == "update":
            return run_update(job)
        if kind == "graph":
            return within_bytes(get_graph(job), job.get("max_bytes"))
        if kind == "dump":
            return dump(job)
        if kind == "write":
            writes.apply(State.dataset, job["op"])
            State.applied += 1
            return Answer(204)
        raise ValueError(f"unknown job kind {kind!r}")
    except QueryError as error:
        return Answer(400, error=str(error),
                      position=(error.line, error.column) if error.line is not None else None)
    except NotAcceptable as error:
        return Answer(406, error=str(error))
    except RecursionError:
        return Answer(400, error="the request is nested too deeply to process")
    except StoreChanged as error:
        return Answer(503, error=str(error), retire=True)


def within_bytes(answer: Answer, limit: int | None) -> Answer:
    """Refuse an answer larger than `limit` bytes here, in the worker: the HTTP process never
    receives (nor holds) more than that for one request."""
    if limit and len(answer.body) > limit:
        return Answer(400, error=f"the answer is {len(answer.body)} bytes, more than this "
                      f"server's limit of {limit} bytes (answer_limit): ask for fewer rows "
                      "(LIMIT) or fewer variables, or download the whole dataset")
    return answer


def sync(log) -> None:
    """Apply the writes this worker has not seen yet (only when updates are enabled)."""
    for op in log[State.applied:]:
        writes.apply(State.dataset, op)
        State.applied += 1


# --- queries --------------------------------------------------------------------------------

def form(query) -> str:
    return query.algebra.name.replace("Query", "").upper()


def dataset_for(query, default_iris, named_iris):
    """(dataset for GRAPH, default graph) of a query: the protocol's parameters win over FROM /
    FROM NAMED; either way only the dataset's own graphs are used, and nothing is fetched."""
    dataset = State.dataset
    if not default_iris and not named_iris:
        clause = query.algebra.get("datasetClause") or []
        default_iris = [str(d.default) for d in clause if d.default]
        named_iris = [str(d.named) for d in clause if d.named]
    if not default_iris and not named_iris:
        return dataset, dataset  # the default graph is the union of all graphs
    return _view(tuple(default_iris), tuple(named_iris), State.applied)


@functools.lru_cache(maxsize=32)
def _view(default_iris, named_iris, _generation):
    source = State.dataset
    view = Dataset(default_union=False)
    default = Graph()
    for iri in dict.fromkeys(default_iris):
        default += Graph(store=source.store, identifier=URIRef(iri))
    for iri in dict.fromkeys(named_iris):
        target = view.graph(URIRef(iri))
        target += Graph(store=source.store, identifier=URIRef(iri))
    return view, default


def run_query(job: dict) -> Answer:
    # Oxigraph's engine answers what it answers as rdflib would (kazkg.query.oxengine); else rdflib.
    found = oxengine.run(State.mirror, job) if State.applied == 0 else None
    if found is None:
        query = prepare(job["text"], base=job.get("base"),
                        allowed_services=tuple(job.get("services", ())))
        kind = form(query)
    else:
        kind = oxengine.form(found)  # evaluated lazily, as the rows are read
    formats = RDF_FORMATS if kind in GRAPH_FORMS else RESULT_FORMATS
    fmt = best_match(job.get("accept"), formats, job.get("format"))  # before running it
    limit = job.get("limit") or 0
    try:
        if found is not None and fmt.name == "json" and kind in ("SELECT", "ASK"):
            body, truncated = oxengine.results_json(State.mirror, found, limit)
        else:
            raw = (oxengine.as_rdflib(State.mirror, found, limit) if found is not None
                   else evaluate(query, job))
            truncated = cap(raw, limit)
            result = SPARQLResult(raw)
            if kind in GRAPH_FORMS:
                body = export.serialize_graph(result.graph, fmt.name)
            else:
                body = results.render(result, fmt.name).encode("utf-8")
    except (QueryError, RecursionError, MemoryError):
        raise
    except Exception as error:  # evaluation errors from rdflib are plain Exceptions
        raise QueryError(f"the query failed while running: {type(error).__name__}: {error}") from None
    headers = {"X-Result-Limit": str(limit)} if limit else {}
    if truncated:
        headers["X-Result-Truncated"] = "true"
    return Answer(200, fmt.media_type, body, headers)


def evaluate(query, job: dict) -> dict:
    """rdflib's raw result of a prepared query, over the dataset the job asks for."""
    dataset, default = dataset_for(query, job.get("default_graphs"), job.get("named_graphs"))
    ctx = QueryContext(dataset, initBindings={})  # rdflib needs a dict for OPTIONAL + FILTER
    ctx.graph = default
    ctx.prologue = query.prologue
    return evalPart(ctx, query.algebra)


def cap(raw: dict, limit: int) -> bool:
    """Keep at most `limit` rows or triples; True when some were dropped."""
    if not limit:
        return False
    if raw.get("type_") == "SELECT":
        rows = list(islice(raw["bindings"], limit + 1))
        raw["bindings"] = rows[:limit]
        return len(rows) > limit
    graph = raw.get("graph")
    if graph is not None and len(graph) > limit:
        kept = Graph()
        for triple in islice(graph, limit):
            kept.add(triple)
        raw["graph"] = kept
        return True
    return False


# --- updates, Graph Store GET and dumps ------------------------------------------------------

def run_update(job: dict) -> Answer:
    try:
        update = prepareUpdate(job["text"], base=job.get("base"))
    except ParseException as error:
        raise QueryError(f"SPARQL Update syntax error: {error.msg}", error.lineno, error.col,
                         job["text"]) from None
    except Exception as error:
        raise QueryError(f"SPARQL Update error: {error}") from None
    guard(update.algebra, tuple(job.get("services", ())))
    try:
        evalUpdate(State.dataset, update)
    except Exception as error:
        return Answer(400, error=f"the update failed: {type(error).__name__}: {error}", retire=True)
    State.applied += 1  # the main process appends this update to the log it sends
    return Answer(204)


def get_graph(job: dict) -> Answer:
    fmt = best_match(job.get("accept"), RDF_FORMATS, job.get("format"))
    iri = job.get("graph")
    if iri is None:
        graph = Graph()
        for g in State.dataset.graphs():
            graph += g
    else:
        graph = Graph(store=State.dataset.store, identifier=URIRef(iri))
        if not len(graph):
            return Answer(404, error=f"this dataset has no graph named <{iri}>")
    return Answer(200, fmt.media_type, export.serialize_graph(graph, fmt.name))


def dump(job: dict) -> Answer:
    fmt = job["format"]
    return Answer(200, export.FORMATS[fmt].media_type, export.serialize(State.dataset, fmt))
