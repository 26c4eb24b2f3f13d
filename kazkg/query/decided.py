"""The spelling check's decisions for one cached build, kept on disk beside it.

Whether a query's answer depends on a spelling Oxigraph does not keep (kazkg.query.spelling)
is, past the checks made on the text, a function of the query's shape and of the predicates
whose objects the data spells otherwise: one build, one answer per shape. Deciding it costs
rdflib's SPARQL parser (0.15 s to import, 20-300 ms a parse) and, at 100x, 0.14 s of look-ups
for those predicates: a cost a `kazkg query` process paid every time. So the first process to
decide a shape keeps the decision in a file beside the cached build, with the predicates, and
every later process (another `kazkg query`, a restarted server) reads it back.

The file names the build (its cache key and variant) and carries a digest of the code that
decides (the cache key does not cover kazkg.query's modules) and a digest of itself: a file
of another build, of other code, cut or edited is not used, and the next decision replaces it.
It is written by query processes, whenever they decide a new shape, without the manifest's
lock: so it carries its own digest rather than one in the entry's manifest (kazkg.build.cache),
an HMAC under the cache folder's key (kazkg.build.stamps.sign), so that a file written by
hand, whose decisions would send a query to Oxigraph that answers it in another spelling, is
not used either (with a plain SHA-256 anyone could write a file that passed).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from pathlib import Path

from ..build import cache
from ..build.stamps import sign
from ..formats.files import write_atomic

NAME = "spelling-decisions-1.json"  # beside the build; a change to what it holds needs a new name
MOST = 512  # shapes kept per build: a server sent unique shapes stops writing there
# the modules whose code decides
_DECIDING = ("spelling.py", "respelled.py", "syntax.py", "sparql.py")
log = logging.getLogger("kazkg")


class Kept:
    """The decisions kept for the cached build `key` (`variant`: a part of it), read from
    disk once, when first asked."""

    def __init__(self, key: str, variant: str = ""):
        self.key, self.variant = key, variant
        self.path = cache.beside(key, variant + NAME)
        self._read: dict | None = None

    def decision(self, shape: tuple) -> bool | None:
        """The kept decision for `shape` (any tuple of str, bool and None), or None."""
        return self._known()["decisions"].get(_name(shape))

    def predicates(self, look_up) -> frozenset:
        """The IRIs of the predicates that hold a literal the data spells otherwise: kept, or
        what `look_up()` finds (then kept)."""
        found = self._known()["predicates"]
        if found is not None:
            return frozenset(found)
        found = look_up()
        self.keep(predicates=found)
        return found

    def keep(self, shape: tuple | None = None, decided: bool | None = None,
             predicates: frozenset | None = None) -> None:
        """Add a decision (or the predicates) and write the file again, whole; a cache folder
        that cannot be written keeps nothing (the next process decides again)."""
        self._read = None  # another process may have kept some since
        known = self._known()
        if shape is not None:
            if len(known["decisions"]) >= MOST:
                return
            known["decisions"][_name(shape)] = bool(decided)
        if predicates is not None:
            known["predicates"] = sorted(predicates)
        body = {"key": self.key, "variant": self.variant, "code": _code_digest(),
                "predicates": known["predicates"], "decisions": known["decisions"]}
        try:
            write_atomic(self.path, json.dumps({**body, "digest": _digest(self.path, body)}
                                               ).encode("utf-8"))
        except OSError:
            pass

    def _known(self) -> dict:
        if self._read is None:
            self._read = _load(self.path, self.key, self.variant)
        return self._read


def respelled_predicates(kept: Kept | None, store, originals: dict) -> frozenset:
    """The IRIs of the predicates whose objects include a literal of `originals` in the
    Oxigraph `store`: kept beside the build, for the next process (7,903 quads at 100x, 0.14 s
    on disk), when `kept` is given."""
    def look_up() -> frozenset:
        return frozenset(quad.predicate.value for literal in originals
                         for quad in store.quads_for_pattern(None, None, literal))
    return kept.predicates(look_up) if kept is not None else look_up()


def _load(path: Path, key: str, variant: str) -> dict:
    """What the file at `path` holds for the build, or nothing if it holds no such thing."""
    nothing = {"predicates": None, "decisions": {}}
    try:
        found = json.loads(path.read_bytes())
    except FileNotFoundError:
        return nothing
    except (OSError, ValueError):
        found = None
    if not (isinstance(found, dict) and isinstance(found.get("decisions"), dict)
            and found.get("digest") is not None
            and found["digest"] == _digest(path, {k: v for k, v in found.items() if k != "digest"})
            and all(isinstance(v, bool) for v in found["decisions"].values())
            and (found.get("predicates") is None or isinstance(found["predicates"], list)
                 and all(isinstance(iri, str) for iri in found["predicates"]))):
        log.warning("kazkg: the cache file %s is damaged; its decisions are made again", path)
        return nothing
    if (found.get("key"), found.get("variant"), found.get("code")) != (key, variant,
                                                                       _code_digest()):
        return nothing  # another build's, or decided by other code: stale
    return {"predicates": found.get("predicates"), "decisions": found["decisions"]}


def _name(shape: tuple) -> str:
    return hashlib.sha256(json.dumps(list(shape)).encode("utf-8")).hexdigest()[:32]


def _digest(path: Path, body: dict) -> str | None:
    return sign(path.parent, json.dumps(body, sort_keys=True).encode("utf-8"))


@functools.cache
def _code_digest() -> str:
    digest = hashlib.sha256()
    for name in _DECIDING:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()
