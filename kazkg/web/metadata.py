"""The dataset's counts and facts as loaded (kazkg.web.service keeps them): what /health,
VoID and the service description say."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from rdflib import Dataset
from rdflib.namespace import DCTERMS, OWL, RDF

from ..build import cache, stats
from ..namespaces import ONTOLOGY_GRAPH, SCHEMA


@dataclass(frozen=True)
class Metadata:
    """Counts and facts about the dataset as loaded, for /health, VoID and the service
    description."""

    version: str
    triples: int
    graphs: dict
    vocabularies: tuple
    license: str | None

    FILE = "metadata-2.json"  # beside the cached build; a new name when the fields change

    @classmethod
    def cached(cls, build, store=None) -> "Metadata":
        """The metadata of a build, counted once (in its Oxigraph `store` when there is one,
        which needs no rdflib dataset) and then kept in the cache beside it."""
        path = cache.beside(build.fingerprint, cls.FILE)
        try:  # checked against the cache's manifest: an edited count is never served
            fields = json.loads(cache.read_bytes(path))
            return cls(**{**fields, "vocabularies": tuple(fields["vocabularies"])})
        except (OSError, ValueError, TypeError, KeyError):  # Damaged too: counted again
            found = (cls.of(build.dataset, build.version) if store is None
                     else cls.of_store(store, build.version))
        try:
            cache.keep(path, json.dumps(dataclasses.asdict(found)).encode("utf-8"))
        except OSError:  # a read-only cache folder: serve all the same
            pass
        return found

    @classmethod
    def of(cls, dataset: Dataset, version: str) -> "Metadata":
        return cls(version, **stats.describe(dataset))

    @classmethod
    def of_store(cls, store, version: str) -> "Metadata":
        """The same counts, asked of an Oxigraph store laid out as kazkg.build.mirror writes
        it (named graphs, and their union as the default graph)."""
        def column(query: str) -> list:
            return [tuple(row) for row in store.query(query)]

        graphs = {g.value: int(n.value) for g, n in column(
            "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
        [(triples,)] = column("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
        terms = column("SELECT DISTINCT ?p { ?s ?p ?o }") + column(
            f"SELECT DISTINCT ?c {{ ?s <{RDF.type}> ?c FILTER(isIRI(?c)) }}")
        vocabularies = {stats.namespace(term.value) for (term,) in terms}
        license_iri = None
        if str(ONTOLOGY_GRAPH) in graphs:
            for prop in (DCTERMS.license, SCHEMA.license):
                found = column(f"SELECT ?l {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?o a <{OWL.Ontology}> ; "
                               f"<{prop}> ?l }} }} LIMIT 1")
                if found:
                    license_iri = found[0][0].value
                    break
        return cls(version, int(triples.value), dict(sorted(graphs.items())),
                   tuple(sorted(v for v in vocabularies if v)), license_iri)
