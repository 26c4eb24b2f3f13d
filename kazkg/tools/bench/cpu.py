"""CPU time of a server's whole process tree (Linux /proc: utime + stime of the process and of
every descendant), read before and after a run: per request, it compares servers that run in
different numbers of processes without the machine's load deciding which one gets the cores."""

from __future__ import annotations

import os
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100  # /proc counts in ticks


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, utime + stime in seconds) of `pid`, None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # the command name may hold spaces
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK


def tree_seconds(root: int) -> dict[int, float]:
    """utime + stime of `root` and of each of its descendants now, by pid ({} with no /proc)."""
    parents, seconds = {}, {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return {}
    for entry in entries:
        if entry.isdigit():
            found = _stat(int(entry))
            if found:
                parents[int(entry)], seconds[int(entry)] = found
    tree, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in seconds and pid not in tree:
            tree[pid] = seconds[pid]
            todo.extend(child for child, parent in parents.items() if parent == pid)
    return tree


def used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds the tree used between two readings (a process that ended in between is
    not counted: the servers' processes live through a run)."""
    return sum(after[pid] - before.get(pid, 0.0) for pid in after)
