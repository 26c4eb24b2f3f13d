"""The command line in-process (kazkg.cli.main under click's CliRunner: the same messages and
exit codes); tests/test_cli_end_to_end.py runs a few commands as real processes."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kazkg.tools.bench import RUNAWAY
from tests.support import kazkg_cli, run_kazkg


pytestmark = pytest.mark.usefixtures("built")  # the commands below start from the cache


def test_build_prints_a_summary():
    done = kazkg_cli("build")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "from cache" in out
    for word in ("kzg:ontology", "kzg:inferred", "kzg:text/* (29 graphs)", "distinct triples (union)",
                 "of which inferred", "time:"):
        assert word in out


def test_build_no_cache_rebuilds():
    done = kazkg_cli("build", "--no-cache")
    assert done.returncode == 0, done.stderr
    assert "(built;" in done.stdout and "infer" in done.stdout


def test_validate_passes_on_the_bundled_data():
    done = kazkg_cli("validate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "conforms" in done.stdout


def test_validate_exits_1_with_readable_messages(data_copy):
    path = data_copy / "graph" / "text" / "industry-1956-1985" / "p3-s3.ttl"
    path.write_text(path.read_text(encoding="utf-8") + "\nkzr:nameless a kazkg:Mine .\n",
                    encoding="utf-8")
    done = kazkg_cli("validate", env={"KAZKG_DATA_DIR": str(data_copy)})
    assert done.returncode == 1
    assert "kzr:nameless" in done.stderr and "p3-s3.ttl" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "tsv", "xml"])
def test_query_select_formats(fmt):
    done = kazkg_cli("query", "SELECT ?s WHERE { ?s kazkg:involvedIn kzr:award-achisai-lenin-prize-1985 }",
                     "--format", fmt)
    assert done.returncode == 0, done.stderr
    assert "achisai-polymetallic-combine" in done.stdout
    if fmt == "json":
        rows = json.loads(done.stdout)["results"]["bindings"]
        assert rows[0]["s"]["value"].endswith("achisai-polymetallic-combine")


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld", "xml"])
def test_query_construct_formats(fmt):
    query = ("CONSTRUCT { ?s kazkg:involvedIn ?c } WHERE { ?s kazkg:involvedIn ?c "
             "FILTER (?c = kzr:award-achisai-lenin-prize-1985) }")
    done = kazkg_cli("query", query, "--format", fmt)
    assert done.returncode == 0, done.stderr
    rdf_format = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                  "jsonld": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML}[fmt]
    triples = list(ox.parse(done.stdout.encode(), format=rdf_format))
    assert len(triples) == 1


def test_query_by_catalog_name_and_by_file(tmp_path):
    by_name = kazkg_cli("query", "lenin-prize-laureates", "--format", "csv")
    assert by_name.returncode == 0, by_name.stderr
    query_file = tmp_path / "q.rq"
    query_file.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a kazkg:Sentence }")
    by_file = kazkg_cli("query", str(query_file), "--format", "csv")
    assert by_file.returncode == 0, by_file.stderr
    assert by_file.stdout.splitlines()[1] == "29"


def test_unknown_query_name_lists_the_available_ones():
    done = kazkg_cli("query", "no-such-query")
    assert done.returncode == 2
    assert "no-such-query" in done.stderr and "lenin-prize-laureates" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_update_is_said_to_be_one():
    done = kazkg_cli("query", "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert done.returncode == 2
    assert "error: this is a SPARQL Update, not a query" in done.stderr


def test_sparql_syntax_error_shows_where():
    done = kazkg_cli("query", "SELECT ?s WHERE {\n  ?s ?p \n}")
    assert done.returncode == 2
    assert "line " in done.stderr and "column " in done.stderr and "^" in done.stderr
    assert "Traceback" not in done.stderr


def test_wrong_format_for_the_query_form_is_explained():
    done = kazkg_cli("query", "ASK { ?s ?p ?o }", "--format", "turtle")
    assert done.returncode == 2 and "does not suit" in done.stderr


def test_service_is_refused():
    done = kazkg_cli("query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert done.returncode == 2 and "SERVICE" in done.stderr


def test_stats_counts_by_class_graph_and_language():
    done = kazkg_cli("stats", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["classes"]["kazkg:Enterprise"] >= 15
    assert data["languages"]["kk"] == data["languages"]["ru"] or data["languages"]["kk"] > 100
    table = kazkg_cli("stats")
    assert "Instances by class" in table.stdout and "Labels by language" in table.stdout


def test_malformed_file_error_names_file_and_line(data_copy):
    path = data_copy / "graph" / "text" / "industry-1956-1985" / "p4-s7.ttl"
    path.write_text(path.read_text(encoding="utf-8") + "\nkzr:a kzr:b kzr:c\n", encoding="utf-8")
    done = kazkg_cli("build", env={"KAZKG_DATA_DIR": str(data_copy)})
    assert done.returncode == 2
    assert "p4-s7.ttl" in done.stderr and "line" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("run", [kazkg_cli, pytest.param(run_kazkg, marks=pytest.mark.slow)],
                         ids=["in-process", "a-process"])
def test_query_timeout_stops_the_query(run):
    done = run("query", RUNAWAY, "--timeout", "1")
    assert done.returncode == 124 and "time limit of 1 s" in done.stderr, done.stderr
    quick = run("query", "lenin-prize-laureates", "--format", "csv", "--timeout", "30")
    assert quick.returncode == 0 and "achisai" in quick.stdout


def test_a_grouping_error_is_the_users_with_its_position():
    done = kazkg_cli("query", "SELECT ?x (COUNT(*) AS ?n) WHERE { ?x ?p ?o }")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "line 1, column 8: Non-group key variable in SELECT: ?x" in done.stderr


def test_a_bug_reaches_the_caller_in_process(monkeypatch):
    """In-process (here, or a program embedding the CLI) main() raises a bug to its caller;
    a `kazkg` process says "internal error" (tests/test_cli_end_to_end.py)."""
    from kazkg.build import stats

    monkeypatch.setattr(stats, "summary", lambda *_: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        kazkg_cli("stats")


def test_serve_says_where_it_listens_in_void():
    """Without --public-url, the download and Graph Store URLs are where kazkg serve listens,
    not http://localhost/ (port 80), so that they work from this machine as printed."""
    done = kazkg_cli("serve", "--port", "8123", "--get", "/.well-known/void")
    assert done.returncode == 0, done.stderr
    assert "<http://127.0.0.1:8123/download/kazkg.ttl>" in done.stdout
    done = kazkg_cli("serve", "--port", "8123", "--public-url", "https://kazkg.example.org",
                     "--get", "/.well-known/void")
    assert "<https://kazkg.example.org/download/kazkg.ttl>" in done.stdout
