"""Pages for people: the home page and search (/browse, /timeline and /map have their modules).

Each view gathers its data through kazkg.web.lookup (SELECTs on the worker pool), then renders
a template. Every page works without JavaScript: the timeline and the map are drawn as HTML
and SVG on the server, and their filters are plain GET forms.
"""

from __future__ import annotations

from contextlib import nullcontext

from urllib.parse import quote

from flask import Blueprint, current_app, g, redirect, render_template, request
from werkzeug.exceptions import BadRequest

from ..namespaces import KAZKG, compact
from .answers import service
from . import dcat
from .about import about, about_known
from .describe import dump_filenames
from .lookup import cached, counts, names
from .i18n import page_lang as lang
from .readable import qualifier
from .resource import local, own_page
from . import search as finder

bp = Blueprint("pages", __name__, static_folder="static", static_url_path="/static")


@bp.app_template_filter("compact")
def compact_filter(iri) -> str:
    """`https://schema.org/Place` -> `schema:Place`, for display."""
    return compact(iri)


@bp.app_context_processor
def chrome():
    # the box shows the search's own words only: other pages are kept whatever their ?q=
    shown = request.args.get("q", "") if request.endpoint == "pages.search" else ""
    # an error page names the dataset from what is known, by no query (kazkg.web.errors)
    return {"q": shown, "about": about_known if g.get("error_page") else about}


@bp.route("/")
def home():
    nm = names()
    by_class = [(str(KAZKG[c]), counts().get(str(KAZKG[c]), 0)) for c in (
        "Enterprise", "Place", "City", "Event", "Policy", "Statistic", "Sector",
        "TerritorialProductionComplex", "Award", "Sentence")]
    meta, described = service().meta, about()
    if not described.own:
        by_class = described.classes
    root = current_app.config["PUBLIC_URL"]  # never the Host header: a client could forge it
    version = service().data_version  # the served one: after writes, with their count
    body = render_template("home.html", by_class=by_class, names=nm, meta=meta, data_version=version,
                           downloads=sorted(dump_filenames()), local=local,
                           markup=dcat.schema_org(root, meta, version, described))
    links = ['</.well-known/void>; rel="alternate"; type="text/turtle"']
    links += [f'</download/{name}>; rel="alternate"' for name in sorted(dump_filenames())]
    return body, 200, {"Link": ", ".join(links)}


def search_index():
    """Every label folded for search, once per dataset (kazkg.web.server makes it at start-up:
    the first searches would otherwise all wait seconds for it)."""
    return cached("search-index", lambda: finder.index(names()))


@bp.route("/search")
def search():
    query = request.args.get("q", "").strip()
    refused = finder.too_long(query)
    if refused:
        raise BadRequest(refused)
    nm, labels = names(), search_index()
    # The search and its page in the search turn alone (pageparams.OWN_TURN): a page turn
    # held while waiting for it counted that wait as the client's use, and so a client who
    # had searched a little ranked behind a flood of new addresses
    with service().searching() if query else nullcontext():
        hits = finder.search(query, labels, nm.types) if query else []
        if hits and request.args.get("go") and (len(hits) == 1 or hits[0].score > hits[1].score):
            target = own_page(hits[0].iri)  # only ever to a page of this site
            if target is not None:
                return redirect(quote(target, safe="/#%:@!$&'()*+,;=?~"), 303)
        return render_template("search.html", hits=hits, names=nm, local=local, lang=lang(),
                               qualifier=qualifier)
