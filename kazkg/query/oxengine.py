"""Oxigraph's SPARQL engine (pyoxigraph, in-process) over a mirror of an rdflib Dataset, giving
answers in rdflib's terms (`as_rdflib`, for rdflib's result writers) or, for the most asked-for
format, SPARQL JSON written straight from Oxigraph's terms as rdflib would write it
(`results_json`).

rdflib stays the reference: a query the mirror cannot answer the same way gets None from
`run`, and the caller runs it on rdflib. That is the case for anything that could reach
outside the dataset or that the two engines define differently (SERVICE, LOAD, FROM, DESCRIBE,
SPARQL 1.2, an explicit protocol dataset, a changed dataset), and for every syntax error, so
that error messages and their positions stay rdflib's. tests/test_oxengine.py checks that both
engines give the same answers on every catalog query.

The mirror holds every named graph as it is, and in its default graph the set union of all
graphs: rdflib's union default graph is a set, while Oxigraph's union option is a multiset
(a triple in two graphs would match twice).
"""

from __future__ import annotations

import functools
import json
import re
from itertools import islice

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD

from ..build import cache
from ..errors import QueryError
from ..formats.files import write_atomic
from ..formats.terms import oxigraph_quads, to_oxigraph, to_rdflib

# Queries that rdflib and kazkg's guard must see (a false alarm only costs speed). Oxigraph
# would call a SERVICE itself, so any "service" in the raw text, even in a comment or a string,
# and any \\u escape (SPARQL decodes them before parsing) sends the query to rdflib.
_UNSAFE = re.compile(r"service|\\u", re.IGNORECASE)
_DIFFERENT = re.compile(r"(?<![?$\w:])(FROM|DESCRIBE)(?![\w:-])", re.IGNORECASE)
# SPARQL 1.2 (triple terms, directional literals): rdflib refuses it, so Oxigraph must too
_NEWER = re.compile(r"<<|(?<![?$\w:])(TRIPLE|isTRIPLE|SUBJECT|PREDICATE|OBJECT|STRLANGDIR|"
                    r"LANGDIR|hasLANG|hasLANGDIR)\s*\(", re.IGNORECASE)
_COMMENT = re.compile(r"^\s*#[^\n]*$", re.MULTILINE)
_XSD_STRING = str(XSD.string)


class Mirror:
    """An in-memory Oxigraph store with the dataset's quads and, as default graph, their union;
    `originals` maps literals that Oxigraph stores in canonical form ("43.650"^^xsd:decimal
    becomes "43.65") back to the dataset's own spelling, so answers match rdflib's."""

    def __init__(self, dataset: Dataset):
        self.store = ox.Store()
        self.store.bulk_extend(oxigraph_quads(dataset))
        typed = {o for o in dataset.objects() if isinstance(o, Literal) and o.datatype is not None}
        self.originals = _canonical_spellings(typed)

    @classmethod
    def cached(cls, dataset: Dataset, key: str) -> "Mirror":
        """The mirror of the cached build `key`, itself kept in the cache: Oxigraph's own
        N-Quads parser reads it back in a quarter of the time of converting every quad (5 s
        instead of 19 s for 1.2 million quads). parse() keeps blank node labels, which
        bulk_load would rename, so answers name them as rdflib does."""
        dump, spellings = cache.beside(key, DUMP), cache.beside(key, SPELLINGS)
        try:
            mirror = cls.over(ox.Store())
            mirror.store.bulk_extend(ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS))
            mirror.originals = _read_spellings(spellings)
            return mirror
        except (OSError, SyntaxError, ValueError, KeyError):  # missing or damaged: build again
            mirror = cls(dataset)
        try:
            write_atomic(  # streamed: 250 MB at 100x need not sit in memory
                dump, lambda out: mirror.store.dump(out, format=ox.RdfFormat.N_QUADS))
            write_atomic(spellings, _write_spellings(mirror.originals))
        except OSError:  # a read-only cache folder: serve all the same
            pass
        return mirror

    @classmethod
    def over(cls, store: ox.Store) -> "Mirror":
        """A store laid out like a mirror already (kazkg.build.persist writes it so), used as it is;
        it holds literals in Oxigraph's spelling, and so does every answer from it."""
        mirror = cls.__new__(cls)
        mirror.store, mirror.originals = store, {}
        return mirror

    def __len__(self) -> int:
        return len(self.store)

    def spelled(self, value):
        """`value` (a pyoxigraph term) as the dataset spells it."""
        return self.originals.get(value, value) if self.originals else value

    def term(self, value):
        return to_rdflib(self.spelled(value))


def _canonical_spellings(literals) -> dict:
    """{Oxigraph's canonical literal: the original} for the literals whose spelling changes."""
    probe, predicate = ox.Store(), ox.NamedNode("urn:x-kazkg:value")
    originals = [to_oxigraph(lit) for lit in sorted(literals)]
    probe.bulk_extend(ox.Quad(ox.NamedNode(f"urn:x-kazkg:{i}"), predicate, lit)
                      for i, lit in enumerate(originals))
    changed = {}
    for quad in probe:
        original = originals[int(quad.subject.value.rsplit(":", 1)[1])]
        if quad.object != original:
            changed[quad.object] = original
    return changed


# The cached mirror's files; a change to what they hold needs a new name.
DUMP, SPELLINGS = "oxigraph-mirror-1.nq", "oxigraph-spellings-1.nt"
_CANONICAL, _ORIGINAL = ox.NamedNode("urn:x-kazkg:canonical"), ox.NamedNode("urn:x-kazkg:original")


def _write_spellings(originals: dict) -> bytes:
    """{canonical: original} as N-Triples (a parser keeps a literal's spelling, a store not)."""
    triples = []
    for i, (canonical, original) in enumerate(originals.items()):
        node = ox.NamedNode(f"urn:x-kazkg:{i}")
        triples += [ox.Triple(node, _CANONICAL, canonical), ox.Triple(node, _ORIGINAL, original)]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def _read_spellings(path) -> dict:
    pairs: dict = {}
    for triple in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
        pairs.setdefault(triple.subject, {})[triple.predicate] = triple.object
    return {pair[_CANONICAL]: pair[_ORIGINAL] for pair in pairs.values()}


def eligible(job: dict) -> bool:
    return not (job.get("default_graphs") or job.get("named_graphs") or job.get("log")
                or _UNSAFE.search(job["text"])
                or _DIFFERENT.search(_COMMENT.sub("", job["text"]))
                or _NEWER.search(job["text"]))


def run(mirror: Mirror | None, job: dict):
    """Oxigraph's lazy result for the job (QuerySolutions, QueryBoolean or QueryTriples), or
    None: then use rdflib."""
    if mirror is None or not eligible(job):
        return None
    try:
        return mirror.store.query(job["text"], base_iri=job.get("base"))
    except (SyntaxError, ValueError, OSError):
        return None  # rdflib reports it, with its own message and position


def form(found) -> str:
    if isinstance(found, ox.QueryBoolean):
        return "ASK"
    return "SELECT" if isinstance(found, ox.QuerySolutions) else "CONSTRUCT"


def as_rdflib(mirror: Mirror, found, limit: int = 0) -> dict:
    """The raw result in rdflib's terms, for rdflib's result writers; a graph result holds at
    most `limit` + 1 triples (0: no limit), so the caller can tell that it was cut."""
    kind = form(found)
    if kind == "ASK":
        return {"type_": "ASK", "askAnswer": bool(found)}
    if kind == "SELECT":
        names = [v.value for v in found.variables]
        variables = [Variable(n) for n in names]
        return {"type_": "SELECT", "vars_": variables,
                "bindings": _rows(mirror, found, names, variables)}
    graph = Graph()
    for triple in found:  # may repeat a triple: count what the graph holds
        graph.add((mirror.term(triple.subject), mirror.term(triple.predicate),
                   mirror.term(triple.object)))
        if limit and len(graph) > limit:
            break
    return {"type_": "CONSTRUCT", "graph": graph}


def _rows(mirror, solutions, names, variables):
    pairs = list(zip(names, variables))
    for solution in solutions:
        row = {}
        for name, variable in pairs:
            value = solution[name]
            if value is not None:
                row[variable] = mirror.term(value)
        yield row


# --- SPARQL 1.1 Query Results JSON straight from Oxigraph's terms ---------------------------
# The most asked-for format skips rdflib's terms and writer: about half the cost of a query.

def results_json(mirror: Mirror, found, limit: int = 0) -> tuple[bytes, bool]:
    """(SPARQL 1.1 Query Results JSON of a SELECT or ASK result, whether rows were dropped to
    keep at most `limit`, 0 meaning no limit)."""
    if isinstance(found, ox.QueryBoolean):
        return json.dumps({"head": {}, "boolean": bool(found)}).encode("utf-8"), False
    names = [v.value for v in found.variables]
    rows = []
    for solution in islice(found, limit + 1) if limit else found:
        row = {}
        for name in names:
            value = solution[name]
            if value is not None:
                row[name] = _json_term(mirror.spelled(value))
        rows.append(row)
    truncated = bool(limit) and len(rows) > limit
    document = {"head": {"vars": names}, "results": {"bindings": rows[:limit] if limit else rows}}
    return json.dumps(document, ensure_ascii=False).encode("utf-8"), truncated


@functools.lru_cache(maxsize=1 << 16)
def _as_rdflib_spells(value: str, datatype: str) -> str:
    """A typed literal spelled as rdflib spells it ("1"^^xsd:double is "1.0", "...Z" in an
    xsd:dateTime is "+00:00"), so that JSON answers match the other formats, written by rdflib."""
    return str(Literal(value, datatype=URIRef(datatype)))


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.Literal):
        if term.direction is not None:
            raise QueryError("an answer holds a literal with a base direction (RDF 1.2), which "
                             "SPARQL 1.1 Query Results JSON cannot carry")
        if term.language:
            return {"type": "literal", "value": term.value, "xml:lang": term.language}
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return {"type": "literal", "value": term.value}
        return {"type": "literal", "value": _as_rdflib_spells(term.value, datatype),
                "datatype": datatype}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    raise QueryError(f"an answer holds a term kazkg cannot write: {term!r}")
