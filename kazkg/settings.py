"""Settings as data: one table that the CLI, the environment and the docs all read.

Each setting has a kind and a range. A bad value, from the environment or from the command
line option of the same name, is a SettingError (exit 2) that names the setting, the value and
what is allowed: nothing starts on a value that would fail later.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import click

from .errors import KazkgError


class SettingError(KazkgError):
    """A setting's value is not one it allows."""

    exit_code = 2


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str
    kind: str = "text"  # text, host, url, path, int, float, bool, choice, list
    minimum: float | None = None
    maximum: float | None = None
    above: float | None = None  # an exclusive lower bound (seconds must be > 0)
    choices: tuple[str, ...] = ()
    shown_default: str | None = None  # for defaults that depend on the machine
    option: bool = True  # also a `kazkg serve` option (never for secrets)

    @property
    def env(self) -> str:
        return "KAZKG_" + self.name.upper()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def allowed(self) -> str:
        """What values this setting takes, in words."""
        if self.kind == "bool":
            return "one of 1, true, yes, on, 0, false, no, off"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "list":
            return "space-separated http:// or https:// IRIs"
        if self.kind == "url":
            return "an http:// or https:// URL"
        if self.kind == "host":
            return "a host name or IP address"
        if self.kind == "path":
            return "a folder holding ontology/ and graph/ (empty: the bundled data)" \
                if self.name == "data_dir" else "a folder (created when missing)"
        if self.kind == "text":
            return "any text"
        number = "a whole number" if self.kind == "int" else "a number"
        bounds = []
        if self.above is not None:
            bounds.append(f"> {self.above:g}")
        if self.minimum is not None:
            bounds.append(f">= {self.minimum:g}")
        if self.maximum is not None:
            bounds.append(f"<= {self.maximum:g}")
        return number + (" " + " and ".join(bounds) if bounds else "")

    def parse(self, raw: str, where: str | None = None):
        """The value `raw` stands for; SettingError naming `where` (default: the environment
        variable; "" for none), the value and what is allowed."""
        where = self.env if where is None else where
        text = raw.strip()

        def bad():
            given = f"{where}={raw!r}" if where else repr(raw)
            return SettingError(f"{given} is not allowed: {self.name} must be {self.allowed()}")

        if self.kind == "bool":
            if text.lower() not in _TRUE + _FALSE:
                raise bad()
            return text.lower() in _TRUE
        if self.kind == "list":
            items = tuple(text.split())
            if not all(_is_web_iri(item) for item in items):
                raise bad()
            return items
        if self.kind == "url":
            if not _is_web_iri(text):
                raise bad()
            return text if text.endswith("/") else text + "/"
        if self.kind == "host":
            if not text or any(c.isspace() or c in "/?#@" for c in text):
                raise bad()
            return text
        if self.kind == "choice":
            if text.lower() not in self.choices:
                raise bad()
            return text.lower()
        if self.kind in ("text", "path"):
            return raw if self.kind == "text" else text
        try:
            value = int(text) if self.kind == "int" else float(text)
        except ValueError:
            raise bad() from None
        if not math.isfinite(value):
            raise bad()
        if ((self.above is not None and value <= self.above)
                or (self.minimum is not None and value < self.minimum)
                or (self.maximum is not None and value > self.maximum)):
            raise bad()
        return value

    def value(self):
        raw = os.environ.get(self.env)
        return self.default if raw is None else self.parse(raw)

    def default_text(self) -> str:
        if self.shown_default is not None:
            return self.shown_default
        if isinstance(self.default, tuple):
            return " ".join(self.default) or "(none)"
        return str(self.default) if self.default != "" else "(none)"


def _is_web_iri(text: str) -> bool:
    """An absolute http(s) IRI with a host, and nothing a SPARQL IRI may not hold."""
    scheme, _, rest = text.partition("://")
    host = rest.split("/", 1)[0]
    return (scheme.lower() in ("http", "https") and bool(host)
            and not any(c in text for c in '<>"{}|^`\\ ') and text.isprintable())


def _default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return str(Path(base) / "kazkg")


_CORES = os.cpu_count() or 1
_PROCESSES = min(4, _CORES)

SETTINGS = (
    Setting("cache_dir", _default_cache_dir(), "Folder for the built dataset cache.", "path",
            shown_default="~/.cache/kazkg", option=False),
    Setting("reasoner", "kazkg", "OWL-RL closure of a build: kazkg (semi-naive, the default) or "
            "owlrl (owlrl's own rules: the reference, about 70x slower); both give the same graph.",
            "choice", choices=("kazkg", "owlrl"), option=False),
    Setting("data_dir", "", "Folder holding ontology/, graph/ and queries/ (default: the "
            "checkout kazkg runs from, else the bundled data).", "path", option=False),
    # The web server (kazkg serve). Each is also a `kazkg serve` option of the same name.
    Setting("host", "127.0.0.1", "Address kazkg serve listens on (every address it resolves to).",
            "host"),
    Setting("port", 8000, "TCP port kazkg serve listens on.", "int", minimum=1, maximum=65535),
    Setting("query_timeout", 10.0, "Seconds a query may run before its worker is stopped (answer: 503).",
            "float", above=0),
    Setting("dump_timeout", 120.0, "Seconds a dump may take to be made (once per data version: "
            "then it is kept on disk).", "float", above=0),
    Setting("dumps_at_start", False, "Make every dump at start-up and after writes, in the "
            "background (else each when first asked: tens of seconds of CPU per version).", "bool"),
    Setting("result_limit", 10000, "Most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in one answer; "
            "a truncated answer says so in the X-Result-Truncated header; 0: no limit.", "int",
            minimum=0),
    Setting("body_limit", 512 * 1024, "Largest request body in bytes (larger: 413).", "int",
            minimum=1),
    Setting("answer_limit", 16 * 1024 * 1024, "Largest query answer in bytes (larger: 400 asking "
            "for fewer rows; the dumps are not limited).", "int", minimum=1024),
    Setting("processes", _PROCESSES, "HTTP processes, each with its own workers and answer cache "
            "(one with enable_update: it alone holds the write store).", "int", minimum=1, maximum=64,
            shown_default="the number of cores, at most 4"),
    Setting("workers", max(2, _CORES // _PROCESSES), "Query worker processes per HTTP process "
            "(they share the loaded dataset).", "int", minimum=1, maximum=256,
            shown_default="cores / processes, at least 2"),
    Setting("worker_memory_mb", 2048, "Extra memory (MiB) one query worker may use before its "
            "query fails; 0: no cap.", "int", minimum=0),
    Setting("threads", 32, "HTTP threads of each HTTP process (one client address may use "
            "half of them at once).", "int", minimum=2, maximum=1024),
    Setting("query_engine", "oxigraph", "Engine for read queries: oxigraph (Oxigraph's, in-process, "
            "for every query it answers as rdflib does) or rdflib (always the reference engine).",
            "choice", choices=("oxigraph", "rdflib")),
    Setting("cache_entries", 512, "Query answers kept in memory (the dataset never changes while "
            "served); 0: none.", "int", minimum=0),
    Setting("cache_bytes", 64 * 1024 * 1024, "Bytes of query answers kept in memory.", "int",
            minimum=0),
    Setting("service_allow", (), "SERVICE endpoints a query may call (space-separated IRIs); none "
            "by default.", "list"),
    Setting("public_url", "", "The server's own root URL as clients reach it (e.g. "
            "https://kazkg.example.org/), written into VoID and the service description; the Host "
            "header of a request is never used.", "url", shown_default="where kazkg serve listens"),
    Setting("enable_update", False, "Accept SPARQL Update and Graph Store writes (needs "
            "update_token too).", "bool"),
    Setting("update_store", "", "Folder for the on-disk stores that writes go to (one per set "
            "of input files); writes survive a restart there.", "path",
            shown_default="writes/ in the cache folder"),
    Setting("update_token", "", "Bearer token that writes must present (Authorization: Bearer ...).",
            "text", option=False),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str):
    """The value of a setting: its environment variable if set, else its default."""
    return _BY_NAME[name].value()


def by_name(name: str) -> Setting:
    return _BY_NAME[name]


def check() -> None:
    """Read every setting from the environment once: the first bad one is a SettingError."""
    for setting in SETTINGS:
        setting.value()
    check_paths(get("cache_dir"), get("data_dir"))


def check_paths(cache_dir: str, data_dir: str) -> None:
    cache = Path(cache_dir).expanduser()
    if cache.exists() and not cache.is_dir():
        raise SettingError(f"KAZKG_CACHE_DIR={cache_dir!r} is a file: cache_dir must be "
                           f"{by_name('cache_dir').allowed()}")
    if data_dir:
        data = Path(data_dir).expanduser()
        if not (data / "ontology").is_dir() or not (data / "graph").is_dir():
            raise SettingError(f"KAZKG_DATA_DIR={data_dir!r} has no ontology/ and graph/ folders: "
                               f"data_dir must be {by_name('data_dir').allowed()}")


def check_update(enabled: bool, token: str, where: str = "KAZKG_ENABLE_UPDATE") -> None:
    if enabled and not token.strip():
        raise SettingError(f"{where} turns writes on, but KAZKG_UPDATE_TOKEN is empty: set the "
                           "bearer token that writes must present")
    store = get("update_store")
    if enabled and store:
        folder = Path(store).expanduser()
        usable = next((p for p in (folder, *folder.parents) if p.exists()), None)
        if folder.exists() and not folder.is_dir() or usable is None or not usable.is_dir() \
                or not os.access(usable, os.W_OK):
            raise SettingError(f"KAZKG_UPDATE_STORE={store!r} is not a folder that can be "
                               f"written: update_store must be {by_name('update_store').allowed()}")


# --- command line options made from the table (kazkg serve) -----------------------------------
# `--query-timeout` is the setting query_timeout, checked by the same rule; an option given on
# the command line becomes the setting's environment variable, so it wins over it and reaches
# the processes kazkg starts.

class SettingValue(click.ParamType):
    """A setting's value from its option: a bad one is a usage error (exit 2) saying what
    the setting allows."""

    def __init__(self, setting: Setting):
        self.setting = setting
        self.name = setting.kind

    def convert(self, value, param, ctx):
        if not isinstance(value, str):
            return value
        try:
            self.setting.parse(value, "")  # click names the option
        except SettingError as error:
            self.fail(str(error), param, ctx)
        return value  # the text: it becomes the environment variable (see apply)


def setting_options(function):
    """Add one option for every setting that has one (never a secret such as the token)."""
    for setting in reversed([s for s in SETTINGS if s.option]):
        if setting.kind == "bool":
            decorator = click.option(setting.flag, setting.name, is_flag=True, default=None,
                                     help=f"{setting.help} [{setting.env}]")
        else:
            decorator = click.option(
                setting.flag, setting.name, type=SettingValue(setting),
                multiple=setting.kind == "list", metavar="IRI" if setting.kind == "list" else setting.kind.upper(),
                help=f"{setting.help} [{setting.env}; default {setting.default_text()}]")
        function = decorator(function)
    return function


def apply_options(given: dict) -> None:
    """Make each option given on the command line the value of its setting, for this process
    and the processes it starts."""
    for setting in SETTINGS:
        value = given.get(setting.name)
        if value is None or value == ():
            continue
        if setting.kind == "bool":
            os.environ[setting.env] = "1" if value else "0"
        elif setting.kind == "list":
            os.environ[setting.env] = " ".join(value)
        else:
            os.environ[setting.env] = value
