"""/browse: every resource, narrowed by facets (class, sector, place with its regions in
time, period, source), with counts per facet value, in pages (kazkg.web.facets holds the
index; a view only filters it)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, render_template, request
from werkzeug.exceptions import BadRequest

from .facets import FACETS, PERIODS, UNDATED, counts, index, matching
from .i18n import lazy_gettext as _l, page_lang
from .lookup import names
from .resource import local

bp = Blueprint("browse", __name__)

PAGE_SIZE = 50
SHOWN = 12  # values shown per facet before "more"
HEADINGS = {"class": _l("Class"), "sector": _l("Sector"), "place": _l("Place or region"),
            "period": _l("Period"), "source": _l("Source")}
PERIOD_NAMES = {"before-1956": _l("before 1956"), "1956-1959": "1956–1959", "1960s": _l("the 1960s"),
                "1970s": _l("the 1970s"), "1980s": _l("the 1980s"), "after-1989": _l("after 1989"),
                UNDATED: _l("undated in the source")}
SOURCE_NAMES = {"text": _l("the source text"), "editorial": _l("editorial readings")}
# Records about things (graphs, mentions, dates, names, memberships) come after the things
# people look for (enterprises, places, events, policies, statistics), in the list and in the
# class facet: /browse used to open on 122 assertion graphs.
RECORDS = {"Assertion", "EditorialAssertion", "Mention", "Year", "Period", "Geometry", "NameUse",
           "AdministrativeMembership", "WorkingTranslation", "EditorialStatement", "Identification",
           "Sentence", "Paragraph", "SourceDocument", "SourceConflict"}


def is_record(types) -> bool:
    return any(t.rsplit("#", 1)[-1] in RECORDS for t in types)


def chosen_values() -> dict[str, str]:
    return {f: request.args[f] for f in FACETS if request.args.get(f)}


def page_number() -> int:
    raw = request.args.get("page", "1")
    # ASCII digits only ("²".isdigit() is true, and int() refuses it), and few of them
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9) or int(raw) < 1:
        raise BadRequest(f"page={raw[:20]!r}: give a page number, 1 or more")
    return int(raw)


@bp.route("/browse")
def browse():
    nm, lang = names(), page_lang()
    idx = index()
    chosen = chosen_values()
    found = sorted(matching(idx.entries, chosen),
                   key=lambda e: (is_record(e.values["class"]), nm.label(e.iri, lang).casefold()))
    pages = max(1, -(-len(found) // PAGE_SIZE))
    number = min(page_number(), pages)
    shown = found[(number - 1) * PAGE_SIZE: number * PAGE_SIZE]

    def url(**change) -> str:
        args = {**chosen, **change}
        return "/browse?" + urlencode({k: v for k, v in args.items() if v})

    def value_name(facet: str, value: str) -> str:
        if facet == "period":
            return str(PERIOD_NAMES.get(value, value))
        if facet == "source":
            if value in SOURCE_NAMES:
                return str(SOURCE_NAMES[value])
            name = value.split(":", 1)[-1]
            return idx.sources.get(name, {}).get(lang, name)
        return nm.label(value, lang)

    def regions(place: str) -> list[tuple[str, str]]:
        out = []
        for r in sorted(idx.regions.get(place, []), key=lambda r: (r.start or -10_000, r.region)):
            years = ("" if (r.start, r.end) == (None, None) else str(r.start) if r.start == r.end
                     else f"{r.start or ''}–{r.end or ''}")
            out.append((nm.label(r.region, lang), years))
        return out

    facet_counts = counts(idx.entries, chosen)
    order = {name: n for n, (name, _a, _b) in enumerate(PERIODS)} | {UNDATED: len(PERIODS)}
    facets = []
    for facet in FACETS:
        values = list(facet_counts[facet].items())
        if facet == "period":
            values.sort(key=lambda v: order.get(v[0], 99))
        else:
            values.sort(key=lambda v: (facet == "class" and is_record((v[0],)), -v[1],
                                       value_name(facet, v[0]).casefold()))
        facets.append((facet, HEADINGS[facet], values))
    return render_template("browse.html", facets=facets, chosen=chosen, found=found, shown=shown,
                           number=number, pages=pages, url=url, value_name=value_name,
                           regions=regions, names=nm, local=local, shown_values=SHOWN,
                           first=(number - 1) * PAGE_SIZE + 1)
