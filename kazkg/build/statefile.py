"""The state of a cached build (kazkg.build.state) on disk, beside its entry:

- `closure-1.pickle`: the closure's engine (its store of asserted and derived triples), linked
  from the entry before when the change did not reach it;
- `state-1.pickle`: the rest, whole (the terms, each graph's coded triples, the union, ...:
  7.5 MB at 10x, 58 MB at 100x), or only what changed since a state kept whole, which the entry
  then links as `state-base-1.pickle`. An incremental build writes what changed (at 10x, for
  one edited file, 0.65 MB, mostly the inferred graph and the files' digests, which are kept
  whole) and reads both; the state is kept whole again once an eighth of its graphs, of its
  union or of its terms changed since.

A file linked from the entry before keeps the digest its manifest holds, checked as it was
read (a link is not read again). A change to what they hold needs new names.
"""

from __future__ import annotations

import os
import pickle
from array import array
from dataclasses import dataclass
from pathlib import Path

from . import cache
from .state import State, StoredTerms, decode, encode, term_keys

FILE, BASE, CLOSURE = "state-1.pickle", "state-base-1.pickle", "closure-1.pickle"
WHOLE_AGAIN = 8  # the state is kept whole again when 1/8 of it changed since


@dataclass
class Since:
    """What changed since the state kept whole in the file `base` (its digest `digest`, its
    `terms` terms): the graphs set again, the keys the union gained and lost."""

    base: Path
    digest: str
    terms: int
    graphs: set
    plus: set
    minus: set


def save(key: str, state: State) -> None:
    """Keep the state beside the entry `key` (after its manifest is written)."""
    try:
        _save_closure(key, state)
        since = state.since
        if since is None or _changed_much(state, since):
            whole = _whole(state)
            cache.keep(cache.beside(key, FILE),
                       lambda out: pickle.dump(whole, out, protocol=pickle.HIGHEST_PROTOCOL))
            return
        _link(since.base, cache.beside(key, BASE), since.digest)
        keys = term_keys(state.terms)
        change = {**_small(state), "delta": True, "base_terms": since.terms,
                  "terms": keys[since.terms:],
                  "graphs": {g: state.graphs.get(g) for g in since.graphs},
                  "plus": since.plus, "minus": since.minus}
        cache.keep(cache.beside(key, FILE), pickle.dumps(change, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:  # a read-only cache: the next change is built in full
        pass


def load(key: str) -> State | None:
    """The state kept beside the cached build `key`, or None (none kept, or damaged)."""
    try:
        summary = cache.manifest(key)
        path = cache.beside(key, FILE)
        found = pickle.loads(cache.read_bytes(path, summary))
        closure = cache.check(cache.beside(key, CLOSURE), summary)
        digests = summary["files"]
        if found.get("delta"):
            base = cache.beside(key, BASE)
            whole = pickle.loads(cache.read_bytes(base, summary))
            since = Since(base, digests[base.name], found["base_terms"], set(found["graphs"]),
                          found["plus"], found["minus"])
            graphs, union = whole["graphs"], whole["union"]
            for g, coded in found["graphs"].items():
                if coded is None:
                    graphs.pop(g, None)
                else:
                    graphs[g] = coded
            union -= since.minus
            union |= since.plus
            found = {**found, "terms": whole["terms"][:since.terms] + found["terms"],
                     "graphs": graphs, "union": union}
        else:
            since = Since(path, digests[path.name], len(found["terms"]), set(), set(), set())
        closure_digest = digests[closure.name]
    except (OSError, ValueError, EOFError, pickle.UnpicklingError, AttributeError, TypeError,
            KeyError):
        return None
    made = State(found["code"], found["files"], found["graphs"], StoredTerms(found["terms"]),
                 decode(found["published"]), found["results"], found["reach"], found["bound"],
                 found["has_same"], found["typed"], list(zip(*[iter(found["pending"])] * 4)),
                 found["union"], found["shared"], closure)
    made.since, made.closure_digest = since, closure_digest
    return made


def _changed_much(state: State, since: Since) -> bool:
    terms = len(term_keys(state.terms)) - since.terms
    return (WHOLE_AGAIN * len(since.graphs) > len(state.graphs)
            or WHOLE_AGAIN * (len(since.plus) + len(since.minus)) > len(state.union)
            or WHOLE_AGAIN * terms > since.terms)


def _small(state: State) -> dict:
    return {"code": state.code, "files": state.files, "published": encode(state.published),
            "results": state.results, "reach": state.reach, "bound": state.bound,
            "has_same": state.has_same, "typed": state.typed,
            "pending": array("q", [c for t in state.pending for c in t]), "shared": state.shared}


def _whole(state: State) -> dict:
    return {**_small(state), "graphs": state.graphs, "terms": term_keys(state.terms),
            "union": state.union}


def _save_closure(key: str, state: State) -> None:
    closure = cache.beside(key, CLOSURE)
    if state.dirty:
        engine = state._engine
        payload = {"sp": engine.store.sp, "op": engine.store.op, "size": engine.store.size,
                   "derived": encode(engine.derived), "once_errors": engine.once_errors,
                   "datatypes_used": engine.datatypes_used}
        cache.keep(closure, lambda out: pickle.dump(payload, out, protocol=pickle.HIGHEST_PROTOCOL))
        state.closure_file, state.dirty = closure, False  # kept: it can be read back
        state.closure_digest = None
    else:  # unchanged: the same file, linked (no copy)
        _link(state.closure_file, closure, state.closure_digest)


def _link(source: Path, target: Path, digest: str | None) -> None:
    """`target` as a hard link of the kept file `source`, whose digest (`digest`, if known) it
    keeps in the manifest."""
    target.unlink(missing_ok=True)
    os.link(source, target)
    cache.note_digest(target, digest)
