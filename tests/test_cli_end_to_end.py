"""A few commands as a user runs them, each a real `python -m kazkg` process: start-up from
the cache, exit codes, a bug, the flush at exit on a full disk (and in tests/test_cli.py, a
query killed at its time limit). Every other CLI test runs in-process (tests/test_cli.py,
tests/test_cli_errors.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import run_kazkg

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("built")]  # start from the cache


def test_build_starts_from_the_cache():
    done = run_kazkg("build")
    assert done.returncode == 0, done.stderr
    assert "from cache" in done.stdout and "distinct triples (union)" in done.stdout


def test_a_bad_setting_exits_2_without_a_traceback():
    done = run_kazkg("serve", "--get", "/health", env={"KAZKG_PORT": "70000"})
    assert done.returncode == 2 and "KAZKG_PORT" in done.stderr and "<= 65535" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("args", [("export", "--format", "nt"), ("settings",)])
def test_a_full_disk_on_standard_output(args):
    """`settings` prints little: the error shows at the last flush, not at a write."""
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "kazkg", *args], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=600)
    assert done.returncode == 1, done.stderr
    assert "cannot write to standard output: No space left on device" in done.stderr
    for bad in ("Traceback", "internal error", "Exception ignored"):
        assert bad not in done.stderr


# The `kazkg` command with two bugs planted: `kazkg stats` divides by zero, and so does every
# query job (in a worker process with --timeout, where it comes back as a WorkerBug).
WITH_A_BUG = ("import sys\nfrom kazkg import cli\nfrom kazkg.build import stats\n"
              "from kazkg.query import jobs\n"
              "stats.summary = jobs.Handler.__call__ = lambda *_: 1 / 0\n"
              "cli.main(sys.argv[1:])")


@pytest.mark.parametrize("args, said", [
    (("stats",), "ZeroDivisionError: division by zero"),
    (("query", "ASK {}", "--timeout", "30"), "WorkerBug: the query worker failed with a bug:"),
])
def test_a_bug_is_said_to_be_one_with_exit_status_70(args, said):
    command = [sys.executable, "-c", WITH_A_BUG, *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 70, done.stderr
    assert done.stderr == (f"internal error: {said} (set KAZKG_DEBUG=1 for details; "
                           "please report it)\n")
    debug = subprocess.run(command, capture_output=True, text=True, timeout=600,
                           env={**os.environ, "KAZKG_DEBUG": "1"})
    assert debug.returncode == 70
    assert debug.stderr.startswith("Traceback") and "ZeroDivisionError" in debug.stderr
    assert debug.stderr.endswith(done.stderr)
