"""A resource page a person can read, from the rows of kazkg.web.lookup.resource_rows: a
summary first, then the statements grouped by the source that states them (one quote per
source), with what OWL-RL inferred folded under what was asserted.

Only one more lookup is needed, the ontology's sub-property and inverse pairs (a few hundred
rows, computed once per dataset version); everything else comes from the page's own rows and
the labels and types every page has.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from ..namespaces import GEO, INFERRED_GRAPH, KAZKG, KZR, OA, ONTOLOGY_GRAPH
from . import anydata, dates
from .answers import service
from .lookup import cached, names, select
from .premises import weakest
from .reading import ATTESTED, certainties, one_language, text

PROPERTIES_QUERY = """
SELECT ?p ?q ?rel WHERE {
  { ?p rdfs:subPropertyOf ?q BIND ("sub" AS ?rel) } UNION { ?p owl:inverseOf ?q BIND ("inv" AS ?rel) }
  FILTER (isIRI(?p) && isIRI(?q) && ?p != ?q)
}"""

EDITORIAL = str(KZR["certainty-editorial"])
NAMES = {str(RDFS.label), str(SKOS.prefLabel)}
SHOWN_ABOVE = NAMES | {str(RDF.type)}  # in the summary, not among the statements
DEFINITIONS = (str(SKOS.definition), str(DCTERMS.description), str(RDFS.comment))
WHERE = (str(KAZKG.locatedIn), str(KAZKG.hasMembership), str(KAZKG.placeInComplex), str(KAZKG.place))
WHEN = (str(KAZKG.hasTime), str(KAZKG.existedDuring))


def qualifier(iri: str) -> str | None:
    """The certainty of a resource that stands for one claim, where it is less than attested
    (an editorial reading, a hypothesis): what a list of hits or a timeline shows beside it."""
    found = certainties().get((URIRef(iri),))
    return found[0] if found and found[0] != ATTESTED else None


def properties() -> tuple[dict, dict]:
    """({property: its super-properties}, {property: its inverses}) of the ontology."""
    def compute():
        supers, inverses = defaultdict(set), defaultdict(set)
        for row in select(PROPERTIES_QUERY):
            p, q = str(row["p"]), str(row["q"])
            if str(row["rel"]) == "sub":
                supers[p].add(q)
            else:
                inverses[p].add(q)
                inverses[q].add(p)
        return dict(supers), dict(inverses)
    return cached("property-pairs", compute)


@dataclass
class Row:
    """One statement as shown: `prop` and `value` seen from the page's resource (for an
    inbound statement, `value` is its subject)."""

    prop: str
    value: object
    inbound: bool = False
    certainty: tuple | None = None  # (certainty IRI, reason) when it differs from the source's
    also: list = field(default_factory=list)  # inferred super-properties and inverses
    second: object = None  # geo:long beside geo:lat: one row for the coordinates


@dataclass
class Group:
    graph: str
    kind: str  # "sentence", "source" (a URL), "editorial", "ontology", "inferred"
    source: str | None = None
    sentence: object = None  # a kazkg.web.reading.Sentence
    certainty: str | None = None  # what every row of it is, unless the row says otherwise
    rows: list = field(default_factory=list)


def _key(row: dict) -> tuple:
    return (row["s"], row["p"], row["o"])


def readable(iri: str, rows: list[dict], lang: str) -> dict:
    """What resource.html shows: `summary` (a dict) and `groups` (Groups, in order)."""
    supers, inverses = properties()
    asserted = {}
    for row in rows:
        if URIRef(str(row["g"])) != INFERRED_GRAPH:
            asserted.setdefault(_key(row), row)
    folded: dict[tuple, list] = defaultdict(list)  # asserted triple -> inferred properties
    loose = []
    for row in rows:
        if URIRef(str(row["g"])) != INFERRED_GRAPH or _key(row) in asserted:
            continue
        s, p, o = _key(row)
        home = next((k for k in asserted if k[0] == s and k[2] == o
                     and str(p) in supers.get(str(k[1]), ())), None)
        if home is not None:
            folded[home].append((str(p), False))
        else:
            home = next((k for k in asserted if k[0] == o and k[2] == s
                         and str(p) in _inverses_of(str(k[1]), supers, inverses)), None)
            if home is not None:
                folded[home].append((str(p), True))
            else:
                loose.append(row)
    groups = _groups(iri, list(asserted.values()), folded, lang)
    inferred = _inferred_group(iri, loose, supers, inverses, lang)
    if inferred.rows:
        groups.append(inferred)
    return {"summary": summary(iri, rows, asserted, lang), "groups": groups}


def _groups(iri: str, rows: list[dict], folded: dict, lang: str) -> list[Group]:
    nm, edition = names(), text()
    sure = certainties()
    own = sure.get((URIRef(iri),))  # the page's resource stands for one claim, this sure
    by_graph: dict[str, Group] = {}
    for row in sorted(rows, key=lambda r: str(r["g"])):
        graph = str(row["g"])
        group = by_graph.get(graph)
        if group is None:
            group = by_graph[graph] = _group(graph, row.get("src"), edition, nm)
            if own and own[2] == graph and group.certainty:
                group.certainty = own[0]  # a weak source's claim is no attested one
        s, p, o = _key(row)
        inbound = str(row["dir"]) == "in"
        if str(p) in SHOWN_ABOVE or (inbound and p == OA.hasBody):
            continue  # names and types are in the summary, mentions under "Mentioned in"
        found = sure.get((s, p, o)) or (sure.get((s,)) if inbound else None)
        if found and found[0] == group.certainty:
            found = None if not found[1] else found
        group.rows.append(Row(str(p), s if inbound else o, inbound, found, sorted(set(folded.get((s, p, o), ())))))
    ordered = sorted(by_graph.values(), key=lambda g: (
        ("sentence", "source", "editorial", "ontology").index(g.kind), _sentence_order(g), g.graph))
    for group in ordered:
        group.rows = _tidy(group.rows, lang, nm)
    return [g for g in ordered if g.rows]


def _sentence_order(group: Group) -> tuple:
    s = group.sentence
    return (s.document, s.id) if s is not None else ("", "")


def _group(graph: str, src, edition, nm) -> Group:
    group = _source_of(graph, src, edition)
    if group.certainty and not nm.has(group.certainty):
        group.certainty = None  # someone else's data: no certainty vocabulary
    return group


def _source_of(graph: str, src, edition) -> Group:
    if URIRef(graph) == ONTOLOGY_GRAPH:
        return Group(graph, "ontology")
    source = str(src) if src is not None else None
    sentence = edition.sentences.get(source) if source else None
    if sentence is not None and sentence.graph == graph:
        return Group(graph, "sentence", source, sentence, ATTESTED)
    if source and source.lower().startswith(("http://", "https://")) and not source.startswith(str(KZR)):
        return Group(graph, "source", source, None, ATTESTED)
    return Group(graph, "editorial", source, sentence, EDITORIAL)


def _tidy(rows: list[Row], lang: str, nm) -> list[Row]:
    """One language of a text in three; latitude and longitude on one row; a stable order."""
    rows = one_language(rows, lang, key=lambda r: (r.prop, r.inbound), value=lambda r: r.value)
    lat = next((r for r in rows if r.prop == str(GEO.lat) and not r.inbound), None)
    lon = next((r for r in rows if r.prop == str(GEO.long) and not r.inbound), None)
    if lat is not None and lon is not None:
        lat.second = lon.value
        rows = [r for r in rows if r is not lon]
    return sorted(rows, key=lambda r: (r.inbound, r.prop != str(GEO.lat), nm.label(r.prop, lang).lower(),
                                       nm.label(r.value, lang).lower()))


def _inferred_group(iri: str, rows: list[dict], supers: dict, inverses: dict, lang: str) -> Group:
    """What OWL-RL adds beyond the folded super-properties and inverses, with its own
    super-properties folded in turn (located in, and so schema:containedInPlace)."""
    nm = names()
    group = Group(str(INFERRED_GRAPH), "inferred")
    keys = {_key(r) for r in rows}
    for row in sorted(rows, key=lambda r: (str(r["dir"]), str(r["p"]), str(r["s"]), str(r["o"]))):
        s, p, o = _key(row)
        if str(p) in SHOWN_ABOVE or p == OA.hasBody:
            continue
        if any((s, URIRef(q), o) in keys for q in _subs_of(str(p), supers)):
            continue  # shown under its sub-property
        inbound = str(row["dir"]) == "in"
        if inbound and any((o, URIRef(q), s) in keys for q in inverses.get(str(p), ())):
            continue  # shown the other way, as the page's own statement
        also = sorted((q, False) for q in supers.get(str(p), ()) if (s, URIRef(q), o) in keys)
        if not inbound:
            also += sorted((q, True) for q in inverses.get(str(p), ()) if (o, URIRef(q), s) in keys)
        group.rows.append(Row(str(p), s if inbound else o, inbound, weakest().get((s, p, o)), also))
    group.rows = _tidy(group.rows, lang, nm)
    return group


def _inverses_of(prop: str, supers: dict, inverses: dict) -> set:
    """The inverses of `prop` and of its super-properties (credited enterprise -> involved in)."""
    found = set(inverses.get(prop, ()))
    for above in supers.get(prop, ()):
        found |= inverses.get(above, set())
    return found


def _subs_of(prop: str, supers: dict) -> list[str]:
    return [p for p, above in supers.items() if prop in above]


# --- the summary -----------------------------------------------------------------------------

def summary(iri: str, rows: list[dict], asserted: dict, lang: str) -> dict:
    nm = names()
    out = defaultdict(list)
    inbound = defaultdict(list)
    for row in rows:
        target = out if str(row["dir"]) == "out" else inbound
        value = row["o"] if str(row["dir"]) == "out" else row["s"]
        if value not in target[str(row["p"])]:
            target[str(row["p"])].append(value)
    asserted_types = nm.asserted_types.get(iri, set())
    all_types = nm.types.get(iri, set())
    kinds = _unique_labels(asserted_types or all_types, nm, lang)
    broader = [t for t in _unique_labels(all_types - asserted_types, nm, lang)
               if nm.label(t, lang) not in {nm.label(k, lang) for k in kinds}]
    definition = next((_in_lang(out[p], lang) for p in DEFINITIONS if out.get(p)), None)
    labels = {l: nm.labels.get(iri, {}).get(l) for l in ("kk", "ru", "en")}
    periods = dates.chronological(out.get(str(KAZKG.hasName), []), lambda n: nm.label(n, lang))
    where = [(p, out[p]) for p in WHERE if out.get(p)]
    own_data = service().own_data  # someone else's data is dated and placed by common vocabularies
    when = [(p, dates.chronological(out[p], lambda t: nm.label(t, lang)))
            for p in WHEN + (() if own_data else tuple(dates.common_properties())) if out.get(p)]
    events = dates.chronological({s for values in inbound.values() for s in values
                                  if str(KAZKG.Event) in nm.types.get(str(s), set())}, lambda s: nm.label(s, lang))
    numbers = dates.chronological({s for values in inbound.values() for s in values
                                   if str(KAZKG.Statistic) in nm.types.get(str(s), set())}, lambda s: nm.label(s, lang))
    own = {p: out[p][0] for p in (str(KAZKG.value), str(KAZKG.unit), str(KAZKG.valueQualifier),
                                  str(KAZKG.measures)) if out.get(p)}
    coords = None
    if out.get(str(GEO.lat)) and out.get(str(GEO.long)):
        coords = (out[str(GEO.lat)][0], out[str(GEO.long)][0])
    elif not own_data and iri in anydata.coordinates():
        coords = anydata.coordinates()[iri]
    mentioned = text().mentioned.get(iri, [])
    resting = {t: weakest().get((URIRef(iri), RDF.type, URIRef(t))) for t in broader}
    return dict(kinds=kinds, broader=broader, resting=resting, definition=definition, labels=labels,
                alt=other_names(nm.alt.get(iri, [])), periods=periods,
                where=where, when=when, events=events, numbers=numbers, own=own, coords=coords,
                certainty=certainties().get((URIRef(iri),)), mentioned=mentioned)


def other_names(alt) -> list[tuple[str, str, str]]:
    """(text, first language, its languages joined) per name: a name written alike in two
    languages (Шевченко in kk and in ru) is listed once, with both tags."""
    langs: dict[str, set] = defaultdict(set)
    for a in alt:
        langs[str(a)].add(a.language or "")
    return [(text, min(tags), ", ".join(sorted(t for t in tags if t))) for text, tags in sorted(langs.items())]


def _unique_labels(types, nm, lang) -> list:
    """Types with one entry per label (kazkg:Place and schema:Place are both "Place"), the
    project's own first; classes of RDF, RDFS and OWL left out."""
    chosen = {}
    for t in sorted(types, key=lambda t: (not t.startswith(str(KAZKG)), t)):
        if t.startswith((str(RDFS), str(OWL), str(RDF))):
            continue
        chosen.setdefault(nm.label(t, lang).lower(), URIRef(t))
    return sorted(chosen.values(), key=lambda t: nm.label(t, lang).lower())


def _in_lang(values, lang):
    literals = [v for v in values if isinstance(v, Literal)]
    for choice in (lang, "en", ""):
        for v in literals:
            if (v.language or "") == choice:
                return v
    return literals[0] if literals else None
