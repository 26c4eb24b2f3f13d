"""Counts that describe a built dataset: by graph, by class and by label language."""

from __future__ import annotations

from collections import Counter

from rdflib import Dataset, Literal
from rdflib.namespace import RDF, RDFS, SKOS

from ..formats.graphs import named_graphs

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
    namespace = dataset.namespace_manager
    counts = {cls.n3(namespace): len(subjects) for cls, subjects in members.items()}
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
