"""Mentions (W3C Web Annotations): every selector agrees with its text, every resource a
sentence graph speaks of and the sentence names is annotated there, and the Turtle files are
the worksheet's."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF

from tests.support import ROOT
from kazkg.namespaces import INFERRED_GRAPH, KAZKG, KZG, KZR, OA, SCHEMA
from kazkg.tools import mentions
from kazkg.tools.selectors import CONTEXT, locate

# A sentence can name any resource of the graph but these: the concepts of the vocabularies
# other than sectors (a unit, value qualifier, measure or trend is part of a statistic's
# mention), the source text's own parts, the graphs, and the editors' apparatus.
NOT_NAMEABLE = (KAZKG.Measure, KAZKG.Unit, KAZKG.ValueQualifier, KAZKG.Trend, KAZKG.DatePrecision,
                KAZKG.Certainty, KAZKG.SourceDocument, KAZKG.Paragraph, KAZKG.Sentence,
                KAZKG.WorkingTranslation, KAZKG.Assertion, KAZKG.NameUse, KAZKG.Identification,
                KAZKG.EditorialStatement, OA.Annotation, OA.SpecificResource)


def nameable(dataset, resource) -> bool:
    kinds = set(dataset.objects(resource, RDF.type))
    return bool(kinds) and not any(kind in kinds for kind in NOT_NAMEABLE)


def undated(dataset, resource) -> bool:
    """The time given to what a sentence leaves undated (kzr:date-undated): no sentence names it."""
    return (resource, KAZKG.datePrecision, KZR["date-undated"]) in dataset


PRODUCTION = "the sentence speaks of production (өндіріс) or enterprises, not of industry as a branch"
NOT_NAMED = {
    ("p1.s2", "sector-industry"): "the heading names science and technology, not industry",
    ("p2.s6", "sector-industry"): PRODUCTION,
    ("p4.s1", "sector-industry"): PRODUCTION,
    ("p4.s4", "sector-industry"): PRODUCTION,
    ("p4.s5", "sector-industry"): PRODUCTION,
}


def _annotations(graph):
    return sorted(graph.subjects(RDF.type, OA.Annotation))


def _targets(dataset):
    """(annotation, target, source, text) for every target of every annotation."""
    out = []
    for annotation in _annotations(dataset):
        for target in dataset.objects(annotation, OA.hasTarget):
            source = dataset.value(target, OA.hasSource)
            out.append((annotation, target, source, dataset.value(source, SCHEMA.text)))
    return out


def _selector(dataset, target, kind):
    (selector,) = [s for s in dataset.objects(target, OA.hasSelector)
                   if (s, RDF.type, kind) in dataset]
    return selector


def test_every_mention_graph_describes_itself(asserted):
    graphs = [g for g in asserted.graphs() if str(g.identifier).startswith(str(KZG["mentions/"]))]
    assert len(graphs) == 29
    for graph in graphs:
        node = graph.identifier
        assert (node, RDF.type, KAZKG.EditorialAssertion) in graph
        assert (node, PROV.wasAttributedTo, KZR["kazkg-editors"]) in graph
        (sentence,) = graph.objects(node, PROV.wasDerivedFrom)
        assert (sentence, RDF.type, KAZKG.Sentence) in asserted
        for annotation in _annotations(graph):
            for target in graph.objects(annotation, OA.hasTarget):
                source = graph.value(target, OA.hasSource)
                assert source == sentence or \
                    (source, SCHEMA.translationOfWork, sentence) in graph, (annotation, source)


def test_every_selector_stands_at_its_offsets_in_its_text(asserted):
    targets = _targets(asserted)
    assert len(targets) > 200
    for annotation, target, source, text in targets:
        assert isinstance(text, Literal) and text.language in ("kk", "en"), (target, source)
        text = str(text)
        quote = _selector(asserted, target, OA.TextQuoteSelector)
        position = _selector(asserted, target, OA.TextPositionSelector)
        exact = str(asserted.value(quote, OA.exact))
        start = asserted.value(position, OA.start).toPython()
        end = asserted.value(position, OA.end).toPython()
        assert 0 <= start < end <= len(text), target
        assert text[start:end] == exact, (target, text[start:end], exact)
        prefix = asserted.value(quote, OA.prefix)
        suffix = asserted.value(quote, OA.suffix)
        # the context is the CONTEXT code points either side, cut only by the text's ends
        assert str(prefix or "") == text[max(0, start - CONTEXT):start], target
        assert str(suffix or "") == text[end:end + CONTEXT], target


def test_the_english_targets_select_the_working_translation(asserted):
    english = [(t, s) for _, t, s, text in _targets(asserted) if text.language == "en"]
    assert len(english) > 100
    for target, source in english:
        sentence = asserted.value(source, SCHEMA.translationOfWork)
        assert (source, RDF.type, KAZKG.WorkingTranslation) in asserted
        assert asserted.value(source, SCHEMA.text) == asserted.value(sentence, KAZKG.workingTranslation)


def test_every_body_is_a_resource_of_the_graph(dataset):
    for annotation in _annotations(dataset):
        (body,) = dataset.objects(annotation, OA.hasBody)
        assert str(body).startswith(str(KZR)) and nameable(dataset, body), (annotation, body)


def _sentence_graphs(dataset):
    for graph in dataset.graphs():
        if str(graph.identifier).startswith(str(KZG["text/"])):
            sentence = graph.value(graph.identifier, PROV.wasDerivedFrom)
            yield str(dataset.value(sentence, KAZKG.sentenceId)), sentence, graph


def test_every_resource_a_sentence_names_is_annotated_in_it(dataset):
    annotated = {(dataset.value(t, OA.hasSource), dataset.value(a, OA.hasBody))
                 for a, t, _, _ in _targets(dataset)}
    missing, needless = [], []
    for sid, sentence, graph in _sentence_graphs(dataset):
        spoken_of = {t for triple in graph for t in (triple[0], triple[2])
                     if isinstance(t, URIRef) and str(t).startswith(str(KZR))}
        for resource in sorted(spoken_of):
            slug = str(resource)[len(KZR):]
            if not nameable(dataset, resource):
                continue
            excused = undated(dataset, resource) or (sid, slug) in NOT_NAMED
            if (sentence, resource) in annotated and excused:
                needless.append((sid, slug))
            elif (sentence, resource) not in annotated and not excused:
                missing.append((sid, slug))
    assert not missing, f"named in the sentence graph but not annotated: {missing}"
    assert not needless, f"annotated, yet listed as not named: {needless}"


def test_not_named_lists_only_what_the_graphs_speak_of(dataset):
    graphs = {sid: set(graph.all_nodes()) for sid, _, graph in _sentence_graphs(dataset)}
    stale = [(sid, slug) for sid, slug in NOT_NAMED if KZR[slug] not in graphs[sid]]
    assert not stale, f"the sentence graph no longer speaks of these; remove them from NOT_NAMED: {stale}"


def test_owl_rl_infers_nothing_about_annotations(dataset):
    parts = {s for kind in (OA.Annotation, OA.SpecificResource, OA.TextQuoteSelector,
                            OA.TextPositionSelector) for s in dataset.subjects(RDF.type, kind)}
    inferred = dataset.graph(INFERRED_GRAPH)
    assert parts and not [t for t in inferred if t[0] in parts or t[2] in parts]
    translations = set(dataset.subjects(RDF.type, KAZKG.WorkingTranslation))
    assert {o for s, p, o in inferred if s in translations} == {PROV.Entity, SCHEMA.CreativeWork}


def test_the_turtle_files_are_the_worksheets():
    assert mentions.stale(ROOT) == [], "run: python -m kazkg.tools.mentions"


@pytest.mark.parametrize("spec, span", [
    ("Алматыда", (0, 8)),
    ("11 [өнеркәсіп]", (3, 12)),
    ("[Шымкент]-Кентау", (14, 21)),
])
def test_locate(spec, span):
    text = "11 өнеркәсіп, Шымкент-Кентау, Алматыда." if "[" in spec else "Алматыда мақта"
    found = locate(text, spec)
    assert (found.start, found.end) == span and text[found.start:found.end] == found.exact


@pytest.mark.parametrize("spec, problem", [
    ("өнеркәсіп", "occurs 2 times"),
    ("Семей", "does not occur"),
    ("Алматы", "inside a word"),
    ("[Алматы", "at most one"),
])
def test_locate_explains_what_is_wrong(spec, problem):
    with pytest.raises(ValueError, match=problem):
        locate("Алматыда өнеркәсіп, өнеркәсіп.", spec)


def test_a_bad_worksheet_row_names_its_file_and_line(tmp_path, monkeypatch, capsys):
    for name in ("ontology", "graph"):
        shutil.copytree(ROOT / name, tmp_path / name)
    sheet = tmp_path / "graph" / "mentions" / "industry-1956-1985.tsv"
    lines = sheet.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append("p2.s7\tlenin-prize\tСталиндік сыйлық\tStalin Prize\tidentifying\t\t\n")
    sheet.write_text("".join(lines), encoding="utf-8")
    monkeypatch.setenv("KAZKG_DATA_DIR", str(tmp_path))
    before = sorted(p.read_bytes() for p in (tmp_path / "graph" / "mentions").rglob("*.ttl"))
    assert mentions.main([]) == 2
    error = capsys.readouterr().err
    assert f"line {len(lines)}" in error and "industry-1956-1985.tsv" in error
    assert "'Сталиндік сыйлық' does not occur" in error
    after = sorted(p.read_bytes() for p in (tmp_path / "graph" / "mentions").rglob("*.ttl"))
    assert before == after, "nothing is written when a row is wrong"
    assert mentions.main(["--check"]) == 2


def _where_mentioned(dataset, resource: str):
    from kazkg.query import catalog
    from tests.support import rdflib_answer

    text = catalog.get("mentions-of-a-resource").text.replace("kzr:shymkent", f"kzr:{resource}")
    return [{k: (str(v) if v is not None else None) for k, v in row.asdict().items()}
            for row in rdflib_answer(dataset, text)]


def test_where_is_shymkent_mentioned(dataset):
    found = _where_mentioned(dataset, "shymkent")
    assert [(r["id"], r["language"], r["exact"], r["start"], r["end"]) for r in found] == [
        ("p3.s3", "kk", "Шымкент", "57", "64"), ("p3.s3", "en", "Shymkent", "103", "111"),
        ("p4.s7", "kk", "Шымкент", "64", "71"), ("p4.s7", "en", "Shymkent", "54", "62")]
    for row in found:
        assert row["text"][int(row["start"]):int(row["end"])] == row["exact"]
    assert found[0]["text"].startswith("1966 жылы Қазақстанның Өскемен")
    assert found[0]["sentence"] == str(KZR["industry-1956-1985-p3-s3"])


def test_where_is_karaganda_gres_1_mentioned_and_how_sure(dataset):
    (kk, en) = _where_mentioned(dataset, "karaganda-gres-1")
    assert (kk["id"], kk["exact"], kk["start"], kk["end"]) == ("p2.s4", "Қарағанды МАЭС-І", "0", "16")
    assert (en["exact"], en["start"], en["end"]) == ("Karaganda GRES-1", "0", "16")
    assert kk["certainty"] == str(KZR["certainty-hypothesis"]) and "possessive suffix" in kk["note"]
