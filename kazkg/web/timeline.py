"""The timeline page (/timeline), drawn as HTML on the server, filtered by plain GET forms.

What each bar means comes from the data's date rule (kazkg:datePrecision): an exact year, a
period whose two bounds are exact years (a name's or a membership's period), a span the
date lies somewhere within (the fainter, the vaguer), or a period open at one end. Items the
source gives no date for (kzr:date-undated) are listed apart, not drawn as bars.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, render_template, request

from . import anydata
from .answers import service
from .i18n import lazy_gettext as _l, page_lang
from .lookup import cached, names, select
from .premises import dated_qualifier
from .resource import local

bp = Blueprint("timeline", __name__)

YEARS = (1956, 1989)  # the span the source text covers: 1956 to the 1980s
OPEN = 10_000  # a bound that the data leaves open

QUERY = """
SELECT ?x ?from ?to ?precision ?sector ?place WHERE {
  ?x kazkg:hasTime ?time .
  OPTIONAL { ?time time:inXSDgYear ?exact }
  OPTIONAL { ?time time:hasBeginning/time:inXSDgYear ?begin }
  OPTIONAL { ?time time:hasEnd/time:inXSDgYear ?end }
  OPTIONAL { ?time kazkg:datePrecision ?precision }
  BIND (xsd:integer(SUBSTR(STR(COALESCE(?exact, ?begin)), 1, 4)) AS ?from)
  BIND (xsd:integer(SUBSTR(STR(COALESCE(?exact, ?end)), 1, 4)) AS ?to)
  FILTER (BOUND(?from) || BOUND(?to))
  OPTIONAL { ?x kazkg:inSector|((kazkg:involves|kazkg:about|kazkg:appliesTo)/kazkg:inSector) ?sector }
  OPTIONAL { ?x kazkg:place|kazkg:locatedIn|((kazkg:involves|kazkg:about|kazkg:appliesTo)/kazkg:locatedIn) ?place }
}"""

# Bar kinds, each with its legend text (kept short: the item's page has the full date rule).
KINDS = {
    "exact": _l("exact year"),
    "period": _l("a period with exact bounds"),
    "span": _l("somewhere within a span"),
    "open": _l("a period open at one end"),
}


@dataclass
class Item:
    iri: str
    start: int  # -OPEN or OPEN where the data leaves a bound open
    end: int
    precision: str
    sectors: set = field(default_factory=set)
    places: set = field(default_factory=set)
    certainty: str | None = None  # of an item that is one claim, where less than attested

    @property
    def kind(self) -> str:
        rule = self.precision.rsplit("/", 1)[-1]
        if rule in ("date-open-bound", "date-to-present") or OPEN in (abs(self.start), abs(self.end)):
            return "open"
        if self.start == self.end:
            return "exact"
        return "period" if rule in ("", "date-exact-year", "date-stated-years") else "span"

    @property
    def undated(self) -> bool:
        return self.precision.endswith("/date-undated")

    def when(self) -> str:
        if self.start == self.end:
            return str(self.start)
        start = "" if self.start == -OPEN else str(self.start)
        end = "" if self.end == OPEN else str(self.end)
        return f"{start}–{end}"

    def left(self) -> float:
        return position(max(self.start, YEARS[0]))

    def width(self) -> float:
        span = min(self.end, YEARS[1]) - max(self.start, YEARS[0]) + 1
        return round(100 * max(span, 1) / (YEARS[1] - YEARS[0] + 1), 2)


def position(year: int) -> float:
    return round(100 * (year - YEARS[0]) / (YEARS[1] - YEARS[0] + 1), 2)


def items() -> list[Item]:
    def compute():
        found: dict[str, Item] = {}
        for row in select(QUERY):
            start = int(row["from"]) if row.get("from") is not None else -OPEN
            end = int(row["to"]) if row.get("to") is not None else OPEN
            precision = str(row["precision"]) if row.get("precision") is not None else ""
            item = found.setdefault(str(row["x"]), Item(str(row["x"]), start, end, precision))
            if row.get("sector") is not None:
                item.sectors.add(str(row["sector"]))
            if row.get("place") is not None:
                item.places.add(str(row["place"]))
        kept = [i for i in found.values() if i.end >= YEARS[0] and i.start <= YEARS[1]]
        for i in kept:
            i.certainty = dated_qualifier(i.iri)
        return sorted(kept, key=lambda i: (i.start, i.end, i.iri))
    return cached("timeline", compute)


@bp.route("/timeline")
def timeline():
    nm, lang = names(), page_lang()
    if not service().own_data:
        return render_template("timeline_data.html", names=nm, **anydata.timeline_context())
    every = items()
    sector, place = request.args.get("sector", ""), request.args.get("place", "")
    sectors = sorted({s for i in every for s in i.sectors}, key=lambda s: nm.label(s, lang))
    places = sorted({p for i in every for p in i.places}, key=lambda p: nm.label(p, lang))
    shown = [i for i in every if (not sector or sector in i.sectors) and (not place or place in i.places)]
    ticks = [(y, "major" if y % 10 == 0 else "first" if y == YEARS[0] else "minor", position(y))
             for y in range(YEARS[0], YEARS[1] + 1, 2)]
    return render_template("timeline.html", dated=[i for i in shown if not i.undated],
                           undated=[i for i in shown if i.undated], total=len(every),
                           sectors=sectors, places=places, sector=sector, place=place, names=nm,
                           local=local, ticks=ticks, years=YEARS, kinds=KINDS, open=OPEN)
