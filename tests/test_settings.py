"""Settings are data: every one is documented, listed by the CLI, and read from the env."""

from __future__ import annotations

import pytest

from kazkg import settings
from kazkg.errors import KazkgError
from tests.support import ROOT, kazkg_cli


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_in_the_readme(setting):
    assert setting.env in (ROOT / "README.md").read_text(encoding="utf-8")


def test_kazkg_settings_lists_them_all():
    done = kazkg_cli("settings")
    assert done.returncode == 0
    for setting in settings.SETTINGS:
        assert setting.env in done.stdout


def test_environment_overrides_and_bad_values_are_explained(monkeypatch):
    monkeypatch.setenv("KAZKG_QUERY_TIMEOUT", "2.5")
    assert settings.get("query_timeout") == 2.5
    monkeypatch.setenv("KAZKG_WORKERS", "many")
    with pytest.raises(KazkgError, match="KAZKG_WORKERS"):
        settings.get("workers")


def test_the_readme_table_is_the_settings_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for s in settings.SETTINGS:
        option = f"`{s.flag}`" if s.option else ""
        assert f"| `{s.env}` | {option} | {s.default_text()} | {s.allowed()} | {s.help} |" in readme


def test_urls_and_iris_are_checked_and_kept():
    url, allow = settings.by_name("public_url"), settings.by_name("service_allow")
    assert url.parse("https://kazkg.example.org") == "https://kazkg.example.org/"
    assert allow.parse(" http://a.example/sparql  https://b.example/q ") == (
        "http://a.example/sparql", "https://b.example/q")
    assert allow.parse("") == ()
    for bad in ("a.example/sparql", "http://", "http://a.example/{x}", "mailto:x@a.example"):
        with pytest.raises(KazkgError, match="KAZKG_SERVICE_ALLOW"):
            allow.parse(bad)
