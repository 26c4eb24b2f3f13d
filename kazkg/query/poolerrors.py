"""What the worker pool (kazkg.query.workers) raises, and the long reply it gives: the callers
name them as workers' (kazkg.query.workers re-exports each)."""

from __future__ import annotations


class PoolError(Exception):
    """The pool cannot run the job: see the subclasses."""


class JobTimeout(PoolError):
    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"the query was stopped after the time limit of {seconds:g} s")


class Busy(PoolError):
    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"every query worker stayed busy for {seconds:g} s; try again later")


class WorkerBug(PoolError):
    """The handler raised: a bug. The message carries the worker's traceback, for the log of
    whoever reports the bug (kazkg.web.errors answers 500, the CLI says "internal error")."""

    def __init__(self, detail: str):
        self.detail = detail
        super().__init__(f"the query worker failed with a bug:\n{detail}")


class WorkerDied(PoolError):
    def __init__(self, detail: str = ""):
        """`detail`: why, when known (a sentence of its own when it starts "the query")."""
        super().__init__(detail if detail.startswith("the query") else
                         "the query worker stopped unexpectedly" + (f" ({detail})" if detail else ""))


class LongReply:
    """What call() gives for a reply the worker sends in pieces (kazkg.query.zygote.Long):
    its head, and the body's size; the body comes from the borrowed worker's pieces()."""

    def __init__(self, head, size: int):
        self.head, self.size = head, size
