"""Each named graph's subjects (the IRIs it states something about), for the facets' sources
(kazkg.web.facets): read from the state the build keeps beside its cached entry
(kazkg.build.state: each graph's triples, coded as ints; an incremental build keeps it equal
to a full build's), not queried. The query scans every quad: at 100x it gave 200,000 rows
(the lookups' row cap) in 48 s under load 9, and /browse answered 503.

A dataset with writes (--enable-update), or one with no state kept (a build by the rdflib
pipeline, an on-disk --store, a damaged file), has no such answer: None, and the facets run
the query on what is served.
"""

from __future__ import annotations

from ..build import statefile
from ..build.state import term_keys


def by_graph(svc) -> dict[str, set[str]] | None:
    """{graph IRI: the IRIs that are subjects of its triples} of the build served, or None."""
    key = getattr(svc, "build_key", None)
    if svc.writes or not key:
        return None
    state = statefile.load(key)
    if state is None:
        return None
    keys = term_keys(state.terms)
    found = {}
    for graph, coded in state.graphs.items():
        named = (keys[code] for code in set(coded[0::3]))  # every third int: a subject
        found[graph] = {name[1:] for name in named if name[0] == "U"}
    return found
