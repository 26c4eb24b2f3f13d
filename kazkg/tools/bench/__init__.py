"""`kazkg bench`: kazkg serve, Oxigraph server and rdflib-endpoint side by side over one export
of the dataset, driven with the same query mix at the same concurrency; their answers are
checked equal first. See run()."""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ...errors import ToolError
from . import answers, cpu, drive, mix, servers, wrk

__all__ = ["Options", "run"]


@dataclass
class Options:
    requests: int = 2000          # requests per server (rdflib-endpoint: requests // slow_share)
    concurrency: int = 8
    unique_share: float = 0.2     # share of never-seen queries in the mix
    slow_share: int = 10          # rdflib-endpoint gets a prefix of the mix this many times shorter
    servers: tuple = ("kazkg", "oxigraph", "rdflib-endpoint")
    load_seconds: float = 0.0     # > 0: then a load test on kazkg serve with a runaway query
    load_clients: int = 16
    workdir: Path | None = None
    wrk_seconds: float = 0.0      # > 0: also drive kazkg and Oxigraph with wrk, each mix this long
    wrk_connections: int = 8


# A query that no engine finishes within a time limit, even on the tests' 16-quad fixture: 16^8
# solutions to count (16^6 took Oxigraph 2.4 s on an idle machine, under a 4 s limit).
RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . "
           "?p ?q ?r . ?s ?t ?u . ?v ?w ?x }")


def run(options: Options, echo: Callable[[str], None] = print) -> bool:
    """Run the benchmark, printing as it goes; True when every answer agreed (and the load
    test, if any, had no error)."""
    from ... import api
    from ...formats import export
    from ...formats.files import write_atomic

    for name in {"oxigraph", "rdflib-endpoint"} & set(options.servers):
        servers.tool(name)  # ToolError before anything starts: nothing is left running
    if options.wrk_seconds and not wrk.available():
        raise ToolError("wrk is not installed (Debian: apt-get install wrk); run without --wrk")
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="kazkg-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    built = api.build()
    dump = workdir / "dataset.nq"
    write_atomic(dump, export.serialize(built.dataset, "nquads"))
    echo(f"dataset {built.version}: exported {dump} ({dump.stat().st_size:,} bytes)")
    queries = mix.competency()
    requests = mix.build(queries, mix.labels(built.dataset), options.requests, options.unique_share)
    started = {}
    try:
        for name in options.servers:
            echo(f"starting {name} ...")
            started[name] = _start(name, workdir, dump)
            echo(f"  {name} ready in {started[name].ready_seconds:.2f}s at {started[name].sparql}")
        agreed = check(started, queries, requests, echo)
        results = {}
        for name, server in started.items():
            share = requests if name != "rdflib-endpoint" else requests[:max(
                len(queries), len(requests) // options.slow_share)]
            echo(f"driving {name}: {len(share)} requests, {options.concurrency} clients ...")
            results[name] = drive.drive(server.sparql, share, options.concurrency)
        report(results, echo)
        if options.wrk_seconds:
            with_wrk(started, list(queries.values()), options, workdir, echo)
        if options.load_seconds and "kazkg" in started:
            agreed = load(started["kazkg"], requests, options, echo) and agreed
    finally:
        for server in started.values():
            server.stop()
    return agreed


def _start(name: str, workdir: Path, dump: Path) -> servers.Server:
    if name == "kazkg":
        return servers.kazkg(workdir)
    if name == "oxigraph":
        return servers.oxigraph(workdir, dump)
    if name == "rdflib-endpoint":
        return servers.rdflib_endpoint(workdir, dump)
    raise ValueError(f"unknown server {name!r}")


def check(started: dict, queries: dict, requests: list, echo) -> bool:
    """Every competency query and a sample of the unique ones, once on each server: the answers
    must be equal (as multisets of rows of normalised terms)."""
    sample = [(n, t) for n, t in sorted(queries.items())]
    sample += [(f"{kind} #{i}", text) for i, (kind, text) in enumerate(requests)
               if kind != "repeat"][:20]
    names = list(started)
    disagreements, doubled = 0, {}
    for label, text in sample:
        found = {}
        for name in names:
            status, body = drive.fetch(started[name].sparql, text)
            found[name] = answers.rows(body) if status == 200 else f"HTTP {status}"
            if status == 200 and answers.duplicates(found[name]):
                doubled[name] = doubled.get(name, 0) + 1
        reference = found[names[0]]
        for name in names[1:]:
            diff = (answers.differences(reference, found[name])
                    if not isinstance(found[name], str) and not isinstance(reference, str)
                    else ("" if reference == found[name] else f"{reference} vs {found[name]}"))
            if diff:
                disagreements += 1
                echo(f"  DIFFERENT {label}: {names[0]} vs {name}: {diff}")
    echo(f"answers: {len(sample)} queries x {len(names)} servers, "
         f"{'all equal' if not disagreements else f'{disagreements} disagreement(s)'} "
         "(as sets of rows of normalised terms)")
    for name, count in doubled.items():
        echo(f"  note: {name} repeated rows in {count} answer(s) (a multiset union default graph)")
    return not disagreements


def report(results: dict, echo) -> None:
    echo("")
    echo(f"{'server':<16} {'requests':>8} {'errors':>6} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for name, r in results.items():
        echo(f"{name:<16} {r.requests:>8} {sum(r.errors.values()):>6} {r.throughput:>9.1f} "
             f"{r.p50 * 1000:>8.1f} {r.p99 * 1000:>8.1f}")
    ours = results.get("kazkg")
    if ours is None:
        return
    for name, r in results.items():
        if name != "kazkg" and r.throughput:
            echo(f"kazkg / {name}: throughput {ours.throughput / r.throughput:.2f}x, "
                 f"p50 {r.p50 / ours.p50:.2f}x faster, p99 {r.p99 / ours.p99:.2f}x faster")


def with_wrk(started: dict, queries: list[str], options: Options, workdir: Path, echo) -> None:
    """Each mix of kazkg.tools.bench.wrk on each server but rdflib-endpoint (too slow to be
    worth a C client), one after the other, and kazkg's throughput over each other's."""
    names = [n for n in started if n != "rdflib-endpoint"]
    echo("")
    echo(f"wrk: {options.wrk_connections} connections, {options.wrk_seconds:g}s per server and mix")
    echo(f"{'mix':<9} {'server':<10} {'requests':>9} {'errors':>6} {'req/s':>9} {'p50 ms':>8} "
         f"{'p99 ms':>8} {'CPU ms/req':>10}")
    for kind in wrk.MIXES:
        found = {}
        for name in names:
            # CPU of the server's whole process tree per request: on a shared machine the
            # throughput says who got more of the cores, this what each request cost
            before = cpu.tree_seconds(started[name].pid)
            found[name] = r = wrk.drive(started[name].sparql, queries, kind, options.wrk_seconds,
                                        options.wrk_connections, workdir=workdir)
            used = cpu.used(before, cpu.tree_seconds(started[name].pid))
            echo(f"{kind:<9} {name:<10} {r.requests:>9} {r.errors:>6} {r.throughput:>9.1f} "
                 f"{r.percentiles.get('50%', 0) * 1000:>8.1f} {r.percentiles.get('99%', 0) * 1000:>8.1f} "
                 f"{used / max(r.requests, 1) * 1000:>10.2f}")
        if "kazkg" in found:
            for name in names:
                if name != "kazkg" and found[name].throughput:
                    echo(f"{kind:<9} kazkg / {name}: throughput "
                         f"{found['kazkg'].throughput / found[name].throughput:.2f}x")


def load(server, requests: list, options: Options, echo) -> bool:
    """`load_clients` clients for `load_seconds` on kazkg serve while one client keeps sending
    a runaway query (stopped by the server's time limit): zero errors allowed on the mix."""
    stop = threading.Event()
    runaway = {"sent": 0, "statuses": {}}

    def hog():
        while not stop.is_set():
            status, _ = drive.fetch(server.sparql, RUNAWAY, timeout=600)
            runaway["sent"] += 1
            runaway["statuses"][status] = runaway["statuses"].get(status, 0) + 1

    thread = threading.Thread(target=hog, daemon=True)
    thread.start()
    echo(f"load: {options.load_clients} clients for {options.load_seconds:g}s on kazkg serve, "
         "with a runaway query in parallel ...")
    result = drive.drive(server.sparql, requests, options.load_clients, options.load_seconds)
    stop.set()
    thread.join(timeout=120)
    echo(f"load: {result.requests} requests, {result.throughput:.1f} req/s, p50 "
         f"{result.p50 * 1000:.1f} ms, p99 {result.p99 * 1000:.1f} ms, errors {result.errors or 0}; "
         f"runaway sent {runaway['sent']}x, answered {runaway['statuses']}")
    return not result.errors
