"""Oxigraph's SPARQL engine (pyoxigraph, in-process) as a kazkg.query.engines.Engine, over a
copy of an rdflib Dataset (a `Mirror`): answers in rdflib's terms for rdflib's writers, or, for
the most asked-for format, SPARQL JSON written straight from Oxigraph's terms as rdflib would
write it.

rdflib stays the reference: the engine declines what it could not answer the same way, and
the next engine (rdflib's) runs it. That is the case for anything that could reach outside
the dataset or that the two engines define differently (SERVICE, FROM, DESCRIBE, SPARQL 1.2,
an explicit protocol dataset, a changed dataset), and for every syntax error, so that error
messages and their positions stay rdflib's. tests/test_oxengine.py checks that both engines
give the same answers on every catalog query.

The mirror holds every named graph as it is, and in its default graph the set union of all
graphs: rdflib's union default graph is a set, while Oxigraph's union option is a multiset
(a triple in two graphs would match twice).
"""

from __future__ import annotations

import functools
import json
import re

import pyoxigraph as ox
from rdflib import Dataset, Literal, URIRef, Variable
from rdflib.namespace import XSD

from ..build import cache
from ..errors import QueryError
from ..formats.files import write_atomic
from ..formats.terms import oxigraph_quads, to_oxigraph, to_rdflib
from .engines import Declined, Evaluation, Scope, graph_of
from .sparql import Prepared

# What the two engines define differently (a false alarm only costs speed): rdflib answers it.
_DIFFERENT = re.compile(r"(?<![?$\w:])(FROM|DESCRIBE)(?![\w:-])", re.IGNORECASE)
# SPARQL 1.2 (triple terms, directional literals): rdflib refuses it, so Oxigraph must too
_NEWER = re.compile(r"<<|(?<![?$\w:])(TRIPLE|isTRIPLE|SUBJECT|PREDICATE|OBJECT|STRLANGDIR|"
                    r"LANGDIR|hasLANG|hasLANGDIR)\s*\(", re.IGNORECASE)
_COMMENT = re.compile(r"^\s*#[^\n]*$", re.MULTILINE)
_XSD_STRING = str(XSD.string)


class Mirror:
    """An in-memory Oxigraph store with the dataset's quads and, as default graph, their union;
    `originals` maps literals that Oxigraph stores in canonical form ("43.650"^^xsd:decimal
    becomes "43.65") back to the dataset's own spelling, so answers match rdflib's."""

    def __init__(self, dataset: Dataset):
        self.store = ox.Store()
        self.store.bulk_extend(oxigraph_quads(dataset))
        typed = {o for o in dataset.objects() if isinstance(o, Literal) and o.datatype is not None}
        self.originals = _canonical_spellings(typed)

    @classmethod
    def cached(cls, dataset: Dataset, key: str, variant: str = "") -> "Mirror":
        """The mirror of the cached build `key`, itself kept in the cache: Oxigraph's own
        N-Quads parser reads it back in a quarter of the time of converting every quad (5 s
        instead of 19 s for 1.2 million quads). parse() keeps blank node labels, which
        bulk_load would rename, so answers name them as rdflib does."""
        dump, spellings = cache.beside(key, variant + DUMP), cache.beside(key, variant + SPELLINGS)
        try:
            mirror = cls.over(ox.Store())
            mirror.store.bulk_extend(ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS))
            mirror.originals = _read_spellings(spellings)
            return mirror
        except (OSError, SyntaxError, ValueError, KeyError):  # missing or damaged: build again
            mirror = cls(dataset)
        try:
            write_atomic(  # streamed: 250 MB at 100x need not sit in memory
                dump, lambda out: mirror.store.dump(out, format=ox.RdfFormat.N_QUADS))
            write_atomic(spellings, _write_spellings(mirror.originals))
        except OSError:  # a read-only cache folder: serve all the same
            pass
        return mirror

    @classmethod
    def over(cls, store: ox.Store) -> "Mirror":
        """A store laid out like a mirror already (kazkg.build.persist writes it so), used as it is;
        it holds literals in Oxigraph's spelling, and so does every answer from it."""
        mirror = cls.__new__(cls)
        mirror.store, mirror.originals = store, {}
        return mirror

    def __len__(self) -> int:
        return len(self.store)

    def spelled(self, value):
        """`value` (a pyoxigraph term) as the dataset spells it."""
        return self.originals.get(value, value) if self.originals else value

    def term(self, value):
        return to_rdflib(self.spelled(value))


def _canonical_spellings(literals) -> dict:
    """{Oxigraph's canonical literal: the original} for the literals whose spelling changes."""
    probe, predicate = ox.Store(), ox.NamedNode("urn:x-kazkg:value")
    originals = [to_oxigraph(lit) for lit in sorted(literals)]
    probe.bulk_extend(ox.Quad(ox.NamedNode(f"urn:x-kazkg:{i}"), predicate, lit)
                      for i, lit in enumerate(originals))
    changed = {}
    for quad in probe:
        original = originals[int(quad.subject.value.rsplit(":", 1)[1])]
        if quad.object != original:
            changed[quad.object] = original
    return changed


# The cached mirror's files; a change to what they hold needs a new name.
DUMP, SPELLINGS = "oxigraph-mirror-1.nq", "oxigraph-spellings-1.nt"
_CANONICAL, _ORIGINAL = ox.NamedNode("urn:x-kazkg:canonical"), ox.NamedNode("urn:x-kazkg:original")


def _write_spellings(originals: dict) -> bytes:
    """{canonical: original} as N-Triples (a parser keeps a literal's spelling, a store not)."""
    triples = []
    for i, (canonical, original) in enumerate(originals.items()):
        node = ox.NamedNode(f"urn:x-kazkg:{i}")
        triples += [ox.Triple(node, _CANONICAL, canonical), ox.Triple(node, _ORIGINAL, original)]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def _read_spellings(path) -> dict:
    pairs: dict = {}
    for triple in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
        pairs.setdefault(triple.subject, {})[triple.predicate] = triple.object
    return {pair[_CANONICAL]: pair[_ORIGINAL] for pair in pairs.values()}


class OxigraphEngine:
    """Oxigraph's engine over a Mirror; see the module's docstring for what it declines."""

    name = "oxigraph"

    def __init__(self, mirror: Mirror):
        self.mirror = mirror

    def accepts(self, prepared: Prepared, scope: Scope) -> bool:
        text = prepared.text
        return not (scope.default_graphs or scope.named_graphs or scope.generation
                    or prepared.may_reach_out  # Oxigraph would call a SERVICE itself
                    or _DIFFERENT.search(_COMMENT.sub("", text)) or _NEWER.search(text))

    def evaluate(self, prepared: Prepared, scope: Scope) -> Evaluation:
        try:
            found = self.mirror.store.query(prepared.full_text, base_iri=prepared.base)
        except (SyntaxError, ValueError, OSError):
            raise Declined from None  # rdflib reports it, with its own message and position
        mirror = self.mirror
        if isinstance(found, ox.QueryBoolean):
            return Evaluation("ASK", lambda: bool(found),
                              lambda kept: {"type_": "ASK", "askAnswer": kept},
                              lambda kept: results_json(mirror, None, kept))
        if isinstance(found, ox.QuerySolutions):
            names = [v.value for v in found.variables]
            return Evaluation("SELECT", lambda: found,
                              lambda kept: {"type_": "SELECT", "vars_": [Variable(n) for n in names],
                                            "bindings": rdflib_rows(mirror, names, kept)},
                              lambda kept: results_json(mirror, names, kept))
        return Evaluation("CONSTRUCT", lambda: found,  # may repeat a triple: limits.cap counts once
                          lambda kept: {"type_": "CONSTRUCT", "graph": graph_of(
                              tuple(mirror.term(t) for t in triple) for triple in kept)})


def rdflib_rows(mirror: Mirror, names: list[str], solutions) -> list[dict]:
    pairs = [(name, Variable(name)) for name in names]
    rows = []
    for solution in solutions:
        row = {}
        for name, variable in pairs:
            value = solution[name]
            if value is not None:
                row[variable] = mirror.term(value)
        rows.append(row)
    return rows


# --- SPARQL 1.1 Query Results JSON straight from Oxigraph's terms ---------------------------
# The most asked-for format skips rdflib's terms and writer: about half the cost of a query.

def results_json(mirror: Mirror, names: list[str] | None, kept) -> bytes:
    """SPARQL 1.1 Query Results JSON of the kept solutions of a SELECT (`names`: its
    variables), or of an ASK's answer (`names` None, `kept` the boolean)."""
    if names is None:
        return json.dumps({"head": {}, "boolean": bool(kept)}).encode("utf-8")
    rows = []
    for solution in kept:
        row = {}
        for name in names:
            value = solution[name]
            if value is not None:
                row[name] = _json_term(mirror.spelled(value))
        rows.append(row)
    document = {"head": {"vars": names}, "results": {"bindings": rows}}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


@functools.lru_cache(maxsize=1 << 16)
def _as_rdflib_spells(value: str, datatype: str) -> str:
    """A typed literal spelled as rdflib spells it ("1"^^xsd:double is "1.0", "...Z" in an
    xsd:dateTime is "+00:00"), so that JSON answers match the other formats, written by rdflib."""
    return str(Literal(value, datatype=URIRef(datatype)))


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.Literal):
        if term.direction is not None:
            raise QueryError("an answer holds a literal with a base direction (RDF 1.2), which "
                             "SPARQL 1.1 Query Results JSON cannot carry")
        if term.language:
            return {"type": "literal", "value": term.value, "xml:lang": term.language}
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return {"type": "literal", "value": term.value}
        return {"type": "literal", "value": _as_rdflib_spells(term.value, datatype),
                "datatype": datatype}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    raise QueryError(f"an answer holds a term kazkg cannot write: {term!r}")
