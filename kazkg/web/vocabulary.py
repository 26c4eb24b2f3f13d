"""/ontology for someone else's data: the classes and properties that data declares (as
owl:Class, rdfs:Class, rdf:Property, owl:ObjectProperty, ...) or uses (as a type, as a
predicate), each with its label, its comment or definition and its sub-class, domain and range
where the data gives them, and how often it is used. The bundled ontology's page is
kazkg.web.ontology's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..namespaces import compact
from .lookup import cached, names, select

USED_CLASSES = "SELECT ?term (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?term FILTER (isIRI(?term)) } GROUP BY ?term"
USED_PROPERTIES = "SELECT ?term (COUNT(*) AS ?n) WHERE { ?s ?term ?o } GROUP BY ?term"
DECLARED = """SELECT ?term ?kind WHERE {
  VALUES (?type ?kind) { (owl:Class "class") (rdfs:Class "class") (rdf:Property "property")
    (owl:ObjectProperty "property") (owl:DatatypeProperty "property") (owl:AnnotationProperty "property") }
  ?term a ?type . FILTER (isIRI(?term)) }"""
ABOUT = """SELECT ?term ?p ?o WHERE {
  VALUES ?p { rdfs:comment skos:definition dcterms:description rdfs:subClassOf rdfs:subPropertyOf
              rdfs:domain rdfs:range }
  ?term ?p ?o . FILTER (isIRI(?term) && (isLiteral(?o) || isIRI(?o)))
  FILTER EXISTS { { [] a ?term } UNION { [] ?term [] } UNION { ?term a ?declared
    VALUES ?declared { owl:Class rdfs:Class rdf:Property owl:ObjectProperty owl:DatatypeProperty
                       owl:AnnotationProperty } } } }"""
DESCRIBING = ("http://www.w3.org/2004/02/skos/core#definition", "http://www.w3.org/2000/01/rdf-schema#comment",
              "http://purl.org/dc/terms/description")
RELATIONS = ("http://www.w3.org/2000/01/rdf-schema#subClassOf", "http://www.w3.org/2000/01/rdf-schema#subPropertyOf",
             "http://www.w3.org/2000/01/rdf-schema#domain", "http://www.w3.org/2000/01/rdf-schema#range")


@dataclass
class Term:
    iri: str
    kind: str  # "class" or "property"
    uses: int = 0  # members of a class, statements with a property
    declared: bool = False
    anchor: str = ""  # its section's id on the page
    comments: dict = field(default_factory=dict)  # language -> text
    relations: dict = field(default_factory=dict)  # relation IRI -> [IRIs]


def terms() -> dict[str, list[Term]]:
    """{"class": [...], "property": [...]}, each list by label."""
    def compute():
        found: dict[tuple[str, str], Term] = {}
        for kind, query in (("class", USED_CLASSES), ("property", USED_PROPERTIES)):
            for row in select(query):
                found[(str(row["term"]), kind)] = Term(str(row["term"]), kind, int(row["n"]))
        for row in select(DECLARED):
            key = (str(row["term"]), str(row["kind"]))
            found.setdefault(key, Term(*key)).declared = True
        by_iri: dict[str, list[Term]] = {}
        for t in found.values():
            by_iri.setdefault(t.iri, []).append(t)
        for row in select(ABOUT):
            for t in by_iri.get(str(row["term"]), ()):
                p = str(row["p"])
                if p in DESCRIBING and hasattr(row["o"], "language"):
                    t.comments.setdefault((row["o"].language or "").lower(), str(row["o"]))
                elif p in RELATIONS and not hasattr(row["o"], "language"):
                    t.relations.setdefault(p, []).append(str(row["o"]))
        nm = names()
        out: dict[str, list[Term]] = {"class": [], "property": []}
        taken: set[str] = set()
        for t in sorted(found.values(), key=lambda t: (nm.label(t.iri).casefold(), t.iri)):
            t.anchor = _anchor(t.iri, taken)
            out[t.kind].append(t)
        return out
    return cached("vocabulary", compute)


def comment(t: Term, lang: str) -> str | None:
    for choice in (lang, "en", ""):
        if choice in t.comments:
            return t.comments[choice]
    return next(iter(t.comments.values()), None)


def _anchor(iri: str, taken: set) -> str:
    """An id for the term's section: its prefixed name, else its local name, made unique."""
    shown = compact(iri)
    base = shown if shown != iri else iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    base = "".join(c if c.isalnum() or c in ":-_." else "-" for c in base) or "term"
    anchor, n = base, 1
    while anchor in taken:
        n += 1
        anchor = f"{base}-{n}"
    taken.add(anchor)
    return anchor


def anchors() -> dict[str, str]:
    """{term IRI: its section's id}, a class's where a term is both."""
    found = {}
    for kind in ("property", "class"):
        for t in terms()[kind]:
            found[t.iri] = t.anchor
    return found
