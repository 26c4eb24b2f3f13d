"""Synthetic data shaped like kazkg at N times its size, and a scale report.

`generate(folder, factor)` writes a data folder (usable as KAZKG_DATA_DIR) whose ontology,
shapes and queries are the bundled ones and whose graph/ holds the bundled ABox `factor`
times: copy 0 as it is, copy k with every resource and named-graph IRI renamed (`...-xk`), so
each copy has the same shape. The shared vocabulary (graph/reference/, and the resources the
ontology defines, e.g. the sectors) is written once and not renamed: every copy links to it,
as new data would.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from rdflib import BNode, URIRef

from .inputs import bundled, data_root
from .namespaces import KZG, KZR
from .store import read_quads

RENAMED = (str(KZR), str(KZG))


def rename(term, suffix: str, shared=frozenset()):
    if isinstance(term, URIRef) and str(term).startswith(RENAMED) and term not in shared:
        return URIRef(f"{term}{suffix}")
    if isinstance(term, BNode):
        return BNode(f"{term}{suffix}")
    return term


def generate(folder: Path, factor: int, root: Path | None = None) -> Path:
    """Write the data folder for `factor` copies of the ABox; returns `folder`."""
    root = root or data_root()
    shutil.rmtree(folder, ignore_errors=True)
    for name in ("ontology", "queries"):
        shutil.copytree(root / name, folder / name)
    inputs = bundled(root)
    shared = set()  # resources the ontology or graph/reference/ define: every copy shares them
    for source in inputs.sources:
        if source in inputs.ontology or source.path.parent.name == "reference":
            shared.update(s for s, _, _, _ in read_quads(source.path))
    for source in inputs.data:
        relative = source.path.relative_to(root / "graph")
        quads = list(read_quads(source.path))
        copies = 1 if relative.parent.name == "reference" else factor
        for k in range(copies):
            suffix = f"-x{k}" if k else ""
            target = folder / "graph" / relative.parent / f"{relative.stem}{suffix}.ttl"
            target.parent.mkdir(parents=True, exist_ok=True)
            lines = []
            for s, p, o, _ in quads:
                s, o = rename(s, suffix, shared), rename(o, suffix, shared)
                lines.append(f"{s.n3()} {p.n3()} {o.n3()} .")
            target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def measure(folder: Path, cache: Path, timeout: float = 3600) -> dict:
    """Build (without cache), then serve from the cache: seconds, peak memory, query latency,
    each measured in a fresh process."""
    env = {"KAZKG_DATA_DIR": str(folder), "KAZKG_CACHE_DIR": str(cache)}
    figures = {}
    started = time.perf_counter()
    done = _run(["build", "--no-cache"], env, timeout)
    figures["build_s"] = round(time.perf_counter() - started, 2)
    figures["build_peak_mb"] = done["peak_mb"]
    figures["steps"] = done["stdout"].strip().splitlines()[-1]
    started = time.perf_counter()
    done = _run(["serve", "--get", "/health"], env, timeout)
    figures["serve_ready_s"] = round(time.perf_counter() - started, 2)
    figures["serve_peak_mb"] = done["peak_mb"]
    for name in ("city-enterprises", "enterprises-by-sector-and-oblast", "timeline"):
        started = time.perf_counter()
        _run(["query", "--format", "tsv", name], env, timeout)
        figures[f"query {name} s"] = round(time.perf_counter() - started, 2)
    return figures


def _run(args, env, timeout) -> dict:
    """Run `kazkg ARGS` in a fresh process, killed after `timeout` seconds; its output and its
    own peak memory (os.wait4)."""
    import os
    import tempfile
    import threading

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen([sys.executable, "-m", "kazkg", *args], stdout=out,
                                   stderr=err, env={**os.environ, **env})
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            watchdog.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode == -9:
            raise RuntimeError(f"kazkg {' '.join(args)} was stopped after {timeout} s")
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise RuntimeError(f"kazkg {' '.join(args)} failed: {err.read()[-2000:]!r}")
        return {"stdout": out.read().decode("utf-8", "replace"), "peak_mb": round(usage.ru_maxrss / 1024)}


def infer_seconds(folder: Path, reference: bool = False) -> dict:
    """Seconds of the OWL-RL closure alone over the data in `folder` (kazkg's, or owlrl's own
    rules with `reference`), and the size of the asserted graph."""
    import owlrl

    from . import reason, store
    from .inputs import bundled as inputs_of

    dataset = store.load(inputs_of(folder))
    triples = len(set(dataset.triples((None, None, None))))
    started = time.perf_counter()
    inferred = reason.infer(dataset, owlrl.OWLRL_Semantics if reference else reason.LeanSemantics)
    return {"asserted": triples, "inferred": len(inferred),
            "seconds": round(time.perf_counter() - started, 2), "triples": set(inferred)}


def main(argv=None) -> None:
    """python -m kazkg.scale [--factors 1 10 100] [--infer-only] [--reference] [--workdir DIR]"""
    import argparse
    import json
    import tempfile

    parser = argparse.ArgumentParser(prog="python -m kazkg.scale", description=main.__doc__)
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--infer-only", action="store_true",
                        help="Time the OWL-RL closure only, in this process.")
    parser.add_argument("--reference", action="store_true",
                        help="With --infer-only: owlrl's own rules too (before the fix).")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kazkg-scale-"))
    for factor in args.factors:
        folder = generate(workdir / f"x{factor}", factor)
        if args.infer_only:
            row = {"factor": factor, "kazkg": infer_seconds(folder)}
            if args.reference:
                row["owlrl"] = infer_seconds(folder, reference=True)
                row["same_inferred_graph"] = row["owlrl"].pop("triples") == row["kazkg"]["triples"]
            row["kazkg"].pop("triples")
        else:
            row = {"factor": factor, **measure(folder, workdir / f"cache-x{factor}")}
        print(json.dumps(row, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
