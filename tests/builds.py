"""What a full build makes of the bundled inputs by the rdflib pipeline's own steps (parse
into a Dataset, SHACL on the union, owlrl-equal closure): the reference that incremental and
streamed builds are compared with, and the comparison."""

from __future__ import annotations

from rdflib import BNode, URIRef
from rdflib.compare import isomorphic

from kazkg.build import cache, mirror, pipeline, reason, statefile, stats, store, validate
from kazkg.build.inputs import bundled
from kazkg.errors import KazkgError
from kazkg.formats.graphs import union_triples
from kazkg.formats.terms import is_named_graph
from kazkg.namespaces import INFERRED_GRAPH

VERIFIED: dict = {}  # (graph name, a full build's triples without blank nodes) -> ours, isomorphic


def outcome(make):
    try:
        return make(), None
    except KazkgError as error:
        return None, (type(error).__name__, str(error))


def full_build():
    """What a full build makes of the files (the pipeline's steps, without a cache)."""
    inputs = bundled()
    dataset = store.load(inputs)
    shapes = pipeline.load_shapes(inputs)
    results: list = []
    validate.ensure_valid(dataset, shapes, pipeline.SourceNames(inputs), results)
    for triple in reason.infer(dataset):
        dataset.graph(INFERRED_GRAPH).add(triple)
    counts = {"graphs": stats.by_graph(dataset), "union": len(union_triples(dataset))}
    return dataset, counts, results


def named(dataset) -> dict:
    return {str(g.identifier): g for g in dataset.graphs() if is_named_graph(g.identifier) and len(g)}


def without_blank_nodes(results) -> list:
    return sorted(tuple("_:" if isinstance(t, BNode) else str(t) for t in r) for r in results)


def assert_as_full(made, full, how=None):
    """`made` (built from the build before, the closure `how`; None: a full build) is what
    the reference full build `full` is."""
    dataset, counts, results = full
    summary = cache.summary(made.fingerprint)
    assert summary.get("incremental", {}).get("closure") == how
    ours, theirs = named(made.dataset), named(dataset)
    assert sorted(ours) == sorted(theirs)
    for name, graph in ours.items():
        triples, reference = frozenset(graph), frozenset(theirs[name])
        seen = (name, frozenset(t for t in reference if not any(isinstance(n, BNode) for n in t)))
        if triples != reference and VERIFIED.get(seen) != triples:
            # blank nodes are named afresh by every parse: the graphs must be isomorphic (the
            # same graph against the same reference is checked once)
            assert isomorphic(graph, theirs[name]), name
            VERIFIED[seen] = triples
    assert made.counts == counts
    assert mirror.union_count(cache.beside(made.fingerprint, mirror.STORE)) == counts["union"]
    assert without_blank_nodes(statefile.load(made.fingerprint).results) == without_blank_nodes(results)
    assert graph_subjects(made.fingerprint) == {  # what the facets read (kazkg.web.subjects)
        name: {str(s) for s in graph.subjects() if isinstance(s, URIRef)}
        for name, graph in theirs.items() if name != str(INFERRED_GRAPH)}


def graph_subjects(key: str) -> dict:
    """Each graph's subjects as kazkg.web.subjects reads them from the build `key`'s state."""
    from types import SimpleNamespace

    from kazkg.web import subjects

    return subjects.by_graph(SimpleNamespace(writes=0, build_key=key))
