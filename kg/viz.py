"""The HTML views: the interactive graph (vis-network inlined from pyvis) and the diffusion and responsibility matrices.

Every view is one self-contained file that works from file:// without network access.
Strings from documents reach the graph page only as script-safe JSON that the page
puts into the DOM with textContent; the matrices are static HTML escaped here and
their CSP allows no script at all.
"""
from __future__ import annotations

import html
import json
import logging
import math
from collections import Counter, defaultdict
from importlib import resources
from pathlib import Path

from .errors import KgError

log = logging.getLogger(__name__)

VIZ_DIR = Path(__file__).resolve().parent.parent / "viz"
TEMPLATE = VIZ_DIR / "graph.html"
MATRIX_TEMPLATE = VIZ_DIR / "matrix.html"

VIEWS = ("graph", "diffusion", "responsibility")
SIZES = ("degree", "pagerank")

# Colour-blind-friendly palette (Okabe–Ito plus tints), one colour per class.
COLORS = {"Zone": "#E69F00", "Company": "#56B4E9", "Fund": "#009E73", "Agency": "#0072B2",
          "Institution": "#CC79A7", "Policy": "#D55E00", "Measure": "#F0E442", "Person": "#999999",
          "Place": "#8FBC8F", "Project": "#B8860B", "Industry": "#9370DB"}
# vis-network has seven shapes that keep the label outside and scale with the node's value;
# the page draws the other four as small SVG images, so that every class has its own shape.
SHAPES = {"Zone": "hexagon", "Company": "dot", "Fund": "diamond", "Agency": "square",
          "Institution": "triangle", "Policy": "svg:document", "Measure": "svg:pentagon", "Person": "star",
          "Place": "triangleDown", "Project": "svg:plus", "Industry": "svg:ring"}
GLYPHS = {"hexagon": "⬢", "dot": "●", "diamond": "◆", "square": "■", "triangle": "▲", "star": "★",
          "triangleDown": "▼", "svg:document": "▮", "svg:pentagon": "⬟", "svg:plus": "✚", "svg:ring": "◎"}

# Above this many entities the page draws the most central ones first and lets the user expand.
MAX_NODES = 500
# vis-network's physics is pleasant on small graphs but costs seconds on large ones; it runs only
# when the whole graph is drawn and no larger than this, otherwise the networkx layout is final.
PHYSICS_MAX = 500
# Matrix caps: a 5,000-measure table helps nobody; what is left out is said on the page.
MAX_ROWS, MAX_COLS = 300, 150

PROVINCE_COLORS = ["#fdd49e", "#c7e9c0", "#c6dbef", "#fcc5c0", "#dadaeb", "#ffffb2", "#d9f0d3",
                   "#fee0b6", "#b3e2cd", "#f4cae4", "#e6f5c9", "#cbd5e8", "#fff2ae", "#f1e2cc"]

_RKG = "https://w3id.org/reform-kg/ontology#"
_PREFIXES = """PREFIX rkg: <https://w3id.org/reform-kg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def _vis_assets() -> tuple[str, str]:
    try:
        lib = resources.files("pyvis") / "lib" / "vis-9.1.2"
        return (lib / "vis-network.min.js").read_text(encoding="utf-8"), (lib / "vis-network.css").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as e:
        raise KgError(f"the graph view needs vis-network from the pyvis package ({e}); pip install pyvis") from None


def script_json(data) -> str:
    """JSON safe inside <script>: no '</script>', '<!--' or U+2028 can end or change the script."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
            .replace(">", "\\u003e").replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _q(oxi, query: str):
    return oxi.query(_PREFIXES + query, use_default_graph_as_union=False)


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]


# -- the graph view ---------------------------------------------------------------

def _layout(g, nodes: list[str]) -> dict[str, tuple[float, float]]:
    """Positions in pixels for the drawn nodes (networkx spring layout, seeded, so the same graph looks the same)."""
    import networkx as nx

    from .stats import simple_graph

    if not nodes:
        return {}
    sub = simple_graph(g.subgraph(nodes))
    # Each connected component is laid out on its own and the components are packed in rows,
    # largest first: one spring layout of everything flings isolated entities to the far edges
    # and leaves the real structure a speck in the middle.
    comps = sorted((sorted(c) for c in nx.connected_components(sub)), key=lambda c: (-len(c), c[0]))
    boxes = []
    for comp in comps:
        side = 70 * math.sqrt(len(comp))            # about 70 px per node on a side
        if len(comp) == 1:
            boxes.append((comp, {comp[0]: (0.0, 0.0)}, 70.0))
            continue
        raw = nx.spring_layout(sub.subgraph(comp), seed=7, iterations=60)
        boxes.append((comp, {n: (float(x) * side / 2, float(y) * side / 2) for n, (x, y) in raw.items()}, side + 40))
    width = max(boxes[0][2], math.sqrt(sum(b[2] ** 2 for b in boxes)) * 1.1)
    pos, x, y, row_h = {}, 0.0, 0.0, 0.0
    for comp, local, side in boxes:
        if x > 0 and x + side > width:
            x, y, row_h = 0.0, y + row_h, 0.0
        for n, (px, py) in local.items():
            pos[n] = (round(x + side / 2 + px, 1), round(y + side / 2 + py, 1))
        x, row_h = x + side, max(row_h, side)
    return pos


def view_data(oxi, focus: str | None = None, depth: int = 2, types: list[str] | None = None,
              size: str = "degree", max_nodes: int = MAX_NODES) -> dict:
    """Nodes, edges with evidence, a first layout and what was left out, ready for the page."""
    import networkx as nx

    from .export import relation_rows, to_networkx
    from .stats import simple_graph

    if size not in SIZES:
        raise KgError(f"unknown node size '{size}'; choose one of {', '.join(SIZES)}")
    if max_nodes < 1:
        raise KgError("--max-nodes must be at least 1")
    g = to_networkx(oxi)
    alt, doc_of = defaultdict(set), defaultdict(set)
    for r in _q(oxi, "SELECT ?n ?a WHERE { ?n skos:altLabel ?a }"):
        alt[r["n"].value].add(r["a"].value)
    docs: dict[str, dict] = {}
    for r in _q(oxi, """SELECT ?d ?s ?t WHERE { ?d a rkg:Document ; dcterms:source ?s .
                        OPTIONAL { ?d dcterms:title ?t } }"""):
        docs.setdefault(r["d"].value, {"source": r["s"].value, "title": r["t"].value if r["t"] else ""})
    for r in _q(oxi, "SELECT ?n ?d WHERE { ?n prov:wasDerivedFrom ?d }"):
        if r["d"].value in docs:
            doc_of[r["n"].value].add(r["d"].value)
    if types:
        unknown = set(types) - set(COLORS)
        if unknown:
            raise KgError(f"unknown class {', '.join(sorted(unknown))}; choose from {', '.join(COLORS)}")
        g = g.subgraph([n for n, d in g.nodes(data=True) if d["cls"] in types]).copy()
    total = g.number_of_nodes()
    note = []
    if focus:
        hits = [n for n, d in g.nodes(data=True) if d["label"] == focus or focus in alt[n]]
        if not hits:
            raise KgError(f"no entity labelled '{focus}'; try 'kg query' to find the exact label")
        keep = set()
        for h in hits:
            keep |= set(nx.ego_graph(g.to_undirected(as_view=True), h, radius=depth))
        g = g.subgraph(keep).copy()
        note.append(f"Neighbourhood of {focus} (depth {depth}): {g.number_of_nodes()} of {total} entities.")

    u = simple_graph(g)
    degree = dict(g.degree())
    pagerank = nx.pagerank(u, weight="weight") if u.number_of_edges() else {n: 1 / max(len(u), 1) for n in u}
    order = sorted(g.nodes, key=lambda n: (-pagerank.get(n, 0), -degree.get(n, 0), n))
    drawn = order[:max_nodes]
    pos = _layout(g, drawn)

    ev = defaultdict(list)
    sentences: dict[str, int] = {}
    doc_ids: dict[str, int] = {}
    doc_by_source = {d["source"]: iri for iri, d in docs.items()}

    def doc_index(iri: str) -> int:
        if iri not in doc_ids:
            doc_ids[iri] = len(doc_ids)
        return doc_ids[iri]

    for row in relation_rows(oxi):
        key = (row["subject"], row["property"], row["object"])
        if row["subject"] in g and row["object"] in g:
            sid = sentences.setdefault(row["sentence"], len(sentences))
            ev[key].append([sid, doc_index(doc_by_source.get(row["source"], row["source"])), row["start"], row["end"]])
    index = {n: i for i, n in enumerate(order)}
    nodes = []
    for n in order:
        d = g.nodes[n]
        item = {"id": index[n], "iri": n, "label": d["label"], "cls": d["cls"], "alt": sorted(alt[n] - {d["label"]}),
                "docs": sorted(doc_index(x) for x in doc_of[n]), "deg": degree.get(n, 0),
                "pr": round(pagerank.get(n, 0.0), 6)}
        if n in pos:
            item["x"], item["y"] = pos[n]
        nodes.append(item)
    edges = [{"s": index[s], "o": index[o], "p": p, "ev": ev[(s, p, o)]}
             for s, o, p in sorted(g.edges(keys=True), key=lambda e: (index[e[0]], e[2], index[e[1]]))]
    doc_list = [None] * len(doc_ids)
    for iri, i in doc_ids.items():
        doc_list[i] = docs.get(iri, {"source": iri, "title": ""})
    counts = Counter(n["cls"] for n in nodes)
    shown = Counter(n["cls"] for n in nodes[:len(drawn)])
    relations = Counter(e["p"] for e in edges)
    note.append(f"{len(nodes)} entities, {len(edges)} relations.")
    if len(drawn) < len(nodes):
        left = ", ".join(f"{c} {counts[c] - shown[c]}" for c in COLORS if counts[c] > shown[c])
        note.append(f"Drawn first: the {len(drawn)} most central by PageRank; {len(nodes) - len(drawn)} not drawn yet "
                    f"({left}). Search finds every entity; double-click a node to draw its neighbours.")
    log.info("graph view: %d nodes (%d drawn), %d edges", len(nodes), len(drawn), len(edges))
    return {"nodes": nodes, "edges": edges, "sentences": list(sentences), "docs": doc_list,
            "drawn": len(drawn), "physics": len(drawn) == len(nodes) and len(drawn) <= PHYSICS_MAX, "size": size,
            "colors": COLORS, "shapes": SHAPES, "glyphs": GLYPHS,
            "classes": [c for c in COLORS if counts[c]], "counts": dict(counts), "shown": dict(shown),
            "relations": dict(sorted(relations.items(), key=lambda kv: (-kv[1], kv[0]))),
            "note": " ".join(note)}


def write_graph(oxi, output: Path, **options) -> dict:
    """Write the interactive graph page; returns counts of what it holds."""
    data = view_data(oxi, **options)
    js, css = _vis_assets()
    page = TEMPLATE.read_text(encoding="utf-8")
    # Replace the data last: document text must never be scanned for the other markers.
    page = page.replace("/*VIS_CSS*/", css).replace("/*VIS_JS*/", js.replace("</script", "<\\/script"))
    page = page.replace("/*DATA*/", script_json(data))
    _write(output, page)
    return {"nodes": len(data["nodes"]), "edges": len(data["edges"]), "drawn": data["drawn"]}


# -- matrices ---------------------------------------------------------------------

def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def _head(text: str, n: int = 16) -> str:
    """A column header short enough to stand upright; the full name is in its tooltip."""
    return text if len(text) <= n else text[:n - 1] + "…"


def _province_names() -> dict[str, str]:
    """Two-digit GB/T 2260 prefix -> province name, from the table that ships with cpca."""
    import csv

    try:
        with (resources.files("cpca") / "resources" / "adcodes.csv").open(encoding="utf-8") as f:
            return {row["adcode"][:2]: row["name"] for row in csv.DictReader(f) if row["adcode"][2:].strip("0") == ""}
    except (ModuleNotFoundError, FileNotFoundError, KeyError):
        return {}


_PROVINCE_SUFFIXES = ("省", "自治区", "特别行政区")
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")


def zone_provinces(oxi) -> dict[str, str]:
    """Province of each zone: follow locatedIn (and partOf between zones) up to a province-level place."""
    up = defaultdict(set)
    for r in _q(oxi, """SELECT ?x ?y WHERE { { ?x rkg:locatedIn ?y } UNION
                         { ?x rkg:partOf ?y . ?x a rkg:Zone . ?y a rkg:Zone } }"""):
        up[r["x"].value].add(r["y"].value)
    places = {}
    for r in _q(oxi, "SELECT ?p ?l ?c WHERE { ?p a rkg:Place ; rdfs:label ?l . OPTIONAL { ?p rkg:adminCode ?c } }"):
        places[r["p"].value] = (r["l"].value, r["c"].value if r["c"] else "")
    names = _province_names()

    def province_of(place: str) -> str | None:
        label, code = places[place]
        if label.endswith(_PROVINCE_SUFFIXES) or label in _MUNICIPALITIES:
            return label
        if code[:2] in names:
            return names[code[:2]]
        return None

    out = {}
    for r in _q(oxi, "SELECT ?z WHERE { ?z a rkg:Zone }"):
        z = r["z"].value
        seen, frontier, found = {z}, [z], []
        while frontier and not found:
            nxt = []
            for x in sorted(frontier):
                for y in sorted(up[x] - seen):
                    seen.add(y)
                    nxt.append(y)
                    if y in places and (p := province_of(y)):
                        found.append(p)
            frontier = nxt
        out[z] = sorted(found)[0] if found else "未知 unknown"
    return out


def _first_evidence(oxi, props: tuple[str, ...]) -> dict[tuple[str, str, str], tuple[str, str, int]]:
    """(s, p, o) -> (sentence, source, start) of the earliest evidence, for the given properties."""
    values = " ".join(f"rkg:{p}" for p in props)
    out = {}
    for r in _q(oxi, f"""SELECT ?s ?p ?o ?sentence ?source ?start WHERE {{ VALUES ?p {{ {values} }}
            ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; rkg:evidence ?ev .
            ?ev rkg:sentence ?sentence ; rkg:sourceDocument ?d ; rkg:start ?start . ?d dcterms:source ?source }}"""):
        key = (r["s"].value, _local(r["p"].value), r["o"].value)
        cand = (r["sentence"].value, r["source"].value, int(r["start"].value))
        if key not in out or (cand[1], cand[2]) < (out[key][1], out[key][2]):
            out[key] = cand
    return out


def _labels(oxi, cls: str) -> dict[str, str]:
    return {r["n"].value: r["l"].value for r in _q(oxi, f"SELECT ?n ?l WHERE {{ ?n a rkg:{cls} ; rdfs:label ?l }}")}


def _evidence_title(ev) -> str:
    return f"{ev[0]}\n— {ev[1]} [{ev[2]}]" if ev else ""


def diffusion_body(oxi) -> tuple[str, dict]:
    """The reform-diffusion matrix: measures (rows) x zones (columns, grouped and coloured by province)."""
    zones, measures = _labels(oxi, "Zone"), _labels(oxi, "Measure")
    cells = defaultdict(set)
    for r in _q(oxi, "SELECT ?z ?m WHERE { ?z rkg:implements ?m . ?z a rkg:Zone . ?m a rkg:Measure }"):
        if r["z"].value in zones and r["m"].value in measures:
            cells[r["m"].value].add(r["z"].value)
    evidence = _first_evidence(oxi, ("implements",))
    province = zone_provinces(oxi)
    adopters = Counter(z for zs in cells.values() for z in zs)
    all_rows = sorted(cells, key=lambda m: (-len(cells[m]), measures[m], m))
    all_cols = sorted(adopters, key=lambda z: (province.get(z, ""), -adopters[z], zones[z], z))
    rows, cols = all_rows[:MAX_ROWS], sorted(sorted(adopters, key=lambda z: (-adopters[z], z))[:MAX_COLS],
                                              key=all_cols.index)
    provinces = sorted({province.get(z, "") for z in cols})
    colour = {p: PROVINCE_COLORS[i % len(PROVINCE_COLORS)] for i, p in enumerate(provinces)}
    info = {"rows": len(rows), "cols": len(cols), "cells": sum(len(v) for v in cells.values()),
            "provinces": len(provinces)}
    out = ["<h1>改革扩散矩阵 Reform-diffusion matrix</h1>",
           f"<p class=note>{len(all_rows)} measures implemented by {len(all_cols)} zones in {len(provinces)} "
           f"provinces; a coloured cell means the zone implements the measure (colour = the zone's province; "
           f"hover a cell for the evidence sentence). Rows: most widely adopted first.</p>"]
    if len(rows) < len(all_rows) or len(cols) < len(all_cols):
        out.append(f"<p class=note>Showing {len(rows)} of {len(all_rows)} measures and {len(cols)} of "
                   f"{len(all_cols)} zones (the most widely adopted measures and the most active zones).</p>")
    if not rows:
        out.append("<p class=empty>No zone in this graph implements a named measure yet.</p>")
        return "\n".join(out), info
    out.append("<div class=legend>" + "".join(
        f"<span style=\"background:{colour[p]}\">{_esc(p)}</span>" for p in provinces) + "</div>")
    out.append("<div class=wrap><table class=matrix><thead><tr><th class=corner>措施 measure \\ 园区 zone</th>")
    out += [f"<th class=col style=\"background:{colour[province.get(z, '')]}\" "
            f"title=\"{_esc(zones[z] + ' — ' + province.get(z, ''))}\"><span>{_esc(_head(zones[z]))}</span></th>" for z in cols]
    out.append("<th class=col title=\"zones\"><span>园区数</span></th></tr></thead><tbody>")
    for m in rows:
        tds = []
        for z in cols:
            if z in cells[m]:
                title = _evidence_title(evidence.get((z, "implements", m)))
                tds.append(f"<td class=on style=\"background:{colour[province.get(z, '')]}\" "
                           f"title=\"{_esc(zones[z] + ' 实施 ' + measures[m] + chr(10) + title)}\">●</td>")
            else:
                tds.append("<td></td>")
        out.append(f"<tr><th class=row title=\"{_esc(measures[m])}\">{_esc(measures[m])}</th>{''.join(tds)}"
                   f"<td class=total>{len(cells[m])}</td></tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out), info


def responsibility_body(oxi, focus: str | None = None) -> tuple[str, dict]:
    """One responsibility matrix per plan: its tasks (rows) x agencies (columns), lead vs shared."""
    policies, measures, agencies = _labels(oxi, "Policy"), _labels(oxi, "Measure"), _labels(oxi, "Agency")
    alt = defaultdict(set)
    for r in _q(oxi, "SELECT ?n ?a WHERE { ?n a rkg:Policy ; skos:altLabel ?a }"):
        alt[r["n"].value].add(r["a"].value)
    tasks = defaultdict(set)
    for r in _q(oxi, "SELECT ?m ?p WHERE { ?m rkg:partOf ?p . ?m a rkg:Measure . ?p a rkg:Policy }"):
        if r["m"].value in measures and r["p"].value in policies:
            tasks[r["p"].value].add(r["m"].value)
    role = {}
    for r in _q(oxi, """SELECT ?a ?p ?m WHERE { VALUES ?p { rkg:leads rkg:responsibleFor }
                         ?a ?p ?m . ?a a rkg:Agency . ?m a rkg:Measure }"""):
        a, m, p = r["a"].value, r["m"].value, _local(r["p"].value)
        if a in agencies and m in measures and role.get((m, a)) != "leads":
            role[(m, a)] = p
    evidence = _first_evidence(oxi, ("partOf", "leads", "responsibleFor"))
    by_task = defaultdict(set)
    for m, a in role:
        by_task[m].add(a)
    # Tasks keep the order of the text: the earliest sentence that places them in the plan
    # (or, failing that, that names their agencies).
    earliest = {}
    for (s, _, o), ev in evidence.items():
        for x in (s, o):
            earliest[x] = min(earliest.get(x, ev[2]), ev[2])
    plans = [p for p in tasks if any(by_task[m] for m in tasks[p])]
    if focus:
        plans = [p for p in plans if policies[p] == focus or focus in alt[p] or focus in policies[p]]
        if not plans:
            raise KgError(f"no plan with tasks and agencies matches '{focus}'; leave out --focus to see all plans")
    plans.sort(key=lambda p: (-len(tasks[p]), policies[p], p))
    out = ["<h1>责任矩阵 Responsibility matrix</h1>",
           "<p class=note>Each plan's tasks (rows, in the order of the text) against the agencies named for them: "
           "<span class=lead>牵头 lead</span> <span class=shared>参与 shared</span> (hover a cell for the evidence).</p>"]
    info = {"plans": len(plans), "tasks": 0, "agencies": 0}
    if not plans:
        out.append("<p class=empty>No plan in this graph names lead or responsible agencies for its tasks.</p>")
    for p in plans:
        def first(m, p=p):
            ev = evidence.get((m, "partOf", p))
            return (ev[2] if ev else earliest.get(m, 10 ** 12), measures[m], m)
        rows = sorted(tasks[p], key=first)
        cols = sorted({a for m in rows for a in by_task[m]},
                      key=lambda a: (-sum(role.get((m, a)) == "leads" for m in rows),
                                     -sum((m, a) in role for m in rows), agencies[a], a))
        info["tasks"] += len(rows)
        info["agencies"] = max(info["agencies"], len(cols))
        shown_rows, shown_cols = rows[:MAX_ROWS], cols[:MAX_COLS]
        out.append(f"<h2>{_esc(policies[p])}</h2><p class=note>{len(rows)} tasks, {len(cols)} agencies"
                   + (f"; showing {len(shown_rows)} tasks and {len(shown_cols)} agencies" if
                      (len(shown_rows), len(shown_cols)) != (len(rows), len(cols)) else "") + ".</p>")
        out.append("<div class=wrap><table class=matrix><thead><tr><th class=corner>任务 task \\ 单位 agency</th>")
        out += [f"<th class=col title=\"{_esc(agencies[a])}\"><span>{_esc(_head(agencies[a]))}</span></th>" for a in shown_cols]
        out.append("<th class=col title=\"lead\"><span>牵头</span></th><th class=col title=\"shared\"><span>参与</span></th></tr></thead><tbody>")
        for i, m in enumerate(shown_rows, 1):
            tds = []
            for a in shown_cols:
                kind = role.get((m, a))
                if kind is None:
                    tds.append("<td></td>")
                    continue
                word = "牵头" if kind == "leads" else "参与"
                title = f"{agencies[a]} {word} {measures[m]}\n{_evidence_title(evidence.get((a, kind, m)))}"
                tds.append(f"<td class=\"{'lead' if kind == 'leads' else 'shared'}\" title=\"{_esc(title)}\">{word}</td>")
            leads = sum(role.get((m, a)) == "leads" for a in cols)
            shared = sum(role.get((m, a)) == "responsibleFor" for a in cols)
            out.append(f"<tr><th class=row title=\"{_esc(measures[m])}\">{i}. {_esc(measures[m])}</th>{''.join(tds)}"
                       f"<td class=total>{leads}</td><td class=total>{shared}</td></tr>")
        out.append("</tbody></table></div>")
    return "\n".join(out), info


def write_matrix(oxi, output: Path, view: str, focus: str | None = None) -> dict:
    """Write the diffusion or responsibility matrix as a static HTML page (no script)."""
    body, info = diffusion_body(oxi) if view == "diffusion" else responsibility_body(oxi, focus)
    title = {"diffusion": "Reform KG — reform-diffusion matrix", "responsibility": "Reform KG — responsibility matrix"}[view]
    page = MATRIX_TEMPLATE.read_text(encoding="utf-8").replace("<!--TITLE-->", title)
    # The body goes in last and only once, so nothing inside it is ever read as a marker.
    head, _, tail = page.partition("<!--BODY-->")
    _write(output, head + body + tail)
    return info


def _write(output: Path, text: str) -> None:
    output = Path(output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        raise KgError(f"{output}: cannot write the view ({e.strerror})") from None


def write_view(oxi, output: Path, view: str = "graph", focus: str | None = None, depth: int = 2,
               types: list[str] | None = None, size: str = "degree", max_nodes: int = MAX_NODES) -> dict:
    """Write one view (graph, diffusion or responsibility) to ``output``; returns counts of what was drawn."""
    if view not in VIEWS:
        raise KgError(f"unknown view '{view}'; choose one of {', '.join(VIEWS)}")
    if view == "graph":
        return write_graph(oxi, Path(output), focus=focus, depth=depth, types=types, size=size, max_nodes=max_nodes)
    return write_matrix(oxi, Path(output), view, focus=focus)
