"""The commands of the tools, `kazkg push` and `kazkg bench`: options turned into calls. The
tools themselves are imported when a command runs, so `kazkg --help` stays fast."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import api

no_cache_option = click.option(
    "--no-cache", is_flag=True, help="Rebuild from the source files instead of using the cache."
)


@click.command()
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
    from . import push as graph_store

    if auth and token:
        raise click.UsageError("give --auth or --token, not both")
    sent = graph_store.push(api.load(use_cache=not no_cache), url, auth=auth, token=token,
                            scheme=auth_scheme, inferred=inferred)
    click.echo(f"pushed {len(sent)} graphs, {sum(p.triples for p in sent):,} triples to {url}")


@click.command()
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
@click.option("--wrk", "wrk_seconds", default=0.0, type=float,
              help="Also drive kazkg and Oxigraph with wrk (a C load generator, Debian's wrk) "
                   "for this many seconds per server, repeated and unique queries.")
@click.option("--wrk-connections", default=8, show_default=True, type=int)
def bench(requests, concurrency, unique_share, slow_share, only, load_seconds, load_clients,
          workdir, wrk_seconds, wrk_connections):
    """Benchmark kazkg serve against Oxigraph server and rdflib-endpoint (needs kazkg[bench])."""
    from . import bench as benchmark

    options = benchmark.Options(requests, concurrency, unique_share, slow_share,
                                tuple(only) or benchmark.Options.servers, load_seconds,
                                load_clients, Path(workdir) if workdir else None, wrk_seconds,
                                wrk_connections)
    sys.exit(0 if benchmark.run(options, click.echo) else 1)
