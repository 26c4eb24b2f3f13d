"""The dataset as data catalogues read it: DCAT 3 (with VoID at /.well-known/void) and
schema.org Dataset markup for the home page.

https://www.w3.org/TR/vocab-dcat-3/ : one dcat:Distribution per dump, with its media type,
byte size, SPDX checksum (SHA-256), download URL and license; the SPARQL endpoint is the
dcat:DataService that serves the dataset. A dump's size and checksum need its bytes: they are
made once per build (the dumps are then kept on disk: kazkg.web.dumps), in a thread that VoID does not
wait for beyond a short bound, and kept beside it; after writes they are left out.
"""

from __future__ import annotations

import json
import threading
import time

from flask import current_app
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, XSD

from ..build import cache
from ..formats.export import FORMATS
from ..namespaces import BASE
from .admission import ours
from .answers import service
from . import dumps
from ..query.jobs import Answer
from .describe import DATASET_IRI, dump_filenames
from .lookup import forget_stale

DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
TITLE = "kazkg: Kazakhstan's industrial development in the Soviet era (1956-1989)"
# The dataset's and the endpoint's titles in the three languages of the data (the dataset's
# as the pages' translations have it).
TITLES = {"kk": "kazkg: Кеңес дәуіріндегі Қазақстанның өнеркәсіптік дамуы (1956–1989)",
          "ru": "kazkg: индустриальное развитие Казахстана в советское время (1956–1989)",
          "en": TITLE}
ENDPOINT_TITLES = {"kk": "kazkg SPARQL 1.1 сұраныс нүктесі",
                   "ru": "SPARQL 1.1-точка доступа kazkg",
                   "en": "kazkg SPARQL 1.1 endpoint"}
FILE = "distributions-1.json"  # beside the cached build
SIZING_WAIT = 1.0  # seconds VoID may wait for dumps being sized (the fixture's take well under)
SIZING_RETRY = 60.0  # seconds before a round of sizing that failed is tried again
_SIZING_LOCK = threading.Lock()


def distributions(wait: float | None = None) -> dict[str, dict]:
    """{filename: {"format", "media_type", "bytes", "sha256"}} of every dump; an entry without
    "sha256" is a dump whose size and checksum are not known (the catalogue then leaves them
    out). Never waits more than `wait` seconds (SIZING_WAIT): dumps not made yet are sized in
    a thread of this process, one round at a time, and VoID has their sizes once it is done
    (its ETag changes then: see kazkg.web.data). The first VoID on a fresh cache waited for
    all six dumps (20 s and more)."""
    svc = service()
    store = svc.__dict__.setdefault("page_cache", {})
    key = (svc.version, "distributions")
    if key in store:
        return store[key]
    if svc.writes:
        # Every write changes every dump: sizing them again at each write took the first VoID
        # after one 65-90 s (and held the worker pool meanwhile). After writes, the catalogue
        # gives the dumps without byteSize and checksum.
        return _unsized()
    path = cache.beside(svc.build_key, FILE)
    try:  # checked against the cache's manifest: a size or checksum edited is never served
        found = json.loads(cache.read_bytes(path))
    except (OSError, ValueError):
        found = None
    if found is None:
        with _SIZING_LOCK:
            sizing = svc.__dict__.get("sizing")  # (key, thread, when it started)
            if sizing is None or sizing[0] != key or (  # a round that failed: again, not at once
                    not sizing[1].is_alive() and time.monotonic() - sizing[2] > SIZING_RETRY):
                app = current_app._get_current_object()
                thread = threading.Thread(target=_size, args=(app, svc, key, path), daemon=True,
                                          name="kazkg-dump-sizes")
                svc.__dict__["sizing"] = (key, thread, time.monotonic())
                thread.start()
            else:
                thread = sizing[1]
        thread.join(SIZING_WAIT if wait is None else wait)
        return store.get(key) or _unsized()
    forget_stale(store, svc.version)
    store[key] = found
    return found


def _unsized() -> dict[str, dict]:
    return {filename: {"format": fmt, "media_type": FORMATS[fmt].media_type}
            for filename, fmt in sorted(dump_filenames().items())}


def _size(app, svc, key, path) -> None:
    """Make every dump (kept on disk, kazkg.web.dumps) and keep their sizes and checksums, in
    `svc`'s page cache for `key` and, when all were made, beside the cached build."""
    with app.app_context(), ours():  # the server's own: it waits for a dump being made
        found = _unsized()
        for filename, entry in found.items():
            if svc.version != key[0]:  # a write or a new build meanwhile: these would be stale
                break
            kept = dumps.made(svc, entry["format"])  # a dump file kept on disk
            if not isinstance(kept, Answer):
                entry.update(bytes=kept[1], sha256=kept[2])
        store = svc.__dict__.setdefault("page_cache", {})
        if svc.version == key[0] and sized(found):
            try:
                cache.keep(path, json.dumps(found, indent=1).encode("utf-8"))
            except OSError:  # a read-only cache folder: count again next time
                pass
            forget_stale(store, svc.version)
            store[key] = found
        # else: not kept, so that a VoID SIZING_RETRY seconds later tries again (a dump over
        # DUMP_TIMEOUT, say)


def sized(entries: dict[str, dict]) -> bool:
    """Whether `entries` (of distributions()) give every dump's size and checksum."""
    return all("sha256" in e for e in entries.values())


def describe(graph: Graph, root: str, meta, version: str, entries: dict[str, dict]) -> None:
    """Add the DCAT description to `graph` (the VoID description of the same dataset), its
    dumps those of `entries` (distributions())."""
    graph.bind("dcat", DCAT)
    graph.bind("spdx", SPDX)
    ds, endpoint = DATASET_IRI, URIRef(root + "sparql")
    license_iri = URIRef(meta.license) if meta.license else None
    graph.add((ds, RDF.type, DCAT.Dataset))
    graph.add((ds, DCAT.version, Literal(version)))
    graph.add((ds, DCAT.landingPage, URIRef(BASE)))
    for filename, entry in entries.items():
        dist = URIRef(f"{DATASET_IRI}#{filename}")
        graph.add((ds, DCAT.distribution, dist))
        graph.add((dist, RDF.type, DCAT.Distribution))
        graph.add((dist, DCTERMS.title, Literal(filename)))
        graph.add((dist, DCAT.mediaType,
                   URIRef("https://www.iana.org/assignments/media-types/" + entry["media_type"])))
        graph.add((dist, DCAT.downloadURL, URIRef(root + "download/" + filename)))
        graph.add((dist, DCAT.accessURL, URIRef(root + "download/" + filename)))
        if license_iri is not None:
            graph.add((dist, DCTERMS.license, license_iri))
        if "sha256" in entry:
            graph.add((dist, DCAT.byteSize, Literal(entry["bytes"], datatype=XSD.nonNegativeInteger)))
            checksum = URIRef(f"{DATASET_IRI}#{filename}-sha256")
            graph.add((dist, SPDX.checksum, checksum))
            graph.add((checksum, RDF.type, SPDX.Checksum))
            graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            graph.add((checksum, SPDX.checksumValue, Literal(entry["sha256"], datatype=XSD.hexBinary)))
    graph.add((endpoint, RDF.type, DCAT.DataService))
    for lang, title in ENDPOINT_TITLES.items():
        graph.add((endpoint, DCTERMS.title, Literal(title, lang=lang)))
    graph.add((endpoint, DCAT.endpointURL, endpoint))
    graph.add((endpoint, DCAT.endpointDescription, endpoint))  # its service description
    graph.add((endpoint, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    graph.add((endpoint, DCAT.servesDataset, ds))
    if license_iri is not None:
        graph.add((endpoint, DCTERMS.license, license_iri))
    graph.add((ds, OWL.versionInfo, Literal(version)))


def schema_org(root: str, meta, version: str, about) -> str:
    """schema.org Dataset markup (JSON-LD) for the home page, as dataset search engines read it
    (`about`: kazkg.web.about.About, what the served data is)."""
    data = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": str(DATASET_IRI),
        "name": TITLE,
        "description": ("A linked-data knowledge graph of Kazakhstan's industrial development in "
                        "the Soviet era: enterprises, cities, sectors, policies, awards and "
                        "statistics, each statement linked to its source sentence or URL."),
        "url": BASE,
        "version": version,
        "inLanguage": ["kk", "ru", "en"],
        "temporalCoverage": "1956/1989",
        "spatialCoverage": {"@type": "Place", "name": "Kazakhstan"},
        "isAccessibleForFree": True,
        "distribution": [{"@type": "DataDownload", "name": filename,
                          "encodingFormat": FORMATS[fmt].media_type,
                          "contentUrl": root + "download/" + filename}
                         for filename, fmt in sorted(dump_filenames().items())],
        "subjectOf": {"@type": "DataCatalog", "url": root + ".well-known/void"},
    }
    if not about.own:  # someone else's data: only what it says of itself
        data.update(name=about.title, description=about.description, url=root)
        for key in ("inLanguage", "temporalCoverage", "spatialCoverage"):
            del data[key]
    if meta.license:
        data["license"] = meta.license
    return json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
