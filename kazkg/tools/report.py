"""What `kazkg build` prints: the summary of a build (its version, where its data came from,
the triples per family of graphs, its time), and what `--store` writes beside it."""

from __future__ import annotations

import click

from ..build import persist, stats
from ..build.inputs import data_source
from ..namespaces import compact


def print_build(result, elapsed: float, store, no_cache: bool) -> None:
    if store is not None and (no_cache or persist.fingerprint(store) != result.fingerprint):
        persist.save(result.dataset, store, result.fingerprint)
        click.echo(f"stored in {store}")
    groups = stats.by_family({compact(g): n for g, n in result.triples_per_graph().items()})
    rows = [(f"{g} ({len(c)} graphs)" if len(c) > 1 else g, sum(c)) for g, c in groups.items()]
    rows += [("distinct triples (union)", result.union_count),
             ("of which inferred", result.inferred_count)]
    width = max(len(label) for label, _ in rows)
    root, why = data_source()
    how = "from cache" if result.from_cache else "built"
    if result.incremental:
        changed = result.incremental["graphs"]
        how = f"built from the build before, {changed} changed file{'s' * (changed != 1)}"
    click.echo(f"dataset version {result.version} ({how}; cache key {result.build_id})")
    click.echo(f"data from {root} ({why}; KAZKG_DATA_DIR chooses another folder)")
    for label, count in rows:
        click.echo(f"  {label.ljust(width)}  {count:>7,}")
    if result.from_cache:
        click.echo(f"time: {elapsed:.2f}s from the cache (a full build took "
                   f"{result.seconds.get('total', 0):.2f}s; --no-cache rebuilds)")
    else:
        steps = ", ".join(f"{k} {v:.2f}s" for k, v in result.seconds.items())
        click.echo(f"time: {steps}")
