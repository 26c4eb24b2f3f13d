"""What the served dataset is, for the pages that describe it: kazkg's own data, or someone
else's files (`kazkg serve FILE...`), then described by their own metadata (a void:Dataset,
dcat:Dataset, schema:Dataset or owl:Ontology with a title and a description) or, failing
that, by the names of the files.

One SELECT, run once per dataset version on the worker pool (kazkg.web.lookup.cached).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..namespaces import KAZKG
from .answers import service
from .lookup import cached, known, select

# The classes a dataset describes itself with, the most specific first.
DESCRIBED_BY = ("void:Dataset", "dcat:Dataset", "schema:Dataset", "owl:Ontology")
METADATA_QUERY = """
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dc: <http://purl.org/dc/elements/1.1/>
SELECT ?class ?d ?title ?description WHERE {
  VALUES ?class { %s }
  ?d a ?class .
  OPTIONAL { ?d dcterms:title|dc:title|schema:name|rdfs:label ?title FILTER (isLiteral(?title)) }
  OPTIONAL { ?d dcterms:description|dc:description|schema:description|rdfs:comment ?description
             FILTER (isLiteral(?description)) }
}""" % " ".join(DESCRIBED_BY)

CLASSES_QUERY = """
SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?type . FILTER (isIRI(?type)) }
GROUP BY ?type ORDER BY DESC(?n) ?type LIMIT 24"""


@dataclass
class About:
    own: bool  # kazkg's own data (its pages stay as they are)
    title: str
    description: str
    files: list = field(default_factory=list)  # the served files' names, for someone else's data
    classes: list = field(default_factory=list)  # (class IRI, instances), the largest first


OWN = About(True, "kazkg: Kazakhstan's industrial development in the Soviet era (1956-1989)",
            "A linked-data knowledge graph of Kazakhstan's industrial development in the Soviet "
            "era: enterprises, cities, sectors, policies, awards and statistics, each statement "
            "linked to its source sentence or URL.")


def about() -> About:
    svc = service()
    if svc.own_data:
        return OWN
    return cached("about", lambda: _described(svc.files))


def about_known() -> About:
    """about() without running its query, for an error page (the error may be the query
    path's own): until the query has been answered once, someone else's data is named by
    its files."""
    svc = service()
    if svc.own_data:
        return OWN
    return known("about") or _by_file_names(svc.files)


def _described(files: list[str]) -> About:
    found = {}
    for row in select(METADATA_QUERY):
        if row.get("title") is None:
            continue
        rank = next(i for i, c in enumerate(DESCRIBED_BY) if str(row["class"]).endswith(c.split(":")[1]))
        language = (row["title"].language or "").lower()
        key = (rank, language not in ("en", ""), str(row["d"]))
        found.setdefault(key, (str(row["title"]), str(row.get("description") or "")))
    classes = [(str(r["type"]), int(r["n"])) for r in select(CLASSES_QUERY)
               if not str(r["type"]).startswith(str(KAZKG))]
    if found:
        title, description = found[min(found)]
        names = ", ".join(files) or "no files"
        return About(False, title, description or f"Data from {names}.", files, classes)
    return _by_file_names(files, classes)


def _by_file_names(files: list[str], classes: list | None = None) -> About:
    names = ", ".join(files) or "no files"
    return About(False, names, f"RDF data from {names}, served by kazkg.", files, classes or [])
