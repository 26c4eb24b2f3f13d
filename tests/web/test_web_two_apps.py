"""Two apps in one process serve two datasets: the dataset and its engines belong to each
app's Service (handed to its worker pool), not to module state."""

from __future__ import annotations

import pytest

from tests.web.support import RUNAWAY, fixture_build

NAMES = "PREFIX foaf: <http://xmlns.com/foaf/0.1/> SELECT ?name WHERE { ?s foaf:name ?name }"


@pytest.fixture
def other_build(tmp_path):
    from kazkg.build.inputs import from_files
    from kazkg.build.pipeline import build

    data = tmp_path / "other.ttl"
    data.write_text('@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n'
                    '<http://example.org/zhanna> foaf:name "Zhanna" .\n', encoding="utf-8")
    return build(from_files([data]), infer=False)


def names(client, text=NAMES) -> set[str]:
    response = client.get("/sparql", query_string={"query": text},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {row["name"]["value"] for row in response.get_json()["results"]["bindings"]}


def test_two_apps_in_one_process_serve_their_own_datasets(other_build):
    from kazkg.web import create_app

    first = create_app(fixture_build(), {"QUERY_TIMEOUT": 1.0, "WORKERS": 1})
    second = create_app(other_build, {"QUERY_TIMEOUT": 1.0, "WORKERS": 1})
    try:
        a, b = first.test_client(), second.test_client()
        assert names(a) == {"Alice", "Bob", "Carol"}
        assert names(b) == {"Zhanna"}
        # A worker killed at the time limit is replaced with the same dataset it had.
        assert a.get("/sparql", query_string={"query": RUNAWAY}).status_code == 503
        assert names(a) == {"Alice", "Bob", "Carol"} and names(b) == {"Zhanna"}
        # rdflib's engine, too (a comment naming a service keeps a query off Oxigraph's)
        on_rdflib = NAMES + "\n# no service called here"
        assert names(a, on_rdflib) == {"Alice", "Bob", "Carol"}
        assert names(b, on_rdflib) == {"Zhanna"}
    finally:
        first.extensions["kazkg"].close()
        second.extensions["kazkg"].close()
