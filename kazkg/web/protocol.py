"""Read a SPARQL 1.1 Protocol request into an Operation, or refuse it with the right status.

https://www.w3.org/TR/sparql11-protocol/#query-operation and #update-operation:
GET ?query=, POST application/x-www-form-urlencoded, POST application/sparql-query (and the
same for update=, application/sparql-update). The body must be UTF-8; `query` and `update`
may appear once; default-graph-uri / named-graph-uri may repeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from flask import Request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType

from .urlquery import utf8_pairs

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"


@dataclass(frozen=True)
class Operation:
    kind: str                 # "query", "update" or "none" (a GET with no query)
    text: str = ""
    default_graphs: tuple = ()
    named_graphs: tuple = ()
    format: tuple[str, ...] = ()  # every `format=` value (kazkg.formats.negotiation reads them)


def _pairs(data: bytes, what: str) -> list[tuple[str, str]]:
    """Decode `a=1&b=2` strictly: every name and value must be UTF-8 once percent-decoded."""
    try:
        return utf8_pairs(data)
    except UnicodeDecodeError:
        raise BadRequest(f"the {what} is not valid UTF-8 once percent-decoded") from None


def _body(request: Request, limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(f"the request body is larger than this server's limit of "
                                    f"{limit} bytes")
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise RequestEntityTooLarge(f"the request body is larger than this server's limit of "
                                    f"{limit} bytes")
    return data


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"the {what} is not valid UTF-8 (byte {error.start}); SPARQL "
                         "requests must be encoded in UTF-8") from None


def _check_charset(request: Request) -> None:
    charset = request.mimetype_params.get("charset")
    if charset and charset.strip().lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise BadRequest(f"charset={charset} is not supported: SPARQL requests must be UTF-8")


def _one(pairs, name: str) -> str | None:
    values = [v for k, v in pairs if k == name]
    if len(values) > 1:
        raise BadRequest(f"the parameter {name!r} appears {len(values)} times; give it once")
    return values[0] if values else None


def read(request: Request, body_limit: int) -> Operation:
    """The operation a request asks for; BadRequest (400), UnsupportedMediaType (415) or
    RequestEntityTooLarge (413) when it is malformed."""
    url = _pairs(request.query_string, "URL's query string")
    if request.method in ("GET", "HEAD"):
        if _one(url, "update") is not None:
            raise BadRequest("an update must be sent with POST, never with GET")
        return _operation(url, _one(url, "query"), "query")
    mimetype = request.mimetype
    if mimetype == FORM:
        _check_charset(request)
        form = _pairs(_body(request, body_limit), "form body")
        for name in ("query", "update"):
            if _one(url, name) is not None:
                raise BadRequest(f"{name!r} belongs in the request body, not in the URL")
        query, update = _one(form, "query"), _one(form, "update")
        if query is not None and update is not None:
            raise BadRequest("a request carries either a query or an update, not both")
        if update is not None:
            return _operation(url + form, update, "update")
        if query is None:
            raise BadRequest("the form has no 'query' (nor 'update') field")
        return _operation(url + form, query, "query")
    if mimetype in (QUERY, UPDATE):
        _check_charset(request)
        text = _utf8(_body(request, body_limit), "request body")
        for name in ("query", "update"):
            if _one(url, name) is not None:
                raise BadRequest(f"with {mimetype}, the {name} is the body; "
                                 f"do not repeat it in the URL")
        return _operation(url, text, "query" if mimetype == QUERY else "update")
    shown = mimetype or "no Content-Type"
    raise UnsupportedMediaType(f"a SPARQL POST must be {FORM}, {QUERY} or {UPDATE}, not {shown}")


def _operation(pairs, text: str | None, kind: str) -> Operation:
    defaults = tuple(v for k, v in pairs if k in ("default-graph-uri", "using-graph-uri"))
    named = tuple(v for k, v in pairs if k in ("named-graph-uri", "using-named-graph-uri"))
    # `output=` is Fuseki's and Joseki's name for `format=` (SPARQLWrapper sends both).
    fmt = tuple(v for k, v in pairs if k in ("format", "output"))
    if text is None:
        return Operation("none", "", defaults, named, fmt)
    if "\x00" in text:
        raise BadRequest("the query contains a NUL character")
    return Operation(kind, text, defaults, named, fmt)
