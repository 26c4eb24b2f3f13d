"""Where to set the map's place names so that none overlaps a marker or another name.

A greedy placement, as cartographers' label engines start: each name, in turn, takes the
first of eight positions around its point (right first, then left, above, below and the
diagonals) whose box stays on the map and clear of every marker and of the names already
set; failing those, the same eight directions further out, joined to the point by a leader
line; a name with no free position is left out (its marker keeps its tooltip).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

FONT = 13  # px, as the stylesheet sets .maplabel
CHAR = 0.62 * FONT  # the average advance of a character in a sans-serif face, a fair estimate
GAP = 7  # between a point and its name


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: "Box") -> bool:
        return not (self.x + self.w <= other.x or other.x + other.w <= self.x or
                    self.y + self.h <= other.y or other.y + other.h <= self.y)


@dataclass(frozen=True)
class Label:
    iri: str
    text: str
    x: float  # the text's anchor point
    y: float
    anchor: str  # SVG text-anchor: start, middle or end
    leader: tuple | None = None  # (x1, y1, x2, y2) of a line from the point to a name set apart


def candidates(x: float, y: float, width: float):
    """(box, anchor x, baseline y, text-anchor) for the eight positions around (x, y)."""
    h, half = FONT + 2, width / 2
    yield Box(x + GAP, y - h / 2, width, h), x + GAP, y + FONT / 2 - 2, "start"
    yield Box(x - GAP - width, y - h / 2, width, h), x - GAP, y + FONT / 2 - 2, "end"
    yield Box(x - half, y - GAP - h, width, h), x, y - GAP - 3, "middle"
    yield Box(x - half, y + GAP, width, h), x, y + GAP + FONT - 1, "middle"
    for dx, anchor in ((1, "start"), (-1, "end")):
        for dy in (-1, 1):
            bx = x + GAP * .7 if dx > 0 else x - GAP * .7 - width
            by = y - GAP * .7 - h if dy < 0 else y + GAP * .7
            yield Box(bx, by, width, h), x + dx * GAP * .7, by + FONT - 1, anchor


def further(x: float, y: float, width: float):
    """The eight directions at two larger distances, each with a leader line."""
    h = FONT + 2
    for distance in (26, 42):
        for step in range(8):
            dx = round(math.cos(math.radians(step * 45)), 3)
            dy = round(math.sin(math.radians(step * 45)), 3)
            ex, ey = x + dx * distance, y + dy * distance  # where the leader ends
            if dx > 0.1:
                box, anchor, tx = Box(ex + 2, ey - h / 2, width, h), "start", ex + 2
            elif dx < -0.1:
                box, anchor, tx = Box(ex - 2 - width, ey - h / 2, width, h), "end", ex - 2
            else:
                box, anchor, tx = Box(ex - width / 2, ey - h / 2, width, h), "middle", ex
            leader = (x + dx * 6, y + dy * 6, ex - dx * 2, ey - dy * 2)
            yield box, tx, ey + FONT / 2 - 2, anchor, leader


def place_labels(points, obstacles, size) -> list[Label]:
    """`points`: (iri, x, y, text) in the order of their claim to room (the first wins)."""
    width_limit, height_limit = size
    taken: list[Box] = list(obstacles)
    placed = []
    for iri, x, y, text in points:
        width = len(text) * CHAR + 2
        near = ((*c, None) for c in candidates(x, y, width))
        for box, tx, ty, anchor, leader in itertools.chain(near, further(x, y, width)):
            on_map = box.x >= 0 and box.y >= 0 and box.x + box.w <= width_limit and box.y + box.h <= height_limit
            if on_map and not any(box.overlaps(other) for other in taken):
                taken.append(box)
                if leader:
                    leader = tuple(round(v, 1) for v in leader)
                placed.append(Label(iri, text, round(tx, 1), round(ty, 1), anchor, leader))
                break
    return placed
