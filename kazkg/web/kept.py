"""The pages' lookups and first pages of a dataset, kept on disk beside its cached build, so
that a second `kazkg serve` reads them instead of computing them again (at 100x the lookups
took about 40 s of CPU, and every start paid them before it said it was ready).

Each value is one file `beside` the build (kazkg.build.cache), written whole and its digest
noted in the entry's manifest (cache.keep), and read only after that digest is checked
(cache.read_bytes): a damaged, cut or edited file is removed and the value computed again,
never served. A file's name carries a digest of everything else the value depends on: the
dataset version (the one /health reports) and the build, kazkg's own code, templates and
translations, the versions of the libraries that render pages, and the server settings a
page may show. What a write (--enable-update) changes is never kept: a dataset with writes
keeps its lookups in memory only, as before.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import sys
from importlib import metadata
from pathlib import Path

from ..build import cache

log = logging.getLogger("kazkg.web")

LIBRARIES = ("flask", "werkzeug", "jinja2", "markupsafe", "flask-babel", "babel", "rdflib",
             "pyoxigraph")
# Settings a page may show or depend on; the update token never goes into a name.
SETTINGS = ("QUERY_TIMEOUT", "DUMP_TIMEOUT", "RESULT_LIMIT", "BODY_LIMIT", "ANSWER_LIMIT",
            "WORKERS", "SERVICE_ALLOW", "PUBLIC_URL", "ENABLE_UPDATE")
MISSING = object()
_code: list[str] = []  # the digest of kazkg's code, taken once per process


def code_digest() -> str:
    """A digest of kazkg's modules, templates and translations and the libraries' versions."""
    if not _code:
        digest = hashlib.sha256()
        package = Path(__file__).resolve().parent.parent  # kazkg/
        for pattern in ("**/*.py", "web/templates/**/*", "web/translations/**/*.mo"):
            for path in sorted(package.glob(pattern)):
                if path.is_file():
                    digest.update(path.relative_to(package).as_posix().encode() + b"\n")
                    digest.update(hashlib.sha256(path.read_bytes()).digest())
        for name in LIBRARIES:
            try:
                digest.update(f"{name}={metadata.version(name)}\n".encode())
            except metadata.PackageNotFoundError:
                digest.update(f"{name}=-\n".encode())
        _code.append(digest.hexdigest())
    return _code[0]


def _context(svc, pages: bool) -> str:
    """What a kept value depends on besides its key, as one digest (with the settings for
    `pages`: a lookup's value comes from the data alone)."""
    config = tuple((name, repr(svc.config.get(name))) for name in SETTINGS) if pages else ()
    found = repr((svc.data_version, svc.version, svc.build_key, code_digest(), config))
    return hashlib.sha256(found.encode("utf-8")).hexdigest()[:16]


def path(svc, key, pages: bool = False) -> Path | None:
    """The file that keeps `key`'s value for what `svc` serves now; None when nothing is kept
    (after a write, or for a service that has no cached build)."""
    if svc.writes or not getattr(svc, "build_key", None):
        return None
    name = hashlib.sha256(repr(key).encode("utf-8")).hexdigest()[:16]
    return cache.beside(svc.build_key, f"web-{code_digest()[:8]}-{_context(svc, pages)}-{name}.pickle")


def read(svc, key, pages: bool = False):
    """The value kept for `key`, or MISSING (none kept, or a damaged file: removed)."""
    where = path(svc, key, pages)
    if where is None or not where.is_file():
        return MISSING
    try:
        # the collector paused, as for the cached dataset: at 100x it walked the 44 MB search
        # index as it grew, and read it in twice the time
        found = cache._paused(pickle.loads, cache.read_bytes(where))
    except cache.Damaged as error:
        log.warning("kazkg: %s; computing it again", error)
        return MISSING
    except (OSError, ValueError, EOFError, pickle.UnpicklingError, AttributeError, TypeError,
            ImportError, IndexError):
        return MISSING  # not noted in a manifest, or not readable: computed again
    if not (isinstance(found, tuple) and len(found) == 2 and found[0] == repr(key)):
        return MISSING
    return found[1]


def write(svc, key, value, pages: bool = False) -> None:
    """Keep `value` for `key` (nothing when it cannot be kept: a read-only cache folder)."""
    where = path(svc, key, pages)
    if where is None or not _has_entry(svc.build_key):
        return
    limit = sys.getrecursionlimit()
    try:
        # linked values (a sentence's next and previous) nest as deep as the text is long
        sys.setrecursionlimit(max(limit, 20_000))
        payload = pickle.dumps((repr(key), value), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as error:
        log.warning("kazkg: the page lookup %r cannot be kept on disk: %s", key, error)
        return
    finally:
        sys.setrecursionlimit(limit)
    try:
        mine = f"{svc.build_key}.web-{code_digest()[:8]}-"
        for old in where.parent.glob(f"{svc.build_key}.web-*"):  # kept by other code
            if not old.name.startswith(mine):
                old.unlink(missing_ok=True)
        cache.keep(where, payload)
    except OSError:  # a read-only cache folder: computed again next time
        pass


def _has_entry(key: str) -> bool:
    """Whether the build `key` has a manifest to note a file's digest in (a build served
    from an on-disk store has none: what would be written there could never be trusted)."""
    try:
        return cache.manifest(key).get("key") == key
    except (OSError, ValueError):
        return False
