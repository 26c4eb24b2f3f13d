"""Terms and quads between rdflib and pyoxigraph: the two libraries kazkg reads and writes with."""

from __future__ import annotations

import math

import pyoxigraph as ox
import rdflib.term
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from ..errors import QueryError

_XSD_STRING = str(XSD.string)


def xsd_float_lexical(value: float) -> str:
    """A float as xsd:double (and xsd:float) spells it: INF, -INF and NaN where Python's
    str gives inf, -inf and nan, which are no lexical form of either type."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    return str(value)


# rdflib spells a float literal's value with str(); kazkg's writers and engines all import
# this module, so every literal they make from a float is spelled as XSD says.
rdflib.term._GenericPythonToXSDRules[:] = [
    (kind, (xsd_float_lexical, datatype) if kind is float else (lexical, datatype))
    for kind, (lexical, datatype) in rdflib.term._GenericPythonToXSDRules]


def is_named_graph(name) -> bool:
    """False for None and for rdflib's own default graph (an on-disk store holds the union
    there, see kazkg.build.persist)."""
    return name is not None and not str(name).startswith("urn:x-rdflib:")


class Unsupported(QueryError):
    """A term of RDF 1.2 that kazkg's rdflib store and writers cannot hold (a 400 in a query)."""


def unsupported(found) -> str | None:
    """What a triple or quad (pyoxigraph's) holds of RDF 1.2 that kazkg does not support
    (None: nothing): a triple term, or a literal with a base direction, which rdflib would
    keep without it ("x"@en--ltr written back as "x"@en)."""
    if isinstance(found.subject, ox.Triple) or isinstance(found.object, ox.Triple):
        return "an RDF 1.2 triple term (<<( ... )>> or << ... >>)"
    term = found.object
    if isinstance(term, ox.Literal) and term.direction is not None:
        return f"a literal with an RDF 1.2 base direction ({term})"
    return None


def refuse_triple_terms(triples, where: str) -> None:
    """QueryError if a triple or quad of `triples` (pyoxigraph's) holds what `unsupported`
    names: pyoxigraph's parsers read them, kazkg's rdflib store and writers cannot hold them
    (to_rdflib failed on triple terms: a 500 that replaced a worker; it dropped directions)."""
    for found in triples:
        what = unsupported(found)
        if what is not None:
            raise QueryError(f"{where} holds {what}, in the triple with predicate "
                             f"{found.predicate}: kazkg does not support it; nothing was written")


def to_rdflib(term):
    """Convert a pyoxigraph term to the equal rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.direction is not None:
            raise Unsupported(f"{term} has an RDF 1.2 base direction, which kazkg does not "
                              "support (it would be written back without it)")
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.DefaultGraph):
        return None
    raise TypeError(f"unsupported term {term!r}")


def to_oxigraph(term):
    """Convert an rdflib term to the equal pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")
