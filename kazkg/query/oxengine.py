"""Oxigraph's SPARQL engine (pyoxigraph, in-process) as a kazkg.query.engines.Engine, over a
copy of an rdflib Dataset (a `Mirror`): answers in rdflib's terms for rdflib's writers, or, for
the most asked-for format, SPARQL JSON written straight from Oxigraph's terms as rdflib would
write it.

rdflib stays the reference: the engine declines what it could not answer the same way, and
the next engine (rdflib's) runs it. That is the case for anything that could reach outside
the dataset or that the two engines define differently (SERVICE, FROM, DESCRIBE, GROUP_CONCAT,
SPARQL 1.2, an explicit protocol dataset, a function Oxigraph does not know, an answer that
depends on a literal's spelling: kazkg.query.spelling), and for every syntax error, so that
error messages and their positions stay rdflib's. tests/test_oxengine.py checks that both engines
give the same answers on every catalog query.

The mirror holds every named graph as it is, and in its default graph the set union of all
graphs: rdflib's union default graph is a set, while Oxigraph's union option is a multiset
(a triple in two graphs would match twice).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
from pathlib import Path
from typing import Callable

import pyoxigraph as ox
from rdflib import Dataset, Literal, URIRef, Variable
from rdflib.namespace import XSD

from ..build import cache, mirror as layout
from ..errors import QueryError
from . import decided, spelling
from .engines import Declined, Evaluation, Scope, graph_of
from .sparql import Prepared
from .syntax import caseless_search, memo
from ..formats.terms import to_rdflib

# What the two engines define differently (a false alarm only costs speed): rdflib answers it.
# GROUP_CONCAT: Oxigraph leaves it unbound as soon as one value is not a string (an IRI, a
# number), where rdflib concatenates their strings, as users of other stores expect.
_DIFFERENT = re.compile(r"(?<![?$\w:])(FROM|DESCRIBE|GROUP_CONCAT)(?![\w:-])", re.IGNORECASE)
# SPARQL 1.2 (triple terms, directional literals): rdflib refuses it, so Oxigraph must too
_NEWER = re.compile(r"<<|(?<![?$\w:])(TRIPLE|isTRIPLE|SUBJECT|PREDICATE|OBJECT|STRLANGDIR|"
                    r"LANGDIR|hasLANG|hasLANGDIR)\s*\(", re.IGNORECASE)
# Each match of the two (but <<) begins with one of these words (kazkg.query.syntax.caseless_search)
_DIFFERENT_WORDS = ("from", "describe", "group_concat")
_NEWER_WORDS = ("triple", "istriple", "subject", "predicate", "object", "strlangdir", "langdir",
                "haslang")
_XSD_STRING = str(XSD.string)
FRAGMENTS = 1 << 16  # terms whose SPARQL JSON a Mirror keeps
log = logging.getLogger("kazkg")


class Mirror:
    """An Oxigraph store with the dataset's quads and, as default graph, their union;
    `originals` maps literals that Oxigraph stores in canonical form ("43.650"^^xsd:decimal
    becomes "43.65") back to the dataset's own spelling, so answers match rdflib's. Made in
    memory from an rdflib Dataset, or opened from the cache, where it is kept as an on-disk
    store (RocksDB): that opens in milliseconds whatever its size, where reading 1.2 million
    quads back into memory took 5 s."""

    def __init__(self, dataset: Dataset):
        self._store, self._folder, self._pid = ox.Store(), None, os.getpid()
        self.fragments: dict = {}
        self.kept: decided.Kept | None = None  # the spelling check's decisions, on disk
        literals: set = set()
        self._store.bulk_extend(layout.dataset_quads(dataset, literals))
        self.originals = layout.canonical_spellings(literals)

    @classmethod
    def over(cls, store: ox.Store, folder: Path | None = None) -> "Mirror":
        """A store laid out like a mirror already (kazkg.build.persist writes it so), used as
        it is; it holds literals in Oxigraph's spelling, and so does every answer from it. A
        `folder` is opened again, read-only, by each process forked from here."""
        mirror = cls.__new__(cls)
        mirror._store, mirror._folder, mirror._pid = store, folder, os.getpid()
        mirror.originals, mirror.fragments, mirror.kept = {}, {}, None
        return mirror

    @property
    def store(self) -> ox.Store:
        """RocksDB, under an on-disk store, is not fork-safe: a forked process opens the
        folder itself (the inherited handle is kept, never used nor closed, in that process)."""
        if self._folder is not None and self._pid != os.getpid():
            self._inherited, self._pid = self._store, os.getpid()
            self._store = ox.Store.read_only(str(self._folder))
        return self._store

    @classmethod
    def cached(cls, dataset: Dataset | Callable[[], Dataset], key: str,
               variant: str = "") -> "Mirror":
        """The mirror of the cached build `key` (`variant`: of a part of it), from the cache
        when it is there; else made from `dataset` (or what the function gives) and kept."""
        found = cls.from_cache(key, variant)
        if found is not None:
            return found
        mirror = cls(dataset if isinstance(dataset, Dataset) else dataset())
        mirror.keep(key, variant)
        return mirror

    @classmethod
    def from_cache(cls, key: str, variant: str = "") -> "Mirror | None":
        folder = cache.beside(key, variant + layout.STORE)
        if not (folder / layout.COMPLETE).is_file():
            return None
        try:
            cache.check(folder)  # never a copy cut or edited since it was kept
            found = cls.over(ox.Store.read_only(str(folder)), folder)
            found.originals, found.kept = (layout.read_spellings(folder / layout.COMPLETE),
                                           decided.Kept(key, variant))
        except cache.Damaged as error:
            log.warning("kazkg: %s; making it again", error)
            return None
        except (OSError, SyntaxError, ValueError, KeyError):  # damaged: made again
            return None
        return found

    def keep(self, key: str, variant: str = "") -> None:
        """Write the mirror beside the cached build `key`, whole or not at all."""
        folder = cache.beside(key, variant + layout.STORE)
        if layout.write(folder, lambda disk: disk.bulk_extend(self.store),  # blank labels kept
                        self.originals):
            cache.note_digest(folder)
            self.kept = decided.Kept(key, variant)

    def in_memory(self, limit: int | None = None) -> "Mirror":
        """This mirror in memory (a copy, if it is on disk): queries run there several times
        faster than on RocksDB, for a copy that takes seconds at 100x. With a `limit` (bytes),
        a store bigger than that on disk stays where it is, so that the time a server takes to
        start does not grow with the data (the 1x store, 4 MB, is copied in a fraction of a
        second; the 100x store took 14 s)."""
        if self._folder is None or (limit is not None and _disk_bytes(self._folder) > limit):
            return self
        copy = Mirror.over(ox.Store())
        copy._store.bulk_extend(self.store)
        copy.originals, copy.kept = self.originals, self.kept
        return copy

    def __len__(self) -> int:
        return len(self.store)

    def learn(self, literals) -> None:
        """Keep the spelling of the typed literals a write added (answers keep "1.50")."""
        typed = {t for t in literals if t.datatype is not None}
        if typed:
            self.originals = {**self.originals, **layout.canonical_spellings(typed)}
            self.fragments = {}  # made with the spellings known before
            self.__dict__.pop("_predicates", None)
            self.kept = None  # decided for the build's spellings, no longer these

    def respelled_predicates(self) -> frozenset:
        """The IRIs of the predicates whose objects include a literal of `originals`."""
        if "_predicates" not in self.__dict__:
            self._predicates = decided.respelled_predicates(self.kept, self.store, self.originals)
        return self._predicates

    def spelled(self, value):
        """`value` (a pyoxigraph term) as the dataset spells it."""
        return self.originals.get(value, value) if self.originals else value

    def fragment(self, value) -> str:
        """`value`'s SPARQL JSON (as json.dumps writes it), kept in `fragments`: answers
        repeat terms (at most FRAGMENTS are kept; then the store of them starts again)."""
        text = json.dumps(_json_term(self.spelled(value)), ensure_ascii=False)
        if len(self.fragments) >= FRAGMENTS:
            self.fragments = {}
        self.fragments[value] = text
        return text

    def term(self, value):
        """`value` as the rdflib term the dataset holds."""
        if type(value) is ox.NamedNode:  # valid already: rdflib's check can be skipped
            return str.__new__(URIRef, value.value)
        return _rdflib_term(self.spelled(value))


def _disk_bytes(folder: Path) -> int:
    return sum(entry.stat().st_size for entry in folder.iterdir() if entry.is_file())


class OxigraphEngine:
    """Oxigraph's engine over a Mirror; see the module's docstring for what it declines."""

    name = "oxigraph"

    def __init__(self, mirror: Mirror):
        self.mirror = mirror

    def accepts(self, prepared: Prepared, scope: Scope) -> bool:
        mirror = self.mirror
        return not (scope.default_graphs or scope.named_graphs  # writes reach the mirror too
                    or prepared.may_reach_out  # Oxigraph would call a SERVICE itself
                    or _defined_differently(prepared.lean)
                    or spelling.matters(prepared, mirror.originals, mirror.respelled_predicates,
                                        mirror.kept))

    def evaluate(self, prepared: Prepared, scope: Scope) -> Evaluation:
        try:
            found = self.mirror.store.query(prepared.full_text, base_iri=prepared.base, substitutions={
                ox.Variable(name): ox.NamedNode(iri) for name, iri in scope.bindings} or None)
        except (SyntaxError, ValueError, OSError):
            raise Declined from None  # rdflib reports it, with its own message and position
        except RuntimeError:  # e.g. an unknown function: rdflib evaluates it as SPARQL says
            raise Declined from None
        mirror = self.mirror
        if isinstance(found, ox.QueryBoolean):
            return Evaluation("ASK", lambda: bool(found),
                              lambda kept: {"type_": "ASK", "askAnswer": kept},
                              lambda kept: results_json(mirror, None, kept))
        if isinstance(found, ox.QuerySolutions):
            names = [v.value for v in found.variables]
            order = prepared.in_order(names)  # SELECT *: as they come in the query
            return Evaluation("SELECT", lambda: found,
                              lambda kept: {"type_": "SELECT", "vars_": [Variable(n) for n in order],
                                            "bindings": rdflib_rows(mirror, names, kept)},
                              lambda kept: results_json(mirror, names, kept, order))
        return Evaluation("CONSTRUCT", lambda: found,  # may repeat a triple: limits.cap counts once
                          lambda kept: {"type_": "CONSTRUCT", "graph": graph_of(
                              tuple(mirror.term(t) for t in triple) for triple in kept)})


# Making an rdflib Literal costs many times what reading Oxigraph's term does (it parses its
# value): answers repeat literals, so each is made once.
_rdflib_term = functools.lru_cache(maxsize=1 << 18)(to_rdflib)


def _defined_differently(text: str) -> bool:
    """Read in the query's code (kazkg.query.spelling.code): a label "Assertions from ..." is
    no FROM, and such a look-up went to rdflib (about 1 s under load, past the lane's limit)."""
    return _differs_in_code(spelling.code(text))


@memo(maxsize=1024)
def _differs_in_code(found: str) -> bool:
    """_defined_differently of a query whose code is `found`: kept by code, which texts that
    differ only in their comments, strings, IRIs or prefixed names share (0.04 ms a query)."""
    return ("<<" in found or caseless_search(_DIFFERENT, found, _DIFFERENT_WORDS)
            or caseless_search(_NEWER, found, _NEWER_WORDS))


def rdflib_rows(mirror: Mirror, names: list[str], solutions) -> list[dict]:
    """Each solution as rdflib's row: {Variable: term}, unbound variables left out. A solution
    is read in its variables' order (by name, a lookup took 5 times as long)."""
    variables, term = [Variable(name) for name in names], mirror.term
    return [{variable: term(value) for variable, value in zip(variables, solution)
             if value is not None} for solution in solutions]


# --- SPARQL 1.1 Query Results JSON straight from Oxigraph's terms ---------------------------
# The most asked-for format skips rdflib's terms and writer: about half the cost of a query.

def results_json(mirror: Mirror, names: list[str] | None, kept, order=None) -> bytes:
    """SPARQL 1.1 Query Results JSON of the kept solutions of a SELECT (`names`: its
    variables, in the solutions' order; `order`: in the answer's, default the same), or of an
    ASK's answer (`names` None, `kept` the boolean). Written as text from each term's JSON,
    made once per term (Mirror.fragment): json.dumps's bytes, in a third of the time."""
    if names is None:
        return json.dumps({"head": {}, "boolean": bool(kept)}).encode("utf-8")
    order = order or names
    keys = [(names.index(name), json.dumps(name, ensure_ascii=False) + ": ") for name in order]
    known, fragment = mirror.fragments, mirror.fragment
    rows = []
    for solution in kept:
        cells = []
        for i, key in keys:
            value = solution[i]
            if value is not None:
                cells.append(key + (known.get(value) or fragment(value)))
        rows.append("{" + ", ".join(cells) + "}")
    head = json.dumps({"vars": order}, ensure_ascii=False)
    return f'{{"head": {head}, "results": {{"bindings": [{", ".join(rows)}]}}}}'.encode("utf-8")


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
