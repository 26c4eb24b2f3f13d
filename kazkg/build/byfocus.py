"""SHACL over coded triples, a batch of focus nodes at a time: a full build validates without
an rdflib graph of all the data (kazkg.build.streamed).

Every term of the data is put in one batch. A batch's local graph holds what its focus nodes
can read (kazkg.build.localshapes.local_graph: their triples along the shapes' steps, and the
class hierarchy), and of the results pyshacl gives on it, those of the batch's own focus nodes
are kept: each focus node is validated once, on everything it reads, so the results are those
of validating the whole data at once (tests/test_streamed.py checks it). The incremental
build validates the focus nodes a change reaches in the same way.
"""

from __future__ import annotations

from rdflib import Graph, Literal

from ..namespaces import bind_prefixes
from . import localshapes
from .closure.vocabulary import SUB
from .state import decode

BATCH = 60_000  # triples' worth of focus nodes per pyshacl call: fewer calls, smaller graphs


def batches(graphs: dict, size: int | None = None) -> list[set[int]]:
    """The terms of the coded graphs, each in the batch of the first graph (in IRI order)
    that holds it; a batch closes once its graphs hold `size` (default BATCH) triples."""
    size = size or BATCH
    seen: set = set()
    found, weight = [set()], 0
    for name in sorted(graphs):
        coded = graphs[name]
        if weight >= size:
            found.append(set())
            weight = 0
        new = set(coded) - seen
        found[-1] |= new
        seen |= new
        weight += len(coded) // 3
    return found


def results(reach, shapes: Graph, terms, store, asserted, graphs: dict, oxigraph: list) -> list:
    """SHACL's results (as kazkg.build.validate.results gives them) on the union of the coded
    `graphs`; `store` answers subjects/objects over them (it may hold more, e.g. the closure:
    only triples `in asserted` are read); `oxigraph`: each code's pyoxigraph term."""
    from . import sparqlshapes, validate  # pyshacl: imported when needed

    always = {(s, SUB, o) for s, o in store.pairs(SUB) if (s, SUB, o) in asserted}
    found, term = [], terms.term
    for n, foci in enumerate(batches(graphs)):
        local = localshapes.local_triples(reach, foci, terms, store, asserted, always)
        graph = Graph()
        for s, p, o in local:
            graph.add((term(s), term(p), term(o)))
        literals = {term(o) for _, _, o in local}
        data = sparqlshapes.DataStore.of_terms(
            ((oxigraph[s], oxigraph[p], oxigraph[o]) for s, p, o in local),
            {t for t in literals if isinstance(t, Literal) and t.datatype is not None})

        def ours(node, foci=foci, first=n == 0) -> bool:
            code = terms.known(node)
            # a focus node the data does not hold (an sh:targetNode) is every batch's: once
            return code in foci if code is not None else first
        found += validate.results(graph, shapes, focus=ours, store=data)
    return found


def refuse_violations(found, terms, graphs, ontology: set, names) -> None:
    """Raise ValidationFailed when a result is a violation, naming the files (graphs, but
    those in `ontology`) that describe its focus node; `graphs` yields (graph name, its
    integer-coded triples) pairs, read only when there is something to report."""
    if not found:
        return
    from . import validate

    subjects: dict = {}
    for g, triples in graphs:
        if g not in ontology:
            for s, _, _ in triples:
                subjects.setdefault(s, set()).add(g)
    namespace = Graph()
    bind_prefixes(namespace)
    validate.refuse_violations(validate.violations(
        found, namespace.namespace_manager,
        lambda node: subjects.get(terms.known(node), set()), names))
