"""The closure of a graph to which triples were added, from the closure of the graph before.

The rules are monotone: the closure of A + D is the closure of A with D fired through the same
rules, semi-naively (each new triple once, joined with what the store holds). That holds as
long as D changes no compiled plan and no one-time rule: a triple of the schema's vocabulary
(rdfs:subClassOf, owl:inverseOf, a class typed owl:TransitiveProperty, list cells ...), a
datatype named as a class, or a literal of a datatype no other literal used. Then `extend`
says so (None) and the caller closes the graph from scratch. Removals always go that way
(kazkg.build.incremental): rederiving what a removed triple supported costs more than the
closure itself at kazkg's sizes.
"""

from __future__ import annotations

from owlrl.DatatypeHandling import AltXSDToPYTHON
from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes

from . import Closure, finish, run
from .vocabulary import ANNP, CLASS, DATATYPE, DIFF, FIRST, SAME, TGTV, TYPE

# predicates whose triples the plans and the schema's rules read (all of VOCABULARY's from
# rdfs:subClassOf to owl:targetValue, and the list cells), but owl:sameAs and differentFrom,
# which the engine and the checks handle triple by triple
_SCHEMA_PREDICATES = frozenset(range(1, TGTV + 1)) - {SAME, DIFF} | {FIRST, FIRST + 1}
SCHEMA_CLASSES = frozenset(range(CLASS, DATATYPE + 1)) | {ANNP}


def is_schema(triple, datatypes: frozenset) -> bool:
    s, p, o = triple
    return p in _SCHEMA_PREDICATES or (p == TYPE and (o in SCHEMA_CLASSES or o in datatypes))


def extend(closure: Closure, added: list[tuple[int, int, int]], literals) -> Closure | None:
    """`closure` with the coded triples `added` (the literals among them: `literals`, codes)
    fired; None when that would not be the closure of the whole (see above). The closure's
    engine is changed in place either way: on None, throw it away."""
    engine = closure.engine
    terms, store = engine.terms, engine.store
    datatypes = frozenset(terms.known(d) for d in OWL_RL_Datatypes) - {None}
    if any(is_schema(t, datatypes) for t in added):
        return None
    queue = [t for t in added if store.add(*t)]
    already = set(added).difference(queue)
    if already:  # derived before, asserted now: no longer inferred
        engine.derived = [t for t in engine.derived if t not in already]
    before = engine.first_new = len(engine.derived)  # what is derived from here on is new
    if not _literal_rules(engine, literals):
        return None
    engine.queue = queue + engine.queue
    run(engine)
    if any(is_schema(t, datatypes) for t in engine.derived[before:]):
        return None  # the data's rules reached the schema: its plans would change
    return finish(engine)


def _literal_rules(engine, literals) -> bool:
    """dt-type2 and dt-not-type for the literals new to the graph, as kazkg.closure.schema.once applies
    them; False if one has a datatype that no literal had (owlrl's datatype disjointness
    triples depend on which are used)."""
    terms, derive, used = engine.terms, engine.derive, engine.datatypes_used
    for lit in sorted(literals):
        literal = terms.term(lit)
        if literal.datatype not in OWL_RL_Datatypes:
            continue
        datatype = terms.code(literal.datatype)
        wider = {terms.code(w) for w in OWL_Datatype_Subsumptions.get(literal.datatype, ())}
        if engine.store.has(lit, TYPE, datatype):
            continue  # in the graph before: its rules have fired
        if datatype not in used or not wider <= used:
            return False
        derive(lit, TYPE, datatype)
        try:
            AltXSDToPYTHON.get(literal.datatype, str)(str(literal))
        except ValueError:
            engine.once_errors.append(f"Lexical value of the literal '{literal}' does not match "
                                      f"its datatype ({literal.datatype})")
        for code in wider:
            derive(lit, TYPE, code)
            derive(code, TYPE, DATATYPE)
    return True
