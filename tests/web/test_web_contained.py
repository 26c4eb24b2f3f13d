"""What a hostile client or hostile data cannot do: paste text into the SPARQL of a page,
turn an IRI into a script link or an open redirect, frame a page, or make the server
describe itself under another host's name. Each test uses a real
`kazkg serve` on 127.0.0.1."""

from __future__ import annotations

import re

import pytest

from tests.web.httpraw import q, request
from tests.web.support import FIXTURES, Server

pytestmark = pytest.mark.slow  # real `kazkg serve` processes

JSON = {"Accept": "application/sparql-results+json"}
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def hostile(private_cache):
    srv = Server([str(FIXTURES / "hostile.ttl"), "--query-timeout", "5", "--workers", "2",
                  "--processes", "1", "--public-url", "https://kazkg.example.org/"])
    yield srv
    srv.stop()


def health(srv) -> dict:
    return request(srv.url, path="health").json()


def ask(srv, text: str, headers=JSON):
    return request(srv.url, "POST", "sparql", body=text,
                   headers={**headers, "Content-Type": "application/sparql-query"})


# --- slugs -----------------------------------------------------------------------------------

@pytest.mark.parametrize("slug", ["%C3%A9%3E", "x%3E%20%7B%7D", "trap%3E%20%3Fp%20%3Fo%20%7D%23",
                                  "%D0%B0%D0%B1%D0%B2", "%E4%B8%AD%E6%96%87", "a%5Cu003E"])
def test_a_slug_never_reaches_the_query_text(hostile, slug):
    for headers in ({}, HTML, {"Accept": "image/png"}):
        reply = request(hostile.url, path="resource/" + slug, headers=headers)
        assert reply.status in (404, 406), (slug, headers, reply.status, reply.body[:200])


# --- links, redirects, headers ---------------------------------------------------------------

def test_only_http_and_https_iris_become_links(hostile):
    page = request(hostile.url, path="resource/trap", headers=HTML)
    assert page.status == 200
    hrefs = re.findall(r"<a [^>]*href=\"([^\"]*)\"", page.body.decode())
    assert "https://example.org/fine" in hrefs and "http://example.org/plain" in hrefs
    assert not [h for h in hrefs if re.match(r"(?i)\s*(javascript|data|vbscript|mailto|urn):", h)]
    text = page.body.decode()
    assert "urn:isbn:0451450523" in text and "mailto:editors@example.org" in text  # as text


@pytest.mark.parametrize("name", ["Zhezkazganite", "Balkhashite"])
def test_search_go_never_leaves_this_site(hostile, name):
    reply = request(hostile.url, path=f"search?q={name}&go=1", headers=HTML)
    assert reply.status == 200  # the hit is shown, not jumped to
    assert "Location" not in reply.headers
    assert 'href="javascript' not in reply.body.decode().lower()


def test_search_go_lands_on_this_sites_own_page(hostile):
    reply = request(hostile.url, path="search?q=Trap&go=1", headers=HTML)
    assert reply.status == 303 and reply.headers["Location"].endswith("/resource/trap")


@pytest.mark.parametrize("path", ["", "resource/trap", "search?q=trap", "sparql", "browse",
                                  "nothing-here"])
def test_every_page_has_the_security_headers(hostile, path):
    reply = request(hostile.url, path=path, headers=HTML)
    assert reply.type == "text/html"
    policy = reply.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self';" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    body = reply.body.decode()
    # data blocks (JSON, JSON-LD) are not script; anything else must come from a file
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", body)
    assert not re.search(r"\son[a-z]+\s*=", body)  # no inline event handlers


def test_etags_differ_per_language_and_format(hostile):
    tags = set()
    for path, headers in [("resource/trap?lang=kk", HTML), ("resource/trap?lang=ru", HTML),
                          ("resource/trap?lang=en", HTML), ("resource/trap.ttl", {}),
                          ("resource/trap.nt", {}), ("resource/trap.jsonld", {})]:
        tags.add(request(hostile.url, path=path, headers=headers).headers["ETag"])
    assert len(tags) == 6


def test_if_none_match_star_holds_only_for_what_exists(hostile):
    star = {"If-None-Match": "*"}
    assert request(hostile.url, path="resource/trap", headers=star).status == 304
    assert request(hostile.url, path="resource/nothing", headers=star).status == 404
    assert request(hostile.url, path="sparql?query=" + q("ASK {"), headers=star).status == 400
    assert request(hostile.url, path="download/nothing.ttl", headers=star).status == 404


def test_the_server_names_itself_by_its_public_url_never_by_the_host_header(hostile):
    forged = {"Host": "evil.example", "Accept": "text/turtle"}
    for path in (".well-known/void", "sparql"):
        reply = request(hostile.url, path=path, headers=forged)
        assert reply.status == 200
        assert b"evil.example" not in reply.body
        assert b"https://kazkg.example.org/sparql" in reply.body

