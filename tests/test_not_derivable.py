"""Statements that must NOT be derivable from the built, inferred dataset.

Each is false at the time it is about or false today, or says more than the sources do
(issue 10). They are checked against the union of the asserted and the inferred graphs, so a
wrong statement is caught whether it is asserted or follows by OWL-RL."""

from __future__ import annotations

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from tests.support import rdflib_answer
from kazkg.namespaces import KAZKG, KZR

WD = "http://www.wikidata.org/entity/"
ORG_FORMAL = URIRef("http://www.w3.org/ns/org#FormalOrganization")
SCHEMA_CONTAINED = URIRef("https://schema.org/containedInPlace")
PREFIXES = """PREFIX kazkg: <https://w3id.org/kazkg/ontology#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

FALSE_LOCATIONS = [
    # Almaty is a city of republican significance, in no region (nor its enterprises)
    ("almaty", "almaty-region"), ("almaty", "alma-ata-oblast"),
    ("almaty-cotton-combine", "almaty-region"), ("almaty-cotton-combine", "alma-ata-oblast"),
    # Shymkent left Turkistan Region in 2018
    ("shymkent", "turkistan-region"), ("shymkent-cement-plant", "turkistan-region"),
    # Shevchenko/Aktau and Novy Uzen: Guryev Oblast until 1973, Mangyshlak Oblast from 1973
    ("aktau", "guryev-oblast"), ("zhanaozen", "guryev-oblast"),
    ("aktau-desalination-plant", "guryev-oblast"), ("mangyshlak-atomic-energy-combine", "guryev-oblast"),
    ("aktau", "mangyshlak-oblast"), ("zhanaozen", "mangyshlak-oblast"),
    # the Uzen field's first oil (1965) predates the oblast formed in 1973
    ("uzen-oil-field", "mangyshlak-oblast"), ("uzen-oil-field", "mangystau-region"),
    # a present-day region is not in the Kazakh SSR, a Soviet oblast not in today's republic
    ("mangystau-region", "kazakh-ssr"), ("turkistan-region", "kazakh-ssr"),
    ("jambyl-region", "kazakh-ssr"), ("almaty-region", "kazakh-ssr"),
    ("east-kazakhstan-region", "kazakh-ssr"), ("mangyshlak-oblast", "kazakhstan"),
    ("chimkent-oblast", "kazakhstan"), ("guryev-oblast", "kazakhstan"),
    # Serebryansk's district changed; Kentau's Soviet oblast is not today's region
    ("serebryansk", "zyryan-district"), ("kentau", "turkistan-region"),
    ("achisai-polymetallic-combine", "turkistan-region"),
    # no source says these existed after 1991: they are not in today's republic
    ("semey-knitwear-factory", "kazakhstan"), ("temirtau-food-industry", "kazakhstan"),
    ("zhambyl-food-industry", "kazakhstan"), ("almaty-cotton-combine", "kazakhstan"),
    ("kazakh-steel-mill", "kazakhstan"), ("shymkent-cement-plant", "kazakhstan"),
]


@pytest.mark.parametrize("thing, place", FALSE_LOCATIONS)
def test_no_false_location(dataset, thing, place):
    for prop in (KAZKG.locatedIn, SCHEMA_CONTAINED):
        assert (KZR[thing], prop, KZR[place]) not in dataset, f"{thing} {prop} {place}"


def test_location_never_crosses_an_administrative_membership(dataset):
    """The location rule: nothing but a region is kazkg:locatedIn an oblast, region or
    district; a settlement's or enterprise's region is a dated membership."""
    found = list(rdflib_answer(dataset, PREFIXES + """
        SELECT ?thing ?region WHERE {
          ?thing kazkg:locatedIn ?region .
          ?region a kazkg:AdministrativeRegion .
          FILTER NOT EXISTS { ?thing a kazkg:AdministrativeRegion }
        }"""))
    assert not found, [(str(r["thing"]), str(r["region"])) for r in found]


def test_no_resource_is_both_a_soviet_oblast_and_a_present_day_region(dataset):
    both = set(dataset.subjects(RDF.type, KAZKG.SovietOblast)) & set(
        dataset.subjects(RDF.type, KAZKG.PresentDayRegion))
    assert not both, both


def test_soviet_oblasts_carry_no_present_day_qid(dataset):
    for oblast in set(dataset.subjects(RDF.type, KAZKG.SovietOblast)):
        links = [o for o in dataset.objects(oblast, None) if str(o).startswith(WD)]
        assert not links, (oblast, links)


def test_memberships_never_outlast_their_region(dataset):
    """A membership's period lies within its region's period of existence, where known."""
    found = list(rdflib_answer(dataset, PREFIXES + """
        SELECT ?membership WHERE {
          ?membership kazkg:memberOf ?region ; kazkg:hasTime ?t .
          ?region kazkg:existedDuring ?life .
          OPTIONAL { ?t time:hasBeginning/time:inXSDgYear ?b }
          OPTIONAL { ?t time:inXSDgYear ?x }
          OPTIONAL { ?t time:hasEnd/time:inXSDgYear ?e }
          OPTIONAL { ?life time:hasBeginning/time:inXSDgYear ?lb }
          OPTIONAL { ?life time:hasEnd/time:inXSDgYear ?le }
          BIND (xsd:integer(str(COALESCE(?x, ?b))) AS ?from)
          BIND (xsd:integer(str(COALESCE(?x, ?e))) AS ?to)
          FILTER ((BOUND(?lb) && ?from < xsd:integer(str(?lb)))
                  || (BOUND(?le) && (!BOUND(?to) || ?to > xsd:integer(str(?le)))))
        }"""))
    assert not found, [str(r["membership"]) for r in found]


FALSE_TRIPLES = [
    # over-interpretation (issue 10): a city's food industry is no organisation, the coal basin
    # no mine in the city, the 1956 plenum adopted no reform, the prize went to people
    ("temirtau-food-industry", RDF.type, KAZKG.Enterprise), ("temirtau-food-industry", RDF.type, ORG_FORMAL),
    ("zhambyl-food-industry", RDF.type, KAZKG.Enterprise), ("zhambyl-food-industry", RDF.type, ORG_FORMAL),
    ("karaganda-coal-mines", RDF.type, KAZKG.Mine), ("karaganda-coal-mines", RDF.type, KAZKG.Enterprise),
    ("karaganda-coal-mines", KAZKG.locatedIn, KZR["karaganda"]),
    ("management-reform-1956", RDF.type, KAZKG.Reform), ("management-reform-1956", KAZKG.adoptedAt, KZR["plenum-1956"]),
    ("management-reform-1956", KAZKG.hasTime, KZR["year-1956"]),
    ("achisai-polymetallic-combine", RDF.type, KAZKG.LeninPrizeLaureate),
    ("achisai-polymetallic-combine", RDF.type, KAZKG.AwardedEnterprise),
    ("achisai-polymetallic-combine", KAZKG.awarded, KZR["lenin-prize"]),
    ("award-achisai-lenin-prize-1985", KAZKG.recipient, KZR["achisai-polymetallic-combine"]),
    # a hypothesis is recorded, not asserted
    ("aktau-desalination-plant", KAZKG.partOf, KZR["mangyshlak-atomic-energy-combine"]),
    # the text runs to the 80s: undated and "within five years" do not end in 1985
    ("period-1956-1989", URIRef("http://www.w3.org/2006/time#hasEnd"), KZR["year-1985"]),
    ("period-within-five-years", URIRef("http://www.w3.org/2006/time#hasEnd"), KZR["year-1985"]),
    # the complex of the early 1970s does not span a region that did not exist yet
    ("mangystau-tpc", KAZKG.spansPlace, KZR["mangystau-region"]),
]


@pytest.mark.parametrize("subject, predicate, obj", FALSE_TRIPLES)
def test_no_over_interpretation(dataset, subject, predicate, obj):
    assert (KZR[subject], predicate, obj) not in dataset


def test_no_complex_membership_is_inferred_from_location(dataset):
    assert not list(dataset.triples((None, KAZKG.inTerritorialComplex, None)))


SENTENCE_GRAPH = "https://w3id.org/kazkg/graph/text/"
NAME_PROPERTIES = {RDFS.label, SKOS.prefLabel, SKOS.altLabel, KAZKG.name}
NAMED_CLASSES = (KAZKG.Place, KAZKG.Enterprise, KAZKG.Award, KAZKG.TerritorialProductionComplex, ORG_FORMAL)


def test_sentence_graphs_name_things_only_in_their_sentences_words(dataset):
    """A place, enterprise, body, award or complex gets in a sentence graph only its Kazakh
    name as the sentence writes it; Russian, English and historical names (Усть-Каменогорск,
    Chimkent, Алма-Ата, КарГРЭС-1, ...) are in the editorial or facts graphs."""
    named = {s for c in NAMED_CLASSES for s in dataset.subjects(RDF.type, c)}
    for graph in dataset.graphs():
        if not str(graph.identifier).startswith(SENTENCE_GRAPH):
            continue
        for s, p, o in graph:
            if s in named and p in NAME_PROPERTIES:
                assert o.language == "kk", (graph.identifier, s, o)
            assert (p, o) != (KAZKG.locatedIn, KZR["kazakh-ssr"]), (graph.identifier, s)


def test_sentence_graphs_speak_only_in_their_sentences_language(dataset):
    """Nothing a sentence graph says about what it states is in another language or in the
    editors' words: Russian and English labels, titles and descriptions of events and
    statistics are working translations (reference/translations), and editors' notes are in
    reference/notes. Only the graph's own description is multilingual."""
    checked = 0
    for graph in dataset.graphs():
        if not str(graph.identifier).startswith(SENTENCE_GRAPH):
            continue
        for s, p, o in graph:
            if s == graph.identifier:
                continue
            checked += 1
            assert p != SKOS.editorialNote, (graph.identifier, s, o)
            assert getattr(o, "language", None) in (None, "kk"), (graph.identifier, s, p, o)
    assert checked > 300


def test_only_a_source_or_a_present_day_region_places_a_thing_in_todays_republic(dataset):
    """The Republic of Kazakhstan (from 1991) holds what a graph says it holds, its present-day
    regions and their districts; never what the closure carries from a Soviet-era city."""
    found = list(rdflib_answer(dataset, PREFIXES + """
        SELECT DISTINCT ?thing WHERE {
          { ?thing kazkg:locatedIn <https://w3id.org/kazkg/resource/kazakhstan> }
          UNION { ?thing <https://schema.org/containedInPlace> <https://w3id.org/kazkg/resource/kazakhstan> }
          FILTER NOT EXISTS { GRAPH ?g { ?thing ?p <https://w3id.org/kazkg/resource/kazakhstan> }
                              FILTER (?g != <https://w3id.org/kazkg/graph/inferred>) }
          FILTER NOT EXISTS { ?thing kazkg:locatedIn ?region . ?region a kazkg:PresentDayRegion }
        }"""))
    assert not found, sorted(str(r["thing"]) for r in found)
