"""Driving a server with wrk (Debian's `wrk`), a load generator in C: a Python client on two
cores caps every server near the same rate, so the ratios between fast servers come from this.

The mix is written into a Lua script. "repeated" sends the catalog queries as they are, in
turn; "unique" makes every request a query never sent before (the catalog query with a comment
naming the wrk thread and a counter), so that no answer cache can serve it. Each request is a
GET of the SPARQL 1.1 Protocol asking for SPARQL JSON.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import ToolError

MIXES = ("repeated", "unique")

_SCRIPT = """-- written by kazkg.tools.bench.wrk
local paths = {{
{paths}
}}
local unique = {unique}
local made = 0
function setup(thread)
  thread:set("id", made)
  made = made + 1
end
function init(args)
  counter = id * 7919
end
function request()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  if unique then
    path = path .. "%0A%23%20request%20" .. id .. "-" .. counter .. "%0A"
  end
  return wrk.format("GET", path, {{["Accept"] = "application/sparql-results+json"}})
end
"""


@dataclass
class Result:
    requests: int = 0
    seconds: float = 0.0
    throughput: float = 0.0
    percentiles: dict = field(default_factory=dict)  # "50%" -> seconds
    errors: int = 0  # non-2xx/3xx answers and socket errors
    output: str = ""


def available() -> str | None:
    return shutil.which("wrk")


def script(url: str, queries: list[str], mix: str) -> str:
    """The Lua script of `mix` for the SPARQL endpoint at `url`."""
    base = urllib.parse.urlsplit(url).path
    lines = [f'  "{base}?query={urllib.parse.quote(q.rstrip(), safe="")}",' for q in queries]
    return _SCRIPT.format(paths="\n".join(lines), unique="true" if mix == "unique" else "false")


def drive(url: str, queries: list[str], mix: str, seconds: float, connections: int = 8,
          threads: int = 2, workdir: Path | None = None) -> Result:
    """Run wrk for `seconds` on `url` with `connections` keep-alive connections."""
    found = available()
    if not found:
        raise ToolError("wrk is not installed (Debian: apt-get install wrk)")
    lua = (workdir or Path(".")) / f"wrk-{mix}.lua"
    lua.write_text(script(url, queries, mix), encoding="utf-8")
    root = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(url))
    done = subprocess.run([found, f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s",
                           "--latency", "--timeout", "30s", "-s", str(lua), root],
                          capture_output=True, text=True, timeout=seconds + 120)
    if done.returncode != 0:
        raise ToolError(f"wrk failed ({done.returncode}): {done.stderr.strip()[:500]}")
    return parse(done.stdout)


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def parse(output: str) -> Result:
    """What wrk printed, as numbers."""
    result = Result(output=output)
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    if total:
        result.requests = int(total.group(1))
        result.seconds = float(total.group(2)) * _UNITS[total.group(3)]
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    result.throughput = float(rate.group(1)) if rate else 0.0
    for share, value, unit in re.findall(r"^\s+(\d+%)\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M):
        result.percentiles[share] = float(value) * _UNITS[unit]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result.errors = int(bad.group(1)) if bad else 0
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if sockets:
        result.errors += sum(int(n) for n in sockets.groups())
    return result
