"""Settings as data: one table that the CLI, the environment and the docs all read."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str

    @property
    def env(self) -> str:
        return "KAZKG_" + self.name.upper()

    def value(self):
        raw = os.environ.get(self.env)
        if raw is None:
            return self.default
        return type(self.default)(raw) if self.default is not None else raw


def _default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return str(Path(base) / "kazkg")


SETTINGS = (
    Setting("cache_dir", _default_cache_dir(), "Folder for the built dataset cache."),
    Setting("data_dir", "", "Folder holding ontology/, graph/ and queries/ (default: the bundled data)."),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str):
    """The value of a setting: its environment variable if set, else its default."""
    return _BY_NAME[name].value()
