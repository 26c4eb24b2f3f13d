"""Every shell example of the README that runs offline is run, and its shown output compared
with what it prints now.

An example is a `$ command` line in a fenced block; the lines after it, up to the next `$` or
the end of the block, are its output. `kazkg` commands run in-process, on what says it is a
terminal (the table format is for terminals; tests/test_cli_end_to_end.py runs real
processes); a pipeline runs in bash; `curl` commands go to one real `kazkg serve` on 127.0.0.1
(the README's ports are replaced by its own). Compared: every shown line must be in the output,
with versions, keys and times masked but every count as shown (so the README is re-run when
the data changes), and `...` standing for what the README leaves out. `kazkg serve` itself (it runs until stopped),
`push` and `bench` are not run here; tests/test_push.py and the bench tests cover them.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from tests.support import ROOT, kazkg_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
MARK = "<!-- readme-test: in a copy of the repository, with the Turtle file above as graph/facts/my-note.ttl -->"


def blocks():
    """(fenced block text, the text before it) for every fenced block."""
    found, position = [], 0
    for match in re.finditer(r"^```[a-z]*\n(.*?)^```", README, re.S | re.M):
        found.append((match.group(1), README[position:match.start()]))
        position = match.end()
    return found


def examples():
    """(command, shown output lines, in_copy) for every `$` line."""
    for body, before in blocks():
        in_copy = before.rstrip().endswith(MARK)
        current = None
        for line in body.splitlines():
            if line.startswith("$ "):
                if current:
                    yield current
                current = (line[2:].split("    #")[0].strip(), [], in_copy)
            elif current:
                current[1].append(line)
        if current:
            yield current


def runnable(command: str) -> bool:
    words = shlex.split(command)
    if words[0] == "curl":
        return True
    return words[0] == "kazkg" and words[1] not in ("serve", "push", "bench")


CASES = [e for e in examples() if runnable(e[0])]


def mask(text: str) -> str:
    """What may differ between two runs on the same data: keys (hex: the cache key hashes the
    code too), times, timestamps, process ids. Counts, sizes, positions and dataset versions (a
    hash of the data alone) must be as shown, so the README stays true."""
    text = re.sub(r"(?<!version )\b[0-9a-f]{8,}\b", "<hex>", text)
    text = re.sub(r"\b\d{4}-\d\d-\d\dT[\d:.]+", "<when>", text)
    text = re.sub(r"\b\d+(\.\d+)?(s|ms)\b", "<time>", text)
    text = re.sub(r'"http_process": \d+', '"http_process": <pid>', text)  # /health's
    return re.sub(r"[ \t]+", " ", text).strip()


@pytest.fixture(scope="module")
def copy_with_note(tmp_path_factory):
    folder = tmp_path_factory.mktemp("checkout")
    for name in ("ontology", "graph", "queries"):
        shutil.copytree(ROOT / name, folder / name)
    shutil.copy(ROOT / "pyproject.toml", folder)
    extending = README[README.index("## Extending the graph"):]
    turtle = re.search(r"```turtle\n(.*?)```", extending, re.S).group(1)
    (folder / "graph" / "facts" / "my-note.ttl").write_text(turtle, encoding="utf-8")
    return folder


def compare(shown: list[str], output: str, command: str) -> None:
    masked = mask(output)
    for line in shown:
        text = line.rstrip()
        if not text.strip() or text.strip() == "...":
            continue
        if text.lstrip().startswith("{"):  # JSON shown compacted: compare what it says
            found = json.loads(output[output.index("{"):])
            assert found == json.loads(text) or mask(json.dumps(found, sort_keys=True)) == \
                mask(json.dumps(json.loads(text), sort_keys=True)), (command, text, output)
            continue
        text = text[:-3].rstrip() if text.endswith("...") else text
        if text.startswith("data from "):  # the folder the README was run in
            text = text.split(" (", 1)[1]
        assert mask(text) in masked, (command, text, output[:3000])
    if shown and not any(line.rstrip().endswith("...") or line.lstrip().startswith("{")
                         for line in shown):
        # shown whole: nothing more was printed (a query's extra row would pass otherwise)
        printed = [line for line in output.splitlines() if line.strip()]
        assert len(printed) == len([line for line in shown if line.strip()]), (command, output[:3000])


def in_process(command: str) -> bool:
    return command.startswith("kazkg ") and "|" not in shlex.split(command)


IN_PROCESS = [c for c in CASES if in_process(c[0])]
OVER_PROCESSES = [c for c in CASES if not in_process(c[0])]


@pytest.mark.parametrize("command, shown, in_copy", IN_PROCESS, ids=[c[0][:60] for c in IN_PROCESS])
def test_readme_example(command, shown, in_copy, tmp_path, copy_with_note, built):
    """A `kazkg` example, run in-process (tests.support.kazkg_cli) on what says it is a
    terminal, in the repository (or the copy with the note), without KAZKG_DATA_DIR."""
    words = shlex.split(command)
    cwd = copy_with_note if in_copy else ROOT
    if "-o" in words:  # write into the test's own folder, not the repository
        target = words[words.index("-o") + 1]
        words[words.index("-o") + 1] = str(tmp_path / target)
        shown = [line.replace(f" to {target}", f" to {tmp_path / target}") for line in shown]
    done = kazkg_cli(*words[1:], cwd=cwd, env={"COLUMNS": "200", "KAZKG_DATA_DIR": None},
                     terminal=True)
    output = done.stdout + done.stderr
    if not any(line.startswith("error:") for line in shown):
        assert "error:" not in output and "Traceback" not in output, output
    compare(shown, output, command)


@pytest.mark.slow
@pytest.mark.parametrize("command, shown, in_copy", OVER_PROCESSES,
                         ids=[c[0][:60] for c in OVER_PROCESSES])
def test_readme_example_in_a_shell(command, shown, in_copy, copy_with_note, request):
    """`curl` against the real server, and pipelines through bash."""
    words = shlex.split(command)
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("KAZKG_DATA_DIR", None)
    if words[0] == "curl":
        port = request.getfixturevalue("bundled_server").url.rstrip("/").rsplit(":", 1)[1]
        swap = lambda s: re.sub(r"(localhost|127\.0\.0\.1):(8765|8000)", f"127.0.0.1:{port}", s)
        done = subprocess.run([swap(w) for w in words], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        compare([swap(line) for line in shown], done.stdout, command)
        return
    # a pipeline, kazkg being this interpreter's
    line = command.replace("kazkg ", f"{shlex.quote(sys.executable)} -m kazkg ", 1)
    done = subprocess.run(["bash", "-o", "pipefail", "-c", line], cwd=copy_with_note if in_copy else ROOT,
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    compare(shown, done.stdout, command)


def test_what_is_in_the_graph_is_counted(built):
    """The figures of "What is in the graph" are the data's own, counted again."""
    import kazkg

    table = README[README.index("## What is in the graph"):README.index("### The model")]
    count = lambda where: int(next(iter(kazkg.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")))[0])
    graphs = lambda folder: count("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                                  f'FILTER STRSTARTS(STR(?g), CONCAT(STR(kzg:), "{folder}")) }}')
    things = lambda cls: count(f"SELECT DISTINCT ?x WHERE {{ ?x a kazkg:{cls} }}")
    triples = lambda filter_: count(f"SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {filter_} }}")
    expected = {
        r"named graphs \| ([\d,]+):": graphs(""),
        r"(\d+) for its sentences": graphs("text/"),
        r"(\d+) for the mentions": graphs("mentions/"),
        r"(\d+) in `graph/facts/`": graphs("facts/"),
        r"(\d+) editorial in `graph/reference/`": graphs("reference/"),
        r"triples \| ([\d,]+) distinct": triples(""),
        r"\(([\d,]+) asserted": triples("FILTER(?g != kzg:inferred)"),
        r"([\d,]+) inferred by OWL-RL": triples("FILTER(?g = kzg:inferred)"),
        r"mentions \| (\d+) W3C": things("Mention"),
        r"enterprises \| (\d+)": things("Enterprise"),
        r"places \| (\d+)": things("Place"),
        r"(\d+) cities": things("City"),
        r"(\d+) memberships in regions": things("AdministrativeMembership"),
        r"(\d+) of places, ": count("SELECT DISTINCT ?m WHERE { ?x a kazkg:Place ; kazkg:hasMembership ?m }"),
        r"(\d+) of enterprises \|": count("SELECT DISTINCT ?m WHERE { ?x a kazkg:Enterprise ; kazkg:hasMembership ?m }"),
        r"\((\d+) of them dated\)": count("SELECT DISTINCT ?x WHERE { ?x a kazkg:AdministrativeMembership ; kazkg:hasTime ?t }"),
        r"events \| (\d+)": things("Event"),
        r"statistics \| (\d+)": things("Statistic"),
        r"(\d+) give a value with its unit": count("SELECT DISTINCT ?x WHERE { ?x a kazkg:Statistic ; kazkg:value ?v ; kazkg:unit ?u }"),
        r"\((\d+) of them with a qualifier": count("SELECT DISTINCT ?x WHERE { ?x a kazkg:Statistic ; kazkg:valueQualifier ?q }"),
        r"(\d+) a trend;": count("SELECT DISTINCT ?x WHERE { ?x a kazkg:Statistic ; kazkg:trend ?t }"),
        r"; (\d+) a place \|": count("SELECT DISTINCT ?x WHERE { ?x a kazkg:Statistic ; kazkg:place ?p }"),
        r"policies \| (\d+)": things("Policy"),
        r"territorial-production complexes: (\d+)": things("TerritorialProductionComplex"),
        r"source conflicts recorded: (\d+)": things("SourceConflict"),
        r"(\d+) identifications": things("Identification"),
        r"(\d+) editorial statements": things("EditorialStatement"),
    }
    for pattern, number in expected.items():
        shown = re.search(pattern, table)
        assert shown, f"README's table no longer says {pattern!r}"
        assert int(shown.group(1).replace(",", "")) == number, (pattern, number)


def test_the_query_catalog_table_lists_every_query():
    """One row per file of queries/, and no row for a query that is not there."""
    table = README[README.index("## The query catalog"):]
    table = table[:table.index("\n\n", table.index("| name |"))]
    listed = re.findall(r"^\| `([a-z0-9-]+)` \|", table, re.M)
    assert sorted(listed) == sorted(path.stem for path in (ROOT / "queries").glob("*.rq"))


def test_the_dataset_version_shown_is_the_datas(built):
    """Every dataset version the README shows for the bundled data is the one it has now (a
    historian who cites the README's example would otherwise cite data that differs); the
    versions of the README's copy with a note added are those of the copy's examples."""
    extending = README.index("## Extending the graph")
    shown = re.findall(r'dataset (?:version )?([0-9a-f]{12})\b|"version":"([0-9a-f]{12})"',
                       README[:extending])
    assert shown and {a or b for a, b in shown} == {built.version}
    assert f"instead of {built.version})" in README[extending:]
