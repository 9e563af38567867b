"""End-to-end through the command line: build, export, query, validate, and bad input."""
from __future__ import annotations

import csv
import re
import json
import shutil

import networkx as nx
import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from conftest import CORPUS, run_kg


def _count(store) -> int:
    p = run_kg("query", "--store", store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "csv", check=True)
    return int(p.stdout.splitlines()[1])


def _assert_isomorphic(a: rdflib.Graph, b: rdflib.Graph) -> None:
    if isomorphic(a, b):
        return
    _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
    lines = [f"- {t}" for t in sorted(only_a)[:20]] + [f"+ {t}" for t in sorted(only_b)[:20]]
    pytest.fail("graphs differ:\n" + "\n".join(lines))


def test_build_reports_documents(built_store):
    assert (built_store / "kg-store.json").exists()
    assert _count(built_store) > 1000


@pytest.mark.parametrize("fmt,parse_as", [("nt", "nt"), ("ttl", "turtle"), ("jsonld", "json-ld")])
def test_rdf_exports_parse_to_the_same_graph(built_store, seed_nt, tmp_path, fmt, parse_as):
    out = tmp_path / f"g.{fmt}"
    run_kg("export", "--store", built_store, "--format", fmt, "--output", out, check=True)
    g = rdflib.Graph().parse(out, format=parse_as)
    _assert_isomorphic(g, rdflib.Graph().parse(seed_nt, format="nt"))


def test_nquads_export_has_one_graph_per_document(built_store, tmp_path):
    out = tmp_path / "g.nq"
    run_kg("export", "--store", built_store, "--format", "nq", "--output", out, check=True)
    ds = rdflib.Dataset()
    ds.parse(out, format="nquads")
    names = {str(c.identifier) for c in ds.graphs() if len(c)}
    assert len([n for n in names if "/doc/" in n]) == len(list(CORPUS.glob("*.txt")))


def test_graphml_and_csv_exports(built_store, tmp_path):
    run_kg("export", "--store", built_store, "--format", "graphml", "--output", tmp_path / "g.graphml", check=True)
    g = nx.read_graphml(tmp_path / "g.graphml")
    assert g.number_of_nodes() > 50 and g.number_of_edges() > 20
    run_kg("export", "--store", built_store, "--format", "csv", "--output", tmp_path / "r.csv", check=True)
    rows = list(csv.DictReader(open(tmp_path / "r.csv", encoding="utf-8")))
    assert rows and all(r["sentence"] and r["source"].endswith(".txt") for r in rows)


def test_query_formats(built_store):
    q = "SELECT ?l WHERE { ?z a rkg:Zone ; rdfs:label ?l } ORDER BY ?l"
    as_json = json.loads(run_kg("query", "--store", built_store, q, "--format", "json", check=True).stdout)
    as_csv = run_kg("query", "--store", built_store, q, "--format", "csv", check=True).stdout.splitlines()
    table = run_kg("query", "--store", built_store, q, check=True).stdout
    assert as_json and [r["l"] for r in as_json] == as_csv[1:]
    assert f"({len(as_json)} rows)" in table
    ask = run_kg("query", "--store", built_store, "ASK { ?z a rkg:Zone }", "--format", "json", check=True)
    assert json.loads(ask.stdout) == {"boolean": True}


def test_validate_seed_graph_has_no_violations(built_store):
    p = run_kg("validate", "--store", built_store)
    assert p.returncode == 0, p.stdout[-3000:]
    assert "0 violations" in p.stdout


def test_other_order_other_folder_gives_isomorphic_graph(seed_nt, tmp_path):
    files = sorted(CORPUS.glob("*.txt"), reverse=True)
    store = tmp_path / "elsewhere" / "store"
    for f in files:   # one document per build, in reverse order
        run_kg("build", f, "--store", store, check=True)
    run_kg("export", "--store", store, "--format", "nt", "--output", tmp_path / "b.nt", check=True)
    _assert_isomorphic(rdflib.Graph().parse(tmp_path / "b.nt", format="nt"),
                       rdflib.Graph().parse(seed_nt, format="nt"))


def test_rebuild_unchanged_skips_every_document(tmp_path):
    store = tmp_path / "store"
    run_kg("build", CORPUS, "--store", store, check=True)
    before = _count(store)
    p = run_kg("build", CORPUS, "--store", store, check=True)
    n = len(list(CORPUS.glob("*.txt")))
    assert f"0 added, 0 updated, {n} unchanged (skipped)" in p.stderr
    assert "0 document graphs written" in p.stderr
    assert _count(store) == before


def test_changed_document_replaces_its_facts(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    store = tmp_path / "store"
    run_kg("build", corpus, "--store", store, check=True)
    f = corpus / "002_3f82f7dc589cad46.txt"
    f.write_text(f.read_text(encoding="utf-8") + "\n\n江苏涟水经济开发区新引进测试新材料有限公司。\n", encoding="utf-8")
    p = run_kg("build", corpus, "--store", store, check=True)
    assert "0 added, 1 updated, 4 unchanged" in p.stderr
    q = "SELECT (COUNT(DISTINCT ?h) AS ?n) WHERE { ?d dcterms:source '002_3f82f7dc589cad46.txt' ; rkg:contentHash ?h }"
    assert run_kg("query", "--store", store, q, "--format", "csv", check=True).stdout.splitlines()[1] == "1"


def _one_line_error(p) -> None:
    assert p.returncode != 0
    assert "Traceback" not in p.stderr
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, p.stderr


@pytest.mark.parametrize("case", ["missing", "binary", "empty"])
def test_bad_input_is_refused_and_store_kept(built_store, tmp_path, case):
    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    before = _count(store)
    bad = tmp_path / f"bad.txt"
    if case == "binary":
        bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    elif case == "empty":
        bad.write_bytes(b"")
    p = run_kg("build", bad, "--store", store)
    _one_line_error(p)
    assert "bad.txt" in p.stderr
    assert _count(store) == before


def test_malformed_query_and_unknown_format(built_store, tmp_path):
    _one_line_error(run_kg("query", "--store", built_store, "SELECT ?x WHERE { ?x "))
    _one_line_error(run_kg("export", "--store", built_store, "--format", "xlsx", "--output", tmp_path / "x"))
    _one_line_error(run_kg("query", "--store", built_store, "SELECT * WHERE {?s ?p ?o}", "--format", "yaml"))
    _one_line_error(run_kg("query", "--store", tmp_path / "nowhere", "ASK {}"))


def test_viz_writes_self_contained_page(built_store, tmp_path):
    out = tmp_path / "g.html"
    run_kg("viz", "--store", built_store, "--output", out, check=True)
    html = out.read_text(encoding="utf-8")
    assert "vis.Network" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "the page must not load anything"
