"""The reading edition: /text (every source document), /text/<document> (one), and the page
of each sentence (its resource page in HTML, kazkg.web.resource hands it here).

A sentence's words are split where its mentions begin and end; each piece is a link to the
resource of the innermost mention covering it, coloured (and underlined in a style) by the
kind of that resource. Mentions that share or enclose words are listed under the sentence, so
that every mention is a link. Details open without script (<details>).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask import Blueprint, render_template, request
from rdflib import Literal
from rdflib.namespace import XSD
from werkzeug.exceptions import NotFound

from ..namespaces import KZR
from .answers import service
from .lookup import names
from .pageparams import VALUES
from .reading import Sentence, kind, statements, text
from .resource import LANGS, PAGE_VIEWS, local, page_lang

bp = Blueprint("text", __name__)


@dataclass
class Piece:
    words: str
    mentions: list  # innermost first
    refs: list  # the ids of those mentions' entries in the sentence's list of mentions

    @property
    def link(self):
        return self.mentions[0] if self.mentions else None


def pieces(sentence: Sentence, lang: str) -> list[Piece]:
    """The sentence's text in `lang` ("kk" or "en") cut at every mention's bounds."""
    words = sentence.kk if lang == "kk" else sentence.en
    spans = [(m.spans[lang], m) for m in sentence.mentions if lang in m.spans]
    cuts = sorted({0, len(words), *(b for (span, _) in spans for b in span)})
    found = []
    for start, end in zip(cuts, cuts[1:]):
        covering = [m for (a, b), m in spans if a <= start and end <= b]
        covering.sort(key=lambda m: (m.spans[lang][1] - m.spans[lang][0], m.iri))
        found.append(Piece(words[start:end], covering, [mention_id(sentence, m) for m in covering]))
    return found


def mention_id(sentence: Sentence, mention) -> str:
    """The id of a mention's entry in its sentence's list (p2.s7-m3): the words point to it
    rather than repeat the mention's IRI, which the entry carries once."""
    return f"{sentence.id}-m{sentence.mentions.index(mention) + 1}"


@bp.app_template_filter("natural")
def natural(term, lang: str = "en") -> str:
    """A literal as a person writes it: 11 (not 11.0), 45,000, 1985; other terms as text."""
    if not isinstance(term, Literal):
        return str(term)
    numeric = {XSD.decimal, XSD.double, XSD.float, XSD.integer, XSD.int, XSD.long,
               XSD.nonNegativeInteger, XSD.positiveInteger}
    if term.datatype not in numeric:
        return str(term)
    try:
        value = Decimal(str(term))
    except InvalidOperation:
        return str(term)
    if value == value.to_integral_value():
        shown = f"{int(value):,}" if abs(value) >= 10000 else str(int(value))
    else:
        shown = f"{value.normalize():f}"
    return shown.replace(",", "\u00a0") if lang != "en" else shown


def citation(sentence: Sentence) -> dict:
    nm = names()
    lang = page_lang()
    return {"sentence": sentence.iri, "graph": sentence.graph, "version": service().data_version,
            "document": nm.label(sentence.document, lang), "id": sentence.id}


def context() -> dict:
    nm = names()
    return dict(names=nm, local=local, kind=kind, pieces=pieces, statements=statements,
                citation=citation, lang=page_lang(), langs=LANGS, label=nm.label, label_html=nm.label_html)


# /text shows whole documents up to this many sentences, and names the others, each a link to
# its own page: a page of every document was 25 MB at 100x and took an HTTP process 64-100 s.
SENTENCES_IN_FULL = 100


def in_full(documents: list) -> tuple[list, list]:
    """The documents /text shows whole (the first always), and the rest it lists."""
    shown, count = [], 0
    for doc in documents:
        if shown and count + len(doc.sentences) > SENTENCES_IN_FULL:
            break
        shown.append(doc)
        count += len(doc.sentences)
    return shown, documents[len(shown):]


@bp.route("/text")
def reading_edition():
    shown, rest = in_full(text().documents)
    return render_template("text.html", documents=shown, rest=rest, **context())


@bp.route("/text/<path:slug>")
def document(slug: str):
    wanted = str(KZR[slug])
    for doc in text().documents:
        if doc.iri == wanted:
            return render_template("text.html", documents=[doc], one=True, **context())
    raise NotFound(f"no source document {slug!r} in this dataset (see /text)")


def sentence_page(iri: str, path: str, alternates) -> str | None:
    """The HTML page of a sentence, or None when `iri` is not one."""
    sentence = text().sentences.get(iri)
    if sentence is None:
        return None
    return render_template("sentence.html", s=sentence, path=path, alternates=alternates,
                           mark=marked_term(), **context())


def marked_term() -> str | None:
    """The ?mark= of a sentence's page as it reads it: the IRI of a term its words mention
    (they are highlighted), else None (nothing is: any other value, on any other page)."""
    wanted = request.args.get("mark")
    if not wanted or request.endpoint != "resource.resource":
        return None
    sentence = text().sentences.get(str(KZR) + (request.view_args or {}).get("slug", ""))
    if sentence is None or wanted not in {mention.body for mention in sentence.mentions}:
        return None
    return wanted


PAGE_VIEWS.append(sentence_page)
VALUES["mark"] = marked_term
