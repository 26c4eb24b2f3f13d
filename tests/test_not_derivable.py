"""Statements that must NOT be derivable from the built, inferred dataset.

Each is false at the time it is about or false today, or says more than the sources do
(issue 10). They are checked against the union of the asserted and the inferred graphs, so a
wrong statement is caught whether it is asserted or follows by OWL-RL."""

from __future__ import annotations

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from kazkg.query import sparql
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
]


@pytest.mark.parametrize("thing, place", FALSE_LOCATIONS)
def test_no_false_location(dataset, thing, place):
    for prop in (KAZKG.locatedIn, SCHEMA_CONTAINED):
        assert (KZR[thing], prop, KZR[place]) not in dataset, f"{thing} {prop} {place}"


def test_location_never_crosses_an_administrative_membership(dataset):
    """The location rule: nothing but a region is kazkg:locatedIn an oblast, region or
    district; a settlement's or enterprise's region is a dated membership."""
    found = list(sparql.run(dataset, PREFIXES + """
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
    found = list(sparql.run(dataset, PREFIXES + """
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
