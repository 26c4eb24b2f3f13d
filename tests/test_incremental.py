"""An incremental build (kazkg.build.incremental) gives what a full build of the same files
gives: the same quads in every graph (blank nodes compared as graphs compare them), the same
inferred graph, the same counts, the same SHACL results in its Oxigraph copy and its state, and
the same error when the files are wrong. Each step below edits the data, builds from the
build before, and compares with a full build of the edited files in a cache of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode

from kazkg.build import cache, pipeline
from kazkg.build.inputs import bundled

from tests.builds import assert_as_full, full_build, outcome

TEXT = "graph/text/industry-1956-1985"


def edit(path, old: str | None, new: str = "") -> None:
    text = path.read_text(encoding="utf-8")
    if old is None:
        text += new
    else:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def fewer_mentions(data):
    """The data with the mentions of one sentence only (two fifths of the triples less, so each
    full build to compare with is quicker; the mentions' shapes still have data)."""
    for path in (data / "graph" / "mentions").rglob("*.ttl"):
        if path.name != "p1-s1.ttl":
            path.unlink()


def test_each_kind_of_change_gives_what_a_full_build_gives(data_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("KAZKG_CACHE_DIR", str(tmp_path / "cache"))
    fewer_mentions(data_copy)
    pipeline.build(bundled(), use_cache=False)
    sentence, other = data_copy / TEXT / "p1-s1.ttl", data_copy / TEXT / "p1-s2.ttl"
    copy = data_copy / TEXT / "p1-s2-copy.ttl"
    steps = [
        # an added triple no rule and no shape reads: the closure is kept as it is
        ("kept", 'kzr:finding-development-of-industry rdfs:comment "edited"@en .\n', None),
        # added triples the rules and the shapes read: the closure is extended
        ("extended", "kzr:finding-development-of-industry kazkg:about kzr:sector-coal .\n"
                     'kzr:industry-1956-1985-p1 rdfs:label "p1"@en .\n', None),
        # a removed triple no rule reads (and a label the shapes read): the closure is kept
        ("kept", lambda: (edit(sentence, 'rdfs:comment "edited"@en .\n', 'a kazkg:Finding .\n'),
                          edit(sentence, '"p1"@en', '"p one"@en')), None),
        # removed triples the rules read: the closure is computed again
        ("computed", "    kazkg:about kzr:sector-industry .", '    rdfs:comment "no sector"@en .'),
        # an added file whose triples another graph holds: the union is the same
        ("kept", lambda: copy.write_text(other.read_text(encoding="utf-8"), encoding="utf-8"), None),
        ("kept", lambda: (copy.unlink(), edit(sentence, None, 'kzr:y rdfs:comment "y"@en .\n')), None),
        ("computed", lambda: (data_copy / TEXT / "p1-s3.ttl").unlink(), None),
        # a violation: the same error as a full build's; the next edit builds from the build before
        (None, "kzr:nameless-plant a kazkg:Enterprise .\n", None),
        ("kept", "kzr:nameless-plant a kazkg:Enterprise .\n", 'kzr:x rdfs:comment "fixed"@en .\n'),
        # an edited ontology: built in full
        (None, lambda: edit(data_copy / "ontology" / "kazkg.ttl", None,
                            '\n<https://w3id.org/kazkg/ontology> rdfs:comment "edited"@en .\n'), None),
    ]
    for how, change, replacement in steps:
        if callable(change):
            change()
        elif replacement is None:
            edit(sentence, None, change)
        else:
            edit(sentence, change, replacement)
        made, error = outcome(lambda: pipeline.build(bundled()))
        full, full_error = outcome(full_build)
        assert error == full_error, change
        if full is not None:
            assert_as_full(made, full, how)
    assert error is None


@pytest.mark.slow
def test_serve_reload_takes_up_an_incremental_build(tmp_path, monkeypatch):
    """`kazkg build --watch` builds incrementally; `kazkg serve --reload` serves the result,
    from its Oxigraph copy and (for a dump) from the rdflib dataset read back from it."""
    import time

    from kazkg.build.inputs import from_files
    from kazkg.web import create_app

    monkeypatch.setenv("KAZKG_CACHE_DIR", str(tmp_path / "cache"))
    data, foaf = tmp_path / "people.ttl", "@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n"
    data.write_text(foaf + '<http://example.org/a> foaf:name "Aigerim" .\n', encoding="utf-8")
    app = create_app(pipeline.build(from_files([data])),
                     {"QUERY_TIMEOUT": 5.0, "WORKERS": 2, "RELOAD": True})
    service = app.extensions["kazkg"]
    try:
        data.write_text(foaf + '<http://example.org/a> foaf:name "Aigerim", "Ayka" .\n',
                        encoding="utf-8")
        newer = pipeline.build(from_files([data]))
        assert cache.summary(newer.fingerprint)["incremental"]["closure"] == "kept"
        deadline = time.monotonic() + 60
        while service.build_key != newer.fingerprint:
            assert time.monotonic() < deadline, "the new build was not taken up"
            time.sleep(0.05)
        client = app.test_client()
        answer = client.get("/sparql", query_string={"query": "SELECT ?n { ?s ?p ?n }"},
                            headers={"Accept": "text/tab-separated-values"})
        assert answer.status_code == 200 and '"Ayka"' in answer.get_data(as_text=True)
        dump = client.get("/store?default", headers={"Accept": "application/n-triples"})
        assert dump.status_code == 200 and b"Ayka" in dump.data
    finally:
        service.close()


def test_the_files_an_incremental_copy_links_are_not_read_again(data_copy, tmp_path, monkeypatch):
    """An incremental build's Oxigraph copy links most of its files from the copy before
    (kazkg.build.stamps.linked): their digests are carried over, so only the files the change
    wrote are read; the next process reads none (the copy's files are noted at once, as its
    writer has closed it), and still finds one edited since."""
    from kazkg.build import mirror, stamps

    monkeypatch.setenv("KAZKG_CACHE_DIR", str(tmp_path / "cache"))
    fewer_mentions(data_copy)
    pipeline.build(bundled(), use_cache=False)
    edit(data_copy / TEXT / "p1-s1.ttl", None, 'kzr:finding-development-of-industry rdfs:comment "edited"@en .\n')
    read, real = [], stamps.sha256_file
    monkeypatch.setattr(stamps, "sha256_file", lambda path: read.append(path) or real(path))
    monkeypatch.setattr(stamps, "_MEMBERS", {})  # as a new process
    made = pipeline.build(bundled())
    assert cache.summary(made.fingerprint)["incremental"]["closure"] == "kept"
    folder = cache.beside(made.fingerprint, mirror.STORE)
    linked = {p for p in folder.iterdir() if p.stat().st_nlink > 1}
    assert len(linked) >= 5 and not linked & {Path(p) for p in read}
    monkeypatch.setattr(stamps, "_MEMBERS", {})
    read.clear()
    assert cache.check(folder) == folder and read == []
    table = sorted(p for p in linked if p.suffix == ".sst")[0]
    with table.open("ab") as handle:
        handle.write(b"\0")
    monkeypatch.setattr(stamps, "_MEMBERS", {})
    with pytest.raises(cache.Damaged):
        cache.check(folder)


def _decoded(kept) -> dict:
    """A state's contents in rdflib terms, without blank nodes (a parse names them afresh)."""
    from kazkg.build.state import key

    term = kept.terms.term

    def triples(coded):
        found = {tuple(term(c) for c in t) for t in coded}
        return {t for t in found if not any(isinstance(n, BNode) for n in t)}
    union = {(k >> 64, (k >> 32) & 0xFFFFFFFF, k & 0xFFFFFFFF) for k in kept.union}
    assert {key(t) for t in union} == kept.union
    return {"files": kept.files, "graphs": {g: triples(kept.graph(g)) for g in kept.graphs},
            "union": triples(union), "published": triples(kept.published),
            "shared": len(kept.shared), "results": len(kept.results)}


def test_a_state_kept_as_its_change_reads_back_as_a_full_builds(data_copy, tmp_path, monkeypatch):
    """An incremental build keeps its state as what changed since a state kept whole
    (kazkg.build.statefile): read back, it holds what a full build's state of the same files
    holds; once much of it changed, it is kept whole again."""
    from kazkg.build import statefile

    monkeypatch.setenv("KAZKG_CACHE_DIR", str(tmp_path / "cache"))
    fewer_mentions(data_copy)
    pipeline.build(bundled(), use_cache=False)
    sentence = data_copy / TEXT / "p1-s1.ttl"
    for n, (whole_again, change) in enumerate([
            (8, 'kzr:finding-development-of-industry rdfs:comment "edited"@en .\n'),
            (8, "kzr:finding-development-of-industry kazkg:about kzr:sector-coal .\n"),
            (10**9, 'kzr:y rdfs:comment "y"@en .\n')]):
        monkeypatch.setattr(statefile, "WHOLE_AGAIN", whole_again)
        edit(sentence, None, change)
        made = pipeline.build(bundled())
        assert cache.summary(made.fingerprint).get("incremental")
        assert cache.beside(made.fingerprint, statefile.BASE).exists() == (whole_again == 8)
        ours = statefile.load(made.fingerprint)
        monkeypatch.setenv("KAZKG_CACHE_DIR", str(tmp_path / f"full-{n}"))
        full = statefile.load(pipeline.build(bundled(), use_cache=False).fingerprint)
        monkeypatch.setenv("KAZKG_CACHE_DIR", str(tmp_path / "cache"))
        assert _decoded(ours) == _decoded(full)
