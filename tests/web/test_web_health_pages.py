"""/health says "unavailable" while the pages' names cannot be looked up, so every HTML page
answers 503 (it said "ok" then: after a write, the labels' lookup ran past its time limit)."""

from __future__ import annotations


def test_health_follows_the_pages_names(built, monkeypatch):
    from kazkg.web import create_app, kept, lookup, versioned

    app = create_app(built, {"WORKERS": 1, "QUERY_TIMEOUT": 20.0})
    try:
        client = app.test_client()
        with monkeypatch.context() as patch:
            def refuse(*args, **kwargs):
                raise versioned.LookupFailed("the query was stopped after the time limit")
            patch.setattr(kept, "read", lambda *args, **kwargs: kept.MISSING)
            patch.setattr(lookup, "select", refuse)
            assert client.get("/", headers={"Accept": "text/html"}).status_code == 503
            health = client.get("/health")
            assert health.status_code == 503, health.json
            assert health.json["status"] == "unavailable" and "names" in health.json["error"]
            assert "names" in health.json["lookups_failed"]
        page = client.get("/resource/almaty", headers={"Accept": "text/html"})  # names again
        assert page.status_code == 200, page.data[:400]
        health = client.get("/health")
        assert health.status_code == 200 and "lookups_failed" not in health.json
    finally:
        app.extensions["kazkg"].close()
