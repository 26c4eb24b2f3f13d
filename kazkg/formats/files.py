"""Writing a file whole or not at all: every file kazkg writes (the cache, the Oxigraph copy,
exports, metadata) goes through write_atomic, so a reader never sees half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable


def write_atomic(path: Path, payload: bytes | Callable[[BinaryIO], object]) -> None:
    """Write `path` through a temporary file beside it, then a rename; `payload` is the bytes,
    or a function that writes them to the open file (so they need not fit in memory). The
    folder is created when missing; an OSError leaves nothing behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as handle:
            if callable(payload):
                payload(handle)
            else:
                handle.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
