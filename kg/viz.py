"""The interactive HTML view: one self-contained file (vis-network inlined from the pyvis package)."""
from __future__ import annotations

import json
from collections import defaultdict
from importlib import resources
from pathlib import Path

from .errors import KgError

TEMPLATE = Path(__file__).resolve().parent.parent / "viz" / "graph.html"

# Colour-blind-friendly palette (Okabe–Ito plus tints), one colour per class.
COLORS = {"Zone": "#E69F00", "Company": "#56B4E9", "Fund": "#009E73", "Agency": "#0072B2",
          "Institution": "#CC79A7", "Policy": "#D55E00", "Measure": "#F0E442", "Person": "#999999",
          "Place": "#8FBC8F", "Project": "#B8860B", "Industry": "#9370DB"}
SHAPES = {"Zone": "hexagon", "Company": "dot", "Fund": "diamond", "Agency": "square",
          "Institution": "triangle", "Policy": "box", "Measure": "ellipse", "Person": "star",
          "Place": "triangleDown", "Project": "dot", "Industry": "diamond"}


def _vis_assets() -> tuple[str, str]:
    try:
        lib = resources.files("pyvis") / "lib" / "vis-9.1.2"
        return (lib / "vis-network.min.js").read_text(encoding="utf-8"), (lib / "vis-network.css").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as e:
        raise KgError(f"the graph view needs vis-network from the pyvis package ({e}); pip install pyvis") from None


def script_json(data) -> str:
    """JSON safe inside <script>: no '</script>', '<!--' or U+2028 can end or change the script."""
    return (json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def view_data(oxi, focus: str | None = None, depth: int = 2, types: list[str] | None = None) -> dict:
    """Nodes, edges with evidence, and counts, ready for the page."""
    import networkx as nx

    from .export import relation_rows, to_networkx

    g = to_networkx(oxi)
    alt, docs = defaultdict(set), defaultdict(set)
    for r in oxi.query("""SELECT ?n ?a WHERE { ?n <http://www.w3.org/2004/02/skos/core#altLabel> ?a }""",
                       use_default_graph_as_union=True):
        alt[r["n"].value].add(r["a"].value)
    for r in oxi.query("""SELECT ?n ?s WHERE { ?n <http://www.w3.org/ns/prov#wasDerivedFrom> ?d .
                          ?d <http://purl.org/dc/terms/source> ?s }""", use_default_graph_as_union=True):
        docs[r["n"].value].add(r["s"].value)
    if types:
        unknown = set(types) - set(COLORS)
        if unknown:
            raise KgError(f"unknown class {', '.join(sorted(unknown))}; choose from {', '.join(COLORS)}")
        g = g.subgraph([n for n, d in g.nodes(data=True) if d["cls"] in types]).copy()
    note = ""
    if focus:
        hits = [n for n, d in g.nodes(data=True) if d["label"] == focus or focus in alt[n]]
        if not hits:
            raise KgError(f"no entity labelled '{focus}'; try 'kg query' to find the exact label")
        keep = set()
        for h in hits:
            keep |= set(nx.ego_graph(g.to_undirected(as_view=True), h, radius=depth))
        g = g.subgraph(keep).copy()
        note = f"Neighbourhood of {focus} (depth {depth})."
    ev = defaultdict(list)
    for row in relation_rows(oxi):
        ev[(row["subject"], row["property"], row["object"])].append(
            {k: row[k] for k in ("sentence", "source", "start", "end")})
    degree = dict(g.degree())
    nodes = [{"id": n, "label": d["label"], "cls": d["cls"], "alt": sorted(alt[n]), "docs": sorted(docs[n]),
              "size": 1 + degree.get(n, 0)} for n, d in sorted(g.nodes(data=True))]
    edges = [{"s": s, "o": o, "p": p, "ev": ev[(s, p, o)]} for s, o, p in sorted(g.edges(keys=True))]
    counts = defaultdict(int)
    for n in nodes:
        counts[n["cls"]] += 1
    classes = [c for c in COLORS if counts[c]]
    return {"nodes": nodes, "edges": edges, "colors": COLORS, "shapes": SHAPES, "classes": classes,
            "counts": counts, "note": note or f"{len(nodes)} entities, {len(edges)} relations."}


def write_view(oxi, output: Path, focus: str | None = None, depth: int = 2, types: list[str] | None = None) -> dict:
    data = view_data(oxi, focus=focus, depth=depth, types=types)
    js, css = _vis_assets()
    html = TEMPLATE.read_text(encoding="utf-8")
    # Replace the data last: document text must never be scanned for the other markers.
    html = html.replace("/*VIS_CSS*/", css).replace("/*VIS_JS*/", js.replace("</script", "<\\/script"))
    html = html.replace("/*DATA*/", script_json(data))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(html, encoding="utf-8")
    return {"nodes": len(data["nodes"]), "edges": len(data["edges"])}
