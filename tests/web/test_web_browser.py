"""The pages in a real browser: headless Chromium from Debian, driven by Selenium.

Each test fails on any error in the browser's console and on any request that leaves
127.0.0.1; screenshots go to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import os
from urllib.parse import unquote

import pytest

from tests.web.browser import AXE, Browser, available

pytestmark = pytest.mark.slow

if not available():
    if os.environ.get("CI"):
        raise RuntimeError("CI needs /usr/bin/chromium and /usr/bin/chromedriver (.ci/run installs them)")
    pytest.skip("Debian's chromium and chromium-driver are not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def site(bundled_server):
    return bundled_server


@pytest.fixture
def page(browser, site):
    """The browser, checked after each test: no console errors, no request to another host."""
    browser.reset(1366)  # each test starts at a desktop width, in the default language
    browser.console_errors()
    browser.drain_requests()
    yield browser
    errors = browser.console_errors()
    outside = Browser.outside(browser.drain_requests())
    assert not errors, f"browser console errors: {errors}"
    assert not outside, f"requests that left 127.0.0.1: {outside}"


def wait(driver, condition, seconds=30):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds).until(lambda d: condition(d))


def css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def test_home_then_an_example_query_shows_rows(page, site):
    d = page.driver
    d.get(site.url)
    assert "kazkg" in d.title
    assert "statements" in css(d, "ul.cards")[0].text
    page.screenshot("home")
    css(d, "header nav a[href='/sparql']")[0].click()
    wait(d, lambda d: css(d, ".yasqe .CodeMirror"))
    start = d.execute_script("return kazkgYasgui.getTab().getQuery()")
    assert "PREFIX" not in start and "kazkg:" in start  # the endpoint predeclares the prefixes
    button = [b for b in css(d, "button.example") if b.get_attribute("data-name") == "places-on-the-map"][0]
    assert "Places with coordinates" in button.text
    button.click()
    rows = wait(d, lambda d: css(d, ".yasr table tbody tr") if len(css(d, ".yasr table tbody tr")) > 5 else None)
    assert len(rows) >= 10
    links = wait(d, lambda d: [a.get_attribute("href") for a in css(d, ".yasr table tbody a")
                               if "/resource/" in (a.get_attribute("href") or "")] or None)
    assert all(link.startswith(site.url + "resource/") for link in links)
    assert "places-on-the-map" not in d.current_url and "query=" in d.current_url
    assert "geo:lat" in unquote(d.current_url)
    downloads = [a.get_attribute("href") for a in css(d, "#downloads a[data-format]")]
    assert any("format=csv" in href for href in downloads)
    page.screenshot("query")
    # The link in the address bar brings the same query back, and runs it.
    d.get(d.current_url.replace("#", "?x=1#"))
    wait(d, lambda d: len(css(d, ".yasr table tbody tr")) >= 10)


def test_resource_page(page, site):
    d = page.driver
    d.get(site.url + "resource/shymkent")
    assert css(d, "h1")[0].text == "Shymkent"
    summary = css(d, "section.summary")[0].text
    assert "Шымкент" in summary and "Chimkent" in summary
    assert css(d, "figure.minimap svg circle.here")
    assert css(d, "section.source.sentence q") and css(d, "section.mentioned mark")
    page.screenshot("resource-shymkent")
    css(d, "nav.chrome-langs a[hreflang='kk']")[0].click()
    assert css(d, "h1")[0].text == "Шымкент"


def test_reading_edition_mentions_resolve_and_sentences_list_statements(page, site):
    d = page.driver
    d.get(site.url + "text")
    sentences = css(d, "div.sentence")
    assert len(sentences) == 29
    # Every mention is a link (in the words, and in its sentence's list) that resolves.
    hrefs = d.execute_script("""
      const links = [...document.querySelectorAll('a[data-mentions], li[data-mention] a.mention-link')];
      return [...new Set(links.map(a => a.href))];""")
    assert len(css(d, "li[data-mention]")) > 100 and len(hrefs) > 50
    # A fetch refused for a moment (503 with Retry-After: right after start-up the server's own
    # lookups go first, and 60 fetches from one client wait 2 s at most) is asked again once,
    # as its Retry-After says; a link that does not resolve fails either way.
    statuses = d.execute_async_script("""
      const done = arguments[arguments.length - 1];
      const once = h => fetch(h).then(r => [r.status, Number(r.headers.get('Retry-After'))]);
      const later = (h, s) => new Promise(ok => setTimeout(ok, s * 1000)).then(() => once(h));
      Promise.all(arguments[0].map(h => once(h).then(([status, retry]) =>
        status === 503 && retry > 0 && retry <= 10 ? later(h, retry).then(([s]) => [h, s, true])
                                                    : [h, status, false]))).then(done);""", hrefs)
    assert all(status == 200 for _, status, _ in statuses), [h for h, s, _ in statuses if s != 200]
    retried = {h for h, _, again in statuses if again}
    left = [e for e in page.console_errors() if not any(e.startswith(h + " ") for h in retried)]
    assert not left, f"browser console errors: {left}"
    # Every sentence opens to its statements.
    for sentence in sentences:
        sentence.find_element("css selector", "details > summary").click()
        said = sentence.find_elements("css selector", "li.statement")
        assert said or "No statement" in sentence.text, sentence.get_attribute("id")
    assert d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot("text")
    css(d, "div.sentence#p2\\.s7 a.sentence-page")[0].click()
    wait(d, lambda d: d.current_url.endswith("/resource/industry-1956-1985-p2-s7"))
    assert "Cite this" in d.page_source and css(d, "a[rel=next]")
    page.screenshot("sentence-p2-s7")


def test_search_chimkent_lands_on_shymkent(page, site):
    d = page.driver
    d.get(site.url)
    box = css(d, "form.search input[name=q]")[0]
    box.send_keys("Chimkent")
    box.submit()
    wait(d, lambda d: css(d, "ol.hits li a"))
    page.screenshot("search-chimkent")
    css(d, "ol.hits li a")[0].click()
    wait(d, lambda d: d.current_url.endswith("/resource/shymkent"))
    assert css(d, "h1")[0].text == "Shymkent"


def test_timeline_and_map(page, site):
    d = page.driver
    d.get(site.url + "timeline")
    bars = css(d, ".timeline .bar")
    assert len(bars) >= 10
    assert css(d, ".timeline .bar.span") and css(d, ".timeline .bar.exact")
    page.screenshot("timeline")
    from selenium.webdriver.support.ui import Select

    Select(css(d, "select[name=sector]")[0]).select_by_visible_text("Electric power industry") \
        if "Electric power industry" in css(d, "select[name=sector]")[0].text else \
        Select(css(d, "select[name=sector]")[0]).select_by_index(1)
    css(d, "form.filters button")[0].click()
    wait(d, lambda d: "sector=" in d.current_url)
    assert 0 < len(css(d, ".timeline .bar")) < len(bars)
    d.get(site.url + "map")
    assert css(d, "svg path.land")
    markers = css(d, "svg a.marker")
    assert len(markers) >= 15
    assert css(d, "svg a.marker.enterprise") and css(d, "svg a.marker.place")
    assert "Natural Earth" in css(d, "figure.bigmap figcaption")[0].text
    page.screenshot("map")
    d.get(site.url + "ontology")
    assert css(d, "section.term#Enterprise")
    page.screenshot("ontology")


def run_query(d, text):
    d.execute_script("kazkgYasgui.getTab().setQuery(arguments[0]); kazkgYasgui.getTab().query();", text)


def query_page_with_rows(d, url, rows):
    """The query page at `url`, after a query without PREFIX lines that gives `rows` rows
    (the endpoint knows the project's prefixes)."""
    d.get(url)
    wait(d, lambda d: css(d, ".yasqe .CodeMirror"))
    run_query(d, f"SELECT ?e ?label WHERE {{ ?e a kazkg:Enterprise ; rdfs:label ?label }} LIMIT {rows}")
    wait(d, lambda d: len(css(d, ".yasr table tbody tr")) == rows)


def test_query_page_errors_and_wide_results(page, site):
    d = page.driver
    query_page_with_rows(d, site.url + "sparql", 5)
    # A syntax error: a message with its place, the place marked in the editor, no raw JSON.
    run_query(d, "SELECT ?s WHERE {\n  ?s nope:p ?o }")
    message = wait(d, lambda d: css(d, ".query-error-message"))[0]
    assert "line 2, column 6" in message.text and "nope:" in message.text
    assert '"error"' not in message.text and "{" not in message.text.split("nope:")[0]
    assert css(d, ".query-error-mark")
    page.screenshot("query-error")
    logged = page.console_errors()  # the browser logs the 400 itself; nothing else may be there
    assert all("status of 400" in line for line in logged), logged
    # Wide results: long labels wrap inside their cells, the table scrolls in its own box,
    # never the page, and no cell hides part of its text.
    run_query(d, "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER (STRLEN(STR(?o)) > 150) } LIMIT 20")
    wait(d, lambda d: len(css(d, ".yasr table tbody tr")) >= 5)
    for width in (400, 1400):
        page.viewport(width)
        assert page.overflow() == 0, f"the page scrolls sideways at {width}px"
        clipped = d.execute_script(
            "return Array.from(document.querySelectorAll('.yasr table tbody td')).filter("
            "function (td) { return td.scrollWidth > td.clientWidth + 1 || td.scrollHeight > td.clientHeight + 1; }).length")
        assert clipped == 0, f"{clipped} result cells cut at {width}px"
        page.screenshot(f"query-wide-{width}", full=True)
        if AXE.exists():
            violations = page.axe()
            assert not violations, "\n".join(str(v) for v in violations)


def test_query_page_in_russian(page, site):
    """YASGUI has no translations of its own: its buttons and counts come in the page's language."""
    d = page.driver
    query_page_with_rows(d, site.url + "sparql?lang=ru", 3)
    header = wait(d, lambda d: css(d, ".yasr_header")[0].text if "Результатов" in css(d, ".yasr_header")[0].text else None)
    assert "Таблица" in header and "Table" not in header and "results" not in header
    assert css(d, "input.tableFilter")[0].get_attribute("placeholder") == "Фильтр результатов"
    # No false alarm from the editor's own check: it does not know the predeclared prefixes.
    assert not css(d, ".yasqe .gutterErrorBar *") and not css(d, ".yasqe .queryInvalid")
    page.screenshot("query-ru")
