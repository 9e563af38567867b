"""Cross-validation by document over every gold text, and the locked split scored once.

    python -m kg.learn.crossval [--ner none lac] [--folds 5] [--locked] [--json OUT] [--show N] [--readme FILE]

Folds are by document, each kind (news, law, report, plan) dealt round-robin so every fold has
its share. In each fold the entity CRF and the relation classifier are trained on the other
folds' texts only, then the held-out texts are extracted and scored with evaluate.py's matching
(kg.learn.score). The locked split (data/gold/split.json) is never a training or a test fold:
``--locked`` trains on all the other texts and scores it, once, at the end of a session.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

from .gold import GoldDoc, folds, load_all, locked_ids
from .score import Tally, score
from .train import extractor, fit_entities, fit_relations

log = logging.getLogger(__name__)


def fit(train_docs: list[GoldDoc], ner: str, workdir: Path, seqs: dict | None = None):
    """Every model trained on these documents only: (entity tagger, relation model, figure model)."""
    tagger = fit_entities(train_docs, ner, workdir / f"entity-{ner}.crfsuite", seqs)
    return (tagger, *fit_relations(train_docs, ner, tagger))


def crossvalidate(docs: list[GoldDoc], ner: str, k: int = 5, show: int = 0, progress=None) -> dict[str, Tally]:
    """Summed held-out scores: "all", and by source (seed/train/pool) and by kind."""
    out: dict[str, Tally] = {"all": Tally()}
    seqs: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, fold in enumerate(folds(docs, k)):
            held = {d.id for d in fold}
            ex = extractor(ner, *fit([d for d in docs if d.id not in held], ner, Path(tmp), seqs))
            for d in fold:
                t = score(ex, [d], show)
                for key in ("all", "source:" + d.source, "kind:" + d.kind):
                    out.setdefault(key, Tally()).merge(t)
            if progress:
                progress(f"fold {i + 1}/{k} scored ({len(fold)} texts)")
    return out


def locked(docs: list[GoldDoc], held: list[GoldDoc], ner: str, show: int = 0) -> dict[str, Tally]:
    """Train on ``docs``, score ``held`` (the locked split)."""
    out: dict[str, Tally] = {"all": Tally()}
    with tempfile.TemporaryDirectory() as tmp:
        ex = extractor(ner, *fit(docs, ner, Path(tmp)))
        for d in held:
            t = score(ex, [d], show)
            for key in ("all", "source:" + d.source, "kind:" + d.kind):
                out.setdefault(key, Tally()).merge(t)
    return out


def _line(name: str, s: dict) -> str:
    return (f"{name:<16} {s['docs']:4d}  entity {s['entity']['f']:.3f}  relation {s['relation']['f']:.3f}"
            f"  observation {s['observation']['f']:.3f}")


def tables(report: dict, settings: list[str]) -> str:
    """The README's quality section: headline, by kind and source, per class, per relation."""
    def cell(s: dict) -> str:
        return f"{s['entity']['f']:.3f} | {s['relation']['f']:.3f} | {s['observation']['f']:.3f}"

    n, nl, k = report["texts"], report["locked_texts"], report["folds"]
    lines = [f"{k}-fold cross-validation by document over the {n} gold texts outside the locked split "
             f"(seed, `../shared/train/` and the project's own `data/gold/pool.json`), both models "
             f"retrained in each fold on the other folds only; the locked split ({nl} texts, drawn before "
             f"any tuning, never read while tuning) scored once by models trained on all {n}. "
             f"Micro F1 with `../shared/eval/evaluate.py`'s matching, each text scored alone.", "",
             "| texts | --ner | texts | entity F1 | relation F1 | observation F1 |", "|---|---|---|---|---|---|"]
    for ner in settings:
        cv = report.get(f"cv-{ner}", {})
        for key, name in [("all", "**cross-validation, all**"), ("source:seed", "cv: seed texts (the grammars' in-sample texts)"),
                          ("source:train", "cv: `../shared/train`"), ("source:pool", "cv: `data/gold/pool.json`"),
                          ("kind:news", "cv: news"), ("kind:law", "cv: laws and regulations"),
                          ("kind:report", "cv: work reports"), ("kind:plan", "cv: plans with assignments")]:
            if key in cv:
                lines.append(f"| {name} | {ner} | {cv[key]['docs']} | {cell(cv[key])} |")
        lk = report.get(f"locked-{ner}", {})
        if "all" in lk:
            lines.append(f"| **locked split** | {ner} | {lk['all']['docs']} | {cell(lk['all'])} |")
    for what, title in (("classes", "class"), ("relations", "relation")):
        lines += ["", f"Per {title}, cross-validation over all texts (P / R / F1, gold count):", "",
                  f"| {title} | gold | " + " | ".join(f"{s} P | {s} R | {s} F1" for s in settings) + " |",
                  "|---|---|" + "---|---|---|" * len(settings)]
        names = sorted({c for s in settings for c in report.get(f"cv-{s}", {}).get("all", {}).get(what, {})})
        for c in names:
            cells, gold = [], 0
            for s in settings:
                v = report[f"cv-{s}"]["all"][what].get(c, {"p": 0, "r": 0, "f": 0, "gold": 0})
                gold = v["gold"]
                cells.append(f"{v['p']:.2f} | {v['r']:.2f} | {v['f']:.3f}")
            lines.append(f"| {c} | {gold} | " + " | ".join(cells) + " |")
    plan = {s: report.get(f"cv-{s}", {}).get("kind:plan", {}).get("relations", {}) for s in settings}
    bits = [f"{p} {plan[s][p]['f']:.3f} (`--ner {s}`, {plan[s][p]['gold']} gold)" for s in settings
            for p in ("leads", "responsibleFor") if p in plan[s]]
    if bits:
        lines += ["", "Assignments on the plans that have them (the seed plans; cross-validated): " + ", ".join(bits) + "."]
    return "\n".join(lines)


def write_readme(path: Path, report: dict, settings: list[str]) -> None:
    import re

    text = path.read_text(encoding="utf-8")
    table = tables(report, settings)
    if "<!-- cv:start -->" not in text:
        raise SystemExit(f"{path}: no <!-- cv:start --> / <!-- cv:end --> markers to write between")
    text = re.sub(r"(<!-- cv:start -->\n).*?(<!-- cv:end -->)", lambda m: m.group(1) + table + "\n" + m.group(2),
                  text, flags=re.S)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kg.learn.crossval", description=__doc__.splitlines()[0])
    ap.add_argument("--ner", nargs="+", default=["none", "lac"], choices=["none", "lac"])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--locked", action="store_true", help="also score the locked split (once a session)")
    ap.add_argument("--json", type=Path, help="write every figure here")
    ap.add_argument("--show", type=int, default=0, help="keep this many error examples per text")
    ap.add_argument("--readme", type=Path, help="write the tables between the cv markers of this file")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    all_docs = load_all()
    lock = locked_ids()
    docs = [d for d in all_docs if d.id not in lock]
    held = [d for d in all_docs if d.id in lock]
    t0 = time.time()

    def progress(msg: str) -> None:
        print(f"  [{time.time() - t0:6.0f} s] {msg}", file=sys.stderr, flush=True)

    report: dict = {"texts": len(docs), "locked_texts": len(held), "folds": a.folds}
    for ner in a.ner:
        print(f"--ner {ner}: {a.folds}-fold cross-validation over {len(docs)} texts", file=sys.stderr)
        cv = crossvalidate(docs, ner, a.folds, a.show, progress)
        report[f"cv-{ner}"] = {k: t.summary() for k, t in sorted(cv.items())}
        for k in sorted(cv):
            print(_line(f"cv {ner} {k}", cv[k].summary()))
        if a.show:
            report[f"cv-{ner}-examples"] = dict(cv["all"].examples)
        if a.locked and held:
            lk = locked(docs, held, ner, a.show)
            report[f"locked-{ner}"] = {k: t.summary() for k, t in sorted(lk.items())}
            for k in sorted(lk):
                print(_line(f"locked {ner} {k}", lk[k].summary()))
    if a.readme:
        write_readme(a.readme, report, a.ner)
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
