"""Every page in headless Chromium at a phone's width (400 px) and a desktop's (1400 px): no
page-level horizontal scrolling (wide tables scroll in their own box), no serious or
critical accessibility violation found by axe-core, a full-page screenshot of each kept in
tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import os
from urllib.parse import quote

import pytest

from tests.web.browser import AXE, available

pytestmark = pytest.mark.slow

if not available():
    if os.environ.get("CI"):
        raise RuntimeError("CI needs /usr/bin/chromium and /usr/bin/chromedriver (.ci/run installs them)")
    pytest.skip("Debian's chromium and chromium-driver are not installed", allow_module_level=True)

ENTERPRISE = "https://w3id.org/kazkg/ontology#Enterprise"
PAGES = {  # a name for the screenshot: the path
    "home": "/",
    "browse": "/browse",
    "browse-enterprises": "/browse?class=" + quote(ENTERPRISE, safe=""),
    "search": "/search?q=Almaty",
    "timeline": "/timeline",
    "map": "/map",
    "ontology": "/ontology",
    "query": "/sparql",
    "resource-shymkent": "/resource/shymkent",
    "resource-kazakh-ssr": "/resource/kazakh-ssr",
    "resource-sentence": "/resource/industry-1956-1985-p2-s3",
    "graph-sentence": "/graph/text/industry-1956-1985/p2-s3",
    "text": "/text",
    "not-found": "/resource/no-such-thing",
}
WIDTHS = (400, 1400)
# The same pages over someone else's data (tests/web/fixtures/library/): written from it.
OTHER_PAGES = {"other-home": "/", "other-query": "/sparql", "other-ontology": "/ontology",
               "other-timeline": "/timeline", "other-map": "/map",
               "other-resource": "/resource?iri=" + quote("http://example.org/library/river-branch", safe="")}


def ready(browser, path):
    """Wait until the page is drawn (the query page builds its editor with a script)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    if path.startswith("/sparql"):
        WebDriverWait(browser.driver, 30).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, ".yasqe .CodeMirror"))


@pytest.fixture
def fresh(browser, bundled_server):
    browser.reset(WIDTHS[0])
    browser.console_errors()
    yield browser


@pytest.fixture(scope="module")
def library_server(private_cache):
    from tests.web.support import Server

    library = __import__("pathlib").Path(__file__).resolve().parent / "fixtures" / "library"
    srv = Server([str(library / name) for name in ("catalogue.ttl", "loans.trig", "branches.ttl")]
                 + ["--workers", "1", "--processes", "1"])
    yield srv
    srv.stop()


@pytest.mark.parametrize("name", list(OTHER_PAGES))
def test_other_data_pages_fit_and_pass_axe(fresh, library_server, name):
    check(fresh, library_server, name, OTHER_PAGES[name])


@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_every_width_and_passes_axe(fresh, bundled_server, name):
    check(fresh, bundled_server, name, PAGES[name])


def check(fresh, server, name, path):
    problems = []
    for width in WIDTHS:
        fresh.viewport(width)
        fresh.driver.get(server.url.rstrip("/") + path)
        ready(fresh, path)
        fresh.screenshot(f"{name}-{width}", full=True)
        wider = fresh.overflow()
        if wider:
            culprits = fresh.driver.execute_script(
                "var w = window.innerWidth; return Array.from(document.querySelectorAll('body *'))"
                ".filter(function (e) { var r = e.getBoundingClientRect(); return r.right > w + 1 && r.width > 0; })"
                ".slice(-4).map(function (e) { return e.outerHTML.slice(0, 90); })")
            problems.append(f"{width}px: the page is {wider}px wider than the window ({culprits})")
        if AXE.exists():
            for violation in fresh.axe():
                problems.append(f"{width}px: axe {violation['impact']} {violation['id']}: "
                                f"{violation['help']} at {violation['nodes']}")
    assert not problems, "\n".join(problems)
    logged = fresh.console_errors()
    if name == "not-found":  # the browser logs the 404 it was shown
        logged = [line for line in logged if "status of 404" not in line]
    assert not logged, logged


def test_axe_core_is_installed_for_ci():
    if not AXE.exists():
        if os.environ.get("CI"):
            raise AssertionError(f"{AXE} is missing: .ci/run installs .ci/npm's lock")
        pytest.skip(f"axe-core is not installed ({AXE}): npm ci --prefix .ci/npm")
