"""The Python API: build or load the dataset and query it."""

from __future__ import annotations

import gc
import io
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.query import Result

from .build import persist, pipeline
from .query import catalog, jobs, path
from .query.engines import rdflib_result
from .query.served import Served
from .build.inputs import Inputs, bundled
from .formats.graphs import named_graphs
from .errors import display_path
from .namespaces import INFERRED_GRAPH, bind_prefixes
from .build.store import load as parse_inputs

_builds: dict[str, pipeline.Build] = {}  # one build per distinct input, for this process
_asserted: dict[str, Dataset] = {}  # and its copy without the inferred graph, made once
_served: dict[tuple, Served] = {}  # and each of them with its query engines
_latest: dict[str, pipeline.Build] = {}  # the build of the bundled inputs last made or loaded
_frozen: set[str] = set()  # the datasets load() gave, out of the collector's sight (gc.freeze)


def build(inputs: Inputs | None = None, *, use_cache: bool = True) -> pipeline.Build:
    """Build the dataset (or take it from the disk cache); see kazkg.build.pipeline.Build."""
    result = pipeline.build(inputs or bundled(), use_cache=use_cache)
    _builds[result.fingerprint] = result
    if inputs is None:
        _latest["bundled"] = result
    return result


def load(inputs: Inputs | None = None, *, use_cache: bool = True, inferred: bool = True) -> Dataset:
    """The built dataset: named graphs for the ontology, each data file and (unless
    `inferred=False`) the OWL-RL inferences; its default graph is the union.

    The dataset is kept for the life of the process, and so its objects are moved out of the
    cyclic garbage collector's sight once loaded (gc.freeze, which also moves the objects the
    process holds then): at 100x a full collection walked them for 2 to 5 s in the middle of
    whatever query came next."""
    key = (inputs or bundled()).fingerprint()
    result = (_builds.get(key) if use_cache else None) or build(inputs, use_cache=use_cache)
    if inputs is None:
        _latest["bundled"] = result
    if inferred:
        return _kept(result.fingerprint, result.dataset)
    if result.fingerprint not in _asserted:
        _asserted[result.fingerprint] = without_inferred(result.dataset)
    return _kept(result.fingerprint + "-asserted", _asserted[result.fingerprint])


def _kept(name: str, dataset: Dataset) -> Dataset:
    if name not in _frozen:
        gc.freeze()
        _frozen.add(name)
    return dataset


def stored(path: Path, *, use_cache: bool = True, read_only: bool = False) -> pipeline.Build:
    """The bundled dataset in the Oxigraph store at `path` (`--store oxigraph:PATH`), built
    (or refreshed) there first when the store is missing or holds other inputs. Opened
    `read_only`, any number of processes may open it too (kazkg serve's workers do)."""
    inputs = bundled()
    current = use_cache and persist.fingerprint(path) == inputs.fingerprint()
    if not current:
        built = build(inputs, use_cache=use_cache)
        persist.save(built.dataset, path, built.fingerprint)
    return pipeline.Build(persist.open_store(path, read_only), inputs, persist.fingerprint(path),
                          from_cache=current, stored=path)


def without_inferred(dataset: Dataset) -> Dataset:
    """A copy of the dataset with every graph but the inferred one."""
    copy = Dataset(default_union=True)
    bind_prefixes(copy)
    for graph in named_graphs(dataset, without=(INFERRED_GRAPH,)):
        target = copy.graph(graph.identifier)
        target += graph
    return copy


def query(text: str, dataset: Dataset | None = None, *, inferred: bool = True,
          use_cache: bool = True, timeout: float | None = None) -> Result:
    """Run a SPARQL query (its text, or the name of a catalog query) and return the rdflib
    Result. The project's prefixes may be used without PREFIX lines. With no `dataset`, the
    query runs over this process's last build() or load() of the bundled data (else the
    cached build). Oxigraph's engine answers where it gives rdflib's answer (over the built
    dataset, or a dataset in an Oxigraph store); a dataset of your own, which may change
    between calls, is queried with rdflib's.

    With `timeout` (seconds), the query runs in a worker process that is stopped at the
    limit (kazkg.QueryTimeout), as kazkg serve runs every query; its answer comes back as
    SPARQL JSON or N-Triples, read into the same kind of Result."""
    text = catalog.resolve(text)
    served = served_for(dataset, inferred=inferred, use_cache=use_cache)
    if timeout is None:
        evaluation = path.start(served, text, project_prefixes=True)
        kept, _ = path.take(evaluation)
        return evaluation.result(kept)
    answer = jobs.run(served, {"kind": "query", "text": text, "project_prefixes": True,
                               "accept": _READ_BACK}, timeout)
    answer.raise_for_error()
    if answer.form in ("CONSTRUCT", "DESCRIBE"):
        graph = Graph()
        graph.parse(data=answer.body, format="nt")
        return rdflib_result({"type_": answer.form, "graph": graph})
    return Result.parse(io.BytesIO(answer.body), format="json")


_READ_BACK = "application/sparql-results+json, application/n-triples"


def served_for(dataset: Dataset | None = None, *, inferred: bool = True, use_cache: bool = True,
               in_memory: bool = True) -> Served:
    """The query engines for `dataset` (default: the built dataset), made once per build.
    For a cached build, Oxigraph's copy opens from the cache and rdflib's dataset is only
    loaded for a query that needs rdflib. The copy is read into memory (`in_memory`) whatever
    its size: a process that asks kazkg.query runs many queries, and they run several times
    faster there than on the on-disk store (at 100x up to 9x; the copy takes seconds, once).
    `kazkg query`, one query per process, queries the store on disk."""
    if dataset is None:
        built = _latest.get("bundled") if use_cache else None
        return _served_once(built or build(use_cache=use_cache), inferred, in_memory)
    for built in list(_builds.values()):
        if built.source is dataset:
            return _served_once(built, True, in_memory)
        if _asserted.get(built.fingerprint) is dataset:
            return _served_once(built, False, in_memory)
    if persist.is_oxigraph(dataset):
        return Served.of(dataset)
    return Served(dataset)


def _served_once(built: pipeline.Build, inferred: bool, in_memory: bool) -> Served:
    variant = "" if inferred else "asserted."
    key = (built.fingerprint, variant, in_memory)
    if key not in _served:
        _served[key] = (Served.for_build(built, in_memory=in_memory, copy_limit=None)
                        if inferred else
                        Served.cached(lambda: load(built.inputs, inferred=False),
                                      built.fingerprint, variant, in_memory=in_memory,
                                      copy_limit=None))
    return _served[key]


def validate(inputs: Inputs | None = None) -> list:
    """Every SHACL result (kazkg.build.validate.Violation) for the inputs: violations, warnings and
    infos, without inference."""
    from .build.validate import check

    inputs = inputs or bundled()
    shapes = pipeline.load_shapes(inputs)
    if shapes is None:
        return []
    names = {str(s.graph): display_path(s.path) for s in inputs.sources}
    return check(parse_inputs(inputs), shapes, names)
