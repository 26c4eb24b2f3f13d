"""The web tests' data and a real `kazkg serve` process on 127.0.0.1 (fixtures live in
conftest.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from kazkg.tools.bench import servers

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROTOCOL_DATA = FIXTURES / "protocol.trig"
DATA1 = "http://kasei.us/2009/09/sparql/data/data1.rdf"
DATA2 = "http://kasei.us/2009/09/sparql/data/data2.rdf"
DATA3 = "http://kasei.us/2009/09/sparql/data/data3.rdf"
# A query that no engine finishes within a time limit: 16^8 solutions to count even on the
# 16-quad protocol fixture (16^6 took Oxigraph 2.4 s on an idle machine, under the 4 s limit).
RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r "
           ". ?s ?t ?u . ?v ?w ?x }")


def fixture_build():
    from kazkg.build.pipeline import build
    from kazkg.build.inputs import from_files

    return build(from_files([PROTOCOL_DATA]), infer=False)


class Server(servers.Server):
    """A real `kazkg serve` process (kazkg.tools.bench.servers.Server: started ready, stopped by
    `stop()`); `url` is its root, ending in a slash, and `log` its standard error, if asked."""

    def __init__(self, args, env=None, prefix=(), log=None):
        port = servers.free_port()
        command = [*prefix, "serve", "--port", str(port), *args]
        if not prefix:
            command = [sys.executable, "-m", "kazkg", *command]
        self.url, self.log = f"http://127.0.0.1:{port}/", log
        super().__init__("kazkg serve", command, port, log=log, env=env, timeout=120)
