"""Every IRI the project mints dereferences on its server, by content negotiation: the
resources, graphs and ontology terms did; the SHACL shapes (quoted by build errors), the VoID
dataset and the ontology's owl:versionIRI answered 404."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

import kazkg
from kazkg.namespaces import BASE, ONTOLOGY_IRI

ROOT = Path(kazkg.__file__).resolve().parent.parent / "ontology"
SH = "http://www.w3.org/ns/shacl#"


def minted() -> set[str]:
    """The documents of every project IRI in the ontology, the shapes and VoID's dataset,
    without the resources and graphs (one of each is enough here)."""
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("*.ttl")))
    found = {iri.split("#")[0] for iri in re.findall(r"https://w3id\.org/kazkg/[^\s<>\"'#)]*", text)}
    found |= {BASE + "dataset", BASE + "resource/ussr", BASE + "graph/inferred"}
    return {iri for iri in found if not iri.endswith("/")}  # a namespace is not a document


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "text/html"])
def test_every_minted_iri_dereferences(site, accept):
    for iri in sorted(minted()):
        reply = site.get(iri[len(BASE) - 1:], headers={"Accept": accept})
        assert reply.status_code in (200, 303), (iri, accept, reply.status_code)
        if reply.status_code == 200 and accept != "text/html":
            assert reply.mimetype == accept, iri


def test_the_shapes_are_served_and_each_shape_has_its_anchor(site):
    shapes = Graph().parse(data=site.get("/shapes.ttl").get_data(as_text=True), format="turtle")
    named = {s for s in shapes.subjects(RDF.type, URIRef(SH + "NodeShape"))} | {
        s for s in shapes.subjects(RDF.type, URIRef(SH + "PropertyShape"))}
    site_shape = URIRef(BASE + "shapes#EnterpriseSiteShape")
    assert site_shape in named
    page = site.get("/shapes", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'id="EnterpriseSiteShape"' in page
    assert site.get("/shapes", headers={"Accept": "text/turtle"}).headers["Vary"].count("Accept")


def test_the_version_iri_is_the_ontology_and_another_version_is_404(site):
    data = Graph().parse(data=site.get("/ontology/1.0.0.ttl").get_data(as_text=True),
                         format="turtle")
    assert (URIRef(ONTOLOGY_IRI), OWL.versionIRI, URIRef(ONTOLOGY_IRI + "/1.0.0")) in data
    assert site.get("/ontology/0.9", headers={"Accept": "text/turtle"}).status_code == 404


def test_the_dataset_iri_is_voids_description(site):
    reply = site.get("/dataset", headers={"Accept": "text/turtle"})
    data = Graph().parse(data=reply.get_data(as_text=True), format="turtle")
    assert (URIRef(BASE + "dataset"), RDF.type, URIRef("http://rdfs.org/ns/void#Dataset")) in data
