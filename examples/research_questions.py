"""Three research questions answered end to end with the notebook API (pandas + networkx).

    python examples/research_questions.py --store out/store

RQ1  How far have reforms diffused across zones and provinces?
RQ2  Which provincial agencies carry the plans, and which of them coordinate most?
RQ3  What did zones attract, and what do their figures say?
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

import kg

QUERIES = Path(__file__).resolve().parent.parent / "queries"


def saved(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def heading(text: str) -> None:
    print(f"\n{text}\n{'=' * len(text)}")


def rq1_diffusion(store: str) -> None:
    heading("RQ1 reform diffusion 改革扩散: measures implemented by more than one zone")
    df = kg.dataframe(store, saved("reform_diffusion"))
    if df.empty:
        print("(no zone implements a measure in this graph)")
        return
    df["province"] = df["provinceLabel"].fillna(df["provinceCode"]).fillna("?")
    spread = (df.groupby("measureLabel")
                .agg(zones=("zone", "nunique"), provinces=("province", "nunique"))
                .sort_values(["zones", "provinces"], ascending=False))
    print(spread[spread["zones"] > 1].to_string() if (spread["zones"] > 1).any() else spread.head(10).to_string())
    matrix = pd.crosstab(df["province"], df["zoneLabel"]).T
    print(f"\nmeasures per zone and province ({len(df)} measure-zone pairs):")
    print(matrix.to_string())


def rq2_agencies(store: str) -> None:
    heading("RQ2 agencies 牵头与协同: who leads the plans, who works together")
    ranked = kg.dataframe(store, saved("agencies_ranked"))
    if ranked.empty:
        print("(no lead or responsible units in this graph)")
        return
    print(ranked[["agencyLabel", "tasks", "leads", "shares"]].head(10).to_string(index=False))
    import networkx as nx

    # agency-task network projected onto agencies: two agencies are linked by the tasks they share
    g = kg.networkx_graph(store, classes=["Agency", "Measure"], properties=["leads", "responsibleFor"])
    agencies = [n for n, d in g.nodes(data=True) if d["cls"] == "Agency" and g.degree(n)]
    coord = nx.bipartite.weighted_projected_graph(nx.Graph(g.to_undirected()), agencies)
    central = sorted(nx.degree_centrality(coord).items(), key=lambda kv: -kv[1])[:5]
    print(f"\ncoordination network: {coord.number_of_nodes()} agencies, {coord.number_of_edges()} pairs sharing tasks")
    for node, c in central:
        print(f"  {g.nodes[node]['label']}: degree centrality {c:.2f}")


def rq3_attraction(store: str) -> None:
    heading("RQ3 investment attraction 招商引资: what zones attracted, and their money figures")
    items = kg.dataframe(store, saved("attracted_per_zone"))
    if items.empty:
        print("(no hosted companies or projects in this graph)")
    else:
        per_zone = items.groupby("zoneLabel").agg(items=("item", "nunique"), largest_CNY=("amountCNY", "max"))
        print(per_zone.sort_values("items", ascending=False).to_string())
    figs = kg.dataframe(store, saved("figures_per_zone_year"))
    money = figs[figs["unit"] == "CNY"] if not figs.empty else figs
    if money.empty:
        print("(no CNY figures about zones in this graph)")
        return
    top = money.sort_values("value", ascending=False).head(8)
    print("\nlargest CNY figures about zones (亿元 = 1e8):")
    for r in top.itertuples():
        print(f"  {r.zoneLabel} {r.year or '-'} {r.indicator}: {r.value / 1e8:,.2f} 亿元")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default="out/store", help="a store built with 'kg build' (default out/store)")
    a = ap.parse_args(argv)
    try:
        rq1_diffusion(a.store)
        rq2_agencies(a.store)
        rq3_attraction(a.store)
    except kg.KgError as e:
        print(f"research_questions: {e}", file=sys.stderr)
        return e.exit_code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
