"""Reading rdflib's parse trees and algebras: walking them, and finding a spot in the text
(where a syntax error is: `furthest`, for queries and updates alike)."""

from __future__ import annotations

import functools
import re
import threading

SMALL_TEXT = 8192  # characters: a memo keeps no query text longer than this


def memo(maxsize: int):
    """functools.lru_cache for a function of one query text (and hashable extras), keeping
    only texts of at most SMALL_TEXT characters: 1,000 unique 500 KB queries must not leave
    500 MB behind in a worker; a long text costs its (linear) work again instead."""
    def decorate(fn):
        cached = functools.lru_cache(maxsize=maxsize)(fn)

        @functools.wraps(fn)
        def call(text: str, *args):
            return cached(text, *args) if len(text) <= SMALL_TEXT else fn(text, *args)
        call.cache_clear, call.cache_info = cached.cache_clear, cached.cache_info
        return call
    return decorate


# A line that holds nothing but a comment (spaces, then # to the end of the line).
_COMMENT_LINES = re.compile(r"^[ \t]*#[^\n]*", re.MULTILINE)


def without_comment_lines(text: str) -> str:
    r"""`text` with each line that is only a comment emptied (its newline kept: no line moves),
    where that is the same query for every parser and every reading here: in a text with no
    backslash (SPARQL decodes \u escapes before it reads comments, and an escape may carry a
    token on), no long string (''' or three double quotes, which may hold a line beginning
    with #) and no carriage return (a comment ends at one too), a # that begins a line begins
    a comment. Else `text` unchanged. The readings memoised by text (kazkg.query.spelling, the
    order of SELECT *) are made of this, so that a client's variants of one query that differ
    in a comment share them (0.3 ms a query, a sixth of a worker's time, in wrk's unique mix)."""
    if "#" not in text or "\\" in text or "'''" in text or '"""' in text or "\r" in text:
        return text
    return _COMMENT_LINES.sub("", text)


# Besides the two cases of an ASCII letter, re.IGNORECASE takes dotted İ and dotless ı for i
# and long ſ for s (Python's sre; tests/test_caseless.py checks every code point): with those
# replaced and the text lower-cased, a word found by str.find is where such a regex may match.
_LIKE_ASCII = (("İ", "i"), ("ı", "i"), ("ſ", "s"))


@memo(maxsize=64)
def folded(text: str) -> str:
    """`text` as re.IGNORECASE compares it with ASCII letters: lower-case, İ ı ſ as i i s."""
    for odd, letter in _LIKE_ASCII:
        if odd in text:
            text = text.replace(odd, letter)
    return text.lower()


def caseless_search(pattern: re.Pattern, text: str, words: tuple[str, ...]) -> bool:
    """Whether `pattern` (re.IGNORECASE) matches somewhere in `text`, for a pattern each of
    whose matches begins with one of `words` (lower-case ASCII): the regex is tried only where
    a word begins, in C speed, instead of at every character (in Python's sre, a case-blind
    alternation of words took 0.1-0.3 ms over a 1 KB query)."""
    found = folded(text)
    if len(found) != len(text):  # a character lower-cased into two: positions would not align
        return pattern.search(text) is not None
    for word in words:
        start = found.find(word)
        while start >= 0:
            if pattern.match(text, start):
                return True
            start = found.find(word, start + 1)
    return False


def walk(node, skip: str | None = None):
    """Every CompValue in a parse tree or an algebra, depth first; none named `skip`, nor
    anything inside one (e.g. "SubSelect": a subquery is checked as a query of its own)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name == skip:
            return
        yield node
        for value in node.values():
            yield from walk(value, skip)
    elif isinstance(node, (list, tuple, ParseResults)):
        for value in node:
            yield from walk(value, skip)


def position(text: str, pattern: str, after: str | None = None) -> tuple[int | None, int | None]:
    """(line, column), 1-based, of the first match of `pattern` in `text` (after the first
    match of `after`, if given); (None, None) when there is none."""
    start = 0
    if after is not None:
        found = re.search(after, text)
        start = found.end() if found else 0
    found = re.compile(pattern).search(text, start)
    if found is None:
        return None, None
    before = text[:found.start()]
    return before.count("\n") + 1, found.start() - (before.rfind("\n") + 1) + 1


def field(node, name: str):
    """A part of a parse tree node, or None: CompValue.get would answer the name itself."""
    return dict.get(node, name)


_FURTHEST = threading.Lock()
_tracking = threading.local()
_SAID = re.compile(r"Expected (?:CaselessKeyword |Keyword )?'?(.*?)'?$")


def furthest(parse, text: str) -> tuple[int, int, str] | None:
    """(line, column, what could come there) of the furthest place rdflib's parser reached in
    `text`, which `parse` (a pyparsing parse of it) refuses: its own error names the start of
    the alternative that failed (`line 1, column 25: Expected SelectQuery` for a '/' at
    column 60, or an unclosed '{'). It parses again, noting every failure pyparsing makes;
    None if it does not fail so."""
    from pyparsing import ParseBaseException, col, lineno

    found: dict = {"loc": -1, "said": set()}
    with _FURTHEST:
        plain = ParseBaseException.__init__

        def noted(self, pstr, loc=0, msg=None, elem=None):
            plain(self, pstr, loc, msg, elem)
            if getattr(_tracking, "on", False) and pstr is text and loc >= found["loc"]:
                if loc > found["loc"]:
                    found.update(loc=loc, said=set())
                found["said"].add(str(self.msg))

        ParseBaseException.__init__, _tracking.on = noted, True
        try:
            parse(text)
            return None
        except ParseBaseException:
            pass
        finally:
            ParseBaseException.__init__, _tracking.on = plain, False
    loc = found["loc"]
    if loc < 0:
        return None
    said = sorted({"a language tag" if "a-zA-Z]+(?:-" in s else _SAID.sub(r"\1", s)
                   for s in found["said"] if "'#'" not in s and (  # a comment: anywhere
                       not s.startswith("Expected Re:") or "a-zA-Z]+(?:-" in s)},
                  key=lambda w: (w.isalpha() or " " in w, w))  # punctuation first, quoted
    said = [w if w.isalpha() or " " in w else f"'{w}'" for w in said]
    there = text[loc:loc + 12].split(None, 1)[0] if text[loc:].strip() else ""
    what = f"unexpected {there!r}" if there else "the query ends too soon"
    if said:
        what += "; expected " + (said[0] if len(said) == 1 else "one of " + ", ".join(said[:14]))
    return lineno(loc, text), col(loc, text), what
