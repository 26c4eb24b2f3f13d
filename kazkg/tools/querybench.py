"""kazkg's query path against pyoxigraph alone, on the same data, for every catalog query:

    python -m kazkg.tools.querybench --factor 100 [--runs 3] [--workdir DIR]

- "pyoxigraph ms": pyoxigraph in this process, over an in-memory Store holding the very
  quads kazkg queries (its cached Oxigraph copy: the named graphs, and their union as the
  default graph), every value of every row read;
- "kazkg.query ms": `kazkg.query(name)` (kazkg.api.query) after `kazkg.load()`, in the same
  process, every row read; "ratio" is kazkg.query / pyoxigraph (issue 9's target: at most 2);
  the same three again in CPU time (the process's, both being one thread's work);
- "kazkg query s": the whole `kazkg query NAME --format tsv` command in a fresh process:
  start, cache, query and output (the target: at most 3 s), wall-clock; "CPU s": the CPU
  time that process used (user and system), which a shared machine's load does not stretch.

Each figure is the median of --runs, after one run that is not counted; in-process, the two
take turns. The data are made by
kazkg.tools.scale (--factor 1: the bundled data) and built once into the work folder's cache.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

from .scale import _run, generate


def in_process(runs: int) -> dict:
    """{query: {rows, pyoxigraph ms, kazkg.query ms}} in this process (the environment
    names the data and the cache)."""
    import pyoxigraph as ox

    from .. import api
    from ..query import catalog, oxengine

    built = api.build()
    api.load()
    mirror = oxengine.Mirror.cached(lambda: built.dataset, built.fingerprint)
    reference = ox.Store()
    reference.bulk_extend(mirror.store)  # the same quads, in memory
    figures = {}
    for name, query in catalog.load_all().items():
        ours, theirs = _medians(runs, lambda: _read_rdflib(api.query(name)),
                                lambda: _read_oxigraph(reference.query(query.text)))
        figures[name] = {"rows": ours[2], "pyoxigraph ms": round(theirs[0] * 1000, 1),
                         "kazkg.query ms": round(ours[0] * 1000, 1),
                         "pyoxigraph CPU ms": round(theirs[1] * 1000, 1),
                         "kazkg.query CPU ms": round(ours[1] * 1000, 1)}
        if ours[2] != theirs[2]:
            figures[name]["pyoxigraph rows"] = theirs[2]
    return figures


def _medians(runs: int, *calls) -> list[tuple[float, float, int]]:
    """For each call, (median seconds of `runs` calls after a first one, median seconds of
    CPU, the count it returns); the calls take turns, so that a shared machine's load, which
    changes by the second, weighs on each alike (and the CPU time, both being one thread's
    work, not at all)."""
    counts = [call() for call in calls]
    seconds: list = [([], []) for _ in calls]
    for _ in range(runs):
        for call, (wall, cpu) in zip(calls, seconds):
            started, used = time.perf_counter(), time.process_time()
            call()
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
    return [(median(wall), median(cpu), count) for (wall, cpu), count in zip(seconds, counts)]


def _read_rdflib(result) -> int:
    """Read every value of every row (an rdflib Result); the number of rows."""
    if result.type == "ASK":
        return 1
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return len(result.graph)
    return sum(1 for row in result if tuple(row) is not None)


def _read_oxigraph(found) -> int:
    """Read every value of every solution (pyoxigraph's answer); the number of rows."""
    import pyoxigraph as ox

    if isinstance(found, ox.QueryBoolean):
        return 1
    if isinstance(found, ox.QueryTriples):
        return len(set(found))
    names = [v.value for v in found.variables]
    return sum(1 for solution in found if [solution[n] for n in names] is not None)


def _ratio(row: dict, cpu: str = "") -> float:
    return row[f"kazkg.query {cpu}ms"] / max(row[f"pyoxigraph {cpu}ms"], 0.05)


def report(figures: dict, commands: dict, cpu: dict) -> str:
    lines = ["| query | rows | pyoxigraph ms | kazkg.query ms | ratio | CPU ms: pyoxigraph | "
             "kazkg.query | ratio | `kazkg query` s | CPU s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, row in figures.items():
        lines.append(f"| {name} | {row['rows']:,} | {row['pyoxigraph ms']:.1f} | "
                     f"{row['kazkg.query ms']:.1f} | {_ratio(row):.2f} | "
                     f"{row['pyoxigraph CPU ms']:.1f} | {row['kazkg.query CPU ms']:.1f} | "
                     f"{_ratio(row, 'CPU '):.2f} | {commands[name]:.2f} | {cpu[name]:.2f} |")
    worst = max(_ratio(row) for row in figures.values())
    worst_cpu = max(_ratio(row, "CPU ") for row in figures.values())
    lines.append(f"\nworst ratio {worst:.2f}, of CPU {worst_cpu:.2f} (target <= 2); slowest "
                 f"`kazkg query` {max(commands.values()):.2f} s (target <= 3), "
                 f"{max(cpu.values()):.2f} s of CPU")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kazkg.tools.querybench",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.in_process:
        print(json.dumps(in_process(options.runs)))
        return
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="kazkg-querybench-"))
    env = {"KAZKG_CACHE_DIR": str(workdir / f"cache-{options.factor}")}
    if options.factor > 1:
        folder = workdir / f"data-{options.factor}"
        if not (folder / "graph").is_dir():
            generate(folder, options.factor)
        env["KAZKG_DATA_DIR"] = str(folder)
    print(f"data x{options.factor} in {workdir}; building (or reading the cache) ...",
          file=sys.stderr)
    _run(["build"], env, 3600)
    done = _run(["--in-process", "--runs", str(options.runs)], env, 3600,
                module="kazkg.tools.querybench")
    figures = json.loads(done["stdout"].strip().splitlines()[-1])
    commands, cpu = {}, {}
    for name in figures:
        seconds, used = [], []
        for _ in range(options.runs + 1):
            started = time.perf_counter()
            used.append(_run(["query", "--format", "tsv", name], env, 600)["cpu_s"])
            seconds.append(time.perf_counter() - started)
        commands[name], cpu[name] = median(seconds[1:]), median(used[1:])
    print(report(figures, commands, cpu))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
