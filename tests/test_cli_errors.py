"""What a user can get wrong stops the command with a message naming it, the right exit code
and no traceback: settings out of range, paths, a missing token, a full disk. In-process
(tests.support.kazkg_cli); tests/test_cli_end_to_end.py checks the same in real processes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kazkg import settings
from tests.support import kazkg_cli

HEALTH = ("serve", "--get", "/health")


def assert_clear(done, code: int, *words: str) -> None:
    assert done.returncode == code, (done.returncode, done.stderr)
    for bad in ("Traceback", "internal error", "please report"):
        assert bad not in done.stderr
    for word in words:
        assert word in done.stderr, (word, done.stderr)


@pytest.mark.parametrize("env, value, allowed", [
    ("KAZKG_QUERY_TIMEOUT", "-5", "> 0"),
    ("KAZKG_QUERY_TIMEOUT", "nan", "> 0"),
    ("KAZKG_DUMP_TIMEOUT", "inf", "> 0"),
    ("KAZKG_RESULT_LIMIT", "-1", ">= 0"),
    ("KAZKG_QUERY_ENGINE", "foo", "oxigraph, rdflib"),
    ("KAZKG_ENABLE_UPDATE", "maybe", "true"),
    ("KAZKG_WORKER_MEMORY_MB", "-1", ">= 0"),
    ("KAZKG_THREADS", "1.5", "whole number"),
    ("KAZKG_WORKERS", "0", ">= 1"),
    ("KAZKG_PORT", "70000", "<= 65535"),
    ("KAZKG_HOST", "", "host name or IP address"),
    ("KAZKG_HOST", "localhost/x", "host name or IP address"),
    ("KAZKG_PUBLIC_URL", "kazkg.example.org", "http:// or https:// URL"),
    ("KAZKG_PUBLIC_URL", "ftp://kazkg.example.org/", "http:// or https:// URL"),
    ("KAZKG_SERVICE_ALLOW", "https://a.example/sparql not-an-iri", "http:// or https:// IRIs"),
    ("KAZKG_SERVICE_ALLOW", "https://a.example/<x>", "http:// or https:// IRIs"),
])
def test_a_bad_setting_stops_the_command(env, value, allowed):
    done = kazkg_cli(*HEALTH, env={env: value})
    assert_clear(done, 2, env, repr(value), allowed)


def test_a_bad_setting_stops_every_command():
    done = kazkg_cli("stats", "--json", env={"KAZKG_THREADS": "1.5"})  # not a server setting's command
    assert_clear(done, 2, "KAZKG_THREADS", "'1.5'")


@pytest.mark.parametrize("option, value", [("--query-timeout", "-5"), ("--threads", "1.5"),
                                           ("--result-limit", "-1"), ("--query-engine", "foo"),
                                           ("--public-url", "example.org"), ("--host", "")])
def test_a_bad_option_is_a_usage_error(option, value):
    done = kazkg_cli("serve", option, value, "--get", "/health")
    assert_clear(done, 2, option, repr(value), "must be")


def test_an_option_overrides_its_setting():
    done = kazkg_cli("serve", "--result-limit", "7", "--get", "/health", env={"KAZKG_RESULT_LIMIT": "-1"})
    assert done.returncode == 2  # the environment is checked too: a bad value is never ignored
    done = kazkg_cli("serve", "--result-limit", "7", "--get",
                     "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D", env={"KAZKG_RESULT_LIMIT": "9"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.count('"s":') == 7


def test_every_setting_says_what_it_allows():
    done = kazkg_cli("settings")
    assert done.returncode == 0
    for setting in settings.SETTINGS:
        assert f"{setting.env}  (default: {setting.default_text()}; {setting.allowed()}" in done.stdout


def test_updates_without_a_token(monkeypatch):
    for args, env in ((("serve", "--enable-update", "--get", "/health"), {}),
                      (HEALTH, {"KAZKG_ENABLE_UPDATE": "1"})):
        done = kazkg_cli(*args, env={**env, "KAZKG_UPDATE_TOKEN": ""})
        assert_clear(done, 2, "KAZKG_UPDATE_TOKEN")


def test_a_cache_folder_that_is_a_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    done = kazkg_cli("build", env={"KAZKG_CACHE_DIR": str(blocker)})
    assert_clear(done, 2, "KAZKG_CACHE_DIR", str(blocker), "is a file")
    done = kazkg_cli("build", env={"KAZKG_CACHE_DIR": str(blocker / "below")})
    assert_clear(done, 0, "KAZKG_CACHE_DIR", "writable folder")  # built all the same, and said so


def test_a_data_folder_without_data(tmp_path):
    done = kazkg_cli("build", env={"KAZKG_DATA_DIR": str(tmp_path)})
    assert_clear(done, 2, "KAZKG_DATA_DIR", "ontology/ and graph/")


def test_an_output_path_the_system_refuses(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for target in (blocker / "out.ttl", tmp_path / "typo" / "out.ttl"):
        done = kazkg_cli("export", "-o", str(target))
        assert_clear(done, 1, "cannot write", str(target), "does not exist")
        assert not target.parent.exists() or target.parent.is_file()  # never made
    if Path("/sys/kernel").is_dir():  # read-only even for root, unlike a chmod-ed folder
        done = kazkg_cli("export", "-o", "/sys/kazkg-test.ttl")
        assert_clear(done, 1, "cannot write /sys/kazkg-test.ttl")


def test_an_output_path_is_refused_before_the_export_is_made(tmp_path, monkeypatch):
    """At 100x an export takes minutes: a mistyped -o is said before any of it."""
    from kazkg import api

    monkeypatch.setattr(api, "load", lambda **_: pytest.fail("the data was loaded first"))
    (tmp_path / "file").write_text("x")
    for target in (tmp_path / "typo" / "out.ttl", tmp_path / "file" / "out.ttl"):
        assert_clear(kazkg_cli("export", "-o", str(target)), 1, f"cannot write {target}")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("args", [("export",), ("export", "--format", "nt"),
                                  ("query", "SELECT * WHERE { ?s ?p ?o } LIMIT 5"), ("stats",),
                                  ("settings",)])
def test_a_full_disk_on_standard_output(args):
    with open("/dev/full", "wb", buffering=0) as full:
        done = kazkg_cli(*args, stdout=full)
    assert_clear(done, 1, "cannot write to standard output", "No space left on device")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_disk_on_output_file_keeps_the_device():
    done = kazkg_cli("export", "-o", "/dev/full")
    assert_clear(done, 1, "cannot write /dev/full", "No space left on device")
    assert stat.S_ISCHR(Path("/dev/full").stat().st_mode)  # written to, never replaced


def test_an_address_in_use_is_named():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = kazkg_cli("serve", "--port", str(port))
    assert_clear(done, 1, f"error: cannot listen on 127.0.0.1:{port}", "--port", "in use")


def test_an_export_file_gets_the_mode_a_plain_write_would_give(tmp_path):
    import os

    kept = tmp_path / "kept.ttl"
    kept.write_text("old")
    kept.chmod(0o644)
    assert kazkg_cli("export", "-o", str(kept)).returncode == 0
    assert stat.S_IMODE(kept.stat().st_mode) == 0o644  # as it was (mkstemp alone gives 0600)
    old = os.umask(0o027)
    try:
        fresh = tmp_path / "fresh.ttl"
        assert kazkg_cli("export", "-o", str(fresh)).returncode == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o640


def test_dash_is_standard_output(tmp_path):
    done = kazkg_cli("export", "--format", "nt", "-o", "-", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("# kazkg dataset version")
    assert not (tmp_path / "-").exists()


def test_a_folder_is_not_a_query(tmp_path):
    done = kazkg_cli("query", str(tmp_path))
    assert_clear(done, 2, str(tmp_path), "a folder, not a query")


def test_a_store_in_a_missing_folder(tmp_path):
    done = kazkg_cli("serve", "--store", f"oxigraph:{tmp_path}/typo/store", "--get", "/health")
    assert_clear(done, 2, "--store", "does not exist")
    assert not (tmp_path / "typo").exists()


def test_an_update_store_that_is_a_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = kazkg_cli(*HEALTH, env={"KAZKG_ENABLE_UPDATE": "1", "KAZKG_UPDATE_TOKEN": "t",
                                   "KAZKG_UPDATE_STORE": str(blocker)})
    assert_clear(done, 2, "KAZKG_UPDATE_STORE", "not a folder that can be written")


def test_bench_without_its_servers_starts_nothing(monkeypatch):
    from kazkg.errors import ToolError
    from kazkg.tools.bench import servers

    def missing(name):
        raise ToolError(f"{name} is not installed: pip install 'kazkg[bench]'")

    started = []
    monkeypatch.setattr(servers, "tool", missing)
    monkeypatch.setattr(servers, "kazkg", lambda *a, **k: started.append("kazkg"))
    done = kazkg_cli("bench", "--requests", "10")
    assert_clear(done, 1, "is not installed", "kazkg[bench]")
    assert started == []
