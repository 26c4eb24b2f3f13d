"""The dataset described in RDF: a SPARQL 1.1 Service Description and a VoID description.

https://www.w3.org/TR/sparql11-service-description/ and https://www.w3.org/TR/void/
Both are built from the start-up Metadata and the server's own URL, and are small.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from ..namespaces import BASE, PREFIXES, bind_prefixes
from ..formats.negotiation import RDF_FORMATS, RESULT_FORMATS
from .metadata import Metadata

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
SH = Namespace("http://www.w3.org/ns/shacl#")
DATASET_IRI = URIRef(BASE + "dataset")
DUMP_NAME = "kazkg"


def dump_filenames() -> dict[str, str]:
    """Stable download names: kazkg.ttl, kazkg.nt, ... -> the export format's name."""
    return {DUMP_NAME + fmt.extension: fmt.name for fmt in RDF_FORMATS}


def _graph() -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("sh", SH)
    return graph


def service_description(meta: Metadata, endpoint: str, update: bool) -> Graph:
    graph = _graph()
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if update:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    # The prefixes a query or update may use without declaring them, as SHACL declares them.
    graph.add((service, DCTERMS.description, Literal(
        "Queries and updates may use the prefixes given by sh:declare without PREFIX lines; a "
        "PREFIX line of their own takes precedence.", lang="en")))
    for prefix, namespace in PREFIXES.items():
        declaration = BNode(f"prefix-{prefix}")
        graph.add((service, SH.declare, declaration))
        graph.add((declaration, SH.prefix, Literal(prefix)))
        graph.add((declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))
    for fmt in RESULT_FORMATS + RDF_FORMATS:
        if fmt.format_iri:  # https://www.w3.org/ns/formats/
            graph.add((service, SD.resultFormat, URIRef(fmt.format_iri)))
    dataset = BNode("dataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, DCTERMS.source, DATASET_IRI))
    default = BNode("default")
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, Literal(meta.triples, datatype=XSD.integer)))
    for i, (name, count) in enumerate(meta.graphs.items()):
        named, inner = BNode(f"named{i}"), BNode(f"graph{i}")
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, SD.name, URIRef(name)))
        graph.add((named, SD.graph, inner))
        graph.add((inner, RDF.type, SD.Graph))
        graph.add((inner, VOID.triples, Literal(count, datatype=XSD.integer)))
    return graph


def void_description(meta: Metadata, root: str, titles: dict[str, str], version: str) -> Graph:
    """`root` is the server's URL, ending in a slash; `titles` the dataset's, by language;
    `version` the served one (after writes, with their count)."""
    graph = _graph()
    ds = DATASET_IRI
    graph.add((ds, RDF.type, VOID.Dataset))
    for lang, title in titles.items():
        graph.add((ds, DCTERMS.title, Literal(title, lang=lang)))
    graph.add((ds, DCTERMS.identifier, Literal(version)))
    graph.add((ds, DCTERMS.hasVersion, Literal(version)))
    if meta.license:
        graph.add((ds, DCTERMS.license, URIRef(meta.license)))
    graph.add((ds, VOID.sparqlEndpoint, URIRef(root + "sparql")))
    graph.add((ds, VOID.uriSpace, Literal(BASE + "resource/")))
    for filename in dump_filenames():
        graph.add((ds, VOID.dataDump, URIRef(root + "download/" + filename)))
    graph.add((ds, VOID.triples, Literal(meta.triples, datatype=XSD.integer)))
    for vocabulary in meta.vocabularies:
        graph.add((ds, VOID.vocabulary, URIRef(vocabulary)))
    for name, count in meta.graphs.items():
        subset = URIRef(name)
        graph.add((ds, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, VOID.triples, Literal(count, datatype=XSD.integer)))
        graph.add((subset, VOID.sparqlEndpoint, URIRef(root + "sparql")))
    return graph
