"""Conditional requests as RFC 9110 (13.1) says: If-None-Match compares weakly (W/"x" matches
"x") and `*` matches any page that exists, for a 304 on GET and HEAD; If-Match compares
strongly and gives 412 when nothing matches."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest

HTML, TURTLE = {"Accept": "text/html"}, {"Accept": "text/turtle"}
JSON = {"Accept": "application/sparql-results+json"}
ASK = "/sparql?query=" + quote("ASK {}")
EXISTING = [("/", HTML), ("/text", HTML), ("/browse", HTML), ("/ontology", HTML),
            ("/ontology", TURTLE), (ASK, JSON), ("/download/kazkg.ttl", TURTLE),
            ("/resource/shymkent", HTML), ("/resource/shymkent", TURTLE),
            ("/.well-known/void", TURTLE), ("/health", JSON)]


def settled(site, path: str, accept: dict) -> None:
    """VoID's ETag changes once the dumps are sized in the background (a fresh cache): wait for
    that, so that the tags compared below are of one and the same description."""
    if "void" not in path:
        return
    deadline = time.monotonic() + 120
    while b"byteSize" not in site.get(path, headers=accept).get_data():
        assert time.monotonic() < deadline, "the dumps were not sized in 120 s"
        time.sleep(0.5)


@pytest.mark.parametrize("path, accept", EXISTING)
def test_if_none_match_compares_weakly_and_star_matches_what_exists(site, path, accept):
    settled(site, path, accept)
    plain = site.get(path, headers=accept)
    assert plain.status_code == 200, (path, plain.status_code)
    for method in (site.get, site.head):
        assert method(path, headers={**accept, "If-None-Match": "*"}).status_code == 304, path
    etag = plain.headers.get("ETag")
    if etag is not None:
        weak = site.get(path, headers={**accept, "If-None-Match": f"W/{etag}"})
        assert weak.status_code == 304 and weak.headers["ETag"] == etag, path
        listed = site.get(path, headers={**accept, "If-None-Match": f'"other", W/{etag}'})
        assert listed.status_code == 304 and not listed.get_data(), path
        assert site.get(path, headers={**accept, "If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize("path, accept", EXISTING)
def test_if_match_with_no_current_tag_is_412(site, path, accept):
    settled(site, path, accept)
    etag = site.get(path, headers=accept).headers.get("ETag")
    assert site.get(path, headers={**accept, "If-Match": '"nope"'}).status_code == 412, path
    assert site.get(path, headers={**accept, "If-Match": "*"}).status_code == 200
    if etag is not None:
        assert site.get(path, headers={**accept, "If-Match": etag}).status_code == 200
        weak = site.get(path, headers={**accept, "If-Match": f"W/{etag}"})
        assert weak.status_code == 412, path  # If-Match compares strongly


def test_star_is_no_304_for_what_does_not_exist(site):
    star = {**HTML, "If-None-Match": "*"}
    assert site.get("/resource/no-such-thing", headers=star).status_code == 404
    assert site.get("/download/nothing.ttl", headers=star).status_code == 404
    assert site.get("/download/nothing.ttl", headers={"If-Match": '"nope"'}).status_code == 404
    bad = {**JSON, "If-Match": '"nope"', "If-None-Match": "*"}
    assert site.get("/sparql?query=" + quote("ASK {"), headers=bad).status_code == 400
