"""The `kazkg` command line: each command turns its options into calls (to kazkg.api and the
stages) and prints what they return; main() turns errors into messages and exit codes."""

from __future__ import annotations

import errno
import json
import os
import sys
import time
import traceback
from pathlib import Path

import click

from . import api
from .query import catalog, jobs
from .formats import export, results
from .formats.files import checked_output, silence_stdout, write_output, write_stdout
from .tools import commands
from .tools.report import print_build
from .build import persist, stats
from .build.inputs import bundled
from .errors import KazkgError, ListenError
from .namespaces import compact
from .settings import SETTINGS, apply_options, check as check_settings, setting_options

no_cache_option = commands.no_cache_option  # one --no-cache for every command


class StoreLocation(click.ParamType):
    """`--store oxigraph:PATH` -> PATH (a folder); `memory` or no option -> None."""

    name = "oxigraph:PATH"
    SCHEME = "oxigraph:"

    def convert(self, value, param, ctx):
        if isinstance(value, Path) or value == "memory":
            return None if value == "memory" else value
        if not value.startswith(self.SCHEME) or len(value) == len(self.SCHEME):
            self.fail(f"{value!r}: use oxigraph:PATH (a folder) or memory", param, ctx)
        path = Path(value[len(self.SCHEME):]).expanduser().resolve()
        if path.exists() and not path.is_dir():
            self.fail(f"{value!r}: {path} is a file, not a folder", param, ctx)
        if not path.parent.is_dir():  # the store is made when missing; a typo'd folder is not
            self.fail(f"{value!r}: the folder {path.parent} does not exist", param, ctx)
        return path


store_option = click.option(
    "--store", type=StoreLocation(),
    help="Keep the dataset in an Oxigraph store on disk at PATH (built when missing or stale); "
         "queries then run on Oxigraph's engine. Default: rdflib's in-memory store.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kazkg")
def cli():
    """kazkg: a linked-data knowledge graph of Kazakhstan's industry, 1956-1985."""
    check_settings()  # a bad KAZKG_* value stops every command at once (exit 2)


@cli.command()
@no_cache_option
@store_option
@click.option("--watch", is_flag=True,
              help="Then rebuild whenever an input file changes (polled twice a second) until "
                   "interrupted; a `kazkg serve --reload` of the same data picks each build up.")
def build(no_cache, store, watch):
    """Load, validate (SHACL) and infer (OWL-RL); print a summary."""
    started = time.perf_counter()
    result = api.build(use_cache=not no_cache)
    print_build(result, time.perf_counter() - started, store, no_cache)
    if watch:
        import threading
        from .build.watch import watch as rebuild_on_save
        click.echo("watching for changes (Ctrl-C stops)", err=True)
        rebuild_on_save(lambda made, seconds: print_build(made, seconds, store, False),
                        lambda error: click.echo(f"error: {error}", err=True),
                        threading.Event(), last=result.fingerprint)


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
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Stop the query after SECONDS (exit 124): it then runs in a worker "
                   "process that is killed at the limit, as kazkg serve runs every query. "
                   "Default: no limit.")
@no_cache_option
@store_option
def query(query, fmt, inferred, timeout, no_cache, store):
    """Run QUERY: a file path, a query name from queries/, or the query text itself.

    The project's prefixes (kazkg:, kzr:, schema:, ...) may be used without PREFIX lines.
    """
    text = catalog.resolve(query, files=True)
    if store and not inferred:
        raise click.UsageError("--no-inferred needs the in-memory store")
    dataset = api.stored(store, use_cache=not no_cache).dataset if store else None
    served = api.served_for(dataset, inferred=inferred, use_cache=not no_cache, in_memory=False)
    job = {"kind": "query", "text": text, "project_prefixes": True, "output": fmt,
           "terminal": sys.stdout.isatty()}
    answer = jobs.run(served, job, timeout)
    answer.raise_for_error()
    write_stdout(answer.body if answer.body.endswith(b"\n") else answer.body + b"\n")


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(list(export.FORMATS)), default="turtle",
              show_default=True)
@click.option("--inferred/--no-inferred", default=True, show_default=True,
              help="Include the inferred graph.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), callback=checked_output,
              help="Write to this file (atomically) instead of standard output; checked first.")
@no_cache_option
@store_option
def export_command(fmt, inferred, output, no_cache, store):
    """Write the dataset in an RDF format; the same input gives the same bytes, the first line
    naming the dataset version (a comment; JSON-LD has none) as the served dumps do."""
    dataset = (persist.in_memory(api.stored(store, use_cache=not no_cache).dataset)
               if store else api.load(use_cache=not no_cache))
    version = bundled().data_version()
    payload = export.with_version(export.serialize(dataset, fmt, inferred=inferred), fmt, version)
    if output is None or output == "-":  # `-o -`: standard output, as for most tools
        write_stdout(payload)
        return
    write_output(Path(output), payload)
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
@click.option("--ontology", type=click.Path(exists=True, dir_okay=False),
              help="With FILES: an ontology to validate against and infer with (OWL-RL).")
@click.option("--shapes", type=click.Path(exists=True, dir_okay=False),
              help="With FILES: SHACL shapes the data must conform to.")
@setting_options
@click.option("--debug", is_flag=True, help="Flask's development server, with debug pages.")
@click.option("--get", "get_path", metavar="PATH",
              help="Answer one GET for PATH in-process, print it and exit (a smoke test).")
@click.option("--reload", "reload_builds", is_flag=True,
              help="Serve each new build of the same data as soon as it is made (e.g. by "
                   "`kazkg build --watch`), without a restart and without dropping requests.")
@no_cache_option
@store_option
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
def serve(ontology, shapes, debug, get_path, reload_builds, no_cache, store, files, **given):
    """Serve the graph (or RDF FILES) over HTTP: the SPARQL 1.1 Protocol at /sparql, Graph
    Store GET at /store, VoID at /.well-known/void, dumps at /download/, and /health.

    Each option from --host to --enable-update is a setting (--query-timeout is
    KAZKG_QUERY_TIMEOUT): the option wins over the variable."""
    from . import settings
    from .build.pipeline import build as run_build
    from .build.inputs import from_files
    from .web import create_app, server
    from .web.app import local_root

    apply_options(given)
    check_settings()
    if not settings.get("public_url"):  # VoID's download URLs, the Graph Store's: where we listen
        os.environ["KAZKG_PUBLIC_URL"] = local_root(settings.get("host"), settings.get("port"))
    enable_update = settings.get("enable_update")
    if store is not None and (files or enable_update):
        raise click.UsageError("--store serves the bundled data read-only: it takes no FILES "
                               "and no --enable-update")
    if reload_builds and (store is not None or enable_update):
        raise click.UsageError("--reload serves the cache's builds: it takes no --store and no "
                               "--enable-update")
    settings.check_update(enable_update, settings.get("update_token"),
                          "--enable-update" if given.get("enable_update") else "KAZKG_ENABLE_UPDATE")
    inputs = from_files(files, ontology=ontology, shapes=shapes) if files else None
    started = time.perf_counter()
    if store is not None:
        built = api.stored(store, use_cache=not no_cache, read_only=True)
    elif inputs:
        built = run_build(inputs, use_cache=not no_cache, infer=bool(inputs.ontology))
    else:
        built = api.build(use_cache=not no_cache)
    get_only = bool(get_path)
    # Serving forks the worker pool later, in each HTTP process (kazkg.web.server); --get
    # answers here, so it needs the pool now.
    app = create_app(built, {"RELOAD": reload_builds}, start=get_only)
    if get_only:
        try:
            status, media_type, body = server.get(app, get_path)
        finally:
            app.extensions["kazkg"].close()
        click.echo(f"{status} {media_type}", err=True)
        click.echo(body.decode("utf-8", "replace"), nl=False)
        sys.exit(0 if status < 400 else 1)
    config, host, port = app.config, settings.get("host"), settings.get("port")
    processes = 1 if config["ENABLE_UPDATE"] or debug else settings.get("processes")
    listeners = []
    if not debug:
        try:
            listeners = server.listen(host, port)
        except OSError as error:
            reason = error.strerror or error  # also for a host name that does not resolve
            raise ListenError(f"cannot listen on {host}:{port} (--host, --port; KAZKG_HOST, "
                              f"KAZKG_PORT): {reason}") from None
    server.run(app, listeners, host, port, threads=settings.get("threads"), processes=processes,
               debug=debug, announce=lambda: click.echo(server.banner(  # after the first pages
                   app, built, host, port, processes, time.perf_counter() - started), err=True))


cli.add_command(commands.push)
cli.add_command(commands.bench)


@cli.command("settings")
def settings_command():
    """List every setting: its environment variable, default and meaning."""
    for setting in SETTINGS:
        option = f", option {setting.flag}" if setting.option else ""
        click.echo(f"{setting.env}  (default: {setting.default_text()}; {setting.allowed()}{option})"
                   f"\n    {setting.help}")


_WRITE_ERRORS = (errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EDQUOT, errno.EFBIG)


def main(argv=None):
    """Entry point: run the CLI; show errors as messages, never as tracebacks. What is handled
    here is the user's or the system's doing; anything else is a bug, and ends the process
    through `_report_bug`."""
    sys.excepthook = _report_bug
    try:
        cli.main(args=argv, prog_name="kazkg", standalone_mode=False)
        sys.stdout.flush()  # a full disk shows here, as an error, not at exit
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except KazkgError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(error.exit_code)
    except OSError as error:  # the system refused (a full disk, a closed pipe): not a bug
        silence_stdout()
        where = (f"{error.filename}: " if error.filename else "cannot write to standard output: "
                 if error.errno in _WRITE_ERRORS else "")  # a file is named, read or written
        click.echo(f"error: {where}{error.strerror or error}", err=True)
        sys.exit(1)


def _report_bug(kind, error, trace) -> None:
    """The command's sys.excepthook, the one place where a bug ends it (kazkg.web.errors is
    the server's): one line saying so, the traceback only with KAZKG_DEBUG=1, exit 70
    (EX_SOFTWARE). In-process (a test, an embedding program) main raises the bug instead."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, trace)
        return
    if os.environ.get("KAZKG_DEBUG"):
        traceback.print_exception(kind, error, trace)
    first = (str(error).splitlines() or [""])[0]  # a worker's bug carries its traceback
    print(f"internal error: {kind.__name__}: {first} (set KAZKG_DEBUG=1 for details; "
          "please report it)", file=sys.stderr, flush=True)
    try:
        sys.stdout.flush()  # what the command printed before the bug, as a normal exit would
    except OSError:
        pass
    os._exit(70)  # after a hook the interpreter would exit 1; every `finally` has run
