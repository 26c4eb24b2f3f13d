"""The guard's and the engine choice's fast checks (kazkg.query.syntax.folded and
caseless_search, guard._at_most) answer exactly what the regexes they stand for answer."""

from __future__ import annotations

import re
import string
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kazkg.errors import QueryError
from kazkg.query import guard, oxengine, spelling
from kazkg.query.syntax import caseless_search, folded

_ALL = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)


def _fold(char: str) -> str:
    return folded.__wrapped__(char) if hasattr(folded, "__wrapped__") else folded(char)


def test_folding_is_what_ignorecase_compares_with_ascii_letters():
    by_char = {c: _fold(c) for c in _ALL}
    for letter in string.ascii_lowercase:
        caseless = set(re.findall(letter, _ALL, re.IGNORECASE))
        assert caseless == {c for c, f in by_char.items() if f == letter}, letter
    ascii_letter = re.compile("[a-z]")
    for char, fold in by_char.items():
        if len(fold) != 1:  # never an ASCII letter out of a character that matches none
            assert not ascii_letter.search(fold), hex(ord(char))


_OLD_REACH = re.compile(r"service|\\u", re.IGNORECASE)


def _old_different(text: str) -> bool:
    """The regexes, over the query's code (what is in strings, IRIs and comments is no FROM)."""
    code = spelling.code(text)
    return bool(oxengine._DIFFERENT.search(code) or oxengine._NEWER.search(code))


_PIECES = st.sampled_from(["STR (", "sTrStArTs(", "ſum(", "SHA256(", "x:str(", "?str(", "ıri(",
                           "SERVICE", "servİce", "ſervice", "servıce", "\\u", "\\U", "FROM",
                           "from", "?from", ":from", "from:", "fRoM-", "DESCRIBE", "group_concat",
                           "triple (", "isTRIPLE(", "?subject(", "SUBJECT  (", "hasLANGDIR(",
                           "strlangdir", "<<", "<", "# ", "\n", " ", "x", "İ", "ß", "ﬆ", "K",
                           "(", "{", "}", "'a'", "\"b\"", "<http://x/>", "UNION", "a|b"])
_TEXT = st.lists(_PIECES, max_size=14).map("".join)


@settings(max_examples=500, deadline=None)
@given(_TEXT)
def test_fast_checks_answer_as_the_regexes(text):
    assert guard.may_reach_out(text) == bool(_OLD_REACH.search(text))
    assert oxengine._defined_differently(text) == _old_different(text)
    assert caseless_search(oxengine._NEWER, text, oxengine._NEWER_WORDS) == bool(
        oxengine._NEWER.search(text)) or "<<" in text
    assert caseless_search(spelling._CALLS, text, spelling._CALL_WORDS) == bool(
        spelling._CALLS.search(text))
    weight, depth = guard._at_most(text)
    exact = guard.measure(text)
    assert weight >= exact[0] and depth >= exact[1]


def test_the_shape_guard_still_refuses():
    ors = "SELECT * { ?s ?p ?o FILTER(" + " || ".join(["?o = 1"] * 1200) + ") }"
    nested = "SELECT * " + "{ " * 150 + "?s ?p ?o" + " }" * 150
    keywords = "SELECT * { " + " ".join(["OPTIONAL { ?s ?p ?o }"] * 700) + " }"
    for text in (ors, nested, keywords):
        with pytest.raises(QueryError, match="kazkg evaluates at most"):
            guard.check_shape(text)
    values = "SELECT * { VALUES ?x { " + " ".join(f"<http://x/{i}>" for i in range(3000)) + " } }"
    guard.check_shape(values)  # long lists of values weigh nothing: measured, and let through
