"""Load every named graph of the dataset into a SPARQL 1.1 Graph Store Protocol server:
one `PUT URL?graph=IRI` per graph, as N-Triples (replacing what that graph held).

    kazkg push http://127.0.0.1:7878/store                                  Oxigraph
    kazkg push http://localhost:3030/kazkg/data --auth admin:pw             Fuseki
    kazkg push http://localhost:7200/repositories/kazkg/rdf-graphs/service  GraphDB

https://www.w3.org/TR/sparql11-http-rdf-update/
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Callable

from rdflib import Dataset
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from . import export
from .errors import KazkgError
from .namespaces import INFERRED_GRAPH

MEDIA_TYPE = "application/n-triples"


class PushError(KazkgError):
    """The server refused a graph, or could not be reached."""


@dataclass(frozen=True)
class Pushed:
    graph: str
    triples: int
    status: int


def headers(auth: str | None = None, token: str | None = None) -> dict:
    found = {"Content-Type": f"{MEDIA_TYPE}; charset=utf-8"}
    if auth:
        if ":" not in auth:
            raise PushError("--auth takes user:password")
        found["Authorization"] = "Basic " + base64.b64encode(auth.encode("utf-8")).decode("ascii")
    if token:
        found["Authorization"] = f"Bearer {token}"
    return found


def target(url: str, graph: str) -> str:
    joiner = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{joiner}{urllib.parse.urlencode({'graph': graph})}"


def graphs(dataset: Dataset, inferred: bool = True):
    for graph in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        if graph.identifier == DATASET_DEFAULT_GRAPH_ID or not len(graph):
            continue
        if graph.identifier == INFERRED_GRAPH and not inferred:
            continue
        yield graph


def push(dataset: Dataset, url: str, *, auth: str | None = None, token: str | None = None,
         inferred: bool = True, timeout: float = 120,
         progress: Callable[[Pushed], None] | None = None) -> list[Pushed]:
    """PUT every named graph to `url`; raise PushError on the first refusal."""
    if not url.startswith(("http://", "https://")):
        raise PushError(f"{url}: give the server's Graph Store URL (http:// or https://)")
    sent = []
    for graph in graphs(dataset, inferred):
        done = _put(url, graph, headers(auth, token), timeout)
        sent.append(done)
        if progress:
            progress(done)
    return sent


def _put(url: str, graph, header: dict, timeout: float) -> Pushed:
    body = export.serialize_graph(graph, "nt")
    request = urllib.request.Request(target(url, str(graph.identifier)), data=body,
                                     headers=header, method="PUT")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read()
            return Pushed(str(graph.identifier), len(graph), answer.status)
    except urllib.error.HTTPError as error:
        detail = error.read(500).decode("utf-8", "replace").strip()
        raise PushError(f"{url} refused <{graph.identifier}>: HTTP {error.code} {error.reason}"
                        + (f": {detail}" if detail else "")) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise PushError(f"cannot reach {url}: {reason}") from None


