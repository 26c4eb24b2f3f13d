"""Settings as data: one table that the CLI, the environment and the docs all read."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import KazkgError


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str
    minimum: int | None = None  # for counts: 0 workers would answer every query with 503
    choices: tuple[str, ...] = ()  # for names: anything else is an error, not a silent default

    @property
    def env(self) -> str:
        return "KAZKG_" + self.name.upper()

    def value(self):
        raw = os.environ.get(self.env)
        if raw is None:
            return self.default
        if isinstance(self.default, bool):
            return raw.strip().lower() in ("1", "true", "yes", "on")
        if isinstance(self.default, tuple):
            return tuple(item for item in raw.split() if item)
        try:
            value = type(self.default)(raw)
        except ValueError:
            kind = type(self.default).__name__
            raise KazkgError(f"{self.env}={raw!r} is not a valid {kind} ({self.help})") from None
        if self.choices and value not in self.choices:
            raise KazkgError(f"{self.env}={raw!r} is not one of {', '.join(self.choices)} ({self.help})")
        if self.minimum is not None and value < self.minimum:
            raise KazkgError(f"{self.env}={raw!r} is below {self.minimum} ({self.help})")
        return value


def _default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return str(Path(base) / "kazkg")


_CORES = os.cpu_count() or 1
_PROCESSES = min(4, _CORES)

SETTINGS = (
    Setting("cache_dir", _default_cache_dir(), "Folder for the built dataset cache."),
    Setting("reasoner", "kazkg", "OWL-RL closure of a build: kazkg (semi-naive, the default) or "
            "owlrl (owlrl's own rules: the reference, 50-150x slower); both give the same graph.",
            choices=("kazkg", "owlrl")),
    Setting("data_dir", "", "Folder holding ontology/, graph/ and queries/ (default: the bundled data)."),
    # The web server (kazkg serve). Each is also a `kazkg serve` option of the same name.
    Setting("query_timeout", 10.0, "Seconds a query may run before its worker is stopped (answer: 503)."),
    Setting("dump_timeout", 120.0, "Seconds a dump download may take to serialise the first time."),
    Setting("result_limit", 10000, "Most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in one answer; "
            "a truncated answer says so in the X-Result-Truncated header."),
    Setting("body_limit", 512 * 1024, "Largest request body in bytes (larger: 413)."),
    Setting("answer_limit", 16 * 1024 * 1024, "Largest query answer in bytes (larger: 400 asking "
            "for fewer rows; the dumps are not limited).", minimum=1024),
    Setting("processes", _PROCESSES, "HTTP processes, each with its own workers and answer cache "
            "(one with enable_update: the update log lives in it).", minimum=1),
    Setting("workers", max(2, _CORES // _PROCESSES), "Query worker processes per HTTP process "
            "(they share the loaded dataset).", minimum=1),
    Setting("worker_memory_mb", 2048, "Extra memory (MiB) one query worker may use before its query fails."),
    Setting("threads", 16, "HTTP threads of each HTTP process (one client address may use "
            "half of them at once).", minimum=2),
    Setting("query_engine", "oxigraph", "Engine for read queries: oxigraph (Oxigraph's, in-process, "
            "for every query it answers as rdflib does) or rdflib (always the reference engine)."),
    Setting("cache_entries", 512, "Query answers kept in memory (the dataset never changes while served)."),
    Setting("cache_bytes", 64 * 1024 * 1024, "Bytes of query answers kept in memory."),
    Setting("service_allow", (), "SERVICE endpoints a query may call (space-separated IRIs); none by default."),
    Setting("enable_update", False, "Accept SPARQL Update and Graph Store writes (needs update_token too)."),
    Setting("update_token", "", "Bearer token that writes must present (Authorization: Bearer ...)."),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str):
    """The value of a setting: its environment variable if set, else its default."""
    return _BY_NAME[name].value()
