"""The web tests' data and a real `kazkg serve` process on 127.0.0.1 (fixtures live in
conftest.py)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest

from kazkg.tools.bench import RUNAWAY, servers  # noqa: F401 (RUNAWAY: for the tests)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROTOCOL_DATA = FIXTURES / "protocol.trig"
DATA1 = "http://kasei.us/2009/09/sparql/data/data1.rdf"
DATA2 = "http://kasei.us/2009/09/sparql/data/data2.rdf"
DATA3 = "http://kasei.us/2009/09/sparql/data/data3.rdf"


def fixture_build():
    from kazkg.build.pipeline import build
    from kazkg.build.inputs import from_files

    return build(from_files([PROTOCOL_DATA]), infer=False)


@contextmanager
def writable_client(store: Path, token: str, **config):
    """A test client of the fixture data in-process with `--enable-update` and `token`, its
    writes kept in `store`; `config` adds to or overrides the app's settings."""
    from kazkg.web import create_app

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KAZKG_UPDATE_STORE", str(store))
        application = create_app(fixture_build(), {
            "WORKERS": 2, "QUERY_TIMEOUT": 20.0, "ENABLE_UPDATE": True, "UPDATE_TOKEN": token,
            **config})
        try:
            yield application.test_client()
        finally:
            application.extensions["kazkg"].close()


class Server(servers.KazkgServer):
    """A real `kazkg serve` process (kazkg.tools.bench.servers: started ready on a free port of
    127.0.0.1, stopped by `stop()`); `url` is its root and `log` its standard error, if asked."""

    def __init__(self, args, env=None, prefix=(), log=None):
        super().__init__(args, prefix=prefix, log=log, env=env, timeout=120)


def downloaded(url: str, seconds: float = 60.0):
    """GET the dump at `url` of a `kazkg serve`, again while it answers 503 (it is being made
    in the background: kazkg.web.making) for at most `seconds`."""
    import time

    from tests.web.httpraw import request

    deadline = time.monotonic() + seconds
    while (reply := request(url, "GET")).status == 503 and time.monotonic() < deadline:
        time.sleep(0.5)
    return reply
