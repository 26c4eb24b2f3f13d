"""A full build that holds no rdflib dataset: at 100x the Dataset, its pickle and the copies
made from it took 2.7 GB and most of the time.

Each file is parsed into coded triples of its named graph (kazkg.build.coded), the closure is
computed on them (kazkg.build.closure), SHACL validates them a batch of focus nodes at a time
(kazkg.build.byfocus), and the Oxigraph copy is written from them; no pickle of rdflib's
dataset is kept: like an incremental build's, the cache entry's dataset is read from the
Oxigraph copy when something asks for it. What it keeps for the next build is the state an
incremental build starts from. Its result is tested equal to the rdflib pipeline's
(tests/test_streamed.py). It declines (None) where the rdflib pipeline must run: owlrl as the
reasoner, a file naming graphs of its own, shapes kazkg.build.localshapes does not model, or
a closure only owlrl can compute.
"""

from __future__ import annotations

import time

import pyoxigraph as ox
from rdflib import Literal, URIRef

from .. import settings
from ..namespaces import INFERRED_GRAPH
from . import byfocus, cache, closure, coded, localshapes, mirror, state, statefile
from .store import new_dataset


def build(inputs, key: str, shapes, names, digests: dict, started: float) -> dict | None:
    """Make the cache entry `key` of `inputs` (a full build); its summary (seconds, counts,
    and `written`: whether the cache holds it), or None when the rdflib pipeline must run."""
    if settings.get("reasoner") != "kazkg":
        return None
    reach = localshapes.analyse(shapes) if shapes is not None else None
    if shapes is not None and reach is None:
        return None
    return _build(inputs, key, shapes, names, digests, started, reach)


def _build(inputs, key, shapes, names, digests, started, reach) -> dict | None:
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    coder = coded.Coder()
    graphs = coded.parse_graphs(inputs, coder)
    if graphs is None:
        return None
    coder.forget_parsing()
    kept = state.of_graphs(inputs.code_digest(), digests, graphs, coder.terms)
    seconds["load"] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    fast = closure.compute_coded(coder.terms, coded.all_triples(graphs))  # duplicates: harmless
    if fast.fallback is not None:
        return None
    t1 = time.perf_counter()
    if shapes is not None:  # SHACL's violations are reported before the closure's contradictions
        kept.results = byfocus.results(reach, shapes, coder.terms, fast.engine.store, kept,
                                       graphs, coder.oxigraph_terms())
        byfocus.refuse_violations(kept.results, coder.terms,
                                  ((g, state.decode(c)) for g, c in graphs.items()),
                                  {str(s.graph) for s in inputs.ontology}, names)
        kept.reach = reach
    t2 = time.perf_counter()
    from .reason import ensure_consistent, is_meaningful  # owlrl: imported when needed

    ensure_consistent(fast)
    kept.published = state.meaningful_codes(fast.engine, fast.engine.derived, is_meaningful)
    seconds["validate"] = round(t2 - t1, 3)
    seconds["infer"] = round(time.perf_counter() - t2 + t1 - t0, 3)
    kept.use(fast)
    seconds["total"] = round(time.perf_counter() - started, 3)
    counts = {"graphs": _by_graph(kept), "union": len(kept.union) + len(kept.published)}
    summary = {"seconds": seconds, "counts": counts}
    cache.save_summary(key, summary)
    statefile.save(key, kept)  # the closure's store is not needed after this: 40 % of the memory
    kept.forget_engine()
    del fast
    folder = cache.beside(key, mirror.STORE)
    written = mirror.write(folder, lambda store: _fill(store, kept, coder))
    if written:
        cache.note_digest(folder)
    return {**summary, "written": written, "state": kept}


def _by_graph(kept) -> dict[str, int]:
    found = {g: len(c) // 3 for g, c in kept.graphs.items()}
    if kept.published:
        found[str(INFERRED_GRAPH)] = len(kept.published)
    return dict(sorted(found.items()))


def _fill(store: ox.Store, kept, coder) -> dict:
    """Every graph's quads, each also in the default graph (the store keeps a quad once, so
    that is the union), in batches; the {canonical: original} spellings of the typed literals."""
    term, quad = coder.oxigraph_terms(), ox.Quad
    named = [(g, coded.triples_of(c)) for g, c in sorted(kept.graphs.items())]
    batch: list = []
    for name, triples in [*named, (str(INFERRED_GRAPH), kept.published)]:
        graph = ox.NamedNode(name)
        for s, p, o in triples:
            s, p, o = term[s], term[p], term[o]
            # no graph argument is the default graph: ox.DefaultGraph() as the argument costs
            # ten times as much (pyo3 tries the other kinds of graph name first)
            batch += (quad(s, p, o, graph), quad(s, p, o))
            if len(batch) >= mirror.BATCH:
                store.bulk_extend(batch)
                batch = []
    store.bulk_extend(batch)
    typed = {o for _, _, o in kept.published}
    for graph in kept.graphs.values():
        typed.update(graph[2::3])  # the objects
    literals = (kept.terms.term(c) for c in typed)
    return mirror.canonical_spellings({lit for lit in literals
                                       if isinstance(lit, Literal) and lit.datatype is not None})


def dataset(kept):
    """The rdflib Dataset of a state (when the cache could not keep the build)."""
    made, term = new_dataset(), kept.terms.term
    graphs = [(g, state.decode(c)) for g, c in kept.graphs.items()]
    for name, triples in [*graphs, (str(INFERRED_GRAPH), kept.published)]:
        if triples:
            target = made.graph(URIRef(name))
            for s, p, o in triples:
                target.add((term(s), term(p), term(o)))
    return made
