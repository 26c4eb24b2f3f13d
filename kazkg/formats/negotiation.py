"""Content negotiation: one pure best-match function over the formats of kazkg.formats.table.

Accept headers are parsed by werkzeug (q-values, wildcards, specificity); the order of each
table is the server's preference when the client does not care (no Accept, or */*).
"""

from __future__ import annotations

import functools

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from .table import PAGE_FORMATS, RDF_FORMATS, RESULT_FORMATS, Format  # noqa: F401 (offered here)


HTML = "text/html"

# `format=` values people type, beyond the short names and the media types themselves.
FORMAT_ALIASES = {
    "ttl": "turtle", "n-triples": "nt", "ntriples": "nt", "json-ld": "jsonld",
    "rdfxml": "xml", "rdf+xml": "xml", "rdf": "xml", "nq": "nquads", "n-quads": "nquads",
    "srj": "json", "srx": "xml", "n3": "turtle",  # Turtle is N3 too
}


class NotAcceptable(Exception):
    """No offered format meets the Accept header (or the `format=` parameter)."""

    def __init__(self, wanted: str, formats: tuple[Format, ...]):
        self.wanted, self.formats = wanted, formats
        offered = ", ".join(f.media_type for f in formats)
        super().__init__(f"cannot answer in {wanted!r}; this answer is available as: {offered}")


def parse_accept(header: str | None) -> MIMEAccept:
    return parse_accept_header(header or "", MIMEAccept)


@functools.lru_cache(maxsize=512)  # clients repeat their headers; parsing one costs ~0.1 ms
def best_match(accept: str | None, formats: tuple[Format, ...],
               format_param: str | None = None) -> Format:
    """The format to answer in: `format_param` if given, else the best for `accept`.

    A missing or empty Accept means "anything", so the first format wins. Raise NotAcceptable
    when nothing fits.
    """
    if format_param:
        wanted = format_param.strip().lower()
        wanted = FORMAT_ALIASES.get(wanted, wanted)
        for fmt in formats:
            if wanted == fmt.name or wanted == fmt.media_type or wanted in fmt.aliases:
                return fmt
        raise NotAcceptable(format_param, formats)
    if not accept or not accept.strip():
        return formats[0]
    offers: list[str] = []
    owner: dict[str, Format] = {}
    primaries = [(fmt, fmt.media_type) for fmt in formats]  # a tie goes to a real name
    aliases = [(fmt, alias) for fmt in formats for alias in fmt.aliases]
    for fmt, media_type in primaries + aliases:
        if media_type not in owner:
            offers.append(media_type)
            owner[media_type] = fmt
    chosen = parse_accept(accept).best_match(offers)
    if chosen is None:
        raise NotAcceptable(accept, formats)
    return owner[chosen]


def prefers_html(accept: str | None) -> bool:
    """True for a browser: text/html is asked for by name and ranks at least as high as JSON."""
    parsed = parse_accept(accept)
    if not any(value == HTML for value, _ in parsed):
        return False
    return parsed.quality(HTML) >= parsed.quality("application/json") and parsed.quality(HTML) > 0
