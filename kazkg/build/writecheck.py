"""The write store's integrity (kazkg.build.writable): a manifest of digests, checked before
anything in the store is served.

The manifest (`kazkg-manifest.json`) holds the SHA-256 of each small file of the store (the
build it started from, the number of writes, the literals' spellings), the digest of its
quads and, while a write is under way, the digest of the journal that write left. The quads'
digest is the sum, modulo 2**256, of each quad's SHA-256 (as N-Quads, in the form Oxigraph
keeps it), so a write changes it by what it removed and added, never reading the store; the
whole sum is taken again when the store is loaded, which reads every quad anyway. A store
whose files or quads do not match, or that has no manifest, is refused (Damaged): its writes
exist nowhere else, so it cannot be made again; the message says what to do.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyoxigraph as ox

from ..errors import KazkgError
from ..formats.files import write_atomic

MANIFEST = "kazkg-manifest.json"
MODULUS = 1 << 256


class Damaged(KazkgError):
    """The write store does not match its manifest."""

    def __init__(self, path: Path, what: str):
        super().__init__(f"the write store {path} is damaged: {what}. It is not served; move it "
                         "away (the next start begins again from the build, without its writes) "
                         "or put back a copy (setting update_store)")


def file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def quad_sum(quads) -> int:
    """The digest of a set of quads (pyoxigraph's, as a store gives them back)."""
    return sum(int.from_bytes(hashlib.sha256(str(q).encode("utf-8")).digest(), "big")
               for q in quads) % MODULUS


def kept_forms(quads) -> set:
    """`quads` as Oxigraph keeps them ("1.50" as "1.5"): what iterating a store gives back."""
    probe = ox.Store()
    probe.extend(quads)
    return set(probe)


def changed_sum(store: ox.Store, before: int, removed, added) -> int:
    """The digest of `store` (whose digest is `before`) once `removed` are taken out of it and
    `added` put in, in that order; a quad counts only where it changes the store."""
    gone = {q for q in kept_forms(removed) if q in store}
    new = {q for q in kept_forms(added) if q not in store or q in gone}
    return (before - quad_sum(gone) + quad_sum(new)) % MODULUS


def read(path: Path) -> dict:
    try:
        found = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Damaged(path, f"it has no {MANIFEST} (made by an older kazkg, or removed)") from None
    except (OSError, ValueError) as error:
        raise Damaged(path, f"its {MANIFEST} cannot be read ({error})") from None
    if not isinstance(found, dict) or not isinstance(found.get("files"), dict):
        raise Damaged(path, f"its {MANIFEST} is not one")
    return found


def check_files(path: Path, files: dict, after: dict | None = None) -> None:
    """Damaged unless every file of `files` (name -> SHA-256) has its digest, or the one
    `after` gives it (a write's, when it was cut short)."""
    for name, expected in files.items():
        if file_digest(path / name) not in (expected, (after or {}).get(name, expected)):
            raise Damaged(path, f"{name} is not the file its manifest describes (its SHA-256 "
                          "digest differs)")


def check_quads(path: Path, found: int, expected) -> None:
    if f"{found:064x}" != expected:
        raise Damaged(path, "its quads are not the ones its manifest describes (an edited, cut "
                      "or mixed-up store)")


def write(path: Path, files: dict, quads: int, journal: str | None = None) -> None:
    """Note the digests of the files (`files`: name -> SHA-256), of the quads, and of a journal
    under way."""
    entry = {"version": 1, "files": files,
             "quads": f"{quads:064x}"}
    if journal is not None:
        entry["journal"] = journal
    write_atomic(path / MANIFEST, json.dumps(entry, indent=1).encode("utf-8"))
