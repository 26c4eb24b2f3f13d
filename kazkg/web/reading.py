"""The reading edition's data: the source documents, paragraph by paragraph, each sentence
with its mentions (W3C Web Annotations with text-position selectors) and the statements of
its own named graph, with their certainty.

Four SELECTs, each run once per dataset version on the worker pool (kazkg.web.lookup.cached):
their answers are the whole text and its sentence graphs, a few thousand rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ..namespaces import KAZKG, KZR
from .lookup import cached, names, select

SENTENCES_QUERY = """
SELECT ?doc ?para ?ppos ?sentence ?spos ?id ?kk ?en WHERE {
  ?sentence a kazkg:Sentence ; kazkg:sentenceId ?id ; schema:text ?kk ; dcterms:isPartOf ?para .
  ?para dcterms:isPartOf ?doc .
  OPTIONAL { ?para schema:position ?ppos }
  OPTIONAL { ?sentence schema:position ?spos }
  OPTIONAL { ?sentence kazkg:workingTranslation ?en }
}"""

# One query per language: as one, with a UNION of the two, Oxigraph took over 120 s at 100x
# (27,400 mentions; 2.5 min under load 10 and not done), and /text answered 503
MENTIONS_QUERY = """
SELECT ?sentence ?mention ?body ?lang ?start ?end ?motivation ?certainty ?reason WHERE {
  ?mention a oa:Annotation ; oa:hasBody ?body ; oa:hasTarget ?target .
  ?target oa:hasSource ?text ; oa:hasSelector ?selector .
  ?selector a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  %s
  OPTIONAL { ?mention oa:motivatedBy ?motivation }
  OPTIONAL { ?mention kazkg:certainty ?certainty }
  OPTIONAL { ?mention kazkg:certaintyReason ?reason FILTER (lang(?reason) = "en") }
}"""
MENTIONED_IN = ('?text a kazkg:Sentence . BIND (?text AS ?sentence) BIND ("kk" AS ?lang)',
                '?text schema:translationOfWork ?sentence . ?sentence a kazkg:Sentence . '
                'BIND ("en" AS ?lang)')

# A sentence's own graph: derived from it, and not the editors' graph of its mentions.
STATEMENTS_QUERY = """
SELECT ?sentence ?g ?s ?p ?o WHERE {
  ?g prov:wasDerivedFrom ?sentence . ?sentence a kazkg:Sentence .
  FILTER NOT EXISTS { ?g a kazkg:EditorialAssertion }
  GRAPH ?g { ?s ?p ?o }
}"""

# How sure: an editorial statement about one triple, or a certainty on a resource that stands
# for one claim (a statistic, an award conferral, a membership).
CERTAINTY_QUERY = """
SELECT ?s ?p ?o ?certainty ?reason ?g WHERE {
  { GRAPH ?g { ?statement a kazkg:EditorialStatement ; rdf:subject ?s ; rdf:predicate ?p ;
                 rdf:object ?o ; kazkg:certainty ?certainty .
               OPTIONAL { ?statement kazkg:certaintyReason ?reason FILTER (lang(?reason) = "en") } } }
  UNION
  { GRAPH ?g { ?s kazkg:certainty ?certainty .
               OPTIONAL { ?s kazkg:certaintyReason ?reason FILTER (lang(?reason) = "en") } }
    FILTER NOT EXISTS { ?s a kazkg:EditorialStatement } }
}"""

ATTESTED = str(KZR["certainty-attested"])  # what a sentence says, the sentence attests
NAMING = (str(RDFS.label), str(SKOS.prefLabel))
NOTE = str(SKOS.editorialNote)
# The kinds a mention is coloured by, most specific first (a kind is a class, with its
# subclasses: a city is a place).
KINDS = (("enterprise", "Enterprise"), ("place", "Place"), ("event", "Event"),
         ("policy", "Policy"), ("statistic", "Statistic"), ("sector", "Sector"),
         ("complex", "TerritorialProductionComplex"), ("award", "Award"), ("time", "Year"),
         ("time", "Period"), ("finding", "Finding"))


@dataclass
class Mention:
    iri: str
    body: str
    motivation: str = ""
    certainty: str = ""
    reason: str = ""
    spans: dict = field(default_factory=dict)  # language -> (start, end)

    def exact(self, text: str, lang: str) -> str:
        start, end = self.spans[lang]
        return text[start:end]


@dataclass
class Sentence:
    iri: str
    id: str
    position: int
    kk: str
    en: str
    document: str
    paragraph: str
    mentions: list = field(default_factory=list)
    graph: str | None = None
    previous: "Sentence | None" = None
    next: "Sentence | None" = None


@dataclass
class Paragraph:
    iri: str
    position: int
    sentences: list = field(default_factory=list)


@dataclass
class Document:
    iri: str
    paragraphs: list = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.iri[len(str(KZR)):] if self.iri.startswith(str(KZR)) else self.iri

    @property
    def sentences(self) -> list:
        return [s for p in self.paragraphs for s in p.sentences]


@dataclass
class Text:
    documents: list
    sentences: dict  # sentence IRI -> Sentence
    mentioned: dict  # resource IRI -> [(Sentence, Mention)]


def _int(value, default=0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def text() -> Text:
    """Every source document, its paragraphs and sentences in order, with their mentions."""
    return cached("reading-text", _compute_text)


def _compute_text() -> Text:
    documents: dict[str, Document] = {}
    paragraphs: dict[str, Paragraph] = {}
    sentences: dict[str, Sentence] = {}
    for row in select(SENTENCES_QUERY):
        iri = str(row["sentence"])
        if iri in sentences:
            continue
        doc = documents.setdefault(str(row["doc"]), Document(str(row["doc"])))
        if (para := paragraphs.get(str(row["para"]))) is None:
            para = paragraphs[str(row["para"])] = Paragraph(str(row["para"]), _int(row.get("ppos")))
            doc.paragraphs.append(para)
        sentence = Sentence(iri, str(row["id"]), _int(row.get("spos")), str(row["kk"]),
                            str(row["en"]) if row.get("en") is not None else "", doc.iri, para.iri)
        sentences[iri] = sentence
        para.sentences.append(sentence)
    mentions: dict[str, Mention] = {}
    for row in (row for arm in MENTIONED_IN for row in select(MENTIONS_QUERY % arm)):
        sentence = sentences.get(str(row["sentence"]))
        if sentence is None:
            continue
        iri = str(row["mention"])
        if (mention := mentions.get(iri)) is None:
            mention = mentions[iri] = Mention(
                iri, str(row["body"]), str(row.get("motivation") or "").rsplit("#", 1)[-1],
                str(row["certainty"]) if row.get("certainty") is not None else "",
                str(row["reason"]) if row.get("reason") is not None else "")
            sentence.mentions.append(mention)
        text_of = sentence.kk if row["lang"].value == "kk" else sentence.en
        start, end = _int(row["start"], -1), _int(row["end"], -1)
        if 0 <= start < end <= len(text_of):  # a selector off its text is shown as no span
            mention.spans[str(row["lang"])] = (start, end)
    for s in sentences.values():
        s.mentions.sort(key=lambda m: (m.spans.get("kk", (10**6, 0)), m.iri))
    for sentence_iri, graph in {(str(r["sentence"]), str(r["g"])) for r in _statement_rows()}:
        if sentence_iri in sentences:
            sentences[sentence_iri].graph = graph
    ordered = sorted(documents.values(), key=lambda d: d.iri)
    mentioned = defaultdict(list)
    for doc in ordered:
        doc.paragraphs.sort(key=lambda p: (p.position, p.iri))
        flat = []
        for para in doc.paragraphs:
            para.sentences.sort(key=lambda s: (s.position, s.iri))
            flat += para.sentences
        for before, after in zip(flat, flat[1:]):
            before.next, after.previous = after, before
        for sentence in flat:
            for mention in sentence.mentions:
                mentioned[mention.body].append((sentence, mention))
    return Text(ordered, sentences, dict(mentioned))


def _statement_rows() -> list[dict]:
    return cached("reading-statements", lambda: select(STATEMENTS_QUERY))


def kind(iri: str) -> str:
    """The kind a mention of `iri` is coloured by: enterprise, place, event, ... or other."""
    types = names().types.get(str(iri), set())
    for name, cls in KINDS:
        if str(KAZKG[cls]) in types:
            return name
    return "other"


# --- the statements of a sentence, as sentences -----------------------------------------------

@dataclass
class Statement:
    s: object
    p: object
    o: object
    certainty: str = ATTESTED
    reason: str = ""
    source: str = ""  # the graph that gives the certainty, when another graph gives it


@dataclass
class Subject:
    """The statements of one graph about one subject, its names and notes apart."""

    iri: object
    names: list = field(default_factory=list)  # the names the sentence writes
    certainty: tuple | None = None  # (certainty, reason) of a resource that is one claim
    types: list = field(default_factory=list)
    statements: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def certainties() -> dict:
    """{(s, p, o) or (s,): (certainty IRI, reason, graph that says so)}."""
    def compute():
        found = {}
        for row in select(CERTAINTY_QUERY):
            reason = str(row["reason"]) if row.get("reason") is not None else ""
            key = ((row["s"], row["p"], row["o"]) if row.get("p") is not None else (row["s"],))
            found[key] = (str(row["certainty"]), reason, str(row["g"]))
        return found
    return cached("reading-certainty", compute)


def statements(sentence: Sentence, lang: str = "en") -> list[Subject]:
    """What the sentence's graph says, subject by subject (events and claims first, then the
    things they are about)."""
    rows = [r for r in _statement_rows() if str(r["sentence"]) == sentence.iri]
    return arrange(rows, sentence.graph, lang)


def one_language(found: list, lang: str, key=lambda st: st.p, value=lambda st: st.o) -> list:
    """Of the literals in several languages for one property, the one in `lang` (then en,
    kk, any): a statement in three languages is one statement."""
    by_property = defaultdict(list)
    for st in found:
        if isinstance(value(st), Literal) and value(st).language:
            by_property[key(st)].append(value(st).language)
    kept = []
    for st in found:
        tags, o = by_property.get(key(st)), value(st)
        if tags and isinstance(o, Literal) and o.language:
            best = next((t for t in (lang, "en", "kk") if t in tags), tags[0])
            if o.language != best:
                continue
        kept.append(st)
    return kept


def arrange(rows: list[dict], graph: str | None, lang: str = "en") -> list[Subject]:
    sure = certainties()
    subjects: dict[str, Subject] = {}
    for row in rows:
        s, p, o = row["s"], row["p"], row["o"]
        if graph is not None and s == URIRef(graph):
            continue  # the graph's own description: shown as the citation, not a statement
        subject = subjects.setdefault(s.n3(), Subject(s))
        if str(p) in NAMING:
            if isinstance(o, Literal) and o not in subject.names:
                subject.names.append(o)
        elif str(p) == NOTE:
            subject.notes.append(o)
        elif p == RDF.type:
            subject.types.append(o)
        else:
            subject.certainty = sure.get((s,))
            own = sure.get((s, p, o))
            certainty, reason, source = own or (
                subject.certainty[0] if subject.certainty else ATTESTED, "", "")
            subject.statements.append(Statement(s, p, o, certainty, reason, source))
    nm = names()
    for subject in subjects.values():
        subject.names.sort(key=lambda l: (l.language or "", str(l)))
        subject.statements = one_language(subject.statements, lang)
        subject.statements.sort(key=lambda st: (nm.label(st.p).lower(), nm.label(st.o).lower()))
    return sorted(subjects.values(), key=lambda x: (not x.statements, -len(x.statements),
                                                     nm.label(x.iri).lower()))
