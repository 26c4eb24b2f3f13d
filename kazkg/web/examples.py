"""The query page's examples: the queries/ catalog for kazkg's own data (its titles in the
page's language, from the `# title-kk:` and `# title-ru:` header lines), or, for someone
else's data, queries written from what that data holds: its classes, its properties, the
members of its largest classes with the properties they use, one of its resources.

Generated examples use the IRIs of the data (compacted where a predeclared prefix fits), so
each one answers something over the data it is offered with.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..namespaces import compact
from ..query import catalog
from .about import about
from .answers import service
from .i18n import _, page_lang
from .lookup import LookupFailed, cached, is_iri, names, select

OWN_START = """# The project's prefixes (kazkg:, kzr:, schema:, ...) are predeclared: see below the editor.
SELECT ?class (COUNT(DISTINCT ?s) AS ?members) WHERE {
  ?s a ?class .
  FILTER (STRSTARTS(STR(?class), STR(kazkg:)))
}
GROUP BY ?class
ORDER BY DESC(?members)
"""
CLASSES = """SELECT ?class (COUNT(DISTINCT ?s) AS ?members) WHERE {
  ?s a ?class .
}
GROUP BY ?class
ORDER BY DESC(?members)
"""
PROPERTIES = """SELECT ?property (COUNT(*) AS ?uses) WHERE {
  ?s ?property ?o .
}
GROUP BY ?property
ORDER BY DESC(?uses)
"""
GRAPHS = """SELECT ?graph (COUNT(*) AS ?triples) WHERE {
  GRAPH ?graph { ?s ?p ?o }
}
GROUP BY ?graph
ORDER BY DESC(?triples)
"""
SHAPE_QUERY = """SELECT ?class ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?class ; ?p ?o . FILTER (?p != rdf:type)
} GROUP BY ?class ?p"""  # ?class projected, as a bound variable must be (lookup.select)
CLASSES_SHOWN = 3  # the largest classes, each with an example of its own
COLUMNS = 4  # the properties shown for a class's members: those most of them have


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    description: str
    text: str
    title_lang: str = "en"  # the languages the title and the description are in
    description_lang: str = "en"


def examples() -> list[Example]:
    if service().own_data:
        lang = page_lang()
        return [Example(q.name, q.meta.get(f"title-{lang}") or q.title,
                        q.meta.get(f"description-{lang}") or q.description, q.text,
                        lang if q.meta.get(f"title-{lang}") else "en",
                        lang if q.meta.get(f"description-{lang}") else "en")
                for q in catalog.load_all().values()]
    return written()


def start_query() -> str:
    """What the editor holds when the page opens."""
    return OWN_START if service().own_data else CLASSES


def term(iri: str) -> str:
    shown = compact(iri)
    return shown if shown != iri and _safe_local(shown) else f"<{iri}>"


def _safe_local(prefixed: str) -> bool:
    local = prefixed.split(":", 1)[1]
    return bool(local) and all(c.isalnum() or c in "_-" for c in local) and not local[0].isdigit() \
        and not local.endswith("-")


def written() -> list[Example]:
    """Examples for someone else's data, in the page's language. The properties of its largest
    classes are looked up class by class; data too big to look them up in time still gets the
    examples that need no lookup."""
    lang, nm = page_lang(), names()
    members = dict(about().classes)  # the largest classes, with their members
    uses: dict[str, list] = {}
    try:
        for cls in sorted(members, key=lambda c: (-members[c], c))[:CLASSES_SHOWN]:
            if is_iri(cls):
                uses[cls] = cached(("example-shape", cls), lambda cls=cls: sorted(
                    ((int(r["n"]), str(r["p"])) for r in select(SHAPE_QUERY, {"class": cls})),
                    key=lambda np: (-np[0], np[1])))
    except LookupFailed:
        uses = {}

    def example(name, title, description, text):
        return Example(name, title, description, text, lang, lang)
    found = [example("classes", _("Classes and their members"),
                     _("Each class the data uses, with how many resources it has."), CLASSES),
             example("properties", _("Properties and their uses"),
                     _("Each property the data uses, with how many statements use it."), PROPERTIES)]
    largest = [c for c in sorted(members, key=lambda c: (-members[c], c)) if uses.get(c)]
    for cls in largest:
        columns = [p for _n, p in uses[cls] if is_iri(p)][:COLUMNS]
        label = nm.label(cls, lang)
        found.append(example(f"every-{len(found) - 1}", _("Every %(kind)s", kind=label),
                             _("The members of %(kind)s (%(n)s), with the properties most of them have.",
                               kind=label, n=members[cls]), _members(cls, columns)))
    sample = min((s for s, types in nm.types.items() if largest[0] in types and is_iri(s)),
                 default=None) if largest else None
    if sample is not None:
        found.append(example("one-resource", _("Everything about %(name)s", name=nm.label(sample, lang)),
                             _("Every statement with this resource as its subject, with the graph that holds it."),
                             f"SELECT ?property ?value ?graph WHERE {{\n  GRAPH ?graph {{ {term(sample)} ?property ?value }}\n}}\n"))
    found.append(example("graphs", _("Named graphs and their size"),
                         _("Each named graph of the data, with how many triples it holds."), GRAPHS))
    return found


def _members(cls: str, columns: list[str]) -> str:
    names_: list[str] = []
    for i, p in enumerate(columns):
        v = _variable(p, i)
        names_.append(v if v not in names_ and v != "item" else f"{v}{i}")
    lines = [f"  OPTIONAL {{ ?item {term(p)} ?{v} }}" for p, v in zip(columns, names_)]
    return (f"SELECT ?item {' '.join('?' + v for v in names_)} WHERE {{\n  ?item a {term(cls)} .\n"
            + "\n".join(lines) + "\n}\nLIMIT 100\n")


def _variable(iri: str, index: int) -> str:
    local = iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    cleaned = "".join(c for c in local if c.isascii() and (c.isalnum() or c == "_"))
    return cleaned if cleaned and not cleaned[0].isdigit() else f"v{index}"
