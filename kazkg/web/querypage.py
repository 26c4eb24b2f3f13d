"""The query page for browsers (GET /sparql with Accept: text/html): YASGUI, vendored at a
pinned version under static/vendor/, with the project's prefixes and the queries/ catalog."""

from __future__ import annotations

from flask import render_template

from ..query import catalog
from ..namespaces import PREFIXES, sparql_prologue
from ..formats.negotiation import RDF_FORMATS, RESULT_FORMATS
from .answers import service

DEFAULT_QUERY = """SELECT ?class (COUNT(DISTINCT ?s) AS ?members) WHERE {
  ?s a ?class .
  FILTER (STRSTARTS(STR(?class), STR(kazkg:)))
}
GROUP BY ?class
ORDER BY DESC(?members)
"""


def query_page(endpoint: str, update: bool) -> str:
    examples = list(catalog.load_all().values())
    config = {
        "endpoint": endpoint,
        "default_query": sparql_prologue() + "\n" + DEFAULT_QUERY,
        "prefix_map": PREFIXES,
        "examples": {q.name: q.text for q in examples},
    }
    return render_template("query.html", endpoint=endpoint, version=service().data_version,
                           update=update, examples=examples, config=config,
                           prefixes=sparql_prologue(), result_formats=RESULT_FORMATS,
                           rdf_formats=RDF_FORMATS)
