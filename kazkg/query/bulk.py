"""INSERT DATA and DELETE DATA read by pyoxigraph's TriG parser, not rdflib's SPARQL parser.

An update that is one INSERT DATA or DELETE DATA (after its PREFIX and BASE lines) is only
quads, and its block is nearly TriG: rdflib's pyparsing grammar takes 6 s for 1,000 triples
and minutes for 10,000 (which the size check of kazkg.query.guard refused for that reason),
pyoxigraph's parser milliseconds. The block is rewritten as TriG (the triples outside a GRAPH
block wrapped in braces, where TriG lets the last "." go, as SPARQL does) and parsed; what
does not parse as TriG (a variable, a second operation) is left to rdflib's parser and the
size check. Nesting stays bounded (guard.check_depth): the request body limit bounds the rest.
"""

from __future__ import annotations

import os

import pyoxigraph as ox
from rdflib import BNode

from ..errors import QueryError
from ..formats.terms import refuse_triple_terms, to_rdflib
from .guard import check_depth, tokens
from ..namespaces import sparql_prologue


def data_update(text: str, base: str | None, project_prefixes: bool) -> tuple | None:
    """("insert" or "delete", [(s, p, o, graph or None) in rdflib terms]) of an update that is
    one INSERT DATA or DELETE DATA; None for any other update (or one TriG cannot read)."""
    found = _split(text)
    if found is None:
        return None
    prologue, kind, body = found
    check_depth(text, update=True)
    trig = _as_trig(body)
    if trig is None:
        return None
    head = (sparql_prologue() if project_prefixes else "") + prologue
    try:
        quads = list(ox.parse(input=(head + "\n" + trig).encode("utf-8"), format=ox.RdfFormat.TRIG,
                              base_iri=base))
    except (SyntaxError, ValueError):
        return None  # rdflib's parser says what is wrong, with its line and column
    refuse_triple_terms(quads, f"the {kind.upper()} DATA block")
    fresh = os.urandom(6).hex()  # INSERT DATA's blank nodes are new ones (SPARQL 1.1, 3.1.1)
    rows = []
    for quad in quads:
        terms = [to_rdflib(t) for t in (quad.subject, quad.predicate, quad.object, quad.graph_name)]
        if any(isinstance(t, BNode) for t in terms):
            if kind == "delete":
                raise QueryError("DELETE DATA may not hold blank nodes (SPARQL 1.1 Update, 3.1.2)")
            terms = [BNode(fresh + t) if isinstance(t, BNode) else t for t in terms]
        rows.append(tuple(terms))
    return kind, rows


def _split(text: str) -> tuple[str, str, str] | None:
    """(prologue, "insert" or "delete", the block's inside) of `text`, or None when it is not
    PREFIX and BASE lines, then one INSERT DATA or DELETE DATA block, then at most a ";"."""
    found = list(tokens(text))
    for i, token in enumerate(found):
        word = token.group().upper()
        if word in ("INSERT", "DELETE"):
            break
        if token.lastgroup == "word" and word not in ("PREFIX", "BASE") and not word.endswith(":"):
            return None
    else:
        return None
    if (len(found) < i + 3 or found[i + 1].group().upper() != "DATA"
            or found[i + 2].group() != "{"):
        return None
    end = _closing(found, i + 2)
    if end is None or any(t.group() != ";" for t in found[end + 1:]):
        return None
    return (text[:token.start()], word.lower(),
            text[found[i + 2].end():found[end].start()])


def _closing(found: list, start: int) -> int | None:
    """The index of the brace that closes the one at `start`."""
    depth = 0
    for j in range(start, len(found)):
        if found[j].group() == "{":
            depth += 1
        elif found[j].group() == "}":
            depth -= 1
            if depth == 0:
                return j
    return None


def _as_trig(body: str) -> str | None:
    """A QuadData block as TriG: GRAPH blocks kept, the triples between them in braces."""
    found = list(tokens(body))
    parts, last, i = [], 0, 0
    while i < len(found):
        if found[i].group() == "{":
            if i < 2 or found[i - 2].group().upper() != "GRAPH":
                return None
            end = _closing(found, i)
            if end is None:
                return None
            parts += ["{", body[last:found[i - 2].start()], "}\n", body[found[i - 2].start():
                                                                       found[end].end()], "\n"]
            i = end + 1
            if i < len(found) and found[i].group() == ".":  # SPARQL's "." after a GRAPH block
                i += 1
            last = found[i - 1].end()
            continue
        i += 1
    parts += ["{", body[last:], "}"]
    return "".join(parts)
