"""What an XML answer can hold, checked before one is written (SPARQL XML results, RDF/XML).

XML 1.0 has no way to write most control characters (U+0000-U+001F but tab, newline and
carriage return), a lone surrogate, U+FFFE or U+FFFF, not even as a character reference;
rdflib's and pyoxigraph's writers put them in raw, a document no XML parser reads. RDF/XML
writes each predicate as an element name, a namespace and an XML name (NCName) that ends the
IRI: pyoxigraph wrote `<oxprefix:>` for one that ends in no such name (`http://ex.org/a#1`,
`http://ex.org/a/`). Either is a 406 naming why, and the formats that can hold the answer.
"""

from __future__ import annotations

import re

from ..errors import QueryError

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_NAME_AT_END = re.compile(r"[^\W\d][\w.\-\u00b7]*\Z")  # an NCName's start, then its chars


class NotXml(QueryError):
    """An answer that the XML format asked for cannot hold (the HTTP answer: 406)."""

    status = 406


def check_text(texts, fmt: str, instead: str) -> None:
    """NotXml if one of `texts` (terms, names) holds a character XML 1.0 cannot hold."""
    for text in texts:
        found = _NOT_XML.search(str(text))
        if found is not None:
            raise NotXml(f"the answer holds the character U+{ord(found.group()):04X}, which XML "
                         f"1.0 cannot hold, so it cannot be written as {fmt}: ask for {instead}")


def check_rdfxml(triples) -> None:
    """NotXml if RDF/XML cannot write `triples` (rdflib's or pyoxigraph's terms)."""
    instead = "Turtle (text/turtle), N-Triples or JSON-LD"
    for s, p, o in triples:
        check_text((s, p, o, getattr(o, "datatype", "") or ""), "RDF/XML", instead)
        iri = getattr(p, "value", None) or str(p)
        if _XML_NAME_AT_END.search(iri) is None:
            raise NotXml(f"the predicate <{iri}> ends in no XML name (it ends in a digit, '/', "
                         f"or an escape), so RDF/XML cannot write it: ask for {instead}")
