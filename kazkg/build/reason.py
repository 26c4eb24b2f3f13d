"""OWL-RL closure (owlrl) of the ontology and the asserted data, cleaned to what is new and
meaningful, with contradictions turned into errors."""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager

import owlrl
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from .. import settings
from ..errors import Inconsistent
from ..formats.graphs import union, union_triples
from . import closure as fast_closure
from ..namespaces import INFERRED_GRAPH, KZR, META_VOCABULARIES, bind_prefixes

# owlrl reports inconsistencies as nodes of this class carrying a message.
_OWLRL_ERRORS = owlrl.Namespaces.ERRNS

# Inferred triples that hold of everything, or restate a term as itself, say nothing new.
_REFLEXIVE = {OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass,
              OWL.equivalentProperty}
_TRIVIAL_SUPERS = {OWL.Thing, RDFS.Resource}
# Read once: an rdflib namespace attribute is a new URIRef, checked, on every read.
_ERROR = _OWLRL_ERRORS.error
_CLASSIFYING = (RDF.type, RDFS.subClassOf, RDFS.subPropertyOf)


class LeanSemantics(owlrl.OWLRL_Semantics):
    """owlrl's OWL-RL rules, with the waste that profiling showed (80 % of the time) removed:

    - eq-ref derives `x owl:sameAs x` for every term of every triple, in every cycle; those
      triples derive nothing but more of themselves (eq-sym, eq-trans and eq-rep-* map x to x),
      and the published inferred graph drops them. They are not stored. The one thing they did
      derive, the eq-diff1 error for `x owl:differentFrom x`, is reported directly.
    - Every derived triple was tested against rdflib's store (`t in graph`); a Python set of
      the graph's triples, kept in step at the end of each cycle, answers the same question.

    The inferred graph it gives is checked equal to owlrl's on the real graph (tests)."""

    _known: set | None = None

    def store_triple(self, t):
        s, p, o = t
        if p == OWL.sameAs and s == o:
            return
        if self._known is None:
            self._known = set(self.graph)
        if not isinstance(p, Literal) and t not in self._known:
            self.added_triples.add(t)

    def empty_stored_triples(self):
        # called at the start of each cycle, after the last cycle's triples joined the graph
        if self._known is not None and getattr(self, "added_triples", None):
            self._known.update(self.added_triples)
        self.added_triples = set()

    def _equality(self, triple, cycle_num):
        super()._equality(triple, cycle_num)
        s, p, o = triple
        if p == OWL.differentFrom and s == o:  # eq-ref + eq-diff1
            self.add_error("'sameAs' and 'differentFrom' cannot be used on the same "
                           f"subject-object pair: ({s}, {o})")


class _Terms:
    """A namespace's terms as plain attributes. owlrl's rules read OWL.sameAs, RDF.type and the
    like tens of millions of times at 10x; through rdflib's namespace class each read is a
    metaclass __getattr__ call (a third of the closure's time). The values are the same."""

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name):
        value = getattr(self._namespace, name)
        setattr(self, name, value)
        return value

    def __getitem__(self, name):
        return self._namespace[name]


@contextmanager
def _plain_namespaces():
    modules = (owlrl.OWLRL, owlrl.Closure)
    saved = [(m, n, getattr(m, n)) for m in modules for n in ("OWL", "RDF", "RDFS") if hasattr(m, n)]
    try:
        for module, name, namespace in saved:
            setattr(module, name, _Terms(namespace))
        yield
    finally:
        for module, name, namespace in saved:
            setattr(module, name, namespace)


def closure(base: Graph, semantics=LeanSemantics) -> Graph:
    """The OWL-RL closure of `base` (a new graph; `base` is left as it is). Pass
    `semantics=owlrl.OWLRL_Semantics` for owlrl's own, unchanged rules (the reference)."""
    # rdflib's SimpleMemory store: the closure needs no named graphs, so no context bookkeeping
    graph = Graph(store="SimpleMemory") if semantics is not owlrl.OWLRL_Semantics else Graph()
    bind_prefixes(graph)
    graph += base
    if semantics is owlrl.OWLRL_Semantics:
        owlrl.DeductiveClosure(semantics).expand(graph)
    else:
        with _plain_namespaces():
            owlrl.DeductiveClosure(semantics).expand(graph)
    return graph


def _meta(term) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(META_VOCABULARIES)


def is_meaningful(triple) -> bool:
    """Whether an inferred triple belongs in the published inferred graph."""
    s, p, o = triple
    if isinstance(s, (Literal, BNode)) or isinstance(o, BNode):
        return False  # literal subjects break strict parsers; blank nodes are restriction internals
    if _meta(s) or p == _ERROR or o in _TRIVIAL_SUPERS:
        return False  # about RDF/OWL itself, an error report, or true of everything
    if s == o and p in _REFLEXIVE:
        return False
    if p in _CLASSIFYING and _meta(o):
        return False  # "kazkg:x a owl:Class" and the like restate the vocabulary
    return True


def problems(base, closed, errors=None) -> list[str]:
    """Contradictions: owlrl's own reports (`errors`, else read from `closed`), functional
    properties with two values, and distinct kazkg resources inferred to be the same (kazkg's
    IRIs name distinct things). `base` and `closed` are Graphs or kazkg.build.closure views."""
    nm = _namespaces().namespace_manager
    if errors is None:
        errors = [str(m) for m in closed.objects(None, _ERROR)]
    found = [_compact(m, nm) for m in sorted(errors)]

    explained = set()  # value pairs a functional-property report already accounts for
    functional = set(closed.subjects(RDF.type, OWL.FunctionalProperty))
    for prop in sorted(functional):
        # Asserted values only: once owlrl has made two values owl:sameAs, it copies every
        # triple of one onto the other, so the closure would blame innocent subjects too.
        values = defaultdict(dict)  # subject -> {value (literals compared by value): term}
        for s, o in base.subject_objects(prop):
            values[s].setdefault(o.toPython() if isinstance(o, Literal) else o, o)
        for s, by_value in sorted(values.items()):
            terms = sorted(by_value.values())
            if len(terms) > 1 and not _all_same(base, terms):
                explained.update((a, b) for a in terms for b in terms)
                shown = ", ".join(_show(t, nm) for t in terms)
                found.append(
                    f"{_show(s, nm)} has {len(terms)} values for the functional property "
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


def _namespaces() -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    return graph


def infer(dataset: Dataset, semantics=None, keep: list | None = None) -> set:
    """Run OWL-RL over every graph of the dataset but the inferred one; return the new,
    meaningful triples (a set: the caller adds them where they belong, no Graph in between).
    Raise Inconsistent when the closure finds a contradiction.

    `semantics`: None for the `reasoner` setting (kazkg's semi-naive closure, or owlrl's own
    rules), or an owlrl semantics class (LeanSemantics, owlrl.OWLRL_Semantics) to run owlrl.
    `keep`: a list given gets kazkg's closure (when it ran), for an incremental build."""
    if semantics is None and settings.get("reasoner") == "kazkg":
        fast = fast_closure.compute(union_triples(dataset, without=(INFERRED_GRAPH,)))
        if fast.fallback is None:
            if keep is not None:
                keep.append(fast)
            return published(fast)
        semantics = owlrl.OWLRL_Semantics  # what owlrl would do here is owlrl's to say
    base = union(dataset, without=(INFERRED_GRAPH,))
    closed = closure(base, semantics or owlrl.OWLRL_Semantics)
    return _published(base, closed, (t for t in closed if t not in base), None)


def published(fast: fast_closure.Closure) -> set:
    """What kazkg's closure adds to the published inferred graph; Inconsistent when it found
    a contradiction."""
    return _published(fast.view(asserted_only=True), fast.view(), fast.inferred(), fast.errors)


def ensure_consistent(fast: fast_closure.Closure) -> None:
    """Raise Inconsistent when kazkg's closure found a contradiction."""
    contradictions = problems(fast.view(asserted_only=True), fast.view(), fast.errors)
    if contradictions:
        raise Inconsistent(contradictions)


def _published(base, closed, new_triples, errors) -> set:
    contradictions = problems(base, closed, errors)
    if contradictions:
        raise Inconsistent(contradictions)
    return {triple for triple in new_triples if is_meaningful(triple)}
