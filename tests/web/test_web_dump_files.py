"""The dumps are made once per data version and kept on disk with their digest (issue 12): on
main, after a write, every /download/kazkg.nq serialised the whole store again (56 s at a
117 MB store, each holding a worker) and the body was held whole in the HTTP process."""

from __future__ import annotations

import gzip
from contextlib import contextmanager
from pathlib import Path

from kazkg.build import cache
from kazkg.web import dumps
from tests.web.test_web_write_abuse import UPDATE, writable_client


def _counting(made: list):
    real = dumps.spare

    @contextmanager
    def spare(pool):
        made.append(1)
        with real(pool) as worker:
            yield worker

    return spare


def _forget(svc) -> None:
    for old in dumps.path_of(svc, "nquads").parent.glob(f"*.{dumps.NAME}.*"):
        old.unlink()
    dumps._CHECKED.clear()


def test_a_dump_is_made_once_per_version_and_again_after_a_write(private_cache, tmp_path,
                                                                  monkeypatch):
    with writable_client(tmp_path / "store", "w-t0k", WORKERS=1) as client:
        svc = client.application.extensions["kazkg"]
        _forget(svc)
        made: list = []
        monkeypatch.setattr(dumps, "spare", _counting(made))
        first = client.get("/download/kazkg.nq")
        again = client.get("/download/kazkg.nq")
        assert first.status_code == again.status_code == 200
        assert first.get_data() == again.get_data() and len(made) == 1
        packed = client.get("/download/kazkg.nq", headers={"Accept-Encoding": "gzip"})
        assert packed.headers["Content-Encoding"] == "gzip" and len(made) == 1  # made with it
        assert gzip.decompress(packed.get_data()) == first.get_data()
        kept = dumps.path_of(svc, "nquads")
        assert kept.read_bytes() == first.get_data()  # on disk, its digest in the manifest
        assert cache.check(kept) == kept
        reply = client.post("/sparql", data="INSERT DATA { <urn:r1> <urn:p> 2 }", headers=UPDATE)
        assert reply.status_code == 204
        after = [client.get("/download/kazkg.nq") for _ in range(3)]
        assert all(r.status_code == 200 for r in after) and len(made) == 2
        assert b"<urn:r1> <urn:p> " in after[0].get_data()
        assert after[0].headers["X-Dataset-Version"].endswith("-w1")
        assert after[0].get_data().startswith(
            f"# kazkg dataset version {after[0].headers['X-Dataset-Version']} ".encode())
        assert not kept.exists()  # the version before's file is gone


def test_a_damaged_kept_dump_is_never_served(app):
    svc = app.extensions["kazkg"]
    _forget(svc)
    client = app.test_client()
    good = client.get("/download/kazkg.nt").get_data()
    assert b"alice" in good
    kept = dumps.path_of(svc, "nt")
    kept.write_bytes(good.replace(b"alice", b"mallo", 1))
    dumps._CHECKED.clear()  # a new process: it checks the file against the manifest
    assert client.get("/download/kazkg.nt").get_data() == good


def test_a_dump_takes_its_name_only_once_the_manifest_knows_it(private_cache, tmp_path,
                                                                monkeypatch):
    """Another HTTP process that finds the file must find its digest too: it removed a dump
    the manifest did not know yet as damaged, and the maker's stat of it failed (a traceback
    in the abuse suite's log). Each rename happens after its digest is noted."""
    renames: list = []
    real_replace = dumps.os.replace

    def replace(staged, kept):  # os.replace of every caller: the manifest's own too
        if dumps.NAME in Path(kept).name:
            renames.append(cache.manifest(cache._key_of(kept))["files"].get(Path(kept).name))
        real_replace(staged, kept)

    with writable_client(tmp_path / "store", "w-t0k", WORKERS=1) as client:
        svc = client.application.extensions["kazkg"]
        _forget(svc)
        monkeypatch.setattr(dumps.os, "replace", replace)
        assert client.get("/download/kazkg.nt").status_code == 200
        kept = dumps.path_of(svc, "nt")
        assert len(renames) == 2 and all(renames)  # the dump and its gzip, each known
        assert not list(kept.parent.glob(f"*{kept.name}*.partial"))  # nothing staged left
