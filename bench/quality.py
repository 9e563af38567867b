"""Dev-set quality: all five seed texts, and each text on its own (leave-one-document-out).

For each seed document, the graph is built from that document alone and scored by
../shared/eval/evaluate.py against the gold restricted to that document, so the
rules are judged on a text as if the other four had been the only ones seen.
Writes the table between the quality markers of README.md with --write.

    python bench/quality.py [--write] [--ner none]
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = ROOT / "data" / "corpus"


def kg(*args) -> None:
    subprocess.run([sys.executable, "-m", "kg", *map(str, args)], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def score(files: list[Path], gold: dict, work: Path) -> dict:
    store, nt, gf = work / "store", work / "g.nt", work / "gold.json"
    kg("build", *files, "--store", store)
    kg("export", "--store", store, "--format", "nt", "--output", nt)
    gf.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    out = subprocess.run([sys.executable, str(SHARED / "eval" / "evaluate.py"), "--gold", str(gf),
                          "--graph", str(nt), "--corpus", str(CORPUS), "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out[: out.rindex("}") + 1])


def gold_for(gold: dict, doc: str) -> dict:
    ents = [e for e in gold["entities"] if doc in e["docs"]]
    return {"documents": {doc: gold["documents"][doc]}, "entities": ents,
            "relations": [r for r in gold["relations"] if r["doc"] == doc],
            "observations": [o for o in gold["observations"] if o["doc"] == doc]}


def row(name: str, rep: dict) -> str:
    return (f"| {name} | {rep['entity_micro']['f']:.3f} | {rep['relation_micro']['f']:.3f} | "
            f"{rep['observations']['f']:.3f} | {rep['evidence']['share']:.3f} | "
            f"{rep['evidence'].get('offsets_ok', 0):.3f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="update the table in README.md")
    a = ap.parse_args()
    gold = json.loads((SHARED / "eval" / "gold-dev.json").read_text(encoding="utf-8"))
    lines = ["| texts | entity F1 | relation F1 | observation F1 | evidence | offsets_ok |",
             "|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rep = score(sorted(CORPUS.glob("*.txt")), gold, tmp / "all")
        lines.append(row("all five (dev set)", rep))
        per_class = rep["entities"]
        for doc, name in sorted(gold["documents"].items()):
            lines.append(row(f"{name} alone", score([CORPUS / name], gold_for(gold, doc), tmp / doc)))
    lines += ["", "| class | P | R | F1 | gold |", "|---|---|---|---|---|"]
    for cls, v in per_class.items():
        lines.append(f"| {cls} | {v['p']:.2f} | {v['r']:.2f} | {v['f']:.2f} | {v['gold']} |")
    table = "\n".join(lines)
    print(table)
    if a.write:
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        text = re.sub(r"(<!-- quality:start -->\n).*?(<!-- quality:end -->)",
                      lambda m: m.group(1) + table + "\n" + m.group(2), text, flags=re.S)
        readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
