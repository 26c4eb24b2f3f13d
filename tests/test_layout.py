"""The package's layout holds: imports go one way between the stages and never in a circle.

Read from the source with `ast` (every import, at the top of a module or inside a function),
so the check follows the code as it changes and needs nothing imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kazkg"
BASE = {"errors", "settings", "namespaces"}
# What each part of kazkg may import besides itself: the stages in the order data flows
# through them, then the entry points. Nothing imports web or cli.
ALLOWED = {
    "base": {"base"},
    "formats": {"base"},
    "build": {"base", "formats"},
    "query": {"base", "formats", "build"},
    "api": {"base", "formats", "build", "query"},
    "web": {"base", "formats", "build", "query", "api"},
    "tools": {"base", "formats", "build", "query", "api"},
    "cli": {"base", "formats", "build", "query", "api", "web", "tools"},
    "package": {"base", "build", "query", "api"},  # kazkg/__init__.py: the public names
    "main": {"cli"},  # kazkg/__main__.py
}
MAX_LINES = 300


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known) -> set[str]:
    """The kazkg modules that module `name` imports, anywhere in its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in known and m != name}


def part(module: str) -> str:
    """The part of kazkg a module belongs to (a key of ALLOWED)."""
    if module == "kazkg":
        return "package"
    first = module.split(".")[1]
    if first in BASE:
        return "base"
    return "main" if first == "__main__" else first


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def test_every_module_belongs_to_a_known_part():
    assert {part(m) for m in modules()} <= set(ALLOWED)


def test_imports_go_one_way():
    wrong = sorted(f"{m} imports {i}" for m, targets in graph().items() for i in targets
                   if part(i) != part(m) and part(i) not in ALLOWED[part(m)])
    assert not wrong, "\n".join(wrong)


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_circles():
    assert circles(graph()) == []


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_over_300_lines(name):
    lines = len(modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name}: {lines} lines"
