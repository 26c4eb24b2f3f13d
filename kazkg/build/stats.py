"""Counts that describe a built dataset: by graph, by class and by label language."""

from __future__ import annotations

from collections import Counter

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from ..formats.graphs import named_graphs
from ..namespaces import ONTOLOGY_GRAPH, SCHEMA, bind_prefixes

LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel)


def by_graph(dataset: Dataset) -> dict[str, int]:
    """Triples per named graph, by graph IRI (rdflib's default graph is not a named graph)."""
    return {str(g.identifier): len(g) for g in named_graphs(dataset)}


def by_family(counts: dict[str, int]) -> dict[str, list[int]]:
    """Counts of graphs named like `kzg:text/<document>/p1-s1` gathered as `kzg:text/*` (by
    the first segment of the name), in name order; a name without `/` stands alone."""
    families: dict[str, list[int]] = {}
    for name, count in counts.items():
        families.setdefault(name.split("/", 1)[0] + "/*" if "/" in name else name, []).append(count)
    return dict(sorted(families.items()))


def by_class(dataset: Dataset) -> dict[str, int]:
    """Distinct instances per class, over the union (so inferred types count too)."""
    members: dict = {}
    for s, o in dataset.subject_objects(RDF.type):
        members.setdefault(o, set()).add(s)
    # The project's prefixes first: a dataset's own bindings may have moved one (the parsers
    # bind GeoSPARQL as geo, which pushed it to geo1 beside WGS84's geo).
    named = Graph(bind_namespaces="none")
    for prefix, iri in dataset.namespace_manager.namespaces():
        named.bind(prefix, iri)
    bind_prefixes(named)
    counts = {cls.n3(named.namespace_manager): len(subjects) for cls, subjects in members.items()}
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def by_language(dataset: Dataset) -> dict[str, int]:
    """Label literals (rdfs:label, skos:prefLabel, skos:altLabel) per language tag."""
    seen = set()
    for prop in LABEL_PROPERTIES:
        for s, o in dataset.subject_objects(prop):
            if isinstance(o, Literal):
                seen.add((s, prop, o))
    counts = Counter(o.language or "(none)" for _, _, o in seen)
    return dict(sorted(counts.items()))


def summary(dataset: Dataset) -> dict[str, dict[str, int]]:
    return {"graphs": by_graph(dataset), "classes": by_class(dataset), "languages": by_language(dataset)}


def describe(dataset: Dataset) -> dict:
    """What /health, VoID and the service description say of a dataset: its distinct triples,
    triples per graph, the vocabularies it uses and its license (from the ontology)."""
    graphs = by_graph(dataset)
    vocabularies = set()
    triples = set()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        triples.add((s, p, o))
        vocabularies.add(namespace(p))
        if p == RDF.type and isinstance(o, URIRef):
            vocabularies.add(namespace(o))
    license_iri = None
    if str(ONTOLOGY_GRAPH) in graphs:
        # A view, not dataset.graph(): that would add the graph, a write (refused read-only).
        ontology = Graph(store=dataset.store, identifier=ONTOLOGY_GRAPH)
        for subject in ontology.subjects(RDF.type, OWL.Ontology):
            found = ontology.value(subject, DCTERMS.license) or ontology.value(subject, SCHEMA.license)
            if found is not None:
                license_iri = str(found)
                break
    return {"triples": len(triples), "graphs": graphs,
            "vocabularies": tuple(sorted(v for v in vocabularies if v)), "license": license_iri}


def namespace(iri) -> str:
    """The namespace of an IRI: up to its last # or /."""
    text = str(iri)
    for sep in ("#", "/"):
        if sep in text:
            return text[: text.rindex(sep) + 1]
    return ""
