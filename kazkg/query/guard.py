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
   anything inside a VALUES block counts: a long list of values builds no deep algebra. An
   update's operations (cut at each ";" outside brackets) are weighed each on its own: a
   sequence is not nesting. Under that, a coarse bound on the raw characters holds whatever
   the tokenizer gets wrong (it read `1-1-1` as one name, and a comment on past a CR).
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
# ... and (12-03, the same way) at 6,940 of + - * / in a chain (1-1-1...), 8,312 of / in a path
# or of "." between triple patterns, 6,636 UNIONs. These are counted outside IRIs, as every
# IRI holds some: what the IRI pattern takes (no space, ( ) & ! = + * , ; | inside) cannot be
# read as `a < b > c` either, since SPARQL has no chained comparison. The keywords everywhere.
RAW_ARITHMETIC = 3000  # + - * / outside IRIs
RAW_DOTS = 4000        # . outside IRIs
RAW_KEYWORDS = 3000    # UNION, OPTIONAL, MINUS
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


_IRI = r"""<[^<>"{}|^`\\\x00-\x20()&!=+*,;]*>"""  # an IRI; `1<(2)&&3>0` is none
_NUMBER_OR_WORD = r"\d*\.\d+(?:[eE][+-]?\d+)? | \d+(?:[eE][+-]?\d+)? | \w+"
# Every token either matches where it starts or fails at once, so that a pass is linear in the
# text: a string without its closing quote is a token to the end of its line (of the text, for a
# long string), and a run of name characters with no colon after it is read once, as a "run"
# that tokens() splits into words and operators. Else each quote or letter of such a run began
# a scan to the run's end: 60 KB of `'x\'x\'...` or of `a-a-a-...` took a worker the whole time
# limit, then a 503 "time limit" instead of a syntax error.
_TOKEN = re.compile(r"""
    (?P<skip> \#[^\n\r]*                                 # a comment (SPARQL's ends at CR too)
      | """ + _IRI + r"""
      | '''(?:[^'\\]|\\.|'(?!''))*(?:''')?  | \"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\")?
      | '(?:[^'\\\n]|\\.)*'?  | "(?:[^"\\\n]|\\.)*"?     # strings
      | @[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[A-Za-z]+)?       # a language tag (and direction)
      | [?$]\w+ )                                        # a variable
    | (?P<run> (?=(?P<ahead>[^\W\d_](?:[\w.-]*[\w-])?))(?P=ahead)(?!:) )  # read once: no backtracking
    | (?P<word> (?:[^\W\d_](?:[\w.-]*[\w-])?)?:            # a prefixed name (ex:a\#b, ex:a-1.b)
                (?:(?:[\w:%]|\\.)(?:(?:[\w.:%-]|\\.)*(?:[\w:%-]|\\.))?)?
      | """ + _NUMBER_OR_WORD + r""" )                     # numbers (not 1-1), keywords
    | (?P<open> [({\[] ) | (?P<close> [)}\]] )
    | (?P<op> \|\| | && | != | <= | >= | [.;,/|^!+*=<>-] )
    """, re.VERBOSE | re.DOTALL)
# a run's tokens, as _TOKEN reads them where no name can start
_RUN = re.compile(f"(?P<word> {_NUMBER_OR_WORD} ) | (?P<op> [.-])", re.VERBOSE)
_IRI_ANYWHERE = re.compile(_IRI)
_KEYWORDS = {"UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "GRAPH", "SERVICE", "SELECT",
             "EXISTS", "VALUES"}


def tokens(text: str):
    """The tokens of a query or update (re.Match objects; lastgroup "skip" for a comment, an
    IRI, a string or a variable, else "word", "open", "close" or "op")."""
    for match in _TOKEN.finditer(text):
        if match.lastgroup == "run":
            yield from _RUN.finditer(text, match.start(), match.end())
        else:
            yield match


def comments_end_at_cr(text: str) -> str:
    """`text` with the carriage return that ends a comment (SPARQL's comment ends at CR or LF)
    made a line feed, one character for one, so that positions stay: rdflib's parser reads a
    comment on to the next line feed, so `# c\rLIMIT 1` lost its LIMIT and a query could mean
    another, or be refused, on rdflib only (the new user's review)."""
    if "\r" not in text:
        return text
    chars = list(text)
    for match in tokens(text):
        end = match.end()
        lone_cr = text[end:end + 1] == "\r" and text[end + 1:end + 2] != "\n"  # LF after: ended
        if lone_cr and match.group().startswith("#"):
            chars[end] = "\n"
    return "".join(chars)


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
    for match in tokens(text):
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
    iris = None  # the text without its IRIs, made only when a count over the whole is too high
    for what_counted, limit, count, where in _RAW_COUNTS:
        found = count(text)
        if found > limit and where == "outside IRIs":
            iris = _IRI_ANYWHERE.sub("", text) if iris is None else iris
            found = count(iris)
        if found > limit:
            raise QueryError(f"the {what} holds {found:,} {what_counted} ({where}; in strings "
                             f"and comments too); kazkg takes at most {limit:,} in one {what}")


def _counter(*chars: str):
    return lambda text: sum(text.count(char) for char in chars)


_RAW_COUNTS = (  # what, its bound, how it is counted, where
    ("of the characters ! | &", RAW_OPERATORS, _counter("!", "|", "&"), "anywhere, in IRIs too"),
    ("braces {", RAW_BRACES, _counter("{"), "anywhere, in IRIs too"),
    ("of the characters + - * /", RAW_ARITHMETIC, _counter("+", "-", "*", "/"), "outside IRIs"),
    ("dots", RAW_DOTS, _counter("."), "outside IRIs"),
    ("of the words UNION, OPTIONAL, MINUS", RAW_KEYWORDS,
     lambda text: _counter("union", "optional", "minus")(folded(text)), "in any case"),
)


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
    what = "update" if update else "query"
    _check_raw(text, what)
    pieces = [text]
    if update and _at_most(text)[0] > MAX_WEIGHT:  # each operation of a sequence on its own
        pieces = [text[start:end] for start, end in operations(text)]
    for piece in pieces:
        weight, depth = _at_most(piece)
        if weight > MAX_WEIGHT or depth > MAX_DEPTH:
            weight, depth = measure(piece)
        _refuse_depth(depth, what)
        if weight > MAX_WEIGHT:
            hint = ("; many triples go in one INSERT DATA (nothing else in the update), or with "
                    "the Graph Store protocol (POST /store?graph=IRI)" if update else "")
            raise QueryError(f"the {'operation of the update' if update else what} has more "
                             f"than {MAX_WEIGHT:,} operators, patterns and brackets (||, &&, "
                             f"UNION, FILTER, '.', ...); kazkg evaluates at most {MAX_WEIGHT:,} "
                             f"in one {what}{hint}")


def operations(text: str) -> list[tuple[int, int]]:
    """The spans of an update's operations: its text cut at each ";" outside brackets (inside
    braces one separates predicates), strings, IRIs and comments. A sequence is not nesting:
    each operation is weighed, and parsed (kazkg.query.sparql.parse_update), on its own."""
    spans, start, depth = [], 0, 0
    for match in tokens(text):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "op" and depth == 0 and match.group() == ";":
            spans.append((start, match.start()))
            start = match.end()
    spans.append((start, len(text)))
    return spans
