"""Shared fixtures. The bundled dataset is built once per session, into a private cache."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.support import ROOT


WORKERS = 2  # the machine CI runs on has two cores


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """Two test processes when pytest-xdist is installed (the test extras install it) and no
    -n was given: most of the suite is Python on one core (SHACL, OWL-RL, exports), so on two
    cores the run takes about half as long. Each process has its own session cache and
    servers (the tests use free ports and temporary folders); a module's tests stay in one
    process (--dist loadscope), so a module's shared server starts once. -n 0: one process.
    Runs before xdist's own hook of the same name, which turns -n into worker processes."""
    if (config.pluginmanager.hasplugin("xdist") and config.option.numprocesses is None
            and not hasattr(config, "workerinput") and not config.option.usepdb
            and not config.option.collectonly):
        config.option.numprocesses = WORKERS
        if config.option.dist == "no":
            config.option.dist = "loadscope"
            # in the order below (pytest_collection_modifyitems), not largest module first
            config.option.loadscopereorder = False


# Modules of 15 s or more on an idle machine (durations at 472d1d1), longest first, start their
# folder; the rest follow in file order. The long CPU-bound modules (tests/test_*.py) start
# early, and the run no longer ends on test_web_writes.py (last by name, about 20 s) with the
# other process idle (a simulation of xdist's loadscope on those durations: 310 s -> 303 s).
# The web modules that flood a server and time a probe (limits, fairness, abuse*) stay in file
# order, apart: put first, test_web_limits.py and test_web_fairness.py ran side by side and
# both failed their timing (load 10-13).
LONG_MODULES = ("test_closure.py", "test_export.py", "test_pipeline.py", "test_shapes.py",
                "test_push.py", "test_cli_errors.py", "test_incremental.py", "test_reason_lean.py",
                "web/test_web_writes.py")


def pytest_collection_modifyitems(config, items):
    rank = {name: n for n, name in enumerate(LONG_MODULES)}
    folders: dict = {}

    def key(numbered):
        n, item = numbered
        try:
            name = item.path.relative_to(ROOT / "tests").as_posix()
        except ValueError:  # a test outside tests/
            name = str(item.path)
        folder = folders.setdefault(name.rpartition("/")[0], len(folders))
        return folder, rank.get(name, len(rank)), n

    items[:] = [item for _, item in sorted(enumerate(items), key=key)]


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


@pytest.fixture(scope="session")
def bundled_server(built):
    """The bundled dataset behind one real `kazkg serve` (one HTTP process, two workers),
    started from the cache and shared by every test that reads it over HTTP."""
    from tests.web.support import Server

    srv = Server(["--workers", "2", "--processes", "1"])
    yield srv
    srv.stop()


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A writable copy of ontology/, graph/ and queries/, used as KAZKG_DATA_DIR."""
    for name in ("ontology", "graph", "queries"):
        shutil.copytree(ROOT / name, tmp_path / name)
    monkeypatch.setenv("KAZKG_DATA_DIR", str(tmp_path))
    return tmp_path



# --- every test that starts a program is marked slow ------------------------------------------
# `python -m pytest -m "not slow"` is then the quick in-process run. A program started by a
# shared fixture (a session's server) counts for every test that uses the fixture. Forks of
# the worker pool (kazkg.query.workers) take milliseconds and are not counted.
_started: list[str] = []
_fixtures_that_start: set[str] = set()
_popen_init = subprocess.Popen.__init__


def _counted_popen_init(self, args, *more, **options):
    _started.append(str(args if isinstance(args, (str, bytes)) else args[0]))
    _popen_init(self, args, *more, **options)


subprocess.Popen.__init__ = _counted_popen_init


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    before = len(_started)
    try:
        return (yield)
    finally:
        if len(_started) > before:
            _fixtures_that_start.add(fixturedef.argname)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    _started.clear()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    outcome = yield  # a test that failed already is reported as it failed
    started = sorted(set(_started) | {f"fixture {name}" for name in
                                      _fixtures_that_start.intersection(item.fixturenames)})
    _started.clear()
    if started and item.get_closest_marker("slow") is None:
        pytest.fail(f"{item.nodeid} starts a program ({', '.join(started)}) but is not "
                    "marked @pytest.mark.slow", pytrace=False)
    return outcome
