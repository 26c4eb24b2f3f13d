"""Writing a file whole or not at all: every file kazkg writes (the cache, the Oxigraph copy,
exports, metadata) goes through write_atomic, so a reader never sees half of one; and the
command line's output, where a full disk is an error, not a cut file. A temporary file or
folder stays locked (flock) while it is written; one that nobody holds any more (its writer
was killed) is removed by the next write beside it, or by `clean`."""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import BinaryIO, Callable

from ..errors import OutputError


def write_atomic(path: Path, payload: bytes | Callable[[BinaryIO], object]) -> None:
    """Write `path` through a temporary file beside it, then a rename; `payload` is the bytes,
    or a function that writes them to the open file (so they need not fit in memory). The
    folder is created when missing; an OSError leaves nothing behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean(path.parent, f".{path.name}.*.partial")  # what a killed writer of it left
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        # mkstemp makes it 0600: give it the mode of the file it replaces, or what open() would
        os.chmod(fd, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # alive: clean() leaves it alone
            if callable(payload):
                payload(handle)
            else:
                handle.write(payload)
            handle.flush()
            os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """This process's umask, read without setting it (os.umask would, for every thread)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def check_output(target: Path) -> None:
    """OutputError now if `kazkg export -o` could not write `target`, before minutes of work:
    a folder that does not exist (a typo'd folder is an error, never made) or that this user
    or the file system (read-only) will not let it write into."""
    target = Path(target)
    if not target.parent.is_dir():
        raise OutputError(f"cannot write {target}: the folder {target.parent} does not exist")
    if target.exists() and not target.is_file():
        return  # a device or a pipe: only writing to it tells
    if not os.access(target.parent, os.W_OK) or target.exists() and not os.access(target, os.W_OK):
        raise OutputError(f"cannot write {target}: permission denied or a read-only file system")


def checked_output(_context, _option, value: str | None) -> str | None:
    """The callback of `kazkg export -o`: the path is checked as the options are read."""
    if value not in (None, "-"):
        check_output(Path(value))
    return value


def write_output(target: Path, payload: bytes) -> None:
    """`kazkg export -o`: a regular file through write_atomic; a device or a pipe
    (/dev/stdout, /dev/full) written to as it is, never replaced by a rename. OutputError
    (exit 1) names the file and what the system said."""
    target = Path(target)
    check_output(target)
    try:
        if target.exists() and not target.is_file():
            with target.open("wb") as handle:
                handle.write(payload)
        else:
            write_atomic(target, payload)
    except OSError as error:
        raise OutputError(f"cannot write {target}: {error.strerror or error}") from None


def write_stdout(payload: bytes) -> None:
    """Write to standard output and flush, so that a full disk or a closed pipe is an error
    now (OutputError), not a line lost at exit."""
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
    except OSError as error:
        silence_stdout()
        raise OutputError(f"cannot write to standard output: {error.strerror or error}") from None


def silence_stdout() -> None:
    """After a failed write nothing more goes to standard output, not even the flush at exit."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


LEFTOVER_SECONDS = 60  # younger than this, a temporary file may not be locked yet: left alone


def clean(directory: Path, pattern: str = ".*.partial") -> None:
    """Remove the temporary files and folders in `directory` matching `pattern` that no
    writer holds any more (a build or an export that was killed); those being written are
    locked by their writer, and stay."""
    now = time.time()
    for leftover in Path(directory).glob(pattern):
        try:
            if now - leftover.stat().st_mtime < LEFTOVER_SECONDS:
                continue
            fd = os.open(leftover, os.O_RDONLY)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if leftover.is_dir():
                    shutil.rmtree(leftover, ignore_errors=True)
                else:
                    leftover.unlink(missing_ok=True)
            finally:
                os.close(fd)
        except OSError:  # locked by its writer, or gone already
            continue


def held(folder: Path) -> int:
    """Lock a temporary `folder` for its writer (clean() leaves it alone); close the returned
    descriptor when the folder is whole, or gone."""
    fd = os.open(folder, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd
