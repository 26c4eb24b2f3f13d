"""Fixtures for the web tests: in-process apps (on the fixture data, on the bundled data), and
real `kazkg serve` processes on 127.0.0.1 (started and stopped here, on free ports)."""

from __future__ import annotations

import pytest

from tests.web.support import PROTOCOL_DATA, Server, fixture_build


@pytest.fixture(scope="session")
def server(private_cache):
    """The fixture dataset behind a real server, with a 2 s query limit."""
    srv = Server([str(PROTOCOL_DATA), "--query-timeout", "2", "--workers", "2"])
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def app(private_cache):
    from kazkg.web import create_app

    application = create_app(fixture_build(), {"QUERY_TIMEOUT": 2.0, "WORKERS": 2})
    yield application
    application.extensions["kazkg"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def site(built):
    """A test client of an in-process app on the bundled dataset (the pages' own data)."""
    from kazkg.web import create_app

    application = create_app(built, {"WORKERS": 2, "QUERY_TIMEOUT": 20.0})
    yield application.test_client()
    application.extensions["kazkg"].close()
