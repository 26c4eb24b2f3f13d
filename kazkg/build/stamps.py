"""File digests remembered by what stat says of each file, so that a file unchanged since its
digest was taken is not read again (at 100x, hashing the 15,600 input files and the 524 MB
Oxigraph copy was most of every `kazkg query`'s own work). `digest` gives a file's or a
folder's (the cache's copies); kazkg.build.inputs keeps a memo of the input files.

A `Memo` is kept in a small JSON file of the cache folder: for each file, its size, times of
last modification and of last change, inode, and SHA-256. A file whose stat gives all four as
noted has the noted digest; any other is read and hashed again. Its change time (ctime) is
set by the system on every write, `touch` or rename and cannot be set back, so an edit that
keeps the size and even the modification time is still read again. A file changed less than
`STEADY_NS` before it is stat'ed is not noted: a write within the same tick of the file
system's clock could leave all four as they were (git's "racily clean" files).

A memo is trusted only with its HMAC-SHA256, under a random key kept in the same folder
(`.stamps-key`, readable by its owner alone): a memo written by hand, by another program or
copied from another cache folder (one that notes an edited file's new stat with its old
digest, to have the edit pass the manifest's check) is ignored, and every file hashed again.
Whoever can read the key can also rewrite the cache's manifests, which no digest guards.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from pathlib import Path
from typing import Callable

from ..formats.files import write_atomic

STEADY_NS = 2_000_000_000  # coarser than any file system's clock tick kazkg runs on
VERSION = 3
KEY = ".stamps-key"


def sha256_file(path) -> str:
    found = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            found.update(block)
    return found.hexdigest()


class Memo:
    """The digests noted in the file `path` (None: a memo that notes nothing on disk); a
    digest not noted is `compute(file, its os.stat)`, by default the file's SHA-256."""

    def __init__(self, path: Path | None,
                 compute: Callable[[str, os.stat_result], str] | None = None):
        self.path, self._compute = path, compute
        self._known: dict[str, str] = self._read() if path is not None else {}
        self._asked: dict[str, str] = {}
        self._new = False

    def _read(self) -> dict:
        try:
            found = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        files = found.get("files") if isinstance(found, dict) else None
        if found.get("version") != VERSION or not isinstance(files, dict):
            return {}
        mac = self._mac(files)
        return files if mac is not None and hmac.compare_digest(mac, str(found.get("mac"))) else {}

    def _mac(self, files: dict) -> str | None:
        return sign(self.path.parent, json.dumps(files, separators=(",", ":")).encode("utf-8"))

    def digest(self, file: str, trust: bool = True, status: os.stat_result | None = None,
               settled: bool = False) -> str:
        """The SHA-256 of `file` (a path as a string); from the memo only if `trust` and its
        stat (`status`, else taken now) is the one noted. `settled`: nothing writes the file
        any more (a store its writer has closed), so it is noted however recently it changed."""
        status = status or os.stat(file)
        # one string per file, "size mtime ctime inode digest": read back 3x faster than lists
        stamp = f"{status.st_size} {status.st_mtime_ns} {status.st_ctime_ns} {status.st_ino} "
        known = self._known.get(file)
        if (trust and type(known) is str and len(known) == len(stamp) + 64
                and known.startswith(stamp)):
            self._asked[file] = known
            return known[-64:]
        found = self._compute(file, status) if self._compute else sha256_file(file)
        if settled or time.time_ns() - max(status.st_mtime_ns, status.st_ctime_ns) > STEADY_NS:
            self._asked[file] = stamp + found
            self._new = True
        return found

    def save(self) -> None:
        """Keep what was asked this time (a file not asked for any more is forgotten); a
        cache folder the system refuses keeps nothing, and the next run hashes again."""
        if self.path is None or not (self._new or self._asked.keys() != self._known.keys()):
            return
        mac = self._mac(self._asked)
        if mac is None:
            return
        try:
            write_atomic(self.path, json.dumps({"version": VERSION, "files": self._asked,
                                                "mac": mac}, separators=(",", ":")).encode("utf-8"))
        except OSError:
            return
        self._known, self._new = dict(self._asked), False


def sign(folder: Path, data: bytes) -> str | None:
    """The HMAC-SHA256 of `data` under the key of the cache folder `folder` (None: no key can
    be read or made there): for what the cache keeps beside a build without the manifest."""
    key = _key(folder)
    return hmac.new(key, data, hashlib.sha256).hexdigest() if key else None


def _key(folder: Path) -> bytes | None:
    """The folder's memo key, made (32 random bytes, mode 0600) when it has none; None when
    the folder refuses both (a read-only cache then trusts no memo)."""
    path = Path(folder) / KEY
    try:
        return path.read_bytes() or None
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it just now
        return _key(folder)
    except OSError:
        return None
    key = os.urandom(32)
    with os.fdopen(handle, "wb") as out:
        out.write(key)
    return key


# RocksDB's own log and lock files change when a store is opened: they hold no data.
_NOT_DATA = ("LOG", "LOCK")
FOLDER_MEMO = ".stamps.json"  # beside a folder: the digests of its files


def digest(path: Path, settled: bool = False) -> str:
    """SHA-256 of a file, or of a folder's data files (their names and contents, in order),
    each file's noted beside the folder by its stat (`settled`: see Memo.digest)."""
    path = Path(path)
    if not path.is_dir():
        return sha256_file(path)
    found = hashlib.sha256()
    memo = Memo(path.with_name(path.name + FOLDER_MEMO), _member_digest)
    for member in sorted(path.rglob("*")):
        if member.is_file() and not member.name.startswith(_NOT_DATA):
            status = member.stat()
            known = memo.digest(str(member), status=status, settled=settled)
            _MEMBERS[status.st_dev, status.st_ino] = (*_times(status), known)
            found.update(str(member.relative_to(path)).encode("utf-8") + b"\0")
            found.update(bytes.fromhex(known))
    memo.save()
    return found.hexdigest()


# A store's files are written once and never changed (RocksDB's tables): an incremental
# build's copy shares most of them with the one before, as hard links. Each digest taken (or
# read from a memo) is kept for the life of the process by device and inode, with the size and
# the times of last write and change it held for.
_MEMBERS: dict = {}


def _times(status: os.stat_result) -> tuple:
    return status.st_size, status.st_mtime_ns, status.st_ctime_ns


def _member_digest(member: str, status: os.stat_result) -> str:
    known = _MEMBERS.get((status.st_dev, status.st_ino))
    if known is not None and known[:3] == _times(status):
        return known[3]
    return sha256_file(member)


def linked(folder: Path) -> None:
    """The files of `folder` that this process has just made as hard links (a store's backup)
    of files it digested before keep their digests: a link moves a file's change time, not its
    bytes. (Without this, each incremental build read its whole copy twice: 68 MB at 10x.)"""
    for member in Path(folder).rglob("*"):
        status = member.stat()
        known = _MEMBERS.get((status.st_dev, status.st_ino))
        if (known is not None and status.st_nlink > 1
                and known[:2] == (status.st_size, status.st_mtime_ns)):
            _MEMBERS[status.st_dev, status.st_ino] = (*_times(status), known[3])
