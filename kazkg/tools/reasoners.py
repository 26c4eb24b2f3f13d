"""The OWL-RL closure of one data folder by each reasoner at hand, timed in this process on
the same asserted triples, and how far their cleaned inferred graphs agree.

- kazkg: kazkg.build.reason.infer as a build runs it (kazkg.build.closure, semi-naive), from
  the dataset to the cleaned graph; "kazkg closure alone": the closure of the triples only;
- owlrl-lean: the same with reason.LeanSemantics, owlrl's rules as kazkg ran them before;
- owlrl: owlrl's own OWLRL_Semantics (only with `reference`: it is the slowest);
- reasonable: the Rust OWL 2 RL reasoner on PyPI (`pip install kazkg[bench]`), which
  implements a subset of the rules; its output is cleaned as kazkg cleans its own.
"""

from __future__ import annotations

import time
from pathlib import Path


def compare(folder: Path, reference: bool = False, lean: bool = True) -> dict:
    import owlrl
    from rdflib import Graph

    from ..build import closure, reason, store
    from ..build.inputs import bundled
    from ..namespaces import INFERRED_GRAPH

    dataset = store.load(bundled(folder))
    asserted = {t for g in dataset.graphs() if g.identifier != INFERRED_GRAPH for t in g}
    row: dict = {"asserted": len(asserted)}
    results = {}
    runs = [("kazkg", None)] + ([("owlrl-lean", reason.LeanSemantics)] if lean else [])
    if reference and lean:
        runs.append(("owlrl", owlrl.OWLRL_Semantics))
    for name, semantics in runs:
        started = time.perf_counter()
        results[name] = set(reason.infer(dataset, semantics))
        row[f"{name} s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    closure.compute(asserted)
    row["kazkg closure alone s"] = round(time.perf_counter() - started, 2)
    row["inferred"] = len(results["kazkg"])
    if lean:
        row["same as owlrl-lean"] = results["owlrl-lean"] == results["kazkg"]
    if reference and lean:
        row["same as owlrl"] = results["owlrl"] == results["kazkg"]
    try:
        import reasonable
    except ImportError:
        row["reasonable"] = "not installed (pip install '.[bench]')"
        return row
    graph = Graph()
    for t in asserted:
        graph.add(t)
    started = time.perf_counter()
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(graph)
    closed = reasoner.reason()
    row["reasonable s"] = round(time.perf_counter() - started, 2)  # from an rdflib Graph, as kazkg
    theirs = {t for t in closed if t not in asserted and reason.is_meaningful(t)}
    ours = results["kazkg"]
    row["reasonable inferred"] = len(theirs)
    row["inferred by both"] = len(theirs & ours)
    for name in ("owlrl-lean", "owlrl", "reasonable"):
        if f"{name} s" in row:
            row[f"kazkg faster than {name}"] = round(row[f"{name} s"] / max(row["kazkg s"], 0.001), 1)
    return row
