"""Input digests remembered by stat (kazkg.build.stamps): an unchanged file is not read again,
and any change to a file, even one that keeps its size and modification time, is found."""

from __future__ import annotations

import json
import os
import time

import pytest

import kazkg
from kazkg.build import inputs, stamps

STEADY = 0.05  # seconds, instead of stamps.STEADY_NS's two: the files here are made just now


@pytest.fixture
def counted(monkeypatch):
    """A short steadiness delay, and the names of the files hashed so far (each inputs' memo
    is its own, in the session's cache folder: inputs-<identity>.json)."""
    monkeypatch.setattr(stamps, "STEADY_NS", int(STEADY * 1e9))
    read = []
    real = stamps.sha256_file

    def sha256_file(path):
        read.append(os.path.basename(path))
        return real(path)

    monkeypatch.setattr(stamps, "sha256_file", sha256_file)
    return read


def _files(folder, count=3):
    paths = []
    for n in range(count):
        path = folder / f"f{n}.ttl"
        path.write_text(f"<urn:a{n}> <urn:b> <urn:c> .\n", encoding="utf-8")
        paths.append(path)
    time.sleep(2 * STEADY)  # older than the steadiness delay: their stat may be noted
    return paths


def test_an_unchanged_file_is_not_read_again(tmp_path, counted):
    found = inputs.from_files(_files(tmp_path))
    first = found.fingerprint()
    assert sorted(counted) == ["f0.ttl", "f1.ttl", "f2.ttl"]
    counted.clear()
    assert inputs.from_files(found.sources[i].path for i in range(3)).fingerprint() == first
    assert counted == []


def test_an_edit_that_keeps_the_size_and_the_time_is_found(tmp_path, counted):
    paths = _files(tmp_path)
    found = inputs.from_files(paths)
    first = found.fingerprint()
    before = paths[1].stat()
    paths[1].write_text("<urn:a9> <urn:b> <urn:c> .\n", encoding="utf-8")  # same size
    os.utime(paths[1], ns=(before.st_atime_ns, before.st_mtime_ns))  # and modification time
    assert paths[1].stat().st_size == before.st_size
    counted.clear()
    edited = found.fingerprint()
    assert counted == ["f1.ttl"] and edited != first
    assert edited == found.fingerprint(found.digest_list(remembered=False))


def test_a_file_changed_just_before_it_is_asked_for_is_read_each_time(tmp_path, counted,
                                                                     monkeypatch):
    found = inputs.from_files(_files(tmp_path))
    found.fingerprint()
    (tmp_path / "f0.ttl").write_text("<urn:a7> <urn:b> <urn:c> .\n", encoding="utf-8")
    monkeypatch.setattr(stamps, "STEADY_NS", 60_000_000_000)  # young however loaded the machine
    counted.clear()
    found.fingerprint()
    found.fingerprint()  # too young to be noted the first time: read again
    assert counted == ["f0.ttl", "f0.ttl"]


def test_a_touched_input_is_read_again_and_the_build_still_comes_from_the_cache(
        data_copy, counted):
    first = kazkg.build()  # the bundled data's build (the session's cache has it, or will)
    time.sleep(2 * STEADY)
    kazkg.build()  # notes every file's stat, now that they are steady
    sentence = next(s.path for s in first.inputs.data if "/text/" in s.file)
    os.utime(sentence)  # a new modification time, the same bytes
    time.sleep(2 * STEADY)
    counted.clear()
    again = kazkg.build()
    assert counted == [sentence.name]
    assert again.from_cache and again.fingerprint == first.fingerprint


def _forge(memo_path, file, digest):
    """Note `file`'s present stat with `digest` in the memo, as someone who edited it would."""
    found = json.loads(memo_path.read_text(encoding="utf-8"))
    status = os.stat(file)
    found["files"][str(file)] = (f"{status.st_size} {status.st_mtime_ns} {status.st_ctime_ns} "
                                 f"{status.st_ino} {digest}")
    memo_path.write_text(json.dumps(found), encoding="utf-8")


def test_a_forged_memo_cannot_make_an_edited_file_pass(tmp_path, counted):
    """A folder kept in the cache (Oxigraph's copy) is checked by its files' digests, noted by
    stat in a memo beside it: a memo that notes an edited file's new stat with its old digest
    had the edit pass the manifest's check; the memo's HMAC no longer matches, so it is
    ignored and the file read again."""
    folder = tmp_path / "copy"
    folder.mkdir()
    paths = _files(folder)
    first = stamps.digest(folder)
    memo_path = folder.with_name(folder.name + stamps.FOLDER_MEMO)
    old = json.loads(memo_path.read_text(encoding="utf-8"))["files"][str(paths[0])][-64:]
    paths[0].write_text("<urn:evil> <urn:b> <urn:c> .\n", encoding="utf-8")
    time.sleep(2 * STEADY)
    _forge(memo_path, paths[0], old)
    stamps._MEMBERS.clear()  # another process: nothing remembered in memory
    assert stamps.digest(folder) != first
    counted.clear()
    stamps._MEMBERS.clear()
    assert stamps.digest(folder) != first and counted == []  # its own memo is trusted again


def test_a_memo_copied_from_another_cache_folder_is_ignored(tmp_path, counted):
    paths = _files(tmp_path)
    memo = stamps.Memo(tmp_path / "memo.json")
    memo.digest(str(paths[0]))
    memo.save()
    other = tmp_path / "other"
    other.mkdir()
    (other / "memo.json").write_bytes((tmp_path / "memo.json").read_bytes())
    counted.clear()
    stamps.Memo(other / "memo.json").digest(str(paths[0]))
    assert counted == ["f0.ttl"]  # another folder, another key: read again
    counted.clear()
    stamps.Memo(tmp_path / "memo.json").digest(str(paths[0]))
    assert counted == []
