"""SHACL's SPARQL-based constraints (sh:sparql with sh:select) evaluated on Oxigraph, once for
all focus nodes, with the results pyshacl would give.

pyshacl runs such a constraint as one rdflib query per focus node, $this pre-bound: at 10x
that was three fifths of the validation time (3,500 queries of kzsh:LabelShape and
kzsh:SelectorTextShape). Here each constraint is one query on an Oxigraph store of the data
graph: the shape's focus nodes (its targets, as SHACL defines them) bound to ?this at the start
of the query's own group, so that every FILTER in it sees ?this bound as pre-binding would.
Each solution becomes the result pyshacl makes of it (its focus node, ?path, the constraint's
message with {?var} filled in as pyshacl fills it, deduplicated per focus node as pyshacl does).

Only what this models is taken from pyshacl: top-level shapes with sh:targetClass,
sh:targetNode, sh:targetSubjectsOf or sh:targetObjectsOf, an IRI as sh:path (or none), and a
query without sh:prefixes, $currentShape, $shapesGraph, $value or a subquery. Everything else
stays with pyshacl (`split`). tests/test_shapes.py checks the reports equal on every shape
example and on the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from ..formats.terms import to_oxigraph, to_rdflib
from ..namespaces import SH
from .mirror import canonical_spellings

_NESTING = (SH.node, SH.property, SH["not"], SH.qualifiedValueShape)
_LISTS = (SH["or"], SH["and"], SH.xone)
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_UNMODELLED = re.compile(r"\$(currentShape|shapesGraph|value)\b|\{\s*SELECT\b", re.IGNORECASE)
_WHERE = re.compile(r"\bWHERE\s*\{|\{", re.IGNORECASE)


@dataclass(frozen=True)
class Constraint:
    shape: URIRef
    node: object          # the sh:SPARQLConstraint node
    query: str            # with ?this bound to the shape's focus nodes
    path: URIRef | None
    message: Literal | None
    severity: URIRef


def split(shapes: Graph) -> tuple[list[Constraint], Graph]:
    """(the constraints evaluated here, the shapes graph without them, for pyshacl)."""
    nested = {o for p in _NESTING for o in shapes.objects(None, p)}
    for p in _LISTS:
        for head in shapes.objects(None, p):
            nested.update(Collection(shapes, head))
    taken, rest = [], None
    for shape, node in sorted(shapes.subject_objects(SH.sparql)):
        constraint = _constraint(shapes, shape, node, nested)
        if constraint is None:
            continue
        taken.append(constraint)
        if rest is None:
            rest = Graph()
            for prefix, namespace in shapes.namespaces():
                rest.bind(prefix, namespace)
            rest += shapes
        rest.remove((shape, SH.sparql, node))
    return taken, rest if rest is not None else shapes


def _constraint(shapes: Graph, shape, node, nested) -> Constraint | None:
    select = shapes.value(node, SH.select)
    path = shapes.value(shape, SH.path)
    if (not isinstance(shape, URIRef) or shape in nested or select is None
            or (shape, RDF.type, RDFS.Class) in shapes or shapes.value(shape, SH.target)
            or shapes.value(node, SH.prefixes) is not None
            or any(shapes.objects(node, SH.deactivated)) or any(shapes.objects(shape, SH.deactivated))
            or (path is not None and not isinstance(path, URIRef))
            or len(set(shapes.objects(node, SH.message))) > 1
            or _UNMODELLED.search(str(select))):
        return None
    focus = _focus_pattern(shapes, shape)
    if focus is None:
        return None
    text = str(select)
    if path is not None:
        text = re.sub(r"\$PATH\b", f"<{path}>", text)
    elif "$PATH" in text:
        return None
    text = re.sub(r"\$this\b", "?this", text)
    opening = _WHERE.search(text)
    if opening is None:
        return None
    query = f"{text[:opening.end()]} {focus} {text[opening.end():]}"
    severity = shapes.value(shape, SH.severity) or SH.Violation
    return Constraint(shape, node, query, path, shapes.value(node, SH.message), severity)


def _focus_pattern(shapes: Graph, shape) -> str | None:
    """A SPARQL group binding ?this to each focus node of `shape` once (SHACL 2.1.3)."""
    parts = []
    for target in shapes.objects(shape, SH.targetClass):
        if not isinstance(target, URIRef):
            return None
        parts.append(f"{{ ?this a/<{RDFS.subClassOf}>* <{target}> }}")
    for target in shapes.objects(shape, SH.targetNode):
        if isinstance(target, BNode):
            return None
        parts.append(f"{{ VALUES ?this {{ {target.n3()} }} }}")
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        parts.append(f"{{ ?this <{prop}> [] }}")
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        parts.append(f"{{ [] <{prop}> ?this }}")
    if not parts:
        return None
    return f"{{ SELECT DISTINCT ?this {{ {' UNION '.join(parts)} }} }}"


class DataStore:
    """The data graph in Oxigraph, answering in rdflib's terms and the data's own spellings."""

    def __init__(self, graph: Graph):
        self.store = ox.Store()
        default, literals = ox.DefaultGraph(), set()

        converted: dict = {}  # terms repeat: each is converted once

        def term(value):
            found = converted.get(value)
            if found is None:
                found = converted[value] = to_oxigraph(value)
                if isinstance(value, Literal) and value.datatype is not None:
                    literals.add(value)
            return found

        def quads():
            for s, p, o in graph:
                yield ox.Quad(term(s), term(p), term(o), default)

        self.store.bulk_extend(quads())
        self.originals = canonical_spellings(literals)

    @classmethod
    def of_terms(cls, triples, literals) -> "DataStore":
        """The data graph of `triples` in pyoxigraph terms; `literals`: the typed rdflib
        literals among them (their spellings are kept)."""
        made = cls.__new__(cls)
        made.store, default = ox.Store(), ox.DefaultGraph()
        made.store.bulk_extend(ox.Quad(s, p, o, default) for s, p, o in triples)
        made.originals = canonical_spellings(literals)
        return made

    def select(self, query: str):
        found = self.store.query(query)
        names = [v.value for v in found.variables]
        for solution in found:
            yield {name: self._term(solution[name]) for name in names if solution[name] is not None}

    def _term(self, value):
        return to_rdflib(self.originals.get(value, value))


def evaluate(constraints: list[Constraint], data: DataStore) -> list[tuple]:
    """Every result as (focus, path, message, shape, severity), in rdflib terms."""
    results = []
    for constraint in constraints:
        seen = set()
        for row in data.select(constraint.query):
            focus = row.pop("this")
            path, value = row.pop("path", None), row.pop("value", None)
            key = (focus, path, value, tuple(sorted(row.items())))
            if key in seen:  # pyshacl keeps a solution once per focus node
                continue
            seen.add(key)
            bound = {**row, "this": focus, **({"path": path} if path is not None else {}),
                     **({"value": value} if value is not None else {})}
            results.append((focus, path if path is not None else constraint.path,
                            _message(constraint.message, bound), constraint.shape,
                            constraint.severity))
    return results


def _message(message: Literal | None, bound: dict) -> str | None:
    """The message as pyshacl words it: each {?var} or {$var} replaced by str(value)."""
    if message is None:
        return None
    text = str(message.value)
    for var, val in bound.items():
        text = re.sub("{{[?$]{}}}".format(var), str(val), text)
    return text
