"""The ontology: its header, its terms' documentation, its alignments and its axioms."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, VANN

from tests.support import ROOT
from kazkg.namespaces import KAZKG, ONTOLOGY_IRI

ONTOLOGY = URIRef(ONTOLOGY_IRI)
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "kazkg.ttl")


def _terms(ontology):
    return sorted({s for t in TERM_TYPES for s in ontology.subjects(RDF.type, t)
                   if isinstance(s, URIRef) and str(s).startswith(str(KAZKG))})


def test_header(ontology):
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.license, OWL.versionInfo,
                 OWL.versionIRI, VANN.preferredNamespacePrefix):
        assert ontology.value(ONTOLOGY, prop) is not None, prop
    assert str(ontology.value(ONTOLOGY, VANN.preferredNamespacePrefix)) == "kazkg"


def test_every_term_has_three_labels_a_definition_and_is_defined_by(ontology):
    terms = _terms(ontology)
    assert len(terms) > 60
    for term in terms:
        languages = sorted(label.language for label in ontology.objects(term, RDFS.label))
        assert languages == ["en", "kk", "ru"], (term, languages)
        assert ontology.value(term, SKOS.definition) is not None, term
        assert ontology.value(term, RDFS.isDefinedBy) == ONTOLOGY, term


@pytest.mark.parametrize("namespace", [
    "https://schema.org/", "http://www.w3.org/ns/org#", "http://www.w3.org/ns/prov#",
    "http://www.w3.org/2006/time#", "http://www.w3.org/2004/02/skos/core#",
    "http://www.opengis.net/ont/geosparql#",
])
def test_aligned_to_standard_vocabularies(ontology, namespace):
    alignments = (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty)
    targets = {o for p in alignments for o in ontology.objects(None, p)}
    assert any(str(t).startswith(namespace) for t in targets), namespace


def test_axioms_owl_rl_can_use(ontology):
    assert (KAZKG.locatedIn, RDF.type, OWL.TransitiveProperty) in ontology
    assert ontology.value(KAZKG.locatedIn, OWL.inverseOf) == KAZKG.locationOf or \
        ontology.value(KAZKG.locationOf, OWL.inverseOf) == KAZKG.locatedIn
    chains = list(ontology.subject_objects(OWL.propertyChainAxiom))
    assert {s for s, _ in chains} >= {KAZKG.awarded, KAZKG.operatesUnder}
    # complex membership is never inferred from location (issue 10)
    assert KAZKG.inTerritorialComplex not in {s for s, _ in chains}
    restrictions = list(ontology.subjects(RDF.type, OWL.Restriction))
    assert any(ontology.value(r, OWL.hasValue) is not None for r in restrictions)
    assert any(ontology.value(r, OWL.someValuesFrom) is not None for r in restrictions)
    assert list(ontology.subjects(RDF.type, OWL.AllDisjointClasses))
    assert (KAZKG.hasTime, RDF.type, OWL.FunctionalProperty) in ontology


def test_no_axioms_about_the_meta_vocabularies(ontology):
    meta = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")
    for s in set(ontology.subjects()):
        assert isinstance(s, BNode) or not str(s).startswith(meta), s


def test_date_precision_rules_are_written_once(ontology):
    from kazkg.namespaces import KZR

    rules = {c: ontology.value(c, SKOS.definition)
             for c in ontology.subjects(RDF.type, KAZKG.DatePrecision)}
    names = {str(c).rsplit("/", 1)[1] for c in rules}
    assert {"date-exact-year", "date-by-year", "date-early-decade", "date-decade",
            "date-within-years", "date-undated"} <= names
    assert all(rules.values())
    assert KZR["date-early-decade"] in rules
