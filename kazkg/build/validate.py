"""SHACL validation of the asserted data against ontology/shapes.ttl (pyshacl)."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from pyshacl import validate as shacl_validate
from pyshacl.constraints.constraint_component import ConstraintComponent
from pyshacl.shape import Shape
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF
from rdflib.paths import Path
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.stores.memory import Memory

from ..errors import ValidationFailed
from ..formats.graphs import union
from ..namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, SH, bind_prefixes
from . import sparqlshapes


@dataclass(frozen=True)
class Violation:
    """One SHACL result, with the named graphs (files) that describe its focus node."""

    focus: str
    path: str
    message: str
    shape: str
    severity: str
    graphs: tuple[str, ...]

    def __str__(self) -> str:
        where = ", ".join(self.graphs) or "(no graph)"
        on = f"{self.focus} {self.path}".strip()
        return f"{where}: {on}: {self.message} [{self.shape}]"


class QueryOnceGraph(Graph):
    """A plain Graph whose query() parses and translates each distinct SPARQL text once.

    pyshacl runs a SPARQL-based constraint (kzsh:LabelShape's sh:sparql) as one query per focus
    node: the same text each time, with $this given as an initial binding. rdflib parses a query
    string on every call, and that parsing was nine tenths of the validation time (2,338 focus
    nodes at 10x, ~20 ms each). The prepared query is the one rdflib builds itself from the same
    text, the same namespaces and no base, and it is evaluated the same way with each call's
    bindings; only the repeated parsing is skipped.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepared: dict[str, object] = {}

    def query(self, query_object, processor="sparql", result="sparql", initNs=None,  # noqa: N803
              initBindings=None, use_store_provided=True, **kwargs):  # noqa: N803
        if isinstance(query_object, str) and processor == "sparql" and not initNs and not kwargs:
            prepared = self._prepared.get(query_object)
            if prepared is None:
                prepared = prepareQuery(query_object, initNs=dict(self.namespaces()))
                self._prepared[query_object] = prepared
            query_object = prepared
        return super().query(query_object, processor, result, initNs, initBindings,
                             use_store_provided, **kwargs)


class _UnionInPlace(QueryOnceGraph):
    """Every graph of a dataset as one read-only graph, read where it is (no copy): rdflib's
    memory store already holds the union of its graphs, under no context."""

    def __init__(self, dataset: Dataset):
        super().__init__(store=dataset.store, identifier=URIRef("urn:x-kazkg:union"),
                         namespace_manager=dataset.namespace_manager)

    def triples(self, triple):
        s, p, o = triple
        if isinstance(p, Path):  # as Graph.triples: a property path is evaluated on this graph
            for s2, o2 in p.eval(self, s, o):
                yield s2, p, o2
            return
        for found, _ in self.store.triples(triple, None):
            yield found

    def __len__(self) -> int:
        return self.store.__len__(None)

    def add(self, triple):
        raise TypeError("the union of a dataset's graphs is read-only here")

    addN = remove = add


def data_graph(dataset: Dataset) -> Graph:
    """The asserted data and the ontology as one graph (without the inferred triples).

    The ontology is merged in directly, not passed as pyshacl's `ont_graph`: pyshacl copies an
    ont_graph node by node, which takes minutes on ours. SHACL only needs its rdfs:subClassOf
    triples in the data graph, so that sh:targetClass reaches the instances of subclasses.
    A dataset with no inferred triples (as the build validates it) is read in place; one with
    them is copied without them.
    """
    if isinstance(dataset.store, Memory) and not len(dataset.graph(INFERRED_GRAPH)):
        return _UnionInPlace(dataset)
    into = QueryOnceGraph()
    bind_prefixes(into)
    return union(dataset, without=(INFERRED_GRAPH,), into=into)


def check(dataset: Dataset, shapes: Graph, sources: dict[str, str] | None = None,
          on_oxigraph: bool = True, raw: list | None = None) -> list[Violation]:
    """Validate the dataset; return every result (violations, warnings and infos).

    `sources` maps a named graph IRI to a name a person knows (its file), for the messages.
    `on_oxigraph`: the SPARQL-based constraints pyshacl would run once per focus node run once
    each on Oxigraph (kazkg.build.sparqlshapes; False: all on pyshacl, the reference).
    `raw`: a list given gets the results as `results` gives them.
    """
    found = results(data_graph(dataset), shapes, on_oxigraph)
    if raw is not None:
        raw.extend(found)
    if not found:
        return []

    def graphs_of(node) -> set[str]:
        return {str(g.identifier) for g in dataset.graphs()
                if g.identifier not in (ONTOLOGY_GRAPH, INFERRED_GRAPH) and (node, None, None) in g}

    return violations(found, dataset.namespace_manager, graphs_of, sources)


def results(data: Graph, shapes: Graph, on_oxigraph: bool = True, focus=None,
            store=None) -> list[tuple]:
    """SHACL's results on the data graph `data` (read in place, not changed), each as
    (focus, path, message, shape, severity) in rdflib terms; with `focus`, only those of the
    focus nodes `focus(node)` accepts (the others are not validated). `store`: the same data
    as a sparqlshapes.DataStore, if made already."""
    lifted, shapes = sparqlshapes.split(shapes) if on_oxigraph else ([], shapes)
    # inplace: the union graph is built for this call only, so pyshacl need not copy it first
    # (advanced mode otherwise does, in case sh:rule adds triples); the copy would also be a
    # plain Graph that parses every query again.
    with _without_text_report(), _targets_only(focus):
        conforms, report, _ = shacl_validate(
            data,
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            inplace=True,
            allow_warnings=True,
        )
    found = [] if conforms else [
        (report.value(result, SH.focusNode), report.value(result, SH.resultPath),
         report.value(result, SH.resultMessage), report.value(result, SH.sourceShape),
         report.value(result, SH.resultSeverity))
        for result in report.subjects(RDF.type, SH.ValidationResult)]
    if lifted:
        found += sparqlshapes.evaluate(lifted, store if store is not None else sparqlshapes.DataStore(data))
    return found if focus is None else [r for r in found if focus(r[0])]


def violations(found, namespace, graphs_of, sources: dict[str, str] | None = None) -> list[Violation]:
    """The results as Violations, in order; `graphs_of(node)` names the graphs describing it."""
    sources = sources or {}

    def short(term) -> str:
        if term is None:
            return ""
        return term.n3(namespace) if isinstance(term, URIRef) else str(term)

    results = [
        Violation(focus=short(focus), path=short(path),
                  message=str(message or "constraint not met"), shape=short(shape),
                  severity=str(severity).rpartition("#")[2],
                  graphs=tuple(sorted(sources.get(n, n) for n in graphs_of(focus))))
        for focus, path, message, shape, severity in found
    ]
    return sorted(results, key=lambda v: (v.graphs, v.focus, v.path, v.message))


@contextmanager
def _without_text_report():
    """pyshacl words every result it makes as text for its text report, also the results of
    sh:or's alternatives that it then drops (11,615 at 10x, a third of its time); kazkg reads
    the report graph only, which this leaves as it is."""
    saved = ConstraintComponent.make_v_result_description
    ConstraintComponent.make_v_result_description = lambda *_, **__: ""
    try:
        yield
    finally:
        ConstraintComponent.make_v_result_description = saved


@contextmanager
def _targets_only(focus):
    """pyshacl's shapes target only the focus nodes `focus` accepts (None: all): a node is
    validated where it is one of those, not again wherever a local graph holds it."""
    if focus is None:
        yield
        return
    saved = Shape.focus_nodes
    Shape.focus_nodes = lambda *args, **kwargs: {n for n in saved(*args, **kwargs) if focus(n)}
    try:
        yield
    finally:
        Shape.focus_nodes = saved


def ensure_valid(dataset: Dataset, shapes: Graph, sources=None, raw=None) -> list[Violation]:
    """Raise ValidationFailed when there is any sh:Violation; return the lesser results."""
    return refuse_violations(check(dataset, shapes, sources, raw=raw))


def refuse_violations(found: list[Violation]) -> list[Violation]:
    wrong = [r for r in found if r.severity == "Violation"]
    if wrong:
        raise ValidationFailed(wrong)
    return found
