"""The guard: a query may not reach outside the dataset. This is the one place that decides.

A SERVICE clause is refused unless its endpoint is on the allow-list (setting service_allow),
and LOAD (an update) always. The check reads rdflib's algebra of the parsed query, so it sees
through comments, strings and \\u escapes. Parsing with rdflib is slow, though, so a query whose
text cannot hold a SERVICE (`may_reach_out` is False: no "service" anywhere in it, even in a
comment, and no \\u escape, which SPARQL decodes before parsing) needs no parse to pass; a
false alarm only costs that parse. Engines that would call a SERVICE themselves (Oxigraph's)
take only queries that cannot reach out.
"""

from __future__ import annotations

import functools
import re

from ..errors import QueryError
from .syntax import walk

_MAY_REACH_OUT = re.compile(r"service|\\u", re.IGNORECASE)


@functools.lru_cache(maxsize=1024)
def may_reach_out(text: str) -> bool:
    return _MAY_REACH_OUT.search(text) is not None


def check(algebra, allowed_services: tuple[str, ...] = ()) -> None:
    """Refuse what could reach outside the dataset: SERVICE (unless allowed) and LOAD."""
    for node in walk(algebra):
        if node.name == "ServiceGraphPattern" and str(node.term) not in allowed_services:
            raise QueryError(f"SERVICE <{node.term}> is not allowed: kazkg calls no endpoint "
                             "that is not on its allow-list")
        if node.name == "Load":
            raise QueryError("LOAD is not allowed: kazkg never fetches documents")
