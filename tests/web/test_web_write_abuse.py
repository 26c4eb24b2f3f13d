"""Writes under abuse, in-process (`--enable-update` with a token): an RDF/XML entity bomb is
refused before any parser expands it, a graph IRI that is not one is a 400 before anything is
written, an update's ill-formed template triples are left out (the rest is written), VoID after
writes answers at once, and every page shows the version served. (Issue 12.)"""

from __future__ import annotations

import threading
import time

import pytest

from kazkg.formats import entities
from tests.web.support import writable_client

TOKEN = {"Authorization": "Bearer w-t0k"}
UPDATE = {**TOKEN, "Content-Type": "application/sparql-update"}
XML = {**TOKEN, "Content-Type": "application/rdf+xml"}
NT = {**TOKEN, "Content-Type": "application/n-triples"}
JSON = {"Accept": "application/sparql-results+json"}
LIMIT = 200_000  # the writer's body limit
RDF = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
       'xmlns:ex="http://example.org/">{}</rdf:RDF>')


@pytest.fixture(scope="module")
def writer(private_cache, tmp_path_factory):
    with writable_client(tmp_path_factory.mktemp("writes"), "w-t0k", WORKERS=1,
                         BODY_LIMIT=LIMIT) as client:
        yield client


def ask(client, text: str) -> bool:
    reply = client.get("/sparql", query_string={"query": text}, headers=JSON)
    assert reply.status_code == 200, reply.data[:300]
    return reply.get_json()["boolean"]


def document(declarations: str, value: str, about: str = "http://example.org/s") -> str:
    return (f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [{declarations}]>' + RDF.format(
        f'<rdf:Description rdf:about="{about}"><ex:p>{value}</ex:p></rdf:Description>'))


def laughs(levels: int) -> str:
    """The 'billion laughs' body: entity a<i> is ten of a<i-1>; a0 is ten x."""
    declared = '<!ENTITY a0 "xxxxxxxxxx">' + "".join(
        '<!ENTITY a%d "%s">' % (i, ("&a%d;" % (i - 1)) * 10) for i in range(1, levels + 1))
    return document(declared, f"&a{levels};")


def test_the_billion_laughs_are_refused_before_any_parser(writer):
    import pyoxigraph as ox

    body = laughs(3)
    parsed = list(ox.parse(input=body.encode(), format=ox.RdfFormat.RDF_XML))
    assert len(parsed[0].object.value) == 10_000 > 20 * len(body)  # what the parser would make
    for method in ("post", "put"):
        reply = getattr(writer, method)("/store?graph=urn:x:lol", data=body, headers=XML)
        assert reply.status_code == 400, reply.data[:300]
        message = reply.get_json()["error"]["message"]
        assert "'a1'" in message and "refer" in message and "billion laughs" in message
    assert not ask(writer, "ASK { GRAPH <urn:x:lol> { ?s ?p ?o } }")


def test_a_flat_entity_expanded_past_the_body_limit_is_413(writer):
    body = document(f'<!ENTITY big "{"y" * 1000}">', "&big;" * (LIMIT // 1000 + 1))
    assert len(body) < LIMIT // 20
    reply = writer.post("/store?graph=urn:x:big", data=body, headers=XML)
    assert reply.status_code == 413, reply.data[:300]
    assert f"{LIMIT:,} bytes" in reply.get_json()["error"]["message"]
    assert not ask(writer, "ASK { GRAPH <urn:x:big> { ?s ?p ?o } }")
    small = document(f'<!ENTITY big "{"y" * 1000}">', "&big;" * 10)  # 10 KB once expanded: fine
    assert writer.post("/store?graph=urn:x:big", data=small, headers=XML).status_code in (201, 204)
    assert ask(writer, f'ASK {{ GRAPH <urn:x:big> {{ ?s ?p "{"y" * 10_000}" }} }}')


def _declared_twice() -> str:
    """A short first declaration, then a 100 KB one of the same name, referred to 100 times
    (pyoxigraph expands the last: a 10,000,000-character literal)."""
    return document(f'<!ENTITY a "x"><!ENTITY a "{"y" * 100_000}">', "&a;" * 100)


def test_an_entity_declared_twice_is_refused(writer, tmp_path):
    from kazkg.build.store import parse
    from kazkg.errors import InputError

    body = _declared_twice()
    assert len(body) < LIMIT
    reply = writer.post("/store?graph=urn:x:twice", data=body, headers=XML)
    assert reply.status_code == 400, reply.data[:300]
    assert "'a' twice" in reply.get_json()["error"]["message"]
    assert not ask(writer, "ASK { GRAPH <urn:x:twice> { ?s ?p ?o } }")
    path = tmp_path / "twice.rdf"
    path.write_text(body)
    with pytest.raises(InputError, match="'a' twice"):  # the build's file check too
        parse(path)


def test_the_namespace_entity_idiom_still_works(writer):
    body = document('<!ENTITY ex "http://example.org/">', "plain &amp; &#65;", about="&ex;idiom")
    reply = writer.put("/store?graph=urn:x:idiom", data=body, headers=XML)
    assert reply.status_code in (201, 204), reply.data[:300]
    assert ask(writer, 'ASK { GRAPH <urn:x:idiom> { <http://example.org/idiom> ?p "plain & A" } }')


@pytest.mark.parametrize("declaration", [
    '<!ENTITY ext SYSTEM "file:///etc/passwd">', '<!ENTITY % p "x">',
    '<!ENTITY a "&lt;">\n<!ENTITY b "%p;">'])
def test_external_and_parameter_entities_are_refused(writer, declaration):
    reply = writer.post("/store?graph=urn:x:ext", data=document(declaration, "v"), headers=XML)
    assert reply.status_code == 400, reply.data[:300]
    assert "entit" in reply.get_json()["error"]["message"]


def test_the_check_reads_utf16_too():
    with pytest.raises(entities.EntityRefused):
        entities.check(laughs(2).encode("utf-16"), LIMIT)
    entities.check(document('<!ENTITY ex "http://example.org/">', "v").encode("utf-16"), LIMIT)


def test_an_rdfxml_file_with_an_entity_bomb_is_an_input_error(tmp_path):
    from kazkg.build.store import parse
    from kazkg.errors import InputError

    path = tmp_path / "lol.rdf"
    path.write_text(laughs(3))
    with pytest.raises(InputError, match="refer"):
        parse(path)


@pytest.mark.parametrize("graph", ["not%20an%20iri", "relative", "%00", "http://a/%3E"])
@pytest.mark.parametrize("method", ["put", "post", "delete"])
def test_a_graph_that_is_not_an_iri_is_400_before_any_write(writer, graph, method):
    writes = writer.get("/health").get_json()["writes"]
    reply = getattr(writer, method)(f"/store?graph={graph}", data="<urn:s> <urn:p> <urn:o> .\n",
                                    headers=NT)
    assert reply.status_code == 400, reply.data[:300]
    assert "is not an absolute IRI" in reply.get_json()["error"]["message"]
    assert writer.get("/health").get_json()["writes"] == writes


@pytest.mark.parametrize("where, bad", [
    ('BIND(IRI("not an iri") AS ?x)', "GRAPH ?x { <urn:s> <urn:p> <urn:o> }"),
    ('BIND("a literal" AS ?x)', "?x <urn:p> <urn:o>"),
    ('BIND(STRLANG("x", "bad tag!") AS ?x)', "<urn:s> <urn:p> ?x"),
    ('BIND(IRI("relative iri") AS ?x)', "<urn:s> ?x <urn:o>")])
def test_ill_formed_template_triples_are_skipped_and_the_rest_written(writer, where, bad):
    good = f"<urn:kept> <urn:p> {len(where)}"
    reply = writer.post("/sparql", data=f"INSERT {{ {bad} . {good} }} WHERE {{ {where} }}",
                        headers=UPDATE)
    assert reply.status_code == 204, reply.data[:300]
    assert ask(writer, f"ASK {{ {good} }}")
    assert not ask(writer, "ASK { GRAPH ?g { <urn:s> ?p ?o } }")
    assert writer.get("/health").get_json()["status"] == "ok"


@pytest.mark.parametrize("term", [r'"\uD800"', '"x"@bad-tag-that-is-way-too-long', "<urn:bad%>",
                                  '"x"^^<urn:bad%>'])
def test_insert_data_that_is_not_rdf_is_400_and_writes_nothing(writer, term):
    writes = writer.get("/health").get_json()["writes"]
    reply = writer.post("/sparql", data=f"INSERT DATA {{ <urn:ok> <urn:p> <urn:o> . "
                                         f"<urn:bad> <urn:p> {term} }}", headers=UPDATE)
    assert reply.status_code == 400, reply.data[:300]
    message = reply.get_json()["error"]["message"]  # a lone surrogate's escape: a syntax error
    assert "not RDF" in message or "is not a character" in message, message
    assert writer.get("/health").get_json()["writes"] == writes
    assert not ask(writer, "ASK { <urn:ok> ?p ?o }")


def test_strlang_with_a_bad_tag_is_unbound_in_a_query(writer):
    reply = writer.get("/sparql", headers=JSON, query_string={
        "query": 'SELECT ?x WHERE { BIND(STRLANG("x", "bad tag!") AS ?x) } '})
    assert reply.status_code == 200, reply.data[:300]
    assert reply.get_json()["results"]["bindings"] in ([{}], [])


def test_void_and_pages_after_a_write_answer_at_once_with_the_served_version(writer):
    reply = writer.post("/sparql", data="INSERT DATA { <urn:v> <urn:p> <urn:o> }", headers=UPDATE)
    assert reply.status_code == 204
    version = writer.get("/health").get_json()["version"]
    assert "-w" in version
    started = time.monotonic()
    void = writer.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert void.status_code == 200 and time.monotonic() - started < 2
    text = void.get_data(as_text=True)
    assert "dcat:downloadURL" in text and "dcat:byteSize" not in text and "spdx:checksum" not in text
    assert f'dcterms:hasVersion "{version}"' in text and f'dcterms:identifier "{version}"' in text
    home = writer.get("/").get_data(as_text=True)
    base = version.split("-w")[0]  # the build's version, which the page showed after writes
    assert f"<code>{version}</code>" in home and f"<code>{base}</code>" not in home
    assert f'"version": "{version}"' in home  # the schema.org markup
    from types import SimpleNamespace

    from kazkg.web import server

    line = server.banner(writer.application, SimpleNamespace(version=base, from_cache=True),
                         "127.0.0.1", 8000, 1, 1.0)
    assert line.startswith(f"kazkg serve: dataset {version} (")  # the start-up line


def test_void_on_a_fresh_cache_answers_before_the_dumps_are_sized(private_cache, tmp_path,
                                                                   monkeypatch):
    from kazkg.build import cache
    from kazkg.web import dcat, dumps

    release, real = threading.Event(), dumps.made
    monkeypatch.setattr(dumps, "made", lambda svc, fmt: release.wait(30) and real(svc, fmt))
    monkeypatch.setattr(dcat, "SIZING_WAIT", 0.2)
    with writable_client(tmp_path / "store", "w-t0k", WORKERS=1) as client:
        svc = client.application.extensions["kazkg"]
        cache.beside(svc.build_key, dcat.FILE).unlink(missing_ok=True)
        started = time.monotonic()
        first = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
        assert first.status_code == 200 and time.monotonic() - started < 2
        assert "dcat:downloadURL" in first.get_data(as_text=True)
        assert "dcat:byteSize" not in first.get_data(as_text=True)
        release.set()
        svc.__dict__["sizing"][1].join(30)
        second = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
        assert "dcat:byteSize" in second.get_data(as_text=True)
        assert second.headers["ETag"] != first.headers["ETag"]  # the content changed
        again = client.get("/.well-known/void", headers={
            "Accept": "text/turtle", "If-None-Match": second.headers["ETag"]})
        assert again.status_code == 304


def test_a_round_of_sizing_that_failed_is_not_kept_nor_tried_again_at_once(private_cache, tmp_path,
                                                                            monkeypatch):
    from kazkg.build import cache
    from kazkg.query.jobs import Answer
    from kazkg.web import dcat, dumps

    calls = []
    monkeypatch.setattr(dumps, "made", lambda svc, fmt: calls.append(fmt) or Answer(503, error="slow"))
    with writable_client(tmp_path / "store", "w-t0k", WORKERS=1) as client:
        svc = client.application.extensions["kazkg"]
        cache.beside(svc.build_key, dcat.FILE).unlink(missing_ok=True)
        for _ in range(3):
            void = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
            assert void.status_code == 200 and "dcat:byteSize" not in void.get_data(as_text=True)
        assert len(calls) == 6  # one round, not one a request
        assert not cache.beside(svc.build_key, dcat.FILE).exists()
        monkeypatch.setattr(dcat, "SIZING_RETRY", 0.0)
        client.get("/.well-known/void", headers={"Accept": "text/turtle"})
        assert len(calls) == 12


@pytest.mark.parametrize("update", [
    "INSERT DATA { <urn:tt:s> <urn:p> <<( <urn:a> <urn:b> <urn:c> )>> }",
    "INSERT DATA { << <urn:a> <urn:b> <urn:c> >> <urn:p> <urn:tt:o> }",
    "INSERT DATA { GRAPH <urn:tt:g> { <urn:tt:s> <urn:p> <urn:o> . "
    "<urn:tt:s> <urn:p> <<( <urn:a> <urn:b> <urn:c> )>> } }"])
def test_an_rdf_1_2_triple_term_in_insert_data_is_400(writer, update):
    reply = writer.post("/sparql", data=update, headers=UPDATE)
    assert reply.status_code == 400, reply.data[:300]
    assert "triple term" in reply.get_json()["error"]["message"]
    assert not ask(writer, "ASK { { <urn:tt:s> ?p ?o } UNION { ?s ?p <urn:tt:o> } "
                           "UNION { GRAPH <urn:tt:g> { ?s ?p ?o } } }")


def test_an_rdf_1_2_triple_term_in_a_graph_store_body_is_400(writer):
    body = "<urn:tt:s2> <urn:p> <urn:o> .\n<urn:tt:s2> <urn:p> <<( <urn:a> <urn:b> <urn:c> )>> ."
    for method in ("post", "put"):
        reply = getattr(writer, method)("/store?graph=urn:tt:g2", data=body,
                                        headers={**TOKEN, "Content-Type": "text/turtle"})
        assert reply.status_code == 400, reply.data[:300]
        assert "triple term" in reply.get_json()["error"]["message"]
    assert not ask(writer, "ASK { GRAPH <urn:tt:g2> { ?s ?p ?o } }")


def test_a_write_whose_precondition_fails_is_412_and_writes_nothing(writer):
    one, two = "<urn:pc:s> <urn:p> <urn:pc:one> .", "<urn:pc:s> <urn:p> <urn:pc:two> ."
    assert writer.put("/store?graph=urn:pc:g", data=one, headers=NT).status_code in (201, 204)
    turtle = {"Accept": "text/turtle"}
    tag = writer.get("/store?graph=urn:pc:g", headers=turtle).headers["ETag"]
    for method, headers in [("put", {"If-Match": '"stale-tag"'}), ("put", {"If-None-Match": "*"}),
                            ("post", {"If-None-Match": tag}), ("delete", {"If-Match": '"stale"'})]:
        reply = getattr(writer, method)("/store?graph=urn:pc:g", data=two,
                                        headers={**NT, **headers})
        assert reply.status_code == 412, (method, headers, reply.data[:300])
    assert writer.put("/store?graph=urn:pc:new", data=two,
                      headers={**NT, "If-Match": "*"}).status_code == 412  # no such graph
    update = "INSERT DATA { GRAPH <urn:pc:g> { <urn:pc:s> <urn:p> <urn:pc:two> } }"
    for headers in ({"If-Match": '"nope"'}, {"If-None-Match": "*"}):
        reply = writer.post("/sparql", data=update, headers={**UPDATE, **headers})
        assert reply.status_code == 412, reply.data[:300]
    assert writer.get("/store?graph=urn:pc:g", headers=turtle).headers["ETag"] == tag
    assert not ask(writer, "ASK { GRAPH ?g { ?s ?p <urn:pc:two> } }")
    # a tag that is current lets the write through, and the graph's tag changes with it
    reply = writer.put("/store?graph=urn:pc:g", data=two, headers={**NT, "If-Match": tag})
    assert reply.status_code == 204, reply.data[:300]
    assert writer.get("/store?graph=urn:pc:g", headers=turtle).headers["ETag"] != tag
    assert writer.put("/store?graph=urn:pc:new", data=two,
                      headers={**NT, "If-None-Match": "*"}).status_code == 201
    sd = writer.get("/sparql", headers=turtle).headers["ETag"]
    assert writer.post("/sparql", data="CLEAR SILENT GRAPH <urn:pc:new>",
                       headers={**UPDATE, "If-Match": sd}).status_code == 204


def count(client, text: str) -> int:
    reply = client.get("/sparql", query_string={"query": text}, headers=JSON)
    assert reply.status_code == 200, reply.data[:300]
    return int(reply.get_json()["results"]["bindings"][0]["n"]["value"])


def test_using_named_is_the_only_named_graph_the_where_sees(writer):
    seed = "INSERT DATA { GRAPH <urn:un:a> { <urn:un:s> <urn:p> 1 } GRAPH <urn:un:b> { <urn:un:s> <urn:p> 2 } }"
    assert writer.post("/sparql", data=seed, headers=UPDATE).status_code == 204
    copy = "INSERT { GRAPH <urn:un:out%d> { ?s ?p ?o } } %s WHERE { GRAPH ?g { ?s ?p ?o } }"
    for n, using in enumerate(["USING NAMED <urn:un:empty>", "USING NAMED <urn:un:a>",
                               "USING <urn:un:b> USING NAMED <urn:un:a>", "USING <urn:un:b>"]):
        reply = writer.post("/sparql", data=copy % (n, using), headers=UPDATE)
        assert reply.status_code == 204, reply.data[:300]
    total = "SELECT (COUNT(*) AS ?n) { GRAPH <urn:un:out%d> { ?s ?p ?o } }"
    assert [count(writer, total % n) for n in range(4)] == [0, 1, 1, 0]  # USING alone: none
    assert ask(writer, "ASK { GRAPH <urn:un:out1> { <urn:un:s> <urn:p> 1 } }")
    # without a USING, the default graph is empty: the WHERE sees none of the data
    default = ("INSERT { GRAPH <urn:un:out4> { ?s ?p ?o } } USING NAMED <urn:un:a> "
               "WHERE { ?s ?p ?o }")
    assert writer.post("/sparql", data=default,
                       headers=UPDATE).status_code == 204
    assert count(writer, total % 4) == 0
    using = "INSERT { GRAPH <urn:un:out5> { ?s ?p ?o } } USING <urn:un:b> WHERE { ?s ?p ?o }"
    assert writer.post("/sparql", data=using, headers=UPDATE).status_code == 204
    assert count(writer, total % 5) == 1  # USING's graph is the default graph


def test_a_template_graph_named_by_a_literal_is_left_out(writer):
    update = ('INSERT { GRAPH ?g { <urn:lg:s> <urn:p> <urn:o> } GRAPH <urn:lg:kept> '
              '{ <urn:lg:s> <urn:p> <urn:o> } } WHERE { BIND("http://lit.example/" AS ?g) }')
    assert writer.post("/sparql", data=update, headers=UPDATE).status_code == 204
    assert not ask(writer, "ASK { GRAPH <http://lit.example/> { ?s ?p ?o } }")
    assert ask(writer, "ASK { GRAPH <urn:lg:kept> { <urn:lg:s> <urn:p> <urn:o> } }")


def test_a_resource_rdf_xml_cannot_write_is_406(writer):
    iri = "https://w3id.org/kazkg/resource/xml-unnamed"
    update = f'INSERT DATA {{ <{iri}> <http://ex.org/a#1> "x" }}'
    assert writer.post("/sparql", data=update, headers=UPDATE).status_code == 204
    reply = writer.get("/resource/xml-unnamed", headers={"Accept": "application/rdf+xml"})
    assert reply.status_code == 406, reply.data[:300]
    assert "ends in no XML name" in reply.get_json()["error"]["message"]
    assert writer.get("/resource/xml-unnamed", headers={"Accept": "text/turtle"}).status_code == 200
