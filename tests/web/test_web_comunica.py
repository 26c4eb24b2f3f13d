"""Comunica, the JavaScript SPARQL and link-traversal client, against a real `kazkg serve`.

Comunica 5 needs Node 22; `.ci/run` installs both from the npm registry into .ci/npm (see
there). Without them the tests skip, saying how to install them, except in CI (CI=true),
where a missing client is a failure: it must never pass by not running.

Link traversal starts at a resource IRI, https://w3id.org/kazkg/resource/shymkent, and
follows the IRIs it reads. In production the w3id redirect sends those to the server; here a
loopback proxy does the same (Comunica's --proxy) and refuses every other address, so that
nothing leaves the machine.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kazkg.tools.bench import servers
from tests.support import ROOT

NPM = ROOT / ".ci" / "npm"
NODE = NPM / "node_modules" / ".bin" / "node"
TRAVERSAL = NPM / "node_modules" / ".bin" / "comunica-sparql-link-traversal"
ENDPOINT_SCRIPT = Path(__file__).resolve().parent / "js" / "comunica_endpoint.cjs"
SHYMKENT = "https://w3id.org/kazkg/resource/shymkent"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _installed() -> bool:
    return NODE.exists() and TRAVERSAL.exists() and (NPM / "node_modules" / "@comunica" / "query-sparql").is_dir()


if not _installed():
    if os.environ.get("CI"):
        raise RuntimeError("Comunica is not installed in .ci/npm: .ci/run must install it")
    pytest.skip("Comunica is not installed: run `npm ci --prefix .ci/npm` (with any npm: it "
                "installs Node 22 itself, as the npm package `node`)", allow_module_level=True)

pytestmark = pytest.mark.slow


class W3idProxy(http.server.ThreadingHTTPServer):
    """Comunica's proxy asks for http://proxy/<absolute URL>: kazkg's IRIs go to the server,
    every other one is refused (404) and recorded."""

    def __init__(self, upstream: str):
        self.upstream, self.asked, self.refused = upstream, [], []
        super().__init__(("127.0.0.1", servers.free_port()), ProxyHandler)


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    PREFIX = "https://w3id.org/kazkg/"

    def do_GET(self):
        target = self.path[1:]
        if not target.startswith(self.PREFIX):
            self.server.refused.append(target)
            self._answer(404, "text/plain", b"")
            return
        self.server.asked.append(target)
        request = urllib.request.Request(self.server.upstream + target[len(self.PREFIX):],
                                         headers={"Accept": self.headers.get("Accept", "*/*")})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                self._answer(answer.status, answer.headers["Content-Type"], answer.read())
        except urllib.error.HTTPError as error:
            self._answer(error.code, error.headers.get("Content-Type", "text/plain"), error.read())

    def _answer(self, status, media_type, body):
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def node(*args, timeout=180):
    done = subprocess.run([str(NODE), *map(str, args)], capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_comunica_sparql_endpoint_mode(bundled_server):
    queries = [
        f"SELECT ?label WHERE {{ <{SHYMKENT}> <{RDFS_LABEL}> ?label }}",
        "ASK { ?s ?p ?o }",
        f"CONSTRUCT {{ <{SHYMKENT}> <{RDFS_LABEL}> ?l }} WHERE {{ <{SHYMKENT}> <{RDFS_LABEL}> ?l }}",
        # Comunica splits a query among its sources: the endpoint answers the parts.
        "SELECT (COUNT(*) AS ?n) WHERE { ?city a <https://w3id.org/kazkg/ontology#City> }",
    ]
    select, ask, construct, count = json.loads(
        node(ENDPOINT_SCRIPT, NPM, bundled_server.url + "sparql", json.dumps(queries)))
    assert {row["label"] for row in select} >= {"Shymkent", "Шымкент"}
    assert ask is True
    assert {o for _, _, o in construct} == {row["label"] for row in select}
    assert int(count[0]["n"]) > 5


def test_comunica_link_traversal_over_a_resource_iri(bundled_server):
    proxy = W3idProxy(bundled_server.url)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        query = (f"SELECT ?name WHERE {{ <{SHYMKENT}> <https://w3id.org/kazkg/ontology#placeInComplex> ?tpc . "
                 f"?tpc <{RDFS_LABEL}> ?name }}")
        out = node(TRAVERSAL, "--lenient", "-p", f"http://127.0.0.1:{proxy.server_port}/", SHYMKENT, query)
    finally:
        proxy.shutdown()
        proxy.server_close()
    names = {row["name"] for row in json.loads(out)}  # in N-Triples: "..."@en
    assert any("Kentau" in name for name in names), out
    # The seed was read as RDF (not the HTML page) and its link was followed to a second one.
    assert proxy.asked[0] == SHYMKENT and len(proxy.asked) >= 2
