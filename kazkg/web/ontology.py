"""The ontology's documentation page, in the spirit of pyLODE: /ontology for browsers, the
ontology graph itself (Turtle, JSON-LD, N-Triples, RDF/XML) for clients and at /ontology.ttl
etc. Every term https://w3id.org/kazkg/ontology#Term has its section at /ontology#Term."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, Response, render_template, request
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ..namespaces import KAZKG, ONTOLOGY_GRAPH, ONTOLOGY_IRI, compact
from ..formats.negotiation import PAGE, PAGE_FORMATS, NotAcceptable, best_match
from .answers import not_modified, respond, service
from .errors import error_response
from . import vocabulary
from .lookup import cached, names, select
from .i18n import lazy_gettext as _l
from .resource import LANGS, SUFFIXES, alternates, link_header, local

bp = Blueprint("ontology", __name__)

KINDS = (  # (rdf:type, heading) in the order of the page
    (OWL.Class, _l("Classes")), (OWL.ObjectProperty, _l("Object properties")),
    (OWL.DatatypeProperty, _l("Datatype properties")), (OWL.AnnotationProperty, _l("Annotation properties")),
)
RELATIONS = (
    (RDFS.subClassOf, _l("Subclass of")), (OWL.equivalentClass, _l("Equivalent to")),
    (OWL.disjointWith, _l("Disjoint with")), (RDFS.subPropertyOf, _l("Subproperty of")),
    (OWL.equivalentProperty, _l("Equivalent property")), (OWL.inverseOf, _l("Inverse of")),
    (RDFS.domain, _l("Domain")), (RDFS.range, _l("Range")), (OWL.propertyChainAxiom, _l("Property chain")),
    (RDFS.seeAlso, _l("See also")),
)
HEADER = (  # the ontology's own metadata shown at the top
    (OWL.versionInfo, _l("version")), (OWL.versionIRI, _l("version IRI")),
    (URIRef("http://purl.org/dc/terms/license"), _l("license")),
    (URIRef("http://purl.org/dc/terms/created"), _l("created")),
    (URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix"), _l("prefix")),
    (URIRef("http://purl.org/vocab/vann/preferredNamespaceUri"), _l("namespace")),
)


def terms() -> dict:
    """{term IRI: {predicate IRI: [objects]}} for the ontology and its terms, from its graph."""
    def compute():
        rows = select(f"""
SELECT ?s ?p ?o WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o
  FILTER (STRSTARTS(STR(?s), STR(kazkg:)) || ?s = <{ONTOLOGY_IRI}>) }} }}""")
        found: dict = defaultdict(lambda: defaultdict(list))
        for row in rows:
            found[str(row["s"])][str(row["p"])].append(row["o"])
        return {k: dict(v) for k, v in found.items()}
    return cached("ontology-terms", compute)


def by_lang(values) -> dict:
    out = {}
    for value in values or []:
        if isinstance(value, Literal):
            out.setdefault(value.language or "", str(value))
    return out


@bp.route("/ontology")
@bp.route(f"/ontology<any({', '.join(repr(s) for s in SUFFIXES)}):suffix>")
def ontology(suffix: str | None = None):
    try:
        fmt = best_match(request.headers.get("Accept"), PAGE_FORMATS,
                         SUFFIXES[suffix].name if suffix else tuple(request.args.getlist("format")),
                         page=suffix is None)
    except NotAcceptable as error:
        return error_response(406, str(error))
    if fmt is PAGE:
        return page()
    if not service().own_data:
        return error_response(404, "this data has no kazkg ontology: /ontology lists the classes and "
                                   "properties it declares or uses, and /sparql can CONSTRUCT their descriptions")
    etag = service().etag(("ontology", fmt.name))
    cached_answer = not_modified(etag)
    if cached_answer is not None:
        return cached_answer
    answer = service().run({"kind": "graph", "graph": str(ONTOLOGY_GRAPH), "format": fmt.name,
                            "accept": fmt.media_type}, cache_key=("ontology", fmt.name))
    response = respond(answer, etag)
    response.headers["Link"] = link_header("/ontology")
    return response


def page() -> Response:
    if not service().own_data:
        return other_page()
    everything = terms()
    nm = names()
    header = everything.get(ONTOLOGY_IRI, {})
    sections = []
    for kind, heading in KINDS:
        members = [iri for iri, props in everything.items()
                   if URIRef(kind) in props.get(str(RDF.type), []) and iri.startswith(str(KAZKG))]
        members.sort(key=lambda iri: iri.rsplit("#", 1)[-1].lower())
        sections.append((heading, members))
    body = render_template(
        "ontology.html", header=header, sections=sections, terms=everything, names=nm,
        local=local, compact=compact, by_lang=by_lang, langs=LANGS, relations=RELATIONS, header_rows=HEADER,
        RDFS=RDFS, SKOS=SKOS, RDF=RDF, OWL=OWL, ontology_iri=ONTOLOGY_IRI,
        alternates=alternates("/ontology"), str=str, is_iri=lambda t: isinstance(t, URIRef))
    response = Response(body, mimetype="text/html")
    response.headers["Link"] = link_header("/ontology")
    return response


def other_page() -> Response:
    """Someone else's data: the classes and properties it declares or uses."""
    found = vocabulary.terms()
    sections = [("class", _l("Classes"), found["class"], _l("Members")),
                ("property", _l("Properties"), found["property"], _l("Uses"))]
    relation_names = {str(p): name for p, name in RELATIONS}
    body = render_template("ontology_data.html", sections=sections, names=names(), comment=vocabulary.comment,
                           anchors=vocabulary.anchors(), relation_names=relation_names)
    return Response(body, mimetype="text/html")
