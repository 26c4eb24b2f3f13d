"""The query page for browsers (GET /sparql with Accept: text/html): YASGUI, vendored at a
pinned version under static/vendor/, with the queries/ catalog as one-click examples.

The endpoint predeclares the project's prefixes (kazkg.web.endpoint), so the editor starts
with a query that has no PREFIX block; the prefixes are listed, folded, under the editor.
"""

from __future__ import annotations

from flask import render_template

from ..query import catalog
from ..namespaces import PREFIXES, sparql_prologue
from ..formats.negotiation import RDF_FORMATS, RESULT_FORMATS
from .answers import service
from .i18n import _

DEFAULT_QUERY = """# The project's prefixes (kazkg:, kzr:, schema:, ...) are predeclared: see below the editor.
SELECT ?class (COUNT(DISTINCT ?s) AS ?members) WHERE {
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
        "default_query": DEFAULT_QUERY,
        "prefix_map": PREFIXES,
        "examples": {q.name: q.text for q in examples},
        "texts": {  # what query.js writes, in the page's language
            "error": _("The query was not run:"),
            "position": _("line %(line)s, column %(column)s"),
            "at": _("Show the place in the query"),
            "failed": _("The endpoint did not answer (status %(status)s)."),
            "rows": _("Rows per page"),
        },
    }
    return render_template("query.html", endpoint=endpoint, version=service().data_version,
                           update=update, examples=examples, config=config,
                           prefixes=sparql_prologue(), prefix_map=PREFIXES,
                           result_formats=RESULT_FORMATS, rdf_formats=RDF_FORMATS)
