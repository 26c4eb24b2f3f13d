"""What `kazkg serve` does before it says it is ready: the pages' shared lookups, once, then the
first pages in each language (kazkg.web.pagecache.prerender), so that no first request waits
for them; each step that takes SLOW_STEP seconds or more is a line of the log."""

from __future__ import annotations

import logging
import time

from flask import Flask

from . import facets, kept, lookup, mapview, pagecache, pages, premises, reading, timeline

log = logging.getLogger("kazkg.web")
SLOW_STEP = 2.0  # seconds: a start-up step that took longer is named in the log


def warm(app: Flask) -> None:
    """Run the pages' shared lookups once, at start-up, then render the first pages
    (kazkg.web.pagecache.prerender): the lookups are the only page queries that take more
    than a moment, and under load a page query may get only the quick lane of
    kazkg.web.admission (a front runs it again in a thread: at once when they are kept).
    An earlier server of the same dataset kept them on disk (kazkg.web.kept): then they are
    read, not computed. A lookup refused here (LookupFailed) is simply run again by the
    first page, which says what is wrong; one that ran out of time is noted on disk, and
    the next start-ups of the same dataset leave it to that first page (at 100x the facets'
    sources query runs for minutes: each start waited for it). A bug is not caught: the
    thread ends with its traceback in the server log (threading.excepthook)."""
    svc = app.extensions["kazkg"]
    with app.app_context(), lookup.patient():
        # the reading edition's (for /text) and the premises' (every resource page) too: at
        # 100x each took over the query time limit under load, and those pages answered 503
        for compute in (lookup.names, lookup.counts, timeline.items, mapview.markers,
                        mapview.soviet_names, facets.index, pages.search_index, reading.text,
                        premises.weakest):
            gave_up = ("gave up at start-up", compute.__module__, compute.__name__)
            if kept.read(svc, gave_up) is not kept.MISSING:
                continue
            started = time.monotonic()
            try:
                compute()
            except lookup.LookupFailed as error:
                if "X-Time-Limit" not in error.extra_headers:
                    return  # busy: a front's warm-up after it answers; the pages run them
                kept.write(svc, gave_up, error.description)
            _say_slow(f"the pages' lookup {compute.__module__}.{compute.__name__}", started)
    started = time.monotonic()
    pagecache.prerender(app)  # and the first pages in each language, kept
    _say_slow("the first pages in each language", started)


def _say_slow(what: str, started: float) -> None:
    """A line in the log for a start-up step that took a while: at 100x a first start takes
    minutes before it is ready, and said nothing of what it was doing."""
    seconds = time.monotonic() - started
    if seconds >= SLOW_STEP:
        log.info("kazkg serve: start-up: %s took %.1fs", what, seconds)
