"""Routing never redirects, so no Location is ever built from a forged Host header (Werkzeug's
slash-merging 308 sent /resource//x to any host), and odd page numbers are a 400, not a 500."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/resource//karaganda", "/text//x", "/graph//ontology",
                                  "/resource/shymkent/"])
def test_no_redirect_to_the_host_header(site, path):
    response = site.get(path, headers={"Host": "evil.example", "Accept": "text/html"})
    assert response.status_code == 404 and "Location" not in response.headers


@pytest.mark.parametrize("path", ["/ontology/", "/shapes/", "/browse/", "/ontology.ttl/",
                                  "/shapes.ttl/", "/resource/shymkent/", "/download/kazkg.nq/"])
def test_a_trailing_slash_is_a_404_as_everywhere(site, path):
    """Every page, resource and download has one URL: /ontology/ and /shapes/ answered 200
    (the same page under a second URL) where /resource/x/ and /download/x/ were 404s."""
    response = site.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 404 and "Location" not in response.headers
    assert f"try {path.rstrip('/')}" in response.get_json()["error"]["message"]
    assert site.get(path.rstrip("/"), headers={"Accept": "text/html"}).status_code == 200


def test_the_endpoint_answers_with_a_slash_too(site):
    assert site.get("/sparql/", query_string={"query": "ASK {}"},
                    headers={"Accept": "application/json"}).status_code == 200


@pytest.mark.parametrize("page", ["\u00b2", "9" * 5000, "0", "-1", "1.5"])
def test_a_page_number_that_is_not_one(site, page):
    response = site.get("/browse", query_string={"page": page}, headers={"Accept": "text/html"})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/download/kazkg.nq/", "/download/kazkg/"])
def test_a_download_has_one_url(client, path):
    assert client.get(path).status_code == 404  # the dump itself, with 200, before
    assert client.get(path.rstrip("/")).status_code == 200


@pytest.mark.parametrize("path, headers", [
    ("/download/kazkg", {"Accept": "text/x-" + "a" * 60000}),
    ("/download/kazkg", {"Accept": "text/html, text/x-" + "a" * 60000 + ";q=0.1"}),
    ("/download/" + "b" * 8000, {}), ("/resource/" + "b" * 8000, {"Accept": "text/html"})])
def test_an_error_repeats_little_of_the_request(client, path, headers):
    response = client.get(path, headers=headers)
    assert response.status_code in (404, 406) and len(response.data) < 4000  # 62 KB before
