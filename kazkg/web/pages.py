"""Pages for people: home, browse by class, search, timeline and map.

Each view gathers its data through kazkg.web.lookup (SELECTs on the worker pool), then renders
a template. Every page works without JavaScript: the timeline and the map are drawn as HTML
and SVG on the server, and their filters are plain GET forms.
"""

from __future__ import annotations

import math
from urllib.parse import quote
from collections import defaultdict
from dataclasses import dataclass, field

from flask import Blueprint, redirect, render_template, request
from werkzeug.exceptions import BadRequest

from ..namespaces import KAZKG, compact
from .answers import service
from .atlas import ATTRIBUTION, Frame, outline_path
from . import dcat
from .about import about
from .describe import dump_filenames
from .lookup import cached, counts, names, select
from .i18n import page_lang as lang
from .resource import local, own_page
from . import search as finder

bp = Blueprint("pages", __name__, static_folder="static", static_url_path="/static")

YEARS = (1956, 1990)
SECTOR_COLOURS = ("#1b6ca8", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#7f8c8d",
                  "#b7950b", "#2c3e50", "#e84393")


@bp.app_template_filter("compact")
def compact_filter(iri) -> str:
    """`https://schema.org/Place` -> `schema:Place`, for display."""
    return compact(iri)


@bp.app_context_processor
def search_box():
    return {"q": request.args.get("q", ""), "about": about}


@bp.route("/")
def home():
    nm = names()
    by_class = [(str(KAZKG[c]), counts().get(str(KAZKG[c]), 0)) for c in (
        "Enterprise", "Place", "City", "Event", "Policy", "Statistic", "Sector",
        "TerritorialProductionComplex", "Award", "Sentence")]
    meta, described = service().meta, about()
    if not described.own:
        by_class = described.classes
    body = render_template("home.html", by_class=by_class, names=nm, meta=meta,
                           downloads=sorted(dump_filenames()), local=local,
                           markup=dcat.schema_org(request.host_url, meta, service().data_version,
                                                  described))
    links = ['</.well-known/void>; rel="alternate"; type="text/turtle"']
    links += [f'</download/{name}>; rel="alternate"' for name in sorted(dump_filenames())]
    return body, 200, {"Link": ", ".join(links)}


@bp.route("/browse")
def browse():
    """Every class of the ontology with its members (or one class's members)."""
    nm = names()
    chosen = request.args.get("class")
    members = defaultdict(list)
    for iri, types in nm.types.items():
        for t in types:
            if t.startswith(str(KAZKG)):
                members[t].append(iri)
    classes = sorted(members, key=lambda c: nm.label(c).lower())
    if chosen:
        classes = [c for c in classes if c == chosen]
    return render_template("browse.html", classes=classes, members=members, names=nm,
                           local=local, counts=counts(), lang=lang())


@bp.route("/search")
def search():
    query = request.args.get("q", "").strip()
    refused = finder.too_long(query)
    if refused:
        raise BadRequest(refused)
    nm = names()
    labels = cached("search-index", lambda: finder.index(nm))
    hits = finder.search(query, labels, nm.types) if query else []
    if hits and request.args.get("go") and (len(hits) == 1 or hits[0].score > hits[1].score):
        target = own_page(hits[0].iri)  # only ever to a page of this site
        if target is not None:
            return redirect(quote(target, safe="/#%:@!$&'()*+,;=?~"), 303)
    return render_template("search.html", hits=hits, names=nm, local=local, lang=lang())


# --- timeline --------------------------------------------------------------------------------

TIMELINE_QUERY = """
SELECT ?x ?from ?to ?precision ?sector ?place WHERE {
  ?x kazkg:hasTime ?time .
  OPTIONAL { ?time time:inXSDgYear ?exact }
  OPTIONAL { ?time time:hasBeginning/time:inXSDgYear ?begin ; time:hasEnd/time:inXSDgYear ?end }
  OPTIONAL { ?time kazkg:datePrecision ?p }
  BIND (xsd:integer(SUBSTR(STR(COALESCE(?exact, ?begin)), 1, 4)) AS ?from)
  BIND (xsd:integer(SUBSTR(STR(COALESCE(?exact, ?end)), 1, 4)) AS ?to)
  BIND (COALESCE(?p, IF(?from = ?to, kzr:date-exact-year, "")) AS ?precision)
  OPTIONAL { ?x kazkg:inSector|((kazkg:involves|kazkg:about|kazkg:appliesTo)/kazkg:inSector) ?sector }
  OPTIONAL { ?x kazkg:place|kazkg:locatedIn|((kazkg:involves|kazkg:about|kazkg:appliesTo)/kazkg:locatedIn) ?place }
}"""


@dataclass
class Item:
    iri: str
    start: int
    end: int
    precision: str
    sectors: set = field(default_factory=set)
    places: set = field(default_factory=set)

    @property
    def exact(self) -> bool:
        return self.start == self.end

    def left(self) -> float:
        return round(100 * (max(self.start, YEARS[0]) - YEARS[0]) / (YEARS[1] - YEARS[0] + 1), 2)

    def width(self) -> float:
        span = min(self.end, YEARS[1]) - max(self.start, YEARS[0]) + 1
        return round(100 * max(span, 1) / (YEARS[1] - YEARS[0] + 1), 2)


def timeline_items() -> list[Item]:
    def compute():
        items: dict[str, Item] = {}
        for row in select(TIMELINE_QUERY):
            if row.get("from") is None or row.get("to") is None:
                continue
            iri = str(row["x"])
            precision = str(row["precision"]) if row.get("precision") is not None else ""
            item = items.setdefault(iri, Item(iri, int(row["from"]), int(row["to"]), precision))
            if row.get("sector") is not None:
                item.sectors.add(str(row["sector"]))
            if row.get("place") is not None:
                item.places.add(str(row["place"]))
        kept = [i for i in items.values() if i.end >= YEARS[0] and i.start <= YEARS[1]]
        return sorted(kept, key=lambda i: (i.start, i.end, i.iri))
    return cached("timeline", compute)


@bp.route("/timeline")
def timeline():
    nm = names()
    items = timeline_items()
    sector, place = request.args.get("sector", ""), request.args.get("place", "")
    sectors = sorted({s for i in items for s in i.sectors}, key=lambda s: nm.label(s))
    places = sorted({p for i in items for p in i.places}, key=lambda p: nm.label(p))
    shown = [i for i in items if (not sector or sector in i.sectors) and (not place or place in i.places)]
    ticks = list(range(1956, YEARS[1] + 1, 2))
    return render_template("timeline.html", items=shown, total=len(items), sectors=sectors,
                           places=places, sector=sector, place=place, names=nm, local=local,
                           ticks=ticks, years=YEARS, lang=lang(),
                           tick_left=lambda y: round(100 * (y - YEARS[0]) / (YEARS[1] - YEARS[0] + 1), 2))


# --- map -------------------------------------------------------------------------------------

MAP_QUERY = """
SELECT ?x ?lat ?long ?site ?sector WHERE {
  { ?x geo:lat ?lat ; geo:long ?long . FILTER NOT EXISTS { ?x a kazkg:Geometry } }
  UNION
  { ?x a kazkg:Enterprise ; kazkg:locatedIn ?site . ?site geo:lat ?lat ; geo:long ?long .
    FILTER NOT EXISTS { ?x geo:lat ?own } }
  OPTIONAL { ?x kazkg:inSector ?sector }
}"""


@dataclass
class Marker:
    iri: str
    x: float
    y: float
    lat: float
    lon: float
    sectors: set
    site: str | None  # the place an enterprise without coordinates of its own is drawn at
    sector: str | None = None  # the most specific of `sectors`: the marker's colour


def markers() -> list[Marker]:
    def compute():
        frame = Frame()
        found: dict[str, Marker] = {}
        for row in select(MAP_QUERY):
            iri = str(row["x"])
            try:
                lat, lon = float(row["lat"]), float(row["long"])
            except (TypeError, ValueError):
                continue
            if iri not in found:
                site = str(row["site"]) if row.get("site") is not None else None
                found[iri] = Marker(iri, *frame.xy(lon, lat), lat, lon, set(), site)
            if row.get("sector") is not None:
                found[iri].sectors.add(str(row["sector"]))
        # A marker's colour is its most specific sector: the one with the fewest members.
        size = defaultdict(int)
        for marker in found.values():
            for s in marker.sectors:
                size[s] += 1
        for marker in found.values():
            if marker.sectors:
                marker.sector = min(marker.sectors, key=lambda s: (size[s], s))
        # Enterprises drawn at their town's point are spread on a small circle around it.
        by_site = defaultdict(list)
        for marker in found.values():
            if marker.site:
                by_site[marker.site].append(marker)
        for group in by_site.values():
            for n, marker in enumerate(sorted(group, key=lambda m: m.iri)):
                angle = math.pi / 2 + 2 * math.pi * n / len(group)  # the first one below
                marker.x = round(marker.x + 13 * math.cos(angle), 1)
                marker.y = round(marker.y + 13 * math.sin(angle), 1)
        return sorted(found.values(), key=lambda m: (m.sector or "~", m.iri))
    return cached("markers", compute)


@bp.route("/map")
def map_page():
    nm = names()
    all_markers = markers()
    sectors = sorted({m.sector for m in all_markers if m.sector}, key=lambda s: nm.label(s))
    colours = {s: SECTOR_COLOURS[i % len(SECTOR_COLOURS)] for i, s in enumerate(sectors)}
    every = sorted({s for m in all_markers for s in m.sectors}, key=lambda s: nm.label(s))
    sector = request.args.get("sector", "")
    shown = [m for m in all_markers if not sector or sector in m.sectors]
    return render_template("map.html", markers=shown, sectors=sectors, every=every, colours=colours,
                           sector=sector, names=nm, local=local, frame=Frame(),
                           outline=outline_path(), attribution=ATTRIBUTION, lang=lang())
