"""Prepare, guard and run SPARQL queries over a dataset; used by the CLI, the API and the
endpoint's workers alike.

Queries are parsed once (with a position for every syntax error), checked against a guard
(no SERVICE outside an allow-list, no LOAD) and then evaluated. FROM never fetches anything.
"""

from __future__ import annotations

import functools

import rdflib.plugins.sparql as rdflib_sparql
from pyparsing import ParseException
from rdflib import Dataset
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.processor import prepareQuery
from rdflib.plugins.sparql.sparql import Query

from ..errors import QueryError
from ..namespaces import PREFIXES
from ..build.persist import is_oxigraph

# FROM <iri> must only ever name graphs of the dataset, never fetch a document.
rdflib_sparql.SPARQL_LOAD_GRAPHS = False


@functools.lru_cache(maxsize=512)
def prepare(text: str, project_prefixes: bool = False, base: str | None = None,
            allowed_services: tuple[str, ...] = ()) -> Query:
    """Parse a query (cached); raise QueryError with the line and column of a syntax error.

    With `project_prefixes`, the project's prefixes (kazkg:, kzr:, schema:, ...) may be used
    without PREFIX lines, as a convenience for the command line.
    """
    try:
        query = prepareQuery(text, initNs=PREFIXES if project_prefixes else {}, base=base)
    except ParseException as error:
        raise QueryError(f"SPARQL syntax error: {error.msg}", error.lineno, error.col, text) from None
    except RecursionError:
        raise  # the endpoint answers this one itself
    except Exception as error:  # rdflib raises plain Exceptions, e.g. for an unknown prefix
        raise QueryError(f"SPARQL error: {error}") from None
    guard(query.algebra, allowed_services)
    return query


def _walk(node):
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _walk(value)


def guard(algebra, allowed_services: tuple[str, ...] = ()) -> None:
    """Refuse what could reach outside the dataset: SERVICE (unless allowed) and LOAD."""
    for node in _walk(algebra):
        if node.name == "ServiceGraphPattern" and str(node.term) not in allowed_services:
            raise QueryError(f"SERVICE <{node.term}> is not allowed: kazkg calls no endpoint "
                             "that is not on its allow-list")
        if node.name == "Load":
            raise QueryError("LOAD is not allowed: kazkg never fetches documents")


def run(dataset: Dataset, text: str, project_prefixes: bool = False):
    """Run a query over the dataset's default graph (the union of its graphs)."""
    query = prepare(text, project_prefixes)
    if is_oxigraph(dataset):  # --store oxigraph:PATH (kazkg.build.persist)
        query = text  # Oxigraph's engine takes the text (the guard has passed it above)
    try:
        return dataset.query(query, initNs=PREFIXES if project_prefixes and query is text else {})
    except Exception as error:  # evaluation errors from rdflib are plain Exceptions
        raise QueryError(f"the query failed while running: {error}") from None
