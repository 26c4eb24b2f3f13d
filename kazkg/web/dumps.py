"""The dumps (/download/kazkg.nq etc.): made once per data version, kept on disk beside the
cached build with their digest in its manifest, and sent to clients from the file.

A dump of the whole dataset takes tens of seconds at scale (56 s for N-Quads of a 117 MB
store), so it is never made again for the next client: the file `dump-1.<version>.<format>`
(and the same gzipped, `.gz`, for clients whose Accept-Encoding takes gzip) is checked against the manifest once per process (then by its stat) and read in pieces as
the client reads, never held whole in the HTTP process. It is made by a worker of its own
(kazkg.query.spare: none of the query workers, no admission slot), at a lower
CPU priority, one dump at a time, in the background (kazkg.web.making: from start-up, and again
after each write); a request waits for its dump QUEUE_SECONDS at most, then gets a 503 with
Retry-After. Older versions' files are removed once no server holds them.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import current_app, request
from werkzeug.wrappers import Response

from ..build import cache, writecheck
from ..formats.export import FORMATS
from ..formats.files import clean
from ..query.jobs import Answer
from ..query.spare import spare
from ..query.workers import JobTimeout, PoolError
from .admission import RETRY_SECONDS, is_ours
from .answers import content_type
from .describe import dump_filenames
from . import making

NAME = "dump-1"  # the files' prefix, with the layout's version
NICE = 10  # the dump worker's CPU priority, below the query workers'
PIECE = 1 << 20
_CHECKED: dict[str, tuple] = {}  # path -> (stat stamp, sha256) of a file checked in this process


def path_of(svc, fmt: str, gzipped: bool = False) -> Path:
    """Where the dump of the version served is kept. After writes the version's count is
    not enough (another write store gives the same count): the name also has the digest of
    the store's quads (kazkg.build.writecheck), read once per version."""
    version = svc.version
    if svc.writes and svc.writable is not None:
        tags = svc.__dict__.setdefault("dump_tags", {})
        if version not in tags:
            tags.clear()
            tags[version] = writecheck.read(svc.writable.path)["quads"][:16]
        version += "-" + tags[version]
    return cache.beside(svc.build_key, f"{NAME}.{version}.{fmt}" + (".gz" if gzipped else ""))


def _stamp(status: os.stat_result) -> tuple:
    return status.st_size, status.st_mtime_ns, status.st_ino


def _kept(svc, path: Path) -> tuple[int, str] | None:
    """(bytes, sha256) of the kept dump at `path` if it is there and its digest is the one
    the manifest holds (checked once per process and stat); a damaged one is removed."""
    try:
        status = path.stat()
    except OSError:
        return None
    known = _CHECKED.get(str(path))
    if known is not None and known[0] == _stamp(status):
        return status.st_size, known[1]
    summary = cache.manifest(svc.build_key)
    try:
        cache.check(path, summary)
    except (OSError, cache.Damaged):
        return None
    sha = summary["files"][path.name]
    _CHECKED[str(path)] = (_stamp(status), sha)
    return status.st_size, sha


def made(svc, fmt: str, gzipped: bool = False) -> tuple[Path, int, str] | Answer:
    """(path, bytes, sha256) of the dump in `fmt` (`gzipped`: its gzip file) of the version
    served, if it is kept or made within DUMP_WAIT seconds (`kazkg serve`: QUEUE_SECONDS; an
    app it does not run, a test client's, and the server's own jobs: --dump-timeout); else an
    error Answer (503): it is being made in the background, or could not be made."""
    path = path_of(svc, fmt, gzipped)
    maker = _maker(svc, current_app.config["DUMP_TIMEOUT"])
    maker.hold()
    found = _kept(svc, path)
    if found is not None:
        return (path, *found)
    failed = maker.failure(fmt)
    if failed is None:
        wait = current_app.config.get("DUMP_WAIT", maker.timeout)
        maker.want(fmt).wait(maker.timeout if is_ours() else wait)
        found = _kept(svc, path)
        if found is not None:
            return (path, *found)
        failed = maker.failure(fmt)
    return failed or Answer(503, error="this dump is being made; try again in a while",
                            headers={"Retry-After": str(max(RETRY_SECONDS, 10))})


def kept_now(svc, fmt: str) -> tuple[Path, int, str] | None:
    """(path, bytes, sha256) of the dump in `fmt` of the version served if it is kept now;
    else None, and it is made in the background for the next request (nothing waits), unless
    it failed lately: as `made`, a dump that ran out of time is not tried again at once (each
    /store?default had started it anew)."""
    path = path_of(svc, fmt)
    maker = _maker(svc, current_app.config["DUMP_TIMEOUT"])
    maker.hold()
    found = _kept(svc, path)
    if found is None:
        if maker.failure(fmt) is None:
            maker.want(fmt)
        return None
    return (path, *found)


def prepare(svc, timeout: float) -> None:
    """Make every dump of the version served in the background, and again after each write
    (at start-up: so that a client rarely meets the 503 of a dump being made)."""
    _maker(svc, timeout).prepare()


def _maker(svc, timeout: float) -> making.Maker:
    return making.of(svc, sorted(set(dump_filenames().values())),
                     lambda svc, fmt, limit: _make(svc, fmt, path_of(svc, fmt), limit),
                     lambda svc, fmt: _kept(svc, path_of(svc, fmt)) is not None,
                     lambda svc: path_of(svc, "x").with_suffix(""), timeout)


def _make(svc, fmt: str, path: Path, timeout: float) -> list | Answer:
    """Make the dump in `fmt` at `path` and gzipped beside it: [(bytes, sha256) of each]. The
    worker writes staged files; each digest is in the manifest before its file takes its name,
    so that another HTTP process never finds a dump the manifest does not know (and removes
    it as damaged while this one still notes it)."""
    version = svc.version
    finals = (path, path.with_name(path.name + ".gz"))
    clean(path.parent, f"*{path.name}*.partial")  # what a killed maker of it left
    staged = [p.with_name(f"{p.name}.{os.getpid()}.partial") for p in finals]
    job = {"kind": "dump", "format": fmt, "path": str(staged[0]), "gzip_path": str(staged[1]),
           "version": svc.data_version, "build": svc.build_key, "nice": NICE}
    try:
        with spare(svc.pool) as worker:
            answer = worker.call(job, timeout)
    except JobTimeout as error:
        return Answer(503, error=f"{error} (the server's limit; see --dump-timeout)",
                      headers={"X-Time-Limit": f"{error.seconds:g}"})
    except PoolError as error:
        return Answer(503, error=f"the dump could not be made: {error}")
    if answer.status != 200:
        return answer
    found = []
    try:
        if svc.version != version:  # a write meanwhile: the files may hold either state
            return Answer(503, error="the data changed while its dump was made; try again",
                          headers={"Retry-After": str(RETRY_SECONDS)})
        for made_, kept, tag in zip(staged, finals, ("", "Gzip-")):
            size, sha = int(answer.headers[f"X-{tag}Bytes"]), answer.headers[f"X-{tag}SHA256"]
            cache.note_digest(kept, sha)
            os.replace(made_, kept)
            _CHECKED[str(kept)] = (_stamp(kept.stat()), sha)
            found.append((size, sha))
    except OSError as error:  # the cache folder went away or filled up meanwhile
        return Answer(503, error=f"the dump could not be kept: {error.strerror or error}")
    finally:
        for made_ in staged:
            made_.unlink(missing_ok=True)
    start = f"{svc.build_key}.{NAME}."  # earlier versions' files no server holds
    making.remove_unheld(path.parent, start, path.name[len(start):].split(".", 1)[0])
    return found


class _File:
    """The pieces of a dump file from its position, `left` bytes in all; closed at the end,
    by the server, or when the response is dropped unread (Flask's test client)."""

    def __init__(self, handle, left: int):
        self.handle, self.left = handle, left

    def __iter__(self):
        while self.left > 0:
            piece = self.handle.read(min(PIECE, self.left))
            if not piece:
                break
            self.left -= len(piece)
            yield piece
        self.close()

    def close(self) -> None:
        self.handle.close()

    __del__ = close


def send(made_: tuple[Path, int, str], fmt: str, span: tuple[int, int] | None = None) -> Response:
    """The response of a kept dump, or of its bytes `span` (start, end), read from its file as
    the client reads (waitress sends a file wrapper's pieces from its own loop)."""
    path, size, _ = made_
    start, end = span or (0, size)
    handle = open(path, "rb")  # open: a newer version's removal of it leaves this one whole
    handle.seek(start)
    if end - start <= PIECE:  # one piece: read now, nothing left open
        with handle:
            body = [handle.read(end - start)]
    elif "wsgi.file_wrapper" in request.environ:  # waitress's: Content-Length bounds it
        body = request.environ["wsgi.file_wrapper"](handle, PIECE)
    else:
        body = _File(handle, end - start)
    response = Response(body, 200, content_type=content_type(FORMATS[fmt].media_type),
                        direct_passthrough=True)
    response.content_length = end - start
    return response
