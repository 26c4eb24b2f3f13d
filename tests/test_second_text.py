"""A second source text needs data files only: tests/fixtures/second-text/ (a document with two
sentences, naming Ekibastuz, which the first text names too, and a plant of its own) copied
beside the bundled data is built, validated, queried and served with no change to kazkg/."""

from __future__ import annotations

import shutil

import pytest
from rdflib import URIRef

from kazkg import api
from kazkg.build.inputs import bundled
from kazkg.namespaces import KZG, KZR
from tests.support import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "second-text"
SENTENCES_BY_DOCUMENT = """
SELECT ?document (COUNT(DISTINCT ?sentence) AS ?sentences) WHERE {
  ?sentence a kazkg:Sentence ; dcterms:isPartOf/dcterms:isPartOf ?document .
} GROUP BY ?document
"""
DOCUMENTS_NAMING = """
SELECT DISTINCT ?document WHERE {
  GRAPH ?g { ?s ?p kzr:ekibastuz }
  ?g prov:wasDerivedFrom/dcterms:isPartOf/dcterms:isPartOf ?document .
}
"""


@pytest.fixture(scope="module")
def two_texts(tmp_path_factory, private_cache):
    root = tmp_path_factory.mktemp("two-texts")
    for folder in ("ontology", "graph", "queries"):
        shutil.copytree(ROOT / folder, root / folder)
    shutil.copytree(FIXTURE / "graph", root / "graph", dirs_exist_ok=True)
    inputs = bundled(root)
    return inputs, api.build(inputs, use_cache=False)


def test_the_second_text_gets_graphs_named_by_document(two_texts):
    inputs, built = two_texts
    names = {str(s.graph) for s in inputs.data}
    assert {str(KZG["text/fixture-text/p1-s1"]), str(KZG["text/fixture-text/p1-s2"]),
            str(KZG["sources/fixture-text"])} <= names
    assert str(KZG["text/industry-1956-1985/p1-s1"]) in names


def test_it_validates(two_texts):
    inputs, _ = two_texts
    assert [v for v in api.validate(inputs) if v.severity == "Violation"] == []


def test_queries_see_both_texts_and_the_entity_they_share(two_texts):
    _, built = two_texts
    counts = {str(r.document): int(r.sentences)
              for r in api.query(SENTENCES_BY_DOCUMENT, built.dataset)}
    assert counts == {str(KZR["industry-1956-1985"]): 29, str(KZR["fixture-text"]): 2}
    naming = {str(r.document) for r in api.query(DOCUMENTS_NAMING, built.dataset)}
    assert naming == {str(KZR["industry-1956-1985"]), str(KZR["fixture-text"])}
    per_sentence = {(str(r.document), str(r.id)) for r in api.query("statements-per-sentence",
                                                                    built.dataset)}
    assert len(per_sentence) == 31 and (str(KZR["fixture-text"]), "p1.s2") in per_sentence
    located = api.query("SELECT ?place WHERE { kzr:fixture-plant kazkg:locatedIn ?place }",
                        built.dataset)
    assert URIRef(KZR["ekibastuz"]) in {r.place for r in located}  # and, inferred, its region


@pytest.mark.slow
def test_it_is_served(two_texts):
    from kazkg.web import create_app

    _, built = two_texts
    app = create_app(built, {"WORKERS": 1})
    try:
        client = app.test_client()
        page = client.get("/resource/fixture-plant", headers={"Accept": "text/html"})
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Сынақ зауыты Екібастұзда орналасқан." in text  # the sentence it comes from
        graph = client.get("/store", query_string={"graph": str(KZG["text/fixture-text/p1-s2"])},
                           headers={"Accept": "text/turtle"})
        assert graph.status_code == 200 and b"kzr:fixture-plant" in graph.data
        city = client.get("/resource/ekibastuz", headers={"Accept": "text/html"})
        assert "Сынақ зауыты" in city.get_data(as_text=True)  # linked from the shared entity
        html = {"Accept": "text/html"}
        both = client.get("/text", headers=html).get_data(as_text=True)
        assert "Test text" in both and "Development of industry" in both  # the reading edition
        one = client.get("/text/fixture-text", headers=html).get_data(as_text=True)
        assert "Екібастұзда" in one and "Өнеркәсіптің дамуы" not in one
        sentence = client.get("/resource/fixture-text-p1-s2", headers=html).get_data(as_text=True)
        assert 'rel="prev" href="/resource/fixture-text-p1-s1"' in sentence
        assert 'rel="next"' not in sentence and "/graph/text/fixture-text/p1-s2" in sentence
    finally:
        app.extensions["kazkg"].close()


def test_the_reading_edition_names_the_texts_past_its_size(two_texts, monkeypatch):
    """/text shows whole documents up to SENTENCES_IN_FULL sentences and links the others: at
    100x its one page of every text was 25 MB and took 64-100 s to render."""
    from kazkg.web import create_app
    from kazkg.web import text as reading

    monkeypatch.setattr(reading, "SENTENCES_IN_FULL", 5)  # the first text has 29, this one 2
    app = create_app(two_texts[1], {"WORKERS": 1})
    try:
        client = app.test_client()
        page = client.get("/text", headers={"Accept": "text/html"}).get_data(as_text=True)
        first, second = page.split('id="more"')
        assert "Екібастұзда" in first and "Өнеркәсіп" not in page  # the first text, whole
        assert '<a href="/text/industry-1956-1985">' in second and "29 sentences" in second
        assert "Shown here in full: 1 of 2 source texts" in first
        kk = client.get("/text?lang=kk", headers={"Accept": "text/html"}).get_data(as_text=True)
        assert "Басқа дереккөз мәтіндері" in kk
        one = client.get("/text/industry-1956-1985", headers={"Accept": "text/html"})
        assert "Өнеркәсіп" in one.get_data(as_text=True)  # its own page is whole
    finally:
        app.extensions["kazkg"].close()


def test_nothing_in_the_package_names_the_first_text():
    """Code and templates know documents only from the data (the vendored files aside)."""
    package = ROOT / "kazkg"
    named = [str(path.relative_to(ROOT)) for path in sorted(package.rglob("*"))
             if path.suffix in (".py", ".html", ".js", ".css") and "vendor" not in path.parts
             and "industry-1956-1985" in path.read_text(encoding="utf-8")]
    assert named == []
