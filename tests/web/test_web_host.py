"""The Host header of a request is never used: every absolute URL the app writes (pages'
markup, VoID and DCAT, the service description, a query's base IRI, Graph Store bodies)
comes from PUBLIC_URL, so a forged Host can neither appear in an answer nor share a cache
entry with an honest one."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

from tests.web.support import DATA1

FORGED = "http://evil.example/"
PATHS = [("/", "text/html"), ("/.well-known/void", "text/turtle"), ("/sparql", "text/turtle"),
         ("/resource?iri=" + quote(DATA1), "text/turtle"),  # a graph: its void:dataDump
         ("/resource?iri=" + quote(DATA1), "text/html")]


@pytest.mark.parametrize("path, accept", PATHS)
def test_no_answer_names_the_host_header(client, path, accept):
    response = client.get(path, base_url=FORGED, headers={"Accept": accept})
    assert response.status_code == 200
    assert b"evil.example" not in response.get_data()
    assert "evil.example" not in " ".join(v for _, v in response.headers.items())


def test_the_schema_org_markup_uses_the_public_url(client):
    body = client.get("/", base_url=FORGED, headers={"Accept": "text/html"}).get_data(as_text=True)
    markup = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', body,
                                  re.S).group(1))
    urls = [d["contentUrl"] for d in markup["distribution"]] + [markup["subjectOf"]["url"]]
    assert urls and all(url.startswith("http://localhost/") for url in urls)


def test_a_querys_base_iri_is_the_public_endpoint(client):
    query = "CONSTRUCT { <x> <y> <z> } WHERE {}"
    for base in (FORGED, "http://localhost/"):  # the same answer (and cache entry) for both
        response = client.get("/sparql?query=" + quote(query), base_url=base,
                              headers={"Accept": "application/n-triples"})
        assert response.status_code == 200
        assert response.get_data(as_text=True).strip() == (
            "<http://localhost/x> <http://localhost/y> <http://localhost/z> .")
