"""The query page for browsers (GET /sparql with Accept: text/html): YASGUI, vendored at a
pinned version under static/vendor/, with one-click examples (kazkg.web.examples: the queries/
catalog, or queries written from someone else's data).

The endpoint predeclares the project's prefixes (kazkg.web.endpoint), so the editor starts
with a query that has no PREFIX block; the prefixes are listed, folded, under the editor.
"""

from __future__ import annotations

from flask import render_template

from ..namespaces import PREFIXES, sparql_prologue
from ..formats.negotiation import RDF_FORMATS, RESULT_FORMATS
from .answers import service
from .examples import examples, start_query
from .i18n import _, page_lang

def query_page(endpoint: str, update: bool) -> str:
    shown = examples()
    config = {
        "endpoint": endpoint,
        "default_query": start_query(),
        "prefix_map": PREFIXES,
        "examples": {q.name: q.text for q in shown},
        "ui": yasgui_words(),
        "texts": {  # what query.js writes, in the page's language
            "error": _("The query was not run:"),
            "position": _("line %(line)s, column %(column)s"),
            "at": _("Show the place in the query"),
            "failed": _("The endpoint did not answer (status %(status)s)."),
            "rows": _("Rows per page"),
        },
    }
    return render_template("query.html", endpoint=endpoint, version=service().data_version,
                           update=update, examples=shown, config=config,
                           prefixes=sparql_prologue(), prefix_map=PREFIXES,
                           result_formats=RESULT_FORMATS, rdf_formats=RDF_FORMATS)


def yasgui_words() -> dict:
    """YASGUI's own labels in the page's language (YASGUI has no translations of its own);
    query.js puts them in as YASGUI draws. Exact labels, then patterns for its counts."""
    if page_lang() == "en":
        return {}
    exact = {
        "Table": _("Table"), "Response": _("Response"), "Simple view": _("Simple view"),
        "Ellipse": _("Shorten long values"), "Page size:": _("Rows per page:"),
        "Filter query results": _("Filter the results"), "Run query": _("Run the query"),
        "Share query": _("Share the query"), "Download Results": _("Download the results"),
        "Download result": _("Download the results"), "Download not supported": _("No download for this view"),
        "Shows Table view": _("Show as a table"), "Shows Response view": _("Show the response as it came"),
        "View documentation of Table": _("YASGUI's documentation"),
        "View documentation of Response": _("YASGUI's documentation"),
        "Try query in a new browser window": _("Open the query in a new window"),
        "No matching records found": _("Nothing matches"), "Show all": _("Show all"),
        "Clear endpoint": _("Clear the endpoint"),
    }
    patterns = [
        [r"(\d+) results? in ([\d.]+) seconds?", _("%(n)s results in %(s)s s", n="$1", s="$2")],
        [r"Response in ([\d.]+) seconds?", _("Answer in %(s)s s", s="$1")],
        [r"(\d+) results?", _("%(n)s results", n="$1")],
        [r"Showing (\d+) to (\d+) of (\d+) \w+", _("Rows %(first)s to %(last)s of %(total)s", first="$1", last="$2", total="$3")],
    ]
    return {"exact": exact, "patterns": patterns}
