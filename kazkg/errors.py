"""The errors kazkg raises on purpose.

Each carries a message meant for a person; the CLI prints it and the web app maps the type to
a status code. Anything else that escapes is a bug: left to stop what it is in (the web app's
500 handler answers for it, with an error id), but for the last resorts of bug_contained.
"""

import logging
from contextlib import contextmanager
from pathlib import Path


def display_path(path) -> str:
    """A file's path as a person would type it: relative to the working folder if inside it
    (every message naming a file of the data uses it, so they all read alike)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


class KazkgError(Exception):
    """Base class: a problem in the input or the request, explained in `str(error)`."""

    exit_code = 2


class ListenError(KazkgError):
    """kazkg serve cannot listen where it was told to (address in use, unknown host, ...)."""

    exit_code = 1


class ToolError(KazkgError):
    """A tool (push, bench, scale) could not do its work: a server that does not answer, a
    program that is not installed. Not a usage error, so exit 1."""

    exit_code = 1


class OutputError(KazkgError):
    """An answer could not be written (a full disk, a closed pipe, a folder refused)."""

    exit_code = 1


class InputError(KazkgError):
    """A file could not be read or parsed; the message names the file and the position."""

    def __init__(self, path, message, line=None, column=None):
        self.path, self.line, self.column = str(path), line, column
        where = display_path(path)
        if line is not None:
            where += f", line {line}" + (f", column {column}" if column is not None else "")
        super().__init__(f"{where}: {message}")


class ValidationFailed(KazkgError):
    """The data does not conform to the SHACL shapes."""

    exit_code = 1

    def __init__(self, violations):
        self.violations = list(violations)
        lines = [f"{len(self.violations)} SHACL violation(s):"]
        lines += [f"  - {v}" for v in self.violations]
        super().__init__("\n".join(lines))


class Inconsistent(KazkgError):
    """OWL-RL found a contradiction (disjoint classes, functional properties, ...)."""

    exit_code = 1

    def __init__(self, problems):
        self.problems = list(problems)
        lines = [f"The graph is inconsistent ({len(self.problems)} problem(s)):"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class QueryError(KazkgError):
    """A SPARQL query could not be parsed or run; the message says where."""

    def __init__(self, message, line=None, column=None, query=None):
        self.line, self.column = line, column
        text = message
        if line is not None:
            text = f"line {line}, column {column}: {message}"
            if query is not None:
                lines = query.splitlines() or [""]
                if 1 <= line <= len(lines):
                    text += f"\n  {lines[line - 1]}\n  {' ' * (max(column, 1) - 1)}^"
        super().__init__(text)


class QueryTimeout(KazkgError):
    """A query ran past its time limit and was stopped (`kazkg query --timeout`)."""

    exit_code = 124  # as timeout(1) exits

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"the query was stopped after the time limit of {seconds:g} s")


class UnknownQuery(KazkgError):
    """A query name that is not in the catalog."""

    def __init__(self, name, available):
        self.name, self.available = name, sorted(available)
        listing = "\n".join(f"  {n}" for n in self.available)
        super().__init__(
            f"No query named {name!r} (and no such file). Available queries:\n{listing}"
        )


class Outcome:
    """What became of a block run by bug_contained: `failed` when a bug stopped it."""

    failed = False


@contextmanager
def bug_contained(log: logging.Logger, what: str, *args):
    """Run the block, and should a bug stop it, log it (`what` % `args`, with its traceback)
    and go on: the one place that catches any exception, for the last resorts that must still
    answer (an error page that could not be made: the JSON error instead; a write that failed
    in the zygote process: a 500 for that write, not a dead zygote)."""
    outcome = Outcome()
    try:
        yield outcome
    except Exception:
        log.exception(what, *args)
        outcome.failed = True
