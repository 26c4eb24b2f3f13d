"""Paths and helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT.parent / "shared" / "sources"


def run_kazkg(*args, cwd=None, env=None, check=False):
    """Run the real `kazkg` command line in a subprocess."""
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "kazkg", *args], cwd=cwd, env=environment,
        capture_output=True, text=True, check=check, timeout=600,
    )


def rdflib_answer(dataset, text: str):
    """rdflib's answer to a query over `dataset`, the reference the other engines must give
    (an rdflib Result), through kazkg's query path with rdflib's engine alone."""
    from kazkg.query import path
    from kazkg.query.served import Served

    evaluation = path.start(Served(dataset), text)
    return evaluation.result(path.take(evaluation)[0])
