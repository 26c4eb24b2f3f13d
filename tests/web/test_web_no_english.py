"""?lang=kk and ?lang=ru pages carry no English interface text: every heading, paragraph,
button, label, legend and tooltip of every page comes from the gettext catalogs.

What may stay in Latin letters: the data's own values where the page says their language
(lang="en" and the like), names of things shown as links to them or as choices in a list,
code (IRIs, prefixed names, queries), and the names of standards and formats."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

ENTERPRISE = quote("https://w3id.org/kazkg/ontology#Enterprise", safe="")
PAGES = ["/", "/browse", f"/browse?class={ENTERPRISE}", "/browse?period=1970s&page=1",
         "/search?q=Almaty", "/search?q=Chimkent", "/timeline", "/map", "/map?names=soviet",
         "/ontology", "/sparql", "/resource/no-such-thing", "/text", "/resource/shymkent",
         "/resource/industry-1956-1985-p2-s3", "/resource/plenum-1956", "/resource/karaganda-metallurgical-combine"]
# Names of standards, formats and tools, written the same in every language.
NAMES = {"kazkg", "wgs", "sparql", "iri", "trig", "void", "dcat", "csv", "tsv", "json", "rdf", "owl", "xml",
         "turtle", "yasgui", "sha", "construct", "describe", "prefix", "mit", "zazuko", "select",
         "natural", "earth", "admin", "topojson", "skos", "editorialnote", "world", "atlas", "shymkent",
         "chimkent", "alma", "ata", "ust", "kamenogorsk", "geosparql", "html", "ttl", "jsonld",
         "wikidata", "linked", "places", "web", "annotation",  # standards the definitions cite
         "prov", "org", "time",  # PROV-O, W3C ORG, OWL-Time: the vocabularies the class names cite
         "who", "first", "conferences"}  # a gazetteer's name
DATA_LINK = re.compile(r"^(/resource/|/graph/|/ontology|/browse\?|/timeline\?|/map\?|/download/|https?:)")
SKIPPED = {"script", "style", "code", "pre", "option", "textarea"}
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class Text(HTMLParser):
    """The page's words a reader meets, outside code, data links and marked data values."""

    def __init__(self, lang: str):
        super().__init__(convert_charrefs=True)
        self.lang, self.stack, self.found = lang, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        outside = (tag in SKIPPED or ("lang" in attrs and attrs["lang"] != self.lang)
                   or (tag == "a" and DATA_LINK.match(attrs.get("href") or ""))
                   or "maplabel" in (attrs.get("class") or "") or tag == "title" and self.stack)
        if tag not in ("br", "img", "input", "meta", "link", "hr", "path", "circle", "line", "source"):
            self.stack.append(outside)
        if not any(self.stack):
            self.found.extend(attrs[name] for name in ATTRIBUTES if attrs.get(name))

    def handle_endtag(self, tag):
        if self.stack and tag not in ("br", "img", "input", "meta", "link", "hr", "path", "circle", "line", "source"):
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack) and data.strip():
            self.found.append(data.strip())


def english_words(text: str) -> list[str]:
    words = []
    text = re.sub(r"«[^«»]{1,40}»", " ", text)  # a name cited in quotation marks
    for token in text.split():
        if any(mark in token.strip("()[]{}.,;:!?«»“”'\"") for mark in (":", "/", ".", "@", "_", "#", "=", "<")):
            continue  # an IRI, a prefixed name, a file or a host
        for word in re.findall(r"[A-Za-z]{3,}", token):
            if word.lower() not in NAMES:
                words.append(word)
    return words


@pytest.fixture(scope="module")
def app(bundled_app):
    return bundled_app


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("path", PAGES)
def test_no_english_interface_text(app, path, lang):
    response = app.test_client().get(path + ("&" if "?" in path else "?") + f"lang={lang}",
                                      headers={"Accept": "text/html"})
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in body
    parser = Text(lang)
    parser.feed(body)
    english = [(text[:120], english_words(text)) for text in parser.found if english_words(text)]
    assert not english, f"{path}?lang={lang} shows English: {english[:12]}"
