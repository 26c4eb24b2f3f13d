"""The project's IRIs that are neither a resource, a graph nor an ontology term, made to
dereference as those do (content negotiation, the suffix URLs):
- https://w3id.org/kazkg/dataset (VoID's and DCAT's dataset; its #kazkg.ttl etc. are the
  distributions): the VoID description, as /.well-known/void;
- https://w3id.org/kazkg/ontology/1.0.0 (the ontology's owl:versionIRI): the ontology, as
  /ontology, while it is the version served;
- https://w3id.org/kazkg/shapes#EnterpriseSiteShape etc. (quoted by build errors as
  sh:sourceShape): the SHACL shapes the build validated against, their page (each shape
  an anchor) for browsers;
and /result-limit, the page a truncated SELECT's results link to in their head.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template
from markupsafe import Markup, escape
from rdflib import Graph, URIRef
from rdflib.namespace import OWL
from werkzeug.exceptions import NotFound

from ..namespaces import BASE, ONTOLOGY_IRI
from . import data, ontology
from .answers import rdf_response, service
from .resource import SUFFIXES, alternates, link_header

bp = Blueprint("minted", __name__)
SHAPES = BASE + "shapes#"
_SUFFIX = f"<any({', '.join(repr(s) for s in SUFFIXES)}):suffix>"


@bp.route("/dataset")
def dataset():
    return data.void()


@bp.route("/ontology/<version>")
@bp.route(f"/ontology/<version>{_SUFFIX}")
def ontology_version(version: str, suffix: str | None = None):
    iri = f"{ONTOLOGY_IRI}/{version}"
    if not service().own_data or URIRef(iri) not in ontology.terms().get(ONTOLOGY_IRI, {}).get(
            str(OWL.versionIRI), []):
        raise NotFound(f"{iri} is not the version of the ontology served here; /ontology is")
    return ontology.ontology(suffix)


@bp.route("/shapes")
@bp.route(f"/shapes{_SUFFIX}")
def shapes(suffix: str | None = None):
    path = service().inputs.shapes
    if not service().own_data or path is None:
        raise NotFound("this data was built without kazkg's SHACL shapes")
    stamp = path.stat().st_mtime_ns
    key = ("shapes", str(path), stamp)
    response = rdf_response(lambda: _graph(path, stamp), key,
                            page=None if suffix else lambda: _page(path),
                            fmt_name=SUFFIXES[suffix].name if suffix else None)
    response.headers["Link"] = link_header("/shapes")
    response.vary.add("Accept")
    return response


@functools.lru_cache(maxsize=4)
def _graph(path: Path, stamp: int) -> Graph:
    return Graph().parse(path, format="turtle")


_SHAPE = re.compile(r"^(kzsh:)([A-Za-z][\w-]*)", re.MULTILINE)


def _page(path: Path) -> Response:
    """The shapes file as it is, each shape's first line the anchor of its IRI's fragment."""
    text = str(escape(path.read_text(encoding="utf-8")))
    marked = Markup(_SHAPE.sub(r'<span id="\2">\1\2</span>', text))
    body = render_template("shapes.html", source=marked, alternates=alternates("/shapes"))
    return Response(body, mimetype="text/html")


@bp.route("/result-limit")
def result_limit():
    """What a results head's link says: the answer was cut at the server's result limit."""
    body = render_template("result_limit.html", limit=current_app.config["RESULT_LIMIT"])
    return Response(body, mimetype="text/html")
