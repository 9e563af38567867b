"""`kg stats`: counts, central actors, communities, SPARQL annotations, and agreement with the GraphML export."""
from __future__ import annotations

import json
import shutil

import networkx as nx
import pytest

import kg
from conftest import run_kg
from kg.stats import compute, format_stats
from kg.shacl import validate as shacl
from test_viz import make_store


@pytest.fixture(scope="module")
def seed_stats(built_store) -> dict:
    p = run_kg("stats", "--store", built_store, "--format", "json", "--top", "10", check=True)
    return json.loads(p.stdout)


def _barbell():
    """Two tight groups joined through one broker: two communities, the broker most between."""
    g = nx.MultiDiGraph()
    for i, cls in enumerate(["Zone"] * 4 + ["Agency"] + ["Company"] * 4):
        g.add_node(f"n{i}", label=f"节点{i}", cls=cls)
    for group in (range(0, 4), range(5, 9)):
        for a in group:
            for b in group:
                if a < b:
                    g.add_edge(f"n{a}", f"n{b}", key="cooperatesWith")
    g.add_edge("n3", "n4", key="cooperatesWith")
    g.add_edge("n4", "n5", key="cooperatesWith")
    g.add_edge("n3", "n4", key="worksFor")       # a second relation between the same pair
    return g


def test_compute_on_a_known_graph():
    r = compute(_barbell(), top=3)
    assert r["nodes"] == 9 and r["edges"] == 15
    assert r["relations"] == {"cooperatesWith": 14, "worksFor": 1}
    assert r["central"]["betweenness"][0]["label"] == "节点4"
    # degree counts relations: n3 has three in its group and two with the broker
    assert (r["central"]["degree"][0]["label"], r["central"]["degree"][0]["degree"]) == ("节点3", 5)
    assert r["communities"]["nontrivial"] == 2 and r["communities"]["modularity"] > 0.3
    assert sorted(p["size"] for p in r["communities"]["list"]) == [4, 5]
    assert [e["label"] for e in r["central_by_class"]["Zone"]][:1] == ["节点3"]
    text = format_stats(r, "table")
    assert "most central actors by betweenness" in text and "communities (louvain)" in text


def test_seed_names_ganzhou_among_the_central_zones(seed_stats):
    zones = seed_stats["central_by_class"].get("Zone", [])
    top = [z["label"] for z in zones[:3]]
    print("most central zones:", top)
    assert any("赣州" in z for z in top), top
    actors = {e["label"] for m in ("degree", "pagerank") for e in seed_stats["central"][m][:5]}
    assert any("赣州" in a for a in actors), actors


def test_seed_has_a_non_trivial_community_split(seed_stats):
    c = seed_stats["communities"]
    print(f"communities: {c['nontrivial']} with 2+ members, {c['singletons']} singletons, modularity {c['modularity']}")
    assert c["nontrivial"] >= 2
    assert c["list"][0]["size"] < seed_stats["nodes"]          # not one blob
    assert c["modularity"] > 0.2


def test_counts_agree_with_the_graphml_export(built_store, seed_stats, tmp_path):
    out = tmp_path / "g.graphml"
    run_kg("export", "--store", built_store, "--format", "graphml", "--output", out, check=True)
    g = nx.read_graphml(out)
    assert (g.number_of_nodes(), g.number_of_edges()) == (seed_stats["nodes"], seed_stats["edges"])
    assert sum(seed_stats["classes"].values()) == seed_stats["nodes"]
    assert sum(seed_stats["relations"].values()) == seed_stats["edges"]


def test_table_output(built_store):
    p = run_kg("stats", "--store", built_store, check=True)
    assert "most central actors by pagerank" in p.stdout and "communities" in p.stdout


def test_annotations_are_queryable_and_replace_earlier_ones(built_store, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    first = kg.stats(store, annotate=True)
    again = kg.stats(store, annotate=True)
    assert first["annotations"] == again["annotations"] > 0
    head, rows = kg.query(store, """SELECT ?l ?pr ?c WHERE { GRAPH <https://w3id.org/reform-kg/resource/graph/stats> {
        ?z rkg:pageRank ?pr ; rkg:community ?c ; rkg:degree ?d ; rkg:betweenness ?b } ?z rdfs:label ?l }
        ORDER BY DESC(?pr) LIMIT 1""")
    assert rows[0][0] == max((e for m in first["central_by_class"].values() for e in m),
                             key=lambda e: e["pagerank"])["label"]
    head, rows = kg.query(store, "SELECT (COUNT(?z) AS ?n) WHERE { ?z rkg:degree ?d }")
    assert int(rows[0][0]) == first["nodes"]


def test_annotated_graph_still_validates(tmp_path):
    store = make_store(tmp_path / "s", [("a", "Zone", "甲园区"), ("b", "Place", "乙市"), ("c", "Company", "丙公司")],
                       [("a", "locatedIn", "b", "甲园区位于乙市。"), ("a", "hosts", "c", "甲园区引进丙公司。")])
    kg.stats(store, annotate=True)
    report = shacl(kg.open_graph(store))
    assert report.conforms, report.text


def test_bad_format_is_one_line(built_store):
    p = run_kg("stats", "--store", built_store, "--format", "xml")
    assert p.returncode == 5 and len(p.stderr.strip().splitlines()) == 1
