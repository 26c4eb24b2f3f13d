"""The pages' lookups and first pages kept on disk beside the cached build (kazkg.web.kept):
a second server of the same dataset reads them and runs no lookup query; a damaged file is
never served; nothing is kept for a dataset with writes."""

from __future__ import annotations

import pytest

CONFIG = {"WORKERS": 1, "QUERY_TIMEOUT": 20.0}
WARMED = ("names", "counts", "timeline", "markers", "soviet-names", "facets", "search-index",
          "reading-text", "reading-statements", "reading-certainty", "inference-premises")


def _app(build, **config):
    from kazkg.web import create_app

    return create_app(build, {**CONFIG, **config})


@pytest.fixture(scope="module")
def first(built):
    """A server that computed the lookups and rendered the first pages (and kept them)."""
    from kazkg.web import warmup

    app = _app(built)
    try:
        warmup.warm(app)
        yield app
    finally:
        app.extensions["kazkg"].close()


def _no_queries(monkeypatch) -> list:
    """Make every lookup query fail loudly, and count the attempts."""
    from kazkg.web import lookup

    asked = []

    def refuse(*args, **kwargs):
        asked.append(args)
        raise AssertionError("a lookup query ran: the kept value was not read")

    monkeypatch.setattr(lookup, "select", refuse)
    for module in ("facets", "mapview", "timeline", "dates", "reading", "vocabulary", "about"):
        mod = __import__(f"kazkg.web.{module}", fromlist=["select"])
        if hasattr(mod, "select"):
            monkeypatch.setattr(mod, "select", refuse)
    return asked


def test_a_second_start_reads_the_lookups_and_pages_without_a_query(first, built, monkeypatch):
    from kazkg.web import kept, lookup, pagecache, warmup

    svc = first.extensions["kazkg"]
    for key in WARMED:
        assert kept.path(svc, key).is_file(), key
    with first.app_context():
        names = lookup.names()
    asked = _no_queries(monkeypatch)
    second = _app(built)
    try:
        warmup.warm(second)  # as kazkg serve does before it is ready: reads, computes nothing
        assert asked == []
        with second.app_context():
            again = lookup.names()
        assert again is not names and again.labels == names.labels and again.types == names.types
        pages = second.extensions["kazkg-pages"]
        assert {key[1] for key in pages.entries_now()} >= {"pages.home", "text.reading_edition",
                                                          "browse.browse", "ontology.ontology"}
        client = second.test_client(use_cookies=False)
        hits = pages.hits
        home = client.get("/", headers={"Accept": "text/html", "Accept-Language": "kk"})
        assert home.status_code == 200 and pages.hits == hits + 1
        fresh = first.test_client(use_cookies=False)
        first.extensions["kazkg-pages"].clear()
        assert home.get_data() == fresh.get(
            "/", headers={"Accept": "text/html", "Accept-Language": "kk"}).get_data()
    finally:
        second.extensions["kazkg"].close()
    assert pagecache.FIRST_PAGES  # (what the pages file is keyed by)


def test_a_damaged_kept_file_is_not_served(first, built):
    from kazkg.web import kept, lookup

    svc = first.extensions["kazkg"]
    path = kept.path(svc, "counts")
    data = bytearray(path.read_bytes())
    marker = data.find(b"Enterprise")
    assert marker > 0
    data[marker:marker + 10] = b"Enterprisf"  # an edit that keeps the size and the pickle
    path.write_bytes(bytes(data))
    second = _app(built)
    try:
        with second.app_context():
            counts = lookup.counts()  # the edited file is refused and the counts run again
        assert not any("Enterprisf" in key for key in counts)
        with first.app_context():
            assert counts == lookup.counts()
        assert b"Enterprisf" not in path.read_bytes()  # and kept again, whole
    finally:
        second.extensions["kazkg"].close()


def test_a_kept_file_of_other_settings_is_not_read_for_pages(first, built):
    from kazkg.web import kept, pagecache

    svc = first.extensions["kazkg"]
    other = _app(built, PUBLIC_URL="https://kazkg.example/")
    try:
        assert kept.path(other.extensions["kazkg"], pagecache.FIRST_PAGES, pages=True) != \
            kept.path(svc, pagecache.FIRST_PAGES, pages=True)  # pages name the server's URL
        assert kept.path(other.extensions["kazkg"], "names") == kept.path(svc, "names")
    finally:
        other.extensions["kazkg"].close()


def test_nothing_is_kept_for_a_dataset_with_writes(first):
    from kazkg.web import kept

    svc = first.extensions["kazkg"]
    assert kept.path(svc, "names") is not None
    svc.writes += 1  # what a write with --enable-update does to the served version
    try:
        assert kept.path(svc, "names") is None
        assert kept.read(svc, "names") is kept.MISSING
    finally:
        svc.writes -= 1


def test_a_lookup_out_of_time_at_start_up_is_left_to_the_first_page_next_time(first, built,
                                                                            monkeypatch):
    from kazkg.web import facets, kept, lookup, warmup

    svc = first.extensions["kazkg"]
    gave_up = ("gave up at start-up", "kazkg.web.facets", "index")
    calls = []

    def out_of_time():
        calls.append(1)
        raise lookup.LookupFailed("the query was stopped after the time limit",
                                  {"X-Time-Limit": "120"})

    monkeypatch.setattr(facets, "index", out_of_time)
    monkeypatch.setattr(facets.index, "__module__", "kazkg.web.facets")
    monkeypatch.setattr(facets.index, "__name__", "index")
    try:
        warmup.warm(first)  # the other lookups are kept: only this one runs, and is noted
        assert calls == [1]
        assert kept.read(svc, gave_up) is not kept.MISSING
        warmup.warm(first)  # the next start-up does not wait for it again
        assert calls == [1]
    finally:
        kept.path(svc, gave_up).unlink(missing_ok=True)


def test_a_slow_start_up_step_is_named_in_the_log(built, monkeypatch, caplog):
    """At 100x a first start took 10 minutes before it was ready and said nothing meanwhile:
    each step that takes SLOW_STEP seconds or more is now a line of the log."""
    import logging

    from kazkg.web import warmup

    monkeypatch.setattr(warmup, "SLOW_STEP", 0.0)  # every step is slow
    app = _app(built)
    try:
        with caplog.at_level(logging.INFO, logger="kazkg.web"):
            warmup.warm(app)
    finally:
        app.extensions["kazkg"].close()
    said = [r.getMessage() for r in caplog.records if "start-up:" in r.getMessage()]
    assert any("lookup kazkg.web.reading.text took" in line for line in said), said
    assert any("the first pages in each language took" in line for line in said), said
    assert len(said) == 10  # nine lookups and the first pages


def test_a_page_lookup_cut_at_its_row_cap_is_said_once(built, monkeypatch, caplog):
    """The pages' lookups have a row cap of their own (2,000,000): past it the pages silently
    lacked names; now the log says which lookup was cut, once per data version."""
    import logging

    from kazkg.web import lookup

    monkeypatch.setattr(lookup, "ROWS_LIMIT", 5)
    app = _app(built)
    try:
        with app.app_context(), caplog.at_level(logging.WARNING, logger="kazkg.web"):
            rows = lookup.select("SELECT ?s WHERE { ?s a ?type }")
            lookup.select("SELECT ?s WHERE { ?s a ?type }")
    finally:
        app.extensions["kazkg"].close()
    cut = [r.getMessage() for r in caplog.records if "was cut at 5 rows" in r.getMessage()]
    assert len(rows) == 5 and len(cut) == 1 and "SELECT ?s WHERE { ?s a ?type }" in cut[0]
