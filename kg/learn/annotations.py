"""The project's own annotations: kept with evidence as offsets, compared pass against pass.

    python -m kg.learn.annotations import FINAL.json [--pass batchN-A FIRST.json ...]
    python -m kg.learn.annotations agreement

``import`` turns an annotator's file (evidence quoted, as ANNOTATION.md writes it) into the
project's form (evidence as ``start``/``end`` offsets into ``../shared/pool/texts``) and merges it
into ``data/gold/pool.json``; first passes go to ``data/gold/passes/``. ``agreement`` scores the
two first passes of each batch against each other with evaluate.py's matching, document by
document: the ceiling any extractor can be held to.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .gold import GOLD_DIR, POOL_GOLD, GoldDoc, shared_dir

PASSES = GOLD_DIR / "passes"


def to_offsets(ann: dict, folder: Path) -> dict:
    """The annotation with each quoted evidence replaced by its offsets in the document's text."""
    texts = {d: (folder / f).read_text(encoding="utf-8") for d, f in ann["documents"].items()}
    out = {**ann, "relations": [], "observations": []}
    for key in ("relations", "observations"):
        for item in ann.get(key, []):
            item = dict(item)
            ev = item.pop("evidence", None)
            if ev is not None:
                start = texts[item["doc"]].find(ev)
                if start < 0:
                    raise ValueError(f"{item['doc']}: evidence not in the text: {ev[:30]}")
                item["start"], item["end"] = start, start + len(ev)
            out[key].append(item)
    return out


def merge_into(path: Path, ann: dict) -> None:
    """Add (or replace) the annotation's documents in a gold file of the project."""
    cur = json.loads(path.read_text(encoding="utf-8")) if path.exists() else \
        {"documents": {}, "entities": [], "relations": [], "observations": [], "notes": []}
    docs = set(ann["documents"])
    cur["documents"] = {**{d: f for d, f in cur["documents"].items() if d not in docs}, **ann["documents"]}
    cur["entities"] = [e for e in cur["entities"] if not set(e["docs"]) & docs] + ann["entities"]
    for key in ("relations", "observations"):
        cur[key] = [x for x in cur[key] if x["doc"] not in docs] + ann.get(key, [])
    cur["notes"] = cur.get("notes", []) + ann.get("notes", [])
    cur["documents"] = dict(sorted(cur["documents"].items()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(cur, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def annotation_graph(ann: dict):
    """An annotation as the graph an extractor would have written (for pass-against-pass scoring)."""
    from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import SKOS

    rkg = Namespace("https://w3id.org/reform-kg/ontology#")
    g = Graph()
    node = {e["id"]: URIRef(f"urn:ann:{e['id']}") for e in ann["entities"]}
    for e in ann["entities"]:
        n = node[e["id"]]
        g.add((n, RDF.type, rkg[e["type"]]))
        g.add((n, RDFS.label, Literal(e["name"])))
        for a in e["aliases"]:
            g.add((n, SKOS.altLabel, Literal(a)))
    for r in ann["relations"]:
        g.add((node[r["s"]], rkg[r["p"]], node[r["o"]]))
    for i, o in enumerate(ann.get("observations", [])):
        n = URIRef(f"urn:ann:obs{i}")
        g.add((n, RDF.type, rkg.Observation))
        g.add((n, rkg.about, node[o["about"]]))
        g.add((n, rkg.value, Literal(str(o["value"]))))
        g.add((n, rkg.unit, Literal(o["unit"])))
    return g


def _per_doc(ann: dict, doc: str) -> dict:
    return {"documents": {doc: ann["documents"][doc]},
            "entities": [e for e in ann["entities"] if doc in e["docs"]],
            "relations": [r for r in ann["relations"] if r["doc"] == doc],
            "observations": [o for o in ann.get("observations", []) if o["doc"] == doc]}


def agreement(first: dict, second: dict):
    """Pass ``first`` scored against pass ``second`` as gold, document by document (a Tally)."""
    from .score import Tally, evaluator

    ev = evaluator()
    tally = Tally()
    for d in sorted(set(first["documents"]) & set(second["documents"])):
        tally.add(ev.evaluate(_per_doc(second, d), annotation_graph(_per_doc(first, d)), None, 0), d)
    return tally


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kg.learn.annotations", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    imp = sub.add_parser("import", help="add a reconciled annotation (and its first passes)")
    imp.add_argument("final", type=Path)
    imp.add_argument("--pass", dest="passes", nargs=2, action="append", default=[], metavar=("NAME", "FILE"))
    sub.add_parser("agreement", help="first pass against first pass, per batch and in all")
    a = ap.parse_args(argv)
    folder = shared_dir() / "pool"
    if a.cmd == "import":
        merge_into(POOL_GOLD, to_offsets(json.loads(a.final.read_text(encoding="utf-8")), folder))
        for name, f in a.passes:
            p = PASSES / f"{name}.json"
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(json.dumps(to_offsets(json.loads(Path(f).read_text(encoding="utf-8")), folder),
                                    ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return 0
    from .score import Tally

    total = Tally()
    rows = {}
    for first in sorted(PASSES.glob("*-A.json")):
        second = first.with_name(first.name.replace("-A.json", "-B.json"))
        if not second.exists():
            continue
        t = agreement(json.loads(first.read_text(encoding="utf-8")), json.loads(second.read_text(encoding="utf-8")))
        total.merge(t)
        rows[first.name[:-7]] = t.summary()
    rows["all"] = total.summary()
    for name, s in rows.items():
        print(f"{name:<10} docs {s['docs']:3d}  entity F1 {s['entity']['f']:.3f}  relation F1 {s['relation']['f']:.3f}"
              f"  observation F1 {s['observation']['f']:.3f}")
    (GOLD_DIR / "agreement.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
