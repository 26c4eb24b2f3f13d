"""The public API cannot be shadowed: after every submodule of kazkg has been imported,
kazkg.build, load, query and validate are still the functions, in any call order, and the
README's Python snippet runs as it is printed."""

from __future__ import annotations

import importlib
import pkgutil
import re
import types

import kazkg
from tests.support import ROOT

API = ("build", "load", "query", "validate")


def import_every_submodule() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(kazkg.__path__, "kazkg.")]
    for name in names:
        importlib.import_module(name)
    return names


def readme_snippet() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Python API"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_api_survives_importing_every_submodule(built):
    names = import_every_submodule()
    assert {"kazkg.build", "kazkg.query", "kazkg.build.validate", "kazkg.web.app"} <= set(names)
    for name in API:
        assert isinstance(getattr(kazkg, name), types.FunctionType), name
    # validate and query before build and load, then the other way round
    assert isinstance(kazkg.validate(), list)
    assert len(kazkg.query("lenin-prize-laureates")) == 1
    assert kazkg.build().fingerprint == built.fingerprint
    assert len(kazkg.load()) == len(built.dataset)
    assert len(kazkg.query("SELECT * WHERE { ?s kazkg:involvedIn kzr:award-achisai-lenin-prize-1985 }")) == 1


def test_the_readme_snippet_runs_as_printed(built, capsys):
    import_every_submodule()
    namespace: dict = {}
    exec(compile(readme_snippet(), "README.md", "exec"), namespace)
    assert "achisai-polymetallic-combine" in capsys.readouterr().out
    assert isinstance(namespace["problems"], list) and namespace["build"].dataset is not None
