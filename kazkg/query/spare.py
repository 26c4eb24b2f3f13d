"""A worker beside a pool's (kazkg.query.workers.Pool): forked from the same zygote, so it
holds the same dataset and every write absorbed, but takes none of the `size` workers the
queries share; killed after its one job, never replaced (a dump: kazkg.web.dumps)."""

from __future__ import annotations

from contextlib import contextmanager

from .workers import Pool, PoolError, _Borrowed


class _Own:
    """What a borrowed worker asks of its pool, for a spare: a worker that failed or ran out
    of time is killed, not replaced (the pool's count of replaced workers is not touched)."""

    def __init__(self, pool: Pool):
        self.pool = pool

    def _replace(self, worker) -> int:
        return self.pool._kill(worker)

    def why(self, status: int) -> str:
        return self.pool.why(status)


@contextmanager
def spare(pool: Pool):
    """A worker of its own for the `with` block (its `call` as a borrowed worker's). PoolError
    once the pool is closed (a server stopping while VoID still sizes the dumps)."""
    try:
        if pool._closed:
            raise OSError
        worker = pool._spawn()
    except OSError:  # the zygote's socket, closed by Pool.close
        raise PoolError("the worker pool is closed") from None
    try:
        yield _Borrowed(_Own(pool), worker)
    finally:
        if worker.pid in pool._all:  # not killed already (a time-out)
            pool._kill(worker)
