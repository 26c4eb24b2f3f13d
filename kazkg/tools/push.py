"""Load every named graph of the dataset into a SPARQL 1.1 Graph Store Protocol server:
one `PUT URL?graph=IRI` per graph, as N-Triples (replacing what that graph held).

    kazkg push http://127.0.0.1:7878/store                                  Oxigraph
    kazkg push http://localhost:3030/kazkg/data --auth admin:pw             Fuseki
    kazkg push http://localhost:7200/repositories/kazkg/rdf-graphs/service  GraphDB
    kazkg push http://localhost:8890/sparql-graph-crud-auth --auth dba:pw   Virtuoso (Digest)

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

from ..formats import export
from ..formats.graphs import named_graphs
from ..errors import ToolError
from ..namespaces import INFERRED_GRAPH

MEDIA_TYPE = "application/n-triples"
# auto: send the password only when a 401 challenge asks, as Digest or Basic, whichever it asks;
# basic: Basic with every request, unasked; digest: only ever as Digest.
SCHEMES = ("auto", "basic", "digest")


class PushError(ToolError):
    """The server refused a graph, or could not be reached."""


@dataclass(frozen=True)
class Pushed:
    graph: str
    triples: int
    status: int


def credentials(auth: str) -> tuple[str, str]:
    user, colon, password = auth.partition(":")
    if not colon:
        raise PushError("--auth takes user:password")
    return user, password


def basic(auth: str) -> str:
    credentials(auth)
    return "Basic " + base64.b64encode(auth.encode("utf-8")).decode("ascii")


def headers(auth: str | None = None, token: str | None = None) -> dict:
    """The request headers; `auth` here is Basic sent up front (--auth-scheme basic)."""
    found = {"Content-Type": f"{MEDIA_TYPE}; charset=utf-8"}
    if auth:
        found["Authorization"] = basic(auth)
    if token:
        found["Authorization"] = f"Bearer {token}"
    return found


def challenges(headers) -> dict:
    """A 401's WWW-Authenticate challenges by scheme ("digest", "basic"), one per header."""
    return {value.split(None, 1)[0].lower(): value
            for value in headers.get_all("WWW-Authenticate") or [] if value.strip()}


class Challenged(urllib.request.HTTPDigestAuthHandler):
    """Answers a 401 with the credentials it asks for: Digest (urllib computes the response)
    or, unless `digest_only`, Basic, which then goes up front with the later requests. Each
    request is answered once: urllib's own handler would retry a refused Digest answer five
    more times, uploading the graph each time."""

    def __init__(self, url: str, auth: str, digest_only: bool):
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, *credentials(auth))
        super().__init__(passwords)
        self.basic = None if digest_only else basic(auth)
        self.asked_basic = False

    def http_request(self, request):
        if self.asked_basic and not request.has_header("Authorization"):
            request.add_unredirected_header("Authorization", self.basic)
        return request

    https_request = http_request

    def http_error_401(self, request, fp, code, msg, headers):
        if request.get_header("Authorization"):
            return None  # already answered: the refusal stands
        asked = challenges(headers)
        if "digest" in asked:
            try:
                return self.retry_http_digest_auth(request, asked["digest"])
            except ValueError:  # urllib splits "Digest <params>": a bare "Digest" breaks it
                raise PushError("cannot answer its Digest challenge: it has no parameters "
                                f"({asked['digest']!r})") from None
        if "basic" in asked and self.basic:
            self.asked_basic = True  # so http_request adds it, to this request and the later ones
            return self.parent.open(request, timeout=request.timeout)
        return None

    def get_authorization(self, request, challenge):
        try:
            return super().get_authorization(request, challenge)
        except UnicodeError:  # urllib hashes ASCII only
            raise PushError("cannot answer its Digest challenge: urllib's Digest takes ASCII "
                            "user names and passwords only") from None
        except (ValueError, urllib.error.URLError) as error:  # e.g. SHA-256, qop=auth-int
            raise PushError("cannot answer its Digest challenge: "
                            f"{getattr(error, 'reason', error)}") from None


def opener(url: str, auth: str | None = None, scheme: str = "auto"):
    if scheme not in SCHEMES:
        raise PushError(f"unknown authentication scheme {scheme!r} (use {', '.join(SCHEMES)})")
    if not auth or scheme == "basic":
        return urllib.request.build_opener()
    return urllib.request.build_opener(Challenged(url, auth, digest_only=scheme == "digest"))


def target(url: str, graph: str) -> str:
    joiner = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{joiner}{urllib.parse.urlencode({'graph': graph})}"


def graphs(dataset: Dataset, inferred: bool = True):
    yield from named_graphs(dataset, () if inferred else (INFERRED_GRAPH,))


def push(dataset: Dataset, url: str, *, auth: str | None = None, token: str | None = None,
         scheme: str = "auto", inferred: bool = True, timeout: float = 120,
         progress: Callable[[Pushed], None] | None = None) -> list[Pushed]:
    """PUT every named graph to `url`, in IRI order; raise PushError on the first refusal,
    saying how far it got. `scheme` says how `auth` is sent (see SCHEMES)."""
    if not url.startswith(("http://", "https://")):
        raise PushError(f"{url}: give the server's Graph Store URL (http:// or https://)")
    send = opener(url, auth, scheme)
    header = headers(auth if scheme == "basic" else None, token)
    todo = list(graphs(dataset, inferred))
    sent = []
    for graph in todo:
        try:
            done = _put(send, url, graph, header, timeout, with_auth=bool(auth))
        except PushError as error:
            raise PushError(f"{error}; {_so_far(sent, len(todo))}") from None
        sent.append(done)
        if progress:
            progress(done)
    return sent


def _so_far(sent: list[Pushed], total: int) -> str:
    if not sent:
        return f"none of the {total} graphs was pushed"
    return (f"{len(sent)} of the {total} graphs were pushed before it (IRI order, "
            f"<{sent[0].graph}> to <{sent[-1].graph}>), none after")


def _put(send, url: str, graph, header: dict, timeout: float, with_auth: bool = False) -> Pushed:
    body = export.serialize_graph(graph, "nt")
    request = urllib.request.Request(target(url, str(graph.identifier)), data=body,
                                     headers=header, method="PUT")
    try:
        with send.open(request, timeout=timeout) as answer:
            answer.read()
            return Pushed(str(graph.identifier), len(graph), answer.status)
    except PushError as error:
        raise PushError(f"{url}, <{graph.identifier}>: {error}") from None
    except urllib.error.HTTPError as error:
        detail = error.read(500).decode("utf-8", "replace").strip()
        raise PushError(f"{url} refused <{graph.identifier}>: HTTP {error.code} {error.reason}"
                        + (f": {detail}" if detail else "") + _hint(request, error, with_auth)
                        ) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise PushError(f"cannot reach {url}: {reason}") from None


def _hint(request, error, with_auth: bool = False) -> str:
    if error.code not in (401, 403):
        return ""
    sent = (request.get_header("Authorization") or "").split(" ")[0]
    if not sent and with_auth:
        if "basic" in challenges(error.headers):
            return " (the server asks for Basic, which --auth-scheme digest never sends)"
        return (" (the server did not ask for credentials with a Basic or Digest challenge: "
                "--auth-scheme basic sends Basic unasked)")
    if not sent:
        return (" (no credentials were sent: give --auth USER:PASSWORD, and --auth-scheme basic"
                " if the server does not ask for them with a Basic or Digest challenge)")
    if sent == "Basic" and "basic" not in challenges(error.headers):
        return (" (Basic was sent unasked: if the server takes Digest, as Virtuoso does, leave"
                " out --auth-scheme basic)")
    return ""
