"""`kazkg push` against a real Oxigraph server (the PyPI package `oxigraph`), started here on
127.0.0.1: afterwards the competency queries give the same answers there as in kazkg. And
against a Graph Store written here, on 127.0.0.1, behind Digest authentication as Virtuoso's
/sparql-graph-crud-auth is (or behind Basic): it checks every answer from the password."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import re
import secrets
import threading
import urllib.parse
import urllib.request

import pytest
from rdflib import Graph

from kazkg.query import catalog
from kazkg.tools.bench import answers, servers
from kazkg.tools.push import PushError, graphs, push
from tests.support import comparable, kazkg_cli, rdflib_answer

pytestmark = pytest.mark.slow
USER, PASSWORD, REALM = "dba", "pass word:with colon", "SPARQL"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """A writable Oxigraph server (kazkg.tools.bench.servers: started ready, then stopped)."""
    try:
        program = servers.tool("oxigraph")
    except RuntimeError:
        pytest.skip("needs the oxigraph server (pip install oxigraph)")
    port = servers.free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    server = servers.Server("oxigraph serve", [program, "serve", "--location", str(location),
                                               "--bind", f"127.0.0.1:{port}"], port,
                            path="query", timeout=30)
    yield f"http://127.0.0.1:{port}"
    server.stop()


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


class GraphStore(http.server.BaseHTTPRequestHandler):
    """PUT ?graph=IRI stores the body, once the Authorization answers the challenge:
    Digest as RFC 7616 with MD5 and qop=auth (Virtuoso's), or Basic. Every request is logged
    as (scheme sent, body length, status)."""

    def do_PUT(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        given = self.headers.get("Authorization", "")
        status = 201 if self.valid(given) else 401
        self.server.log.append((given.split(" ")[0], len(body), status))
        graph = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)["graph"][0]
        if status == 201 and graph in self.server.refuse:
            status = 500
        elif status == 201:
            self.server.graphs[graph] = body
        self.send_response(status)
        if status == 401:
            self.send_header("WWW-Authenticate", self.challenge())
        self.send_header("Content-Length", "0")
        self.end_headers()

    def challenge(self) -> str:
        if self.server.scheme == "Basic":
            return f'Basic realm="{REALM}"'
        if getattr(self.server, "bare", False):
            return "Digest"  # no parameters: a broken server
        nonce = secrets.token_hex(16)
        self.server.nonces[nonce] = 0
        return (f'Digest realm="{REALM}", nonce="{nonce}", opaque="{secrets.token_hex(8)}", '
                'qop="auth", algorithm="MD5"')

    def valid(self, given: str) -> bool:
        scheme, _, answer = given.partition(" ")
        if scheme != self.server.scheme:
            return False
        if scheme == "Basic":
            expected = base64.b64encode(f"{USER}:{PASSWORD}".encode("utf-8")).decode("ascii")
            return hmac.compare_digest(answer, expected)
        field = {key: quoted or bare for key, quoted, bare
                 in re.findall(r'(\w+)=(?:"([^"]*)"|([^\s,]*))', answer)}
        count = int(field.get("nc", "0"), 16)
        if (field.get("username") != USER or field.get("realm") != REALM
                or field.get("uri") != self.path or field.get("qop") != "auth"
                or field.get("algorithm", "MD5") != "MD5"
                or count <= self.server.nonces.get(field.get("nonce"), count)):
            return False  # a stranger, another URI, or an unknown or replayed nonce
        expected = md5(":".join([md5(f"{USER}:{REALM}:{PASSWORD}"), field["nonce"],
                                 field["nc"], field["cnonce"], "auth", md5(f"PUT:{self.path}")]))
        if not hmac.compare_digest(field.get("response", ""), expected):
            return False
        self.server.nonces[field["nonce"]] = count
        return True

    def log_message(self, *args):
        pass


def serve(scheme: str):
    """A fresh Graph Store behind `scheme` on 127.0.0.1, as (url, server)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), GraphStore)
    server.scheme, server.graphs, server.log, server.nonces, server.refuse = (
        scheme, {}, [], {}, set())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sparql-graph-crud-auth", server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(params=["Digest", "Basic"])
def protected(request):
    yield from serve(request.param)


@pytest.fixture
def digest():
    yield from serve("Digest")


def arrived(server, dataset) -> dict:
    """Triples per graph IRI as the server stored them, next to what kazkg holds."""
    theirs = {iri: len(Graph().parse(data=body.decode("utf-8"), format="nt"))
              for iri, body in server.graphs.items()}
    ours = {str(graph.identifier): len(graph) for graph in graphs(dataset)}
    assert len(ours) > 10 and sum(ours.values()) > 1000
    return theirs, ours


def ask(url: str, text: str):
    query = urllib.parse.urlencode({"query": text, "union-default-graph": ""})
    request = urllib.request.Request(f"{url}/query?{query}",
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return answers.rows(answer.read())


def test_push_then_every_competency_query_agrees(oxigraph, dataset):
    sent = push(dataset, oxigraph + "/store")
    assert sent and all(p.status in (200, 201, 204) for p in sent)
    assert len(sent) == sum(1 for g in dataset.graphs() if len(g))
    for name, query in sorted(catalog.load_all().items()):
        ours = comparable(rdflib_answer(dataset, query.text), blank_labels=False)
        theirs = ask(oxigraph, query.text)
        # as multisets: the union default graph repeats a triple once per graph stating it
        assert answers.differences(ours, theirs) == "" and theirs == ours, name


def test_pushing_twice_replaces_not_duplicates(oxigraph, dataset):
    push(dataset, oxigraph + "/store")
    push(dataset, oxigraph + "/store")
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    (row,) = ask(oxigraph, count)
    assert int(row[0][1]) == sum(len(g) for g in dataset.graphs())


def test_the_cli_pushes_and_reports(oxigraph, built):
    done = kazkg_cli("push", oxigraph + "/store", "--no-inferred")
    assert done.returncode == 0, done.stderr
    assert "pushed" in done.stdout


def test_a_refusal_is_an_error_not_a_traceback(oxigraph, dataset):
    with pytest.raises(PushError, match="HTTP 4"):
        push(dataset, oxigraph + "/no-such-endpoint")
    done = kazkg_cli("push", f"http://127.0.0.1:{servers.free_port()}/store")
    assert done.returncode == 1 and "cannot reach" in done.stderr


def test_the_password_goes_only_as_the_server_asks(protected, dataset):
    url, server = protected
    sent = push(dataset, url, auth=f"{USER}:{PASSWORD}")
    theirs, ours = arrived(server, dataset)
    assert theirs == ours and [p.graph for p in sent] == sorted(ours)
    schemes = {scheme for scheme, _, _ in server.log}
    assert schemes == {"", server.scheme}  # the first try carries nothing, then the asked one
    refused = [entry for entry in server.log if entry[2] == 401]
    if server.scheme == "Digest":  # one challenge per graph, the body sent again in full
        assert len(refused) == len(ours) and len(server.log) == 2 * len(ours)
        assert all(first[1] == then[1] for first, then in zip(server.log[::2], server.log[1::2]))
    else:  # asked once, then sent up front
        assert len(refused) == 1 and len(server.log) == len(ours) + 1


def test_a_wrong_password_is_one_clear_refusal(protected, dataset):
    url, server = protected
    first = sorted(str(graph.identifier) for graph in graphs(dataset))[0]
    with pytest.raises(PushError, match=rf"^{re.escape(url)} refused <{re.escape(first)}>: HTTP 401"
                       r".*none of the \d+ graphs was pushed$"):
        push(dataset, url, auth=f"{USER}:wrong")
    assert server.graphs == {} and [s for s, _, _ in server.log] == ["", server.scheme]


def test_a_password_urllib_cannot_hash_is_said_so(digest, dataset):
    url, server = digest
    with pytest.raises(PushError, match="cannot answer its Digest challenge: .* ASCII"):
        push(dataset, url, auth=f"{USER}:pässword")


def test_digest_only_never_sends_a_password_as_basic(protected, dataset):
    url, server = protected
    if server.scheme == "Digest":
        push(dataset, url, auth=f"{USER}:{PASSWORD}", scheme="digest")
        assert server.graphs
    else:
        with pytest.raises(PushError, match="HTTP 401.*asks for Basic, which --auth-scheme digest"):
            push(dataset, url, auth=f"{USER}:{PASSWORD}", scheme="digest")
    assert "Basic" not in {scheme for scheme, _, _ in server.log}


def test_basic_up_front_is_asked_nothing_and_refused_by_digest(protected, dataset):
    url, server = protected
    if server.scheme == "Basic":
        push(dataset, url, auth=f"{USER}:{PASSWORD}", scheme="basic")
        assert all(entry[0] == "Basic" and entry[2] == 201 for entry in server.log)
        assert len(server.graphs) == len(server.log)
    else:
        with pytest.raises(PushError, match="HTTP 401.*leave out --auth-scheme basic"):
            push(dataset, url, auth=f"{USER}:{PASSWORD}", scheme="basic")


def test_a_later_refusal_says_what_was_already_pushed(protected, dataset):
    url, server = protected
    order = sorted(str(graph.identifier) for graph in graphs(dataset))
    server.refuse.add(order[2])
    with pytest.raises(PushError, match=rf"refused <{re.escape(order[2])}>: HTTP 500.*; 2 of the "
                       rf"{len(order)} graphs were pushed before it \(IRI order, "
                       rf"<{re.escape(order[0])}> to <{re.escape(order[1])}>\), none after$"):
        push(dataset, url, auth=f"{USER}:{PASSWORD}")
    assert sorted(server.graphs) == order[:2]


def test_the_cli_answers_digest_and_reports_a_wrong_password(digest, built):
    url, server = digest
    done = kazkg_cli("push", url, "--auth", f"{USER}:{PASSWORD}")
    assert done.returncode == 0, done.stderr
    theirs, ours = arrived(server, built.dataset)
    assert theirs == ours and f"pushed {len(ours)} graphs" in done.stdout
    server.graphs.clear()
    done = kazkg_cli("push", url, "--auth", f"{USER}:nope", "--no-inferred")
    assert done.returncode == 1 and server.graphs == {}
    assert done.stderr.startswith(f"error: {url} refused <") and "HTTP 401" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_digest_challenge_without_parameters_is_a_clear_error(digest, dataset):
    url, server = digest
    server.bare = True
    with pytest.raises(PushError, match="cannot answer its Digest challenge: it has no parameters"):
        push(dataset, url, auth=f"{USER}:{PASSWORD}")
    assert server.graphs == {}
