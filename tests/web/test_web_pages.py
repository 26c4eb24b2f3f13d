"""The pages for people, in-process on the bundled dataset: content negotiation of resource
pages, HTML and RDF saying the same things, search across scripts, timeline, map, ontology,
the query page, and that no page loads anything from another host."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS

from kazkg.namespaces import INFERRED_GRAPH, KZR, OA, PREFIXES, compact

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
STATIC = Path(__file__).resolve().parents[2] / "kazkg" / "web" / "static"


def page(site, path, **kw):
    response = site.get(path, headers=HTML, **kw)
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/browse", "/search?q=Almaty", "/timeline", "/map",
                                  "/ontology", "/sparql", "/resource/shymkent", "/resource/kazakh-ssr",
                                  "/graph/text/industry-1956-1985/p2-s3"])
def test_pages_load_nothing_from_another_host(site, path):
    body = page(site, path)
    for tag, attr, value in re.findall(r"<(script|link|img|iframe|source)\b[^>]*?\b(src|href)=\"([^\"]*)\"", body):
        if tag == "link" and 'rel="alternate"' in body[body.find(value) - 200: body.find(value)]:
            continue
        assert value.startswith(("/", "data:", "#")), (path, tag, value)
    assert "@import" not in body and "fonts.googleapis" not in body


def test_static_files_are_vendored_with_licenses(site):
    assert "MIT License" in (STATIC / "vendor" / "yasgui-4.6.2" / "LICENSE").read_text()
    assert "Michael Bostock" in (STATIC / "vendor" / "world-atlas-2.0.2" / "LICENSE").read_text()
    for path in ("/static/vendor/yasgui-4.6.2/yasgui.min.js", "/static/vendor/yasgui-4.6.2/yasgui.min.css",
                 "/static/query.js", "/static/site.css"):
        response = site.get(path)
        assert response.status_code == 200, path
        response.close()
    css = (STATIC / "vendor" / "yasgui-4.6.2" / "yasgui.min.css").read_text()
    assert not re.search(r"url\(['\"]?https?:", css)


def test_home_has_counts_and_links(site):
    body = page(site, "/")
    for href in ("/sparql", "/browse", "/search", "/timeline", "/map", "/ontology", "/download/kazkg.ttl",
                 "/.well-known/void"):
        assert f'href="{href}' in body, href
    assert re.search(r'statements</span><strong>\d[\d,]*</strong>', body)


def test_query_page_has_yasgui_prefixes_and_the_catalog(site):
    from kazkg.query import catalog

    body = page(site, "/sparql")
    assert "/static/vendor/yasgui-4.6.2/yasgui.min.js" in body
    config = json.loads(re.search(r'<script type="application/json" id="kazkg-config">(.*?)</script>',
                                  body, re.S).group(1))
    assert config["prefix_map"] == PREFIXES and config["prefix_map"]["kzr"] == str(KZR)
    # The endpoint predeclares the prefixes: the editor starts without a PREFIX block, and
    # the page lists them, folded, under the editor.
    assert "PREFIX" not in config["default_query"]
    folded = unescape(body[body.index('<details class="prefixes">'):])
    for name, namespace in PREFIXES.items():
        assert f"<code>{name}:</code></th><td><code>{namespace}</code>" in folded, name
    queries = catalog.load_all()
    assert config["examples"] == {name: query.text for name, query in queries.items()}
    for query in queries.values():
        assert f'data-name="{query.name}"' in body
        assert unescape(query.title) in unescape(body)
    # A program still gets the service description.
    assert site.get("/sparql", headers={"Accept": "text/turtle"}).mimetype == "text/turtle"


@pytest.mark.parametrize("accept, suffix, media", [
    ("text/turtle", ".ttl", "text/turtle"), ("application/ld+json", ".jsonld", "application/ld+json"),
    ("application/n-triples", ".nt", "application/n-triples"),
    ("application/rdf+xml", ".rdf", "application/rdf+xml")])
def test_resource_content_negotiation(site, accept, suffix, media):
    negotiated = site.get("/resource/shymkent", headers={"Accept": accept})
    assert negotiated.status_code == 200 and negotiated.mimetype == media
    assert negotiated.headers["Content-Location"] == "/resource/shymkent" + suffix
    assert "Accept" in negotiated.headers["Vary"]
    direct = site.get("/resource/shymkent" + suffix, headers=HTML)
    assert direct.status_code == 200 and direct.mimetype == media
    assert direct.get_data() == negotiated.get_data()
    link = direct.headers["Link"]
    assert f'</resource/shymkent{suffix}>; rel="alternate"; type="{media}"' in link
    assert '</resource/shymkent>; rel="alternate"; type="text/html"' in link


def test_resource_answers_and_errors(site):
    html = site.get("/resource/shymkent", headers=HTML)
    assert html.status_code == 200 and "Content-Location" not in html.headers
    assert 'rel="alternate"' in html.headers["Link"]
    assert site.get("/resource/shymkent").mimetype == "text/turtle"  # no Accept: Turtle
    assert site.get("/resource/no-such-thing", headers=HTML).status_code == 404
    assert site.get("/resource/no-such-thing.ttl").status_code == 404
    assert site.get("/resource/shymkent", headers={"Accept": "image/png"}).status_code == 406
    etag = html.headers["ETag"]
    assert site.get("/resource/shymkent", headers={**HTML, "If-None-Match": etag}).status_code == 304


def shown(body: str, graph: Graph, subject: URIRef) -> None:
    """Every triple of `graph` about `subject` is on the page (`body`: the page in its three
    languages): its property as a link or by its compact name (an inferred super-property or
    inverse folded under what was asserted), and its other end as a link to its page or as the
    literal's text in its natural form; a mention (oa:hasBody) as its sentence, highlighted."""
    from kazkg.web.text import natural

    text = unescape(body)
    for s, p, o in graph:
        if s != subject and o != subject:
            continue  # provenance triples: checked through the quoted sentences
        other = o if s == subject else s
        if p == OA.hasBody:
            assert "?mark=" in text, other
            continue
        if p not in (RDF.type, RDFS.label, SKOS.prefLabel):
            assert f'href="{link(p)}"' in text or compact(p) in text, (p, o)
        if isinstance(other, Literal):
            assert str(other) in text or natural(other) in text, other
        else:
            assert f'href="{link(other)}"' in text, other


def link(iri) -> str:
    text = str(iri)
    if text.startswith("https://w3id.org/kazkg/ontology"):
        return text.replace("https://w3id.org/kazkg/ontology", "/ontology")
    return text.replace("https://w3id.org/kazkg/", "/")


@pytest.mark.parametrize("slug", ["shymkent", "ust-kamenogorsk-lead-zinc-combine", "kazakh-ssr",
                                  "plenum-1956"])
def test_html_and_turtle_say_the_same_things(site, slug):
    subject = KZR[slug]
    turtle = site.get(f"/resource/{slug}.ttl")
    if turtle.status_code == 404:
        pytest.skip(f"{slug} is not in this dataset")
    graph = Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    body = "".join(page(site, f"/resource/{slug}?lang={lang}") for lang in ("en", "kk", "ru"))
    shown(body, graph, subject)
    words = unescape(re.sub(r"<[^>]+>", "", body))  # a mention's words are highlighted
    for text in graph.objects(None, URIRef("https://schema.org/text")):
        assert str(text) in words


def test_resource_page_reads_as_a_summary_then_its_sources(site, built):
    body = unescape(page(site, "/resource/shymkent"))
    assert "Шымкент" in body and "Chimkent" in body  # labels and the historical name
    assert "Chimkent — name of Shymkent until 1993" in body  # a name with its period
    assert body.index('class="summary"') < body.index("Statements, by source")
    inferred = built.dataset.graph(INFERRED_GRAPH)
    assert list(inferred.triples((KZR.shymkent, None, None)))
    assert "Inferred by OWL 2 RL" in body and "schema:containedInPlace" in body  # folded
    # One quote per source: p3.s3 once among the sources, once where Shymkent is mentioned.
    p3s3 = "1966 жылы Қазақстанның Өскемен қорғасын-мырыш комбинаты"
    assert body.count(p3s3) == 2
    assert body.count("coordinates: 42.31667, 69.59583") == 1  # lat and long together
    assert "xsd:decimal" not in body
    assert body.count(">City</a>") == 1 and body.count(">Place</a>") == 1  # types once
    assert '<circle class="here"' in body  # the small map
    assert "<script" not in body  # it works without JavaScript


def test_numbers_in_natural_form_and_certainty(site):
    body = unescape(page(site, "/resource/stat-enterprises-switched-new-regime-1966"))
    assert "<strong>11</strong>" in body and "11.0" not in body
    award = unescape(page(site, "/resource/award-achisai-lenin-prize-1985"))
    assert "Editorial reading" in award  # the combine credited, not the laureate


def test_language_switch(site):
    body = page(site, "/resource/oskemen?lang=kk")
    assert "<h1 lang=\"kk\">Өскемен</h1>" in body
    assert "<h1 lang=\"ru\">" in page(site, "/resource/oskemen?lang=ru")
    assert body.count('hreflang="ru"') == 1  # one language switch: the one every page has


def test_when_is_in_the_order_of_time(site):
    """The summary's events and names follow the years (alphabetically, 1993's renaming came
    first), and the footer opens the downloads rather than a VoID address that sends a
    browser back to them."""
    body = unescape(re.sub(r"<[^>]+>", "", page(site, "/resource/shymkent")))
    when = body[body.index("When"):]
    assert when.index("regime of work (1966)") < when.index("renamed Shymkent (1993)")
    names = unescape(re.sub(r"<[^>]+>", "", page(site, "/resource/almaty")))
    assert names.index("Verny — name of Almaty, 1867") < names.index("Alma-Ata — name of Almaty, 1921")
    ssr = unescape(re.sub(r"<[^>]+>", "", page(site, "/resource/kazakh-ssr")))
    numbers = ssr[ssr.index("Key numbers"):ssr.index("Mentioned in the text")]
    assert numbers.index("new regime of work in 1966: 11") < numbers.index("In 1970, 70%")
    assert numbers.rstrip().endswith("about 170")  # the source gives it no date: last
    footer = page(site, "/resource/almaty").split("<footer>")[1]
    assert 'href="/#downloads"' in footer and 'href="/.well-known/void"' not in footer


@pytest.mark.parametrize("names, slug", [
    (["Oskemen", "Өскемен", "Усть-Каменогорск", "Ust-Kamenogorsk", "ust kamenogorsk", "Oskemen"], "oskemen"),
    (["Shymkent", "Chimkent", "Шымкент", "Чимкент", "shimkent"], "shymkent"),
    (["Almaty", "Alma-Ata", "Алматы", "Алма-Ата"], "almaty"),
    (["Semey", "Semipalatinsk", "Семей", "Семипалатинск"], "semey"),
    (["Taraz", "Dzhambul", "Тараз", "Джамбул"], "taraz"),
])
def test_search_finds_the_same_place_in_any_spelling(site, names, slug):
    for name in names:
        body = page(site, "/search", query_string={"q": name})
        first = re.search(r'<ol class="hits">\s*<li><a href="([^"]+)"', body)
        assert first and first.group(1) == f"/resource/{slug}", (name, first and first.group(1))


def test_search_go_redirects_to_the_best_hit(site):
    response = site.get("/search?q=Chimkent&go=1", headers=HTML)
    assert response.status_code == 303 and response.headers["Location"].endswith("/resource/shymkent")


@pytest.mark.parametrize("name, slug", [
    ("Achisai", "achisai-polymetallic-combine"), ("Ачисай", "achisai-polymetallic-combine"),
    ("Uzen", "uzen-oil-field"), ("Гурьев", "guryev-oblast")])
def test_a_thing_ranks_before_its_events_and_records(site, name, slug):
    """An event's label begins with the name of what it befell ("Achisai mine at work
    (1935)"), and a membership's with its member's: both matched a search as well as the
    thing itself, and go=1, finding no single best hit, did not jump."""
    response = site.get("/search", query_string={"q": name, "go": "1"}, headers=HTML)
    assert response.status_code == 303, name
    assert response.headers["Location"].endswith(f"/resource/{slug}")


def test_search_keys():
    from kazkg.web.search import key

    assert key("Өскемен") == key("Oskemen")
    assert key("Усть-Каменогорск") == key("Ust-Kamenogorsk") == key("ust kamenogorsk")
    assert key("Shymkent") == key("Chimkent") == key("Шымкент")


def test_timeline(site):
    body = page(site, "/timeline")
    assert body.count('class="bar ') >= 20
    assert 'class="bar span"' in body and 'class="bar exact"' in body and 'class="bar period' in body
    assert "/resource/plenum-1956" in body
    sector = page(site, "/timeline", query_string={"sector": str(KZR["sector-electric-power"])})
    assert 0 < sector.count('class="bar ') < body.count('class="bar ')
    place = page(site, "/timeline", query_string={"place": str(KZR["ekibastuz"])})
    assert 0 < place.count('class="bar ') < body.count('class="bar ')


def test_map(site):
    body = page(site, "/map")
    assert '<path class="land" d="M' in body
    assert body.count('class="marker place"') >= 10
    assert body.count('class="marker enterprise"') >= 10
    assert "Natural Earth" in body
    assert "Chimkent" in body and "Ust-Kamenogorsk" in body  # Soviet-era names beside today's
    assert 'href="/resource/shymkent-cement-plant"' in body


def test_ontology_page_and_data(site):
    body = unescape(page(site, "/ontology"))
    for term in ("Enterprise", "locatedIn", "HydroPowerStation"):
        assert f'id="{term}"' in body
    assert "расположен в" in body and "located in" in body and "орналасқан жері" in body
    turtle = site.get("/ontology.ttl")
    assert turtle.status_code == 200 and turtle.mimetype == "text/turtle"
    graph = Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    assert (URIRef("https://w3id.org/kazkg/ontology#Enterprise"), RDF.type, None) in graph
    assert site.get("/ontology", headers={"Accept": "application/ld+json"}).mimetype == "application/ld+json"


@pytest.mark.parametrize("accept, ext", [("application/n-quads", ".nq"), ("application/trig", ".trig")])
def test_a_resource_in_quads_keeps_its_graphs(site, accept, ext):
    """N-Quads and TriG of a resource (a 406 before): each statement in the named graph that
    holds it, the same triples as its Turtle."""
    response = site.get("/resource/shymkent", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    assert response.headers["Content-Location"] == "/resource/shymkent" + ext
    assert site.get("/resource/shymkent" + ext).data == response.data
    quads = list(ox.parse(response.data, format=ox.RdfFormat.from_media_type(accept)))
    graphs = {q.graph_name.value for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)}
    assert len(graphs) > 2 and all(g.startswith("https://w3id.org/kazkg/graph/") for g in graphs)
    union = Graph().parse(data=ox.serialize([q.triple for q in quads],
                                            format=ox.RdfFormat.N_TRIPLES), format="nt")
    turtle = Graph().parse(data=site.get("/resource/shymkent.ttl").data, format="turtle")
    assert isomorphic(union, turtle)
