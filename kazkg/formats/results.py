"""Query results in the formats of `kazkg query --format`."""

from __future__ import annotations

import json
from html import escape

from rdflib import Graph, Literal, URIRef

from ..errors import QueryError
from . import xmlsafe
from .export import serialize_graph
from .table import RDF_FORMATS, RESULT_FORMATS, named
from ..namespaces import bind_prefixes

TABULAR = ("table", *(f.name for f in RESULT_FORMATS))  # "table": for people, on a terminal
GRAPH = tuple(f.name for f in RDF_FORMATS)
ALL = tuple(dict.fromkeys(TABULAR + GRAPH))  # "xml" is both: the query's form decides


def default_format(result, on_terminal: bool) -> str:
    if result.type in ("SELECT", "ASK"):
        return "table" if on_terminal else "tsv"
    return "turtle"


def render(result, fmt: str) -> str:
    """The result as text in `fmt`; raise QueryError when the format does not suit the form."""
    if result.type in ("SELECT", "ASK"):
        if fmt not in TABULAR:
            raise QueryError(f"--format {fmt} does not suit a {result.type} query; "
                             f"choose one of {', '.join(TABULAR)}")
        if fmt == "table":
            return table(result)
        if result.type == "ASK" and fmt in ("csv", "tsv"):
            return ask_table(result.askAnswer, fmt)
        if fmt == "tsv":
            return tsv(result)
        if fmt == "json":
            return sparql_json(result) + "\n"
        if fmt == "xml" and result.type == "SELECT":  # NotXml (406), not a malformed document
            xmlsafe.check_text((v for row in result.bindings for v in row.values()),
                               "SPARQL XML results", "JSON, CSV or TSV")
        text = result.serialize(format=named(fmt, RESULT_FORMATS).rdflib).decode("utf-8")
        return text if text.endswith("\n") else text + "\n"
    if fmt not in GRAPH:
        raise QueryError(f"--format {fmt} does not suit a {result.type} query; "
                         f"choose one of {', '.join(GRAPH)}")
    return serialize_graph(result.graph, fmt).decode("utf-8")


def sparql_json(result) -> str:
    """SPARQL 1.1 Query Results JSON with "head" first, as kazkg.query.oxengine writes it:
    rdflib's writer puts "results" first, which streaming parsers that need the variables
    before the rows cannot read."""
    if result.type == "ASK":
        return json.dumps({"head": {}, "boolean": bool(result.askAnswer)})
    names = [str(v) for v in result.vars]
    rows = [{str(name): json_term(term) for name, term in row.items() if term is not None}
            for row in result.bindings]
    return json.dumps({"head": {"vars": names}, "results": {"bindings": rows}}, ensure_ascii=False)


def ask_table(answer: bool, fmt: str) -> str:
    """An ASK answer in CSV or TSV, which define none: as Jena writes it, one column named
    _askResult and one row, so that table readers (rdflib's among them) read it back."""
    value = "true" if answer else "false"
    return f"_askResult\r\n{value}\r\n" if fmt == "csv" else f"?_askResult\n{value}\n"


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def tsv_term(term) -> str:
    """A term in the SPARQL 1.1 TSV results encoding (Turtle syntax, one line)."""
    if term is None:
        return ""
    if isinstance(term, Literal):
        text = '"' + str(term).translate(_TSV_ESCAPES) + '"'
        if term.language:
            return f"{text}@{term.language}"
        return f"{text}^^<{term.datatype}>" if term.datatype else text
    return term.n3()


def tsv(result) -> str:
    """SELECT results as SPARQL 1.1 TSV (rdflib has no TSV serializer)."""
    lines = ["\t".join(f"?{v}" for v in result.vars)]
    lines += ["\t".join(tsv_term(row[v]) for v in result.vars) for row in result]
    return "\n".join(lines) + "\n"


def cell(term, namespaces) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return term.n3(namespaces)
    if isinstance(term, Literal):
        text = str(term)
        return f"{text} @{term.language}" if term.language else text
    return term.n3()


def table(result) -> str:
    """A plain text table with prefixed names, and a row count."""
    if result.type == "ASK":
        return ("yes" if result.askAnswer else "no") + "\n"
    prefixed = Graph()
    bind_prefixes(prefixed)
    namespaces = prefixed.namespace_manager
    header = [str(v) for v in result.vars]
    rows = [[cell(row[v], namespaces) for v in result.vars] for row in result]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    def line(values):
        return "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()
    out = [line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def json_term(term) -> dict:
    """rdflib's own spelling of a term in SPARQL JSON (its writer's); imported here, as rdflib's
    SPARQL package takes a tenth of a second to import, which `--format tsv` need not wait for."""
    from rdflib.plugins.sparql.results.jsonresults import termToJSON

    return termToJSON(None, term)


def with_link(body: bytes, fmt: str, href: str) -> bytes:
    """A SELECT's results in JSON or XML with `href` as a link in their head (SPARQL 1.1
    Query Results JSON 3.1, XML 2.2: an IRI for metadata about the results), so that a
    client reading only the body can learn the answer was cut; other formats have no place
    for it."""
    if fmt == "json" and body.startswith(b'{"head": {'):
        rest = body[10:]
        link = b'{"head": {"link": ' + json.dumps([href]).encode("utf-8")
        return link + (rest if rest.startswith(b"}") else b", " + rest)
    if fmt == "xml":
        link = f'<link href="{escape(href, quote=True)}"/>'.encode("utf-8")
        if b"</head>" in body:
            return body.replace(b"</head>", link + b"</head>", 1)
        return body.replace(b"<head/>", b"<head>" + link + b"</head>", 1)
    return body

