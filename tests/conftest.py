"""Shared fixtures. The bundled dataset is built once per session, into a private cache."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.support import ROOT


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

