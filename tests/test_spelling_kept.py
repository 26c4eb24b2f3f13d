"""The spelling check's decisions kept beside a cached build (kazkg.query.decided): a later
process over the same build decides without rdflib's parser, and a decision is never used
for another build, by other code, from a damaged file, or once a write taught the copy new
spellings. Two small datasets differ only in which predicate holds a decimal that Oxigraph
spells otherwise ("42.900" is its "42.9"): the same query reads that spelling in one and not
in the other."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import XSD

from kazkg.build import cache
from kazkg.query import decided, oxengine, path, spelling
from kazkg.query.served import Served

EX = "http://example.org/"
QUERY = f"SELECT (STR(?v) AS ?x) {{ ?s <{EX}p> ?v }}"


def dataset(p: str, q: str) -> Dataset:
    """ex:s ex:p p, ex:q q (decimals), in one named graph."""
    made = Dataset(default_union=True)
    graph = made.graph(URIRef(EX + "g"))
    for predicate, value in (("p", p), ("q", q)):
        graph.add((URIRef(EX + "s"), URIRef(EX + predicate), Literal(value, datatype=XSD.decimal)))
    return made


KEEPS = dataset(p="7.5", q="42.900")  # what ?v holds keeps its spelling: Oxigraph answers
READS = dataset(p="42.900", q="7.5")  # ?v holds a respelled one: rdflib answers "42.900"


def kept_build(data: Dataset) -> str:
    """A cached build of `data`, its Oxigraph copy kept beside it; its key."""
    key = f"spelling-kept-{uuid.uuid4().hex}"
    cache.save_summary(key, {"counts": {}})
    oxengine.Mirror.cached(data, key)
    return key


@pytest.fixture
def parses(monkeypatch) -> list:
    """The texts rdflib parses for the spelling check from here on, in this process."""
    calls: list = []
    real = spelling.parse.__wrapped__
    monkeypatch.setattr(spelling, "parse", lambda *args: calls.append(args[0]) or real(*args))
    return calls


def restarted(key: str, data: Dataset) -> Served:
    """What a new process serves: the copy opened from the cache, nothing decided in memory."""
    spelling._respelled.cache_clear()
    mirror = oxengine.Mirror.from_cache(key)
    assert mirror is not None
    return Served(data, oxengine.OxigraphEngine(mirror))


def answer(served: Served) -> tuple[str, list]:
    """(the engine that answered QUERY, the values of ?x)."""
    evaluation = path.start(served, QUERY)
    engine = "oxigraph" if evaluation.json is not None else "rdflib"
    body = json.loads(path.write(evaluation, path.take(evaluation)[0], "json"))
    return engine, sorted(row["x"]["value"] for row in body["results"]["bindings"])


def test_a_later_process_reads_the_decision_back(parses):
    key = kept_build(KEEPS)
    assert answer(restarted(key, KEEPS)) == ("oxigraph", ["7.5"])
    assert len(parses) == 1
    served = restarted(key, KEEPS)
    assert answer(served) == ("oxigraph", ["7.5"])
    assert len(parses) == 1  # decided from the file: no parse, no look-up of the predicates
    assert "_predicates" not in served.oxigraph.mirror.__dict__


def test_a_dataset_spelled_otherwise_gets_the_respelled_answer_after_a_restart(parses):
    keeps, reads = kept_build(KEEPS), kept_build(READS)
    assert answer(restarted(keeps, KEEPS)) == ("oxigraph", ["7.5"])
    assert answer(restarted(reads, READS)) == ("rdflib", ["42.900"])
    assert answer(restarted(reads, READS)) == ("rdflib", ["42.900"])  # and from its own file
    assert len(parses) == 2
    found = json.loads(cache.beside(reads, decided.NAME).read_text())
    assert found["predicates"] == [EX + "p"] and list(found["decisions"].values()) == [True]


def test_another_builds_decision_is_not_used(parses):
    keeps, reads = kept_build(KEEPS), kept_build(READS)
    answer(restarted(keeps, KEEPS))
    whole = cache.beside(keeps, decided.NAME).read_bytes()  # its own digest is right
    cache.beside(reads, decided.NAME).write_bytes(whole)
    assert answer(restarted(reads, READS)) == ("rdflib", ["42.900"])
    assert len(parses) == 2


def test_a_decision_by_other_code_is_not_used(parses, monkeypatch):
    key = kept_build(READS)
    answer(restarted(key, READS))
    monkeypatch.setattr(decided, "_code_digest", lambda: "an older spelling check")
    assert answer(restarted(key, READS)) == ("rdflib", ["42.900"])
    assert len(parses) == 2


@pytest.mark.parametrize("damage", ["flipped", "forged", "cut", "not json", "not a decision"])
def test_a_damaged_file_is_not_used(parses, damage, caplog):
    key = kept_build(READS)
    answer(restarted(key, READS))
    kept = cache.beside(key, decided.NAME)
    found = json.loads(kept.read_text())
    if damage == "flipped":  # the answer it would give is Oxigraph's "42.9"
        found["decisions"] = {name: False for name in found["decisions"]}
        kept.write_text(json.dumps(found))
    elif damage == "forged":  # flipped, with the SHA-256 main's check took for its own
        found["decisions"] = {name: False for name in found["decisions"]}
        found["digest"] = hashlib.sha256(json.dumps({k: v for k, v in found.items()
                                                     if k != "digest"}, sort_keys=True)
                                         .encode("utf-8")).hexdigest()
        kept.write_text(json.dumps(found))
    elif damage == "cut":
        kept.write_bytes(kept.read_bytes()[:40])
    elif damage == "not json":
        kept.write_bytes(b"\xff\x00")
    else:
        found["decisions"] = {name: "no" for name in found["decisions"]}
        found["digest"] = decided._digest(kept, {k: v for k, v in found.items() if k != "digest"})
        kept.write_text(json.dumps(found))
    with caplog.at_level(logging.WARNING, logger="kazkg"):
        assert answer(restarted(key, READS)) == ("rdflib", ["42.900"])
    assert len(parses) == 2
    assert f"the cache file {kept} is damaged" in caplog.text
    assert json.loads(kept.read_text())["decisions"]  # decided again, and kept whole
    assert answer(restarted(key, READS)) == ("rdflib", ["42.900"])
    assert len(parses) == 2


def test_spellings_a_write_taught_the_copy_are_decided_afresh(parses):
    key = kept_build(KEEPS)
    answer(restarted(key, KEEPS))
    data = dataset(p="7.5", q="42.900")
    copy = restarted(key, data).oxigraph.mirror.in_memory()  # as a server writes to it
    served = Served(data, oxengine.OxigraphEngine(copy))
    added = (URIRef(EX + "t"), URIRef(EX + "p"), Literal("42.900", datatype=XSD.decimal))
    data.graph(URIRef(EX + "g")).add(added)
    for quad in oxengine.layout.dataset_quads(data, set()):
        copy.store.add(quad)
    assert answer(served)[0] == "oxigraph"  # decided for the build's spellings: kept
    copy.learn([added[2]])
    assert answer(served) == ("rdflib", ["42.900", "7.5"])


def test_a_folder_that_cannot_be_written_keeps_nothing(parses, monkeypatch):
    key = kept_build(READS)

    def refused(*args):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(decided, "write_atomic", refused)
    assert answer(restarted(key, READS)) == ("rdflib", ["42.900"])
    assert answer(restarted(key, READS)) == ("rdflib", ["42.900"])
    assert len(parses) == 2 and not cache.beside(key, decided.NAME).exists()
