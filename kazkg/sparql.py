"""Prepare, guard and run SPARQL queries over a dataset.

Queries are parsed once (with a position for every syntax error), checked against a guard
(read-only forms, no SERVICE, no loading of remote or local graphs) and then evaluated.
"""

from __future__ import annotations

import functools

import rdflib.plugins.sparql as rdflib_sparql
from pyparsing import ParseException
from rdflib import Dataset
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.processor import prepareQuery
from rdflib.plugins.sparql.sparql import Query

from .errors import QueryError
from .namespaces import PREFIXES

# FROM <iri> must only ever name graphs of the dataset, never fetch a document.
rdflib_sparql.SPARQL_LOAD_GRAPHS = False


def _position(error: ParseException) -> tuple[int, int]:
    return error.lineno, error.col


@functools.lru_cache(maxsize=512)
def prepare(text: str, project_prefixes: bool = False) -> Query:
    """Parse a query; raise QueryError with the line and column of a syntax error.

    With `project_prefixes`, the project's prefixes (kazkg:, kzr:, schema:, ...) may be used
    without PREFIX lines, as a convenience for the command line.
    """
    try:
        query = prepareQuery(text, initNs=PREFIXES if project_prefixes else {})
    except ParseException as error:
        line, column = _position(error)
        raise QueryError(f"SPARQL syntax error: {error.msg}", line, column, text) from None
    except Exception as error:  # rdflib raises plain Exceptions, e.g. for an unknown prefix
        raise QueryError(f"SPARQL error: {error}") from None
    guard(query)
    return query


def _walk(node):
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _walk(value)


def guard(query: Query) -> None:
    """Refuse what could reach outside the dataset: SERVICE (a federated call)."""
    for node in _walk(query.algebra):
        if node.name == "ServiceGraphPattern":
            raise QueryError(f"SERVICE is not allowed: kazkg never calls other endpoints ({node.term})")


def run(dataset: Dataset, text: str, project_prefixes: bool = False):
    """Run a query over the dataset's default graph (the union of its graphs)."""
    query = prepare(text, project_prefixes)
    try:
        return dataset.query(query)
    except QueryError:
        raise
    except Exception as error:  # evaluation errors from rdflib are plain Exceptions
        raise QueryError(f"the query failed while running: {error}") from None
