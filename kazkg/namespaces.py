"""The namespaces of kazkg and the one prefix map that every output uses."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, TIME, VANN, XSD

BASE = "https://w3id.org/kazkg/"
KAZKG = Namespace(BASE + "ontology#")
KZR = Namespace(BASE + "resource/")
KZG = Namespace(BASE + "graph/")

SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
GEOSPARQL = Namespace("http://www.opengis.net/ont/geosparql#")
WD = Namespace("http://www.wikidata.org/entity/")
SH = Namespace("http://www.w3.org/ns/shacl#")
OA = Namespace("http://www.w3.org/ns/oa#")

ONTOLOGY_IRI = BASE + "ontology"

# The named graphs that the pipeline itself creates; the others come one per file of graph/.
ONTOLOGY_GRAPH = KZG["ontology"]
INFERRED_GRAPH = KZG["inferred"]

PREFIXES: dict[str, str] = {
    "kazkg": str(KAZKG),
    "kzr": str(KZR),
    "kzg": str(KZG),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "prov": str(PROV),
    "time": str(TIME),
    "skos": str(SKOS),
    "geo": str(GEO),
    "geosparql": str(GEOSPARQL),
    "dcterms": str(DCTERMS),
    "vann": str(VANN),
    "wd": str(WD),
    "oa": str(OA),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}

# Vocabularies whose own terms are never the subject of an inferred triple worth keeping.
META_VOCABULARIES = (str(RDF), str(RDFS), str(OWL), str(XSD))


def sparql_prologue() -> str:
    """PREFIX lines for every project prefix, for queries that want them all."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def bind_prefixes(graph) -> None:
    """Bind the project's prefixes on a graph, replacing rdflib's defaults."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)


def compact(iri) -> str:
    """`https://w3id.org/kazkg/graph/text/<document>/p2-s7` -> `kzg:text/<document>/p2-s7`, for
    display only."""
    text = str(iri)
    for prefix, ns in _LONGEST_FIRST:
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns):]}"
    return text


# compact()'s order, sorted once: `kazkg build` compacts each graph's name (15,600 at 100x)
_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda pn: -len(pn[1]))
