"""Where the input files are, which named graph each one becomes, and their fingerprint."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from rdflib import URIRef

from .. import settings
from ..errors import InputError
from ..namespaces import KZG, ONTOLOGY_GRAPH

ONTOLOGY_FILE = "kazkg.ttl"
SHAPES_FILE = "shapes.ttl"
# What shapes a build: a new version of these libraries, or any change to these modules of
# kazkg (between releases too), must invalidate the cache.
PIPELINE_LIBRARIES = ("kazkg", "rdflib", "owlrl", "pyshacl", "pyoxigraph")
PIPELINE_MODULES = ("build/inputs.py", "build/store.py", "build/validate.py", "build/reason.py",
                    "build/closure/*.py",
                    "build/pipeline.py", "build/cache.py", "formats/export.py", "namespaces.py")


def data_root() -> Path:
    """The folder holding ontology/, graph/ and queries/.

    Installed from a wheel, they ship inside the package as `kazkg/_data`; in a source checkout
    they sit beside the package. KAZKG_DATA_DIR overrides both.
    """
    override = settings.get("data_dir")
    if override:
        return Path(override)
    package = Path(__file__).resolve().parent.parent  # kazkg/
    bundled = package / "_data"
    return bundled if bundled.is_dir() else package.parent


@dataclass(frozen=True)
class Source:
    """One input file and the named graph it becomes."""

    path: Path
    graph: URIRef


@dataclass(frozen=True)
class Inputs:
    """Everything a build reads: the ontology, the data files and the SHACL shapes."""

    ontology: tuple[Source, ...]
    data: tuple[Source, ...]
    shapes: Path | None

    @property
    def sources(self) -> tuple[Source, ...]:
        return self.ontology + self.data

    def fingerprint(self) -> str:
        """A hash of every input byte, every graph name and the pipeline's library versions."""
        digest = hashlib.sha256()
        for name in PIPELINE_LIBRARIES:
            digest.update(f"{name}={_version(name)}\n".encode())
        package = Path(__file__).resolve().parent.parent  # kazkg/
        for pattern in PIPELINE_MODULES:
            for module in sorted(package.glob(pattern)):
                digest.update(hashlib.sha256(module.read_bytes()).digest())
        files = [(s.path, str(s.graph)) for s in self.sources]
        if self.shapes is not None:
            files.append((self.shapes, "shapes"))
        for path, graph in files:
            digest.update(f"{graph}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()


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
    data = tuple(
        Source(path, graph_name(graph_dir, path)) for path in sorted(graph_dir.rglob("*.ttl"))
    )
    if not data:
        raise InputError(graph_dir, "no .ttl files found")
    shapes = root / "ontology" / SHAPES_FILE
    return Inputs(
        ontology=(Source(ontology_file, ONTOLOGY_GRAPH),),
        data=data,
        shapes=shapes if shapes.is_file() else None,
    )


def from_files(paths, ontology=None, shapes=None) -> Inputs:
    """Arbitrary RDF files: each becomes a named graph called after its file URI."""
    data = []
    for p in paths:
        path = Path(p).resolve()
        if not path.is_file():
            raise InputError(p, "no such file")
        data.append(Source(path, URIRef(path.as_uri())))
    onto = ()
    if ontology is not None:
        onto = (Source(Path(ontology).resolve(), ONTOLOGY_GRAPH),)
    return Inputs(ontology=onto, data=tuple(data), shapes=Path(shapes) if shapes else None)
