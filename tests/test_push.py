"""`kg push` to a real Oxigraph server on loopback: the saved questions answer the same there as here."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from conftest import ROOT, run_kg

QUERIES = sorted((ROOT / "queries").glob("*.rq"))


def oxigraph_binary() -> str | None:
    """The server binary of the `oxigraph` PyPI package (test extra), next to this Python or on PATH."""
    local = Path(sys.executable).parent / "oxigraph"
    return str(local) if local.exists() else shutil.which("oxigraph")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def remote_select(base: str, query: str) -> tuple[list[str], list[dict]]:
    req = urllib.request.Request(base + "/query", data=query.encode("utf-8"),
                                 headers={"Content-Type": "application/sparql-query",
                                          "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        data = json.loads(r.read())
    return data["head"]["vars"], data["results"]["bindings"]


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    exe = oxigraph_binary()
    if exe is None:
        pytest.fail("the oxigraph server is missing: pip install -e '.[test]' (the oxigraph package ships it)")
    port = free_port()
    tmp = tmp_path_factory.mktemp("oxigraph")
    log = open(tmp / "server.log", "w")
    proc = subprocess.Popen([exe, "serve", "--location", str(tmp / "db"), "--bind", f"127.0.0.1:{port}",
                             "--union-default-graph"], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"oxigraph exited: {(tmp / 'server.log').read_text()}")
            try:
                remote_select(base, "SELECT * WHERE {} LIMIT 1")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("oxigraph server did not answer within 30 s") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def pushed(oxigraph, built_store):
    p = run_kg("push", "--endpoint", oxigraph + "/store", "--store", built_store)
    assert p.returncode == 0, p.stderr
    assert "pushed 5 document graphs" in p.stderr
    return oxigraph


def local_rows(store, query: str) -> Counter:
    from kg import run_query
    from kg.query import result_rows

    head, rows = result_rows(run_query(store, query))
    return Counter(tuple(r) for r in rows)


def remote_rows(base: str, query: str) -> Counter:
    head, bindings = remote_select(base, query)
    return Counter(tuple(b[v]["value"] if v in b else "" for v in head) for b in bindings)


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_saved_question_same_rows_on_the_server(pushed, built_store, query):
    text = query.read_text(encoding="utf-8")
    here = local_rows(built_store, text)
    assert here, f"{query.name} has no answer locally"
    assert remote_rows(pushed, text) == here


def test_one_named_graph_per_document_and_push_is_idempotent(pushed, built_store):
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    graphs = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert remote_rows(pushed, graphs) == local_rows(built_store, graphs) == Counter({("5",): 1})
    before = remote_rows(pushed, count)
    assert before == local_rows(built_store, count)
    p = run_kg("push", "--endpoint", pushed + "/store", "--store", built_store, "--format", "ttl")
    assert p.returncode == 0, p.stderr
    assert remote_rows(pushed, count) == before      # PUT replaces each graph: nothing doubles


def test_push_errors_are_one_line(built_store):
    p = run_kg("push", "--endpoint", "ftp://example.org/store", "--store", built_store)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "http" in p.stderr
    p = run_kg("push", "--endpoint", f"http://127.0.0.1:{free_port()}/store", "--store", built_store, "--timeout", "5")
    assert p.returncode == 3 and len(p.stderr.strip().splitlines()) == 1 and "cannot reach" in p.stderr
    assert "Traceback" not in p.stderr


def test_push_reports_a_refusing_endpoint(oxigraph, built_store):
    # /query does not accept PUT: the HTTP status is reported, not a traceback
    p = run_kg("push", "--endpoint", oxigraph + "/query", "--store", built_store)
    assert p.returncode == 3 and "refused with HTTP" in p.stderr and "Traceback" not in p.stderr


def test_kg_push_stays_the_function_after_use(built_store):
    import types

    import kg

    with pytest.raises(kg.KgError):
        kg.push(built_store, "ftp://example.org/store")
    # the submodule kg.push must not replace the API function kg.push once it has been imported
    assert isinstance(kg.push, types.FunctionType)
