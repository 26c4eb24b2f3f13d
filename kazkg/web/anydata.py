"""The timeline and the map for someone else's data (`kazkg serve FILE...`): what that data
dates (kazkg.web.dates: OWL-Time, Dublin Core, schema.org, PROV) and where it puts things
(WGS84 geo:lat/geo:long, schema:latitude/longitude directly or through schema:geo, GeoSPARQL
points in WKT), drawn as the bundled data's pages draw theirs. Data with nothing to draw gets
a page that says so and sends the reader to /browse.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .atlas import ATTRIBUTION, Frame, land_path
from .dates import OPEN, spans
from .labels import Box, place_labels
from .lookup import cached, names, select

COORDINATES = """SELECT ?x ?lat ?long ?wkt WHERE {
  { ?x geo:lat ?lat ; geo:long ?long }
  UNION { ?x geo:location ?at . ?at geo:lat ?lat ; geo:long ?long }
  UNION { ?x schema:latitude|<http://schema.org/latitude> ?lat ; schema:longitude|<http://schema.org/longitude> ?long }
  UNION { ?x schema:geo|<http://schema.org/geo> ?at .
          ?at schema:latitude|<http://schema.org/latitude> ?lat ; schema:longitude|<http://schema.org/longitude> ?long }
  UNION { ?x geosparql:hasGeometry|geosparql:hasDefaultGeometry ?at . ?at geosparql:asWKT ?wkt }
  FILTER (isIRI(?x))
}"""
POINT = re.compile(r"^\s*(?:<([^>]*)>\s*)?POINT\s*(?:Z\s*|M\s*|ZM\s*)?\(\s*(-?[\d.]+(?:[eE]-?\d+)?)\s+(-?[\d.]+(?:[eE]-?\d+)?)",
                   re.IGNORECASE)
# CRS whose axis order is latitude first (WKT without a CRS is CRS84: longitude first).
LAT_FIRST = ("/EPSG/0/4326",)
# Big data: the page draws this many rows or markers (the first by time or by name) and names
# this many places on the map; it says how many more there are.
ROWS_SHOWN = 500
MARKERS_SHOWN = 2000
NAMED = 150


def point(wkt: str) -> tuple[float, float] | None:
    """(lat, lon) of a WKT point, or None for another geometry."""
    match = POINT.match(str(wkt))
    if not match:
        return None
    a, b = float(match.group(2)), float(match.group(3))
    crs = match.group(1) or ""
    return (a, b) if crs.endswith(LAT_FIRST) else (b, a)


def coordinates() -> dict[str, tuple[float, float]]:
    """{IRI: (lat, lon)} for everything the data places on the Earth."""
    def compute():
        found = {}
        for row in select(COORDINATES):
            if row.get("wkt") is not None:
                where = point(row["wkt"])
            else:
                try:
                    where = float(row["lat"]), float(row["long"])
                except (TypeError, ValueError):
                    where = None
            if where and -90 <= where[0] <= 90 and -180 <= where[1] <= 180:
                found.setdefault(str(row["x"]), where)
        return found
    return cached("coordinates", compute)


def frame_around(points) -> Frame:
    """A frame that holds `points` with a margin, neither too tall nor too flat to read."""
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    pad_lat, pad_lon = max((north - south) * .15, 1.0), max((east - west) * .15, 1.0)
    south, north = max(south - pad_lat, -80.0), min(north + pad_lat, 80.0)
    west, east = max(west - pad_lon, -180.0), min(east + pad_lon, 180.0)
    kx = math.cos(math.radians((south + north) / 2))
    wide, tall = (east - west) * kx, north - south
    if tall > wide * .75:  # too tall: widen around the middle
        grow = (tall / .75 / kx - (east - west)) / 2
        west, east = max(west - grow, -180.0), min(east + grow, 180.0)
    elif tall < wide * .4:  # too flat: heighten
        grow = (wide * .4 - tall) / 2
        south, north = max(south - grow, -80.0), min(north + grow, 80.0)
    return Frame(round(west, 3), round(east, 3), round(south, 3), round(north, 3))


def map_context(lang: str) -> dict:
    nm = names()
    found = coordinates()
    if not found:
        return {"markers": []}
    frame = frame_around(found.values())
    markers = sorted(((iri, *frame.xy(lon, lat)) for iri, (lat, lon) in found.items()),
                     key=lambda m: nm.label(m[0], lang).casefold())[:MARKERS_SHOWN]
    obstacles = [Box(x - 7, y - 7, 14, 14) for _iri, x, y in markers]
    labels = place_labels([(iri, x, y, nm.label(iri, lang)) for iri, x, y in markers[:NAMED]], obstacles,
                          (frame.width, frame.height))
    land = land_path(frame)
    return {"markers": markers, "labels": labels, "frame": frame, "land": land,
            "attribution": ATTRIBUTION, "coordinates": found, "total": len(found)}


@dataclass
class Row:
    iri: str
    start: int
    end: int
    via: list
    years: tuple

    @property
    def kind(self) -> str:
        return "exact" if self.start == self.end else "period"

    def when(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}–{self.end}"

    def left(self) -> float:
        return position(self.start, self.years)

    def width(self) -> float:
        first, last = self.years
        return round(100 * max(self.end - self.start + 1, 1) / (last - first + 1), 2)


def position(year: int, years: tuple) -> float:
    return round(100 * (year - years[0]) / (years[1] - years[0] + 1), 2)


def timeline_context() -> dict:
    found = {iri: s for iri, s in spans().items() if abs(s.start) != OPEN and abs(s.end) != OPEN}
    if not found:
        return {"rows": []}
    years = (min(s.start for s in found.values()), max(s.end for s in found.values()))
    rows = sorted((Row(iri, s.start, s.end, sorted(s.via), years) for iri, s in found.items()),
                  key=lambda r: (r.start, r.end, names().label(r.iri).casefold()))
    return {"rows": rows[:ROWS_SHOWN], "total": len(rows), "years": years, "ticks": ticks(years)}


def ticks(years: tuple) -> list[tuple[int, str, float]]:
    """Year marks at a round step, about a dozen of them; every fifth one major."""
    span = years[1] - years[0] + 1
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 10_000) if span / s <= 14)
    first = -(-years[0] // step) * step
    return [(y, "major" if y % (step * 5) == 0 or y == first else "minor", position(y, years))
            for y in range(first, years[1] + 1, step)]
