"""Which SHACL focus nodes a change of triples can reach, read from the shapes, so that an
incremental build validates those alone, on the triples they read.

A shape reads its focus node's triples along its paths (sh:path: a property, an inverse, a
sequence), then its value nodes' (sh:class reads their rdf:type, sh:node and the logical
constraints apply shapes to them) and so on: every read follows one of a few (predicate,
direction) steps, at most `depth` of them from the focus. The class hierarchy is read whole
(rdfs:subClassOf*), and is kept whole in every local graph. So a changed triple (s p o) can
change the results of a focus node only if s (or, for a step backwards, o) is within `depth`
steps of it: `affected` walks the steps backwards from the changed triples, over the data
before and after the change; `local_graph` collects what those foci read. Their results,
from the local graph, replace their old ones; every other focus node's are unchanged.

What is not modelled makes `analyse` say None (the caller validates everything): a path
with `*`, `+`, `?` or alternatives, sh:closed, custom components, shapes nested in a
circle, a SPARQL constraint that uses the shapes graph, a variable predicate, GRAPH,
SERVICE, a subquery or a pattern not joined to $this (a SPARQL constraint is read from its
triple patterns, each walked from the side nearer to $this).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.paths import InvPath, SequencePath
from rdflib.term import Variable

from ..namespaces import SH

_VALUE_ONLY = {SH[n] for n in (
    "message", "severity", "name", "description", "deactivated", "order", "group", "datatype",
    "nodeKind", "minCount", "maxCount", "minLength", "maxLength", "pattern", "flags",
    "languageIn", "uniqueLang", "in", "hasValue", "minInclusive", "maxInclusive",
    "minExclusive", "maxExclusive", "qualifiedMinCount", "qualifiedMaxCount",
    "qualifiedValueShapesDisjoint", "targetNode", "defaultValue")} | {RDF.type, RDFS.label,
                                                                      RDFS.comment}
_NESTED = (SH.node, SH.property, SH["not"], SH.qualifiedValueShape)
_LISTS = (SH["or"], SH["and"], SH.xone)
_PAIRS = (SH.lessThan, SH.lessThanOrEquals, SH.equals, SH.disjoint)
_KNOWN = _VALUE_ONLY | set(_NESTED) | set(_LISTS) | set(_PAIRS) | {
    SH.path, SH["class"], SH.sparql, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_UNMODELLED = re.compile(r"\$(currentShape|shapesGraph)\b", re.IGNORECASE)
_FORBIDDEN = {"ServiceGraphPattern", "Graph", "ToMultiSet", "SubSelect"}


class _Unmodelled(Exception):
    pass


@dataclass(frozen=True)
class Reach:
    steps: frozenset  # (predicate, True for subject to object)
    depth: int


def analyse(shapes: Graph) -> Reach | None:
    """What the shapes read (see above), or None if they are not modelled here."""
    steps: set = set()
    roots = {s for p in _TARGETS for s in shapes.subjects(p, None)}
    roots |= set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    try:
        if any((r, RDF.type, RDFS.Class) in shapes for r in roots):
            raise _Unmodelled("an implicit class target")
        depth = max((_shape(shapes, r, steps, frozenset()) for r in roots), default=0)
    except (_Unmodelled, ValueError, TypeError, AttributeError):  # TypeError: rdflib's own
        return None
    return Reach(frozenset(steps), depth)


def _shape(shapes: Graph, node, steps: set, seen: frozenset) -> int:
    if node in seen:
        raise _Unmodelled("shapes nested in a circle")
    seen = seen | {node}
    if not set(shapes.predicates(node)) <= _KNOWN:
        raise _Unmodelled(f"a constraint kazkg does not model on {node}")
    path = shapes.value(node, SH.path)
    at_values = 0 if path is None else _path(shapes, path, steps)
    depth = at_values
    if (node, SH["class"], None) in shapes:
        steps.add((RDF.type, True))
        depth = max(depth, at_values + 1)
    for p in _PAIRS:
        for other in shapes.objects(node, p):
            if not isinstance(other, URIRef):
                raise _Unmodelled("a property pair with a path")
            steps.add((other, True))
            depth = max(depth, 1)
    nested = [n for p in _NESTED for n in shapes.objects(node, p)]
    nested += [m for p in _LISTS for head in shapes.objects(node, p) for m in Collection(shapes, head)]
    for inner in nested:
        depth = max(depth, at_values + _shape(shapes, inner, steps, seen))
    for constraint in shapes.objects(node, SH.sparql):
        depth = max(depth, _sparql(shapes, constraint, path, steps))
    for p, forward in ((SH.targetClass, None), (SH.targetSubjectsOf, True), (SH.targetObjectsOf, False)):
        for target in shapes.objects(node, p):
            steps.add((RDF.type, True) if forward is None else (target, forward))
            depth = max(depth, 1)
    return depth


def _path(shapes: Graph, path, steps: set) -> int:
    if isinstance(path, URIRef):
        steps.add((path, True))
        return 1
    inverse = shapes.value(path, SH.inversePath)
    if isinstance(inverse, URIRef):
        steps.add((inverse, False))
        return 1
    if shapes.value(path, RDF.first) is not None:
        return sum(_path(shapes, member, steps) for member in Collection(shapes, path))
    raise _Unmodelled("a path with *, +, ? or alternatives")


def _sparql(shapes: Graph, constraint, path, steps: set) -> int:
    select = shapes.value(constraint, SH.select)
    if select is None or shapes.value(constraint, SH.prefixes) is not None \
            or _UNMODELLED.search(str(select)):
        raise _Unmodelled("a SPARQL constraint kazkg does not read")
    text = str(select)
    if "$PATH" in text:
        if not isinstance(path, URIRef):
            raise _Unmodelled("$PATH without a property as sh:path")
        text = re.sub(r"\$PATH\b", f"<{path}>", text)
    from rdflib.plugins.sparql import prepareQuery  # its grammar takes a second to import

    edges, fresh = [], iter(range(1 << 30))
    for s, p, o in _triples(prepareQuery(text).algebra):
        nodes = [s] + [("step", next(fresh)) for _ in _predicates(p)[1:]] + [o]
        edges += [(nodes[i], q, nodes[i + 1]) for i, q in enumerate(_predicates(p))]
    # each pattern read from the side nearer to $this (a breadth-first walk of the patterns)
    distance, frontier = {Variable("this"): 0}, [Variable("this")]
    while frontier:
        later = []
        for a, _, b in edges:
            for here, there in ((a, b), (b, a)):
                if here in frontier and there not in distance:
                    distance[there] = distance[here] + 1
                    later.append(there)
        frontier = later
    depth = 0
    for a, q, b in edges:
        if a not in distance:
            raise _Unmodelled("a SPARQL pattern not joined to $this")
        forward = distance[a] <= distance[b]
        steps.add((q, forward) if not isinstance(q, _Inverse) else (q.p, not forward))
        depth = max(depth, min(distance[a], distance[b]) + 1)
    return depth


class _Inverse:
    def __init__(self, p):
        self.p = p


def _triples(node):
    if isinstance(node, dict) and hasattr(node, "name"):  # rdflib's CompValue
        if node.name in _FORBIDDEN:
            raise _Unmodelled(f"{node.name} in a SPARQL constraint")
        for key, value in node.items():
            if key == "triples":
                yield from value
            else:
                yield from _triples(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _triples(value)


def _predicates(p):
    if isinstance(p, URIRef):
        return [p]
    if isinstance(p, InvPath) and isinstance(p.arg, URIRef):
        return [_Inverse(p.arg)]
    if isinstance(p, SequencePath):
        return [q for arg in p.args for q in _predicates(arg)]
    if isinstance(p, Variable):
        raise _Unmodelled("a variable predicate in a SPARQL constraint")
    raise _Unmodelled("a path with *, +, ? or alternatives in a SPARQL constraint")


def reads(reach: Reach, changed, terms) -> bool:
    """Whether any shape can read one of the coded triples `changed`."""
    predicates = {terms.known(p) for p, _ in reach.steps}
    return any(t[1] in predicates for t in changed)


def affected(reach: Reach, changed, terms, store, extra=()) -> set[int]:
    """The focus nodes (codes) whose results the coded triples `changed` can change: walked
    backwards over `store` (kazkg.build.closure's) and the triples `extra` (those removed)."""
    steps = {(terms.known(p), forward) for p, forward in reach.steps} - {(None, True), (None, False)}
    backward_index: dict = {}
    for s, p, o in extra:
        backward_index.setdefault((p, True, o), set()).add(s)
        backward_index.setdefault((p, False, s), set()).add(o)
    found = set()
    frontier = set()
    for s, p, o in changed:
        if (p, True) in steps:
            frontier.add(s)
        if (p, False) in steps:
            frontier.add(o)
    for _ in range(reach.depth + 1):
        frontier -= found
        if not frontier:
            break
        found |= frontier
        before = set()
        for n in frontier:
            for q, forward in steps:
                before.update(store.subjects(q, n) if forward else store.objects(n, q))
                before.update(backward_index.get((q, forward, n), ()))
        frontier = before
    return found


def local_graph(reach: Reach, foci, terms, store, asserted, always) -> Graph:
    """The asserted triples the focus nodes `foci` (codes) can read, and the triples `always`
    (coded: the ontology, the class hierarchy), as an rdflib Graph."""
    term = terms.term
    graph = Graph()
    for s, p, o in local_triples(reach, foci, terms, store, asserted, always):
        graph.add((term(s), term(p), term(o)))
    return graph


def local_triples(reach: Reach, foci, terms, store, asserted, always) -> set:
    """What local_graph holds, as coded triples."""
    steps = [(terms.known(p), forward) for p, forward in reach.steps if terms.known(p) is not None]
    triples = set(always)
    frontier, seen = set(foci), set()
    for _ in range(reach.depth):
        seen |= frontier
        after = set()
        for n in frontier:
            for q, forward in steps:
                if forward:
                    for m in store.objects(n, q):
                        if (n, q, m) in asserted:
                            triples.add((n, q, m))
                            after.add(m)
                else:
                    for m in store.subjects(q, n):
                        if (m, q, n) in asserted:
                            triples.add((m, q, n))
                            after.add(m)
        frontier = after - seen
    return triples
