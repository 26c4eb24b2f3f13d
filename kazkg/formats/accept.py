"""RFC 9110 proactive negotiation (section 12.5.1): which offered media type an Accept header
prefers. Pure functions, no tables: kazkg.formats.negotiation names the offers.

- A media range is `type/subtype`, `type/*` or `*/*` (a lone `*` is read as `*/*`, as old Java
  clients send it), then parameters, then an optional weight `q=` (0 to 1; parameters after
  it are accept-extensions and ignored). A malformed element is skipped, not fatal.
- An offer's quality is the q of the most specific range that matches it: a range with
  parameters beats the bare type, which beats `type/*`, which beats `*/*`. A range's
  parameters must all be the offer's (charset is ignored: every answer is UTF-8). An offer's
  `profile` and `version` are sets (space-separated): a range's must be among them, so
  `text/turtle;version=1.1` (RDF 1.2's version announcement) matches an offer that is valid
  as every version it lists.
- The best offer has the highest quality above 0; a tie goes to the earlier offer (the
  server's preference). An offer's aliases (application/json for SPARQL JSON results) count
  only when a range names them exactly: `text/*` must not pick an answer in application/...
  An offer marked `named` (a web page) also needs its exact type, so `*/*` never picks a page.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_PARAM = re.compile(rf"\s*;\s*({_TOKEN})\s*=\s*(\"(?:[^\"\\]|\\.)*\"|{_TOKEN})?\s*")
_RANGE = re.compile(rf"\s*({_TOKEN})(?:\s*/\s*({_TOKEN}))?")
IGNORED_PARAMS = ("charset",)
SET_PARAMS = ("profile", "version")  # an offer's value lists every value it satisfies


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    q: float

    def specificity(self) -> tuple[int, int]:
        if self.type == "*":
            return (0, 0)
        if self.subtype == "*":
            return (1, 0)
        return (2, len(self.params))

    def matches(self, media_type: str, params: tuple[tuple[str, str], ...] = ()) -> bool:
        kind, _, sub = media_type.lower().partition("/")
        if self.type != "*" and (self.type != kind or (self.subtype != "*" and self.subtype != sub)):
            return False
        offered = dict(params)
        for name, value in self.params:
            if name in SET_PARAMS:
                if not set(value.split()) <= set(offered.get(name, "").split()):
                    return False
            elif offered.get(name) != value:
                return False
        return True


def _unquote(value: str | None) -> str:
    if not value:
        return ""
    if value.startswith('"'):
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _element(text: str) -> MediaRange | None:
    """One element of an Accept header, or None when it is malformed."""
    found = _RANGE.match(text)
    if not found:
        return None
    kind, sub = found.group(1).lower(), (found.group(2) or "").lower()
    if not sub:
        if kind != "*":
            return None
        sub = "*"
    if kind == "*" and sub != "*":
        return None
    params, q, pos = [], 1.0, found.end()
    while pos < len(text):
        param = _PARAM.match(text, pos)
        if not param:
            return None
        name, value = param.group(1).lower(), _unquote(param.group(2))
        pos = param.end()
        if name == "q":
            try:
                q = float(value)
            except ValueError:
                return None
            if not 0 <= q <= 1:
                return None
            break  # what follows the weight are accept-extensions
        if name not in IGNORED_PARAMS:
            params.append((name, value))
    return MediaRange(kind, sub, tuple(params), q)


def _split(header: str, most: int) -> list[str]:
    """Split at commas outside quoted strings, into at most `most` non-empty parts."""
    parts, current, quoted, escaped = [], [], False, False
    for char in header:
        if len(parts) >= most:
            break
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [part for part in parts if part.strip()][:most]


# A header is kept parsed only when it is short, and read for its first MAX_RANGES elements:
# 3,000 unique Accept headers of 31,000 `*,` each grew an HTTP process by 3 GB (512 kept
# parses of 5.5 MB) and cost 0.3 s of its CPU each (the attacker's review). Browsers send
# under 10 ranges; a longer header costs its (bounded) parse each time instead.
KEPT_HEADER = 1024  # characters
MAX_RANGES = 64


def kept_when_short(maxsize: int):
    """functools.lru_cache for a function of a header and other values from the request (a
    ?format= list), keeping only calls whose texts come to at most KEPT_HEADER characters."""
    def decorate(fn):
        cached = functools.lru_cache(maxsize=maxsize)(fn)

        @functools.wraps(fn)
        def call(header, *args, **kwargs):
            if text_length((header, *args)) > KEPT_HEADER:
                return fn(header, *args, **kwargs)
            return cached(header, *args, **kwargs)
        call.cache_clear, call.cache_info = cached.cache_clear, cached.cache_info
        return call
    return decorate


def text_length(values) -> int:
    """The characters of the texts among `values` and in their tuples (a ?format= list)."""
    return sum(len(v) if isinstance(v, str) else text_length(v) if isinstance(v, tuple) else 0
               for v in values)


@kept_when_short(maxsize=512)  # clients repeat their headers
def parse(header: str | None) -> tuple[MediaRange, ...]:
    """The well-formed media ranges of an Accept header, in its order (its first MAX_RANGES
    elements). An empty or missing header, or one with no well-formed element, accepts
    anything (`*/*`)."""
    ranges = tuple(r for r in (_element(part) for part in _split(header or "", MAX_RANGES)) if r)
    return ranges or (MediaRange("*", "*", (), 1.0),)


def quality(ranges: tuple[MediaRange, ...], media_type: str,
            params: tuple[tuple[str, str], ...] = (), named: bool = False) -> float:
    """The q the ranges give an offer: that of the most specific matching range (the highest
    q among equally specific ones), 0 when none matches. `named` offers need an exact type."""
    best: tuple[tuple[int, int], float] | None = None
    for media_range in ranges:
        if not media_range.matches(media_type, params):
            continue
        rank = media_range.specificity()
        if named and rank[0] < 2:
            continue
        if best is None or rank > best[0] or (rank == best[0] and media_range.q > best[1]):
            best = (rank, media_range.q)
    return best[1] if best else 0.0


@dataclass(frozen=True)
class Offer:
    media_type: str
    aliases: tuple[str, ...] = ()  # other names a client may ask for it by, exactly
    params: tuple[tuple[str, str], ...] = ()
    named: bool = False  # counts only when asked for by its exact type (web pages)


def negotiate(header: str | None, offers: tuple[Offer, ...]) -> int | None:
    """The index of the offer the header prefers (ties: the earliest), None if it accepts
    none of them."""
    ranges = parse(header)
    best, best_q = None, 0.0
    for index, offer in enumerate(offers):
        q = max([quality(ranges, offer.media_type, offer.params, offer.named)]
                + [quality(ranges, alias, offer.params, True) for alias in offer.aliases])
        if q > best_q:
            best, best_q = index, q
    return best
