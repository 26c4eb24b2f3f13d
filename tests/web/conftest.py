"""Fixtures for the web tests: in-process apps (on the fixture data, on the bundled data), and
real `kazkg serve` processes on 127.0.0.1 (started and stopped here, on free ports)."""

from __future__ import annotations

import os

import pytest

from tests.web.abuse import full_run
from tests.web.support import PROTOCOL_DATA, Server, fixture_build


def pytest_configure(config):
    if full_run(config):  # `-m abuse`: the full fuzzing too (test_web_fuzz.py reads this)
        os.environ.setdefault("KAZKG_FUZZ_EXAMPLES", "2000")


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


@pytest.fixture(scope="session")
def bundled_app(built):
    """The bundled dataset in-process, for the page tests (each test makes its own client, so
    no language choice kept in a cookie leaks from one test into another)."""
    from kazkg.web import create_app

    application = create_app(built, {"WORKERS": 2, "QUERY_TIMEOUT": 20.0})
    yield application
    application.extensions["kazkg"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def site(bundled_app):
    """A test client of bundled_app, shared by the page tests. It keeps no cookies, so a
    test's ?lang=kk does not become the kept language of the tests after it."""
    return bundled_app.test_client(use_cookies=False)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test of the session."""
    from tests.web.browser import Browser

    b = Browser()
    yield b
    b.quit()
