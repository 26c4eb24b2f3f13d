"""The map page (/map): places and enterprises on Kazakhstan and its neighbours' land, drawn
as SVG on the server.

Each sector has its own colour and its own shape (the second cue, for who cannot tell the
colours apart), both in the legend. Enterprises without coordinates of their own are drawn on
a small circle around their town. Place names are set where they overlap no marker and no
other name (kazkg.web.labels); a name that finds no room is left to the marker's tooltip and
the list below. `?names=soviet` shows the names in use in 1975 (see `soviet_names`).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from flask import Blueprint, render_template, request
from markupsafe import Markup

from ..namespaces import KAZKG
from . import anydata
from .answers import service
from .atlas import ATTRIBUTION, Frame, neighbours_path, outline_path
from .i18n import page_lang
from .labels import Box, place_labels
from .lookup import cached, names, select
from .pageparams import VALUES
from .resource import local

bp = Blueprint("mapview", __name__)

SOVIET_YEAR = 1975
# Okabe-Ito and Tol's colour-blind-safe palettes; with the shapes below, no two sectors share both.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#332288", "#882255", "#117733",
           "#56B4E9", "#999933", "#AA4499", "#44AA99", "#661100", "#6699CC", "#888888")
SHAPES = ("circle", "square", "triangle", "diamond", "down", "pentagon", "hexagon", "star")

MARKERS = """
SELECT ?x ?lat ?long ?site ?sector WHERE {
  { ?x geo:lat ?lat ; geo:long ?long . FILTER NOT EXISTS { ?x a kazkg:Geometry } }
  UNION
  { ?x a kazkg:Enterprise ; kazkg:locatedIn ?site . ?site geo:lat ?lat ; geo:long ?long .
    FILTER NOT EXISTS { ?x geo:lat ?own } }
  OPTIONAL { ?x kazkg:inSector ?sector }
}"""

NAMES_IN_TIME = """
SELECT ?x ?name ?from ?to ?dated WHERE {
  ?x kazkg:hasName ?use . ?use kazkg:name ?name .
  OPTIONAL { ?use kazkg:hasTime ?time .
    OPTIONAL { ?time time:hasBeginning/time:inXSDgYear ?b } OPTIONAL { ?time time:hasEnd/time:inXSDgYear ?e } }
  BIND (BOUND(?time) AS ?dated)
  BIND (xsd:integer(SUBSTR(STR(?b), 1, 4)) AS ?from)
  BIND (xsd:integer(SUBSTR(STR(?e), 1, 4)) AS ?to)
}"""
RENAMED = "SELECT ?x ?year WHERE { ?r a kazkg:Renaming ; kazkg:place ?x ; kazkg:hasTime/time:inXSDgYear ?year }"


@dataclass
class Marker:
    iri: str
    x: float
    y: float
    sectors: set
    site: str | None  # the place an enterprise without coordinates of its own is drawn at
    enterprise: bool
    sector: str | None = None  # the most specific of `sectors`: the marker's colour and shape


def markers() -> list[Marker]:
    def compute():
        frame, nm = Frame(), names()
        found: dict[str, Marker] = {}
        for row in select(MARKERS):
            iri = str(row["x"])
            try:
                lat, lon = float(row["lat"]), float(row["long"])
            except (TypeError, ValueError):
                continue
            if iri not in found:
                site = str(row["site"]) if row.get("site") is not None else None
                found[iri] = Marker(iri, *frame.xy(lon, lat), set(), site,
                                    str(KAZKG.Enterprise) in nm.types.get(iri, ()))
            if row.get("sector") is not None:
                found[iri].sectors.add(str(row["sector"]))
        size = defaultdict(int)  # the most specific sector: the one with the fewest members
        for marker in found.values():
            for s in marker.sectors:
                size[s] += 1
        for marker in found.values():
            if marker.sectors:
                marker.sector = min(marker.sectors, key=lambda s: (size[s], s))
        by_site = defaultdict(list)
        for marker in found.values():
            if marker.site:
                by_site[marker.site].append(marker)
        for group in by_site.values():  # spread on a circle around the town, the first below
            radius = 13 if len(group) < 5 else 17
            for n, marker in enumerate(sorted(group, key=lambda m: m.iri)):
                angle = math.pi / 2 + 2 * math.pi * n / len(group)
                marker.x = round(marker.x + radius * math.cos(angle), 1)
                marker.y = round(marker.y + radius * math.sin(angle), 1)
        return sorted(found.values(), key=lambda m: (m.sector or "~", m.iri))
    return cached("markers", compute)


def soviet_names() -> dict[str, dict[str, str]]:
    """{IRI: {lang: name}}: the name a place or enterprise had in 1975. A dated name (kazkg:NameUse
    with a period) counts where its period holds 1975; else, for something renamed after 1975
    that has exactly one undated former name, that name. Others keep their present name."""
    def compute():
        dated, undated = defaultdict(lambda: defaultdict(Counter)), defaultdict(lambda: defaultdict(set))
        for row in select(NAMES_IN_TIME):
            iri, name = str(row["x"]), row["name"]
            lang = (name.language or "").lower()
            if str(row.get("dated")).lower() == "true":
                start = int(row["from"]) if row.get("from") is not None else -10_000
                end = int(row["to"]) if row.get("to") is not None else 10_000
                if start <= SOVIET_YEAR <= end:  # sources may differ: the name most attest
                    dated[iri][lang][str(name)] += 1
            else:
                undated[iri][lang].add(str(name))
        renamed_later = {str(r["x"]) for r in select(RENAMED) if int(str(r["year"])[:4]) > SOVIET_YEAR}
        out = {iri: {lang: max(c, key=lambda n: (c[n], n)) for lang, c in by_lang.items()}
               for iri, by_lang in dated.items()}
        for iri in renamed_later - set(out):
            if undated.get(iri) and all(len(v) == 1 for v in undated[iri].values()):
                out[iri] = {lang: next(iter(v)) for lang, v in undated[iri].items()}
        return out
    return cached("soviet-names", compute)


def symbol(shape: str, x: float, y: float, r: float) -> str:
    """An SVG path `d` for a marker of `shape` centred on (x, y)."""
    if shape == "circle":
        return f"M{x - r},{y}a{r},{r} 0 1,0 {2 * r},0a{r},{r} 0 1,0 {-2 * r},0Z"
    if shape == "square":
        s = r * .9
        return f"M{x - s},{y - s}h{2 * s}v{2 * s}h{-2 * s}Z"
    corners = {"triangle": (3, -90, 1.25), "down": (3, 90, 1.25), "diamond": (4, 0, 1.2),
               "pentagon": (5, -90, 1.1), "hexagon": (6, 0, 1.05), "star": (10, -90, 1.35)}[shape]
    n, start, k = corners
    points = []
    for i in range(n):
        radius = r * k * (0.5 if shape == "star" and i % 2 else 1)
        angle = math.radians(start + 360 * i / n)
        points.append(f"{round(x + radius * math.cos(angle), 1)},{round(y + radius * math.sin(angle), 1)}")
    return "M" + "L".join(points) + "Z"


@bp.route("/map")
def map_page():
    nm, lang, frame = names(), page_lang(), Frame()
    if not service().own_data:
        return render_template("map_data.html", names=nm, **anydata.map_context(lang))
    every_marker = markers()
    sectors = sorted({m.sector for m in every_marker if m.sector}, key=lambda s: nm.label(s, "en"))
    style = {s: (COLOURS[i % len(COLOURS)], SHAPES[i % len(SHAPES)]) for i, s in enumerate(sectors)}
    every = sorted({s for m in every_marker for s in m.sectors}, key=lambda s: nm.label(s, lang))
    sector = request.args.get("sector", "")
    soviet = soviet_asked() is not None
    former = soviet_names() if soviet else {}

    def shown_name(iri) -> tuple[str, str | None]:
        """The name the map shows and its language (a former name may have no Kazakh form)."""
        if iri in former:
            for choice in (lang, "ru", "en"):
                if choice in former[iri]:
                    return former[iri][choice], choice
        return nm.label_language(iri, lang)

    def name(iri) -> str:
        return shown_name(iri)[0]

    def name_lang(iri) -> str:
        """` lang="ru"` where the name is in another language than the page's, else nothing."""
        language = shown_name(iri)[1]
        return "" if language is None or language == lang else Markup(' lang="{}"').format(language)

    shown = [m for m in every_marker if not sector or sector in m.sectors]
    sited = defaultdict(int)
    for m in shown:
        if m.site:
            sited[m.site] += 1
    places = sorted((m for m in shown if not m.enterprise), key=lambda m: (-sited[m.iri], name(m.iri)))
    obstacles = [Box(m.x - 7, m.y - 7, 14, 14) for m in shown]
    labels = place_labels([(m.iri, m.x, m.y, name(m.iri)) for m in places], obstacles,
                          (frame.width, frame.height))
    return render_template("map.html", markers=shown, places=places, sectors=sectors, every=every,
                           style=style, symbol=symbol, sector=sector, soviet=soviet, name=name, name_lang=name_lang,
                           labels=labels, names=nm, local=local, frame=frame, outline=outline_path(),
                           neighbours=neighbours_path(), attribution=ATTRIBUTION, year=SOVIET_YEAR)


def soviet_asked() -> str | None:
    """?names= as the map reads it: "soviet", else nothing (present, or any noise, is the map of
    present-day names: one kept page for all of them)."""
    return "soviet" if request.args.get("names") == "soviet" else None


VALUES["names"] = soviet_asked
