"""Synthetic data shaped like kazkg at N times its size, and a scale report.

`generate(folder, factor)` writes a data folder (usable as KAZKG_DATA_DIR) whose ontology,
shapes and queries are the bundled ones and whose graph/ holds the bundled ABox `factor`
times: copy 0 as it is, copy k with every resource and named-graph IRI renamed (`...-xk`), so
each copy has the same shape. The shared vocabulary (what graph/reference/ and the ontology
define, e.g. the sectors) is written once and not renamed: every copy links to it, as new data
would; what graph/reference/ says of the data's own resources (their names, readings) is
copied with them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from rdflib import BNode, URIRef

from ..build.inputs import bundled, data_root
from ..formats.files import write_atomic
from ..namespaces import KZG, KZR
from ..build.store import read_quads
from . import reasoners

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
    # Resources the ontology or graph/reference/ define are shared by every copy; a resource
    # that other data files describe too (a reading's note on a statistic of a sentence) is
    # the data's own, renamed in each copy.
    defined, reference, described = set(), set(), set()
    for source in inputs.sources:
        subjects = {s for s, _, _, _ in read_quads(source.path)}
        if source in inputs.ontology:
            defined |= subjects
        else:
            (reference if source.path.parent.name == "reference" else described).update(subjects)
    shared = defined | (reference - described)
    for source in inputs.data:
        relative = source.path.relative_to(root / "graph")
        quads = list(read_quads(source.path))
        for k in range(factor):
            suffix = f"-x{k}" if k else ""
            if k and relative.parent.name == "reference":  # only what it says of the data
                quads = [q for q in quads if q[0] not in shared]
            if not quads:
                break
            target = folder / "graph" / relative.parent / f"{relative.stem}{suffix}.ttl"
            lines = []
            for s, p, o, _ in quads:
                s, o = rename(s, suffix, shared), rename(o, suffix, shared)
                lines.append(f"{s.n3()} {p.n3()} {o.n3()} .")
            write_atomic(target, ("\n".join(lines) + "\n").encode("utf-8"))
    return folder


def measure(folder: Path, cache: Path, timeout: float = 3600, queries: bool = True,
            edit: bool = True) -> dict:
    """Build (without cache), then serve from the cache: seconds, peak memory, query latency,
    each measured in a fresh process. A step that fails or runs out of time ends the
    measurement: the figures so far are returned, with the step's "error"."""
    env = {"KAZKG_DATA_DIR": str(folder), "KAZKG_CACHE_DIR": str(cache)}
    figures = {}
    try:
        started = time.perf_counter()
        done = _run(["build", "--no-cache"], env, timeout)
        figures["build_s"] = round(time.perf_counter() - started, 2)
        figures["build_peak_mb"] = done["peak_mb"]
        figures["steps"] = done["stdout"].strip().splitlines()[-1]
        figures.update(_triple_counts(done["stdout"]))
        started = time.perf_counter()
        done = _run(["serve", "--get", "/health"], env, timeout)
        figures["serve_ready_s"] = round(time.perf_counter() - started, 2)
        figures["serve_peak_mb"] = done["peak_mb"]
        for name in QUERIES if queries else ():
            started = time.perf_counter()
            _run(["query", "--format", "tsv", name], env, timeout)
            figures[f"query {name} s"] = round(time.perf_counter() - started, 2)
        if queries:
            done = _run(["--warm-queries"], env, timeout, module="kazkg.tools.scale")
            figures.update(json.loads(done["stdout"].strip().splitlines()[-1]))
        figures["oxigraph_load_s"] = oxigraph_load_seconds(folder, cache.parent / f"{cache.name}-ox")
        figures["build_vs_oxigraph_load"] = round(figures["build_s"] / figures["oxigraph_load_s"], 1)
        if edit:
            figures["one_edit_rebuild_s"] = _edit_one_sentence_and_rebuild(folder, env, timeout)
            figures["full_build_vs_one_edit"] = round(figures["build_s"] / figures["one_edit_rebuild_s"], 1)
            figures["one_label_edit_rebuild_s"] = _edit_one_label_and_rebuild(folder, env, timeout)
            figures["full_build_vs_one_label_edit"] = round(
                figures["build_s"] / figures["one_label_edit_rebuild_s"], 1)
    except RuntimeError as error:
        figures["error"] = str(error)
    return figures


def oxigraph_load_seconds(folder: Path, workdir: Path) -> float:
    """Seconds `oxigraph load` (the Oxigraph CLI of the bench extra) takes to load the same
    asserted quads as N-Quads, one named graph per file, into a new on-disk store."""
    from ..formats.terms import to_oxigraph
    import pyoxigraph as ox

    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    dump = workdir / "asserted.nq"
    with dump.open("wb") as out:
        quads = (ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.NamedNode(str(source.graph)))
                 for source in bundled(folder).sources for s, p, o, _ in read_quads(source.path))
        ox.serialize(quads, out, ox.RdfFormat.N_QUADS)
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if binary is None:
        raise RuntimeError("the oxigraph CLI is not installed (pip install '.[bench]')")
    started = time.perf_counter()
    subprocess.run([binary, "load", "--location", str(workdir / "store"), "--file", str(dump)],
                   check=True, capture_output=True)
    return round(time.perf_counter() - started, 2)


def _edit_one_sentence_and_rebuild(folder: Path, env: dict, timeout: float) -> float:
    """Seconds of `kazkg build` after one line is added to one sentence file (last: the cache
    then holds the edited build)."""
    sentence = sorted((folder / "graph" / "text").rglob("*.ttl"))[0]
    subject = next(iter(read_quads(sentence)))[0]
    with sentence.open("a", encoding="utf-8") as handle:
        handle.write(f'{subject.n3()} <http://www.w3.org/2000/01/rdf-schema#comment> "edited"@en .\n')
    started = time.perf_counter()
    _run(["build"], env, timeout)
    return round(time.perf_counter() - started, 2)


def _edit_one_label_and_rebuild(folder: Path, env: dict, timeout: float) -> float:
    """Seconds of `kazkg build` after the first English label of one sentence file is
    changed: a triple removed and one added, which the shapes read (after
    _edit_one_sentence_and_rebuild: the build before is the edited one)."""
    import re

    sentence = sorted((folder / "graph" / "text").rglob("*.ttl"))[0]
    text = sentence.read_text(encoding="utf-8")
    sentence.write_text(re.sub(r'"@en\b', ' (edited)"@en', text, count=1), encoding="utf-8")
    started = time.perf_counter()
    _run(["build"], env, timeout)
    return round(time.perf_counter() - started, 2)


def _triple_counts(build_output: str) -> dict:
    """The distinct triples of the union, and of the inferred graph, as `kazkg build` lists
    them; asserted = union - inferred."""
    import re

    counts = {}
    for key, label in (("union", "distinct triples (union)"), ("inferred", "of which inferred")):
        found = re.search(re.escape(label) + r"\s+([\d,]+)", build_output)
        if found:
            counts[key] = int(found.group(1).replace(",", ""))
    if len(counts) == 2:
        return {"asserted_triples": counts["union"] - counts["inferred"],
                "inferred_triples": counts["inferred"]}
    return {}


QUERIES = ("city-enterprises", "enterprises-by-sector-and-oblast", "timeline")


def warm_queries(runs: int = 3) -> dict:
    """Query latency after the dataset is loaded from the cache:

    - "warm s": kazkg.api.query in this process (as `kazkg query`), the median of `runs` runs;
    - "served s": one GET /sparql?query=... to a real `kazkg serve` on 127.0.0.1 (its engine,
      its workers), asked once so that it is not answered from the answer cache, after one
      unrelated query has started the workers; its HTTP status if not 200.
    """
    import tempfile
    import urllib.error
    import urllib.request
    from statistics import median
    from urllib.parse import quote

    from .. import api
    from ..query import catalog
    from .bench import servers

    built = api.build()
    figures = {}
    for name in QUERIES:
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            len(api.query(name, built.dataset))  # len(): every row is computed
            seconds.append(time.perf_counter() - started)
        figures[f"query {name} warm s"] = round(median(seconds), 3)
    with tempfile.TemporaryDirectory(prefix="kazkg-scale-serve-") as workdir:
        server = servers.kazkg(Path(workdir), ("--processes", "1"))
        try:
            for name in QUERIES:
                request = urllib.request.Request(
                    server.sparql + "?query=" + quote(catalog.get(name).text),
                    headers={"Accept": "text/tab-separated-values"})
                started = time.perf_counter()
                try:
                    with urllib.request.urlopen(request, timeout=600) as answer:
                        answer.read()
                        status = answer.status
                except urllib.error.HTTPError as error:
                    status = error.code
                figures[f"query {name} served s"] = round(time.perf_counter() - started, 3)
                if status != 200:
                    figures[f"query {name} served status"] = status
        finally:
            server.stop()
    return figures


def _run(args, env, timeout, module: str = "kazkg") -> dict:
    """Run `python -m MODULE ARGS` (default: kazkg) in a fresh process, killed after `timeout`
    seconds; its output and its own peak memory (os.wait4)."""
    import os
    import tempfile
    import threading

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        # with compiled bytecode, as an installed kazkg has it (not in the source tree)
        compiled = {"PYTHONDONTWRITEBYTECODE": "",
                    "PYTHONPYCACHEPREFIX": os.path.join(tempfile.gettempdir(), "kazkg-scale-pycache")}
        process = subprocess.Popen([sys.executable, "-m", module, *args], stdout=out,
                                   stderr=err, env={**os.environ, **compiled, **env})
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            watchdog.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode == -9:
            raise RuntimeError(f"{module} {' '.join(args)} was stopped after {timeout} s")
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise RuntimeError(f"{module} {' '.join(args)} failed (exit status "
                               f"{process.returncode}): {err.read()[-2000:]!r}")
        return {"stdout": out.read().decode("utf-8", "replace"), "peak_mb": round(usage.ru_maxrss / 1024),
                "cpu_s": usage.ru_utime + usage.ru_stime}


def main(argv=None) -> None:
    """python -m kazkg.tools.scale [--factors 1 10 100] [--infer-only] [--reference] [--workdir DIR]"""
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(prog="python -m kazkg.tools.scale", description=main.__doc__)
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--infer-only", action="store_true",
                        help="Time the OWL-RL closure only, by each reasoner, in this process.")
    parser.add_argument("--reference", action="store_true",
                        help="With --infer-only: owlrl's own rules too (the slowest).")
    parser.add_argument("--no-queries", action="store_true",
                        help="Skip the query latencies (at 100x rdflib's take minutes).")
    parser.add_argument("--edit-up-to", type=int, default=10, metavar="FACTOR",
                        help="Rebuild after one edited file only up to this size (an edit "
                             "rebuilds everything: above it, the figure is a second full build).")
    parser.add_argument("--owlrl-up-to", type=int, default=10, metavar="FACTOR",
                        help="With --infer-only: run owlrl's rules only up to this size.")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--warm-queries", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.warm_queries:  # measure()'s fresh process for warm query latency
        print(json.dumps(warm_queries()), flush=True)
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kazkg-scale-"))
    for factor in args.factors:
        folder = generate(workdir / f"x{factor}", factor)
        if args.infer_only:
            row = {"factor": factor, **reasoners.compare(folder, args.reference,
                                                         lean=factor <= args.owlrl_up_to)}
        else:
            row = {"factor": factor, **measure(folder, workdir / f"cache-x{factor}",
                                               queries=not args.no_queries,
                                               edit=factor <= args.edit_up_to)}
        print(json.dumps(row, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
