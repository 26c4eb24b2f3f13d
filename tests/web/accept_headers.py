"""The Accept headers real clients send, as they send them.

Captured from the clients themselves against a loopback listener (Comunica 5.4 and its link
traversal 0.5 on Node 22, SPARQLWrapper 2.0, rdflib 7.6, curl 7.88, Chromium 156), or read
from their source (Jena's org.apache.jena.riot.WebContent, Firefox's DocumentAcceptHeader in
nsHttpHandler.cpp).
"""

COMUNICA_DOCUMENT = (  # a document source, and every page link traversal dereferences
    "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,"
    "application/n-triples;q=0.8,text/turtle;q=0.6,application/rdf+xml;q=0.5,text/n3;q=0.35,"
    "application/xml;q=0.3,image/svg+xml;q=0.3,text/xml;q=0.3,text/html;q=0.2,"
    "application/xhtml+xml;q=0.18,application/json;q=0.135,text/shaclc;q=0.1,"
    "text/shaclc-ext;q=0.05")
COMUNICA_RESULTS = "application/sparql-results+json;q=1.0,application/sparql-results+xml;q=0.7"
COMUNICA_GRAPH = "text/turtle"  # its SPARQL endpoint mode, for CONSTRUCT and DESCRIBE

SPARQLWRAPPER = {  # by setReturnFormat
    "json": "application/sparql-results+json,application/json,text/javascript,application/javascript",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "application/turtle,text/turtle",
    "n3": "application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json,application/x-json+ld",
    "rdf": "*/*",
}

RDFLIB_STORE = "application/rdf+xml, application/sparql-results+xml"  # SPARQLStore's default
RDFLIB_PARSE = ("application/rdf+xml, text/n3, text/turtle, application/n-triples, "
                "application/ld+json, application/n-quads, application/trix, application/trig")
RDFLIB_PARSE_TURTLE = "text/turtle, application/x-turtle, */*;q=0.1"  # Graph.parse(format="turtle")

JENA_SELECT = ("application/sparql-results+json, application/sparql-results+xml;q=0.9, "
               "text/tab-separated-values;q=0.7, text/csv;q=0.5,application/json;q=0.2,"
               "application/xml;q=0.2,*/*;q=0.1")
JENA_ASK = ("application/sparql-results+json, application/sparql-results+xml;q=0.9,"
            "application/json;q=0.2,application/xml;q=0.2,*/*;q=0.1")
JENA_GRAPH = ("text/turtle,application/n-triples;q=0.9,application/ld+json;q=0.8,"
              "application/rdf+xml;q=0.7,*/*;q=0.3")
JENA_DATASET = "application/trig,application/n-quads;q=0.9,application/ld+json;q=0.8,*/*;q=0.3"

CURL = "*/*"
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROMIUM = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/jxl,image/avif,"
            "image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
