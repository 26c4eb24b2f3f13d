"""Mentions of resources in the source sentences, as W3C Web Annotations.

The editors choose each mention by reading the Kazakh sentence, and write it as one row of a
worksheet, `graph/mentions/<document>.tsv`: the sentence, the resource, the words of the
Kazakh text and of the English working translation, the motivation, the certainty and a note.
Where the words occur more than once, the row gives them in context with the mention in
brackets (`11 [өнеркәсіп]`). This module turns the worksheet into one Turtle file, one named
graph, per sentence (`graph/mentions/<document>/pN-sM.ttl`): for every row an `oa:Annotation`
whose target is the sentence, selected by an `oa:TextQuoteSelector` and an
`oa:TextPositionSelector` (code points, end exclusive), and the same over the translation.

    python -m kazkg.tools.mentions           # write the Turtle files from the worksheets
    python -m kazkg.tools.mentions --check   # exit 1 if a Turtle file is not up to date
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from ..errors import InputError
from ..build.inputs import data_root
from ..namespaces import KAZKG, KZG, KZR, SCHEMA
from .selectors import Span, locate
from .targets import in_text, lang_literal as _lang, target as _target

COLUMNS = ("sentence", "body", "kk", "en", "motivation", "certainty", "note")
MOTIVATIONS = ("identifying", "linking")
# The concepts of kzr:certainties (ontology/kazkg.ttl) that a reading can have; none: the words say it.
CERTAINTIES = ("", "editorial", "hypothesis")


@dataclass(frozen=True)
class Row:
    """One line of a worksheet: one mention of one resource in one sentence."""

    line: int
    sentence: str
    body: str
    kk: str
    en: str
    motivation: str
    certainty: str
    note: str


@dataclass(frozen=True)
class Sentence:
    iri: URIRef
    kk: str
    en: str


def read_worksheet(path: Path) -> list[Row]:
    """The rows of a worksheet, checked for shape (not yet against the texts)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if tuple(header or ()) != COLUMNS:
            raise InputError(path, f"the header must be: {' '.join(COLUMNS)}", 1)
        rows = []
        for number, cells in enumerate(reader, start=2):
            if len(cells) != len(COLUMNS):
                raise InputError(path, f"{len(cells)} columns, not {len(COLUMNS)}", number)
            row = Row(number, *cells)
            if row.motivation not in MOTIVATIONS:
                raise InputError(path, f"motivation {row.motivation!r}: one of {MOTIVATIONS}", number)
            if row.certainty not in CERTAINTIES:
                raise InputError(path, f"certainty {row.certainty!r}: one of {CERTAINTIES}", number)
            if row.certainty and not row.note:
                raise InputError(path, "an uncertain or editorial reading needs its reason (note)", number)
            rows.append(row)
    return rows


def sentence_texts(graph: Graph) -> dict[tuple[str, str], Sentence]:
    """Every kazkg:Sentence of `graph` by its document's name (its IRI after kzr:) and its
    identifier, e.g. ("<document>", "p2.s7"); the document is the paragraph's dcterms:isPartOf."""
    out = {}
    for iri in graph.subjects(RDF.type, KAZKG.Sentence):
        paragraph = graph.value(iri, DCTERMS.isPartOf)
        document = graph.value(paragraph, DCTERMS.isPartOf) if paragraph is not None else None
        if document is None or not str(document).startswith(str(KZR)):
            continue
        key = (str(document)[len(KZR):], str(graph.value(iri, KAZKG.sentenceId)))
        out[key] = Sentence(
            iri, str(graph.value(iri, SCHEMA.text)), str(graph.value(iri, KAZKG.workingTranslation)))
    return out


def _slug(sid: str) -> str:
    return sid.replace(".", "-")


PREFIXES = """\
@prefix kazkg:   <https://w3id.org/kazkg/ontology#> .
@prefix kzr:     <https://w3id.org/kazkg/resource/> .
@prefix oa:      <http://www.w3.org/ns/oa#> .
@prefix schema:  <https://schema.org/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
"""


def _annotation(name: str, row: Row, kk: Span, en: Span | None) -> str:
    targets = f"kzr:{name}-kk" + (f" , kzr:{name}-en" if en else "")
    lines = [f"kzr:{name}", "    a oa:Annotation , kazkg:Mention ;",
             f"    rdfs:label {_lang(f'{row.sentence} сөйлемінде аталуы: «{kk.exact}»', 'kk')} ,",
             f"        {_lang(f'Упоминание в предложении {row.sentence}: «{kk.exact}»', 'ru')} ,",
             f"        {_lang(f'Mention in sentence {row.sentence}: “{kk.exact}”', 'en')} ;",
             f"    oa:motivatedBy oa:{row.motivation} ;",
             f"    oa:hasBody kzr:{row.body} ;",
             f"    oa:hasTarget {targets} ;",
             "    dcterms:creator kzr:kazkg-editors"]
    if row.certainty:
        lines[-1] += " ;"
        lines.append(f"    kazkg:certainty kzr:certainty-{row.certainty} ;")
        lines.append(f"    kazkg:certaintyReason {_lang(row.note, 'en')}")
    elif row.note:
        lines[-1] += " ;"
        lines.append(f"    skos:editorialNote {_lang(row.note, 'en')}")
    return "\n".join(lines) + " .\n"


def _translation(iri: str, sid: str, sentence: Sentence) -> str:
    return (f"{iri}\n    a kazkg:WorkingTranslation ;\n"
            f"    rdfs:label {_lang(f'{sid} сөйлемінің ағылшынша жұмыс аудармасы', 'kk')} ,\n"
            f"        {_lang(f'Рабочий перевод предложения {sid} на английский', 'ru')} ,\n"
            f"        {_lang(f'English working translation of sentence {sid}', 'en')} ;\n"
            f"    schema:text {_lang(sentence.en, 'en')} ;\n"
            '    schema:inLanguage "en" ;\n'
            f"    schema:translationOfWork <{sentence.iri}> .\n")


def graph_iri(document: str, sid: str) -> URIRef:
    return KZG[f"mentions/{document}/{_slug(sid)}"]


def render(document: str, sid: str, rows: list[Row], sentence: Sentence, where: Path) -> str:
    """The Turtle text of the named graph of the mentions in one sentence."""
    source = f"<{sentence.iri}>"
    translation = f"kzr:{document}-{_slug(sid)}-en"
    blocks, used = [], {}
    for row in rows:
        try:
            kk = locate(sentence.kk, row.kk)
            en = locate(sentence.en, row.en) if row.en else None
        except ValueError as error:
            raise InputError(where, f"{sid}, {row.body}: {error}", row.line) from None
        used[row.body] = used.get(row.body, 0) + 1
        name = f"{document}-{_slug(sid)}-mention-{row.body}"
        if used[row.body] > 1:
            name += f"-{used[row.body]}"
        block = _annotation(name, row, kk, en) + "\n" + _target(f"{name}-kk", source, kk, in_text(sid))
        if en:
            block += "\n" + _target(f"{name}-en", translation, en, in_text(sid, translated=True))
        blocks.append(block)
    aligned = sum(1 for r in rows if r.en)
    head = (f"# Named graph <{graph_iri(document, sid)}>\n"
            f"# Mentions of resources in sentence {sid}, as W3C Web Annotations.\n"
            f"# Written by `python -m kazkg.tools.mentions` from graph/mentions/{document}.tsv:\n"
            "# edit the worksheet, then run it again.\n"
            f"# kk: {sentence.kk}\n# en: {sentence.en}\n\n" + PREFIXES + "\n"
            f"<{graph_iri(document, sid)}>\n    a kazkg:Assertion , kazkg:EditorialAssertion ;\n"
            f"    rdfs:label {_lang(f'{sid} сөйлемінде аталғандар', 'kk')} ,\n"
            f"        {_lang(f'Упоминания в предложении {sid}', 'ru')} ,\n"
            f"        {_lang(f'Mentions in sentence {sid}', 'en')} ;\n"
            f"    prov:wasDerivedFrom {source} ;\n"
            "    prov:wasAttributedTo kzr:kazkg-editors ;\n"
            f"    dcterms:description {_lang(_description(sid, len(rows), aligned), 'en')} .\n")
    parts = [head]
    if aligned:
        parts.append(_translation(translation, sid, sentence))
    return "\n".join(parts + blocks)


def _description(sid: str, count: int, aligned: int) -> str:
    mentions = "1 mention" if count == 1 else f"{count} mentions"
    return (f"The {mentions} of resources in sentence {sid}, each a W3C Web Annotation "
            "whose body is the resource and whose target is the span of the Kazakh text "
            f"({aligned} also the span of the English working translation). Which resource a "
            "span names is the editors' reading of the Kazakh sentence.")


def worksheets(root: Path) -> list[Path]:
    return sorted((root / "graph" / "mentions").glob("*.tsv"))


def outputs(root: Path) -> dict[Path, str]:
    """Every Turtle file the worksheets give, with its text."""
    texts = Graph()
    for path in sorted((root / "graph").rglob("*.ttl")):
        if "mentions" not in path.relative_to(root / "graph").parts:
            texts.parse(path)
    sentences = sentence_texts(texts)
    out = {}
    for sheet in worksheets(root):
        document = sheet.stem
        by_sentence: dict[str, list[Row]] = {}
        for row in read_worksheet(sheet):
            if (document, row.sentence) not in sentences:
                raise InputError(sheet, f"no sentence {row.sentence!r} of {document} in the graph",
                                 row.line)
            by_sentence.setdefault(row.sentence, []).append(row)
        for sid, rows in by_sentence.items():
            path = sheet.parent / document / f"{_slug(sid)}.ttl"
            out[path] = render(document, sid, rows, sentences[document, sid], sheet)
    return out


def stale(root: Path) -> list[Path]:
    """The Turtle files that are missing, differ from their worksheet, or have none."""
    wanted = outputs(root)
    written = {p for sheet in worksheets(root) for p in (sheet.parent / sheet.stem).glob("*.ttl")}
    differ = [p for p, text in wanted.items()
              if not p.is_file() or p.read_text(encoding="utf-8") != text]
    return sorted(differ + [p for p in written if p not in wanted])


def write(root: Path) -> list[Path]:
    """Write every Turtle file from the worksheets; remove those no row asks for."""
    wanted = outputs(root)
    for sheet in worksheets(root):
        for path in (sheet.parent / sheet.stem).glob("*.ttl"):
            if path not in wanted:
                path.unlink()
    for path, text in wanted.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sorted(wanted)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = data_root()
    try:
        if args == ["--check"]:
            behind = stale(root)
            for path in behind:
                print(f"not up to date: {path.relative_to(root)}", file=sys.stderr)
            return 1 if behind else 0
        if args:
            print("usage: python -m kazkg.tools.mentions [--check]", file=sys.stderr)
            return 2
        written = write(root)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{len(written)} file(s) written under graph/mentions/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
