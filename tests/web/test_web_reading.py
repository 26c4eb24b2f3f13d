"""The reading edition, in-process on the bundled dataset: /text has every sentence, every
mention is a link that resolves, every sentence lists the statements of its graph with their
certainty, each sentence has its page with previous/next and a citation, and a resource page
links back to the sentences that mention it, the mention highlighted."""

from __future__ import annotations

import re
from html import unescape

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from kazkg.namespaces import KAZKG, KZG, KZR, OA

HTML = {"Accept": "text/html"}
SENTENCE = "https://w3id.org/kazkg/resource/industry-1956-1985-p2-s7"


def get(site, path) -> str:
    response = site.get(path, headers=HTML)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


@pytest.fixture(scope="module")
def edition(site):
    return get(site, "/text")


def blocks(body: str) -> dict[str, str]:
    """Each sentence's block of /text, by its id."""
    parts = re.split(r'<div class="sentence" id="(p\d+\.s\d+)">', body)
    return dict(zip(parts[1::2], parts[2::2]))


def test_every_sentence_is_on_the_page_in_both_languages(edition, built):
    found = blocks(edition)
    sentences = list(built.dataset.subjects(RDF.type, KAZKG.Sentence))
    assert len(found) == len(sentences) == 29
    words = unescape(re.sub(r"<[^>]+>", "", edition))
    for s in sentences:
        for text in built.dataset.objects(s, URIRef("https://schema.org/text")):
            assert str(text) in words
        for text in built.dataset.objects(s, KAZKG.workingTranslation):
            assert str(text) in words


def test_every_mention_is_a_link_that_resolves(site, edition, built):
    mentions = set(built.dataset.subjects(RDF.type, OA.Annotation))
    assert len(mentions) > 100
    linked = {}
    entries = dict(re.findall(r'<li id="([^"]*)" data-mention="([^"]*)">', edition))
    for attributes in re.findall(r"<a ([^>]*data-mentions=[^>]*)>", edition):
        href = re.search(r'href="([^"]*)"', attributes).group(1)
        # the words point to their mentions' entries (innermost first), which name the mentions
        covering = [entries[ref] for ref in re.search(r'data-mentions="([^"]*)"', attributes).group(1).split()]
        # The words link to the resource of the innermost mention covering them.
        assert href == local(built.dataset.value(URIRef(covering[0]), OA.hasBody)), attributes
        for m in covering:
            linked.setdefault(m, set()).add(href)
    assert len(linked) > 100
    listed = dict(re.findall(r'<li id="[^"]*" data-mention="([^"]*)">.*?<a class="mention-link" href="([^"]*)"',
                             edition, flags=re.S))
    assert {str(m) for m in mentions} == set(listed)  # each one in its sentence's list, a link
    for m, href in listed.items():
        assert href == local(built.dataset.value(URIRef(m), OA.hasBody)), m
    for href in set(listed.values()) | {h for hrefs in linked.values() for h in hrefs}:
        assert site.get(href, headers=HTML).status_code == 200, href


def local(iri) -> str:
    assert str(iri).startswith("https://w3id.org/kazkg/resource/"), iri
    return "/" + str(iri)[len("https://w3id.org/kazkg/"):]


def test_every_sentence_lists_its_statements_with_certainty_and_graph(edition, built):
    for sid, block in blocks(edition).items():
        graph = KZG["text/industry-1956-1985/" + sid.replace(".", "-")]
        said = [t for t in built.dataset.graph(graph) if t[0] != graph
                and str(t[1]) not in (str(RDF.type), "http://www.w3.org/2000/01/rdf-schema#label",
                                      "http://www.w3.org/2004/02/skos/core#prefLabel",
                                      "http://www.w3.org/2004/02/skos/core#editorialNote")]
        subjects_with_statements = {s for s, _, _ in said}
        assert block.count('<li class="statement">') >= len(subjects_with_statements), sid
        if said:
            assert f"<code>{graph}</code>" in block, sid  # its graph IRI, in the citation
            assert 'class="certainty' in block
    p2s7 = unescape(re.sub(r"\s+", " ", blocks(edition)["p2.s7"]))
    assert re.search(r"Lenin Prize for work at the Achisai polymetallic combine \(1985\) — "
                     r'<a href="/ontology#creditedEnterprise" class="prop">credited enterprise</a> — '
                     r'<a href="/resource/achisai-polymetallic-combine">Achisai polymetallic combine</a>'
                     r' <span class="certainty c-editorial"', p2s7)


def test_a_sentence_page_has_previous_next_statements_and_a_citation(site):
    body = unescape(get(site, "/resource/industry-1956-1985-p2-s7"))
    assert 'rel="prev" href="/resource/industry-1956-1985-p2-s6"' in body
    assert 'rel="next" href="/resource/industry-1956-1985-p2-s8"' in body
    assert "Ащысай полиметалл комбинатына" in body and "Statements drawn from it" in body
    assert "Cite this" in body and f"<code>{SENTENCE}</code>" in body
    assert "https://w3id.org/kazkg/graph/text/industry-1956-1985/p2-s7" in body
    assert re.search(r"dataset version [0-9a-f]{12}", body)
    assert 'href="https://w3id.org' not in body  # every link stays on this site
    first, last = (get(site, f"/resource/industry-1956-1985-{s}") for s in ("p1-s1", "p4-s7"))
    assert 'rel="prev"' not in first and 'rel="next"' not in last
    # Its data is still there, by negotiation.
    assert site.get("/resource/industry-1956-1985-p2-s7", headers={"Accept": "text/turtle"}).mimetype == "text/turtle"


def test_a_resource_page_links_to_the_sentences_that_mention_it(site):
    body = get(site, "/resource/shymkent")
    links = re.findall(r'href="(/resource/industry-1956-1985-p\d-s\d)\?mark=([^"]+)"', body)
    assert {l for l, _ in links} >= {"/resource/industry-1956-1985-p3-s3", "/resource/industry-1956-1985-p4-s7"}
    assert "<mark>Шымкент</mark>" in body and "<mark>Shymkent</mark>" in body
    marked = get(site, links[0][0] + "?mark=" + links[0][1])
    assert re.search(r"<mark>Шымкент</mark>", marked)
    assert get(site, links[0][0]).count("<mark>") == 0


def test_one_document_and_a_missing_one(site):
    assert "Development of industry" in get(site, "/text/industry-1956-1985")
    assert site.get("/text/no-such-text", headers=HTML).status_code == 404


def test_natural_numbers():
    from rdflib import Literal
    from rdflib.namespace import XSD

    from kazkg.web.text import natural

    assert natural(Literal("11.0", datatype=XSD.decimal)) == "11"
    assert natural(Literal("45000", datatype=XSD.integer)) == "45,000"
    assert natural(Literal("45000", datatype=XSD.integer), "kk") == "45\u00a0000"
    assert natural(Literal("3.50", datatype=XSD.decimal)) == "3.5"
    assert natural(Literal("1985", datatype=XSD.gYear)) == "1985"
    assert natural(KZR.x) == str(KZR.x)


def test_words_are_cut_at_every_mention_and_link_to_the_innermost():
    from kazkg.web.reading import Mention, Sentence
    from kazkg.web.text import pieces

    words = "Ащысай полиметалл комбинатына Лениндік сыйлық берілді."
    award = Mention("award", "kzr:award", spans={"kk": (0, 53)})
    combine = Mention("combine", "kzr:combine", spans={"kk": (0, 29)})
    sector = Mention("sector", "kzr:sector", spans={"kk": (7, 17)})
    same = Mention("same", "kzr:same", spans={"kk": (7, 17)})
    sentence = Sentence("s", "p1.s1", 1, words, "", "d", "p", [award, combine, sector, same])
    cut = pieces(sentence, "kk")
    assert "".join(p.words for p in cut) == words
    assert [(p.words, [m.iri for m in p.mentions]) for p in cut] == [
        ("Ащысай ", ["combine", "award"]), ("полиметалл", ["same", "sector", "combine", "award"]),
        (" комбинатына", ["combine", "award"]), (" Лениндік сыйлық берілді", ["award"]), (".", [])]
