"""The data: every sentence traced, every statement sourced, the source's facts present."""

from __future__ import annotations

import csv
import re
from decimal import Decimal

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from tests.support import SOURCES
from kazkg.namespaces import INFERRED_GRAPH, KAZKG, KZG, KZR, OA, ONTOLOGY_GRAPH, SCHEMA

TSV = SOURCES / "industry-1956-1985.sentences.tsv"
FACTS = SOURCES / "facts.md"
SENTENCE_IDS = [f"p{p}.s{s}" for p, n in ((1, 4), (2, 9), (3, 9), (4, 7)) for s in range(1, n + 1)]


def sentence(sid: str) -> URIRef:
    return KZR["industry-1956-1985-" + sid.replace(".", "-")]


def data_graphs(dataset):
    return [g for g in dataset.graphs()
            if len(g) and g.identifier not in (ONTOLOGY_GRAPH, INFERRED_GRAPH)]


def test_29_sentences_with_kazakh_text_and_translation(asserted):
    assert len(SENTENCE_IDS) == 29
    for sid in SENTENCE_IDS:
        node = sentence(sid)
        assert (node, RDF.type, KAZKG.Sentence) in asserted
        assert asserted.value(node, KAZKG.sentenceId) == Literal(sid)
        assert asserted.value(node, SCHEMA.text).language == "kk"
        assert asserted.value(node, KAZKG.workingTranslation).language == "en"


@pytest.mark.skipif(not TSV.is_file(), reason="the shared source folder is not beside the repo")
def test_sentence_texts_are_the_source_texts(asserted):
    with TSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert [r["id"] for r in rows] == SENTENCE_IDS
    for row in rows:
        node = sentence(row["id"])
        assert str(asserted.value(node, SCHEMA.text)) == row["kk"]
        assert str(asserted.value(node, KAZKG.workingTranslation)) == row["en"]


@pytest.mark.parametrize("sid", SENTENCE_IDS)
def test_every_sentence_has_its_graph_of_statements(dataset, sid):
    graph = dataset.graph(KZG["text/industry-1956-1985/" + sid.replace(".", "-")])
    assert (graph.identifier, PROV.wasDerivedFrom, sentence(sid)) in graph
    assert len(graph) > 8, f"{sid}: only the graph's own description"


def test_every_statement_sits_in_a_graph_that_names_its_source(dataset):
    for graph in data_graphs(dataset):
        node = graph.identifier
        sources = set(graph.objects(node, PROV.wasDerivedFrom)) | set(
            graph.objects(node, PROV.wasAttributedTo))
        assert sources, f"{node} does not say where its statements come from"
        assert (node, RDF.type, KAZKG.Assertion) in graph


def test_facts_graphs_cite_public_urls(dataset):
    facts = [g for g in data_graphs(dataset) if str(g.identifier).startswith(str(KZG["facts/"]))]
    assert len(facts) > 20
    for graph in facts:
        if (graph.identifier, RDF.type, KAZKG.EditorialAssertion) in graph:
            continue
        urls = [str(u) for u in graph.objects(graph.identifier, PROV.wasDerivedFrom)]
        assert urls and all(u.startswith(("http://", "https://")) for u in urls), graph.identifier


def test_no_blank_nodes_in_the_data(dataset):
    for graph in data_graphs(dataset):
        for triple in graph:
            assert not any(isinstance(t, BNode) for t in triple), (graph.identifier, triple)


# The parts of a Web Annotation (its targets and their selectors) are not looked up on their
# own: the annotation they belong to carries the labels.
ANNOTATION_PARTS = {OA.SpecificResource, OA.TextQuoteSelector, OA.TextPositionSelector}


def test_every_typed_resource_has_one_label_in_kk_ru_en(asserted):
    typed = {s for s, o in asserted.subject_objects(RDF.type) if isinstance(s, URIRef)
             and str(s).startswith(str(KZR)) and o not in ANNOTATION_PARTS}
    assert len(typed) > 200
    for resource in typed:
        languages = sorted(l.language for l in asserted.objects(resource, RDFS.label))
        assert languages == ["en", "kk", "ru"], (resource, languages)


def test_every_kazkg_iri_the_graph_names_has_labels_in_kk_ru_en(dataset):
    """Typed or not, as subject, object or graph name: the dataset and the ontology's version
    IRI, named only as objects, had none (the new user's review)."""
    named = {term for quad in dataset.quads() for term in (quad[0], quad[2], quad[3])
             if isinstance(term, URIRef) and str(term).startswith("https://w3id.org/kazkg/")}
    assert len(named) > 1000
    for iri in named:
        if set(dataset.objects(iri, RDF.type)) & ANNOTATION_PARTS:
            continue
        languages = sorted({l.language for l in dataset.objects(iri, RDFS.label)})
        assert languages == ["en", "kk", "ru"], (iri, languages)


@pytest.mark.skipif(not FACTS.is_file(), reason="the shared source folder is not beside the repo")
def test_only_verified_wikidata_qids(asserted):
    verified = set(re.findall(r"\bQ\d+\b", FACTS.read_text(encoding="utf-8")))
    used = {str(o).rsplit("/", 1)[1] for o in asserted.objects() if isinstance(o, URIRef)
            and str(o).startswith("http://www.wikidata.org/entity/")}
    assert used, "no Wikidata links at all"
    assert used <= verified, used - verified


def test_no_enterprise_has_a_wikidata_link(dataset):
    enterprises = set(dataset.subjects(RDF.type, KAZKG.Enterprise))
    for enterprise in enterprises:
        for o in dataset.objects(enterprise, None):
            assert "wikidata.org" not in str(o), enterprise


def test_conflicts_between_sources_are_recorded(asserted):
    conflicts = set(asserted.subjects(RDF.type, KAZKG.SourceConflict))
    assert len(conflicts) >= 5
    for conflict in conflicts:
        assert len(set(asserted.objects(conflict, KAZKG.conflictingGraph))) >= 2, conflict


def _statistics(asserted):
    out = []
    for stat in asserted.subjects(RDF.type, KAZKG.Statistic):
        value = asserted.value(stat, KAZKG.value)
        out.append((stat, value.toPython() if value is not None else None,
                    asserted.value(stat, KAZKG.unit), asserted.value(stat, KAZKG.valueQualifier),
                    asserted.value(stat, KAZKG.hasTime)))
    return out


@pytest.mark.parametrize("value, unit, qualifier", [
    (45000, "unit-kilometre", "qualifier-more-than"),
    (6, "unit-percent", "qualifier-up-to"),
    (2700, "unit-person", None),
    (11, "unit-enterprise", None),
    (70, "unit-percent", None),
    (170, "unit-enterprise", "qualifier-about"),
    (14, "unit-enterprise", None),
    (3, "unit-percent", None),
])
def test_the_source_numbers(asserted, value, unit, qualifier):
    matches = [s for s in _statistics(asserted) if s[1] == Decimal(value) and s[2] == KZR[unit]]
    assert matches, f"no statistic of {value} {unit}"
    if qualifier:
        assert any(s[3] == KZR[qualifier] for s in matches), (value, qualifier)


def test_dated_events_of_the_source(asserted):
    def year_of(event):
        return str(asserted.value(asserted.value(event, KAZKG.hasTime),
                                  URIRef("http://www.w3.org/2006/time#inXSDgYear")))
    assert year_of(KZR["award-achisai-lenin-prize-1985"]) == "1985"
    assert year_of(KZR["first-oil-uzen-1965"]) == "1965"
    assert year_of(KZR["plenum-1956"]) == "1956"
    tpcs = set(asserted.subjects(RDF.type, KAZKG.TerritorialProductionComplex))
    assert {str(t).rsplit("/", 1)[1] for t in tpcs} == {
        "mangystau-tpc", "pavlodar-ekibastuz-tpc", "shymkent-kentau-tpc", "zhambyl-karatau-tpc"}


def test_imprecise_dates_are_intervals(asserted):
    time = "http://www.w3.org/2006/time#"
    def bounds(period):
        begin = asserted.value(period, URIRef(time + "hasBeginning"))
        end = asserted.value(period, URIRef(time + "hasEnd"))
        year = URIRef(time + "inXSDgYear")
        return str(asserted.value(begin, year)), str(asserted.value(end, year))
    assert bounds(KZR["period-early-1970s"]) == ("1970", "1973")
    assert bounds(KZR["period-1980s"]) == ("1980", "1989")
    assert bounds(KZR["period-by-1970"]) == ("1956", "1970")
    assert asserted.value(KZR["period-within-five-years"], KAZKG.durationYears).toPython() == 5


def test_coordinates_are_decimals_in_kazakhstan(asserted):
    geo = "http://www.w3.org/2003/01/geo/wgs84_pos#"
    places = set(asserted.subjects(URIRef(geo + "lat"), None))
    assert len(places) >= 12
    for place in places:
        lat = asserted.value(place, URIRef(geo + "lat"))
        long = asserted.value(place, URIRef(geo + "long"))
        assert lat.datatype == XSD.decimal and long.datatype == XSD.decimal
        assert 40 < float(lat) < 56 and 46 < float(long) < 88, place
