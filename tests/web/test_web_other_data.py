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
FILES = [LIBRARY / "catalogue.ttl", LIBRARY / "loans.trig"]
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
    yield built, app.test_client()
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
                                  "/graph/file/catalogue", "/search?q=Orchard"])
def test_every_page_describes_this_data(library, path):
    _, client = library
    body = get(client, path)
    assert "Kazakhstan" not in body and "Soviet" not in body and "numbered sentences" not in body
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
    _, app = served([LIBRARY / "loans.trig"])
    try:
        body = get(app.test_client(), "/")
        assert "<h1>loans.trig</h1>" in body and "Kazakhstan" not in body
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
