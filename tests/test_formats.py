"""The one table of formats (kazkg.formats.table): every row is usable everywhere it is offered."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Literal, URIRef

from kazkg.build.store import read_quads
from kazkg.formats import export, negotiation, results
from kazkg.formats.table import FORMATS, PAGE_FORMATS, RDF_FORMATS, READABLE, RESULT_FORMATS, named
from kazkg.query.writes import BODY_FORMATS

EX = "http://example.org/"


def small() -> Dataset:
    dataset = Dataset(default_union=True)
    for name, value in (("a", "один"), ("b", "екі")):
        triple = (URIRef(EX + name), URIRef(EX + "p"), Literal(value, lang="kk"))
        dataset.graph(URIRef(EX + name)).add(triple)
    dataset.graph(URIRef(EX + "b")).add((URIRef(EX + "a"), URIRef(EX + "p"), Literal("один", lang="kk")))
    return dataset


def test_names_are_unique_within_a_kind_and_media_types_overall():
    for kind in (RESULT_FORMATS, RDF_FORMATS):
        assert len({f.name for f in kind}) == len(kind)
    assert len({f.media_type for f in FORMATS}) == len(FORMATS)
    assert PAGE_FORMATS == tuple(f for f in RDF_FORMATS if f.page) and PAGE_FORMATS


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=lambda f: f.name)
def test_every_rdf_format_is_exported_and_read_back(tmp_path, fmt):
    path = tmp_path / f"data{fmt.extension}"
    path.write_bytes(export.serialize(small(), fmt.name))
    quads = list(read_quads(path))
    assert READABLE[fmt.extension] is fmt
    assert len({(s, p, o) for s, p, o, _ in quads}) == 2  # a's triple is in both graphs
    graphs = {g for *_, g in quads}
    assert (graphs == {URIRef(EX + "a"), URIRef(EX + "b")}) is fmt.named_graphs


@pytest.mark.parametrize("fmt", RDF_FORMATS + RESULT_FORMATS, ids=lambda f: f.media_type)
def test_every_answer_format_is_negotiable_by_name_and_media_type(fmt):
    offered = RDF_FORMATS if fmt in RDF_FORMATS else RESULT_FORMATS
    assert negotiation.best_match(fmt.media_type, offered) is fmt
    assert negotiation.best_match(None, offered, fmt.name) is fmt
    assert fmt.format_iri.startswith("http://www.w3.org/ns/formats/")


def test_the_cli_offers_every_answer_format():
    assert set(results.ALL) == {"table"} | {f.name for f in RDF_FORMATS + RESULT_FORMATS}


def test_graph_store_bodies_are_the_single_graph_formats():
    assert set(BODY_FORMATS) == {f.media_type for f in RDF_FORMATS if not f.named_graphs}


def test_an_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match="choose one of turtle, nt"):
        named("yaml")


def test_a_results_head_takes_a_link_in_json_and_xml():
    import json as json_module
    from xml.etree import ElementTree

    from kazkg.formats.results import with_link

    href = "http://x.example/result-limit?a=1&b=2"
    for body in (b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}',
                 b'{"head": {}, "results": {"bindings": []}}'):
        assert json_module.loads(with_link(body, "json", href))["head"]["link"] == [href]
    for body in (b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="s"/>'
                 b'</head><results/></sparql>',
                 b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/><results/></sparql>'):
        head = ElementTree.fromstring(with_link(body, "xml", href))[0]
        assert head[-1].get("href") == href
