"""Paths and helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT.parent / "shared" / "sources"


def run_kazkg(*args, cwd=None, env=None, check=False):
    """Run the real `kazkg` command line in a subprocess (the end-to-end tests, marked slow:
    process start, imports and the flush at exit; the rest run in-process, `kazkg_cli`)."""
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "kazkg", *args], cwd=cwd, env=environment,
        capture_output=True, text=True, check=check, timeout=600,
    )


@dataclass
class Done:
    """What a command did, named as subprocess.run names it."""

    returncode: int
    stdout: str
    stderr: str


class _Terminal(io.TextIOWrapper):
    def isatty(self) -> bool:
        return True


def kazkg_cli(*args, cwd=None, env=None, stdout: io.BufferedIOBase | None = None,
              terminal: bool = False) -> Done:
    """Run `kazkg ARGS` in this process as the command line runs it: through kazkg.cli.main
    (its messages and exit codes), its output held by click's CliRunner. `env` is added to the
    environment; afterwards every variable and the working folder are as they were (options
    become variables: kazkg.settings.apply_options). Like a new process, the command starts
    with no "last build" (kazkg.api queries the last one; the builds themselves, keyed by
    their inputs' content, are shared). `stdout`: a binary file that standard output writes
    to instead (/dev/full); `terminal`: standard output says it is a terminal (as a pty would).
    A bug is raised to the caller, as main() raises it in-process."""
    from click.testing import CliRunner

    from kazkg import api
    from kazkg.cli import main

    saved, here, latest, hook = dict(os.environ), os.getcwd(), dict(api._latest), sys.excepthook
    root = logging.getLogger()
    handlers, root.handlers = root.handlers, []  # as in a new process: warnings go to stderr
    api._latest.clear()
    wrapper = None
    try:
        with CliRunner().isolation(env=env) as (out, err, _):
            if stdout is not None or terminal:
                kind = _Terminal if terminal else io.TextIOWrapper
                sys.stdout = wrapper = kind(stdout or out, encoding="utf-8", write_through=True)
            if cwd is not None:
                os.chdir(cwd)
            try:
                main(list(map(str, args)))
                code = 0
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
            sys.stderr.flush()
            return Done(code, out.getvalue().decode("utf-8", "replace"),
                        err.getvalue().decode("utf-8", "replace"))
    finally:
        if wrapper is not None:
            wrapper.detach()  # the caller's file stays the caller's to close
        root.handlers, sys.excepthook = handlers, hook  # main() installs the command's hook
        api._latest.clear()
        api._latest.update(latest)
        os.chdir(here)
        os.environ.clear()
        os.environ.update(saved)


def rdflib_answer(dataset, text: str):
    """rdflib's answer to a query over `dataset`, the reference the other engines must give
    (an rdflib Result), through kazkg's query path with rdflib's engine alone."""
    from kazkg.query import path
    from kazkg.query.served import Served

    evaluation = path.start(Served(dataset), text)
    return evaluation.result(path.take(evaluation)[0])


def comparable(result, blank_labels: bool = True):
    """An rdflib Result as comparable rows (kazkg.tools.bench.answers: a Counter of rows whose
    equal terms compare equal, "x" and "x"^^xsd:string, 43.650 and 43.65), through kazkg's
    SPARQL JSON writer. `blank_labels`: blank nodes compare by label (answers from one loaded
    dataset), else all alike (another server's labels)."""
    from kazkg.formats import results
    from kazkg.tools.bench import answers

    return answers.rows(results.render(result, "json").encode(), blank_labels=blank_labels)
