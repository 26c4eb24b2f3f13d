"""The pages' data: SPARQL SELECTs run on the worker pool, turned into plain Python values.

The HTTP process never touches the dataset: every lookup here is a "query" job for
kazkg.query.jobs (so it has the same time limit and the same guard as /sparql). Small,
stable answers that many pages need (labels, types, counts) are kept by `cached`, keyed by the
dataset version, in a dict it keeps on the app's Service (kazkg.web.versioned).
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict

from markupsafe import Markup, escape
from rdflib import BNode, Literal, URIRef

from ..namespaces import sparql_prologue
from . import termnames
from .admission import is_ours
from .answers import service
from .versioned import (LookupFailed, cached, forget_stale, is_patient, known, patient,
                        query_budget)

__all__ = ["LookupFailed", "cached", "forget_stale", "known", "patient"]  # for the pages

ROWS_LIMIT = 2_000_000  # page lookups are ours, not a client's: the result cap does not apply
# (at 100x the labels are 459,042 rows and the types 257,115: cut at 200,000, the pages lacked
# names and classes, and nothing said so)
log = logging.getLogger("kazkg.web")
_CUT: set = set()  # (data version, query) of the lookups said to be cut, once each


def term(cell: dict | None):
    """A SPARQL JSON results cell as an rdflib term (None when unbound)."""
    if cell is None:
        return None
    kind, value = cell["type"], cell["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in cell:
        return Literal(value, lang=cell["xml:lang"])
    if "datatype" in cell:
        return Literal(value, datatype=URIRef(cell["datatype"]))
    return Literal(value)


def select(body: str, bindings: dict | None = None) -> list[dict]:
    """Run a SELECT (the project's prefixes are added) and return rows of rdflib terms;
    `bindings` ({variable name: IRI}) are bound as terms, never written into the text.
    The server's own lookups (`cached`, computed once per dataset) have no byte cap (the
    answer stays in this process: at 100x the labels' are 62 MB, over the 16 MiB answer_limit,
    so every page answered 503), and those kazkg serve runs before it is ready (`patient`)
    have the dumps' time limit (DUMP_TIMEOUT): under load they took over 10 s at 100x.
    A bound variable must be in the projection (ValueError, a bug, if not): Oxigraph binds only
    those, and refused the others, so the query ran on rdflib (40 s each at 100x)."""
    unprojected = [name for name in bindings or () if not _projects(body, name)]
    if unprojected:
        raise ValueError(f"a page lookup binds ?{unprojected[0]} but does not select it: "
                         "Oxigraph would refuse the binding, and rdflib run the query")
    svc, job = service(), {"kind": "query", "text": sparql_prologue() + body,
                           "accept": "application/sparql-results+json", "format": "json",
                           "limit": ROWS_LIMIT, "bindings": bindings or {}}
    timeout = None
    if is_ours():
        job["max_bytes"] = 0
        if is_patient():
            timeout = query_budget(svc)
    answer = svc.run(job, timeout=timeout)
    if answer.status != 200:
        raise LookupFailed(answer.error or f"status {answer.status}", answer.headers)
    if answer.headers.get("X-Result-Truncated") and (svc.data_version, body) not in _CUT:
        # the pages then lack what the rows past the cap held: said, not silent (issue 14)
        _CUT.add((svc.data_version, body))
        first = " ".join(body.split())[:120]
        log.warning("kazkg: a page lookup was cut at %s rows (kazkg.web.lookup.ROWS_LIMIT), so "
                    "pages lack what the rest held: %s ...", f"{ROWS_LIMIT:,}", first)
    data = json.loads(answer.body)
    return [{name: term(cell) for name, cell in row.items()} for row in data["results"]["bindings"]]


_PROJECTION = re.compile(r"\bSELECT\s+(.*?)\s*(?:WHERE\b|FROM\b|\{)", re.IGNORECASE | re.DOTALL)


def _projects(body: str, name: str) -> bool:
    """Whether the SELECT of `body` (a lookup's own text) gives the variable `name`."""
    found = _PROJECTION.search(body)
    if found is None:
        return False
    projection = found.group(1).split()
    return projection[-1:] == ["*"] or f"?{name}" in projection or f"${name}" in projection


# --- labels and types of everything ----------------------------------------------------------

# One branch per naming predicate, each named in its pattern: with `VALUES ?p` the spelling
# check (kazkg.query.spelling) saw a variable predicate that may hold a number Oxigraph spells
# otherwise, and the query ran on rdflib (49 s at 1x under load; past 120 s at 100x, when
# every page that names things answered 503)
NAMING = ("rdfs:label", "skos:prefLabel", "skos:altLabel", "skos:hiddenLabel",
          "<http://purl.org/dc/terms/title>", "<http://purl.org/dc/elements/1.1/title>",
          "<https://schema.org/name>", "<http://schema.org/name>", "<http://xmlns.com/foaf/0.1/name>")
LABELS_QUERY = """
SELECT ?s ?p ?label WHERE {
  %s
  FILTER (isIRI(?s) && isLiteral(?full))
  BIND (COALESCE(SUBSTR(?full, 1, 1001), ?full) AS ?label)  # a typed one SUBSTR refuses: whole
}""" % "\n  UNION ".join(f"{{ ?s {p} ?full BIND ({p} AS ?p) }}" for p in NAMING)
NAME_CHARS = 1000  # of a name: a write gave 300 resources 250 KB labels (75 MB each lookup)
# Which name a page shows, in order: rdfs:label, skos:prefLabel, then the titles and names that
# someone else's data may use instead (dcterms:title, schema:name, foaf:name).
_NAMING_RANK = {"http://www.w3.org/2000/01/rdf-schema#label": 0,
                "http://www.w3.org/2004/02/skos/core#prefLabel": 1}

TYPES_QUERY = """
SELECT ?s ?type ?g WHERE { GRAPH ?g { ?s a ?type } FILTER (isIRI(?s) && isIRI(?type)) }"""


class Names:
    """Every IRI's labels by language, alternative (historical) names, and types."""

    def __init__(self, label_rows, type_rows):
        self.labels: dict[str, dict[str, str]] = defaultdict(dict)
        self.alt: dict[str, list[Literal]] = defaultdict(list)
        self.types: dict[str, set[str]] = defaultdict(set)
        self.asserted_types: dict[str, set[str]] = defaultdict(set)
        for row in sorted(label_rows, key=lambda r: (str(r["s"]), _NAMING_RANK.get(str(r["p"]), 2),
                                                     str(r["p"]), str(r["label"]))):
            s, p, label = str(row["s"]), str(row["p"]), row["label"]
            if len(label) > NAME_CHARS:  # SUBSTR keeps the language tag; the cut is marked
                label = Literal(str(label)[:NAME_CHARS] + "…", lang=label.language)
            lang = (label.language or "").lower()
            if p.endswith("altLabel") or p.endswith("hiddenLabel"):
                self.alt[s].append(label)
            elif p.endswith("#label") or lang not in self.labels[s]:
                self.labels[s].setdefault(lang, str(label))
        for row in type_rows:
            s, t = str(row["s"]), str(row["type"])
            self.types[s].add(t)
            if not str(row["g"]).endswith("/graph/inferred"):
                self.asserted_types[s].add(t)

    def label(self, iri, lang: str = "en") -> str:
        """The best label of `iri` in `lang` (then en, kk, ru, any), else its local name."""
        return self.label_language(iri, lang)[0]

    def label_html(self, iri, lang: str = "en") -> Markup:
        """label() for a page in `lang`, marked with the language it is in where that is
        another (lang="" for a label without a language tag), so that a browser, a screen
        reader or a translation tool reads it as what it is."""
        text, language = self.label_language(iri, lang)
        if language is None or language == lang:
            return escape(text)
        return Markup('<span lang="{}">{}</span>').format(language, text)

    def label_language(self, iri, lang: str) -> tuple[str, str | None]:
        """(label, its language), or (local name, None) when nothing names `iri`."""
        key = str(iri)
        found = self.labels.get(key, {})
        other = termnames.NAMES.get(key)  # another vocabulary's term: its names, under the data's
        if other is not None:
            found = {**other, **found}
        for choice in (lang, "en", "kk", "ru", ""):
            if choice in found:
                return found[choice], choice
        if found:
            return next(iter(found.items()))[::-1]
        text = str(iri)
        local = text.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        words = readable(local)
        # numberOfPages made "number of pages" is English; an identifier kept as it is, none
        return (words, "en") if words != local else (local or text, None)

    def has(self, iri) -> bool:
        return str(iri) in self.labels or str(iri) in self.types


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_RUN_ON = re.compile(r"[A-Z]{2,}[a-z][A-Z]")  # inXSDgYear: an acronym run into a name, left whole


def readable(local: str) -> str:
    """A term's local name as words, for a term no label names: numberOfPages -> number of
    pages, hasURL -> has URL, PostalAddress -> Postal Address; other names (an identifier such
    as book-1, an acronym such as ISBN) stay as they are."""
    if not local.isalpha() or not _CAMEL.search(local) or _RUN_ON.search(local):
        return local
    words = _CAMEL.sub(" ", local).split(" ")
    if local[0].isupper():  # a class's or a resource's name keeps its capitals
        return " ".join(words)
    return " ".join([words[0]] + [w.lower() if w[1:].islower() else w for w in words[1:]])


def names() -> Names:
    return cached("names", lambda: Names(select(LABELS_QUERY), select(TYPES_QUERY)))


# --- one resource ----------------------------------------------------------------------------

# An absolute IRI as SPARQL's IRIREF allows it between < and > (RFC 3987 characters).
_IRI = re.compile(r'[A-Za-z][A-Za-z0-9+.-]*:[^<>"{}|^`\\\x00-\x20]*')


def is_iri(text: str) -> bool:
    """Whether `text` is one absolute IRI that can stand between < and > in SPARQL."""
    return bool(_IRI.fullmatch(text))


def resource_rows(iri: str) -> list[dict]:
    """Every statement with `iri` as subject (dir "out") or object (dir "in"), with its named
    graph and that graph's source: a sentence (with its Kazakh text and English translation)
    or a URL. An `iri` that is not one valid IRI (a slug with `>` or a space) gives no rows;
    a valid one is bound to ?this as a term, never written into the query's text."""
    if not is_iri(iri):
        return []
    rows = select(RESOURCE_QUERY, {"this": iri})
    this = URIRef(iri)
    for row in rows:
        row["s" if str(row["dir"]) == "out" else "o"] = this
    return rows


RESOURCE_QUERY = """
SELECT ?this ?dir ?s ?p ?o ?g ?src ?kk ?en WHERE {
  { GRAPH ?g { ?this ?p ?o } BIND ("out" AS ?dir) }
  UNION
  { GRAPH ?g { ?s ?p ?this } FILTER (?s != ?this) BIND ("in" AS ?dir) }
  OPTIONAL { ?g prov:wasDerivedFrom ?src .
             OPTIONAL { ?src schema:text ?kk }
             OPTIONAL { ?src kazkg:workingTranslation ?en } }
}"""


def counts() -> dict:
    def compute():
        rows = select("""
SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?type . FILTER (STRSTARTS(STR(?type), STR(kazkg:))) }
GROUP BY ?type ORDER BY DESC(?n)""")
        return {str(r["type"]): int(r["n"]) for r in rows}
    return cached("counts", compute)
