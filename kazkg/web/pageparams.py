"""The query parameters each page for people reads: the rest is noise, left out of the key of
a kept page (kazkg.web.pagecache) and out of the language links (kazkg.web.i18n.lang_url), so a
kept page never shows another request's noise."""

from __future__ import annotations

from flask import request

from ..formats.negotiation import PAGE_FORMATS, RDF_FORMATS, NotAcceptable, best_match
from .facets import FACETS

# lang is read by every page
PAGES = {
    "pages.home": (), "pages.search": ("q", "go"), "browse.browse": FACETS + ("page",),
    "timeline.timeline": ("sector", "place"), "mapview.map_page": ("sector", "names"),
    "resource.resource": ("format", "mark"), "resource.graph_page": ("format", "mark"),
    "resource.any_resource": ("iri", "format", "mark"), "ontology.ontology": ("format",),
    "text.reading_edition": (), "text.document": (), "endpoint.sparql": (),
}
# A parameter a page reads only in part, and what it reads of it (None: nothing), set by the
# module that reads it (kazkg.web.text: ?mark= on a sentence's page): any other value gives
# the same page, so it must find the same kept page (a flood of /resource/X?mark=RANDOM was
# a render each, and took the render turns from other clients' pages)
VALUES: dict = {}


# Pages that render in a turn of their own (kazkg.web.service: the search turn), not a page turn
OWN_TURN = ("pages.search",)
# The formats a page negotiates between (with its HTML), as its view offers them; the others
# answer HTML whatever the Accept header says.
# A resource's statements come in N-Quads and TriG too, each in its named graph (its page's
# alternates are the formats of PAGE_FORMATS only).
QUADS = tuple(f for f in RDF_FORMATS if f.named_graphs and not f.page)
OFFERS = {"resource.resource": PAGE_FORMATS + QUADS, "resource.graph_page": PAGE_FORMATS + QUADS,
          "resource.any_resource": PAGE_FORMATS + QUADS, "ontology.ontology": PAGE_FORMATS,
          "endpoint.sparql": RDF_FORMATS}


def negotiated(endpoint: str | None) -> str:
    """The format the request's Accept header chooses among what the page offers ("" for a
    page that answers HTML only; "406" when none fits): what the kept page depends on, where
    the raw header would give every spelling of it, or noise, a key of its own."""
    offers = OFFERS.get(endpoint or "")
    if offers is None:
        return ""
    try:
        return best_match(request.headers.get("Accept"), offers, page=True).name
    except NotAcceptable:
        return "406"


def own_value(name: str):
    """The value of the request's parameter `name` as its page reads it."""
    read = VALUES.get(name)
    return read() if read is not None else tuple(request.args.getlist(name))


def known_args(endpoint: str | None) -> tuple | None:
    """The parameters a page reads, or None when the request is no page."""
    names = PAGES.get(endpoint or "")
    if names is None:
        return None
    if endpoint == "endpoint.sparql" and any(
            a in request.args for a in ("query", "update", "graph", "default")):
        return None  # a query, not the query page
    return ("lang",) + names
