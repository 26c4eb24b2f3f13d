"""Where the input files are, which named graph each one becomes, and their fingerprint."""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from rdflib import URIRef

from .. import settings
from ..errors import InputError
from ..namespaces import KZG, ONTOLOGY_GRAPH
from .stamps import Memo

ONTOLOGY_FILE = "kazkg.ttl"
SHAPES_FILE = "shapes.ttl"
# What shapes a build: a new version of these libraries, or any change to these modules of
# kazkg (between releases too), must invalidate the cache.
PIPELINE_LIBRARIES = ("kazkg", "rdflib", "owlrl", "pyshacl", "pyoxigraph")
PIPELINE_MODULES = ("build/inputs.py", "build/store.py", "build/validate.py", "build/reason.py",
                    "build/closure/*.py", "build/sparqlshapes.py", "build/mirror.py",
                    "build/pipeline.py", "build/cache.py", "build/state.py", "build/statefile.py",
                    "build/incremental.py", "build/localshapes.py", "build/copyview.py",
                    "formats/export.py", "namespaces.py")


def data_root() -> Path:
    """The folder holding ontology/, graph/ and queries/ (see data_source)."""
    return data_source()[0]


def data_source() -> tuple[Path, str]:
    """Which data kazkg reads, and why, in this order: KAZKG_DATA_DIR; else the kazkg checkout
    the working folder is in (so that edits to its graph/ count, however kazkg was installed);
    else the data installed with the package (inside a wheel as `kazkg/_data`, beside the
    package in an editable install)."""
    override = settings.get("data_dir")
    if override:
        return Path(override).expanduser(), "KAZKG_DATA_DIR"
    checkout = find_checkout(Path.cwd())
    if checkout is not None:
        return checkout, "the kazkg checkout in the working folder"
    package = Path(__file__).resolve().parent.parent  # kazkg/
    bundled = package / "_data"
    return (bundled, "installed with kazkg") if bundled.is_dir() else (package.parent, "installed with kazkg")


def find_checkout(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` that is a kazkg source checkout."""
    for candidate in (folder, *folder.parents):
        project = candidate / "pyproject.toml"
        if (project.is_file() and (candidate / "ontology" / ONTOLOGY_FILE).is_file()
                and (candidate / "graph").is_dir()):
            try:
                if 'name = "kazkg"' in project.read_text(encoding="utf-8"):
                    return candidate
            except (OSError, UnicodeDecodeError):
                return None
    return None


class Source(NamedTuple):
    """One input file (`file`, its path as a string) and the named graph it becomes (`name`,
    its IRI); its Path and URIRef are made when asked for: at 100x, making 15,600 of each (and
    15,600 dataclasses) took a quarter of a second of every `kazkg query`."""

    file: str
    name: str

    @classmethod
    def of(cls, path: Path, graph: URIRef) -> "Source":
        return cls(str(path), str(graph))

    @property
    def path(self) -> Path:
        return Path(self.file)

    @property
    def graph(self) -> URIRef:
        return URIRef(self.name)


@dataclass(frozen=True)
class Inputs:
    """Everything a build reads: the ontology, the data files and the SHACL shapes."""

    ontology: tuple[Source, ...]
    data: tuple[Source, ...]
    shapes: Path | None
    queries: Path | None = None  # the catalog folder, part of what is cited (data_version)
    bundled: bool = False  # kazkg's own data (ontology/, graph/), not someone else's files

    @property
    def sources(self) -> tuple[Source, ...]:
        return self.ontology + self.data

    def fingerprint(self, digests: list | None = None) -> str:
        """A hash of every input byte, every graph name and the pipeline's library versions;
        `digests`: the files' digests as `digest_list` gave them, if read already."""
        digest = hashlib.sha256(bytes.fromhex(self.code_digest()))
        for graph, hexdigest in digests or self.digest_list():
            digest.update(f"{graph}\n".encode())
            digest.update(bytes.fromhex(hexdigest))
        return digest.hexdigest()

    def code_digest(self) -> str:
        """A hash of what the fingerprint covers besides the input files: the pipeline's
        code and library versions (an incremental build needs the same)."""
        digest = hashlib.sha256()
        for name in PIPELINE_LIBRARIES:
            digest.update(f"{name}={_version(name)}\n".encode())
        package = Path(__file__).resolve().parent.parent  # kazkg/
        for pattern in PIPELINE_MODULES:
            for module in sorted(package.glob(pattern)):
                digest.update(hashlib.sha256(module.read_bytes()).digest())
        return digest.hexdigest()

    def file_digests(self) -> dict[str, str]:
        """The SHA-256 of each input file, by its graph's IRI ("shapes" for the shapes)."""
        return dict(self.digest_list())

    def digest_list(self, remembered: bool = True) -> list[tuple[str, str]]:
        """(graph IRI or "shapes", SHA-256) of each input file, in order, as the files are now:
        a file whose stat is the one noted with its digest in the cache folder's memo
        (kazkg.build.stamps) is not read again, unless `remembered` is false."""
        files = [(s.name, s.file) for s in self.sources]
        if self.shapes is not None:
            files.append(("shapes", str(self.shapes)))
        memo = Memo(Path(settings.get("cache_dir")) / f"inputs-{self.identity()}.json")
        found = [(name, memo.digest(file, remembered)) for name, file in files]
        memo.save()
        return found

    def identity(self) -> str:
        """A short name for where these inputs are, not what they hold (the ontology file,
        else the data files): a new build of the same folder has the same identity."""
        anchor = [s.file for s in self.ontology] or sorted(s.file for s in self.data)
        return hashlib.sha256("\n".join(anchor).encode("utf-8")).hexdigest()[:16]

    def data_version(self, digests: list | None = None) -> str:
        """The version to cite: a hash of the data alone (each graph's name and bytes, the
        shapes, the catalog queries), so the same data keeps its version across kazkg and
        library upgrades; the cache key (fingerprint) also covers the code. `digests`: the
        files' digests as `digest_list` gave them, if read already."""
        digest = hashlib.sha256()
        found = list(digests or self.digest_list())
        if self.queries is not None and self.queries.is_dir():
            found += [("queries/" + q.name, hashlib.sha256(q.read_bytes()).hexdigest())
                      for q in sorted(self.queries.glob("*.rq"))]
        for name, hexdigest in found:
            digest.update(f"{name}\n".encode())
            digest.update(bytes.fromhex(hexdigest))
        return digest.hexdigest()[:12]


@functools.cache  # per process: the libraries it runs are the ones it imported
def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


def graph_name(graph_dir: Path, path: Path) -> URIRef:
    """`graph/text/<document>/p2-s7.ttl` becomes the named graph `kzg:text/<document>/p2-s7`."""
    relative = path.relative_to(graph_dir).with_suffix("").as_posix()
    return KZG[relative]


def bundled(root: Path | None = None) -> Inputs:
    """The project's own inputs: ontology/kazkg.ttl, ontology/shapes.ttl and graph/**/*.ttl."""
    root = root or data_root()
    ontology_file = root / "ontology" / ONTOLOGY_FILE
    graph_dir = root / "graph"
    if not ontology_file.is_file():
        raise InputError(ontology_file, "the ontology file is missing")
    # in Path order (by parts), but compared as strings: at 100x (15,600 files) comparing and
    # relativising Path objects took a second and a half of every `kazkg query`
    base = str(KZG)
    data = tuple(Source(file, base + relative[:-len(".ttl")].replace("\0", "/"))
                 for relative, file in sorted(_turtle_files(str(graph_dir))))
    if not data:
        raise InputError(graph_dir, "no .ttl files found")
    shapes = root / "ontology" / SHAPES_FILE
    return Inputs(
        ontology=(Source.of(ontology_file, ONTOLOGY_GRAPH),),
        data=data,
        shapes=shapes if shapes.is_file() else None,
        queries=root / "queries",
        bundled=True,
    )


def _turtle_files(folder: str) -> list[tuple[str, str]]:
    """(path below `folder`, its parts joined by NUL, which sorts as Path does; the path) of
    each *.ttl file in `folder` and its sub-folders (not through links to folders, as
    Path.rglob)."""
    found, folders = [], [(folder, "")]
    while folders:
        current, prefix = folders.pop()
        with os.scandir(current) as entries:
            for entry in entries:
                name = entry.name
                if name.endswith(".ttl") and entry.is_file():
                    found.append((prefix + name, entry.path))
                elif entry.is_dir() and not entry.is_symlink():
                    folders.append((entry.path, prefix + name + "\0"))
    return found


def from_files(paths, ontology=None, shapes=None) -> Inputs:
    """Arbitrary RDF files: each becomes a named graph called after its file's name,
    `kzg:file/<name without extension>` (a portable IRI, the same on every machine; a second
    file of the same name gets `-2`, and so on). Graphs named inside a TriG or N-Quads file
    keep their names."""
    data, taken = [], set()
    for p in paths:
        path = Path(p).resolve()
        if not path.is_file():
            raise InputError(p, "no such file")
        stem = quote(path.stem, safe="-._~") or "data"
        name, n = stem, 1
        while name in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name)
        data.append(Source.of(path, KZG["file/" + name]))
    onto = ()
    if ontology is not None:
        onto = (Source.of(Path(ontology).resolve(), ONTOLOGY_GRAPH),)
    return Inputs(ontology=onto, data=tuple(data), shapes=Path(shapes) if shapes else None)
