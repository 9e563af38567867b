"""Network analysis of the graph: counts, central actors and communities (networkx), as a table, JSON or annotations."""
from __future__ import annotations

import json
import logging
from collections import Counter
from decimal import Decimal

from .errors import FormatError, KgError

log = logging.getLogger(__name__)

STATS_GRAPH = "https://w3id.org/reform-kg/resource/graph/stats"   # rkr:graph/stats
STATS_FORMATS = ("table", "json")

# The classes that act (SPEC: the parties of rkg:cooperatesWith); measures, policies and
# industries are what actors act on, so they are ranked by class but not as "actors".
ACTORS = ("Zone", "Company", "Fund", "Agency", "Institution", "Person", "Place")
METRICS = ("degree", "betweenness", "pagerank")

# Exact betweenness is O(nodes x edges); above this size it is estimated from a fixed
# sample of sources, which keeps `kg stats` within seconds on large graphs.
EXACT_BETWEENNESS_MAX = 1000
BETWEENNESS_SAMPLE = 200
SEED = 42


def simple_graph(g):
    """The undirected simple graph of a relation multigraph; weight = number of relations between a pair."""
    import networkx as nx

    u = nx.Graph()
    u.add_nodes_from(sorted(g.nodes))
    for s, o in sorted((s, o) for s, o, _ in g.edges(keys=True)):
        if s == o:
            continue
        if u.has_edge(s, o):
            u[s][o]["weight"] += 1
        else:
            u.add_edge(s, o, weight=1)
    return u


def centrality(g, u=None) -> dict[str, dict]:
    """Degree (relations), betweenness and PageRank of every node of the relation multigraph ``g``."""
    import networkx as nx

    u = simple_graph(g) if u is None else u
    degree = dict(g.degree())
    if u.number_of_nodes() == 0:
        return {"degree": {}, "betweenness": {}, "pagerank": {}}
    k = None if u.number_of_nodes() <= EXACT_BETWEENNESS_MAX else min(BETWEENNESS_SAMPLE, u.number_of_nodes())
    between = nx.betweenness_centrality(u, k=k, seed=SEED)
    try:
        pagerank = nx.pagerank(u, weight="weight")
    except nx.PowerIterationFailedConvergence:
        log.warning("PageRank did not converge; using degree share instead")
        total = sum(degree.values()) or 1
        pagerank = {n: degree[n] / total for n in u}
    return {"degree": degree, "betweenness": between, "pagerank": pagerank}


def communities(u) -> list[list[str]]:
    """Communities of the simple graph, largest first, each sorted (Louvain, seeded; greedy modularity as fallback)."""
    import networkx as nx

    if u.number_of_edges() == 0:
        return [[n] for n in sorted(u)]
    try:
        parts = nx.community.louvain_communities(u, weight="weight", seed=SEED)
    except AttributeError:          # networkx without Louvain
        parts = nx.community.greedy_modularity_communities(u, weight="weight")
    return sorted((sorted(p) for p in parts), key=lambda p: (-len(p), p[0]))


def _entry(g, n, scores: dict) -> dict:
    d = g.nodes[n]
    return {"iri": n, "label": d["label"], "class": d["cls"], "degree": scores["degree"].get(n, 0),
            "betweenness": round(scores["betweenness"].get(n, 0.0), 6),
            "pagerank": round(scores["pagerank"].get(n, 0.0), 6)}


def _ranked(nodes, scores: dict, metric: str) -> list:
    # Ties broken by the other metrics, then by IRI, so the ranking is the same on every run.
    others = [m for m in METRICS if m != metric]
    return sorted(nodes, key=lambda n: (-scores[metric].get(n, 0), *(-scores[m].get(n, 0) for m in others), n))


def compute(g, top: int = 10) -> dict:
    """Counts per class and relation, the most central actors and zones, and communities, as plain data."""
    import networkx as nx

    if top < 1:
        raise KgError("--top must be at least 1")
    u = simple_graph(g)
    scores = centrality(g, u)
    classes = Counter(d["cls"] for _, d in g.nodes(data=True))
    relations = Counter(k for _, _, k in g.edges(keys=True))
    actors = [n for n, d in g.nodes(data=True) if d["cls"] in ACTORS]
    central = {m: [_entry(g, n, scores) for n in _ranked(actors, scores, m)[:top]] for m in METRICS}
    by_class = {}
    for cls in sorted(classes, key=lambda c: (-classes[c], c)):
        members = [n for n, d in g.nodes(data=True) if d["cls"] == cls]
        by_class[cls] = [_entry(g, n, scores) for n in _ranked(members, scores, "pagerank")[:top]]
    parts = communities(u)
    community_of = {n: i for i, p in enumerate(parts) for n in p}
    modularity = nx.community.modularity(u, parts, weight="weight") if u.number_of_edges() else 0.0
    described = []
    for i, p in enumerate(parts):
        if len(p) < 2:
            continue
        mix = Counter(g.nodes[n]["cls"] for n in p)
        leaders = _ranked(p, scores, "pagerank")[:5]
        described.append({"id": i, "size": len(p), "classes": dict(mix.most_common()),
                          "top": [g.nodes[n]["label"] for n in leaders]})
    return {
        "nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
        "components": nx.number_connected_components(u) if len(u) else 0,
        "classes": dict(sorted(classes.items(), key=lambda kv: (-kv[1], kv[0]))),
        "relations": dict(sorted(relations.items(), key=lambda kv: (-kv[1], kv[0]))),
        "central": central,
        "central_by_class": by_class,
        "communities": {"method": "louvain", "count": len(parts),
                        "nontrivial": len(described), "singletons": len(parts) - len(described),
                        "modularity": round(modularity, 4), "list": described[:top * 2]},
        "_scores": scores, "_community": community_of,
    }


def graph_stats(oxi, top: int = 10) -> dict:
    """Statistics of the relation graph in an Oxigraph store (see ``compute``)."""
    from .export import to_networkx

    return compute(to_networkx(oxi), top=top)


def public(result: dict) -> dict:
    """The result without the per-node score tables (kept only for annotation)."""
    return {k: v for k, v in result.items() if not k.startswith("_")}


def annotation_quads(result: dict) -> list:
    """rkg:degree, rkg:betweenness, rkg:pageRank and rkg:community of every entity, in the stats graph."""
    from pyoxigraph import Literal, NamedNode, Quad

    from . import vocab

    graph = NamedNode(STATS_GRAPH)
    integer, decimal = NamedNode(str(vocab.XSD.integer)), NamedNode(str(vocab.XSD.decimal))
    props = {name: NamedNode(str(term)) for name, term in
             (("degree", vocab.degree), ("betweenness", vocab.betweenness), ("pageRank", vocab.pageRank),
              ("community", vocab.community))}
    scores, community_of = result["_scores"], result["_community"]

    def dec(x: float) -> Literal:
        # Fixed-point text so SPARQL sees the same value on every run (no float repr noise).
        return Literal(str(Decimal(f"{x:.8f}").normalize() if x else Decimal(0)), datatype=decimal)

    quads = []
    for n in sorted(scores["degree"]):
        s = NamedNode(n)
        quads.append(Quad(s, props["degree"], Literal(str(scores["degree"][n]), datatype=integer), graph))
        quads.append(Quad(s, props["betweenness"], dec(scores["betweenness"].get(n, 0.0)), graph))
        quads.append(Quad(s, props["pageRank"], dec(scores["pagerank"].get(n, 0.0)), graph))
        if n in community_of:
            quads.append(Quad(s, props["community"], Literal(str(community_of[n]), datatype=integer), graph))
    return quads


def annotate(store, result: dict) -> int:
    """Replace the stats graph of an open writable ``kg.store.Store`` with the result's annotations; returns quads written."""
    from pyoxigraph import NamedNode

    quads = annotation_quads(result)
    if not quads:   # replace_graphs compares against an existing graph; an empty result still clears it
        store.oxi.update(f"DROP SILENT GRAPH <{STATS_GRAPH}>")
        return 0
    store.replace_graphs({NamedNode(STATS_GRAPH): quads})
    return len(quads)


def _width(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _table(head: list[str], rows: list[list]) -> list[str]:
    cells = [[str(c) for c in r] for r in [head, *rows]]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(head))]

    def line(r):
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths)).rstrip()
    return [line(cells[0]), "  ".join("-" * w for w in widths), *map(line, cells[1:])]


def format_stats(result: dict, fmt: str = "table") -> str:
    """The statistics as an aligned text report or as JSON."""
    if fmt not in STATS_FORMATS:
        raise FormatError(f"unknown stats format '{fmt}'; choose one of {', '.join(STATS_FORMATS)}")
    data = public(result)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=1)
    out = [f"{data['nodes']} entities, {data['edges']} relations, {data['components']} connected components", ""]
    out += _table(["class", "entities"], list(data["classes"].items())) + [""]
    out += _table(["relation", "triples"], list(data["relations"].items())) + [""]
    for metric in METRICS:
        out.append(f"most central actors by {metric}:")
        out += _table(["#", "label", "class", "degree", "betweenness", "pagerank"],
                      [[i + 1, e["label"], e["class"], e["degree"], e["betweenness"], e["pagerank"]]
                       for i, e in enumerate(data["central"][metric])]) + [""]
    if data["central_by_class"].get("Zone"):
        out.append("most central zones (by pagerank):")
        out += _table(["#", "label", "degree", "betweenness", "pagerank"],
                      [[i + 1, e["label"], e["degree"], e["betweenness"], e["pagerank"]]
                       for i, e in enumerate(data["central_by_class"]["Zone"])]) + [""]
    c = data["communities"]
    out.append(f"communities ({c['method']}): {c['nontrivial']} with 2+ members, {c['singletons']} isolated entities, "
               f"modularity {c['modularity']}")
    out += _table(["id", "size", "classes", "most central members"],
                  [[p["id"], p["size"], " ".join(f"{k}:{v}" for k, v in p["classes"].items()),
                    "、".join(t if len(t) <= 20 else t[:19] + "…" for t in p["top"])] for p in c["list"]])
    return "\n".join(out)
