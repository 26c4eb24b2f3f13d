"""The `kazkg` command line. Commands only turn options into calls; the work is elsewhere."""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path

import click

from . import api
from .query import catalog
from .formats import export, results
from .build import persist, stats
from .errors import KazkgError
from .namespaces import compact
from .settings import SETTINGS

no_cache_option = click.option(
    "--no-cache", is_flag=True, help="Rebuild from the source files instead of using the cache."
)
store_option = click.option(
    "--store", metavar="oxigraph:PATH",
    help="Keep the dataset in an Oxigraph store on disk at PATH (built when missing or stale); "
         "queries then run on Oxigraph's engine. Default: rdflib's in-memory store.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kazkg")
def cli():
    """kazkg: a linked-data knowledge graph of Kazakhstan's industry, 1956-1985."""


@cli.command()
@no_cache_option
@store_option
def build(no_cache, store):
    """Load, validate (SHACL) and infer (OWL-RL); print a summary."""
    started = time.perf_counter()
    result = api.build(use_cache=not no_cache)
    elapsed = time.perf_counter() - started
    path = persist.parse(store)
    if path is not None and (no_cache or persist.fingerprint(path) != result.fingerprint):
        persist.save(result.dataset, path, result.fingerprint)
        click.echo(f"stored in {path}")
    groups: dict[str, list[int]] = {}
    for graph, count in result.triples_per_graph().items():
        name = compact(graph)
        group = name.split("/", 1)[0] + "/*" if "/" in name else name
        groups.setdefault(group, []).append(count)
    rows = [(f"{g} ({len(c)} graphs)" if len(c) > 1 else g, sum(c)) for g, c in sorted(groups.items())]
    rows += [("distinct triples (union)", len(set(result.dataset.triples((None, None, None))))),
             ("of which inferred", result.inferred_count)]
    width = max(len(label) for label, _ in rows)
    click.echo(f"dataset {result.version} ({'from cache' if result.from_cache else 'built'})")
    for label, count in rows:
        click.echo(f"  {label.ljust(width)}  {count:>7,}")
    if result.from_cache:
        click.echo(f"time: {elapsed:.2f}s from the cache (a full build took "
                   f"{result.seconds.get('total', 0):.2f}s; --no-cache rebuilds)")
    else:
        steps = ", ".join(f"{k} {v:.2f}s" for k, v in result.seconds.items())
        click.echo(f"time: {steps}")


@cli.command()
def validate():
    """Check the data against the SHACL shapes; exit 1 on any violation."""
    found = api.validate()
    violations = [v for v in found if v.severity == "Violation"]
    for v in found:
        click.echo(f"{v.severity}: {v}", err=v.severity == "Violation")
    if violations:
        click.echo(f"{len(violations)} violation(s).", err=True)
        sys.exit(1)
    click.echo(f"The data conforms to the SHACL shapes ({len(found)} warning(s)).")


@cli.command()
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(results.ALL),
              help="Output format (default: table on a terminal, else tsv or turtle).")
@click.option("--inferred/--no-inferred", default=True, show_default=True,
              help="Query the inferred triples too, or only the asserted ones.")
@no_cache_option
@store_option
def query(query, fmt, inferred, no_cache, store):
    """Run QUERY: a file path, a query name from queries/, or the query text itself.

    The project's prefixes (kazkg:, kzr:, schema:, ...) may be used without PREFIX lines.
    """
    text = resolve_query(query)
    if store and not inferred:
        raise click.UsageError("--no-inferred needs the in-memory store")
    dataset = persist.ensure(persist.parse(store), use_cache=not no_cache) if store else None
    result = api.query(text, dataset, inferred=inferred, use_cache=not no_cache)
    fmt = fmt or results.default_format(result, sys.stdout.isatty())
    click.echo(results.render(result, fmt), nl=False)


def resolve_query(argument: str) -> str:
    """A path to a file, else the name of a catalog query, else the query text itself."""
    path = Path(argument)
    if path.suffix == ".rq" or os.sep in argument:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    if any(ch.isspace() for ch in argument.strip()) or "{" in argument:
        return argument
    if path.is_file():
        return path.read_text(encoding="utf-8")
    return catalog.get(argument).text


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(list(export.FORMATS)), default="turtle",
              show_default=True)
@click.option("--inferred/--no-inferred", default=True, show_default=True,
              help="Include the inferred graph.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file (atomically) instead of standard output.")
@no_cache_option
@store_option
def export_command(fmt, inferred, output, no_cache, store):
    """Write the dataset in an RDF format; the same input gives the same bytes."""
    dataset = (persist.in_memory(persist.ensure(persist.parse(store), use_cache=not no_cache))
               if store else api.load(use_cache=not no_cache))
    payload = export.serialize(dataset, fmt, inferred=inferred)
    if output is None:
        click.echo(payload.decode("utf-8"), nl=False)
        return
    target = Path(output)
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_bytes(payload)
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise KazkgError(f"cannot write {output}: {error.strerror or error}") from None
    click.echo(f"wrote {len(payload)} bytes to {output}", err=True)


@cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@no_cache_option
def stats_command(as_json, no_cache):
    """Counts by graph, by class and by label language."""
    data = stats.summary(api.load(use_cache=not no_cache))
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    titles = {"graphs": "Triples by graph", "classes": "Instances by class",
              "languages": "Labels by language"}
    for key, title in titles.items():
        rows = {compact(k): v for k, v in data[key].items()}
        width = max(map(len, rows), default=0)
        click.echo(f"{title}:")
        for name, count in rows.items():
            click.echo(f"  {name.ljust(width)}  {count:>6}")
        click.echo()


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--ontology", type=click.Path(exists=True, dir_okay=False),
              help="With FILES: an ontology to validate against and infer with (OWL-RL).")
@click.option("--shapes", type=click.Path(exists=True, dir_okay=False),
              help="With FILES: SHACL shapes the data must conform to.")
@click.option("--query-timeout", type=float, help="Seconds per query [setting query_timeout].")
@click.option("--result-limit", type=int, help="Rows/triples per answer [setting result_limit].")
@click.option("--body-limit", type=int, help="Request body bytes [setting body_limit].")
@click.option("--processes", type=click.IntRange(min=1),
              help="HTTP processes [setting processes]; 1 with --enable-update or --debug.")
@click.option("--workers", type=click.IntRange(min=1),
              help="Query worker processes per HTTP process [setting workers].")
@click.option("--threads", type=click.IntRange(min=1),
              help="HTTP threads per HTTP process [setting threads].")
@click.option("--service-allow", multiple=True,
              help="A SERVICE endpoint queries may call (repeatable) [setting service_allow].")
@click.option("--enable-update", is_flag=True, default=None,
              help="Accept SPARQL Update and Graph Store writes with the bearer token "
                   "from KAZKG_UPDATE_TOKEN.")
@click.option("--debug", is_flag=True, help="Flask's development server, with debug pages.")
@click.option("--get", "get_path", metavar="PATH",
              help="Answer one GET for PATH in-process, print it and exit (a smoke test).")
@no_cache_option
@store_option
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
def serve(host, port, ontology, shapes, query_timeout, result_limit, body_limit, processes,
          workers, threads, service_allow, enable_update, debug, get_path, no_cache, store, files):
    """Serve the graph (or RDF FILES) over HTTP: the SPARQL 1.1 Protocol at /sparql, Graph
    Store GET at /store, VoID at /.well-known/void, dumps at /download/, and /health."""
    from . import settings
    from .build.pipeline import build as run_build
    from .build.inputs import from_files
    from .web import create_app, server

    stored = persist.parse(store)  # None: rdflib's in-memory store
    if stored is not None and (files or enable_update):
        raise click.UsageError("--store serves the bundled data read-only: it takes no FILES "
                               "and no --enable-update")
    inputs = from_files(files, ontology=ontology, shapes=shapes) if files else None
    started = time.perf_counter()
    if stored is not None:
        built = persist.served(stored, use_cache=not no_cache)
    elif inputs:
        built = run_build(inputs, use_cache=not no_cache, infer=bool(inputs.ontology))
    else:
        built = api.build(use_cache=not no_cache)
    options = {"QUERY_TIMEOUT": query_timeout, "RESULT_LIMIT": result_limit,
               "BODY_LIMIT": body_limit, "WORKERS": workers, "ENABLE_UPDATE": enable_update or None,
               "SERVICE_ALLOW": service_allow or None}
    get_only = bool(get_path)
    # Serving forks the worker pool later, in each HTTP process (kazkg.web.server); --get
    # answers here, so it needs the pool now.
    app = create_app(built, {k: v for k, v in options.items() if v is not None}, start=get_only)
    if get_only:
        try:
            status, media_type, body = server.get(app, get_path)
        finally:
            app.extensions["kazkg"].close()
        click.echo(f"{status} {media_type}", err=True)
        click.echo(body.decode("utf-8", "replace"), nl=False)
        sys.exit(0 if status < 400 else 1)
    config = app.config
    processes = 1 if config["ENABLE_UPDATE"] or debug else (processes or settings.get("processes"))
    listeners = []
    if not debug:
        try:
            listeners = server.listen(host, port)
        except OSError as error:
            reason = error.strerror or error  # also for a host name that does not resolve
            raise click.ClickException(f"cannot listen on {host}:{port}: {reason}") from None
    click.echo(f"kazkg serve: dataset {built.version} ({app.extensions['kazkg'].meta.triples} "
               f"triples, {'cache' if built.from_cache else 'built'}) ready in "
               f"{time.perf_counter() - started:.1f}s", err=True)
    click.echo(f"  SPARQL endpoint  http://{host}:{port}/sparql  (query timeout "
               f"{config['QUERY_TIMEOUT']:g}s, {processes} HTTP process{'es' if processes > 1 else ''}"
               f" x {config['WORKERS']} worker{'s' if config['WORKERS'] > 1 else ''}, result limit "
               f"{config['RESULT_LIMIT']}, updates "
               f"{'ON' if config['ENABLE_UPDATE'] else 'off'})", err=True)
    server.run(app, listeners, host, port, threads=threads or settings.get("threads"),
               processes=processes, debug=debug)


@cli.command()
@click.argument("url")
@click.option("--auth", metavar="USER:PASSWORD", help="Credentials, sent as --auth-scheme says.")
@click.option("--auth-scheme", type=click.Choice(["auto", "basic", "digest"]), default="auto",
              show_default=True,
              help="auto: only when the server's 401 asks, as Digest (Virtuoso) or Basic; "
                   "basic: Basic with every request, unasked; digest: Digest only.")
@click.option("--token", help="A bearer token (Authorization: Bearer ...).")
@click.option("--inferred/--no-inferred", default=True, show_default=True,
              help="Push the inferred graph too.")
@no_cache_option
def push(url, auth, auth_scheme, token, inferred, no_cache):
    """PUT every named graph to URL, a SPARQL 1.1 Graph Store (Oxigraph, Fuseki, GraphDB,
    Virtuoso): one request per graph, URL?graph=IRI."""
    from .tools import push as graph_store

    if auth and token:
        raise click.UsageError("give --auth or --token, not both")
    sent = graph_store.push(api.load(use_cache=not no_cache), url, auth=auth, token=token,
                            scheme=auth_scheme, inferred=inferred)
    click.echo(f"pushed {len(sent)} graphs, {sum(p.triples for p in sent):,} triples to {url}")


@cli.command()
@click.option("--requests", default=2000, show_default=True, type=int,
              help="Requests per server (rdflib-endpoint gets a prefix of the mix, see --slow-share).")
@click.option("--concurrency", default=8, show_default=True, type=int, help="Concurrent clients.")
@click.option("--unique-share", default=0.2, show_default=True, type=float,
              help="Share of never-seen queries (variants, label look-ups) in the mix.")
@click.option("--slow-share", default=10, show_default=True, type=int,
              help="rdflib-endpoint gets a prefix of the mix this many times shorter.")
@click.option("--server", "only", multiple=True,
              type=click.Choice(["kazkg", "oxigraph", "rdflib-endpoint"]),
              help="Run only these servers (repeatable; default: all three).")
@click.option("--load", "load_seconds", default=0.0, type=float,
              help="Then a load test of kazkg serve for this many seconds, with a runaway query.")
@click.option("--load-clients", default=16, show_default=True, type=int)
@click.option("--workdir", type=click.Path(file_okay=False), help="Keep the export and logs here.")
def bench(requests, concurrency, unique_share, slow_share, only, load_seconds, load_clients,
          workdir):
    """Benchmark kazkg serve against Oxigraph server and rdflib-endpoint (needs kazkg[bench])."""
    from .tools import bench as benchmark

    options = benchmark.Options(requests, concurrency, unique_share, slow_share,
                                tuple(only) or benchmark.Options.servers, load_seconds,
                                load_clients, Path(workdir) if workdir else None)
    sys.exit(0 if benchmark.run(options, click.echo) else 1)


@cli.command("settings")
def settings_command():
    """List every setting: its environment variable, default and meaning."""
    for setting in SETTINGS:
        default = " ".join(setting.default) if isinstance(setting.default, tuple) else setting.default
        click.echo(f"{setting.env}  (default: {default!s})\n    {setting.help}")


def main(argv=None):
    """Entry point: run the CLI; show errors as messages, never as tracebacks."""
    try:
        cli.main(args=argv, prog_name="kazkg", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except KazkgError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(error.exit_code)
    except Exception as error:  # a bug: say so plainly, keep the traceback for those who ask
        if os.environ.get("KAZKG_DEBUG"):
            traceback.print_exc()
        click.echo(f"internal error: {type(error).__name__}: {error} "
                   "(set KAZKG_DEBUG=1 for details; please report it)", err=True)
        sys.exit(70)
