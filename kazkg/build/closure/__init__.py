"""kazkg's OWL 2 RL closure: owlrl's rules, evaluated semi-naively over integer-coded terms.

`compute(triples)` returns what owlrl's `DeductiveClosure(OWLRL_Semantics).expand` would add
to the graph (without its reflexive `x owl:sameAs x` triples) and the inconsistencies it
would report, in a fraction of the time: owlrl applies every rule to every triple of the
graph in every cycle, this fires each new triple once, through the rules its predicate and
class can fire (kazkg.closure.engine). Tests check it equal to owlrl on kazkg's data, on the
scale generator's and on random ontologies.

Where owlrl's answer would depend on things this does not model, it says so in `fallback`
(the caller then runs owlrl): owl:sameAs used as a subject or object, or rules that derive
rdf:List structure.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode

from . import checks, schema
from .engine import Engine
from .store import Store, Terms
from .vocabulary import SAME


@dataclass
class Closure:
    engine: Engine
    errors: list[str]
    fallback: str | None

    def inferred(self):
        """The new triples as rdflib terms, without the generalized ones owlrl removes at its
        end (a blank node as predicate)."""
        term = self.engine.terms.term
        for s, p, o in self.engine.derived:
            predicate = term(p)
            if not isinstance(predicate, BNode):
                yield term(s), predicate, term(o)

    def view(self, asserted_only: bool = False) -> "View":
        """The closed graph (or only its asserted part) as the few Graph methods
        kazkg.reason.problems reads."""
        return View(self, asserted_only)


def compute(triples) -> Closure:
    """The closure of `triples` (rdflib (s, p, o) tuples; duplicates are harmless)."""
    terms = Terms()
    code = terms.code
    return compute_coded(terms, ((code(s), code(p), code(o)) for s, p, o in triples))


def compute_coded(terms: Terms, triples) -> Closure:
    """The closure of coded triples; `terms` may know more terms than they use (an earlier
    closure's), only the literals they hold count."""
    store, literals, used = Store(), terms.literals, set()
    add = store.add
    for s, p, o in triples:
        add(s, p, o)
        if o in literals:
            used.add(o)
        if s in literals:
            used.add(s)
    terms.literals = used
    engine = Engine(terms, store)
    engine.once_errors = schema.once(engine)
    engine.queue = list(store.triples())
    run(engine)
    return finish(engine)


def run(engine: Engine) -> None:
    """Fire what is queued, with the schema's rules and prp-key, until nothing new comes."""
    while True:
        before = len(engine.derived)
        schema.saturate(engine)
        engine.refresh_plans()
        engine.drain()
        schema.keys(engine)
        if len(engine.derived) == before and not engine.queue:
            break


def finish(engine: Engine) -> Closure:
    """The closure of what the engine holds: the one-time rules' errors, then the
    contradictions checked on the whole closed store."""
    errors = list(engine.once_errors)
    for message in checks.contradictions(engine):
        if message not in errors:
            errors.append(message)
    return Closure(engine, errors, _fallback(engine))


def _fallback(engine) -> str | None:
    if engine.derived_lists:
        return "the rules derived rdf:first or rdf:rest triples"
    st = engine.store
    if any(SAME in st.sp[p] or SAME in st.op[p] for p in st.sp):
        return "owl:sameAs is used as a subject or object"
    return None


class View:
    """Read-only Graph-like access to a Closure, in rdflib terms."""

    def __init__(self, closure: Closure, asserted_only: bool):
        self._terms = closure.engine.terms
        self._store = closure.engine.store
        self._derived = set(closure.engine.derived) if asserted_only else None

    def _keep(self, s, p, o) -> bool:
        return self._derived is None or (s, p, o) not in self._derived

    def __contains__(self, triple) -> bool:
        codes = [self._terms.known(t) for t in triple]
        return None not in codes and self._store.has(*codes) and self._keep(*codes)

    def subjects(self, predicate, obj):
        p, o = self._terms.known(predicate), self._terms.known(obj)
        if p is None or o is None:
            return
        for s in list(self._store.subjects(p, o)):
            if self._keep(s, p, o):
                yield self._terms.term(s)

    def subject_objects(self, predicate):
        p = self._terms.known(predicate)
        if p is None:
            return
        for s, o in self._store.pairs(p):
            if self._keep(s, p, o):
                yield self._terms.term(s), self._terms.term(o)

