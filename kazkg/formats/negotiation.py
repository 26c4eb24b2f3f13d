"""Content negotiation: one best-match function over the formats of kazkg.formats.table.

Every answer that negotiates (the endpoint, the Graph Store, resources, graphs, the ontology,
the dumps, VoID and error pages) calls best_match. The Accept header is read by the pure
RFC 9110 functions of kazkg.formats.accept; the order of each table is the server's
preference when the client does not care (no Accept, or */*).
"""

from __future__ import annotations


from .accept import Offer, kept_when_short, negotiate
from .table import PAGE_FORMATS, RDF_FORMATS, RESULT_FORMATS, Format  # noqa: F401 (offered here)

HTML = "text/html"
# A web page: chosen only when the client names text/html and ranks it at least as high as
# every other format on offer (it comes first, so it wins a tie).
PAGE = Format("html", HTML, "https://html.spec.whatwg.org/", (), ("application/xhtml+xml",))

# `format=` values people type, beyond the short names and the media types themselves.
FORMAT_ALIASES = {
    "ttl": "turtle", "n-triples": "nt", "ntriples": "nt", "json-ld": "jsonld",
    "rdfxml": "xml", "rdf+xml": "xml", "rdf": "xml", "nq": "nquads", "n-quads": "nquads",
    "srj": "json", "srx": "xml", "n3": "turtle",  # Turtle is N3 too
}


class NotAcceptable(Exception):
    """No offered format meets the Accept header (or the `format=` parameter)."""

    def __init__(self, wanted: str, formats: tuple[Format, ...], why: str = ""):
        self.wanted, self.formats = wanted, formats
        offered = ", ".join(f.media_type for f in formats)
        reason = f" ({why})" if why else ""
        super().__init__(f"cannot answer in {wanted}{reason}; this answer is available as: {offered}")


def _named(value: str, fmt: Format) -> bool:
    return value == fmt.name or value == fmt.media_type or value in fmt.aliases or value in fmt.names


def _from_param(values: tuple[str, ...], formats: tuple[Format, ...]) -> Format | None:
    """The format that every non-empty `format=` value names (a value may list several media
    types, as SPARQLWrapper sends them), None when no value is given."""
    given = [v for v in values if v.strip()]
    if not given:
        return None
    common = list(formats)
    for value in given:
        wanted = {FORMAT_ALIASES.get(w, w) for w in
                  (part.split(";")[0].strip().lower() for part in value.split(","))}
        common = [fmt for fmt in common if any(_named(w, fmt) for w in wanted)]
    if not common:
        shown = " and ".join(repr(v) for v in given)
        if len(given) > 1 and all(_from_param((v,), formats) for v in given):
            raise NotAcceptable(shown, formats, "these format values name different formats")
        raise NotAcceptable(shown, formats)
    return common[0]


@kept_when_short(maxsize=512)  # clients repeat their headers (a long one is not kept)
def best_match(accept: str | None, formats: tuple[Format, ...],
               format_param: str | tuple[str, ...] | None = None, *, page: bool = False) -> Format:
    """The format to answer in: the one `format_param` names if given, else the best for
    `accept` (RFC 9110: q-values, specificity, wildcards, parameters; charset ignored).

    With `page`, PAGE (HTML) is on offer too, ahead of `formats`. A missing or empty Accept
    means "anything": the first of `formats`. Raise NotAcceptable when nothing fits.
    """
    offered = ((PAGE,) if page else ()) + formats
    values = (format_param,) if isinstance(format_param, str) else tuple(format_param or ())
    chosen = _from_param(values, offered)
    if chosen is not None:
        return chosen
    index = negotiate(accept, tuple(Offer(f.media_type, f.aliases, f.params, f is PAGE)
                                    for f in offered))
    if index is None:
        plain = "text/plain" in (accept or "").lower() and not any(
            "text/plain" in f.aliases for f in formats)
        raise NotAcceptable(repr(accept or ""), formats, _PLAIN if plain else "")
    return offered[index]


_PLAIN = ("text/plain is N-Triples' media type of old, so graphs (CONSTRUCT, DESCRIBE) come as "
          "N-Triples for it; results have no plain-text format: CSV and TSV are text")


def prefers_html(accept: str | None, formats: tuple[Format, ...] | None = None) -> bool:
    """True when a web page is the best answer to `accept` among `formats` (default: JSON,
    what error answers are written in otherwise)."""
    try:
        return best_match(accept, formats or RESULT_FORMATS[:1], page=True) is PAGE
    except NotAcceptable:
        return False


def by_name(name: str, formats: tuple[Format, ...]) -> Format:
    for fmt in formats:
        if fmt.name == name:
            return fmt
    raise KeyError(name)
