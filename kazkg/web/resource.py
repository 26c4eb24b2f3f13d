"""Resource pages: /resource/<slug> (and /graph/<name>) by content negotiation.

One lookup (kazkg.web.lookup.resource_rows, a SELECT on the worker pool) gives every
statement about the IRI, inbound ones included, each with its named graph and that graph's
source. From those same rows come both answers, so they say the same things:
- the RDF answer (Turtle, JSON-LD, N-Triples, RDF/XML): the statements, plus for each graph
  that holds one of them `graph prov:wasDerivedFrom source` and the source sentence's
  `schema:text` and `kazkg:workingTranslation`;
- the HTML page: the same statements, grouped by property, inferred ones marked, each with
  the quoted source.

The IRI https://w3id.org/kazkg/resource/X answers directly (200, `Vary: Accept`,
`Content-Location` naming the format's own URL), not with a 303 to a document: the w3id
redirect already makes the IRI a document address on this server, and a direct answer saves
a round trip. The suffix URLs (/resource/X.ttl, .jsonld, .nt, .rdf) always give one format.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Blueprint, Response, current_app, redirect, render_template, request
from markupsafe import Markup
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD
from werkzeug.exceptions import BadRequest, NotFound

from ..formats.export import serialize_graph, serialize_graphs
from ..namespaces import (BASE, GEO, INFERRED_GRAPH, KAZKG, ONTOLOGY_GRAPH, SCHEMA, bind_prefixes,
                          compact)
from ..formats.negotiation import PAGE, PAGE_FORMATS, NotAcceptable, best_match
from .answers import content_type, not_modified, service
from .describe import SD, VOID
from .errors import error_response
from .lookup import is_iri, names, resource_rows
from .pageparams import QUADS, own_value
from .readable import readable
from . import anydata, atlas
from .i18n import LANGS, page_lang  # noqa: F401  (LANGS: used by the ontology page too)

bp = Blueprint("resource", __name__)

SUFFIXES = {f.extension: f for f in PAGE_FORMATS}  # /resource/x.ttl and so on
# N-Quads and TriG too (kazkg.web.pageparams.QUADS): /resource/x.nq
RESOURCE_SUFFIXES = {**SUFFIXES, **{f.extension: f for f in QUADS}}
# Views that may show a kind of resource their own way (the reading edition shows sentences):
# each takes (iri, path, alternates) and returns a page, or None for a resource not its kind.
PAGE_VIEWS: list = []


def local(iri) -> str:
    """Where this server shows an IRI of the project; other IRIs stay as they are."""
    text = str(iri)
    if text.startswith(_OWN):
        return "/" + text[len(BASE):]
    return text


_OWN = tuple(BASE + space for space in ("resource/", "graph/", "ontology", "shapes", "dataset"))


def own_page(iri) -> str | None:
    """This server's path for a project IRI (a safe redirect target), else None."""
    target = local(iri)
    return target if target.startswith("/") and not target.startswith("//") else None


@bp.app_template_global("href")
def href(iri) -> Markup:
    """The href attribute for an IRI from the data: this server's page for a project IRI, the
    IRI itself for http and https; nothing for every other scheme (javascript:, data:, and
    urn: and mailto:, shown as text), so that data can never make a link run script."""
    target = own_page(iri)
    if target is None and _WEB.match(str(iri)):
        target = opened_here(str(iri)) or str(iri)
    return Markup('href="%s"') % target if target else Markup("")


@bp.app_template_global("marked")
def marked(sentence, mentioned) -> Markup:
    """The href of a sentence's page with the words naming `mentioned` highlighted (only
    ever a page of this site)."""
    target = own_page(sentence)
    return Markup('href="%s?mark=%s"') % (target, quote(str(mentioned), safe="")) if target else Markup("")


def opened_here(iri: str) -> str | None:
    """This server's page for an IRI of someone else's data that the data names (labels or
    types it), so that browsing stays here; the bundled data's pages link out as before."""
    if service().own_data or not (names().has(iri) or iri in service().meta.graphs):
        return None
    return "/resource?iri=" + quote(iri, safe="")


_WEB = re.compile(r"https?://", re.IGNORECASE)


def build_graph(iri: URIRef, rows: list[dict]) -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    for row in rows:
        graph.add((row["s"], row["p"], row["o"]))
        add_sources(graph, row)
    return graph


def build_graphs(rows: list[dict]) -> dict:
    """The statements of `rows` by the named graph that holds each, and in the default graph
    (None) all of them with the graphs' sources: the description the triple formats give, as
    the endpoint's default graph is the union. A client reading the document's default graph
    (Comunica's link traversal) found only the sources, and no answer."""
    graphs: dict = {None: build_graph(None, rows)}
    for row in rows:
        if not row.get("served"):
            graphs.setdefault(row["g"], Graph()).add((row["s"], row["p"], row["o"]))
    return {name: graph for name, graph in graphs.items() if len(graph)}


def add_sources(graph: Graph, row: dict) -> None:
    src = row.get("src")
    if src is not None:
        graph.add((row["g"], PROV.wasDerivedFrom, src))
        if row.get("kk") is not None:
            graph.add((src, SCHEMA.text, row["kk"]))
        if row.get("en") is not None:
            graph.add((src, KAZKG.workingTranslation, row["en"]))


def alternates(path: str) -> list[tuple[str, str]]:
    """(url, media type) of every RDF twin of a page."""
    if "?" in path:  # /resource?iri=...
        return [(f"{path}&format={f.name}", f.media_type) for f in PAGE_FORMATS]
    return [(path + f.extension, f.media_type) for f in PAGE_FORMATS]


def link_header(path: str) -> str:
    links = [f'<{path}>; rel="alternate"; type="text/html"']
    links += [f'<{url}>; rel="alternate"; type="{media}"' for url, media in alternates(path)]
    return ", ".join(links)


@bp.route("/resource/<path:slug>")
def resource(slug: str):
    return show("resource/", slug)


@bp.route("/graph/<path:name>")
def graph_page(name: str):
    return show("graph/", name)


@bp.route("/resource")
def any_resource():
    """Any IRI the dataset speaks of: /resource?iri=... (percent-encoded); the project's own
    IRIs redirect to their pages."""
    iri = request.args.get("iri", "").strip()
    if not iri:
        raise BadRequest("give the IRI to show, percent-encoded: /resource?iri=http%3A%2F%2F...")
    if not is_iri(iri):
        raise BadRequest(f"not one absolute IRI: {iri[:200]!r} (IRIs have a scheme, such as "
                         "http:, and no spaces, quotes or <>{}|^`\\ characters)")
    target = own_page(iri)
    if target is not None:
        return redirect(quote(target, safe="/#%:@!$&'()*+,;=?~"), 303)
    space = "graph/" if iri in service().meta.graphs else ""  # a named graph: its size too
    return answer(URIRef(iri), "resource?iri=" + quote(iri, safe=""), None, space)


def show(space: str, name: str):
    fmt_name = None
    for suffix, candidate in RESOURCE_SUFFIXES.items():
        if name.endswith(suffix):
            name, fmt_name = name[: -len(suffix)], candidate.name
            break
    return answer(URIRef(BASE + space + name), quote(space + name), fmt_name, space)


def answer(iri: URIRef, path: str, fmt_name: str | None, space: str):
    """The page or the RDF of `iri`; `path` is its address here, without the leading slash
    (headers carry Latin-1 only: a Cyrillic slug is percent-encoded)."""
    path = "/" + path
    try:
        fmt = best_match(request.headers.get("Accept"), PAGE_FORMATS + QUADS,
                         fmt_name or tuple(request.args.getlist("format")), page=fmt_name is None)
    except NotAcceptable as error:
        fmt, refused = None, error
    if fmt is not None:
        html = fmt is PAGE
        etag = service().etag(("resource", str(iri),
                              (page_lang(), own_value("mark")) if html else fmt.name))
        cached = not_modified(etag)
        if cached is not None:
            return cached
    rows = resource_rows(str(iri)) + (graph_rows(iri) if space == "graph/" else [])
    if not rows:  # existence first: an absent resource is 404 whatever the Accept header
        raise NotFound(f"this dataset says nothing about <{iri}>")
    if fmt is None:
        return error_response(406, str(refused), headers={"Link": link_header(path)})
    cached = not_modified(etag, exists=True)  # If-None-Match: * only now that it exists
    if cached is not None:
        return cached
    if html:
        body = next(filter(None, (view(str(iri), path, alternates(path)) for view in PAGE_VIEWS)),
                    None) or render_template("resource.html", **page(iri, rows), path=path,
                                             alternates=alternates(path))
        response = Response(body, mimetype="text/html")
    else:
        body = (serialize_graphs(build_graphs(rows), fmt.name) if fmt in QUADS
                else serialize_graph(build_graph(iri, rows), fmt.name))
        response = Response(body, content_type=content_type(fmt.media_type))
        if fmt_name is None and "?" not in path:
            response.headers["Content-Location"] = path + fmt.extension
    response.headers["Link"] = link_header(path)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response


# The two graphs the build makes rather than a file of graph/ describes, labelled in the
# three languages every resource has.
BUILT_GRAPHS = {
    ONTOLOGY_GRAPH: {"kk": "Онтология: оның кластары мен қасиеттері (ontology/kazkg.ttl)",
                     "ru": "Онтология: её классы и свойства (ontology/kazkg.ttl)",
                     "en": "The ontology: its classes and properties (ontology/kazkg.ttl)"},
    INFERRED_GRAPH: {"kk": "Басқа барлық графтардан OWL 2 RL қорытындысымен шығарылған тұжырымдар",
                     "ru": "Утверждения, выведенные рассуждением OWL 2 RL из всех остальных графов",
                     "en": "Statements inferred by OWL 2 RL from all the other graphs"},
}


def graph_rows(iri: URIRef) -> list[dict]:
    """What the served dataset says of one of its named graphs besides the graph's own file:
    its size (as VoID has it), where its statements can be downloaded (the Graph Store: the
    graph IRI itself answers with this description) and, for a built graph, a label; [] for
    other IRIs."""
    count = service().meta.graphs.get(str(iri))
    if count is None:
        return []
    dump = URIRef(current_app.config["PUBLIC_URL"] + "store?graph=" + quote(str(iri), safe=""))
    facts = [(RDF.type, SD.Graph), (VOID.triples, Literal(count, datatype=XSD.integer)),
             (VOID.dataDump, dump)]
    if iri in BUILT_GRAPHS:
        facts += [(RDFS.label, Literal(text, lang=lang))
                  for lang, text in BUILT_GRAPHS[iri].items()]
    return [{"dir": "out", "s": iri, "p": p, "o": o, "g": iri, "served": True} for p, o in facts]


def page(iri: URIRef, rows: list[dict]) -> dict:
    """What resource.html shows, from the same rows as the RDF answer (kazkg.web.readable)."""
    nm = names()
    shown = readable(str(iri), rows, page_lang())
    coords, frame, land = None, atlas.Frame(), None
    found = shown["summary"]["coords"]
    if found:
        try:
            lat, lon = float(found[0]), float(found[1])
            if not service().own_data:  # someone else's data: a map around the place, wherever it is
                frame = anydata.frame_around([(lat - 2, lon - 3), (lat + 2, lon + 3)])
                land = atlas.land_path(frame)
            coords = {"lat": found[0], "lon": found[1], "xy": frame.xy(lon, lat)}
            if not (0 <= coords["xy"][0] <= frame.width and 0 <= coords["xy"][1] <= frame.height):
                coords = None  # a place off the map of Kazakhstan gets no map
        except ValueError:
            coords = None
    return dict(iri=str(iri), **shown, coords=coords, frame=frame,
                outline=land or atlas.outline_path(), attribution=atlas.ATTRIBUTION, names=nm, local=local,
                compact=compact, langs=LANGS)
