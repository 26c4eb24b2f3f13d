"""`kazkg build --watch` rebuilds on save, and `kazkg serve --reload` serves each new build:
requests under way finish on the build they started with, the next ones see the new one."""

from __future__ import annotations

import threading
import time

import pytest

FOAF = "@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n"
NAMES = "PREFIX foaf: <http://xmlns.com/foaf/0.1/> SELECT ?name WHERE { ?s foaf:name ?name }"


def _wait(condition, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.05)


def test_watch_rebuilds_on_save_and_reports_what_stops_a_build(tmp_path):
    from kazkg.build.inputs import from_files
    from kazkg.build.pipeline import build
    from kazkg.build.watch import watch
    from kazkg.errors import InputError

    data = tmp_path / "people.ttl"
    data.write_text(FOAF + '<http://example.org/a> foaf:name "Aigerim" .\n', encoding="utf-8")
    first = build(from_files([data]))
    built, errors, stop = [], [], threading.Event()
    watcher = threading.Thread(target=watch, args=(lambda made, _: built.append(made), errors.append,
                                                   stop, lambda: from_files([data]), 0.02,
                                                   first.fingerprint))
    watcher.start()
    try:
        time.sleep(0.2)
        assert built == [] and errors == []  # nothing changed: nothing built
        data.write_text(FOAF + '<http://example.org/a> foaf:name "Aigerim", "Ayka" .\n',
                        encoding="utf-8")
        _wait(lambda: built)
        assert built[0].fingerprint == from_files([data]).fingerprint() != first.fingerprint
        assert built[0].union_count == 2
        data.write_text(FOAF + '<http://example.org/a> foaf:name "unclosed .\n', encoding="utf-8")
        _wait(lambda: errors)
        assert isinstance(errors[0], InputError) and "people.ttl" in str(errors[0])
        data.write_text(FOAF + '<http://example.org/a> foaf:name "Aigerim" .\n', encoding="utf-8")
        _wait(lambda: len(built) == 2)  # back to the first: from the cache
        assert built[1].fingerprint == first.fingerprint and built[1].from_cache
    finally:
        stop.set()
        watcher.join(10)
    assert not watcher.is_alive()


def _names(client) -> tuple[set[str], str, str]:
    response = client.get("/sparql", query_string={"query": NAMES},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    health = client.get("/health").get_json()
    return ({row["name"]["value"] for row in response.get_json()["results"]["bindings"]},
            response.headers["ETag"], health["version"])


@pytest.mark.slow
def test_reload_serves_each_new_build_of_the_same_inputs(tmp_path):
    from kazkg.build.inputs import from_files
    from kazkg.build.pipeline import build
    from kazkg.web import create_app

    data = tmp_path / "people.ttl"
    data.write_text(FOAF + '<http://example.org/a> foaf:name "Aigerim" .\n', encoding="utf-8")
    app = create_app(build(from_files([data]), infer=False),
                     {"QUERY_TIMEOUT": 5.0, "WORKERS": 2, "RELOAD": True})
    service = app.extensions["kazkg"]
    try:
        client = app.test_client()
        names, etag, version = _names(client)
        assert names == {"Aigerim"} and not service.reload()  # no newer build yet
        data.write_text(FOAF + '<http://example.org/a> foaf:name "Aigerim", "Ayka" .\n',
                        encoding="utf-8")
        newer = build(from_files([data]), infer=False)
        _wait(lambda: service.build_key == newer.fingerprint)  # the poller picked it up
        again, new_etag, new_version = _names(client)
        assert again == {"Aigerim", "Ayka"} and new_etag != etag and new_version != version
        for _ in range(4):  # every worker answers from the new build
            assert _names(client)[0] == {"Aigerim", "Ayka"}
        dump = client.get("/store?default", headers={"Accept": "application/n-triples"})
        assert dump.status_code == 200 and b"Ayka" in dump.data  # rdflib's dataset too
    finally:
        service.close()
