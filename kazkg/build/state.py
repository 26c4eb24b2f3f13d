"""What an incremental build starts from, kept beside each cached build (kazkg.build.statefile).

The state: the digest of each input file, each graph's triples coded as ints
(kazkg.build.closure's terms; an array per graph, decoded only for the graphs that changed),
the terms, the inferred graph as published, SHACL's raw results and what the shapes read
(kazkg.build.localshapes.Reach), and what the closure's rules can read (`bound`).
`closure-1.pickle`: the closure's engine as it ended (its store of asserted and derived
triples), read only when a change reaches the rules. A change no rule reads (`free`) does not
touch it: the next entry links the same file, and the triples it lacks are kept `pending`.
A change to what they hold needs new names.
"""

from __future__ import annotations

import pickle
from array import array
from dataclasses import dataclass, field

from rdflib import BNode, Literal, URIRef

from . import cache
from .closure import Closure
from .closure.delta import SCHEMA_CLASSES, is_schema
from .closure.engine import Engine
from .closure.store import Store, Terms
from .closure.vocabulary import ANNP, DATAP, DIFF, OBJP, PROPERTY, SAME, TYPE

_DECLARATIONS = {ANNP, DATAP, OBJP, PROPERTY}


def key(triple) -> int:
    """One int for a coded triple (membership in the union is kept as a set of these)."""
    s, p, o = triple
    return (s << 64) | (p << 32) | o


class StoredTerms(Terms):
    """kazkg.build.closure's Terms read back from the state: each term kept as a string and
    made an rdflib term only when asked for (making 40,000 of them took most of a load)."""

    def __init__(self, keys: list[str]):
        self.keys, self._made = keys, {}
        self.ids = {k: i for i, k in enumerate(keys)}
        self.literals = {i for i, k in enumerate(keys) if k[0] == "L"}

    @property
    def terms(self) -> list[str]:
        return self.keys

    def code(self, term) -> int:
        k = _key(term)
        found = self.ids.get(k)
        if found is None:
            found = self.ids[k] = len(self.keys)
            self.keys.append(k)
            self._made[found] = term
            if k[0] == "L":
                self.literals.add(found)
        return found

    def term(self, code: int):
        found = self._made.get(code)
        if found is None:
            found = self._made[code] = _term(self.keys[code])
        return found

    def known(self, term) -> int | None:
        return self.ids.get(_key(term))


def term_keys(terms: Terms) -> list[str]:
    return terms.keys if isinstance(terms, StoredTerms) else [_key(t) for t in terms.terms]


def _key(term) -> str:
    if isinstance(term, Literal):
        meta = f"@{term.language}" if term.language else f"^{term.datatype}" if term.datatype else ""
        return f"L{meta}\0{term}"
    if isinstance(term, BNode):
        return f"B{term}"
    if isinstance(term, URIRef):
        return f"U{term}"
    raise TypeError(f"no stored form for {term!r}")


def _term(k: str):
    kind, rest = k[0], k[1:]
    if kind == "U":
        return URIRef(rest)
    if kind == "B":
        return BNode(rest)
    meta, _, lexical = rest.partition("\0")
    if meta.startswith("@"):
        return Literal(lexical, lang=meta[1:])
    return Literal(lexical, datatype=URIRef(meta[1:])) if meta else Literal(lexical)


def encode(triples) -> array:
    return array("q", [c for t in triples for c in t])


def decode(coded: array) -> set:
    it = iter(coded)
    return set(zip(it, it, it))


@dataclass
class State:
    code: str                    # Inputs.code_digest(): the pipeline's code and libraries
    files: dict[str, str]        # graph IRI (or "shapes") -> SHA-256 of its file
    graphs: dict[str, array]     # graph IRI -> its coded triples (the ontology's too)
    terms: Terms
    published: set               # the inferred graph, coded
    results: list                # SHACL's results (kazkg.build.validate.results), rdflib terms
    reach: object = None         # what the shapes read (localshapes.Reach), once analysed
    bound: set = field(default_factory=set)  # terms the closure's schema rules name
    has_same: bool = False       # the closure holds owl:sameAs triples
    typed: set = field(default_factory=set)  # typed literals the closure has typed
    pending: list = field(default_factory=list)  # (s, p, o, added?) the closure file lacks
    union: set = field(default_factory=set)    # key() of each triple of the union of the graphs
    shared: dict = field(default_factory=dict)  # key() -> graphs, of those in more than one
    closure_file: object = None  # where the engine is kept, until `engine` is read
    _engine: Engine | None = None
    dirty: bool = False          # the engine changed: written again, not linked
    since: object = None         # what changed since the state kept whole (statefile.Since)
    closure_digest: str | None = None  # the closure file's digest, as its manifest holds it

    def graph(self, name: str) -> set:
        return decode(self.graphs.get(name, array("q")))

    def set_graph(self, name: str, triples: set) -> None:
        """The graph `name` now holds the coded `triples` (none: it is gone)."""
        if triples:
            self.graphs[name] = encode(triples)
        else:
            self.graphs.pop(name, None)
        if self.since is not None:
            self.since.graphs.add(name)

    def union_triples(self) -> set:
        return {t for name in self.graphs for t in self.graph(name)}

    def __contains__(self, triple) -> bool:
        """Whether the union of the graphs holds the coded triple."""
        return key(triple) in self.union

    def change(self, triple, present: bool, net: tuple[set, set]) -> None:
        """One graph gained (`present`) or lost the triple: the union follows, and `net`
        (added, removed) says what joined or left it."""
        k, (added, removed) = key(triple), net
        if present:
            if k in self.union:
                self.shared[k] = self.shared.get(k, 1) + 1
                return
            self.union.add(k)
            self._noted(k, True)
            (removed.discard if triple in removed else added.add)(triple)
        elif k in self.shared:
            self.shared[k] -= 1
            if self.shared[k] == 1:
                del self.shared[k]
        else:
            self.union.discard(k)
            self._noted(k, False)
            (added.discard if triple in added else removed.add)(triple)

    def _noted(self, k: int, present: bool) -> None:
        """The union gained (`present`) or lost the key `k`: noted as a change since the state
        kept whole, undoing an earlier change of the same key."""
        if self.since is not None:
            plus, minus = (self.since.plus, self.since.minus) if present else (
                self.since.minus, self.since.plus)
            (minus.discard if k in minus else plus.add)(k)

    def engine(self) -> Engine:
        """The closure's engine, read when first asked for, with the pending triples in it."""
        if self._engine is None:
            found = pickle.loads(cache.read_bytes(self.closure_file))
            store = Store()
            store.sp, store.op, store.size = found["sp"], found["op"], found["size"]
            engine = Engine(self.terms, store)
            engine.derived = list(zip(*[iter(found["derived"])] * 3))
            engine.once_errors, engine.datatypes_used = found["once_errors"], found["datatypes_used"]
            for s, p, o, present in self.pending:  # kept pending until it is written again
                (store.add if present else store.discard)(s, p, o)
            self._engine = engine
        return self._engine

    def forget_engine(self) -> None:
        """Drop the closure's engine once it is kept on disk (`save`): `engine` reads it back."""
        if self._engine is not None and not self.dirty:
            self._engine = None

    def use(self, closure: Closure) -> None:
        """Take `closure` as this state's closure: what its rules can read is noted again."""
        engine = self._engine = closure.engine
        self.pending, self.dirty, st = [], True, engine.store
        self.bound, self.has_same = set(), bool(st.sp.get(SAME))
        for p in st.sp:
            if p == TYPE:
                schema = [(s, TYPE, o) for o in SCHEMA_CLASSES for s in st.subjects(TYPE, o)]
            elif p not in (SAME, DIFF) and is_schema((None, p, None), frozenset()):
                schema = [(s, p, o) for s, o in st.pairs(p)]
            else:
                continue
            for s, q, o in schema:
                if not (s == o or (q == TYPE and o in _DECLARATIONS)):
                    self.bound.update((s, q, o))
        self.typed = {s for s, p, o in engine.derived if p == TYPE and s in self.terms.literals}

    def free(self, triple, removed: bool = False) -> bool:
        """Whether no rule of the closure can read this asserted triple: adding or removing it
        derives nothing and contradicts nothing (its predicate is named by no schema triple but
        its own declarations, there is no owl:sameAs, and a typed literal in it is typed
        already; one `removed` may hold no typed literal, whose type would stay)."""
        s, p, o = triple
        if self.has_same or p in self.bound or p in (TYPE, SAME, DIFF) or is_schema(triple, frozenset()):
            return False
        term = self.terms.term(o)
        return not (isinstance(term, Literal) and term.datatype is not None
                    and (removed or o not in self.typed))


def of_graphs(code: str, digests: dict, graphs: dict[str, array], terms: Terms) -> State:
    """The state of a full build of the coded `graphs` (each graph's array, the ontology's
    too), with the union of the graphs noted; its closure, inferred graph and SHACL results
    are set once they are made (`use`, `published`, `results`)."""
    found = State(code, digests, graphs, terms, set(), [])
    union, shared = found.union, found.shared
    for coded in graphs.values():
        for k in map(key, decode(coded)):
            if k in union:
                shared[k] = shared.get(k, 1) + 1
            else:
                union.add(k)
    return found


def meaningful_codes(engine, triples, is_meaningful) -> set:
    """Of the coded derived `triples`, those to publish (as kazkg.build.reason publishes them)."""
    term, found = engine.terms.term, set()
    for s, p, o in triples:
        triple = (term(s), term(p), term(o))
        if not isinstance(triple[1], BNode) and is_meaningful(triple):
            found.add((s, p, o))
    return found
