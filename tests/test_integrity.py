"""The cache is read only after its digests are checked: a damaged file is made again, never
served; and what a killed build or export left behind is removed by the next run."""

from __future__ import annotations

import fcntl
import os
import time

import pytest
from click.testing import CliRunner

from kazkg.build import cache, mirror
from kazkg.formats.files import write_atomic
from kazkg.query import oxengine


def _age(path, seconds=120):
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.fixture
def entry(tmp_path, monkeypatch):
    """The cache entry of a small build, in a cache folder of its own, with its Oxigraph copy."""
    from tests.web.support import fixture_build

    monkeypatch.setenv("KAZKG_CACHE_DIR", str(tmp_path / "cache"))
    built = fixture_build()
    oxengine.Mirror.cached(built.dataset, built.fingerprint)
    return built


def test_a_damaged_pickle_is_rebuilt_not_loaded(entry):
    entry = entry.fingerprint
    pickle_path = cache.beside(entry, "pickle")
    payload = bytearray(pickle_path.read_bytes())
    payload[len(payload) // 2] ^= 1  # one bit, same size: the summary still looks whole
    pickle_path.write_bytes(bytes(payload))
    assert cache.summary(entry) is not None
    assert cache.load(entry) is None  # the caller builds again
    assert not pickle_path.exists()


def _cut(folder) -> None:
    largest = max(folder.glob("*.sst"), key=lambda member: member.stat().st_size)
    largest.write_bytes(largest.read_bytes()[: largest.stat().st_size // 2])


def _edit(folder) -> None:
    for member in sorted(folder.glob("*.sst")):
        data = member.read_bytes()
        if b"Carol" in data:
            member.write_bytes(data.replace(b"Carol", b"Karol", 1))
            return
    raise AssertionError("no stored literal to edit")


@pytest.mark.parametrize("damage", ["cut", "edit"])
def test_a_damaged_oxigraph_copy_is_never_served(entry, damage):
    built, entry = entry, entry.fingerprint
    folder = cache.beside(entry, mirror.STORE)
    first = set(oxengine.Mirror.from_cache(entry).store)
    if damage == "cut":
        _cut(folder)
    else:
        _edit(folder)
    assert oxengine.Mirror.from_cache(entry) is None and not folder.exists()
    again = oxengine.Mirror.cached(built.dataset, entry)  # made again, whole, with its digest
    assert set(again.store) == first
    assert set(oxengine.Mirror.from_cache(entry).store) == first


def test_a_copy_whose_files_were_noted_is_still_checked(entry, monkeypatch):
    """Once a process has noted the copy's files by their stat (kazkg.build.stamps), the next
    one reads none of them again, yet still finds one edited since."""
    from kazkg.build import stamps

    monkeypatch.setattr(stamps, "STEADY_NS", 50_000_000)
    folder = cache.beside(entry.fingerprint, mirror.STORE)
    time.sleep(0.1)
    first = set(oxengine.Mirror.from_cache(entry.fingerprint).store)  # notes them
    monkeypatch.setattr(stamps, "_MEMBERS", {})  # as a new process
    read, real = [], stamps.sha256_file
    monkeypatch.setattr(stamps, "sha256_file", lambda path: read.append(path) or real(path))
    assert set(oxengine.Mirror.from_cache(entry.fingerprint).store) == first
    assert read == []
    _edit(folder)
    monkeypatch.setattr(stamps, "_MEMBERS", {})
    assert oxengine.Mirror.from_cache(entry.fingerprint) is None and not folder.exists()


def test_a_file_not_in_the_manifest_is_not_read(entry):
    entry = entry.fingerprint
    stranger = cache.beside(entry, "metadata-2.json")
    stranger.write_bytes(b'{"triples": 1}')  # appeared from nowhere: not trusted
    with pytest.raises(cache.Damaged):
        cache.read_bytes(stranger)
    assert not stranger.exists()
    cache.keep(stranger, b'{"triples": 1}')
    assert cache.read_bytes(stranger) == b'{"triples": 1}'


def test_the_leftovers_of_a_killed_build_go_but_a_live_write_stays(entry):
    entry = entry.fingerprint
    folder = cache.beside(entry, "pickle").parent
    dead = folder / f".{entry}.pickle.12345.partial"
    dead.write_bytes(b"half a pickle")
    dead_copy = folder / f".{entry}.{mirror.STORE}.abc.partial"
    dead_copy.mkdir()
    (dead_copy / "000010.sst").write_bytes(b"half a store")
    for path in (dead_copy / "000010.sst", dead_copy, dead):
        _age(path)
    live = folder / f".{entry}.json.67890.partial"
    with open(live, "wb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # as write_atomic holds what it writes
        _age(live)
        assert cache.summary(entry) is not None
        assert not dead.exists() and not dead_copy.exists() and live.exists()
    live.unlink()


def test_an_export_cleans_what_a_killed_export_left(tmp_path, built):
    from kazkg.cli import cli

    target = tmp_path / "all.nq"
    leftover = tmp_path / ".all.nq.abc123.partial"
    leftover.write_bytes(b"<a> <b> <c> .\n")
    _age(leftover)
    result = CliRunner().invoke(cli, ["export", "--format", "nquads", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 1000 and not leftover.exists()
    assert not list(tmp_path.glob(".*.partial"))


def test_a_young_temporary_file_is_left_to_its_writer(tmp_path):
    young = tmp_path / ".x.nq.abc.partial"
    young.write_bytes(b"being written")  # not locked yet, perhaps: too young to judge
    write_atomic(tmp_path / "x.nq", b"whole")
    assert young.exists()
