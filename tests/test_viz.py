"""The HTML views without a browser: data, caps, filters, matrices and escaping (synthetic stores and the seed)."""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from conftest import run_kg
from kg import viz
from kg.errors import KgError
from kg.store import Store

RKG = "https://w3id.org/reform-kg/ontology#"
RKR = "https://w3id.org/reform-kg/resource/"
PAYLOADS = ("<script>window.pwned=1</script>", "</script><script>window.pwned=2</script>",
            '<img src=x onerror="window.pwned=3">')
EVIL = "".join(PAYLOADS)


def make_store(path: Path, entities, relations, source: str = "synthetic.txt", title: str = "合成文档") -> Path:
    """A store shaped like the pipeline's output.

    entities: (key, class, label[, aliases[, adminCode]]); relations: (subject key, property, object key, sentence).
    """
    from pyoxigraph import Literal, NamedNode, Quad

    def iri(x):
        return NamedNode(x if x.startswith("http") else RKR + x)

    def zh(text):
        return Literal(text, language="zh")

    rdf, rdfs = "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#"
    a, label = iri(rdf + "type"), iri(rdfs + "label")
    doc = iri("doc/synthetic")
    g = doc
    quads = [Quad(doc, a, iri(RKG + "Document"), g), Quad(doc, iri("http://purl.org/dc/terms/source"), Literal(source), g),
             Quad(doc, iri("http://purl.org/dc/terms/title"), zh(title), g),
             Quad(doc, iri(RKG + "contentHash"), Literal("0" * 64), g)]
    key_iri = {}
    for key, cls, lab, *rest in entities:
        n = key_iri[key] = iri(f"{cls.lower()}/{key}")
        quads += [Quad(n, a, iri(RKG + cls), g), Quad(n, label, zh(lab), g),
                  Quad(n, iri("http://www.w3.org/ns/prov#wasDerivedFrom"), doc, g)]
        for alias in (rest[0] if rest else ()):
            quads.append(Quad(n, iri("http://www.w3.org/2004/02/skos/core#altLabel"), zh(alias), g))
        if len(rest) > 1 and rest[1]:
            quads.append(Quad(n, iri(RKG + "adminCode"), Literal(rest[1]), g))
    integer = iri("http://www.w3.org/2001/XMLSchema#integer")
    for i, (s, p, o, sentence) in enumerate(relations):
        st, ev = iri(f"statement/{i}"), iri(f"evidence/{i}")
        quads += [Quad(key_iri[s], iri(RKG + p), key_iri[o], g), Quad(st, a, iri(rdf + "Statement"), g),
                  Quad(st, iri(rdf + "subject"), key_iri[s], g), Quad(st, iri(rdf + "predicate"), iri(RKG + p), g),
                  Quad(st, iri(rdf + "object"), key_iri[o], g), Quad(st, iri(RKG + "evidence"), ev, g),
                  Quad(ev, a, iri(RKG + "Evidence"), g), Quad(ev, iri(RKG + "sentence"), zh(sentence), g),
                  Quad(ev, iri(RKG + "sourceDocument"), doc, g),
                  Quad(ev, iri(RKG + "start"), Literal(str(i * 100), datatype=integer), g),
                  Quad(ev, iri(RKG + "end"), Literal(str(i * 100 + len(sentence)), datatype=integer), g)]
    with Store.open(path, create=True, write=True) as st:
        st.replace_graphs({doc: quads})     # through the store: it keeps the union in the default graph
    return path


def evil_store(path: Path) -> Path:
    """Every string the views show carries the three payloads: labels, aliases, sentences, file name, title."""
    ents = [("z1", "Zone", "测试高新区" + EVIL, ["测试园" + EVIL]), ("z2", "Zone", "样例经开区"),
            ("p1", "Place", "江西省" + EVIL, [], "360000"), ("p2", "Place", "赣州市", [], "360700"),
            ("p3", "Place", "广东省", [], "440000"),
            ("m1", "Measure", "“一网通办" + EVIL + "”改革"), ("m2", "Measure", "“证照分离”改革"),
            ("pl", "Policy", "《测试行动方案" + EVIL + "》"), ("a1", "Agency", "省测试厅" + EVIL),
            ("a2", "Agency", "省工信厅")]
    rels = [("z1", "locatedIn", "p2", "测试高新区位于赣州市" + EVIL), ("p2", "locatedIn", "p1", "赣州市" + EVIL),
            ("z2", "locatedIn", "p3", "样例经开区位于广东省。"),
            ("z1", "implements", "m1", "测试高新区推进一网通办改革" + EVIL),
            ("z1", "implements", "m2", "推进证照分离" + EVIL), ("z2", "implements", "m2", "样例经开区推进证照分离。"),
            ("m1", "partOf", "pl", "一、主要任务" + EVIL), ("m2", "partOf", "pl", "二、证照分离。"),
            ("a1", "leads", "m1", "(牵头单位:省测试厅" + EVIL + ")"), ("a2", "responsibleFor", "m1", "(责任单位:省工信厅)"),
            ("a2", "leads", "m2", "(牵头单位:省工信厅" + EVIL + ")")]
    return make_store(path, ents, rels, source='plan<img src=x onerror="window.pwned=4">.txt', title="方案" + EVIL)


def synthetic_graph(n: int, seed: int = 1):
    """A scale-free graph of ``n`` entities over all classes (two relations per new entity), with sentences."""
    rng = random.Random(seed)
    classes = ["Zone", "Company", "Fund", "Agency", "Institution", "Policy", "Measure", "Person", "Place",
               "Project", "Industry"]
    props = ["hosts", "implements", "cooperatesWith", "investsIn", "partOf", "locatedIn", "establishes"]
    ents = [(f"e{i}", classes[i % len(classes)], f"实体{i}号{classes[i % len(classes)]}") for i in range(n)]
    targets, rels = [0, 1], [("e1", "cooperatesWith", "e0", "实体1号与实体0号开展合作。")]
    for i in range(2, n):
        for j in {rng.choice(targets), rng.choice(targets)}:
            rels.append((f"e{i}", rng.choice(props), f"e{j}", f"实体{i}号与实体{j}号在第{i}段中有关系。"))
            targets += [i, j]
    return ents, rels


@pytest.fixture(scope="module")
def evil(tmp_path_factory) -> Path:
    return evil_store(tmp_path_factory.mktemp("evil") / "store")


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    ents, rels = synthetic_graph(700)
    return make_store(tmp_path_factory.mktemp("big") / "store", ents, rels)


def _data(page: str) -> dict:
    m = re.search(r"const DATA = (.*?);\n", page)
    return json.loads(m.group(1))


def test_script_json_cannot_end_the_script():
    text = viz.script_json({"s": EVIL + "<!-- \u2028 & -->"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"s": EVIL + "<!-- \u2028 & -->"}


def test_seed_graph_view_holds_every_class_relation_and_evidence(built_store, tmp_path):
    out = tmp_path / "g.html"
    run_kg("viz", "--store", built_store, "--output", out, check=True)
    page = out.read_text(encoding="utf-8")
    data = _data(page)
    classes = {n["cls"] for n in data["nodes"]}
    assert classes and set(data["classes"]) == classes
    assert data["drawn"] == len(data["nodes"]) and data["physics"]
    assert all(e["ev"] for e in data["edges"]), "every relation should carry an evidence sentence"
    assert all(0 <= i < len(data["sentences"]) for e in data["edges"] for i, *_ in e["ev"])
    # self-contained: no URL that a browser would fetch
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page


def test_seed_focus_draws_a_neighbourhood(built_store, tmp_path):
    full = _data(_write(built_store, tmp_path / "all.html"))
    zone = next(n for n in full["nodes"] if n["cls"] == "Zone" and "赣州" in n["label"])
    near = _data(_write(built_store, tmp_path / "near.html", "--focus", zone["label"], "--depth", "1"))
    labels = {n["label"] for n in near["nodes"]}
    assert zone["label"] in labels and 1 < len(labels) < len(full["nodes"])
    assert len(labels) == 1 + len({e["s"] for e in full["edges"] if e["o"] == zone["id"]}
                                  | {e["o"] for e in full["edges"] if e["s"] == zone["id"]} - {zone["id"]})


def _write(store, out: Path, *args) -> str:
    run_kg("viz", "--store", store, "--output", out, *args, check=True)
    return out.read_text(encoding="utf-8")


def test_large_graph_draws_the_most_central_first_and_says_what_it_left_out(big, tmp_path):
    with Store.open(big) as st:
        info = viz.write_view(st.oxi, tmp_path / "g.html", max_nodes=150, size="pagerank")
    assert info == {"nodes": 700, "edges": info["edges"], "drawn": 150}
    data = _data((tmp_path / "g.html").read_text(encoding="utf-8"))
    drawn, rest = data["nodes"][:150], data["nodes"][150:]
    assert all("x" in n for n in drawn) and not any("x" in n for n in rest)
    assert min(n["pr"] for n in drawn) >= max(n["pr"] for n in rest)
    assert not data["physics"] and data["size"] == "pagerank"
    assert "550 not drawn" in data["note"] and "double-click" in data["note"]


def test_focus_and_type_filters(big, tmp_path):
    with Store.open(big) as st:
        data = viz.view_data(st.oxi, focus="实体10号Industry", depth=1)
        assert 1 < len(data["nodes"]) < 100 and "Neighbourhood of 实体10号Industry" in data["note"]
        only = viz.view_data(st.oxi, types=["Zone", "Company"])
        assert {n["cls"] for n in only["nodes"]} == {"Zone", "Company"}
        with pytest.raises(KgError, match="no entity labelled"):
            viz.view_data(st.oxi, focus="不存在的实体")
        with pytest.raises(KgError, match="unknown class"):
            viz.view_data(st.oxi, types=["Zones"])


def test_every_view_escapes_document_text(evil, tmp_path):
    for view in viz.VIEWS:
        out = tmp_path / f"{view}.html"
        run_kg("viz", "--store", evil, "--output", out, "--view", view, check=True)
        page = out.read_text(encoding="utf-8")
        for p in PAYLOADS + ('onerror="window.pwned=4"',):
            assert p not in page, f"{view}: raw {p!r} in the page"
        assert "window.pwned" in page, f"{view}: the payload never reached the page, so nothing was tested"
        if view == "graph":
            embedded = re.search(r"const DATA = (.*?);\n", page).group(1)
            assert "<" not in embedded and ">" not in embedded
        else:
            assert "<script" not in page and "<img" not in page


def test_diffusion_matrix_groups_zones_by_province(evil, tmp_path):
    with Store.open(evil) as st:
        provinces = viz.zone_provinces(st.oxi)
        info = viz.write_view(st.oxi, tmp_path / "d.html", view="diffusion")
    assert sorted(provinces.values()) == ["广东省", "江西省"]   # 测试高新区 via 赣州市 (code 3607…)
    assert info == {"rows": 2, "cols": 2, "cells": 3, "provinces": 2}
    page = (tmp_path / "d.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page
    assert page.count("<td class=on") == 3


def test_responsibility_matrix_separates_lead_and_shared(evil, tmp_path):
    with Store.open(evil) as st:
        info = viz.write_view(st.oxi, tmp_path / "r.html", view="responsibility")
        with pytest.raises(KgError, match="no plan"):
            viz.write_view(st.oxi, tmp_path / "x.html", view="responsibility", focus="没有这个方案")
    assert info == {"plans": 1, "tasks": 2, "agencies": 2}
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count('<td class="lead"') == 2 and page.count('<td class="shared"') == 1


def test_seed_responsibility_matrix(built_store, tmp_path):
    out = tmp_path / "r.html"
    p = run_kg("viz", "--store", built_store, "--output", out, "--view", "responsibility", check=True)
    assert "plans" in p.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count('<td class="lead"') > 5 and page.count('<td class="shared"') > 5


@pytest.mark.parametrize("args,code,words", [
    (["--view", "sankey"], 1, "unknown view"),
    (["--size", "betweenness"], 1, "unknown node size"),
    (["--type", "Zones"], 1, "unknown class"),
])
def test_bad_viz_options_fail_in_one_line(evil, tmp_path, args, code, words):
    p = run_kg("viz", "--store", evil, "--output", tmp_path / "x.html", *args)
    assert p.returncode == code and words in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr
