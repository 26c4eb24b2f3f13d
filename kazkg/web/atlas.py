"""Kazakhstan's outline and its neighbours' land for the maps, drawn server-side as SVG (so
maps need no JavaScript). The neighbours are clipped to the map's frame, so the path stays
small; what no country covers (the Caspian and Aral seas) is left in the sea's colour.

The borders come from the npm package world-atlas 2.0.2 (Natural Earth 1:50m Admin 0
countries, public domain; the package is ISC-licensed), vendored unchanged under
static/vendor/world-atlas-2.0.2/. TopoJSON is decoded here: arcs are delta-encoded integers
scaled by the file's transform (https://github.com/topojson/topojson-specification).
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

from .i18n import lazy_gettext as _l

ATLAS = Path(__file__).parent / "static" / "vendor" / "world-atlas-2.0.2" / "countries-50m.json"
KAZAKHSTAN = "398"  # ISO 3166-1 numeric, the id world-atlas gives each country
ATTRIBUTION = _l("Borders: Natural Earth 1:50m Admin 0 countries (public domain), "
                 "via the world-atlas 2.0.2 package")


@dataclass(frozen=True)
class Frame:
    """An equirectangular projection of a lon/lat box onto a width x height picture, with the
    x axis shrunk by cos(mid-latitude) so that shapes are not stretched."""

    west: float = 45.5
    east: float = 88.5
    south: float = 39.5
    north: float = 56.5
    width: float = 900.0

    @property
    def kx(self) -> float:
        return math.cos(math.radians((self.south + self.north) / 2))

    @property
    def scale(self) -> float:
        return self.width / ((self.east - self.west) * self.kx)

    @property
    def height(self) -> float:
        return round((self.north - self.south) * self.scale, 1)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x = (lon - self.west) * self.kx * self.scale
        y = (self.north - lat) * self.scale
        return round(x, 1), round(y, 1)


@functools.lru_cache(maxsize=1)
def _topology() -> dict:
    return json.loads(ATLAS.read_text(encoding="utf-8"))


def _arc(topology: dict, index: int) -> list[tuple[float, float]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arc = topology["arcs"][index if index >= 0 else ~index]
    x = y = 0
    points = []
    for dx, dy in arc:
        x, y = x + dx, y + dy
        points.append((x * sx + tx, y * sy + ty))
    return points if index >= 0 else points[::-1]


def _rings_of(topology: dict, geometry: dict) -> list[list[tuple[float, float]]]:
    if geometry["type"] not in ("Polygon", "MultiPolygon"):
        return []
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    out = []
    for polygon in polygons:
        for ring in polygon:
            points: list = []
            for index in ring:
                part = _arc(topology, index)
                points.extend(part[1:] if points else part)
            out.append(points)
    return out


def rings(country: str = KAZAKHSTAN) -> list[list[tuple[float, float]]]:
    """The country's rings as lists of (lon, lat)."""
    topology = _topology()
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("id") == country:
            return _rings_of(topology, geometry)
    raise KeyError(country)


def _path(rings_xy) -> str:
    return "".join("M" + "L".join(f"{x},{y}" for x, y in ring) + "Z" for ring in rings_xy if len(ring) > 2)


@functools.lru_cache(maxsize=8)
def outline_path(frame: Frame = Frame()) -> str:
    """An SVG path `d` for Kazakhstan in `frame`."""
    return _path([frame.xy(lon, lat) for lon, lat in ring] for ring in rings())


def clip(ring: list, box: tuple[float, float, float, float]) -> list:
    """A polygon clipped to an axis-aligned box (Sutherland-Hodgman): what lies outside the
    frame is not drawn, so it need not be sent."""
    left, top, right, bottom = box
    edges = ((lambda p: p[0] >= left, lambda a, b: _cut_x(a, b, left)),
             (lambda p: p[0] <= right, lambda a, b: _cut_x(a, b, right)),
             (lambda p: p[1] >= top, lambda a, b: _cut_y(a, b, top)),
             (lambda p: p[1] <= bottom, lambda a, b: _cut_y(a, b, bottom)))
    points = ring
    for inside, cut in edges:
        if not points:
            break
        kept, previous = [], points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    kept.append(cut(previous, point))
                kept.append(point)
            elif inside(previous):
                kept.append(cut(previous, point))
            previous = point
        points = kept
    return [(round(x, 1), round(y, 1)) for x, y in points]


def _cut_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return x, a[1] + t * (b[1] - a[1])


def _cut_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return a[0] + t * (b[0] - a[0]), y


@functools.lru_cache(maxsize=8)
def neighbours_path(frame: Frame = Frame()) -> str:
    """An SVG path `d` for the other countries' land within `frame` (clipped to it)."""
    return _land(frame, skip=KAZAKHSTAN, thin=0)


@functools.lru_cache(maxsize=8)
def land_path(frame: Frame) -> str:
    """Every country's land within `frame` (for someone else's data, wherever it lies), with
    the points less than two pixels from the one before left out: a frame round the world would
    otherwise carry every point of the 1:50m borders."""
    return _land(frame, skip=None, thin=2.0)


def _land(frame: Frame, skip: str | None, thin: float) -> str:
    topology = _topology()
    margin = 10
    box = (-margin, -margin, frame.width + margin, frame.height + margin)
    parts = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("id") == skip:
            continue
        for ring in _rings_of(topology, geometry):
            lons, lats = [p[0] for p in ring], [p[1] for p in ring]
            if max(lons) < frame.west - 1 or min(lons) > frame.east + 1 or \
                    max(lats) < frame.south - 1 or min(lats) > frame.north + 1:
                continue
            points = [frame.xy(lon, lat) for lon, lat in ring]
            if thin:
                points = _thinned(points, thin)
            if len(points) > 2:
                parts.append(clip(points, box))
    return _path(parts)


def _thinned(points: list, distance: float) -> list:
    kept = [points[0]]
    for x, y in points[1:]:
        if abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= distance:
            kept.append((x, y))
    return kept
