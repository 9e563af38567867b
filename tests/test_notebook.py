"""The notebook API: DataFrames, networkx graphs, and the example that answers three research questions."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import kg
from conftest import ROOT

AGENCIES = (ROOT / "queries" / "agencies_ranked.rq").read_text(encoding="utf-8")


def test_dataframe_select_has_typed_columns(built_store):
    df = kg.dataframe(built_store, AGENCIES)
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["agencyLabel", "tasks", "leads", "shares", "agency"]
    assert pd.api.types.is_integer_dtype(df["tasks"]) and df["tasks"].is_monotonic_decreasing
    assert "省发改委" in set(df["agencyLabel"])
    assert df["agency"].str.startswith("https://w3id.org/reform-kg/resource/").all()


def test_dataframe_decimals_are_numbers_and_unbound_is_missing(built_store):
    df = kg.dataframe(built_store, "SELECT ?v ?period WHERE { ?o rkg:value ?v . OPTIONAL { ?o rkg:period ?period } }")
    assert len(df) > 10 and pd.api.types.is_float_dtype(df["v"])
    assert df["period"].isna().any()


def test_dataframe_ask_and_construct(built_store):
    assert kg.dataframe(built_store, "ASK { ?s a rkg:Agency }")["ask"].tolist() == [True]
    df = kg.dataframe(built_store, "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a rkg:Policy ; rdfs:label ?l }")
    assert list(df.columns) == ["subject", "predicate", "object"] and len(df) >= 5


def test_dataframe_bad_query_is_a_kg_error(built_store):
    with pytest.raises(kg.KgError):
        kg.dataframe(built_store, "SELECT WHERE")


def test_networkx_graph_whole_and_filtered(built_store):
    g = kg.networkx_graph(built_store)
    classes = {d["cls"] for _, d in g.nodes(data=True)}
    assert {"Agency", "Measure", "Policy", "Zone"} <= classes
    sub = kg.networkx_graph(built_store, classes=["Agency", "rkg:Measure"], properties=["leads"])
    assert {d["cls"] for _, d in sub.nodes(data=True)} == {"Agency", "Measure"}
    assert sub.number_of_edges() > 10 and {d["property"] for *_, d in sub.edges(data=True)} == {"leads"}
    assert sub.number_of_nodes() < g.number_of_nodes()
    with pytest.raises(kg.KgError):
        kg.networkx_graph(built_store, classes=["Planet"])


def test_open_graph_is_rdflib(built_store):
    import rdflib

    g = kg.open_graph(built_store)
    assert isinstance(g, rdflib.Graph) and len(g) > 100


def test_example_answers_three_research_questions(built_store):
    p = subprocess.run([sys.executable, str(ROOT / "examples" / "research_questions.py"), "--store", str(built_store)],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 0, p.stderr
    for heading in ("RQ1", "RQ2", "RQ3"):
        assert heading in p.stdout
    assert "赣州" in p.stdout and "省发改委" in p.stdout
