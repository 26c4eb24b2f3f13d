"""The kept pages (kazkg.web.pagecache), in-process on the bundled data: keyed by the format
the Accept header chooses, not by the header itself, and counted at what they really hold."""

from __future__ import annotations

import gc
import re
import tracemalloc

import pytest

HTML = {"Accept": "text/html"}


@pytest.fixture
def pages(bundled_app):
    cache = bundled_app.extensions["kazkg-pages"]
    cache.clear()
    yield bundled_app.test_client(use_cookies=False), cache
    cache.clear()


def kept(cache, endpoint: str) -> int:
    return sum(1 for key in list(cache._items) if key[1] == endpoint)


def test_random_accept_headers_share_the_kept_page(pages):
    client, cache = pages
    for n in range(40):  # each spelling of "a browser" chooses HTML: one kept page
        accept = f"text/html;q=0.{n % 9 + 1}, application/x-noise-{n};q=0.05"
        assert client.get("/ontology", headers={"Accept": accept}).status_code == 200
        assert client.get("/timeline", headers={"Accept": f"x/noise-{n}, */*"}).status_code == 200
    assert kept(cache, "ontology.ontology") == 1
    assert kept(cache, "timeline.timeline") == 1  # a page only ever in HTML: Accept is not read
    turtle = client.get("/ontology", headers={"Accept": "text/turtle;q=0.9, x/y"})
    assert turtle.mimetype == "text/turtle"  # not the kept page: RDF is the answer cache's
    for n in range(20):  # nothing acceptable: a 406, never kept
        assert client.get("/ontology", headers={"Accept": f"x/noise-{n}"}).status_code == 406
    assert kept(cache, "ontology.ontology") == 1


def test_kept_pages_are_counted_at_what_they_hold(pages):
    client, cache = pages
    listing = client.get("/browse", headers=HTML).get_data(as_text=True)
    slugs = sorted(set(re.findall(r'href="/resource/([^"?#.]+)"', listing)))[:30]
    assert len(slugs) >= 20
    for slug in slugs:  # rendered once, so that what a first render leaves is not measured
        client.get(f"/resource/{slug}", headers=HTML)
    cache.clear()
    gc.collect()
    tracemalloc.start()
    try:
        for slug in slugs:
            for lang in ("en", "kk", "ru"):
                assert client.get(f"/resource/{slug}?lang={lang}", headers=HTML).status_code == 200
        gc.collect()
        held, counted, bodies = (tracemalloc.get_traced_memory()[0], cache._bytes,
                                 sum(len(entry.body) for entry, _ in cache._items.values()))
        cache.clear()
        gc.collect()
        freed = held - tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert freed > bodies  # a body is not all a kept page holds (before, only it was counted)
    assert freed <= counted <= 1.3 * freed, (freed, counted, bodies)


def test_the_budget_is_for_the_whole_server(bundled_app):
    from kazkg.web import pagecache

    assert pagecache.budget(1) == pagecache.BYTES
    assert pagecache.budget(4) == pagecache.BYTES // 4  # four HTTP processes share it


def test_the_first_pages_are_kept_at_start_up_in_every_language(pages, bundled_app):
    from kazkg.web import pagecache

    client, cache = pages
    pagecache.prerender(bundled_app)  # what kazkg serve does before it says it is ready
    for endpoint in ("pages.home", "text.reading_edition", "browse.browse", "timeline.timeline",
                     "mapview.map_page", "ontology.ontology", "endpoint.sparql"):
        assert kept(cache, endpoint) == 3, endpoint  # kk, ru, en
    hits = cache.hits
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for lang in ("kk", "ru", "en"):
        assert client.get(f"/ontology?lang={lang}", headers={"Accept": browser}).status_code == 200
        assert client.get("/map", headers={"Accept": browser, "Accept-Language": lang}).status_code == 200
    assert cache.hits == hits + 6  # a browser's first visit finds them kept


def test_a_mark_that_marks_nothing_finds_the_kept_page(pages):
    client, cache = pages
    sentence, term = "industry-1956-1985-p3-s3", "https://w3id.org/kazkg/resource/kazakh-ssr"
    plain = client.get(f"/resource/{sentence}", headers=HTML)
    marked = client.get(f"/resource/{sentence}", query_string={"mark": term}, headers=HTML)
    assert "<mark>" in marked.get_data(as_text=True)
    assert "<mark>" not in plain.get_data(as_text=True)
    for n in range(30):  # a flood of noise in ?mark=: on the sentence, on a term, on a text
        noise = {"mark": f"https://example.org/{n}"}
        again = client.get(f"/resource/{sentence}", query_string=noise, headers=HTML)
        assert again.data == plain.data and again.headers["ETag"] == plain.headers["ETag"]
        assert client.get("/resource/kazakh-ssr", query_string=noise, headers=HTML).status_code == 200
        assert client.get("/text/industry-1956-1985", query_string=noise,
                          headers=HTML).status_code == 200
    assert kept(cache, "resource.resource") == 3  # the sentence, marked and not; the term
    assert kept(cache, "text.document") == 1


def test_a_names_choice_of_the_map_other_than_soviet_is_the_present_day_map(pages):
    client, cache = pages
    present = client.get("/map", headers=HTML).data
    for n in range(20):  # /map?names=NOISE was a render (40 ms) each
        assert client.get("/map", query_string={"names": f"x{n}"}, headers=HTML).data == present
    soviet = client.get("/map", query_string={"names": "soviet"}, headers=HTML).data
    assert soviet != present
    assert kept(cache, "mapview.map_page") == 2
