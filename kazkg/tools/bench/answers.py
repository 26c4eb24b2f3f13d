"""Comparable answers: SPARQL JSON results reduced to sets of rows of normalised terms, so that
servers that spell the same answer differently (xsd:string or plain, 1.0 or 1.00, blank node
labels) compare equal, and only a different answer differs.

Rows are compared as sets, not multisets: Oxigraph server's union default graph
(--union-default-graph) is a multiset of the named graphs' triples, so a triple stated in two
graphs matches twice there but once in kazkg and rdflib-endpoint (an RDF merge is a set).
`duplicates` tells how many extra copies an answer has."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal, InvalidOperation

XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short",
                              "nonNegativeInteger", "positiveInteger", "negativeInteger",
                              "nonPositiveInteger", "byte", "unsignedInt", "unsignedLong")}


def term(binding: dict, blank_labels: bool = False) -> tuple:
    kind = binding.get("type")
    value = binding.get("value", "")
    if kind == "bnode":  # labels are a server's own, unless both answers come from one dataset
        return ("bnode", value) if blank_labels else ("bnode",)
    if kind == "uri":
        return ("uri", value)
    datatype = binding.get("datatype")
    lang = binding.get("xml:lang")
    if lang:
        return ("literal", value, lang.lower())
    if datatype in _NUMERIC:
        try:
            return ("number", Decimal(value).normalize())
        except InvalidOperation:
            pass
    if datatype in (None, XSD + "string"):
        return ("literal", value)
    return ("literal", value, datatype)


def rows(payload: bytes, blank_labels: bool = False) -> Counter | bool:
    """A SELECT answer as a Counter of rows, an ASK answer as its boolean. `blank_labels`:
    blank nodes compare by label (two stores of the same loaded dataset), not all alike."""
    data = json.loads(payload)
    if "boolean" in data:
        return bool(data["boolean"])
    variables = data["head"].get("vars", [])
    found = Counter()
    for row in data["results"]["bindings"]:
        found[tuple(term(row[v], blank_labels) if v in row else None for v in variables)] += 1
    return found


def duplicates(found) -> int:
    return 0 if isinstance(found, bool) else sum(found.values()) - len(found)


def differences(reference, other) -> str:
    """'' when equal as sets of rows, else a short description of how `other` differs."""
    if isinstance(reference, bool) or isinstance(other, bool):
        return "" if reference == other else f"{reference} vs {other}"
    missing, extra = set(reference) - set(other), set(other) - set(reference)
    if not missing and not extra:
        return ""
    return f"{len(missing)} row(s) missing, {len(extra)} extra; e.g. {next(iter(missing or extra))}"
