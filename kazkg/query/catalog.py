"""The query catalog: queries/*.rq, each with a header of `# key: value` comment lines.

    # title: Lenin Prize laureates
    # description: Enterprises awarded the Lenin Prize, with the year.
    # inference: required
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import settings
from ..errors import InputError, UnknownQuery
from ..build.inputs import data_root

_HEADER = re.compile(r"^#\s*([A-Za-z-]+)\s*:\s*(.*?)\s*$")


@dataclass(frozen=True)
class CatalogQuery:
    name: str
    path: Path
    text: str
    title: str
    description: str
    meta: dict = field(default_factory=dict)

    @property
    def needs_inference(self) -> bool:
        return self.meta.get("inference", "").lower() == "required"


def parse(path: Path) -> CatalogQuery:
    text = path.read_text(encoding="utf-8")
    meta = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            meta[match.group(1).lower()] = match.group(2)
    for key in ("title", "description"):
        if not meta.get(key):
            raise InputError(path, f"the header has no '# {key}:' line", 1)
    return CatalogQuery(path.stem, path, text, meta.pop("title"), meta.pop("description"), meta)


def directory() -> Path:
    """queries/ of the data kazkg reads (kazkg.build.inputs.data_root), found once per working
    folder and data_dir setting: the search looks at every folder above the working one, and
    it was most of what a sub-millisecond kazkg.query("name") call cost."""
    return _directory(os.getcwd(), os.environ.get(settings.by_name("data_dir").env))


@functools.lru_cache(maxsize=64)
def _directory(_cwd: str, _data_dir: str | None) -> Path:
    return data_root() / "queries"


def load_all(folder: Path | None = None) -> dict[str, CatalogQuery]:
    """Every catalog query by name (the file name without .rq), in name order."""
    folder = folder or directory()
    return {p.stem: parse(p) for p in sorted(folder.glob("*.rq"))}


def get(name: str, folder: Path | None = None) -> CatalogQuery:
    """The catalog query `name`; its file is read again only when it has changed."""
    folder = folder or directory()
    path = os.path.join(folder, f"{name}.rq")  # strings: Path objects cost more than the query
    try:
        if os.sep in name or (os.altsep and os.altsep in name) or name.startswith("."):
            raise FileNotFoundError(name)  # only a file of the folder itself is a query
        changed = os.stat(path).st_mtime_ns
    except (OSError, ValueError):  # ValueError: a NUL in the name
        raise UnknownQuery(name, load_all(folder)) from None
    return _parsed(path, changed)


@functools.lru_cache(maxsize=256)
def _parsed(path: str, _changed: int) -> CatalogQuery:
    return parse(Path(path))


_SPACE_OR_BRACE = re.compile(r"[\s{]")  # re's \s is str.isspace


def is_query_text(argument: str) -> bool:
    """SPARQL text rather than a name: it has a space or a brace (a name has neither)."""
    return _SPACE_OR_BRACE.search(argument.strip()) is not None


def resolve(argument: str, files: bool = False) -> str:
    """The query text for `argument`: the text itself, the name of a catalog query or, with
    `files`, a path to a .rq file (checked first when it looks like a path)."""
    path = Path(argument) if files else None
    if files and (path.suffix == ".rq" or os.sep in argument) and path.is_file():
        return path.read_text(encoding="utf-8")
    if files and os.sep in argument and path.is_dir():
        raise InputError(argument, "a folder, not a query: give a query file (.rq), a query "
                         "name or the query text")
    if is_query_text(argument) or not argument.strip():
        return argument
    if files and path.is_file():
        return path.read_text(encoding="utf-8")
    return get(argument.strip()).text
