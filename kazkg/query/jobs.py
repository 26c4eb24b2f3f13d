"""What a worker does with a job: a plain dict in, an `Answer` out.

Everything here runs where kazkg.query.workers.Pool runs it (inside a worker process, so a
query that cannot be interrupted only ever costs one worker, which the pool kills at the time
limit), or in the caller's own process when no time limit is asked for (`kazkg query`). The
web layer turns an Answer into an HTTP response unchanged; the CLI prints its body.

A query job: {"kind": "query", "text": ..., and optionally "base", "services", "limit",
"default_graphs", "named_graphs", "project_prefixes", and either "accept" / "format" (the
protocol's negotiation) or "output" (a `kazkg query --format` name; None: the default for
the form, "terminal" saying where it goes)}.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from ..build import cache, stats
from ..errors import KazkgError, QueryError, QueryTimeout
from ..formats import export, results
from ..formats.accept import kept_when_short
from ..formats.files import write_atomic
from . import path, writes
from .engines import GRAPH_FORMS
from .bulk import data_update
from .served import Served, StoreChanged
from .sparql import parse_update
from .guard import check
from .workers import JobTimeout, Pool, WorkerDied
from .zygote import Long


@dataclass
class Answer:
    status: int
    media_type: str = "application/json"
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    error: str | None = None        # a message for the client (status >= 400)
    position: tuple | None = None   # (line, column) of a syntax error
    retire: bool = False            # the worker's state may be damaged: replace it
    form: str | None = None         # SELECT, ASK, CONSTRUCT or DESCRIBE, for a query
    delta: object = None            # a write's net change (kazkg.query.writes.Delta)
    summary: dict | None = None     # after a write: kazkg.build.stats.describe of the dataset
    stream: object = None           # instead of body: its pieces still to come (kazkg serve)

    def raise_for_error(self) -> None:
        """For callers that are not HTTP clients: an error Answer as the KazkgError it was."""
        if self.status < 400:
            return
        error = (QueryError if self.status == 400 else KazkgError)(self.error or "")
        if self.position and isinstance(error, QueryError):
            error.line, error.column = self.position
        raise error


class Handler:
    """The pool's handler over one Served dataset: `Pool(Handler(served))`."""

    def __init__(self, served: Served):
        self.served = served

    def __call__(self, job: dict) -> Answer:
        """One job in, one Answer out; what the client got wrong becomes a 4xx Answer, and
        anything else (a bug) is raised, for the pool to report."""
        warnings.simplefilter("ignore")  # a library's warning is not the client's problem
        try:
            self.switch(job.get("build"))
            self.served.own_store_handle()
            kind = job["kind"]
            if kind == "query":
                return in_pieces(within_bytes(self.query(job), job.get("max_bytes")), job)
            if kind == "update":
                return self.update(job)
            if kind == "graph":
                return in_pieces(within_bytes(self.graph(job), job.get("max_bytes")), job)
            if kind == "dump":
                return self.dump(job)
            if kind == "write":
                return self.write(job["op"])
            raise ValueError(f"unknown job kind {kind!r}")
        except QueryError as error:  # 400, or the status it names (406: kazkg.formats.xmlsafe)
            return Answer(getattr(error, "status", 400), error=str(error),
                          position=(error.line, error.column) if error.line is not None else None)
        except RecursionError:
            return Answer(400, error="the request is nested too deeply to process")
        except StoreChanged as error:
            return Answer(503, error=str(error), retire=True)

    def dump(self, job: dict) -> Answer:
        """Write the dump in job["format"] to job["path"], its first line naming
        job["version"], and gzipped (level 6) to job["gzip_path"]; the answer gives their
        sizes and SHA-256 (X-Bytes, X-SHA256, X-Gzip-...), never their bytes. With job["nice"] (a worker of its own, killed after: kazkg.web.dumps), at a
        lower CPU priority, so that the queries of the other workers go first."""
        if job.get("nice"):
            os.nice(job["nice"])
        fmt = job["format"]
        payload = export.with_version(export.serialize(self.served.dataset, fmt), fmt,
                                      job["version"])
        packed = gzip.compress(payload, 6, mtime=0)  # for clients that take gzip
        headers = {}
        for path, body, tag in ((job["path"], payload, ""), (job["gzip_path"], packed, "Gzip-")):
            write_atomic(Path(path), body)
            headers.update({f"X-{tag}Bytes": len(body),
                            f"X-{tag}SHA256": hashlib.sha256(body).hexdigest()})
        return Answer(200, export.FORMATS[fmt].media_type, headers=headers)

    def prepare(self, texts, base: str | None) -> None:
        """Prepare `texts` (the catalog's queries) and choose their engines, as a job with this
        `base` would: called before the workers fork, so that each worker starts with what that
        learned (rdflib's SPARQL grammar, and its parse of the few queries whose engine only
        its algebra decides: 0.3 s and 25-330 ms that each worker paid at its first ones).
        Nothing is evaluated: at 100x, evaluating the 20 catalog queries here took 6-11 s of
        kazkg serve's start for answers nobody kept."""
        for text in texts:
            try:
                path.choose(self.served, text, base=base, project_prefixes=True)
            except QueryError:  # a query of someone else's catalog that is not valid here
                continue

    def switch(self, key: str | None) -> None:
        """Serve the cached build `key` from now on, if it is not the one served (kazkg serve
        --reload names the build in every job)."""
        if key is None or key == self.served.key:
            return

        def load():
            hit = cache.load(key)
            if hit is None:
                raise StoreChanged(f"the build {key[:16]} is no longer in the cache")
            return hit[0]

        if cache.summary(key) is None:
            raise StoreChanged(f"the build {key[:16]} is no longer in the cache")
        self.served = Served.cached(load, key, in_memory=True)

    def absorb(self, delta) -> None:
        """In the pool's zygote: take a write a worker made (kazkg.query.workers.Pool.change)."""
        mirror = self.served.oxigraph.mirror if self.served.oxigraph is not None else None
        writes.absorb(self.served.dataset, mirror, delta)
        self.served.applied += 1

    def write(self, op: tuple) -> Answer:
        """Run a write here and hand back its net change and the counts after it (this worker
        is replaced after it: the pool's zygote absorbs the change, and forks from there)."""
        dataset = self.served.dataset
        # The Graph Store protocol: 201 Created when a PUT made a new graph, 204 otherwise.
        created = op[0] == "put" and op[1] is not None and not writes.holds(dataset, op[1])
        try:
            delta = writes.apply(dataset, op)
        except writes.NoSuchGraph as missing:
            return Answer(404, error=f"this dataset has no graph named <{missing}>")
        except writes.Protected as refused:
            return Answer(403, error=str(refused), retire=True)
        return Answer(201 if created else 204, delta=delta, summary=stats.describe(dataset),
                      retire=True)

    def query(self, job: dict) -> Answer:
        evaluation = path.start(self.served, job["text"], base=job.get("base"),
                                project_prefixes=job.get("project_prefixes", False),
                                services=tuple(job.get("services", ())),
                                scope=self.served.scope(job))
        if "output" in job:  # kazkg query --format
            name = job["output"] or results.default_format(evaluation, job.get("terminal", False))
            media_type = "text/plain"
        else:  # negotiated before anything is read
            fmt = negotiate(job, evaluation.form in GRAPH_FORMS)
            if isinstance(fmt, Answer):
                return fmt
            name, media_type = fmt.name, fmt.media_type
        limit = job.get("limit") or 0
        kept, truncated = path.take(evaluation, limit)
        body = path.write(evaluation, kept, name)
        headers = {"X-Result-Limit": str(limit)} if limit else {}
        if truncated:
            headers["X-Result-Truncated"] = "true"
            if job.get("cap_link") and evaluation.form not in GRAPH_FORMS:  # in the results
                # too: SPARQLWrapper, rdflib's SPARQLStore and Comunica read only those
                body = results.with_link(body, name, job["cap_link"])
        return Answer(200, media_type, body, headers, form=evaluation.form)

    def update(self, job: dict) -> Answer:
        data = data_update(job["text"], job.get("base"), job.get("project_prefixes", False))
        if data is not None:  # many triples: pyoxigraph's parser, not rdflib's
            return self.write(("data", *data))
        update = parse_update(job["text"], base=job.get("base"),
                              project_prefixes=job.get("project_prefixes", False))
        check(update.algebra, tuple(job.get("services", ())))
        return self.write(("update", update, job.get("base")))

    def graph(self, job: dict) -> Answer:
        """Graph Store GET: one named graph, or (no "graph") the union of all."""
        fmt = negotiate(job, True)
        if isinstance(fmt, Answer):
            return fmt
        iri = job.get("graph")
        dataset = self.served.dataset
        if iri is None and job.get("as_dump"):  # the very bytes of the union's dump, which
            # later answers are sent from (kazkg.web.store): one ETag, one representation
            made = job["as_dump"]
            return Answer(200, fmt.media_type, export.with_version(
                export.serialize(dataset, made), made, job["version"]),
                {"X-Dataset-Version": job["version"]})
        if iri is None:
            graph = Graph()
            for g in dataset.graphs():
                graph += g
        else:
            graph = Graph(store=dataset.store, identifier=URIRef(iri))
            if not len(graph):
                return Answer(404, error=f"this dataset has no graph named <{iri}>")
        return Answer(200, fmt.media_type, export.serialize_graph(
            graph, fmt.name, name=None if iri is None else URIRef(iri)))  # its name in N-Quads, TriG


def within_bytes(answer: Answer, limit: int | None) -> Answer:
    """Refuse an answer larger than `limit` bytes here, in the worker: the HTTP process never
    receives (nor holds) more than that for one request."""
    if limit and len(answer.body) > limit:
        return Answer(400, error=f"the answer is {len(answer.body)} bytes, more than this "
                      f"server's limit of {limit} bytes (answer_limit): ask for fewer rows "
                      "(LIMIT) or fewer variables, or download the whole dataset")
    return answer


def in_pieces(answer: Answer, job: dict):
    """An answer of more than job["stream_over"] bytes as a reply sent in pieces
    (kazkg.query.zygote.Long): kazkg serve passes them on as they come, and its HTTP process
    never holds the whole of a large answer."""
    over = job.get("stream_over")
    if over is not None and answer.status == 200 and len(answer.body) > over:
        return Long(dataclasses.replace(answer, body=b""), answer.body)
    return answer


def negotiate(job: dict, graph: bool):
    """The protocol's format for the job, or the 406 Answer; kept for the last Accept headers
    seen (each client sends the same one every time; parsing it took 0.05-0.1 ms a query)."""
    accept, asked = job.get("accept"), job.get("format")
    asked = (asked,) if isinstance(asked, str) else tuple(asked or ())
    found = _negotiated(accept, asked, graph)
    return Answer(406, error=found) if isinstance(found, str) else found


@kept_when_short(maxsize=256)  # a long Accept header or ?format= list is read each time
def _negotiated(accept: str | None, asked: tuple, graph: bool):
    """The format, or why none fits (kazkg.formats.negotiation is imported here: werkzeug,
    under it, is a quarter of the command line's start-up)."""
    from ..formats.negotiation import RDF_FORMATS, RESULT_FORMATS, NotAcceptable, best_match

    try:
        return best_match(accept, RDF_FORMATS if graph else RESULT_FORMATS, asked)
    except NotAcceptable as error:
        return str(error)


def run(served: Served, job: dict, timeout: float | None = None) -> Answer:
    """Run one job for a caller that is not a server (kazkg.api, `kazkg query`): in this
    process, or, with a `timeout` in seconds, in a worker process of its own that is killed
    at the limit (QueryTimeout), exactly as kazkg serve's workers are."""
    handler = Handler(served)
    if timeout is None:
        return handler(job)
    pool = Pool(handler, size=1)
    try:
        with pool.borrow(wait=timeout) as worker:
            return worker.call(job, timeout)
    except JobTimeout as error:
        raise QueryTimeout(error.seconds) from None
    except WorkerDied as error:
        raise KazkgError(str(error)) from None
    finally:
        pool.close()
