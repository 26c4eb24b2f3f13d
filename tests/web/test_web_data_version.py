"""Editing the data is a first-class path, and the dataset version comes from the data alone."""

from __future__ import annotations

import shutil

import pytest

from kazkg.build import inputs
from tests.support import ROOT, kazkg_cli

NOTE = '''@prefix kazkg: <https://w3id.org/kazkg/ontology#> .
@prefix kzr:   <https://w3id.org/kazkg/resource/> .
@prefix rdfs:  <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov:  <http://www.w3.org/ns/prov#> .

<https://w3id.org/kazkg/graph/facts/my-note>
    a kazkg:Assertion ;
    rdfs:label "My note on Shymkent"@en ;
    prov:wasDerivedFrom <https://example.org/my-source> .

kzr:shymkent rdfs:comment "A note added while following the README."@en .
'''
QUERY = "SELECT ?note ?g WHERE { GRAPH ?g { kzr:shymkent rdfs:comment ?note } }"


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A copy of the repository's data, as a clone would have it (no KAZKG_DATA_DIR)."""
    monkeypatch.delenv("KAZKG_DATA_DIR", raising=False)
    for name in ("ontology", "graph", "queries"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_version_does_not_change_with_the_code(monkeypatch):
    before = inputs.bundled(ROOT)
    version, key = before.data_version(), before.fingerprint()
    monkeypatch.setattr(inputs, "_version", lambda name: "99.0")  # every library upgraded
    assert before.data_version() == version and before.fingerprint() != key
    assert len(version) == 12


def test_kazkg_in_a_checkout_uses_its_data(checkout):
    done = kazkg_cli("build", cwd=checkout)
    assert done.returncode == 0, done.stderr
    assert f"data from {checkout} (the kazkg checkout in the working folder" in done.stdout
    first = done.stdout.split()[2]
    (checkout / "graph" / "facts" / "my-note.ttl").write_text(NOTE, encoding="utf-8")
    assert kazkg_cli("validate", cwd=checkout).returncode == 0
    done = kazkg_cli("build", cwd=checkout)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[2] != first  # new data, new version
    found = kazkg_cli("query", QUERY, cwd=checkout)
    assert found.returncode == 0, found.stderr
    assert found.stdout.splitlines()[1] == ('"A note added while following the README."@en\t'
                                            '<https://w3id.org/kazkg/graph/facts/my-note>')
    elsewhere = kazkg_cli("query", QUERY, cwd=checkout.parent)  # outside it: the installed data
    assert elsewhere.stdout.splitlines()[1:] == []


def test_kazkg_data_dir_wins(checkout, tmp_path_factory):
    other = tmp_path_factory.mktemp("elsewhere")
    done = kazkg_cli("build", cwd=other, env={"KAZKG_DATA_DIR": str(checkout)})
    assert f"data from {checkout} (KAZKG_DATA_DIR" in done.stdout


def test_the_version_is_everywhere(client, app):
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, OWL

    version = app.extensions["kazkg"].data_version
    assert client.get("/health").get_json()["version"] == version
    void = Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"})
                         .get_data(as_text=True), format="turtle")
    dataset = URIRef("https://w3id.org/kazkg/dataset")
    assert (dataset, OWL.versionInfo, Literal(version)) in void
    assert (dataset, DCTERMS.hasVersion, Literal(version)) in void
    for name in ("kazkg.ttl", "kazkg.nt", "kazkg.nq", "kazkg.trig"):
        first = client.get(f"/download/{name}").get_data(as_text=True).splitlines()[0]
        assert first == f"# kazkg dataset version {version} (https://w3id.org/kazkg/)"
    assert f"<!-- kazkg dataset version {version}" in client.get("/download/kazkg.rdf").get_data(as_text=True)


def test_dcat_describes_every_dump_as_it_is_served(client):
    import hashlib

    from rdflib import Graph, Namespace, URIRef
    from rdflib.namespace import DCTERMS, RDF

    dcat, spdx = Namespace("http://www.w3.org/ns/dcat#"), Namespace("http://spdx.org/rdf/terms#")
    void = Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"})
                         .get_data(as_text=True), format="turtle")
    dataset = URIRef("https://w3id.org/kazkg/dataset")
    assert (dataset, RDF.type, dcat.Dataset) in void
    dists = list(void.objects(dataset, dcat.distribution))
    assert len(dists) == 6
    for dist in dists:
        url = str(void.value(dist, dcat.downloadURL))
        body = client.get(url[url.index("/download/"):]).data
        assert int(void.value(dist, dcat.byteSize)) == len(body)
        checksum = void.value(dist, spdx.checksum)
        assert void.value(checksum, spdx.algorithm) == spdx.checksumAlgorithm_sha256
        assert str(void.value(checksum, spdx.checksumValue)) == hashlib.sha256(body).hexdigest()
        assert str(void.value(dist, dcat.mediaType)).startswith("https://www.iana.org/assignments/media-types/")
    services = list(void.subjects(RDF.type, dcat.DataService))
    assert len(services) == 1 and (services[0], dcat.servesDataset, dataset) in void
    assert str(void.value(services[0], dcat.endpointURL)).endswith("/sparql")


def test_the_home_page_carries_schema_org_markup(client):
    import json
    import re

    body = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    markup = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1))
    assert markup["@type"] == "Dataset" and markup["@context"] == "https://schema.org/"
    assert len(markup["distribution"]) == 6 and 'href="/.well-known/void?format=turtle"' in body


def test_kazkgs_own_dataset_and_endpoint_are_titled_in_three_languages(app, monkeypatch):
    from rdflib import Graph, Namespace
    from rdflib.namespace import DCTERMS, RDF

    from kazkg.web.describe import DATASET_IRI

    monkeypatch.setattr(app.extensions["kazkg"], "own_data", True)  # as for the bundled data
    void = Graph().parse(data=app.test_client().get(
        "/.well-known/void", headers={"Accept": "text/turtle"}).get_data(as_text=True), format="turtle")
    endpoint = next(void.subjects(RDF.type, Namespace("http://www.w3.org/ns/dcat#").DataService))
    for subject in (DATASET_IRI, endpoint):
        titles = {t.language: str(t) for t in void.objects(subject, DCTERMS.title)}
        assert set(titles) == {"kk", "ru", "en"} and len(set(titles.values())) == 3
