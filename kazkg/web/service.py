"""The served dataset: its worker pool, its answer cache, its version and its metadata.

One Service per app (in `app.extensions["kazkg"]`). At start-up it counts the dataset (its
Metadata, kept in the cache beside the build) and readies the engines the workers will query,
before the pool forks; after that the HTTP layer only asks it for Answers, and every job runs
in a worker.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import threading
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

from flask import has_request_context, request
from rdflib import Dataset
from rdflib.namespace import DCTERMS, OWL, RDF
from werkzeug.exceptions import ServiceUnavailable

from ..build import cache, pipeline, stats, writable
from ..build.inputs import bundled
from ..errors import KazkgError
from ..namespaces import ONTOLOGY_GRAPH, SCHEMA
from ..query import oxengine
from ..query.jobs import Answer, Handler
from ..query.served import Served
from ..query.workers import Busy, JobTimeout, Pool, WorkerDied
from .admission import LANE_SECONDS, RETRY_SECONDS, Admission, Usage
from .answercache import AnswerCache

QUEUE_SECONDS = 2.0  # longest wait for a worker, or a turn to search or render, before a 503
FREE_THREADS = 4
PAGE_SLOTS, PAGE_QUEUE = 2, 4  # two renders at once (one waits on a worker, one runs)
RELOAD_SECONDS = 1.0  # how often --reload looks for a new build
log = logging.getLogger("kazkg.web")


@dataclass(frozen=True)
class Metadata:
    """Counts and facts about the dataset as loaded, for /health, VoID and the service
    description."""

    version: str
    triples: int
    graphs: dict
    vocabularies: tuple
    license: str | None

    FILE = "metadata-2.json"  # beside the cached build; a new name when the fields change

    @classmethod
    def cached(cls, build, store=None) -> "Metadata":
        """The metadata of a build, counted once (in its Oxigraph `store` when there is one,
        which needs no rdflib dataset) and then kept in the cache beside it."""
        path = cache.beside(build.fingerprint, cls.FILE)
        try:  # checked against the cache's manifest: an edited count is never served
            fields = json.loads(cache.read_bytes(path))
            return cls(**{**fields, "vocabularies": tuple(fields["vocabularies"])})
        except (OSError, ValueError, TypeError, KeyError):  # Damaged too: counted again
            found = (cls.of(build.dataset, build.version) if store is None
                     else cls.of_store(store, build.version))
        try:
            cache.keep(path, json.dumps(dataclasses.asdict(found)).encode("utf-8"))
        except OSError:  # a read-only cache folder: serve all the same
            pass
        return found

    @classmethod
    def of(cls, dataset: Dataset, version: str) -> "Metadata":
        return cls(version, **stats.describe(dataset))

    @classmethod
    def of_store(cls, store, version: str) -> "Metadata":
        """The same counts, asked of an Oxigraph store laid out as kazkg.build.mirror writes
        it (named graphs, and their union as the default graph)."""
        def column(query: str) -> list:
            return [tuple(row) for row in store.query(query)]

        graphs = {g.value: int(n.value) for g, n in column(
            "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
        [(triples,)] = column("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
        terms = column("SELECT DISTINCT ?p { ?s ?p ?o }") + column(
            f"SELECT DISTINCT ?c {{ ?s <{RDF.type}> ?c FILTER(isIRI(?c)) }}")
        vocabularies = {stats.namespace(term.value) for (term,) in terms}
        license_iri = None
        if str(ONTOLOGY_GRAPH) in graphs:
            for prop in (DCTERMS.license, SCHEMA.license):
                found = column(f"SELECT ?l {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?o a <{OWL.Ontology}> ; "
                               f"<{prop}> ?l }} }} LIMIT 1")
                if found:
                    license_iri = found[0][0].value
                    break
        return cls(version, int(triples.value), dict(sorted(graphs.items())),
                   tuple(sorted(v for v in vocabularies if v)), license_iri)


def _client():
    """The client address of the request being answered (None for the server's own jobs)."""
    return request.remote_addr if has_request_context() else None


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

    def run(self, job: dict, timeout: float | None = None, cache_key=None) -> Answer:
        """Run a job on a worker (or answer from the cache); errors become error Answers."""
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
            with self.admission.enter(_client(), wait=min(timeout, QUEUE_SECONDS)) as lane:
                limit = min(timeout, LANE_SECONDS) if lane else timeout
                with self.pool.borrow(wait=QUEUE_SECONDS) as worker:
                    answer = worker.call(job, limit)
                    if answer.retire:
                        worker.retire()
        except JobTimeout as error:
            if lane:
                return Answer(503, error=f"{error}: every other query worker is busy with a "
                              "long query, and the last one is kept for quick queries; try "
                              "again when the server is less busy",
                              headers={"X-Time-Limit": f"{error.seconds:g}",
                                       "Retry-After": str(RETRY_SECONDS)})
            return Answer(503, error=f"{error} (the server's per-query limit; see --query-timeout)",
                          headers={"X-Time-Limit": f"{error.seconds:g}"})
        except Busy as error:
            return Answer(503, error=str(error), headers={"Retry-After": str(RETRY_SECONDS)})
        except WorkerDied as error:
            return Answer(503, error=str(error))
        if cache_key is not None and answer.status == 200:
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

    def write(self, job: dict) -> Answer:
        """Run a write on a worker; if it changed something, make the change durable (the
        write store), hand it to the pool (every worker from now on has it) and count the
        dataset anew, so that /health, VoID and the pages say what it holds now."""
        with self._write_lock:
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
