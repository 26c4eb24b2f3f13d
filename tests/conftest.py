"""Shared fixtures. The bundled dataset is built once per session, into a private cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT.parent / "shared" / "sources"


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Every test (and every kazkg subprocess) uses a cache folder of its own session."""
    folder = tmp_path_factory.mktemp("cache")
    old = os.environ.get("KAZKG_CACHE_DIR")
    os.environ["KAZKG_CACHE_DIR"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("KAZKG_CACHE_DIR", None)
    else:
        os.environ["KAZKG_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def built(private_cache):
    import kazkg

    return kazkg.build()


@pytest.fixture(scope="session")
def dataset(built):
    return built.dataset


@pytest.fixture(scope="session")
def asserted(dataset):
    from kazkg.api import without_inferred

    return without_inferred(dataset)


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A writable copy of ontology/, graph/ and queries/, used as KAZKG_DATA_DIR."""
    for name in ("ontology", "graph", "queries"):
        shutil.copytree(ROOT / name, tmp_path / name)
    monkeypatch.setenv("KAZKG_DATA_DIR", str(tmp_path))
    return tmp_path


def run_kazkg(*args, cwd=None, env=None, check=False):
    """Run the real `kazkg` command line in a subprocess."""
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "kazkg", *args], cwd=cwd, env=environment,
        capture_output=True, text=True, check=check, timeout=600,
    )
