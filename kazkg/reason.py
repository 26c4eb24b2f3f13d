"""OWL-RL closure (owlrl) of the ontology and the asserted data, cleaned to what is new and
meaningful, with contradictions turned into errors."""

from __future__ import annotations

from collections import defaultdict

import owlrl
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from .errors import Inconsistent
from .namespaces import INFERRED_GRAPH, KZR, META_VOCABULARIES, bind_prefixes

# owlrl reports inconsistencies as nodes of this class carrying a message.
_OWLRL_ERRORS = owlrl.Namespaces.ERRNS

# Inferred triples that hold of everything, or restate a term as itself, say nothing new.
_REFLEXIVE = {OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass,
              OWL.equivalentProperty}
_TRIVIAL_SUPERS = {OWL.Thing, RDFS.Resource}


def closure(base: Graph) -> Graph:
    """The OWL-RL closure of `base` (a new graph; `base` is left as it is)."""
    graph = Graph()
    bind_prefixes(graph)
    graph += base
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


def _meta(term) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(META_VOCABULARIES)


def is_meaningful(triple) -> bool:
    """Whether an inferred triple belongs in the published inferred graph."""
    s, p, o = triple
    if isinstance(s, (Literal, BNode)) or isinstance(o, BNode):
        return False  # literal subjects break strict parsers; blank nodes are restriction internals
    if _meta(s) or p == _OWLRL_ERRORS.error or o in _TRIVIAL_SUPERS:
        return False  # about RDF/OWL itself, an error report, or true of everything
    if s == o and p in _REFLEXIVE:
        return False
    if p in (RDF.type, RDFS.subClassOf, RDFS.subPropertyOf) and _meta(o):
        return False  # "kazkg:x a owl:Class" and the like restate the vocabulary
    return True


def problems(base: Graph, closed: Graph) -> list[str]:
    """Contradictions: owlrl's own reports, functional properties with two values, and
    distinct kazkg resources inferred to be the same (kazkg's IRIs name distinct things)."""
    nm = base.namespace_manager
    found = sorted(str(m) for m in closed.objects(None, _OWLRL_ERRORS.error))
    found = [_compact(m, nm) for m in found]

    explained = set()  # value pairs a functional-property report already accounts for
    functional = set(closed.subjects(RDF.type, OWL.FunctionalProperty))
    for prop in sorted(functional):
        values = defaultdict(set)
        for s, o in closed.subject_objects(prop):
            values[s].add(o.toPython() if isinstance(o, Literal) else o)
        for s, vals in sorted(values.items()):
            if len(vals) > 1 and not _all_same(base, vals):
                explained.update((a, b) for a in vals for b in vals)
                shown = ", ".join(sorted(_show(v, nm) for v in vals))
                found.append(
                    f"{_show(s, nm)} has {len(vals)} values for the functional property "
                    f"{_show(prop, nm)}: {shown}"
                )
    for s, o in closed.subject_objects(OWL.sameAs):
        if s != o and isinstance(s, URIRef) and isinstance(o, URIRef) and str(s) < str(o):
            if str(s).startswith(str(KZR)) and str(o).startswith(str(KZR)):
                asserted = (s, OWL.sameAs, o) in base or (o, OWL.sameAs, s) in base
                if not asserted and (s, o) not in explained:
                    found.append(f"{_show(s, nm)} and {_show(o, nm)} were inferred to be the same resource")
    return found


def _all_same(graph: Graph, values) -> bool:
    first, *rest = list(values)
    return all((first, OWL.sameAs, v) in graph or (v, OWL.sameAs, first) in graph for v in rest)


def _show(term, nm) -> str:
    return term.n3(nm) if isinstance(term, (URIRef, Literal)) else str(term)


def _compact(message: str, nm) -> str:
    for prefix, ns in sorted(nm.namespaces(), key=lambda pn: -len(str(pn[1]))):
        if prefix:
            message = message.replace(str(ns), f"{prefix}:")
    return message


def infer(dataset: Dataset) -> Graph:
    """Run OWL-RL over every graph of the dataset but the inferred one; return the new,
    meaningful triples. Raise Inconsistent when the closure finds a contradiction."""
    base = Graph()
    bind_prefixes(base)
    for graph in dataset.graphs():
        if graph.identifier != INFERRED_GRAPH:
            base += graph
    closed = closure(base)
    contradictions = problems(base, closed)
    if contradictions:
        raise Inconsistent(contradictions)
    inferred = Graph()
    bind_prefixes(inferred)
    for triple in closed:
        if triple not in base and is_meaningful(triple):
            inferred.add(triple)
    return inferred
