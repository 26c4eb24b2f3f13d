"""Oxigraph's engine (kazkg.query.oxengine, used by kazkg serve) gives rdflib's answers: rdflib is the
reference, and every catalog query must come out the same, row for row and term for term."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.plugins.sparql.processor import SPARQLResult

from kazkg.build import cache, mirror as mirror_layout
from kazkg.build.mirror import STORE
from kazkg.query import catalog, decided, oxengine, path
from kazkg.query.engines import Declined, Scope
from kazkg.query.sparql import Prepared
from tests.support import rdflib_answer

QUERIES = sorted(catalog.load_all())


@pytest.fixture(scope="module")
def mirror(dataset):
    return oxengine.Mirror(dataset)


def oxigraph(mirror, job: dict):
    """Oxigraph's Evaluation of the job, or None when it must go to rdflib."""
    engine = oxengine.OxigraphEngine(mirror)
    prepared = Prepared(job["text"])  # unguarded: the engine alone decides
    scope = Scope(tuple(job.get("default_graphs", ())), (), len(job.get("log", ())))
    if not engine.accepts(prepared, scope):
        return None
    try:
        return engine.evaluate(prepared, scope)
    except Declined:
        return None


def evaluate(mirror, job: dict):
    """(form, raw result in rdflib's terms), or None when the query must go to rdflib."""
    found = oxigraph(mirror, job)
    return None if found is None else (found.form, found.to_raw(path.take(found)[0]))


def results_json(mirror, job: dict, limit: int = 0):
    evaluation = oxigraph(mirror, job)
    kept, truncated = path.take(evaluation, limit)
    return path.write(evaluation, kept, "json"), truncated


def rows(result) -> Counter:
    return Counter(tuple(row) for row in result)


@pytest.mark.parametrize("name", QUERIES)
def test_every_catalog_query_gives_rdflibs_answer(dataset, mirror, name):
    text = catalog.get(name).text
    reference = rdflib_answer(dataset, text)
    kind, raw = evaluate(mirror, {"text": text})
    ours = SPARQLResult(raw)
    assert kind == reference.type
    assert [str(v) for v in ours.vars] == [str(v) for v in reference.vars]
    assert rows(ours) == rows(reference)  # a multiset: duplicates count, spellings count


def test_the_default_graph_is_the_set_union(dataset, mirror):
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    (expected,) = next(iter(rdflib_answer(dataset, text)))
    _, raw = evaluate(mirror, {"text": text})
    assert raw["bindings"][0][raw["vars_"][0]] == expected


def test_literals_keep_their_spelling(dataset, mirror):
    """Oxigraph keeps a decimal's value ("43.650" becomes 43.65); the mirror gives back the
    spelling of the data, as rdflib does."""
    decimal = "http://www.w3.org/2001/XMLSchema#decimal"
    text = f'SELECT ?o WHERE {{ ?s ?p ?o FILTER (datatype(?o) = <{decimal}>) }}'
    _, raw = evaluate(mirror, {"text": text})
    values = [row[raw["vars_"][0]] for row in raw["bindings"]]
    assert all(isinstance(v, Literal) and str(v.datatype) == decimal for v in values)
    spellings = Counter(str(v) for v in values)
    assert spellings == Counter(str(row[0]) for row in rdflib_answer(dataset, text))
    assert spellings["43.650"] and not spellings["43.65"]  # a trailing zero, kept


def test_ask_and_construct(dataset, mirror):
    kind, raw = evaluate(mirror, {"text": "ASK { ?s a ?o }"})
    assert kind == "ASK" and raw["askAnswer"] is True
    # isIRI: which five typed subjects come first is Oxigraph's order, and blank nodes (the
    # ontology's restrictions) have random labels, so without it a run could draw one
    text = "CONSTRUCT { ?s a ?o } WHERE { ?s a ?o FILTER isIRI(?s) } LIMIT 5"
    kind, raw = evaluate(mirror, {"text": text})
    assert kind == "CONSTRUCT" and len(raw["graph"]) == 5
    assert all(isinstance(t, URIRef) for triple in raw["graph"] for t in triple)


@pytest.mark.parametrize("job", [
    {"text": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"},
    {"text": "SELECT * WHERE { sErViCe <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"},
    {"text": "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }"},
    {"text": "SELECT * FROM <https://w3id.org/kazkg/graph/ontology> WHERE { ?s ?p ?o }"},
    {"text": "DESCRIBE <https://w3id.org/kazkg/resource/temirtau>"},
    {"text": "SELECT * WHERE { ?s ?p ?o }", "default_graphs": ["urn:x"]},
    {"text": "SELECT (GROUP_CONCAT(?s) AS ?all) WHERE { ?s ?p ?o }"},  # unbound on Oxigraph
    {"text": "SELECT ?x WHERE { BIND (<urn:nofunc>(1) AS ?x) }"},  # an error on Oxigraph
    {"text": "SELECT ?s WHERE { ?s ?p ?o } GROUP BY ?p"},  # refused by Oxigraph: rdflib words it
])
def test_what_oxigraph_must_not_answer_goes_to_rdflib(mirror, job):
    assert evaluate(mirror, job) is None


def test_variables_named_from_are_fine(mirror):
    assert evaluate(mirror, {"text": "SELECT ?from WHERE { ?from a ?describe }"})


def json_rows(document: dict) -> Counter:
    return Counter(tuple(sorted((name, tuple(sorted(term.items()))) for name, term in row.items()))
                   for row in document["results"]["bindings"])


@pytest.mark.parametrize("name", QUERIES)
def test_json_written_from_oxigraph_equals_rdflibs(dataset, mirror, name):
    text = catalog.get(name).text
    reference = json.loads(rdflib_answer(dataset, text).serialize(format="json"))
    ours, truncated = results_json(mirror, {"text": text})
    ours = json.loads(ours)
    assert not truncated
    assert ours["head"] == reference["head"]
    assert json_rows(ours) == json_rows(reference)  # terms, datatypes, languages and spellings


def test_json_keeps_at_most_the_limit_and_says_so(mirror):
    text = "SELECT ?s WHERE { ?s a ?o }"
    body, truncated = results_json(mirror, {"text": text}, limit=3)
    assert truncated and len(json.loads(body)["results"]["bindings"]) == 3
    body, truncated = results_json(mirror, {"text": "ASK { ?s a ?o }"}, limit=3)
    assert json.loads(body) == {"head": {}, "boolean": True} and not truncated


COMPUTED = ['xsd:double("1")', 'xsd:double("1.0e0")', "2/3", 'xsd:float("0.1")', "true",
            '"2020-01-01T00:00:00Z"^^xsd:dateTime', 'xsd:integer("007")', 'xsd:decimal("1.50")',
            'xsd:date("2020-01-01")', '"abc"@EN', 'STRLEN("abc")', "BNODE()", "UUID()"]


@pytest.mark.parametrize("expression", COMPUTED)
def test_json_spells_computed_values_as_the_other_formats_do(expression):
    """rdflib writes XML, CSV and TSV (and answers what Oxigraph does not): JSON must agree."""
    empty = oxengine.Mirror(Dataset())
    text = f"PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT ({expression} AS ?v) {{}}"
    direct, _ = results_json(empty, {"text": text})
    _, raw = evaluate(empty, {"text": text})
    reference = SPARQLResult(raw)
    ours, theirs = (json.loads(d)["results"]["bindings"][0]["v"]
                    for d in (direct, reference.serialize(format="json")))
    if ours["type"] == "bnode" or expression == "UUID()":  # fresh each time: compare the kind
        assert ours["type"] == theirs["type"] and ours.get("datatype") == theirs.get("datatype")
    else:
        assert ours == theirs


@pytest.mark.parametrize("text", [
    "SELECT (<<( <http://a> <http://b> 'c' )>> AS ?t) {}",
    "SELECT ?t WHERE { BIND(TRIPLE(<http://a>, <http://b>, 'c') AS ?t) }",
    "SELECT (STRLANGDIR('x', 'ar', 'rtl') AS ?t) {}",
])
def test_sparql_1_2_goes_to_rdflib_like_everything_rdflib_answers_alone(mirror, text):
    assert oxigraph(mirror, {"text": text}) is None


def test_a_graph_answer_is_cut_while_it_is_read(mirror):
    """The result limit applies while Oxigraph's triples are read, not after all are built;
    a triple the engine yields twice counts once."""
    found = oxigraph(mirror, {"text": "CONSTRUCT { ?s a ?t . ?s a ?t } WHERE { ?s a ?t }"})
    read, original = [], found.read

    def counted():
        for triple in original():
            read.append(triple)
            yield triple

    found.read = counted
    kept, truncated = path.take(found, 10)
    assert len(kept) == 10 and truncated and len(set(kept)) == 10
    assert len(read) <= 22  # 10 kept and 1 more to tell it was cut, each yielded at most twice


def test_the_mirror_of_a_cached_build_is_kept_and_read_back(built):
    folder = cache.beside(built.fingerprint, STORE)
    shutil.rmtree(folder, ignore_errors=True)
    first = oxengine.Mirror.cached(built.dataset, built.fingerprint)  # made, then kept
    assert folder.is_dir()
    again = oxengine.Mirror.from_cache(built.fingerprint)  # opened from the cache
    assert set(again.store) == set(first.store) and len(again) == len(first)
    assert again.originals == first.originals and again.originals  # decimals keep their spelling
    shutil.rmtree(folder)
    folder.mkdir()  # not whole (no spellings file): made again, and kept again
    rebuilt = oxengine.Mirror.cached(lambda: built.dataset, built.fingerprint)
    assert set(rebuilt.store) == set(first.store)
    assert oxengine.Mirror.from_cache(built.fingerprint) is not None


def test_a_store_written_in_batches_is_compacted(dataset, tmp_path, monkeypatch):
    """Bulk loading leaves table files per batch, and a look-up on disk reads through all of
    them (Oxigraph's queries 5x slower at 100x): the store is left compacted, a file an index."""
    monkeypatch.setattr(mirror_layout, "BATCH", 5000)  # 8 batches at 1x: 23 files before
    folder = tmp_path / "store"
    assert mirror_layout.write_dataset(folder, dataset)
    assert len(list(folder.glob("*.sst"))) <= 15  # about one a column family (12): 13 at 1x


def test_a_forked_process_opens_the_cached_store_itself(built):
    """RocksDB is not fork-safe: a child must not use the handle its parent opened."""
    oxengine.Mirror.cached(built.dataset, built.fingerprint)
    mirror = oxengine.Mirror.from_cache(built.fingerprint)
    parent = mirror.store
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        try:
            os.write(writer, b"%d %d" % (mirror.store is not parent, len(mirror)))
        finally:
            os._exit(0)
    os.close(writer)
    reopened, count = os.read(reader, 100).split()
    os.waitpid(child, 0)
    assert reopened == b"1" and int(count) == len(mirror) and mirror.store is parent


def test_a_rebuild_drops_what_was_kept_beside_the_old_entry(built):
    """A rebuild names blank nodes afresh: a mirror of the old build would name them otherwise."""
    oxengine.Mirror.cached(built.dataset, built.fingerprint)
    folder = cache.beside(built.fingerprint, STORE)
    decisions = decided.Kept(built.fingerprint)
    decisions.keep(("a shape",), False)
    assert folder.exists() and decisions.path.exists()
    cache.save(built.fingerprint, built.dataset, {"seconds": built.seconds})
    assert not folder.exists() and cache.load(built.fingerprint) is not None
    assert not decisions.path.exists()


def test_bound_variables_give_rdflibs_answer(dataset, mirror):
    """A variable bound to an IRI (Scope.bindings: the pages' lookups bind the resource they
    show, never writing it into the text) answers the same on both engines."""
    from kazkg.namespaces import sparql_prologue
    from kazkg.query.engines import RdflibEngine

    text = sparql_prologue() + """SELECT ?this ?dir ?s ?p ?o ?g WHERE {
      { GRAPH ?g { ?this ?p ?o } BIND ("out" AS ?dir) }
      UNION { GRAPH ?g { ?s ?p ?this } FILTER (?s != ?this) BIND ("in" AS ?dir) } }"""
    scope = Scope(bindings=(("this", "https://w3id.org/kazkg/resource/shymkent"),))
    found = oxengine.OxigraphEngine(mirror).evaluate(Prepared(text), scope)
    def solutions(raw):
        return Counter(frozenset((str(k), v) for k, v in row.items() if v is not None)
                       for row in raw["bindings"])

    ours = solutions(found.to_raw(path.take(found)[0]))
    reference = RdflibEngine(dataset).evaluate(Prepared(text), scope)
    theirs = solutions(reference.to_raw(path.take(reference)[0]))
    assert len(ours) > 20 and ours == theirs


def test_from_in_a_label_is_no_from_clause():
    """What is in a string, an IRI or a comment is no FROM (nor DESCRIBE, GROUP_CONCAT, <<)."""
    for text in ('SELECT ?r { ?r rdfs:label "Assertions from sentence p3.s5"@en }',
                 "SELECT ?r { ?r rdfs:label ?l } # from the labels, << not a triple term",
                 "SELECT ?r { ?r <http://example.org/describe/group_concat> ?l }"):
        assert not oxengine._defined_differently(text), text
    for text in ("SELECT ?r FROM <http://x/> { ?r ?p ?o }", "DESCRIBE <http://x/>",
                 "SELECT (GROUP_CONCAT(?l) AS ?all) { ?r rdfs:label ?l }",
                 "SELECT * { << ?s ?p ?o >> ?q ?r }"):
        assert oxengine._defined_differently(text), text


def test_what_the_engine_reads_in_the_code_is_kept_by_code():
    """Texts that differ only in a comment, a string, an IRI or a prefixed name have one code
    (kazkg.query.spelling.code): what is read there is worked out once for all of them, and
    still answers for each what it answers alone."""
    from kazkg.query import spelling

    oxengine._differs_in_code.cache_clear()
    spelling._reads.cache_clear()
    texts = [f'SELECT ?r {{ ?r rdfs:label "{label}" ; <http://x/{n}> ?v }} # request {n}'
             for n, label in enumerate(("a", "b from c", "d"))]
    for text in texts:
        assert not oxengine._defined_differently(text), text
        assert not spelling._reads(spelling.code(text)), text
    assert oxengine._differs_in_code.cache_info().hits == 2
    assert spelling._reads.cache_info().hits == 2
    assert oxengine._defined_differently("SELECT ?r FROM <http://x/> { ?r ?p ?o } # request 9")
    assert spelling._reads(spelling.code('SELECT (STR(?v) AS ?s) { ?r <http://x/1> ?v } # 9'))
