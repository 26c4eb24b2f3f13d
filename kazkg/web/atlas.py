"""Kazakhstan's outline for the maps, drawn server-side as SVG (so maps need no JavaScript).

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

ATLAS = Path(__file__).parent / "static" / "vendor" / "world-atlas-2.0.2" / "countries-50m.json"
KAZAKHSTAN = "398"  # ISO 3166-1 numeric, the id world-atlas gives each country
ATTRIBUTION = ("Borders: Natural Earth 1:50m Admin 0 countries (public domain), "
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


def rings(country: str = KAZAKHSTAN) -> list[list[tuple[float, float]]]:
    """The country's rings as lists of (lon, lat)."""
    topology = _topology()
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("id") == country:
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
    raise KeyError(country)


@functools.lru_cache(maxsize=8)
def outline_path(frame: Frame = Frame()) -> str:
    """An SVG path `d` for Kazakhstan in `frame`."""
    parts = []
    for ring in rings():
        coords = [frame.xy(lon, lat) for lon, lat in ring]
        parts.append("M" + "L".join(f"{x},{y}" for x, y in coords) + "Z")
    return "".join(parts)
