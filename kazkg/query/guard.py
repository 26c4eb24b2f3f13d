"""The guard: what a query may do here. This is the one place that decides.

1. A query may not reach outside the dataset. A SERVICE clause is refused unless its endpoint
   is on the allow-list (setting service_allow), and LOAD (an update) always. The check reads
   rdflib's algebra of the parsed query, so it sees through comments, strings and \\u escapes.
   Parsing with rdflib is slow, though, so a query whose text cannot hold a SERVICE
   (`may_reach_out` is False: no "service" anywhere in it, even in a comment, and no \\u
   escape, which SPARQL decodes before parsing) needs no parse to pass; a false alarm only
   costs that parse. Engines that would call a SERVICE themselves (Oxigraph's) take only
   queries that cannot reach out.
2. A query may not be so large or so deep that an engine dies of it (`check_shape`, read from
   the tokens before any parser sees the text). Oxigraph's parser and evaluator recurse once
   per operator, pattern and bracket: a FILTER of 10,000 `||`, 10,000 UNIONs or 3,000 nested
   braces overflow a worker's stack and kill it with a segfault (pyoxigraph 0.5; 1,000 of each
   were fine), and rdflib needs minutes to parse them (2,000 `||`: 17 s). Strings, IRIs and
   comments are skipped, and neither the commas of IN (...) lists and function arguments nor
   anything inside a VALUES block counts: a long list of values builds no deep algebra.
"""

from __future__ import annotations

import re

from rdflib import Variable

from ..errors import QueryError
from .syntax import folded, memo, walk

MAX_WEIGHT = 1000  # operators, patterns, keywords and brackets in one query
MAX_DEPTH = 100    # brackets nested in one another
# The coarse second bound, on the raw characters (strings, IRIs and comments too), that no
# mistake of the tokenizer can get around. Measured on pyoxigraph 0.5 in forked processes (one
# query each, 8 MB stack, 12-03): a worker died at 848 nested FILTER EXISTS { }, 2,208 nested
# braces, 4,672 nested parentheses, 9,472 || or && or !, 11,008 | of a path, 6,656 UNIONs or
# OPTIONALs; the bounds are half of that or less, and far above a real query's.
RAW_DEPTH = 400       # ( [ { nested, counting every one in the text
RAW_OPERATORS = 4000  # ! | & in the text
RAW_BRACES = 3000     # { in the text
_BRACKET = re.compile(r"[()\[\]{}]")


@memo(maxsize=1024)
def may_reach_out(text: str) -> bool:
    """Whether `text` holds "service" in any case, or a \\u (\\U) escape (what the regex
    service|\\\\u with re.IGNORECASE finds, in a tenth of its time)."""
    found = folded(text)
    return "service" in found or "\\u" in found


def check(algebra, allowed_services: tuple[str, ...] = ()) -> None:
    """Refuse what could reach outside the dataset: SERVICE (unless allowed) and LOAD."""
    for node in walk(algebra):
        if node.name == "ServiceGraphPattern" and isinstance(node.term, Variable):
            raise QueryError(f"SERVICE ?{node.term} is not allowed: federation is off, and kazkg "
                             "never calls an endpoint that a query's data chooses (name one "
                             "endpoint of the allow-list, --service-allow, instead)")
        if node.name == "ServiceGraphPattern" and str(node.term) not in allowed_services:
            raise QueryError(f"SERVICE <{node.term}> is not allowed: kazkg calls no endpoint "
                             "that is not on its allow-list")
        if node.name == "Load":
            raise QueryError("LOAD is not allowed: kazkg never fetches documents")


_TOKEN = re.compile(r"""
    (?P<skip> \#[^\n]*                                   # a comment
      | <[^<>"{}|^`\\\x00-\x20()&!=+*,;]*>               # an IRI (not `1<(2)&&3>0`)
      | '''(?:[^'\\]|\\.|'(?!''))*'''  | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      | '(?:[^'\\\n]|\\.)*'  | "(?:[^"\\\n]|\\.)*"       # strings
      | [?$]\w+ )                                        # a variable
    | (?P<word> (?:[\w:%-]|\\.)+(?:\.(?:[\w:%-]|\\.)+)* )  # names (ex:a\#b), numbers, keywords
    | (?P<open> [({\[] ) | (?P<close> [)}\]] )
    | (?P<op> \|\| | && | != | <= | >= | [.;,/|^!+*=<>-] )
    """, re.VERBOSE | re.DOTALL)
_KEYWORDS = {"UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "GRAPH", "SERVICE", "SELECT",
             "EXISTS", "VALUES"}


def tokens(text: str):
    """The tokens of a query or update (re.Match objects; lastgroup "skip" for a comment, an
    IRI, a string or a variable, else "word", "open", "close" or "op")."""
    return _TOKEN.finditer(text)


@memo(maxsize=256)
def measure(text: str, weigh: bool = True) -> tuple[int, int]:
    """(weight, depth) of a query or update: its operators, patterns, keywords and brackets,
    and its deepest nesting of brackets; read only until one is over its limit (so that a
    refusal costs microseconds, not a pass over 500 KB). Without `weigh`, the depth alone
    (the weight counts nothing)."""
    limit = MAX_WEIGHT if weigh else float("inf")
    weight = deepest = 0
    stack: list[str] = []
    values = None  # the depth of the VALUES block being read (-1: before its brace)
    for match in _TOKEN.finditer(text):
        if weight > limit or deepest > MAX_DEPTH:
            break
        kind = match.lastgroup
        if kind == "open":
            stack.append(match.group())
            deepest = max(deepest, len(stack))
            if values == -1 and match.group() == "{":
                values = len(stack)
            weight += values is None
        elif kind == "close":
            if stack:
                stack.pop()
            if values is not None and values > len(stack):
                values = None
        elif values is not None:
            continue  # a VALUES block's rows weigh nothing
        elif kind == "word":
            word = match.group().upper()
            weight += word in _KEYWORDS
            if word == "VALUES":
                values = -1
        elif kind == "op":
            # A comma lists objects in a group (one more pattern), arguments inside ( ).
            if match.group() != "," or (stack and stack[-1] != "("):
                weight += 1
    return weight, deepest


def _at_most(text: str) -> tuple[int, int]:
    """measure(text) or more, counted in C speed: every bracket, operator and keyword that
    measure counts is a token holding one of these characters or (upper-cased, as measure
    reads a word) keywords, and tokens do not overlap; strings and comments count here too."""
    brackets = text.count("(") + text.count("{") + text.count("[")
    upper = text.upper()
    operators = sum(text.count(char) for char in ".;,/|^!+*=<>&-")
    return brackets + operators + sum(upper.count(word) for word in _KEYWORDS), brackets


def _raw_depth(text: str) -> int:
    """The deepest nesting of ( [ { in `text`, every character counted (in strings too)."""
    if text.count("(") + text.count("[") + text.count("{") <= RAW_DEPTH:
        return 0  # fewer cannot nest deeper
    depth = deepest = 0
    for match in _BRACKET.finditer(text):
        if match.group() in "([{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > RAW_DEPTH:
                    break
        elif depth:
            depth -= 1
    return deepest


def _check_raw(text: str, what: str, operators: bool = True) -> None:
    """Refuse `text` past the coarse bounds (RAW_DEPTH, and with `operators` RAW_OPERATORS and
    RAW_BRACES), read from its characters alone."""
    if _raw_depth(text) > RAW_DEPTH:
        raise QueryError(f"the {what} nests brackets ( [ {{ more than {RAW_DEPTH} deep (counting "
                         "those in strings, IRIs and comments too); kazkg evaluates at most "
                         f"{MAX_DEPTH} levels")
    if not operators:
        return
    found = text.count("!") + text.count("|") + text.count("&")
    if found > RAW_OPERATORS:
        raise QueryError(f"the {what} holds {found:,} of the characters ! | & (counting those "
                         f"in strings, IRIs and comments too); kazkg takes at most "
                         f"{RAW_OPERATORS:,} in one {what}")
    if text.count("{") > RAW_BRACES:
        raise QueryError(f"the {what} holds more than {RAW_BRACES:,} braces {{ (counting those in "
                         f"strings, IRIs and comments too); kazkg takes at most {RAW_BRACES:,} "
                         f"in one {what}")


def check_depth(text: str, update: bool = False) -> None:
    """The depth part of check_shape alone: for INSERT DATA and DELETE DATA, which
    pyoxigraph's parser reads however many triples they hold (kazkg.query.bulk)."""
    _check_raw(text, "update" if update else "query", operators=False)
    if _at_most(text)[1] > MAX_DEPTH:  # fewer brackets than that cannot nest deeper
        _refuse_depth(measure(text, False)[1], "update" if update else "query")


def _refuse_depth(depth: int, what: str) -> None:
    if depth > MAX_DEPTH:
        raise QueryError(f"the {what} nests brackets more than {MAX_DEPTH} deep; kazkg "
                         f"evaluates at most {MAX_DEPTH} levels")


def check_shape(text: str, update: bool = False) -> None:
    """Refuse (QueryError, a 400) a query or `update` too large or too deep for the engines to
    survive (rdflib's parser takes 6 s for an INSERT DATA of 1,000 triples, and minutes for
    10,000: an update that is one INSERT DATA or DELETE DATA is read by pyoxigraph instead,
    kazkg.query.bulk, and checked for depth alone)."""
    _check_raw(text, "update" if update else "query")
    weight, depth = _at_most(text)
    if weight > MAX_WEIGHT or depth > MAX_DEPTH:
        weight, depth = measure(text)
    what = "update" if update else "query"
    _refuse_depth(depth, what)
    if weight > MAX_WEIGHT:
        hint = ("; many triples go in one INSERT DATA (nothing else in the update), or with the "
                "Graph Store protocol (POST /store?graph=IRI)" if update else "")
        raise QueryError(f"the {what} has more than {MAX_WEIGHT:,} operators, patterns and "
                         f"brackets (||, &&, UNION, FILTER, '.', ...); kazkg evaluates at most "
                         f"{MAX_WEIGHT:,} in one {what}{hint}")
