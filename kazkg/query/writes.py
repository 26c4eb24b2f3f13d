"""Writes (only with `kazkg serve --enable-update` and a bearer token), as net changes.

A write is an operation tuple, run in a query worker (so it has the time limit):

    ("update", text, base)            a SPARQL Update
    ("put", graph_or_None, ntriples)  Graph Store PUT: replace the graph
    ("post", graph_or_None, ntriples) Graph Store POST: add to the graph
    ("delete", graph_or_None, b"")    Graph Store DELETE: drop the graph
    ("data", "insert" or "delete", quads)  INSERT DATA or DELETE DATA, read by kazkg.query.bulk

`apply` runs it on rdflib's dataset (the reference engine) and records what it really
changed: a Delta of quads removed and added. The HTTP process makes the Delta durable
(kazkg.build.writable) and hands it to the worker pool's zygote, which `absorb`s it into its
dataset and Oxigraph's copy; the workers forked after that answer from the new state, on
Oxigraph's engine as before. No log of writes is kept or replayed.

For the Graph Store, `?default` is the default graph that queries see: the union of every
graph. So PUT ?default replaces everything with the body (GET ?default then gives back
exactly the body, as the protocol says), DELETE ?default empties the dataset, and POST
?default adds to kazkg's own default graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef, Variable

from ..errors import QueryError
from ..formats import entities
from ..formats.table import RDF_FORMATS
from ..formats.terms import is_named_graph, refuse_triple_terms, to_oxigraph, to_rdflib
from ..namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from . import using
from .sparql import parse_update

# Graph Store bodies are one graph, parsed by pyoxigraph: strict, and it never fetches a remote
# context (so no JSON-LD, which is also the one triple format that may hold named graphs).
BODY_FORMATS = {f.media_type: f.oxigraph for f in RDF_FORMATS if not f.named_graphs}
DEFAULT_GRAPH = "urn:x-kazkg:default"


@dataclass
class Delta:
    """The net change of one write: sets of (s, p, o, graph IRI) rdflib terms."""

    removed: set
    added: set


class NoSuchGraph(Exception):
    """DELETE of a graph the dataset does not hold (the protocol's 404)."""


# The build makes these from the sources: a write may not change them (the ontology would no
# longer be the one the data was checked and reasoned with, the closure no longer its closure).
PROTECTED = {str(ONTOLOGY_GRAPH): "the ontology", str(INFERRED_GRAPH): "the OWL-RL closure"}


class Protected(Exception):
    """A write that would change a graph of PROTECTED (the answer: 403)."""

    def __init__(self, graph: str):
        self.graph = graph
        super().__init__(f"writes may not change the graph <{graph}>: it is "
                         f"{PROTECTED[graph]}, which kazkg's build makes from the sources "
                         "(edit them and rebuild); nothing was changed")


def holds(dataset: Dataset, graph: str) -> bool:
    """Whether `dataset` has the named `graph` (with at least one triple)."""
    return next(iter(Graph(store=dataset.store, identifier=URIRef(graph))), None) is not None


def parse_body(body: bytes, media_type: str, base: str, limit: int | None = None) -> bytes:
    """Check a Graph Store body and return it as N-Triples; QueryError if it does not parse,
    entities.EntityRefused if it is XML whose entities could expand past `limit` bytes (by
    default its own size) or refer to entities (kazkg.formats.entities)."""
    fmt = BODY_FORMATS.get(media_type)
    if fmt is None:
        raise QueryError(f"unsupported RDF media type {media_type!r}")
    if fmt == ox.RdfFormat.RDF_XML:  # before the parser, which expands entities without a limit
        entities.check(body, len(body) if limit is None else limit)
    try:
        triples = list(ox.parse(input=body, format=fmt, base_iri=base))
    except (SyntaxError, ValueError) as error:
        raise QueryError(f"the request body does not parse: {error}") from None
    refuse_triple_terms(triples, "the request body")
    return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples).encode("utf-8")


def _well_formed(triple, graph) -> bool:
    """Whether the quad is RDF: each IRI an absolute IRI, the subject an IRI or a blank node,
    the predicate an IRI, a language tag a language tag."""
    try:
        ox.Quad(*(to_oxigraph(term) for term in triple), ox.NamedNode(str(graph)))
    except (TypeError, ValueError):
        return False
    return True


class _Recorder:
    """Watches an rdflib Memory store's add and remove, noting each quad that really changes.
    With `skip_ill_formed` (an update's templates), a triple that would not be RDF is left out,
    as SPARQL 1.1 Update (3.1.3) says for INSERT templates: rdflib made IRI("not an iri"), a
    literal subject; Oxigraph and the write store refused them after the fact (a 500)."""

    def __init__(self, store, skip_ill_formed: bool = False):
        self.store, self.delta, self.skip = store, Delta(set(), set()), skip_ill_formed
        self._add, self._remove = store.add, store.remove

    def __enter__(self):
        self.store.add, self.store.remove = self.add, self.remove
        return self.delta

    def __exit__(self, *_):
        del self.store.add, self.store.remove  # the class's own methods again

    def add(self, triple, context, quoted=False):
        name = getattr(context, "identifier", context)
        if self.skip and not _well_formed(triple, name):
            return None
        if next(self.store.triples(triple, context), None) is None:
            quad = (*triple, URIRef(name))
            if quad in self.delta.removed:
                self.delta.removed.discard(quad)
            else:
                self.delta.added.add(quad)
        return self._add(triple, context, quoted)

    def remove(self, pattern, context=None):
        for triple, contexts in list(self.store.triples(pattern, context)):
            names = [context] if context is not None else list(contexts)
            for graph in names:
                quad = (*triple, URIRef(getattr(graph, "identifier", graph)))
                if quad in self.delta.added:
                    self.delta.added.discard(quad)
                else:
                    self.delta.removed.add(quad)
        return self._remove(pattern, context)


def apply(dataset: Dataset, op: tuple) -> Delta:
    """Run one write on `dataset` (guarded already); the Delta it made. Protected when it
    changed a graph of PROTECTED (the dataset is then changed all the same: the worker that
    ran it is replaced, and the change goes nowhere)."""
    if op[0] not in ("update", "data") and op[1] is not None and str(op[1]) in PROTECTED:
        raise Protected(str(op[1]))
    delta = _apply(dataset, op)
    for _, _, _, graph in delta.removed | delta.added:
        if str(graph) in PROTECTED:
            raise Protected(str(graph))
    return delta


def _apply(dataset: Dataset, op: tuple) -> Delta:
    kind = op[0]  # data and Graph Store bodies come from pyoxigraph's parser: RDF already
    with _Recorder(dataset.store, skip_ill_formed=kind == "update") as delta:
        if kind == "update":  # the text, or the update already parsed from it
            _own_default(dataset, parse_update(op[1], base=op[2]) if isinstance(op[1], str) else op[1])
            return delta
        if kind == "data":
            for s, p, o, g in op[2]:
                if op[1] == "insert":
                    dataset.add((s, p, o, URIRef(g) if g is not None else URIRef(DEFAULT_GRAPH)))
                else:  # out of the default graph, the union: out of every graph that holds it
                    dataset.remove((s, p, o, g))
            return delta
        graph, union = op[1], op[1] is None
        if kind == "delete" and not union and not holds(dataset, graph):
            raise NoSuchGraph(graph)
        if kind in ("put", "delete"):
            for name in ([g.identifier for g in dataset.graphs()] if union else [graph]):
                Graph(store=dataset.store, identifier=URIRef(name)).remove((None, None, None))
        if kind in ("put", "post"):
            target = Graph(store=dataset.store, identifier=URIRef(graph or DEFAULT_GRAPH))
            for t in ox.parse(input=op[2], format=ox.RdfFormat.N_TRIPLES):
                target.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return delta


class _UnionDefault(Graph):
    """An update's default graph as kazkg's queries see it, the union of every graph: a triple
    deleted from it goes from every graph that holds it, one inserted into it goes into
    kazkg's own default graph (where Graph Store POST ?default puts it too). rdflib would
    delete from and insert into a default graph of its own that no query sees, so that
    DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } answered success and deleted nothing."""

    def __init__(self, dataset: Dataset):
        super().__init__(store=dataset.store, identifier=URIRef(DEFAULT_GRAPH))
        self._dataset = dataset

    def __isub__(self, triples):
        for s, p, o in list(triples):
            self._dataset.remove((s, p, o, None))
        return self


def _with_default(op) -> list:
    """`op`, or the operations that do what it says when it names DEFAULT: rdflib would drop
    nothing for DROP DEFAULT (a 204 that lies) and fail inside COPY, MOVE and ADD (a 500), as
    the default graph is the union. DROP DEFAULT is CLEAR DEFAULT (the spec says so for the
    default graph); ADD, and COPY DEFAULT TO <g>, become the CLEAR and INSERT they stand for;
    MOVE, and COPY into DEFAULT, mean nothing on a union that holds both sides: QueryError."""
    if op.name == "Drop" and op.graphiri == "DEFAULT":
        return _parsed("CLEAR SILENT DEFAULT")
    if op.name not in ("Add", "Copy", "Move") or "DEFAULT" not in op.graph:
        return [op]
    source, target = op.graph
    if source == target:
        return []
    if op.name != "Add" and (target == "DEFAULT" or op.name == "Move"):
        # the union holds both graphs: clearing one side would clear the other too
        raise QueryError(f"{op.name.upper()} {'to' if target == 'DEFAULT' else 'from'} DEFAULT is "
                         "not supported: kazkg's default graph is the union of every graph, so it "
                         "holds the other graph as well; use ADD, or name the graphs (COPY <a> TO <b>)")
    pattern = lambda g: "?s ?p ?o" if g == "DEFAULT" else f"GRAPH <{g}> {{ ?s ?p ?o }}"
    insert = f"INSERT {{ {pattern(target)} }} WHERE {{ {pattern(source)} }}"
    return _parsed(f"CLEAR SILENT GRAPH <{target}> ;\n{insert}" if op.name == "Copy" else insert)


def _parsed(text: str) -> list:
    return list(parse_update(text).algebra)


def _own_default(dataset: Dataset, update):
    """`update` run on `dataset` with the default graph above. INSERT DATA's triples are moved
    into kazkg's own default graph first: rdflib adds them to the union itself, which fails
    inside rdflib (a 500)."""
    from rdflib.plugins.sparql.update import evalUpdate

    update.algebra[:] = [done for op in update.algebra for done in _with_default(op)]
    for op in update.algebra:
        if op.name in ("InsertData", "DeleteData") and any(
                isinstance(term, Variable) for triple in [*(op.triples or ()), *(
                    t for ts in (op.quads or {}).values() for t in ts)] for term in triple):
            raise QueryError(f"{'INSERT' if op.name == 'InsertData' else 'DELETE'} DATA may not "
                             "hold variables (SPARQL 1.1 Update, 3.1): use INSERT or DELETE ... WHERE")
        if op.name == "InsertData":  # data, not a template: an ill-formed triple is an error
            for graph, triples in [(DEFAULT_GRAPH, op.triples or ())] + list((op.quads or {}).items()):
                bad = next((t for t in triples if not _well_formed(t, graph)), None)
                if bad is not None:
                    raise QueryError("INSERT DATA holds a triple that is not RDF (an IRI that is "
                                     "not an absolute IRI, a language tag that is not BCP 47, or "
                                     "a string that is not Unicode), so nothing was written: "
                                     + " ".join(repr(str(term)) for term in bad))
        if op.name == "InsertData" and op.triples:
            op.quads.setdefault(URIRef(DEFAULT_GRAPH), []).extend(op.triples)
            op.triples = []
    # rdflib's evalModify reads the default graph as default_context, the old name of default_graph
    kept, dataset.default_graph = dataset.default_graph, _UnionDefault(dataset)
    using.install()  # USING NAMED as SPARQL says (kazkg.query.using)
    dataset.get_context = _iri_contexts(dataset.get_context)
    try:
        evalUpdate(dataset, update)
    finally:
        dataset.default_graph = kept
        del dataset.get_context  # the class's own again


def _iri_contexts(get_context):
    """The dataset's get_context for rdflib's evalModify, which asks it for a template's
    GRAPH ?g: a ?g bound to a literal is no graph name, and its triples are left out (SPARQL
    1.1 Update 3.1.3; rdflib made a graph named by the literal's text) into a graph no one
    keeps."""
    def named_only(identifier, *args, **kwargs):
        if isinstance(identifier, Literal):
            return Graph()
        return get_context(identifier, *args, **kwargs)
    return named_only


def absorb(dataset: Dataset, mirror, delta: Delta) -> None:
    """Bring a dataset that has not seen a write (and its Oxigraph `mirror`, if any) to the
    state after it. The mirror's default graph stays the set union of all graphs."""
    for s, p, o, g in delta.removed:
        Graph(store=dataset.store, identifier=g).remove((s, p, o))
    for s, p, o, g in delta.added:
        Graph(store=dataset.store, identifier=g).add((s, p, o))
    if mirror is None:
        return
    store = mirror.store
    for s, p, o, g in delta.removed:
        triple = (to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))
        if is_named_graph(g):
            store.remove(ox.Quad(*triple, to_oxigraph(g)))
        if (s, p, o) not in dataset:  # in no graph any more: out of the union too
            store.remove(ox.Quad(*triple, ox.DefaultGraph()))
    for s, p, o, g in delta.added:
        triple = (to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))
        if is_named_graph(g):
            store.add(ox.Quad(*triple, to_oxigraph(g)))
        store.add(ox.Quad(*triple, ox.DefaultGraph()))
    mirror.learn(o for _, _, o, _ in delta.added if isinstance(o, Literal))
