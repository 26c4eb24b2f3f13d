"""The facet index behind /browse: for every resource of the dataset, its classes, sectors,
places (and the regions those places belonged to, with the years), its years and the kinds
of source that state something about it. Built once per dataset version from SELECTs on the
worker pool (kazkg.web.lookup) and each graph's subjects as the build kept them
(kazkg.web.subjects), then filtered in Python: a page view costs no query.

Facets, as portals such as the Sampo ones offer them: choosing a value narrows the list; each
facet's counts are those of the items the *other* choices leave, so they say what choosing
that value would give.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..namespaces import KAZKG
from . import dates, subjects
from .answers import service
from .lookup import cached, names, select

FACETS = ("class", "sector", "place", "period", "source")
SECTORS = """SELECT DISTINCT ?x ?sector WHERE {
  ?x kazkg:inSector|((kazkg:involves|kazkg:about|kazkg:appliesTo)/kazkg:inSector) ?sector }"""
PLACES = """SELECT DISTINCT ?x ?place WHERE {
  ?x kazkg:place|kazkg:locatedIn|kazkg:memberPlace|((kazkg:involves|kazkg:about|kazkg:appliesTo)/(kazkg:locatedIn|kazkg:place)) ?place
  FILTER (isIRI(?place)) }"""
# What an event or a statistic is about that is itself a member of a region (the Bukhtarma
# station, the Uzen field): not a place of the facet, but its regions are the item's
MEMBERS = """SELECT DISTINCT ?x ?site WHERE {
  ?x kazkg:involves|kazkg:about|kazkg:appliesTo ?site . ?m kazkg:memberPlace ?site }"""
# A membership's period, or its one year (a kazkg:Year where a source attests only that year)
MEMBERSHIPS = """SELECT ?place ?region ?from ?to WHERE {
  ?m a kazkg:AdministrativeMembership ; kazkg:memberPlace ?place ; kazkg:memberOf ?region .
  OPTIONAL { ?m kazkg:hasTime ?t . OPTIONAL { ?t time:inXSDgYear ?y }
             OPTIONAL { ?t time:hasBeginning/time:inXSDgYear ?b }
             OPTIONAL { ?t time:hasEnd/time:inXSDgYear ?e } }
  BIND (xsd:integer(SUBSTR(STR(COALESCE(?y, ?b)), 1, 4)) AS ?from)
  BIND (xsd:integer(SUBSTR(STR(COALESCE(?y, ?e)), 1, 4)) AS ?to) }"""
SOURCES = """SELECT DISTINCT ?x ?g WHERE { GRAPH ?g { ?x ?p ?o } FILTER (isIRI(?x)) ?g a kazkg:Assertion }"""
# Each graph's kind of source, and a public source by its name, as the graph's own label gives
# it ("Facts on Aktau — source: Who's On First"): one value for one source, whatever the hosts
# of its pages; a graph without such a label (someone else's data) by the host it cites. The
# kinds are three lookups joined here: one query with its EXISTS once per graph took 10.6 s
# of CPU on Oxigraph at 100x (and over 6 min under load 9 in the served path).
GRAPHS = """SELECT ?g ?from ?label WHERE {
  ?g a kazkg:Assertion . OPTIONAL { ?g prov:wasDerivedFrom ?from } OPTIONAL { ?g rdfs:label ?label } }"""
EDITORIAL = """SELECT DISTINCT ?g WHERE { ?g a kazkg:EditorialAssertion }"""
FROM_TEXT = """SELECT DISTINCT ?g WHERE {
  ?g prov:wasDerivedFrom ?from . { ?from a kazkg:Sentence } UNION { ?from a kazkg:SourceDocument } }"""
NAMED = (" — source: ", " — дереккөзі: ", " — источник: ")
UNDATED = "undated"  # kzr:date-undated: the source gives no date
PERIODS = (("before-1956", -10_000, 1955), ("1956-1959", 1956, 1959), ("1960s", 1960, 1969),
           ("1970s", 1970, 1979), ("1980s", 1980, 1989), ("after-1989", 1990, 10_000))


@dataclass
class Entry:
    iri: str
    values: dict = field(default_factory=lambda: defaultdict(set))  # facet -> its values


@dataclass
class Region:
    region: str
    start: int | None
    end: int | None

    def holds(self, start: int, end: int) -> bool:
        """Whether the membership's years overlap start..end."""
        return (self.start is None or self.start <= end) and (self.end is None or self.end >= start)


@dataclass
class Index:
    entries: dict[str, Entry]
    regions: dict[str, list[Region]]  # place -> the regions it was in, with the years
    sources: dict = field(default_factory=dict)  # a public source's name -> {language: its name}


def _source_names() -> tuple[dict, dict]:
    """({graph: its facet value}, {a public source's name: {language: name}})."""
    kinds, named, hosts, spoken = {}, {}, {}, defaultdict(dict)
    editorial = {str(row["g"]) for row in select(EDITORIAL)}
    from_text = {str(row["g"]) for row in select(FROM_TEXT)}
    for row in select(GRAPHS):
        g, label = str(row["g"]), row.get("label")
        kinds[g] = "editorial" if g in editorial else "text" if g in from_text else "public"
        if row.get("from") is not None:
            hosts.setdefault(g, urlsplit(str(row["from"])).hostname or "?")
        part = next((str(label).split(mark, 1)[1] for mark in NAMED if mark in str(label)), None) if label else None
        if part is not None:
            named.setdefault(g, {})[label.language or ""] = part
    graphs = {}
    for g, kind in kinds.items():
        own = named.get(g, {})
        key = own.get("en") or hosts.get(g, "?")
        graphs[g] = kind if kind != "public" else "public:" + key
        if kind == "public":
            spoken[key].update(own)
    return graphs, dict(spoken)


def _subjects():
    """(IRI, graph) for each graph's subjects: the build's, or, when it kept none that is
    served (after a write), the query's."""
    found = subjects.by_graph(service())
    if found is None:
        return ((str(row["x"]), str(row["g"])) for row in select(SOURCES))
    return ((x, g) for g, xs in found.items() for x in xs)


def index() -> Index:
    def compute():
        nm = names()
        entries: dict[str, Entry] = {}
        # The bundled data is browsed by its own classes (not by the rdf/owl/skos/prov types
        # every resource also has); someone else's data, with none of them, by all of its own.
        ours = any(t.startswith(str(KAZKG)) for types in nm.types.values() for t in types)
        for iri, types in nm.types.items():
            kinds = {t for t in types if t.startswith(str(KAZKG))} if ours else set(types)
            if kinds:
                entries[iri] = Entry(iri)
                entries[iri].values["class"] = kinds
        for row in select(SECTORS):
            if str(row["x"]) in entries:
                entries[str(row["x"])].values["sector"].add(str(row["sector"]))
        regions = defaultdict(list)
        for row in select(MEMBERSHIPS):
            regions[str(row["place"])].append(Region(
                str(row["region"]), int(row["from"]) if row.get("from") is not None else None,
                int(row["to"]) if row.get("to") is not None else None))
        # The periods are the bundled data's (1956 to the 1980s); other data has no period facet.
        spans = {iri: (s.start, s.end) for iri, s in dates.spans().items()
                 if (s.start, s.end) != (-dates.OPEN, dates.OPEN)} if ours else {}
        undated = dates.undated()
        for iri, (start, end) in spans.items():
            if iri in entries:
                entries[iri].values["period"] = ({UNDATED} if iri in undated else
                                                 {name for name, a, b in PERIODS if start <= b and end >= a})
        places = defaultdict(set)
        for row in select(PLACES):
            places[str(row["x"])].add(str(row["place"]))
        members = defaultdict(set)
        for row in select(MEMBERS):
            members[str(row["x"])].add(str(row["site"]))
        for iri, entry in entries.items():
            here = set(places.get(iri, ()))
            if str(KAZKG.Place) in entry.values["class"]:
                here.add(iri)
            # The regions of the item's own memberships (a settlement's, an enterprise's: the
            # Bukhtarma station is a member of East Kazakhstan Oblast itself), of the members
            # it involves and of the places it lies in, in the item's years. Enterprises and
            # places carry no kazkg:hasTime, so they are in every region they or their places
            # ever belonged to, as the catalog's enterprises-of-a-region has it; an event or a
            # statistic only in the regions its places belonged to at its time (the first oil
            # of the Uzen field, 1965, in Guryev Oblast, not in Mangyshlak Oblast).
            start, end = spans.get(iri, (-10_000, 10_000))
            for place in here | members.get(iri, set()) | {iri}:
                here.update(r.region for r in regions.get(place, ()) if r.holds(start, end))
            entry.values["place"] = here
        sources, spoken = _source_names()
        for x, g in _subjects():
            if x in entries and g in sources:
                entries[x].values["source"].add(sources[g])
        return Index(entries, dict(regions), spoken)
    return cached("facets", compute)


def matching(entries, chosen: dict[str, str], leave_out: str | None = None) -> list[Entry]:
    """The entries that have every chosen value (except the facet `leave_out`)."""
    return [e for e in entries.values()
            if all(value in e.values.get(facet, ()) for facet, value in chosen.items() if facet != leave_out)]


def counts(entries, chosen: dict[str, str]) -> dict[str, Counter]:
    """{facet: Counter(value -> how many items choosing it would give)}."""
    out = {}
    for facet in FACETS:
        counter = Counter()
        for entry in matching(entries, chosen, leave_out=facet):
            counter.update(entry.values.get(facet, ()))
        out[facet] = counter
    return out
