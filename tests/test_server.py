"""``kg serve`` as a real subprocess on loopback: SPARQL 1.1 Protocol, read-only, limits, pages, load."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
import rdflib

from conftest import ROOT, run_kg

TIMEOUT = 2.0        # the server's --timeout in these tests
MAX_ROWS = 300       # the server's --max-rows in these tests
RKG = "https://w3id.org/reform-kg/ontology#"
RKR = "https://w3id.org/reform-kg/resource/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    """PIDs whose parent is ``pid`` (Linux /proc)."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(d.name))
    return out


@contextmanager
def running_server(store, logdir: Path, *extra: str):
    """Start ``python -m kg serve`` on a free loopback port, wait until it answers, always stop it."""
    port = free_port()
    logfile = logdir / f"serve-{port}.log"
    with open(logfile, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", str(port),
                                 *extra], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                if proc.poll() is not None:
                    raise AssertionError(f"kg serve exited with {proc.returncode}: {logfile.read_text()}")
                try:
                    with urllib.request.urlopen(base + "/sparql?query=ASK%7B%7D", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError("kg serve did not answer within 30 s")
                time.sleep(0.1)
            proc.base = base
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def server(built_store, tmp_path_factory):
    with running_server(built_store, tmp_path_factory.mktemp("serve"), "--timeout", str(TIMEOUT),
                        "--max-rows", str(MAX_ROWS), "--workers", "2") as proc:
        yield proc.base


def http(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    """(status, headers, body) of one request; HTTP errors are answers, not exceptions."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def post_query(base: str, query: str, accept: str = "application/sparql-results+json", **params):
    body = urllib.parse.urlencode({"query": query, **params}).encode()
    return http(base + "/sparql", body, {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept})


def count_quads(base: str) -> int:
    status, _, body = post_query(base, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert status == 200
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def iri_of(base: str, label: str, cls: str) -> str:
    q = f'SELECT ?x WHERE {{ ?x a rkg:{cls} ; rdfs:label ?l . FILTER(CONTAINS(?l, "{label}")) }} LIMIT 1'
    status, _, body = post_query(base, q)
    rows = json.loads(body)["results"]["bindings"]
    assert status == 200 and rows, f"no {cls} labelled like {label}"
    return rows[0]["x"]["value"]


# -- acceptance 2: a real client ----------------------------------------------
def test_sparqlwrapper_select_ask_construct(server):
    from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper

    sw = SPARQLWrapper(server + "/sparql")
    sw.setReturnFormat(JSON)
    sw.setQuery("""PREFIX rkg: <https://w3id.org/reform-kg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?a ?l WHERE { ?a a rkg:Agency ; rdfs:label ?l } ORDER BY ?l""")
    rows = sw.queryAndConvert()["results"]["bindings"]
    labels = {r["l"]["value"] for r in rows}
    assert "省发改委" in labels and len(labels) >= 10

    sw.setQuery("ASK { ?z a rkg:Zone ; rdfs:label ?l . FILTER(CONTAINS(?l, '赣州')) }")
    assert sw.queryAndConvert()["boolean"] is True
    sw.setQuery("ASK { ?z a rkg:Zone ; rdfs:label 'no such zone'@zh }")
    assert sw.queryAndConvert()["boolean"] is False

    construct = "CONSTRUCT { ?a rdfs:label ?l } WHERE { ?a a rkg:Agency ; rdfs:label ?l }"
    sw.setQuery(construct)
    sw.setReturnFormat(XML)          # SPARQLWrapper's default: RDF/XML into an rdflib Graph
    g = sw.queryAndConvert()
    assert isinstance(g, rdflib.Graph)
    assert rdflib.Literal("省发改委", lang="zh") in set(g.objects(None, rdflib.RDFS.label))
    sw.setReturnFormat(TURTLE)
    g2 = rdflib.Graph().parse(data=sw.queryAndConvert(), format="turtle")
    assert len(g2) == len(g) > 10


def test_update_is_refused_and_data_stays(server):
    from SPARQLWrapper import POST, SPARQLWrapper

    before = count_quads(server)
    sw = SPARQLWrapper(server + "/sparql", updateEndpoint=server + "/sparql")
    sw.setMethod(POST)
    sw.setQuery("INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }")
    with pytest.raises(Exception) as exc:
        sw.query()
    assert "403" in str(exc.value)
    for body, ctype in [(b"update=DELETE+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D", "application/x-www-form-urlencoded"),
                        (b"CLEAR ALL", "application/sparql-update"),
                        (b"query=DROP+ALL", "application/x-www-form-urlencoded")]:
        status, _, msg = http(server + "/sparql", body, {"Content-Type": ctype})
        assert 400 <= status < 500 and b"read-only" in msg
    status, _, _ = http(server + "/sparql", b"x", {"Content-Type": "text/turtle"}, method="PUT")
    assert status == 405
    assert count_quads(server) == before
    status, _, body = post_query(server, "ASK { <urn:x:a> ?p ?o }")
    assert json.loads(body)["boolean"] is False


def test_malformed_query_gets_400_with_one_line(server):
    from SPARQLWrapper import JSON, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    status, headers, body = post_query(server, "SELECT ?x WHERE { ?x a }")
    assert status == 400 and headers.get_content_type() == "text/plain"
    assert body.decode().count("\n") == 1 and "malformed SPARQL" in body.decode()
    sw = SPARQLWrapper(server + "/sparql")
    sw.setReturnFormat(JSON)
    sw.setQuery("SELEKT * WHERE { ?s ?p ?o }")
    with pytest.raises(QueryBadFormed):
        sw.query()


# -- protocol details -----------------------------------------------------------
@pytest.mark.parametrize("accept,ctype,check", [
    ("application/sparql-results+json", "application/sparql-results+json", lambda b: json.loads(b)["head"]["vars"] == ["l"]),
    ("application/sparql-results+xml", "application/sparql-results+xml", lambda b: b"<variable name=\"l\"/>" in b),
    ("text/csv", "text/csv", lambda b: b.decode().splitlines()[0] == "l" and "省发改委" in b.decode()),
    ("text/tab-separated-values", "text/tab-separated-values", lambda b: b.decode().splitlines()[0] == "?l" and '"省发改委"@zh' in b.decode()),
    ("text/html,application/xhtml+xml,*/*;q=0.8", "application/sparql-results+json", lambda b: "results" in json.loads(b)),
])
def test_select_formats_by_accept(server, accept, ctype, check):
    status, headers, body = post_query(server, "SELECT DISTINCT ?l WHERE { ?a a rkg:Agency ; rdfs:label ?l } ORDER BY ?l", accept)
    assert status == 200 and headers.get_content_type() == ctype
    assert check(body)


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                        ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")])
def test_construct_formats_by_accept(server, accept, fmt):
    q = "CONSTRUCT { ?a rdfs:label ?l } WHERE { ?a a rkg:Agency ; rdfs:label ?l }"
    status, headers, body = post_query(server, q, accept)
    assert status == 200 and headers.get_content_type() == accept
    g = rdflib.Graph().parse(data=body, format=fmt)
    assert len(g) > 10 and rdflib.Literal("省发改委", lang="zh") in set(g.objects())


def test_get_and_direct_post(server):
    url = server + "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s a rkg:Policy }"})
    status, _, body = http(url, headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["boolean"] is True
    status, _, body = http(server + "/sparql", "ASK { ?s a rkg:Measure }".encode(),
                           {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+xml"})
    assert status == 200 and b"<boolean>true</boolean>" in body
    status, headers, body = http(server + "/sparql?" + urllib.parse.urlencode(
        {"query": "SELECT ?s WHERE { ?s a rkg:Zone } LIMIT 1", "format": "csv"}))
    assert status == 200 and headers.get_content_type() == "text/csv"


def test_service_description(server):
    status, headers, body = http(server + "/sparql")
    assert status == 200 and headers.get_content_type() == "text/turtle"
    g = rdflib.Graph().parse(data=body, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    services = list(g.subjects(rdflib.RDF.type, sd.Service))
    assert services and (services[0], sd.endpoint, None) in g
    assert (services[0], sd.supportedLanguage, sd.SPARQL11Query) in g


def test_cors(server):
    status, headers, _ = http(server + "/sparql", method="OPTIONS",
                              headers={"Origin": "http://example.org", "Access-Control-Request-Method": "POST"})
    assert status == 204 and headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    _, headers, _ = post_query(server, "ASK {}")
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_result_cap(server):
    status, headers, body = post_query(server, "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c }")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == MAX_ROWS
    assert "capped" in headers["X-KG-Truncated"]
    status, headers, body = post_query(server, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "application/n-triples")
    assert status == 200 and len(body.decode().strip().splitlines()) == MAX_ROWS and headers["X-KG-Truncated"]


def test_timeout_then_keeps_serving(server):
    start = time.monotonic()
    status, _, body = post_query(server, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    elapsed = time.monotonic() - start
    assert status == 503 and b"timed out" in body
    assert elapsed < TIMEOUT + 2.0
    # the other worker answers at once; the killed one is replaced within a few seconds
    status, _, body = post_query(server, "ASK { ?s a rkg:Agency }")
    assert status == 200 and json.loads(body)["boolean"] is True
    results = []
    threads = [threading.Thread(target=lambda: results.append(post_query(server, "SELECT ?s WHERE { ?s a rkg:Zone } LIMIT 3")[0]))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [200] * 4


# -- pages ------------------------------------------------------------------------
def test_query_page_is_offline_and_lists_saved_queries(server):
    status, headers, body = http(server + "/", headers={"Accept": "text/html"})
    page = body.decode()
    assert status == 200 and headers.get_content_type() == "text/html"
    data = json.loads(page.split('<script id="kg-data" type="application/json">', 1)[1].split("</script>", 1)[0])
    assert "PREFIX rkg: <https://w3id.org/reform-kg/ontology#>" in data["prefixes"]
    names = {q["name"] for q in data["queries"]}
    assert {"reform_diffusion", "responsibility_matrix", "evidence_for_triple"} <= names
    assert all(q["zh"] and q["en"] for q in data["queries"])
    # nothing is fetched from elsewhere: no external src/href, no @import or url() of another host
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", page)
    assert "script-src 'nonce-" in headers["Content-Security-Policy"]


def test_query_page_escapes_saved_query_text():
    from kg.server import query_page

    hostile = [{"name": "x", "zh": "</script><script>alert(1)</script>", "en": "<img src=x onerror=alert(1)>",
                "text": "SELECT * { ?s ?p '</script>' }"}]
    page = query_page(hostile, "n0nce")
    data = page.split('<script id="kg-data" type="application/json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data and json.loads(data)["queries"][0]["zh"].startswith("</script>")


def test_entity_page_html_shows_labels_relations_and_evidence(server):
    iri = iri_of(server, "省发改委", "Agency")
    status, headers, body = http(server + "/resource/" + iri[len(RKR):], headers={"Accept": "text/html"})
    page = body.decode()
    assert status == 200 and headers.get_content_type() == "text/html"
    assert "<h1>省发改委</h1>" in page and "rkg:leads" in page
    sentences = re.findall(r"<blockquote>(.*?)</blockquote>", page)
    assert any("牵头单位" in s and "省发改委" in s for s in sentences)
    assert ".txt" in page                          # each sentence names its document
    assert re.search(r'href="/resource/measure/[^"]+"', page)
    assert "script-src 'none'" in headers["Content-Security-Policy"]


def test_entity_page_aliases(server):
    iri = iri_of(server, "赣州", "Zone")
    _, _, body = http(server + "/resource/" + iri[len(RKR):], headers={"Accept": "text/html"})
    assert "Aliases" in body.decode()


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld")])
def test_entity_page_content_negotiation(server, accept, fmt):
    iri = iri_of(server, "省发改委", "Agency")
    status, headers, body = http(server + "/resource/" + iri[len(RKR):], headers={"Accept": accept})
    assert status == 200 and headers.get_content_type() == accept
    g = rdflib.Graph().parse(data=body, format=fmt)
    me = rdflib.URIRef(iri)
    assert (me, rdflib.RDFS.label, rdflib.Literal("省发改委", lang="zh")) in g
    assert any(g.triples((None, rdflib.URIRef(RKG + "sentence"), None)))   # the evidence comes along


def test_unknown_entity_is_404(server):
    assert http(server + "/resource/zone/does-not-exist-000", headers={"Accept": "text/html"})[0] == 404
    assert http(server + "/resource/zone/does-not-exist-000", headers={"Accept": "text/turtle"})[0] == 404
    assert http(server + "/resource/%3Cscript%3E", headers={"Accept": "text/html"})[0] == 404


def test_entity_html_escapes_hostile_text():
    from kg.server import entity_html

    bad = "<script>alert('x')</script>"
    lit = {"type": "literal", "value": bad, "xml:lang": "zh"}
    uri = lambda v: {"type": "uri", "value": v}   # noqa: E731
    views = {
        "out": [{"p": uri("http://www.w3.org/2000/01/rdf-schema#label"), "o": lit},
                {"p": uri("http://www.w3.org/2004/02/skos/core#altLabel"), "o": {**lit, "value": '"><img src=x onerror=1>'}},
                {"p": uri(RKG + "title"), "o": lit}],
        "in": [],
        "evidence": [{"dir": {"type": "literal", "value": "out"}, "p": uri(RKG + "leads"), "other": uri(RKR + "measure/m1"),
                      "otherLabel": lit, "sentence": {"type": "literal", "value": "</blockquote><script>1</script>"},
                      "doc": uri(RKR + "doc/d1"), "docTitle": lit, "source": {"type": "literal", "value": "<b>.txt"}}],
        "observations": [],
    }
    page = entity_html(RKR + "agency/a1", views)
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page and page.count("<blockquote>") == 1


# -- acceptance 3: concurrent clients ----------------------------------------------
PER_CLIENT = 200     # 8 x 200 = 1,600 queries: the reliability issue's load test


def test_eight_clients_two_hundred_queries_each(server, capsys):
    queries = [q.read_text(encoding="utf-8") for q in sorted((ROOT / "queries").glob("*.rq"))]
    queries += ["ASK { ?s a rkg:Zone }", "SELECT ?l WHERE { ?a a rkg:Agency ; rdfs:label ?l } LIMIT 20",
                "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a rkg:Policy ; rdfs:label ?l }"]
    latencies, errors, lock = [], [], threading.Lock()

    def client(k: int):
        for i in range(PER_CLIENT):
            q = queries[(k * 7 + i) % len(queries)]
            t0 = time.monotonic()
            try:
                status, _, body = post_query(server, q, "application/sparql-results+json, text/turtle;q=0.9")
                ok = status == 200 and body
            except OSError as e:
                status, ok = repr(e), False
            with lock:
                latencies.append(time.monotonic() - t0)
                if not ok:
                    errors.append((k, i, status))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    wall = time.monotonic() - start
    assert not any(t.is_alive() for t in threads), "clients still running after 300 s"
    assert len(latencies) == 8 * PER_CLIENT and errors == []
    lat = sorted(latencies)
    p50, p95 = statistics.median(lat), lat[int(0.95 * len(lat)) - 1]
    with capsys.disabled():
        print(f"\nload: 8 clients x {PER_CLIENT} queries = {len(lat)} in {wall:.1f} s, errors {len(errors)}, "
              f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms")


# -- a build in another process is not blocked, the server sees it, and hostile text stays text --
HOSTILE = ("测试示范高新区<script>window.pwned=1</script>位于江西省九江市,全面推进“证照分离</script>"
           "<script>window.pwned=2</script>”改革,引进了测试示范科技有限公司<img src=x onerror=\"window.pwned=3\">"
           "的测试项目。测试示范高新区<script>window.pwned=1</script>与江西理工大学开展合作。\n")


def test_build_while_serving_hostile_text_and_clean_shutdown(built_store, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    doc = tmp_path / "hostile.txt"
    doc.write_text(HOSTILE, encoding="utf-8")
    with running_server(store, tmp_path, "--workers", "1") as proc:
        before = count_quads(proc.base)
        built = run_kg("build", doc, "--store", store)
        assert built.returncode == 0, built.stderr          # the read-only server does not lock the store
        deadline = time.monotonic() + 10
        while count_quads(proc.base) == before and time.monotonic() < deadline:
            time.sleep(0.2)
        assert count_quads(proc.base) > before               # workers reopen the changed store
        # every page that shows the new document's text shows it as text, never as markup
        status, _, body = post_query(proc.base, 'SELECT DISTINCT ?x WHERE { ?x ?p ?v . '
                                                'FILTER(ISLITERAL(?v) && CONTAINS(STR(?v), "<script>")) }')
        hostile = [b["x"]["value"] for b in json.loads(body)["results"]["bindings"]]
        assert status == 200 and hostile
        with browser_page() as page:
            page.goto(proc.base + "/")
            page.fill("#query", 'SELECT ?x ?v WHERE { ?x ?p ?v . FILTER(ISLITERAL(?v) && CONTAINS(STR(?v), "<script>")) }')
            page.click("#run")
            page.wait_for_selector("#results tbody tr", timeout=15_000)
            assert "<script>window.pwned=1</script>" in page.inner_text("#results")
            for iri in hostile[:5]:
                page.goto(proc.base + "/resource/" + iri[len(RKR):])
                assert "<script>" in page.inner_text("main")
            assert page.evaluate("typeof window.pwned") == "undefined"
        workers = children(proc.pid)
        assert workers
    time.sleep(0.5)
    alive = [w for w in workers if Path(f"/proc/{w}").exists() and "Z" not in Path(f"/proc/{w}/stat").read_text().split()[2]]
    assert alive == [], "query workers outlived the server"


# -- acceptance 4: a browser --------------------------------------------------------
CHROMIUM = Path(os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))


@contextmanager
def browser_page():
    """A Chromium page driven by Playwright; ``page.requests`` lists every URL it asked for."""
    # fail, not skip, like tests/test_browser.py: `make test` installs Chromium first (`make browser`)
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    try:
        from playwright import sync_api
    except ImportError:
        pytest.fail("playwright is missing: pip install -e '.[test]'")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.requests = []
            page.on("request", lambda r: page.requests.append(r.url))
            yield page
        finally:
            browser.close()


def test_browser_runs_saved_query_and_follows_entity_link(server):
    with browser_page() as page:
        page.goto(server + "/")
        page.click('nav button[data-name="responsibility_matrix"]')
        page.wait_for_selector("#results tbody tr", timeout=15_000)
        assert int(page.get_attribute("#status", "data-rows")) > 10
        page.click('#results a[href*="/resource/agency/"]')
        page.wait_for_selector("blockquote", timeout=15_000)
        assert "牵头单位" in page.inner_text("main") or "责任单位" in page.inner_text("main")
        requests = list(page.requests)
    outside = [u for u in requests if not u.startswith(server) and not u.startswith("data:")]
    assert requests and outside == []
