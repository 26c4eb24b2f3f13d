"""The map, the timeline, /browse and the query page's endpoint behaviour, in-process on the
bundled dataset (the browser tests look at the same pages drawn)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote

import pytest

from kazkg.namespaces import KZR

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def app(bundled_app):
    return bundled_app


@pytest.fixture
def client(app):
    return app.test_client()


def html(client, path):
    response = client.get(path, headers=HTML)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def test_map_names_do_not_overlap_and_every_place_is_named(app, client):
    from kazkg.web.labels import CHAR, FONT

    body = html(client, "/map")
    labels = re.findall(r'<text class="maplabel" x="([\d.]+)" y="([\d.]+)" text-anchor="(\w+)">([^<]+)</text>', body)
    places = re.findall(r'class="marker place" aria-label="([^"]+)"', body)
    assert len(places) >= 15 and {unescape(t) for *_, t in labels} == {unescape(p) for p in places}
    boxes = []
    for x, y, anchor, text in labels:
        width = len(unescape(text)) * CHAR
        left = float(x) - {"start": 0, "middle": width / 2, "end": width}[anchor]
        boxes.append((left, float(y) - FONT, left + width, float(y)))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_map_land_sectors_and_legend(client):
    body = html(client, "/map")
    assert '<path class="land other" d="M' in body and '<path class="land" d="M' in body
    legend = body[body.index('<ul class="legend"'):body.index("</ul>", body.index('<ul class="legend"'))]
    styles = re.findall(r'<path class="shape" d="([^"]+)" style="fill: (#\w+)"/></svg> ([^<]+)</li>', legend)
    assert len(styles) >= 8
    shapes = {(re.sub(r"[\d.,-]+", "", d), colour) for d, colour, _ in styles}
    assert len({colour for _, colour, _ in styles}) == len(styles)  # one colour per sector
    assert len(shapes) == len(styles)
    assert len({d for d, _ in shapes}) > 1  # shapes tell sectors apart without colour


def test_map_soviet_names(client):
    present, soviet = html(client, "/map"), html(client, "/map?names=soviet")
    for name in ("Alma-Ata", "Shevchenko", "Chimkent", "Ust-Kamenogorsk", "Semipalatinsk", "Dzhambul"):
        assert f">{name}</text>" in soviet and f">{name}</text>" not in present, name
    assert ">Almaty</text>" in present and ">Karaganda</text>" in soviet  # never renamed
    assert ">Алма-Ата</text>" in html(client, "/map?names=soviet&lang=ru")


def test_timeline_kinds_undated_and_span(client):
    body = html(client, "/timeline")
    assert "Timeline, 1956–1989" in body
    row = re.search(r'name-almaty-alma-ata">.*?</li>', body, re.S).group(0)
    assert "a period with exact bounds" in row and "exact year" not in row
    undated = body[body.index('<section class="undated">'):]
    assert "/resource/electrification-programme" in undated
    assert "electrification-programme" not in body[:body.index('<section class="undated">')]
    assert 'class="bar undated' not in body
    assert 'class="bar exact' in body and 'class="bar span' in body and 'class="bar open' in body


def test_browse_facets_counts_and_pages(client):
    body = html(client, "/browse")
    assert re.search(r"<h2>Class</h2>", body) and "<h2>Period</h2>" in body and "<h2>Source</h2>" in body
    total = int(re.search(r'id="results-title">(\d+) resources', body).group(1))
    assert total > 300 and body.count("<li><a href=\"/resource/") >= 50
    assert 'rel="next"' in body
    enterprise = quote("https://w3id.org/kazkg/ontology#Enterprise", safe="")
    link = re.escape(f'href="/browse?class={enterprise}"')
    count = int(re.search(link + r'[^>]*>[^<]+</a> <span class="n">(\d+)', body).group(1))
    narrowed = html(client, f"/browse?class={enterprise}")
    assert f'id="results-title">{count} resources' in narrowed and count >= 16
    # A region finds what lay in its places while they were in it: Shymkent's cement plant
    # in Chimkent Oblast (1962-1992), not in Turkistan Region for the 1966 switch.
    oblast = html(client, "/browse?place=" + quote(str(KZR["chimkent-oblast"]), safe=""))
    assert "/resource/shymkent-cement-plant" in oblast
    two = html(client, f"/browse?class={enterprise}&sector=" + quote(str(KZR["sector-electric-power"]), safe=""))
    assert 0 < int(re.search(r'id="results-title">(\d+)', two).group(1)) < count
    assert client.get("/browse?page=x", headers=HTML).status_code == 400


def test_browse_by_region_gives_the_catalog_enterprises_for_every_region(client, dataset):
    """/browse?place=R&class=Enterprise lists, for every region R of the data, the enterprises
    that queries/enterprises-of-a-region.rq finds with R in place of East Kazakhstan Region:
    those that are members of R themselves (the Bukhtarma station of East Kazakhstan Oblast,
    1979) and those in a settlement that was."""
    from kazkg.query import catalog
    from tests.support import rdflib_answer

    text = catalog.get("enterprises-of-a-region").text
    assert "kzr:east-kazakhstan-region" in text
    regions = {str(row["r"]) for row in rdflib_answer(dataset, """PREFIX kazkg: <https://w3id.org/kazkg/ontology#>
        SELECT DISTINCT ?r WHERE { { ?r a kazkg:AdministrativeRegion } UNION { ?m kazkg:memberOf ?r } }""")}
    assert len(regions) >= 15
    enterprise = quote("https://w3id.org/kazkg/ontology#Enterprise", safe="")
    seen = {}
    for region in sorted(regions):
        expected = {str(row["enterprise"]) for row in
                    rdflib_answer(dataset, text.replace("kzr:east-kazakhstan-region", f"<{region}>"))}
        body = html(client, f"/browse?place={quote(region, safe='')}&class={enterprise}")
        assert f'id="results-title">{len(expected)} resources' in body, region
        found = body[body.index('<ol class="found"'):body.index("</ol>")] if expected else ""
        listed = {str(KZR) + local for local in re.findall(r'href="/resource/([^"#?]+)"', found)}
        assert listed == expected, region
        seen[region.rsplit("/", 1)[-1]] = {e.rsplit("/", 1)[-1] for e in expected}
    assert "bukhtarma-hpp" in seen["east-kazakhstan-oblast"] and "bukhtarma-hpp" in seen["east-kazakhstan-region"]
    for oblast in ("guryev-oblast", "mangyshlak-oblast", "mangystau-region"):
        assert "uzen-oil-field" in seen[oblast], oblast
    # An event at a member is in the member's regions of its year: the Uzen field's first oil
    # (1965, p2.s9) in Guryev Oblast, not in Mangyshlak Oblast (formed in 1973).
    first_oil = 'href="/resource/first-oil-uzen-1965"'
    assert first_oil in html(client, "/browse?place=" + quote(str(KZR["guryev-oblast"]), safe=""))
    assert first_oil not in html(client, "/browse?place=" + quote(str(KZR["mangyshlak-oblast"]), safe=""))


def test_endpoint_knows_the_project_prefixes(client):
    r = client.get("/sparql", query_string={"query": "SELECT ?e WHERE { ?e a kazkg:Enterprise } LIMIT 1"},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.get_json()["results"]["bindings"]
    # A PREFIX line of the query's own still wins.
    r = client.get("/sparql", query_string={"query": "PREFIX kazkg: <urn:x#> ASK { ?e a kazkg:Enterprise }"},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.get_json()["boolean"] is False
    described = client.get("/sparql", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "sh:declare" in described and '"kzr"' in described


def test_query_page_starts_without_a_prefix_block(client):
    body = html(client, "/sparql")
    config = body[body.index('id="kazkg-config">'):]
    assert "PREFIX" not in re.search(r'"default_query": "([^"]*)"', config).group(1)
    assert '<details class="prefixes">' in body
    with client.get("/static/site.css") as css:  # examples' descriptions are shown in full
        assert "-webkit-line-clamp" not in css.get_data(as_text=True)
