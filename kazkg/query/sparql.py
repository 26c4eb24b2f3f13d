"""Prepare a query: the first step of every query path (kazkg query, kazkg.query, kazkg serve).

`prepare` returns a `Prepared` query and has passed it through the guard (kazkg.query.guard).
rdflib's parse (slow: pyparsing) is made only when something needs it: the guard for a text
that may reach out, rdflib's engine, or an error message: a query Oxigraph's parser refuses is
parsed here too, so that every syntax error reads the same, with rdflib's line and column.
Beyond the grammar, a few rules of the SPARQL spec that rdflib does not enforce are checked
here (kazkg.query.grouping), so that such a query gets a clear 400 instead of rdflib's guess.
"""

from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass

from typing import TYPE_CHECKING

from ..errors import QueryError
from ..namespaces import PREFIXES, sparql_prologue
from . import guard
from .syntax import field, furthest, memo, position, walk, without_comment_lines

PARSE_RECURSION = 20_000

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query, Update


@dataclass(frozen=True)
class Prepared:
    """A query that passed the guard: its text, its base IRI and how it may be run."""

    text: str
    base: str | None = None
    project_prefixes: bool = False  # kazkg:, kzr:, schema:, ... usable without PREFIX lines
    services: tuple[str, ...] = ()  # SERVICE endpoints it may call

    @property
    def may_reach_out(self) -> bool:
        return guard.may_reach_out(self.text)

    @functools.cached_property
    def lean(self) -> str:
        """The same query with its comment-only lines emptied (syntax.without_comment_lines):
        what the readings memoised by text read, never what is run or reported."""
        return without_comment_lines(self.text)

    @functools.cached_property
    def parsed(self) -> "Query":
        """rdflib's parse (cached); QueryError with the line and column of a syntax error."""
        return parse(self.text, self.project_prefixes, self.base)

    def in_order(self, names: list) -> list:
        """A SELECT's variables (names or rdflib Variables) as the engines should give them:
        for SELECT *, in their order of first appearance in the query (SPARQL 1.1 18.2.1, as
        Jena does; Oxigraph sorts them by name, rdflib by its sets' hashing, a different order
        in each process); else as they are, the projection's."""
        first = _star_order(self.lean)
        return names if first is None else sorted(names, key=lambda n: first.get(str(n), 1e9))

    @property
    def full_text(self) -> str:
        """The text with the project's PREFIX lines in front when they may be used: for
        engines that take text, not rdflib's prefix map."""
        return _with_prologue(self.text) if self.project_prefixes else self.text


@memo(maxsize=512)
def _star_order(text: str) -> dict | None:
    """{variable name: rank of its first appearance} of a SELECT * query, else None."""
    found, select = {}, None
    for token in guard.tokens(text):
        word = token.group().upper()
        if select is None:  # up to the first SELECT (the prologue) and its modifiers
            select = "" if word == "SELECT" else None
        elif select == "":
            if word == "*":
                select = "*"
            elif word not in ("DISTINCT", "REDUCED"):
                return None
        elif token.lastgroup == "skip" and word[:1] in ("?", "$"):
            found.setdefault(token.group()[1:], len(found))
    return found if select == "*" else None


@memo(maxsize=512)  # a pure function of the text
def _with_prologue(text: str) -> str:
    return _prologue() + text


@functools.cache
def _prologue() -> str:
    return sparql_prologue()


def _rdflib_sparql():
    """rdflib's SPARQL package, imported when first needed: building its grammar takes a
    third of a second, which a query that Oxigraph answers need not wait for."""
    import rdflib.plugins.sparql as rdflib_sparql

    from . import contained, xpath

    # pyparsing recurses about ten frames per triple pattern of a group: 100 patterns (a
    # flat list, not nesting) ran past Python's 1,000 frames, a 400 "nested too deeply"; the
    # guard's bounds (1,000 patterns, 100 levels) fit in 20,000, as kazkg.web.kept's pickles
    sys.setrecursionlimit(max(sys.getrecursionlimit(), PARSE_RECURSION))
    rdflib_sparql.SPARQL_LOAD_GRAPHS = False  # FROM <iri> names a graph, never fetches one
    contained.install()  # SPARQL's rules for errors in expressions (kazkg.query.contained)
    xpath.install()  # and XPath's for casts, rounding and AVG
    return rdflib_sparql


def prepare(text: str, base: str | None = None, project_prefixes: bool = False,
            services: tuple[str, ...] = ()) -> Prepared:
    """The query, guarded: QueryError if it may not run here (see kazkg.query.guard)."""
    guard.check_shape(text)  # before any parser: a huge query can kill one, or take minutes
    prepared = Prepared(text, base, project_prefixes, tuple(services))
    if prepared.may_reach_out:
        guard.check(prepared.parsed.algebra, prepared.services)
    return prepared


def _is_update(sparql, text: str) -> bool:
    from pyparsing import ParseException

    try:
        sparql.parser.parseUpdate(text)
    except (ParseException, ValueError):
        return False
    return True


def form(query: "Query") -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE."""
    return query.algebra.name.replace("Query", "").upper()


@memo(maxsize=512)  # a pure function of its arguments: the cache holds no state
def parse(text: str, project_prefixes: bool = False, base: str | None = None) -> "Query":
    from pyparsing import ParseException

    from . import grouping

    sparql = _rdflib_sparql()
    text = guard.comments_end_at_cr(text)  # as SPARQL reads them; positions stay
    try:
        tree = sparql.parser.parseQuery(text)
    except ParseException as error:
        if _is_update(sparql, text):
            raise QueryError("this is a SPARQL Update, not a query: send it as an update, to a "
                             "server started with --enable-update") from None
        line, column, message = furthest(sparql.parser.parseQuery, text) or (
            error.lineno, error.col, error.msg)
        raise QueryError(f"SPARQL syntax error: {message}", line, column, text) from None
    except ValueError as error:  # rdflib's parser refuses e.g. an invalid \u escape so
        raise QueryError(f"SPARQL syntax error: {error}") from None
    known = PREFIXES if project_prefixes else {}
    undeclared_prefix(tree, known, text)
    grouping.check(tree, text)
    grouping.name_keys(tree, text)
    if tree[1].name == "DescribeQuery" and dict.get(tree[1], "var") is None:
        # rdflib's algebra cannot plan DESCRIBE * (a TypeError inside it): a 400, not a 500
        raise QueryError("DESCRIBE * is not supported: name what to describe, e.g. "
                         "DESCRIBE ?s WHERE { ?s a kazkg:Enterprise }")
    return sparql.algebra.translateQuery(tree, base=base, initNs=known)


def parse_update(text: str, base: str | None = None, project_prefixes: bool = False) -> "Update":
    """rdflib's parse of a SPARQL Update, guarded: QueryError as for queries; with
    `project_prefixes`, the project's prefixes need no PREFIX line, as in queries."""
    from pyparsing import ParseException

    guard.check_shape(text, update=True)
    sparql = _rdflib_sparql()
    try:
        tree = _parse_operations(sparql, sparql.parser.expandUnicodeEscapes(
            guard.comments_end_at_cr(text)))
    except ValueError as error:
        raise QueryError(f"SPARQL Update syntax error: {error}") from None
    known = PREFIXES if project_prefixes else {}
    undeclared_prefix(tree, known, text)
    for node in walk(tree):
        if node.name == "Create" and not field(node, "silent"):
            raise QueryError("CREATE GRAPH is not supported: a graph needs no creating "
                             "(INSERT DATA { GRAPH <g> { ... } } makes it)")
    import rdflib

    update = sparql.algebra.translateUpdate(tree, base=base, initNs=known)
    if isinstance(update, list):  # rdflib's answer for an update of no operation
        update = sparql.sparql.Update(None, update)
    for op in update.algebra:
        # rdflib looks a variable graph name up as a graph of that name and deletes nothing,
        # answering success: refuse it and say what to write instead.
        if op.name == "DeleteWhere" and any(isinstance(g, rdflib.Variable) for g in op.quads or ()):
            raise QueryError("DELETE WHERE with GRAPH ?variable is not supported: write its "
                             "equivalent, DELETE { GRAPH ?g { ... } } WHERE { GRAPH ?g { ... } }")
    return update


@functools.lru_cache(maxsize=1)
def _operation_grammars(parser):
    """(one operation after its prologue, the same with the operation optional: the last
    piece of `A ; B ;` is empty), as rdflib's Update rule reads them; and the first without
    its parse action, whose error names the rule that failed ("Expected DeleteWhere")."""
    from pyparsing import Optional, rest_of_line
    from rdflib.plugins.sparql.parserutils import Comp, ParamList

    prologue, operation = ParamList("prologue", parser.Prologue), ParamList("request", parser.Update1)
    found = (Comp("Update", prologue + operation), Comp("Update", prologue + Optional(operation)),
             parser.Prologue + parser.Update1)
    for grammar in found:
        grammar.ignore("#" + rest_of_line)
    return found


def _parse_operations(sparql, text: str):
    """rdflib's parse tree of an update, each operation parsed on its own: rdflib's Update rule
    recurses once per ";" (161 DROP GRAPH ran out of stack), and its error for an operation
    that does not parse is at the operation's start, line 1, column 1 for the first one;
    parsed alone, the operation's own rule says where it goes wrong."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parserutils import CompValue

    one, last, plain = _operation_grammars(sparql.parser)
    spans = guard.operations(text)
    prologues, requests = [], []
    for i, (start, end) in enumerate(spans):
        try:
            found = one.parse_string(text[start:end], parse_all=True)[0]
        except ParseException as error:
            try:
                if i != len(spans) - 1:
                    raise
                found = last.parse_string(text[start:end], parse_all=True)[0]
            except ParseException:
                _refuse(plain, text, start, end, error)
        prologues += dict.get(found, "prologue", [])
        requests += dict.get(found, "request", [])
    return CompValue("Update", prologue=prologues, request=requests)


def _refuse(plain, text: str, start: int, end: int, error) -> None:
    """QueryError for the operation text[start:end], at the place it goes wrong in `text`."""
    from pyparsing import ParseException

    try:
        plain.parse_string(text[start:end], parse_all=True)
    except ParseException as named:
        error = named
    offset = start + error.loc
    line, column = text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
    raise QueryError(f"SPARQL Update syntax error: {error.msg}", line, column, text) from None


def undeclared_prefix(tree, known: dict, text: str) -> None:
    """QueryError naming the first prefix used but never declared (rdflib would raise a bare
    Exception while translating, indistinguishable from its own bugs)."""
    declared = set(known)
    for node in walk(tree):
        if node.name == "PrefixDecl":
            declared.add(field(node, "prefix") or "")
    for node in walk(tree):
        if node.name == "pname" and (field(node, "prefix") or "") not in declared:
            prefix = field(node, "prefix") or ""
            line, column = position(text, rf"(?<![\w.:<-]){re.escape(prefix)}:")
            raise QueryError(f"the prefix {prefix}: is used but not declared "
                             f"(add PREFIX {prefix}: <...>)", line, column, text)
