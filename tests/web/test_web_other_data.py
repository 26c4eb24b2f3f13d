"""Someone else's data: `kazkg serve FILE...` over a small dataset of another domain (a
fictional library, tests/web/fixtures/library/) describes that data on every page, opens any
of its IRIs at /resource?iri=..., and names its graphs with portable IRIs; in-process."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from rdflib import URIRef

from kazkg.namespaces import KZG

HTML = {"Accept": "text/html"}
LIBRARY = __import__("pathlib").Path(__file__).resolve().parent / "fixtures" / "library"
FILES = [LIBRARY / "catalogue.ttl", LIBRARY / "loans.trig", LIBRARY / "branches.ttl"]
TITLE = "Millbrook Village Library catalogue"
ESCAPED = "http://example.org/library/book/war-&-peace?edition=2#copy"


def served(paths):
    from kazkg.build.inputs import from_files
    from kazkg.build.pipeline import build
    from kazkg.web import create_app

    built = build(from_files(paths), infer=False)
    return built, create_app(built, {"WORKERS": 1, "QUERY_TIMEOUT": 20.0})


@pytest.fixture(scope="module")
def library(private_cache):
    built, app = served(FILES)
    yield built, app.test_client(use_cookies=False)  # no language kept from one test to the next
    app.extensions["kazkg"].close()


def get(client, path, status=200) -> str:
    response = client.get(path, headers=HTML)
    assert response.status_code == status, (path, response.status_code, response.get_data(as_text=True)[:300])
    return response.get_data(as_text=True)


def test_graph_names_are_portable(library):
    built, _ = library
    names = {str(g) for g in built.triples_per_graph()}
    assert str(KZG["file/catalogue"]) in names
    assert "http://example.org/library/loans-2024" in names  # the TriG file's own graph
    from kazkg.build.inputs import from_files

    twice = from_files([LIBRARY / "catalogue.ttl", LIBRARY / "catalogue.ttl"])
    assert [str(s.graph) for s in twice.data] == [str(KZG["file/catalogue"]), str(KZG["file/catalogue-2"])]
    assert not [n for n in names if n.startswith("file:") or str(LIBRARY) in n]


@pytest.mark.parametrize("path", ["/", "/text", "/resource?iri=" + quote("http://example.org/library/book-1"),
                                  "/graph/file/catalogue", "/search?q=Orchard", "/sparql", "/ontology",
                                  "/timeline", "/map", "/browse"])
def test_every_page_describes_this_data(library, path):
    _, client = library
    body = get(client, path)
    assert "Kazakhstan" not in body and "Soviet" not in body and "numbered sentences" not in body
    assert "Lenin" not in body and "Enterprise" not in body and "enterprise" not in body
    # kazkg: only where it is true of any data: the class the reading edition reads, the
    # prefixes the endpoint predeclares
    assert "kazkg:" not in body or path in ("/text", "/sparql")
    assert TITLE in body  # in the footer at least


def test_the_home_page_says_what_the_data_says_of_itself(library):
    _, client = library
    body = get(client, "/")
    assert f"<h1>{TITLE}</h1>" in body
    assert "Books, their authors and the shelves they stand on" in body
    assert "catalogue.ttl" in body and "loans.trig" in body
    assert re.search(r'"what">Book</span><strong>3</strong>|"what">(Book|Person)</span><strong>2</strong>', body)
    void = client.get("/.well-known/void", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert TITLE in void and "Kazakhstan" not in void


def test_file_names_when_the_data_has_no_title(private_cache):
    """And data with no date and no coordinate: the timeline and the map say so, and send
    the reader to /browse."""
    _, app = served([LIBRARY / "loans.trig"])
    try:
        client = app.test_client()
        body = get(client, "/")
        assert "<h1>loans.trig</h1>" in body and "Kazakhstan" not in body
        for path in ("/timeline", "/map"):
            page = get(client, path)
            assert "Nothing in this data" in page and 'href="/browse"' in page and "Kazakhstan" not in page
        assert "Lenin" not in get(client, "/sparql")
    finally:
        app.extensions["kazkg"].close()


def test_any_iri_of_the_data_opens(library):
    built, client = library
    subjects = {str(s) for s in built.dataset.subjects() if isinstance(s, URIRef)}
    assert ESCAPED in subjects and "http://example.org/library/автор-2" in subjects
    for iri in subjects:
        body = get(client, "/resource?iri=" + quote(iri, safe=""))
        assert "Kazakhstan" not in body
    book = get(client, "/resource?iri=" + quote("http://example.org/library/book-1", safe=""))
    assert "The Orchard Keeper&#39;s Year" in book or "The Orchard Keeper's Year" in book
    assert "312" in book and "1998" in book
    # Its links open this server's pages for the data's IRIs, never a mailto: or urn: link.
    assert 'href="/resource?iri=http%3A%2F%2Fexample.org%2Flibrary%2Fauthor-1"' in book
    assert 'href="mailto:' not in book and 'href="urn:' not in book
    graph = get(client, "/resource?iri=" + quote("http://example.org/library/loans-2024", safe=""))
    assert "triples" in graph  # a graph of the data opens too, with its size
    assert 'href="/resource?iri=http%3A%2F%2Fexample.org%2Flibrary%2Floans-2024"' in get(
        client, "/resource?iri=" + quote("http://example.org/library/loan-1", safe=""))
    loan = get(client, "/resource?iri=" + quote("http://example.org/library/loan-1", safe=""))
    assert ">21<" in loan and "21.0" not in loan  # numbers in their natural form


@pytest.mark.parametrize("iri, status", [("", 400), ("not an iri", 400), ("http://x/<script>", 400),
                                         ('http://x/"} ?s ?p ?o {', 400), ("http://example.org/nothing", 404)])
def test_a_bad_or_unknown_iri_is_refused(library, iri, status):
    _, client = library
    body = get(client, "/resource?iri=" + quote(iri, safe=""), status)
    assert "Traceback" not in body


def test_the_bundled_iris_redirect_to_their_own_pages(library):
    _, client = library
    response = client.get("/resource?iri=" + quote("https://w3id.org/kazkg/resource/shymkent", safe=""))
    assert response.status_code == 303 and response.headers["Location"].endswith("/resource/shymkent")


def test_browse_lists_the_data_by_its_own_classes(library):
    _, client = library
    body = get(client, "/browse")
    assert "The Orchard Keeper" in body and "Shelf A (novels)" in body
    shelf = get(client, "/browse?class=" + quote("http://example.org/library/Shelf", safe=""))
    assert "Shelf A (novels)" in shelf and "The Orchard Keeper" not in shelf


def examples(client) -> dict:
    import json
    from html import unescape

    body = get(client, "/sparql")
    config = json.loads(unescape(re.search(r'<script type="application/json"[^>]*>(.*?)</script>', body, re.S).group(1)))
    return config


def test_the_query_page_offers_examples_written_from_this_data(library):
    _, client = library
    config = examples(client)
    texts = config["examples"]
    assert "kazkg:" not in config["default_query"] and not any("kazkg:" in t or "Lenin" in t for t in texts.values())
    assert any("?item a schema:Book" in t and "schema:author" in t for t in texts.values())
    assert any("<http://example.org/library/book-1>" in t or "<http://example.org/library/" in t for t in texts.values())
    for name, text in texts.items():  # every one answers over this data
        response = client.get("/sparql", query_string={"query": text},
                              headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200, (name, response.get_data(as_text=True)[:300])
        assert response.get_json()["results"]["bindings"], name
    kk = get(client, "/sparql?lang=kk")
    assert "Кластар және олардың мүшелері" in kk and "Classes and their members" not in kk


def test_the_ontology_page_lists_what_this_data_declares_and_uses(library):
    _, client = library
    body = unescape_all(get(client, "/ontology"))
    assert "The vocabulary of " + TITLE in body
    assert "stands on shelf" in body and "A shelf of the library, holding books of one kind." in body
    assert 'id="schema:numberOfPages"' in body and "number of pages" in body  # no label: its name, as words
    assert "schema:Book" in body and 'href="#schema:Book"' in body  # the domain links to its row
    assert "used, not declared in this data" in body
    turtle = client.get("/ontology.ttl")
    assert turtle.status_code == 404 and "/ontology lists the classes" in turtle.get_data(as_text=True)


def test_property_names_are_labels_or_words(library):
    _, client = library
    book = unescape_all(get(client, "/resource?iri=" + quote("http://example.org/library/book-1", safe="")))
    assert ">stands on shelf<" in book and ">number of pages<" in book and ">copyright year<" in book
    assert ">numberOfPages<" not in book


def test_the_timeline_shows_what_this_data_dates(library):
    _, client = library
    body = unescape_all(get(client, "/timeline"))
    assert "Timeline, 1950–2004" in body
    rows = re.findall(r'<li class="row">.*?</li>', body, re.S)
    text = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in rows]
    assert [t.split(" ")[0] for t in text] == ["Ada", "The", "The"]  # in the order of time
    assert "1950 birth date" in text[0] and "1998 copyright year" in text[1]
    assert "2003–2004" in text[2] and "start date" in text[2]


def test_the_map_shows_what_this_data_places(library):
    _, client = library
    body = unescape_all(get(client, "/map"))
    assert body.count('class="marker place"') == 2
    assert "Millbrook main branch</a> <span class=\"n\">51.5, -1.25" in body
    assert "Riverside reading room</a> <span class=\"n\">51.62, -1.1" in body  # WKT: longitude first
    assert '<path class="land" d="M' in body and "Kazakhstan" not in body


def unescape_all(body: str) -> str:
    from html import unescape

    return unescape(body)


def test_dates_coordinates_and_names_are_read_as_people_write_them():
    from kazkg.web.anydata import frame_around, point
    from kazkg.web.dates import year
    from kazkg.web.lookup import readable

    assert [year(v) for v in ("1998", "1998-05-01", "2003-05-01T10:00:00Z", "c. 1875", "-0500", "undated")] == \
        [1998, 1998, 2003, 1875, -500, None]
    assert point("POINT(-1.1 51.62)") == (51.62, -1.1)  # WKT: longitude first
    assert point("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT (76.9 43.25)") == (43.25, 76.9)
    assert point("<http://www.opengis.net/def/crs/EPSG/0/4326> POINT(43.25 76.9)") == (43.25, 76.9)
    assert point("LINESTRING(0 0, 1 1)") is None
    frame = frame_around([(51.5, -1.25), (51.62, -1.1)])
    assert frame.west < -1.25 < -1.1 < frame.east and frame.south < 51.5 < 51.62 < frame.north
    assert 0.4 * frame.width <= frame.height <= 0.76 * frame.width  # neither a sliver nor a tower
    assert [readable(n) for n in ("numberOfPages", "hasURL", "PostalAddress", "book-1", "ISBN", "inXSDgYear")] == \
        ["number of pages", "has URL", "Postal Address", "book-1", "ISBN", "inXSDgYear"]


def test_a_resource_summary_says_when_and_where_by_common_vocabularies(library):
    _, client = library
    week = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", get(client, "/resource?iri=" + quote("http://example.org/library/reading-week", safe=""))))
    assert "When start date : 2003-05-01 end date : 2004-05-07" in week
    room = get(client, "/resource?iri=" + quote("http://example.org/library/river-branch", safe=""))
    assert "coordinates: 51.62, -1.1" in room  # a GeoSPARQL point
    assert '<circle class="here"' in room and 'aria-label="Location on a map"' in room


def test_a_label_in_another_language_than_the_page_says_which(library):
    """The library's labels are English: on a Kazakh page each says lang="en" (the page's own
    lang is kk), on an English one it needs no mark; never inside an attribute or <title>."""
    _, client = library
    for path in ("/browse?lang=kk", "/search?q=Orchard&lang=kk",
                 "/resource?iri=" + quote("http://example.org/library/book-1") + "&lang=kk"):
        page = get(client, path)
        assert '<span lang="en">The Orchard Keeper&#39;s Year</span>' in page, path
        assert not re.search(r'="[^"]*<span|<title>[^<]*<span', page), path
    english = get(client, "/browse?lang=en")
    assert "The Orchard Keeper&#39;s Year" in english and '<span lang="en">' not in english
