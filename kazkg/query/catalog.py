"""The query catalog: queries/*.rq, each with a header of `# key: value` comment lines.

    # title: Lenin Prize laureates
    # description: Enterprises awarded the Lenin Prize, with the year.
    # inference: required
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

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
    return data_root() / "queries"


def load_all(folder: Path | None = None) -> dict[str, CatalogQuery]:
    """Every catalog query by name (the file name without .rq), in name order."""
    folder = folder or directory()
    return {p.stem: parse(p) for p in sorted(folder.glob("*.rq"))}


def get(name: str, folder: Path | None = None) -> CatalogQuery:
    queries = load_all(folder)
    if name not in queries:
        raise UnknownQuery(name, queries)
    return queries[name]
