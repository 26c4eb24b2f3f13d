"""The pages' language (Flask-Babel, kazkg/web/i18n.py): chosen by ?lang=, kept in a cookie,
else Accept-Language; the gettext catalogs complete for kk and ru and their .mo current."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

WEB = Path(__file__).resolve().parents[2] / "kazkg" / "web"
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def app(bundled_app):
    return bundled_app


def texts_in_the_code() -> set[str]:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    found = set()
    keywords = {**DEFAULT_KEYWORDS, "_l": None}  # lazy_gettext, imported as _l
    for _file, _line, message, _comments, _context in extract_from_dir(str(WEB), method_map, keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_text_is_translated_and_compiled(lang):
    po_path = WEB / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as po:
        catalog = read_po(po, locale=lang)
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and "fuzzy" not in message.flags, f"{po_path}: {key!r} is not translated"
        translated[key] = strings[0]
    missing = texts_in_the_code() - set(translated)
    assert not missing, f"{po_path} lacks {sorted(missing)} (see kazkg/web/i18n.py: pybabel update)"
    # The .mo beside it is what the server reads: compiled from this .po, not an older one.
    with (po_path.with_suffix(".mo")).open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for key, text in translated.items():
        if isinstance(text, str) and "%" not in key:
            assert compiled.gettext(key) == text, f"{po_path.with_suffix('.mo')} is older than the .po: pybabel compile"


def test_lang_parameter_then_cookie_then_accept_language(app):
    client = app.test_client()
    body = client.get("/", headers=HTML).get_data(as_text=True)
    assert '<html lang="en">' in body and ">Timeline<" in body
    response = client.get("/?lang=ru", headers=HTML)
    assert '<html lang="ru">' in response.get_data(as_text=True)
    assert ">Хронология<" in response.get_data(as_text=True)
    assert "kazkg_lang=ru" in response.headers["Set-Cookie"]
    assert {"Accept-Language", "Cookie"} <= set(response.headers["Vary"].replace(" ", "").split(","))
    kept = client.get("/timeline", headers=HTML).get_data(as_text=True)  # the cookie keeps it
    assert '<html lang="ru">' in kept
    assert '<html lang="kk">' in client.get("/map?lang=kk", headers=HTML).get_data(as_text=True)
    assert '<html lang="kk">' in client.get("/map", headers=HTML).get_data(as_text=True)
    fresh = app.test_client()
    spoken = fresh.get("/", headers={**HTML, "Accept-Language": "kk-KZ,kk;q=0.9,ru;q=0.8"})
    assert '<html lang="kk">' in spoken.get_data(as_text=True) and "Set-Cookie" not in spoken.headers
    asked = fresh.get("/?lang=en", headers={**HTML, "Accept-Language": "ru"})
    assert '<html lang="en">' in asked.get_data(as_text=True)
    unknown = app.test_client().get("/?lang=fr", headers={**HTML, "Accept-Language": "ru"})
    assert '<html lang="ru">' in unknown.get_data(as_text=True) and "Set-Cookie" not in unknown.headers


def test_data_labels_follow_the_language(app):
    client = app.test_client()
    assert "<h1 lang=\"kk\">Өскемен</h1>" in client.get("/resource/oskemen?lang=kk", headers=HTML).get_data(as_text=True)
    assert "<h1 lang=\"kk\">Өскемен</h1>" in client.get("/resource/oskemen", headers=HTML).get_data(as_text=True)
    other = app.test_client().get("/resource/oskemen", headers={**HTML, "Accept-Language": "ru"})
    assert "<h1 lang=\"ru\">Усть-Каменогорск</h1>" in other.get_data(as_text=True)


def test_language_links_keep_the_other_parameters(app):
    body = app.test_client().get("/timeline?sector=x&lang=en", headers=HTML).get_data(as_text=True)
    assert 'href="/timeline?sector=x&amp;lang=kk"' in body


def test_python_texts_are_translated(app):
    from kazkg.web.i18n import _

    with app.test_request_context("/?lang=ru"):
        assert _("Search") == "Поиск"
    with app.test_request_context("/?lang=kk"):
        assert _("Search") == "Іздеу"


def test_the_ontology_defines_every_term_in_three_languages():
    """Each class and property has its definition in kk, ru and en; the ontology says that
    the kk and ru ones are working translations."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import OWL, RDF, SKOS

    from kazkg.namespaces import KAZKG, ONTOLOGY_IRI

    ontology = Graph().parse(Path(__file__).resolve().parents[2] / "ontology" / "kazkg.ttl")
    terms = {s for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for s in ontology.subjects(RDF.type, kind) if str(s).startswith(str(KAZKG))}
    assert len(terms) > 100
    for term in terms:
        languages = {d.language for d in ontology.objects(term, SKOS.definition)}
        assert {"kk", "ru", "en"} <= languages, (term, languages)
    notes = {n.language: str(n) for n in ontology.objects(URIRef(ONTOLOGY_IRI), SKOS.editorialNote)}
    assert "working translations" in notes.get("en", "") and {"kk", "ru"} <= set(notes)


def test_ontology_page_shows_the_definitions_in_the_page_language(app):
    body = app.test_client().get("/ontology?lang=ru", headers=HTML).get_data(as_text=True)
    section = body[body.index('id="Enterprise"'):]
    section = section[:section.index("</section>")]
    assert "Промышленное предприятие" in section
    assert section.index('lang="ru">Промышленное') < section.index('lang="en">An industrial')


def test_the_catalog_titles_are_in_the_page_language(app):
    """Each catalog query has a Kazakh and a Russian title (`# title-kk:`, `# title-ru:`), shown
    on /sparql in that language; the descriptions stay English, and say so."""
    import json
    import re
    from html import unescape

    from kazkg.query import catalog

    queries = catalog.load_all()
    assert all(q.meta.get("title-kk") and q.meta.get("title-ru") for q in queries.values())
    for lang in ("kk", "ru"):
        body = app.test_client().get(f"/sparql?lang={lang}", headers=HTML).get_data(as_text=True)
        for q in queries.values():
            title = unescape(q.meta[f"title-{lang}"])
            assert f'data-name="{q.name}" lang="{lang}">{title}</button>' in unescape(body), (lang, q.name)
        assert f'<span class="description" lang="en">' in body
        config = json.loads(unescape(re.search(r'<script type="application/json"[^>]*>(.*?)</script>', body, re.S).group(1)))
        assert set(config["examples"]) == set(queries)
    english = app.test_client().get("/sparql?lang=en", headers=HTML).get_data(as_text=True)
    assert 'lang="en">Timeline of dated events, 1956-1989</button>' in english


def test_every_property_of_the_data_is_named_in_each_page_language(app):
    """Properties of other vocabularies (skos:altLabel, geosparql:hasGeometry ...) get names in
    kk, ru and en from kazkg.web.termnames where the data gives none: a Kazakh page showed
    "alt label" as a word of no language."""
    import kazkg
    from kazkg.web.lookup import names

    used = [str(row.p) for row in kazkg.query("SELECT DISTINCT ?p { GRAPH ?g { ?s ?p ?o } }")]
    with app.test_request_context("/"):
        known = names()
        unnamed = {lang: [p for p in used if known.label_language(p, lang)[1] != lang]
                   for lang in ("kk", "ru", "en")}
    assert unnamed == {"kk": [], "ru": [], "en": []}


def test_a_property_page_in_kazakh_names_skos_terms_in_kazakh(app):
    body = app.test_client().get("/resource/shymkent?lang=kk", headers=HTML).get_data(as_text=True)
    assert 'class="prop">басқа атауы</a>' in body and "alt label" not in body


def test_a_name_made_from_an_unlabelled_terms_local_name_is_marked_english():
    from kazkg.web.lookup import Names

    unnamed = Names([], [])
    assert unnamed.label_html("http://example.org/v#numberOfPages", "kk") == \
        '<span lang="en">number of pages</span>'
    assert unnamed.label_html("http://example.org/book-1", "kk") == "book-1"
