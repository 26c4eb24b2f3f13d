"""The facets' sources (kazkg.web.facets) come from each graph's subjects as the build kept
them (kazkg.web.subjects), not from a query over every quad (at 100x it ran out of time and
/browse answered 503); they equal the query's, and after a write they are the query's on
what is served."""

from __future__ import annotations

import pytest

TOKEN = "s3cret"
SOURCE = "Test Source of the facets"


def _computed(app, monkeypatch):
    """The facet index computed now (not read from a kept value), and the lookups it ran."""
    from kazkg.web import facets

    asked, select = [], facets.select

    def counted(body, *args, **kwargs):
        asked.append(body)
        return select(body, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(facets, "select", counted)
        patch.setattr(facets, "cached", lambda key, compute: compute())
        with app.app_context():
            return facets.index(), asked


def _sources(index) -> dict:
    return {iri: entry.values.get("source", set()) for iri, entry in index.entries.items()}


def test_the_sources_are_the_builds_and_equal_the_querys(monkeypatch):
    import kazkg
    from kazkg.web import create_app, facets, subjects

    # a full build keeps its state (the session's shared build may be one whose state another
    # test removed or damaged: then the facets query, as they should; CI met that once)
    app = create_app(kazkg.build(use_cache=False), {"WORKERS": 1, "QUERY_TIMEOUT": 20.0})
    try:
        assert subjects.by_graph(app.extensions["kazkg"])  # the build kept its graphs
        kept, asked = _computed(app, monkeypatch)
        assert facets.SOURCES not in asked  # no query over every quad
        monkeypatch.setattr(subjects, "by_graph", lambda svc: None)
        queried, asked = _computed(app, monkeypatch)
        assert facets.SOURCES in asked
        assert _sources(kept) == _sources(queried)
        assert sum(map(len, _sources(kept).values())) > 1000  # (the bundled data's)
    finally:
        app.extensions["kazkg"].close()


def test_after_a_write_the_sources_are_those_served(built, tmp_path, monkeypatch):
    from kazkg.web import create_app, facets, subjects

    monkeypatch.setenv("KAZKG_UPDATE_STORE", str(tmp_path / "writes"))
    app = create_app(built, {"WORKERS": 1, "QUERY_TIMEOUT": 20.0, "ENABLE_UPDATE": True,
                             "UPDATE_TOKEN": TOKEN})
    try:
        before, _ = _computed(app, monkeypatch)
        iri = next(i for i, e in sorted(before.entries.items()) if "public:" + SOURCE not in e.values["source"])
        graph = "https://w3id.org/kazkg/graph/facts/test-written"
        insert = (f"PREFIX kazkg: <https://w3id.org/kazkg/ontology#> "
                  f"INSERT DATA {{ GRAPH <{graph}> {{ <{graph}> a kazkg:Assertion ; "
                  f'<http://www.w3.org/2000/01/rdf-schema#label> "Facts — source: {SOURCE}"@en . '
                  f'<{iri}> <http://www.w3.org/2000/01/rdf-schema#comment> "written" }} }}')
        reply = app.test_client().post("/sparql", data=insert, headers={
            "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"})
        assert reply.status_code == 204, reply.get_data()[:300]
        assert subjects.by_graph(app.extensions["kazkg"]) is None  # the build's are stale now
        after, _ = _computed(app, monkeypatch)
        assert "public:" + SOURCE in after.entries[iri].values["source"]
        with app.app_context():
            page = app.test_client().get(f"/browse?source=public:{SOURCE}")
        assert page.status_code == 200 and SOURCE.encode() in page.get_data()
    finally:
        app.extensions["kazkg"].close()
