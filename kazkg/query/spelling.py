"""Whether a query's answer depends on how a literal is spelled, which Oxigraph does not keep.

SPARQL works on RDF terms, and a literal's term is its lexical form: `1.0` written in a query
is "1.0"^^xsd:decimal, so STR(1.0) is "1.0", SELECT (1.50 AS ?x) answers "1.50", and the
pattern `?s ?p 42.9` does not match the data's "42.900"^^xsd:decimal (another term, of the
same value). Oxigraph keeps a number's value, not its spelling: in the store and in the query
text, "1.50" becomes "1.5", 1.0 becomes "1", "1E0"^^xsd:double "1", "01" "1". The mirror gives a
data literal its spelling back when an answer holds it as it is (kazkg.query.oxengine.Mirror),
but nothing can when a query reads the spelling (STR, a cast to a string, the string
functions) or computes a new number from it (rdflib's 42.900 * 2 is 85.800, Oxigraph's 85.8).

So rdflib, which keeps every spelling as SPARQL asks, answers (the other choice, writing both
engines' numbers in a canonical form, would make STR(1.0) "1", against the standard):
1. a query whose text holds a typed literal that Oxigraph would spell otherwise, or of a
   value the data spells otherwise (read from the text: no parse);
2. when the data holds literals that Oxigraph spells otherwise, a query that reads the
   spelling of, or computes from, a variable that may hold one (the object of one of their
   predicates, of a variable predicate not bound by VALUES to others, or of a property path,
   unless a FILTER keeps only rows where it is no literal: kazkg.query.respelled, which reads
   rdflib's algebra, parsed only when the text holds such a function or operator, and then
   once per build and query shape: the decision is kept beside the cached build,
   kazkg.query.decided).
"""

from __future__ import annotations

import functools
import re

import pyoxigraph as ox
from ..errors import QueryError
from .respelled import reads_respelled
from .sparql import parse
from .syntax import caseless_search, memo

XSD = "http://www.w3.org/2001/XMLSchema#"
# Each pattern here matches where it starts or fails at once, as kazkg.query.guard._TOKEN does
# (an unclosed string runs to its line's end, a name starts where its run of name characters
# does): a pass over a query is linear in its length.
_LITERALS = re.compile(r"""
    (?P<typed> (?P<string> "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*' )
        \^\^ (?: <(?P<iri>[^<>\s]*)> | (?P<prefix>[A-Za-z][\w.-]*)?:(?P<local>[\w.-]*) ) )
    | (?P<skip> \#[^\n]* | <[^<>"{}|^`\\\x00-\x20]*> | '''.*?(?:'''|\Z) | \"\"\".*?(?:\"\"\"|\Z)
        | "(?:[^"\\\n]|\\.)*"? | '(?:[^'\\\n]|\\.)*'? | [?$]\w+ | (?:(?<![\w-])[\w-]*)?:[\w.%-]*
        | [A-Za-z_]\w* )
    | (?P<number> (?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)? )
    """, re.VERBOSE | re.DOTALL)
# What reads a literal's spelling or computes a new literal from its value, searched in the
# query's code (code(): no comment, IRI, string or prefixed name left to match in): a built-in
# call, a call of an IRI or prefixed name (a cast, a function), or an operator before what
# may be an operand (a variable, a bracket, a number, a string, a call).
_CALLS = re.compile(r"(?<![\w:])(STR|CONCAT|STRLEN|SUBSTR|UCASE|LCASE|STRSTARTS|STRENDS|"
                    r"CONTAINS|STRBEFORE|STRAFTER|ENCODE_FOR_URI|REGEX|REPLACE|MD5|SHA\d+|IRI|"
                    r"URI|STRDT|STRLANG|SUM|AVG|ROUND|CEIL|FLOOR|ABS|string)\s*\(", re.IGNORECASE)
_CALL_WORDS = ("str", "concat", "substr", "ucase", "lcase", "contains", "encode_for_uri",
               "regex", "replace", "md5", "sha", "iri", "uri", "sum", "avg", "round", "ceil",
               "floor", "abs")  # each name above begins with one of these
# An operator right after an IRI is a path's (the lookbehinds follow the operator, so that
# the search can skip to the next operator or stand-in at C speed).
_OTHERS = re.compile(r"(?:<>|p:x)\s*\(|[-+*/](?<!p:x[-+*/])(?<!<>[-+*/])\s*"
                     r"(?:[?$(\d.\"]|[A-Za-z_]\w*\s*\(|p:x\s*\(|<>\s*\()", re.IGNORECASE)
_STAND_INS = {"comment": " ", "iri": "<>", "string": '""', "name": "p:x"}
# A typed literal's datatype is part of its string's stand-in: `"2"^^xsd:decimal * ?v` computes
_TOKENS = re.compile(r"""(?P<comment> \#[^\n]* ) | (?P<iri> <[^<>"{}|^`\\\x00-\x20]*> )
    | (?P<string> (?: '''.*?(?:'''|\Z) | \"\"\".*?(?:\"\"\"|\Z) | "(?:[^"\\\n]|\\.)*"? | '(?:[^'\\\n]|\\.)*'? )
        (?P<datatype> \^\^ (?: <[^<>"{}|^`\\\x00-\x20]*> | [\w.-]*:(?:[\w.%-]|\\.)* ) )? )
    | (?P<name> (?:(?<![\w.-])[\w.-]*)?:(?:[\w.%-]|\\.)* )""", re.VERBOSE | re.DOTALL)



def matters(prepared, originals: dict, predicates, kept=None) -> bool:
    """True when the answer to `prepared` may depend on a spelling Oxigraph does not keep.
    `originals`: the data's literals that Oxigraph spells otherwise ({its spelling: theirs});
    `predicates()`: the IRIs of the predicates that hold them (called only when needed);
    `kept`: the decisions kept for this build (kazkg.query.decided.Kept), or None."""
    text = prepared.lean  # the same query: variants that differ in a comment share the memos
    if past_oxigraph(code(text)):
        return True
    literals = _typed_literals(text)
    if literals is None or any(oxigraph_spelling(*literal) in originals for literal in literals):
        return True
    if not originals or not _reads(code(text)):
        return False
    # Decided once for all texts of one shape (_bare): a query made unique by a comment, a
    # LIMIT or a literal is not parsed again (20-330 ms), nor, with `kept`, in another
    # process over the same build. rdflib reads \\u escapes before comments: such a text,
    # and one that does not parse (for rdflib's own error message, with the text's
    # positions), are parsed as they are.
    if "\\u" not in text and "\\U" not in text:
        shape = (_bare(text), prepared.project_prefixes, prepared.base)
        found = kept.decision(shape) if kept is not None else None
        if found is not None:
            return found
        try:
            found = _respelled(*shape, predicates())
        except QueryError:
            pass
        else:
            if kept is not None:
                kept.keep(shape, found)
            return found
    return reads_respelled(prepared.parsed.algebra, predicates())


# Oxigraph's numbers (oxsdatatypes 0.2): xsd:integer is an i64, xsd:decimal an i128 of 18
# fraction digits; a result past them (9223372036854775807 + 1, ABS(-9223372036854775808),
# 1.0000000000000000000001 + 0) is an error, so unbound, or a FILTER false, where rdflib's
# Python numbers are exact. A number written with 19 digits or more before its point, or
# more than 18 after it, may be past them (or lost in its parse), and so may a product of one
# of 10 digits or more (3037000500 * 3037000500): such a query runs on rdflib.
_DIGITS = re.compile(r"(?<![\w.])(?=\.?\d)(\d*)(?:\.(\d*))?(?![\w.])")


@memo(maxsize=1024)
def past_oxigraph(code: str) -> bool:
    """Whether the query's code (code()) writes a number Oxigraph's arithmetic may not hold."""
    for whole, fraction in _DIGITS.findall(code):
        digits = len(whole.lstrip("0"))
        if digits >= 19 or len(fraction or "") > 18 or (digits >= 10 and "*" in code):
            return True
    return False


@memo(maxsize=1024)
def _reads(code: str) -> bool:
    """Whether the query's code calls or computes (what _CALLS or _OTHERS finds in it); kept by
    code, which texts that differ only in comments, strings, IRIs or names share."""
    return caseless_search(_CALLS, code, _CALL_WORDS) or _OTHERS.search(code) is not None


@memo(maxsize=256)
def _respelled(text: str, project_prefixes: bool, base, predicates: frozenset) -> bool:
    return reads_respelled(parse(text, project_prefixes, base).algebra, predicates)


_SHAPE = re.compile(_TOKENS.pattern + r"""| (?P<variable> [?$]\w+ ) | (?P<space> \s+ )
    | (?P<number> (?<![\w.]) (?:\d+\.\d*|\.\d+|\d+) (?:[eE][+-]?\d+)? )""", re.VERBOSE | re.DOTALL)
_BARE = {"comment": "", "space": " ", "number": "0"}


def _shaped(token) -> str:
    if token.lastgroup == "string":  # its words never matter here; its datatype might
        return '""' + (token.group("datatype") or "")
    return _BARE.get(token.lastgroup, token.group())


@memo(maxsize=256)
def _bare(text: str) -> str:
    """The query's shape, all that reads_respelled reads: the text without its comments
    (what rdflib skips: # outside an IRI, a string or a prefixed name, to the end of the
    line), each run of spaces one space, each string empty and each number 0 (what rdflib
    cannot parse so is parsed as it was written). Variants of a query that differ in a
    LIMIT, a label or a year share one parse."""
    return _SHAPE.sub(_shaped, text).strip()


@memo(maxsize=256)
def code(text: str) -> str:
    """The text with each comment, IRI, string and prefixed name replaced by a stand-in: what
    they hold is no call nor operator (the /2 of every w3.org IRI had rdflib parse nearly every
    query, 20-280 ms each). Nothing before or after a stand-in reads otherwise: a token left
    out ends in no word character."""
    return _TOKENS.sub(lambda token: _STAND_INS[token.lastgroup], text)


@memo(maxsize=1024)
def _typed_literals(text: str) -> tuple | None:
    """The typed literals of a query's text, as (lexical form, datatype IRI), those of its
    numbers included; None when one is spelled otherwise by Oxigraph, or cannot be read here."""
    found = []
    for match in _LITERALS.finditer(text):
        if match.lastgroup == "skip":
            continue
        if match.group("number") is not None:
            lexical = match.group("number")
            kind = "double" if "e" in lexical.lower() else "decimal" if "." in lexical else "integer"
            datatype = XSD + kind
        else:
            lexical = match.group("string")[1:-1]
            prefix, local = match.group("prefix"), match.group("local")
            datatype = match.group("iri") if local is None else (
                XSD + local if prefix == "xsd" else None)
            if "\\" in lexical or datatype is None:
                return None  # an escape, or another prefix: not worth reading here
        if datatype.startswith(XSD) and datatype != XSD + "string":
            if oxigraph_spelling(lexical, datatype).value != lexical:
                return None
            found.append((lexical, datatype))
    return tuple(found)


@functools.lru_cache(maxsize=4096)
def oxigraph_spelling(lexical: str, datatype: str) -> ox.Literal:
    """The literal as Oxigraph keeps it (its store and its query parser alike)."""
    store = ox.Store()
    node = ox.NamedNode("urn:x-kazkg:probe")
    store.add(ox.Quad(node, node, ox.Literal(lexical, datatype=ox.NamedNode(datatype))))
    return next(iter(store)).object
