"""The targets of a mention, as Turtle: an `oa:SpecificResource` on a text with its
`oa:TextQuoteSelector` and `oa:TextPositionSelector`, each labelled in kk, ru and en from the
words it selects and the text it selects them in (kazkg.tools.mentions writes them)."""

from __future__ import annotations

from rdflib import Literal

from .selectors import Span


def string_literal(text: str) -> str:
    return Literal(text).n3()


def lang_literal(text: str, lang: str) -> str:
    return Literal(text, lang=lang).n3()


def _labels(kk: str, ru: str, en: str) -> str:
    return f"    rdfs:label {lang_literal(kk, 'kk')} , {lang_literal(ru, 'ru')} , {lang_literal(en, 'en')} ;\n"


def _selectors(name: str, span: Span, where: tuple[str, str, str]) -> str:
    """A target's quote and position selectors, labelled by their words and `where` (kk, ru, en)."""
    quote = [f"oa:exact {string_literal(span.exact)}"]
    quote += [f"oa:prefix {string_literal(span.prefix)}"] if span.prefix else []
    quote += [f"oa:suffix {string_literal(span.suffix)}"] if span.suffix else []
    w, kk_where, ru_where, en_where = span.exact, *where
    return (f"kzr:{name}-quote\n    a oa:TextQuoteSelector ;\n"
            + _labels(f"«{w}» дәйексөзі ({kk_where})", f"Цитата «{w}» ({ru_where})",
                      f"Quote “{w}” ({en_where})")
            + "    " + " ;\n    ".join(quote)
            + f" .\n\nkzr:{name}-position\n    a oa:TextPositionSelector ;\n"
            + _labels(f"«{w}» орны: {span.start}–{span.end} таңбалар ({kk_where})",
                      f"Положение «{w}»: символы {span.start}–{span.end} ({ru_where})",
                      f"Position of “{w}”: code points {span.start}–{span.end} ({en_where})")
            + f'    oa:start "{span.start}"^^xsd:integer ;\n'
            f'    oa:end "{span.end}"^^xsd:integer .\n')


def in_text(sid: str, translated: bool = False) -> tuple[str, str, str]:
    if translated:
        return (f"{sid} сөйлемінің ағылшынша аудармасында", f"в английском переводе предложения {sid}",
                f"in the English working translation of sentence {sid}")
    return (f"{sid} сөйлемінде", f"в предложении {sid}", f"in sentence {sid}")


def target(name: str, source: str, span: Span, where: tuple[str, str, str]) -> str:
    w, kk_where, ru_where, en_where = span.exact, *where
    return (f"kzr:{name}\n    a oa:SpecificResource ;\n"
            + _labels(f"«{w}»: {kk_where}", f"«{w}»: {ru_where}", f"“{w}”: {en_where}")
            + f"    oa:hasSource {source} ;\n"
            f"    oa:hasSelector kzr:{name}-quote , kzr:{name}-position .\n\n"
            + _selectors(name, span, where))
