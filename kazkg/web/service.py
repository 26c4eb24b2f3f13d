"""The served dataset: its worker pool, its answer cache, its version and its metadata.

One Service per app (in `app.extensions["kazkg"]`). At start-up it counts the dataset (its
Metadata, kept in the cache beside the build) and readies the engines the workers will query,
before the pool forks; after that the HTTP layer only asks it for Answers, and every job runs
in a worker.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
import time
from contextlib import ExitStack, contextmanager, nullcontext

from flask import has_request_context, request
from werkzeug.exceptions import ServiceUnavailable

from ..build import cache, pipeline, writable
from ..build.inputs import bundled
from ..errors import KazkgError
from ..query import oxengine
from ..query.jobs import Answer, Handler
from ..query.served import Served
from ..query.workers import Busy, JobTimeout, LongReply, Pool, WorkerDied
from .admission import LANE_SECONDS, RETRY_SECONDS, Admission, Usage, client_of
from .answercache import AnswerCache
from .delivery import Delivery
from .metadata import Metadata

QUEUE_SECONDS = 2.0  # longest wait for a worker, or a turn to search or render, before a 503
FREE_THREADS = 4
PAGE_SLOTS, PAGE_QUEUE = 2, 4  # two renders at once (one waits on a worker, one runs)
WHOLE_BYTES = 1 << 20  # a streamed answer up to this size comes whole (and may be cached)
RELOAD_SECONDS = 1.0  # how often --reload looks for a new build
log = logging.getLogger("kazkg.web")


def _catalog_texts() -> list[str]:
    """The texts of the catalog's queries, the ones most asked for (none if it cannot be read)."""
    from ..query import catalog

    try:
        return [query.text for query in catalog.load_all().values()]
    except (KazkgError, OSError):
        return []


def _client():
    """The client of the request being answered (its address, an IPv6 /64: admission.client_of;
    None for the server's own jobs)."""
    return client_of(request.remote_addr) if has_request_context() else None


class Service:
    def __init__(self, build, config: dict, start: bool = True):
        """`build`: the kazkg.build.pipeline.Build to serve; with config["RELOAD"], each newer
        build of the same inputs is served as soon as it is in the cache."""
        self.config = config
        self.inputs, self.build_key = build.inputs, build.fingerprint
        self.base_version = build.build_id  # answers depend on the code too: ETags use this
        self.own_data = build.inputs.bundled  # kazkg's own data, or someone else's files
        self.files = [s.path.name for s in build.inputs.data]
        self.writes, self.writable, served = 0, None, None
        if config["ENABLE_UPDATE"]:  # serve what earlier runs wrote, if they did
            if config.get("RELOAD"):
                raise KazkgError("--reload serves each new build of the inputs, which would "
                                 "drop what --enable-update wrote: choose one of them")
            path = writable.location(build.inputs)
            dataset, self.writes = writable.load(path, build)
            self.writable = writable.Writable(path, self.writes, build)  # opened at the first write
            if dataset is not None:
                served, self.meta = Served.of(dataset), Metadata.of(dataset, build.version)
                served.key = build.fingerprint  # what the jobs name: no switch to the bare build
        if served is None:
            # The dataset and its engines, handed to the pool: the workers fork with them.
            served = Served.for_build(build, in_memory=True)
            self.meta = Metadata.cached(build, served.oxigraph.mirror.store if served.oxigraph else None)
        if config["ENABLE_UPDATE"]:  # writes run on rdflib's dataset: loaded once, before the
            served.dataset           # fork, not by each worker within its time limit
        self.handler = Handler(served)
        self.handler.prepare(_catalog_texts(), config["PUBLIC_URL"] + "sparql")
        # Made before the HTTP processes fork, so that all of them share what clients used.
        self.usage = Usage()
        # A search or a page of a client new to the server is taken to cost nothing: it ranks
        # before a flood of cheap searches (each ~0.05 s, under the query workers' 0.5 s guess)
        self.search_usage, self.page_usage = Usage(unknown=0.0), Usage(unknown=0.0)
        self.pool: Pool | None = None
        if start:
            self.start()
        self.cache = AnswerCache(config["CACHE_ENTRIES"], config["CACHE_BYTES"])
        self._write_lock = threading.Lock()

    @property
    def version(self) -> str:
        return self.base_version + (f"-w{self.writes}" if self.writes else "")

    @property
    def data_version(self) -> str:
        """The dataset's version from its data alone (what /health, VoID and a citation give);
        after writes, with their count."""
        return self.meta.version + (f"-w{self.writes}" if self.writes else "")

    def etag(self, key) -> str:
        """A strong validator: the dataset does not change while served, so the same request
        always gives the same answer."""
        digest = hashlib.sha256(repr((self.version, key)).encode("utf-8")).hexdigest()[:24]
        return f'"{digest}"'

    def run(self, job: dict, timeout: float | None = None, cache_key=None,
            stream: bool = False, client: str | None = None, lane_ok: bool = True) -> Answer:
        """Run a job on a worker (or answer from the cache) for `client` (default: the address
        of the request being answered); errors become error Answers. With `lane_ok` False (a
        dump) it never runs in the quick lane (kazkg.web.admission), so `timeout` holds.
        With `stream`, an answer of more than WHOLE_BYTES comes as its `stream` (a Delivery:
        the worker sends it in pieces as the client reads) and is not kept in the cache."""
        if stream:
            job["stream_over"] = WHOLE_BYTES
        if cache_key is not None:
            cache_key = (self.version, cache_key)
            hit = self.cache.get(cache_key)
            if hit is not None:
                return hit
        timeout = timeout or self.config["QUERY_TIMEOUT"]
        job.setdefault("build", self.build_key)  # a worker serving another build switches
        job.setdefault("services", tuple(self.config["SERVICE_ALLOW"]))
        job.setdefault("limit", self.config["RESULT_LIMIT"])
        job.setdefault("max_bytes", self.config["ANSWER_LIMIT"])
        lane = False
        try:
            with ExitStack() as held:
                lane = held.enter_context(self.admission.enter(
                    client_of(client) or _client(), wait=min(timeout, QUEUE_SECONDS),
                    lane_ok=lane_ok))
                limit = min(timeout, LANE_SECONDS) if lane else timeout
                worker = held.enter_context(self.pool.borrow(wait=QUEUE_SECONDS))
                started = time.monotonic()
                answer = worker.call(job, limit)
                if isinstance(answer, LongReply):  # the worker and the slot go with the pieces
                    answer = dataclasses.replace(answer.head, stream=Delivery(
                        worker, held.pop_all(), answer.size, started + limit, limit))
                elif answer.retire:
                    worker.retire()
        except JobTimeout as error:
            if lane:
                return Answer(503, error=f"{error}: every other query worker is busy with a "
                              "long query, and the last one is kept for quick queries; try "
                              "again when the server is less busy",
                              headers={"X-Time-Limit": f"{error.seconds:g}",
                                       "Retry-After": str(RETRY_SECONDS)})
            setting = "--dump-timeout" if job["kind"] == "dump" else "--query-timeout"
            return Answer(503, error=f"{error} (the server's limit; see {setting})",
                          headers={"X-Time-Limit": f"{error.seconds:g}"})
        except Busy as error:
            note = "" if lane_ok else (" (this job takes a worker of its own: the last one is "
                                       "kept for quick queries)")
            return Answer(503, error=f"{error}{note}", headers={"Retry-After": str(RETRY_SECONDS)})
        except WorkerDied as error:
            return Answer(503, error=str(error))
        if cache_key is not None and answer.status == 200 and answer.stream is None:
            self.cache.put(cache_key, answer)
        return answer

    def searching(self):
        """This process's turn to search (Python over every label, up to a few tenths of a
        second), shared between clients as the workers are: many searches at once would take
        the whole process (its one core) from every other request. 503 when none comes."""
        return self._turn(self.search_gate)

    def rendering(self):
        """This process's turn to render a page not kept (kazkg.web.pagecache), for the same
        reason; a service not started (no gate yet) renders at once."""
        gate = getattr(self, "page_gate", None)
        return nullcontext() if gate is None else self._turn(gate)

    @contextmanager
    def _turn(self, gate: Admission):
        try:
            with gate.enter(_client(), wait=QUEUE_SECONDS):
                yield
        except Busy as error:
            raise ServiceUnavailable(str(error), retry_after=RETRY_SECONDS) from None

    def write(self, job: dict, precondition=None) -> Answer:
        """Run a write on a worker; if it changed something, make the change durable (the
        write store), hand it to the pool (every worker from now on has it) and count the
        dataset anew, so that /health, VoID and the pages say what it holds now.
        `precondition` (kazkg.web.answers.write_precondition) is checked first, under the
        same lock: its failure (an Answer) is the answer, and nothing is written."""
        with self._write_lock:
            failed = precondition() if precondition is not None else None
            if failed is not None:
                return failed
            answer = self.run(job)
            if answer.status >= 300 or answer.delta is None:
                return answer
            if not (answer.delta.removed or answer.delta.added):
                return Answer(204)  # nothing changed: nothing to keep
            try:
                self.writable.commit(answer.delta)
            except OSError as error:
                return Answer(503, error=f"the write could not be kept on disk ({error}); "
                              "nothing was changed")
            self.pool.change(answer.delta)
            self.writes += 1
            self.meta = Metadata(self.meta.version, **answer.summary)
            self.cache.clear()
            return Answer(answer.status)  # 201 for a graph a PUT made, else 204

    def start(self, close_fds=(), poll: bool = True) -> None:
        """Fork the worker pool, in the process that will serve, before it starts any thread;
        `close_fds` (the listening socket) stay out of the pool's processes. `poll`: False for
        a pool that only computes the pages' lookups before the HTTP processes fork (no
        thread for --reload then: none may run at a fork)."""
        self.pool = Pool(self.handler, size=self.config["WORKERS"],
                         memory_mb=self.config["WORKER_MEMORY_MB"], close_fds=close_fds)
        # Queries waiting for or holding a worker leave FREE_THREADS of the HTTP threads to
        # cached answers, refusals and pages; one search at a time (it is Python in this process).
        threads, workers = self.config.get("THREADS", 32), self.pool.size
        self.admission = Admission(workers, queue=threads - workers - FREE_THREADS,
                                   usage=self.usage)
        self.search_gate = Admission(1, queue=2, lane=False, what="turn to search",
                                     usage=self.search_usage)
        # Pages not kept (kazkg.web.pagecache) render in PAGE_SLOTS turns: Python in this process
        self.page_gate = Admission(PAGE_SLOTS, queue=PAGE_QUEUE, lane=False,
                                   what="turn to render a page", usage=self.page_usage)
        self._closed = threading.Event()
        if poll and self.config.get("RELOAD"):  # after the fork: the pool runs no thread
            threading.Thread(target=self._poll, daemon=True).start()

    def _poll(self) -> None:
        while not self._closed.wait(RELOAD_SECONDS):
            try:
                self.reload()
            except (KazkgError, OSError) as error:  # e.g. a file being saved: try again
                log.warning("kazkg: cannot take up the new build yet: %s", error)

    def reload(self) -> bool:
        """Serve the latest build of the inputs if it is a new one and whole in the cache:
        requests under way finish on the build they started with, the next ones get the new
        one (each worker switches when a job names it). True when it switched."""
        key = cache.latest(self.inputs.identity())
        if key is None or key == self.build_key:
            return False
        # kazkg's own data is found again: a build may have files that the first did not
        inputs = bundled(self.inputs.ontology[0].path.parent.parent) if self.inputs.bundled else self.inputs
        build = pipeline.cached(inputs, key)
        found = oxengine.Mirror.from_cache(key) if build is not None else None
        if found is None:  # not whole yet, or not a build that serving can open
            return False
        meta = Metadata.cached(build, found.store)
        with self._write_lock:
            self.meta, self.base_version, self.build_key = meta, build.build_id, key
            self.inputs, self.files = inputs, [s.path.name for s in inputs.data]
            self.cache.clear()
        log.info("kazkg: now serving build %s (dataset version %s)", build.build_id, meta.version)
        return True

    def close(self) -> None:
        if self.pool is not None:
            self._closed.set()
            self.pool.close()
