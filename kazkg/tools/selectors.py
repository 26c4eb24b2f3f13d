"""Where a mention stands in a text: the offsets and context of a Web Annotation's
`oa:TextPositionSelector` and `oa:TextQuoteSelector`, found from the words the editors chose."""

from __future__ import annotations

from dataclasses import dataclass

# As Hypothesis does: 32 code points of context either side, fewer at the ends of the text.
CONTEXT = 32


@dataclass(frozen=True)
class Span:
    """Where a mention stands in a text."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def _is_word(char: str) -> bool:
    return char.isalnum()


def locate(text: str, spec: str) -> Span:
    """The one place where `spec` stands in `text`. `spec` is the exact words, or the words in
    context with the exact part in brackets. A mention never starts or ends inside a word.
    Raise ValueError saying what is wrong."""
    if spec.count("[") != spec.count("]") or spec.count("[") > 1:
        raise ValueError(f"{spec!r}: at most one [...] part")
    context = spec.replace("[", "").replace("]", "")
    offset, exact = (spec.index("["), spec[spec.index("[") + 1:spec.index("]")]) if "[" in spec \
        else (0, spec)
    if not exact.strip() or exact != exact.strip():
        raise ValueError(f"{spec!r}: the exact text is empty or has spaces at its ends")
    found = [i for i in range(len(text)) if text.startswith(context, i)]
    if len(found) != 1:
        where = "does not occur" if not found else f"occurs {len(found)} times (give context)"
        raise ValueError(f"{context!r} {where} in {text!r}")
    start = found[0] + offset
    end = start + len(exact)
    if (start > 0 and _is_word(text[start - 1]) and _is_word(text[start])) or \
            (end < len(text) and _is_word(text[end - 1]) and _is_word(text[end])):
        raise ValueError(f"{exact!r} starts or ends inside a word of {text!r}")
    return Span(start, end, exact, text[max(0, start - CONTEXT):start], text[end:end + CONTEXT])
