"""When things happened, for the pages that order or draw by time (the timeline, the "When"
lists of resource pages, the period facet).

The bundled data dates things by kazkg:hasTime and OWL-Time (with its date rule,
kazkg:datePrecision). Someone else's data is read through the vocabularies most data use:
OWL-Time (time:hasTime, time:hasBeginning, time:hasEnd, time:inXSD...), Dublin Core
(dcterms:date, created, issued), schema.org (startDate, endDate, birthDate, foundingDate,
datePublished, copyrightYear, ...) and PROV (startedAtTime, endedAtTime). Dates are kept to
the year: every page that uses them draws or orders by year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..namespaces import PREFIXES
from .answers import service
from .lookup import cached, select

OPEN = 10_000  # a bound that the data leaves open

OWN_QUERY = """SELECT ?x ?from ?to ?p WHERE { ?x kazkg:hasTime ?time .
  OPTIONAL { ?time kazkg:datePrecision ?p }
  OPTIONAL { ?time time:inXSDgYear ?exact } OPTIONAL { ?time time:hasBeginning/time:inXSDgYear ?b }
  OPTIONAL { ?time time:hasEnd/time:inXSDgYear ?e }
  BIND (xsd:integer(SUBSTR(STR(COALESCE(?exact, ?b)), 1, 4)) AS ?from)
  BIND (xsd:integer(SUBSTR(STR(COALESCE(?exact, ?e)), 1, 4)) AS ?to) }"""

# (property, role): a "start" or "end" bound, or "at" a time.
COMMON = (
    ("dcterms:date", "at"), ("dcterms:created", "at"), ("dcterms:issued", "at"),
    ("dc:date", "at"), ("schema:startDate", "start"), ("schema:endDate", "end"),
    ("schema:birthDate", "start"), ("schema:deathDate", "end"),
    ("schema:foundingDate", "start"), ("schema:dissolutionDate", "end"),
    ("schema:datePublished", "at"), ("schema:dateCreated", "at"), ("schema:copyrightYear", "at"),
    ("schema:temporalCoverage", "at"), ("prov:startedAtTime", "start"), ("prov:endedAtTime", "end"),
    ("time:inXSDgYear", "at"), ("time:inXSDDate", "at"), ("time:inXSDDateTime", "at"),
    ("time:inXSDDateTimeStamp", "at"),
)
DC = "http://purl.org/dc/elements/1.1/"


def common_properties() -> list[str]:
    """The full IRIs of COMMON's properties, in its order."""
    spaces = {**PREFIXES, "dc": DC}
    return [spaces[p.split(":")[0]] + p.split(":")[1] for p, _role in COMMON]


INSTANTS = "time:inXSDgYear|time:inXSDDate|time:inXSDDateTime|time:inXSDDateTimeStamp"
COMMON_QUERY = f"PREFIX dc: <{DC}>\n" + """
SELECT ?x ?p ?role ?v WHERE {
  { VALUES (?p ?role) { %s } ?x ?p ?v }
  UNION { ?x time:hasTime/(%s) ?v BIND (time:hasTime AS ?p) BIND ("at" AS ?role) }
  UNION { ?x time:hasBeginning/(%s) ?v BIND (time:hasBeginning AS ?p) BIND ("start" AS ?role) }
  UNION { ?x time:hasEnd/(%s) ?v BIND (time:hasEnd AS ?p) BIND ("end" AS ?role) }
  UNION { ?x time:hasTime/time:hasBeginning/(%s) ?v BIND (time:hasBeginning AS ?p) BIND ("start" AS ?role) }
  UNION { ?x time:hasTime/time:hasEnd/(%s) ?v BIND (time:hasEnd AS ?p) BIND ("end" AS ?role) }
  FILTER (isIRI(?x) && isLiteral(?v))
}""" % ((" ".join(f'({p} "{r}")' for p, r in COMMON),) + (INSTANTS,) * 5)
YEAR = re.compile(r"^\s*(-?\d{4})(?!\d)|(?<!\d)(\d{4})(?!\d)")


@dataclass
class Span:
    start: int  # -OPEN or OPEN where the data leaves a bound open
    end: int
    undated: bool = False  # the bundled data's kzr:date-undated: the source gives no date
    via: set = field(default_factory=set)  # the properties that date it (someone else's data)


def year(value) -> int | None:
    """The year a literal names (1998 for "1998-05-01", "1998", "c. 1998"), or None."""
    match = YEAR.search(str(value))
    return int(match.group(1) or match.group(2)) if match else None


def spans() -> dict[str, Span]:
    """{IRI: its first and last year} for everything the data dates."""
    return cached("spans", lambda: _own() if service().own_data else _common())


def undated() -> set[str]:
    """What the bundled data says its source gives no date for (kzr:date-undated)."""
    return {iri for iri, s in spans().items() if s.undated}


def chronological(iris, label) -> list:
    """`iris` ordered by their first year, then their last, then `label(iri)`; undated last
    (what the data dates not at all, or the source gives no date for)."""
    found = spans()

    def key(iri):
        span = found.get(str(iri))
        if span is None or span.undated or (span.start, span.end) == (-OPEN, OPEN):
            return (1, OPEN, OPEN, label(iri).casefold())
        return (0, span.start, span.end, label(iri).casefold())
    return sorted(iris, key=key)


def _own() -> dict[str, Span]:
    found: dict[str, Span] = {}
    for row in select(OWN_QUERY):
        start = int(row["from"]) if row.get("from") is not None else -OPEN
        end = int(row["to"]) if row.get("to") is not None else OPEN
        span = found.setdefault(str(row["x"]), Span(start, end))
        if (span.start, span.end) == (-OPEN, OPEN):  # the first time that has a year counts
            span.start, span.end = start, end
        if str(row.get("p") or "").endswith("/date-undated"):
            span.undated = True
    return found


def _common() -> dict[str, Span]:
    bounds: dict[str, dict[str, list[int]]] = {}
    via: dict[str, set] = {}
    for row in select(COMMON_QUERY):
        y = year(row["v"])
        if y is None:
            continue
        iri = str(row["x"])
        bounds.setdefault(iri, {"start": [], "end": [], "at": []})[str(row["role"])].append(y)
        via.setdefault(iri, set()).add(str(row["p"]))
    found = {}
    for iri, b in bounds.items():
        starts, ends = b["start"] + b["at"], b["end"] + b["at"]
        # one kind of bound only (a birth, a founding) is drawn as its year, not as open-ended
        start = min(starts) if starts else max(ends)
        end = max(ends) if ends else start
        found[iri] = Span(start, end, False, via[iri])
    return found
