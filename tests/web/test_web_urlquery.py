"""The query string decoded in C (kazkg.web.urlquery) gives urllib's and Werkzeug's answers
exactly, escapes that are not escapes, backslashes and text that is not UTF-8 included."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, unquote_to_bytes

from flask import Request
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder

from kazkg.web.urlquery import FastRequest, ascii_pairs, unquote_bytes

# What makes decoding hard: escapes cut short or not hex, backslashes (the C decoder's own
# escape character), separators, bytes over 127 and NUL.
_PIECES = st.sampled_from([b"%", b"%4", b"%41", b"%e2%82", b"%zz", b"%%", b"\\", b"\\x41",
                           b"\\%41", b"x", b"+", b"&", b"=", b"\x00", b"\xc3\xa9", b"%C3%A9",
                           b"%ff", b"\n"])
_QUERY = st.lists(_PIECES, max_size=12).map(b"".join)


@settings(max_examples=400, deadline=None)
@given(_QUERY)
def test_unquote_is_urllibs(data):
    assert unquote_bytes(data) == unquote_to_bytes(data)


@settings(max_examples=400, deadline=None)
@given(_QUERY)
def test_args_are_werkzeugs(data):
    pairs = ascii_pairs(data)
    if pairs is not None:
        assert pairs == parse_qsl(data.decode(), keep_blank_values=True, errors="strict")
    environ = EnvironBuilder(path="/sparql").get_environ()
    environ["QUERY_STRING"] = data.decode("latin-1")
    try:
        expected = Request(environ).args
    except UnicodeDecodeError:  # raw bytes that are not UTF-8: both refuse them
        assert pairs is None
        return
    assert list(FastRequest(environ).args.items(multi=True)) == list(expected.items(multi=True))


def test_a_query_full_of_escapes():
    text = "# Қала кәсіпорындары\nSELECT * WHERE { ?s ?p \"a\\\\b%\" } # 100%"
    encoded = quote(text, safe="").encode()
    assert unquote_bytes(encoded).decode() == text
    assert ascii_pairs(b"query=" + encoded + b"&format=json") == [("query", text), ("format", "json")]
