"""Rebuild on save (`kazkg build --watch`): poll the inputs' fingerprint, build when it changes.

Polling, not file-system events: the fingerprint already reads every input file (a build is
keyed by it), it sees every way a file can change (an editor that writes a new file and renames
it, a folder on a network share, a file added under graph/), and it needs no dependency. At 1x
a poll hashes 200 files in a few milliseconds; at 100x in about a tenth of a second.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from ..errors import KazkgError
from .inputs import Inputs, bundled
from .pipeline import Build, build


def watch(on_build: Callable[[Build, float], None], on_error: Callable[[KazkgError], None],
          stop: threading.Event, inputs: Callable[[], Inputs] = bundled, interval: float = 0.5,
          last: str | None = None) -> None:
    """Until `stop` is set: when the fingerprint of `inputs()` differs from `last` (the build
    already made), build them and call `on_build(build, seconds)`, or `on_error` with the
    KazkgError that stopped the build (a syntax error, a violation): the next save is built."""
    while not stop.wait(0 if last is None else interval):
        try:
            current = inputs()
            fingerprint = current.fingerprint()
        except (KazkgError, OSError) as error:  # a file removed or renamed while read
            fingerprint, current = f"unreadable: {error}", None
        if fingerprint == last:
            continue
        last = fingerprint
        if current is None:
            continue
        started = time.perf_counter()
        try:
            made = build(current)
        except KazkgError as error:
            on_error(error)
            continue
        on_build(made, time.perf_counter() - started)
