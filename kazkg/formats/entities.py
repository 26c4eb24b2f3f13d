"""XML entity declarations checked before any XML parser reads a document.

pyoxigraph's RDF/XML parser expands the entities of a DOCTYPE's internal subset without a
limit, so that entities which refer to entities ("billion laughs") turned a 537-byte body into
a 1,000,000-character literal, and nine levels took the write server to 21.8 GB. (Python's
expat has its own amplification limit since 2.4, but no RDF/XML input of kazkg goes through
expat.) So before a parser sees the text:

- an entity whose value refers to another entity (or to a parameter entity) is refused;
- so are external entities (SYSTEM or PUBLIC: kazkg never fetches a document) and parameter
  entities, a declaration this check cannot read, and a second declaration of one name (XML
  binds the first, pyoxigraph expanded the last: a short first one sized a 100 KB second one
  at nothing, and 100 references wrote a 10,000,000-character literal);
- and the size the document would have once its entities are expanded (each entity's value
  length times its references) may not pass `limit`.

The ordinary idiom, `<!ENTITY owl "http://www.w3.org/2002/07/owl#">` used as `&owl;` in
attributes, stays as it was.
"""

from __future__ import annotations

import re

from ..errors import QueryError

_DECLARATION = re.compile(rb"<!ENTITY")
_ENTITY = re.compile(rb"""<!ENTITY\s+([A-Za-z_:][\w.:-]*)\s+(?:"([^"]*)"|'([^']*)')\s*>""")
_REFERENCE = re.compile(rb"[&%]([A-Za-z_:][\w.:-]*);")
_PREDEFINED = {b"lt", b"gt", b"amp", b"quot", b"apos"}


class EntityRefused(QueryError):
    """A document whose entities could blow up its parser; `status` is the HTTP answer's
    (400 for a declaration refused, 413 for an expansion over the limit)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _ascii_view(data: bytes) -> bytes:
    """The document's bytes, a UTF-16 one as UTF-8 (the patterns read ASCII)."""
    bom = data[:2] in (b"\xff\xfe", b"\xfe\xff")
    if bom or (len(data) > 1 and 0 in data[:2]):
        for codec in ("utf-16",) if bom else ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if "<" in text[:64]:
                return text.encode("utf-8", "replace")
    return data


def check(data: bytes, limit: int, what: str = "the request body") -> None:
    """Raise EntityRefused if `data` (an XML document) declares entities that refer to
    entities, external or parameter entities, or would pass `limit` bytes once expanded."""
    data = _ascii_view(data)
    if _DECLARATION.search(data) is None:
        return
    declared = list(_ENTITY.finditer(data))
    if len(declared) != len(_DECLARATION.findall(data)):
        raise EntityRefused(f"{what} declares an XML entity that is not an internal general "
                            "entity with a quoted value (external and parameter entities are "
                            "refused: kazkg never fetches a document)")
    values: dict[bytes, int] = {}
    for match in declared:
        name, value = match.group(1), match.group(2 if match.group(2) is not None else 3)
        inner = [ref.group(1).decode("ascii", "replace") for ref in _REFERENCE.finditer(value)
                 if ref.group(1) not in _PREDEFINED]
        if inner:
            raise EntityRefused(
                f"{what} declares the XML entity {name.decode('ascii', 'replace')!r}, whose value "
                f"refers to the entity {inner[0]!r}: entities that refer to entities are refused "
                "(one such chain, 'billion laughs', expands a few hundred bytes to gigabytes)")
        if name in values:
            raise EntityRefused(
                f"{what} declares the XML entity {name.decode('ascii', 'replace')!r} twice: "
                "declare each entity once (parsers disagree on which declaration counts)")
        values[name] = len(value)
    body = data[declared[-1].end():]  # the references that count are those after the DOCTYPE
    expanded = len(data)
    for ref in _REFERENCE.finditer(body):
        size = values.get(ref.group(1))
        if size is not None:
            expanded += size - len(ref.group(0))
            if expanded > limit:
                raise EntityRefused(
                    f"{what} would pass the body limit of {limit:,} bytes once its XML entities "
                    f"are expanded (each entity's value counted at every reference)", 413)
