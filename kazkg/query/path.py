"""The query path, the same for every caller: prepare -> guard -> choose an engine ->
evaluate with limits -> write.

kazkg serve's workers (kazkg.query.jobs), the Python API (kazkg.query) and the command line
(`kazkg query`, through the same jobs) all run a query through these three functions:

    evaluation = start(served, text, ...)   # prepare, guard, choose the engine, evaluate lazily
    kept, truncated = take(evaluation, n)   # the result cap (kazkg.query.limits)
    body = write(evaluation, kept, "json")  # a writer for the format

The time limit is the worker pool's: whoever wants it runs these steps in a pool worker.
"""

from __future__ import annotations

from ..formats import export, results
from .engines import GRAPH_FORMS, Evaluation, Scope
from .limits import cap
from .served import Served
from .sparql import prepare


def start(served: Served, text: str, *, base: str | None = None, project_prefixes: bool = False,
          services: tuple[str, ...] = (), scope: Scope | None = None) -> Evaluation:
    """The query, prepared and guarded (QueryError if it is wrong or not allowed), on the
    first of the dataset's engines that takes it; nothing is read yet."""
    prepared = prepare(text, base, project_prefixes, services)
    return served.evaluate(prepared, scope or Scope(generation=served.applied))


def choose(served: Served, text: str, *, base: str | None = None,
           project_prefixes: bool = False) -> str:
    """The name of the engine `start` would try first for the query (QueryError if it is
    wrong or not allowed): it is prepared and guarded as `start` does it, but not evaluated."""
    prepared = prepare(text, base, project_prefixes, ())
    scope = Scope(generation=served.applied)
    return next(engine.name for engine in served.engines if engine.accepts(prepared, scope))


def take(evaluation: Evaluation, limit: int = 0) -> tuple[object, bool]:
    """(what is kept of the answer, whether some was dropped): at most `limit` rows or
    triples, 0 meaning no limit; an ASK's answer is kept whole."""
    if evaluation.form == "ASK":
        return evaluation.read(), False
    return cap(evaluation.read(), limit, distinct=evaluation.form in GRAPH_FORMS)


def write(evaluation: Evaluation, kept, fmt: str) -> bytes:
    """The kept answer in format `fmt`: a name from kazkg.formats.negotiation or one of
    `kazkg query --format` (QueryError when it does not suit the query form)."""
    if fmt == "json" and evaluation.json is not None:
        return evaluation.json(kept)  # straight from the engine's terms
    result = evaluation.result(kept)
    if evaluation.form in GRAPH_FORMS and fmt not in results.ALL:
        return export.serialize_graph(result.graph, fmt)
    return results.render(result, fmt).encode("utf-8")
