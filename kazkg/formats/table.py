"""Every format kazkg reads or writes, in one table. Negotiation, export, the result writers,
the service description, the resource and ontology pages, Graph Store bodies and the parser
all read it; a new format is one row here (and, if rdflib's writer is not deterministic, a
writer in export.py).

Within each kind the order is the server's preference when a client does not care.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

SOLUTIONS = ("SELECT", "ASK")  # the query forms answered with a results format
GRAPHS = ("CONSTRUCT", "DESCRIBE")  # the forms answered with an RDF format (and dumps, GETs)
W3C_FORMATS = "http://www.w3.org/ns/formats/"
# RDF 1.2's `version` media-type parameter (RDF 1.2 Concepts, "version labels"). kazkg writes
# no triple terms nor base directions, so its N-Triples, N-Quads, Turtle and TriG are valid as
# RDF 1.1, as RDF 1.2 and as RDF 1.2 Basic: a client announcing any of them gets them.
VERSIONS = (("version", "1.1 1.2 1.2-basic"),)


@dataclass(frozen=True)
class Format:
    name: str                      # short name: format=, --format, export, dumps
    media_type: str                # the type kazkg answers with
    spec: str                      # where the format is defined
    forms: tuple[str, ...]         # the query forms it answers (empty: read only)
    aliases: tuple[str, ...] = ()  # other media types a client may ask for it by
    extensions: tuple[str, ...] = ()  # file names it is read from; the first is the one written
    rdflib: str | None = None      # rdflib's serializer name (None: kazkg writes it itself)
    oxigraph: ox.RdfFormat | None = None  # pyoxigraph's name, for parsing
    named_graphs: bool = False     # keeps named graphs (else a dataset becomes its union)
    iri: str | None = None         # its name in http://www.w3.org/ns/formats/
    page: bool = False             # offered as an alternate of a resource or ontology page
    params: tuple[tuple[str, str], ...] = ()  # what the answer is, for negotiation (a profile)
    names: tuple[str, ...] = ()    # other `format=` values for it

    @property
    def extension(self) -> str | None:
        return self.extensions[0] if self.extensions else None

    @property
    def format_iri(self) -> str | None:
        return W3C_FORMATS + self.iri if self.iri else None


FORMATS = (
    # SELECT and ASK answers. JSON first: the default when the client does not say.
    Format("json", "application/sparql-results+json", "https://www.w3.org/TR/sparql11-results-json/",
           SOLUTIONS, ("application/json",), (), "json", iri="SPARQL_Results_JSON"),
    Format("xml", "application/sparql-results+xml", "https://www.w3.org/TR/rdf-sparql-XMLres/",
           SOLUTIONS, ("application/xml", "text/xml"), (), "xml", iri="SPARQL_Results_XML"),
    Format("csv", "text/csv", "https://www.w3.org/TR/sparql11-results-csv-tsv/",
           SOLUTIONS, (), (), "csv", iri="SPARQL_Results_CSV"),
    Format("tsv", "text/tab-separated-values", "https://www.w3.org/TR/sparql11-results-csv-tsv/",
           SOLUTIONS, (), (), None, iri="SPARQL_Results_TSV"),
    # CONSTRUCT and DESCRIBE answers, Graph Store GETs and dumps. Turtle first (never N-Quads by
    # default: a client that says nothing expects triples).
    Format("turtle", "text/turtle", "https://www.w3.org/TR/turtle/", GRAPHS,
           ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3"), (".ttl",),
           "turtle", ox.RdfFormat.TURTLE, iri="Turtle", page=True, params=VERSIONS),
    Format("nt", "application/n-triples", "https://www.w3.org/TR/n-triples/", GRAPHS,
           ("text/plain",), (".nt",), "nt", ox.RdfFormat.N_TRIPLES, iri="N-Triples", page=True,
           params=VERSIONS),
    Format("jsonld", "application/ld+json", "https://www.w3.org/TR/json-ld11/", GRAPHS,
           ("application/json", "application/x-json+ld"), (".jsonld", ".json"), "json-ld",
           ox.RdfFormat.JSON_LD, named_graphs=True, iri="JSON-LD", page=True,
           params=(("profile", "http://www.w3.org/ns/json-ld#compacted"),), names=("json",)),
    Format("xml", "application/rdf+xml", "https://www.w3.org/TR/rdf-syntax-grammar/", GRAPHS,
           ("application/xml", "text/xml"), (".rdf", ".owl", ".xml"), "xml", ox.RdfFormat.RDF_XML,
           iri="RDF_XML", page=True),
    # application/x-trig and text/x-nquads: the names before registration, still sent by Jena.
    Format("trig", "application/trig", "https://www.w3.org/TR/trig/", GRAPHS,
           ("application/x-trig",), (".trig",), "trig", ox.RdfFormat.TRIG, named_graphs=True,
           iri="TriG", params=VERSIONS),
    Format("nquads", "application/n-quads", "https://www.w3.org/TR/n-quads/", GRAPHS,
           ("text/x-nquads",), (".nq",), "nquads", ox.RdfFormat.N_QUADS, named_graphs=True,
           iri="N-Quads", params=VERSIONS),
    # Read only: input files may be N3 (its plain-RDF subset), kazkg never answers in it.
    Format("n3", "text/n3", "https://www.w3.org/TeamSubmission/n3/", (), (), (".n3",), "n3",
           ox.RdfFormat.N3, iri="N3"),
)

RESULT_FORMATS = tuple(f for f in FORMATS if f.forms == SOLUTIONS)
RDF_FORMATS = tuple(f for f in FORMATS if f.forms == GRAPHS)
PAGE_FORMATS = tuple(f for f in RDF_FORMATS if f.page)
# What a file may be parsed from, by extension (pyoxigraph parses every input file).
READABLE = {ext: f for f in FORMATS if f.oxigraph is not None for ext in f.extensions}


def named(name: str, formats: tuple[Format, ...] = RDF_FORMATS) -> Format:
    """The format called `name` among `formats`; ValueError naming the choices otherwise."""
    for fmt in formats:
        if fmt.name == name:
            return fmt
    raise ValueError(f"unknown format {name!r}; choose one of {', '.join(f.name for f in formats)}")
