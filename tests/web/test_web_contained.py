"""What a hostile client or hostile data cannot do: crash or kill a query worker, paste text
into the SPARQL of a page, turn an IRI into a script link or an open redirect, frame a page,
or make the server describe itself under another host's name. Each test uses a real
`kazkg serve` on 127.0.0.1."""

from __future__ import annotations

import re

import pytest

from tests.web.httpraw import q, request
from tests.web.support import FIXTURES, Server

pytestmark = pytest.mark.slow  # real `kazkg serve` processes

JSON = {"Accept": "application/sparql-results+json"}
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def hostile(private_cache):
    srv = Server([str(FIXTURES / "hostile.ttl"), "--query-timeout", "5", "--workers", "2",
                  "--processes", "1", "--public-url", "https://kazkg.example.org/"])
    yield srv
    srv.stop()


def health(srv) -> dict:
    return request(srv.url, path="health").json()


def ask(srv, text: str, headers=JSON):
    return request(srv.url, "POST", "sparql", body=text,
                   headers={**headers, "Content-Type": "application/sparql-query"})


# --- engine errors ---------------------------------------------------------------------------

def test_an_unknown_function_is_an_error_inside_the_query_not_a_dead_worker(hostile):
    before = health(hostile)["workers_replaced"]
    unbound = ask(hostile, "SELECT ?x WHERE { BIND (<urn:nofunc>(1) AS ?x) }")
    assert unbound.status == 200 and unbound.json()["results"]["bindings"] == [{}]
    filtered = ask(hostile, "SELECT ?s WHERE { ?s ?p ?o FILTER (<urn:nofunc>(?o)) }")
    assert filtered.status == 200 and filtered.json()["results"]["bindings"] == []
    kept = ask(hostile, "SELECT ?s (<urn:nofunc>(?o) AS ?y) WHERE { ?s ?p ?o } LIMIT 1")
    assert kept.json()["results"]["bindings"][0].keys() == {"s"}
    assert health(hostile)["workers_replaced"] == before


@pytest.mark.parametrize("text", [
    "SELECT ?o WHERE { ?s ?p ?o FILTER (" + " || ".join(f"?o = {i}" for i in range(20000)) + ") }",
    "SELECT ?o WHERE {" + "UNION".join("{?s ?p %d}" % i for i in range(20000)) + "}",
    "SELECT ?o WHERE { ?s ?p ?o FILTER (" + "(" * 5000 + "?o" + ")" * 5000 + ") }",
    "SELECT * WHERE { ?s ?p ?o " + " ".join(f"BIND ({i} AS ?b{i})" for i in range(4000)) + " }",
    "SELECT ?o WHERE " + "{ SELECT ?o WHERE " * 3000 + "{ ?s ?p ?o }" + "}" * 3000,
], ids=["or", "union", "parentheses", "binds", "subqueries"])
def test_a_query_that_would_crash_the_engine_is_refused_before_it_runs(hostile, text):
    before = health(hostile)["workers_replaced"]
    reply = ask(hostile, text)
    assert reply.status == 400, reply.body[:300]
    assert re.search(r"at most [\d,]+", reply.json()["error"]["message"])
    assert health(hostile)["workers_replaced"] == before  # refused: nothing was killed


def test_a_long_list_of_values_is_not_mistaken_for_a_deep_query(hostile):
    values = " ".join(str(i) for i in range(5000))
    reply = ask(hostile, f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?v {{ {values} }} }}")
    assert reply.status == 200 and reply.json()["results"]["bindings"][0]["n"]["value"] == "5000"


@pytest.mark.parametrize("pattern", ["<https://w3id.org/kazkg/resource/trap> ?p ?o",
                                     "?s ?p ?o . ?y ?q ?z"], ids=["iris", "cross-product"])
def test_group_concat_over_iris_is_never_silently_unbound(hostile, pattern):
    # Oxigraph leaves GROUP_CONCAT unbound as soon as one value is an IRI; rdflib does not.
    reply = ask(hostile, f"SELECT (GROUP_CONCAT(?o; separator=' ') AS ?all) WHERE {{ {pattern} }}")
    assert reply.status == 200
    assert "https://example.org/fine" in reply.json()["results"]["bindings"][0]["all"]["value"]


def test_the_answer_cache_counts_its_keys_in_its_byte_budget():
    from kazkg.query.jobs import Answer
    from kazkg.web.answercache import AnswerCache

    answers = AnswerCache(entries=10_000, max_bytes=2_000_000)
    for i in range(100):  # 100 unique 100 KB queries with tiny answers: 10 MB of keys
        answers.put(("query", f"# {i}\n" + "x" * 100_000), Answer(200, body=b"{}"))
    assert answers._bytes <= 2_000_000 and len(answers._items) < 25


def test_a_workers_memos_keep_no_long_query_text():
    from kazkg.query import guard

    guard.may_reach_out.cache_clear()
    texts = [f"# {i}\n" + "x" * 100_000 for i in range(50)]
    for text in texts:
        guard.may_reach_out(text), guard.measure(text)
    assert guard.may_reach_out("ASK {}") is False
    import gc
    held = [o for o in gc.get_referrers(*texts) if not isinstance(o, (list, dict))]
    assert not held


# --- slugs -----------------------------------------------------------------------------------

@pytest.mark.parametrize("slug", ["%C3%A9%3E", "x%3E%20%7B%7D", "trap%3E%20%3Fp%20%3Fo%20%7D%23",
                                  "%D0%B0%D0%B1%D0%B2", "%E4%B8%AD%E6%96%87", "a%5Cu003E"])
def test_a_slug_never_reaches_the_query_text(hostile, slug):
    for headers in ({}, HTML, {"Accept": "image/png"}):
        reply = request(hostile.url, path="resource/" + slug, headers=headers)
        assert reply.status in (404, 406), (slug, headers, reply.status, reply.body[:200])


# --- links, redirects, headers ---------------------------------------------------------------

def test_only_http_and_https_iris_become_links(hostile):
    page = request(hostile.url, path="resource/trap", headers=HTML)
    assert page.status == 200
    hrefs = re.findall(r"<a [^>]*href=\"([^\"]*)\"", page.body.decode())
    assert "https://example.org/fine" in hrefs and "http://example.org/plain" in hrefs
    assert not [h for h in hrefs if re.match(r"(?i)\s*(javascript|data|vbscript|mailto|urn):", h)]
    text = page.body.decode()
    assert "urn:isbn:0451450523" in text and "mailto:editors@example.org" in text  # as text


@pytest.mark.parametrize("name", ["Zhezkazganite", "Balkhashite"])
def test_search_go_never_leaves_this_site(hostile, name):
    reply = request(hostile.url, path=f"search?q={name}&go=1", headers=HTML)
    assert reply.status == 200  # the hit is shown, not jumped to
    assert "Location" not in reply.headers
    assert 'href="javascript' not in reply.body.decode().lower()


def test_search_go_lands_on_this_sites_own_page(hostile):
    reply = request(hostile.url, path="search?q=Trap&go=1", headers=HTML)
    assert reply.status == 303 and reply.headers["Location"].endswith("/resource/trap")


@pytest.mark.parametrize("path", ["", "resource/trap", "search?q=trap", "sparql", "browse",
                                  "nothing-here"])
def test_every_page_has_the_security_headers(hostile, path):
    reply = request(hostile.url, path=path, headers=HTML)
    assert reply.type == "text/html"
    policy = reply.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self';" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    body = reply.body.decode()
    # data blocks (JSON, JSON-LD) are not script; anything else must come from a file
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", body)
    assert not re.search(r"\son[a-z]+\s*=", body)  # no inline event handlers


def test_etags_differ_per_language_and_format(hostile):
    tags = set()
    for path, headers in [("resource/trap?lang=kk", HTML), ("resource/trap?lang=ru", HTML),
                          ("resource/trap?lang=en", HTML), ("resource/trap.ttl", {}),
                          ("resource/trap.nt", {}), ("resource/trap.jsonld", {})]:
        tags.add(request(hostile.url, path=path, headers=headers).headers["ETag"])
    assert len(tags) == 6


def test_if_none_match_star_holds_only_for_what_exists(hostile):
    star = {"If-None-Match": "*"}
    assert request(hostile.url, path="resource/trap", headers=star).status == 304
    assert request(hostile.url, path="resource/nothing", headers=star).status == 404
    assert request(hostile.url, path="sparql?query=" + q("ASK {"), headers=star).status == 400
    assert request(hostile.url, path="download/nothing.ttl", headers=star).status == 404


def test_the_server_names_itself_by_its_public_url_never_by_the_host_header(hostile):
    forged = {"Host": "evil.example", "Accept": "text/turtle"}
    for path in (".well-known/void", "sparql"):
        reply = request(hostile.url, path=path, headers=forged)
        assert reply.status == 200
        assert b"evil.example" not in reply.body
        assert b"https://kazkg.example.org/sparql" in reply.body

