"""Cross-validation by document over every gold text, and the locked split scored once.

    python -m kg.learn.crossval [--ner none lac] [--folds 5] [--locked] [--json OUT] [--show N]

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

from . import entities, relations
from .gold import GoldDoc, folds, load_all, locked_ids
from .score import Tally, score

log = logging.getLogger(__name__)


def _extractor(ner: str, crf=None, rel=None):
    from ..pipeline import Extractor

    return Extractor(ner=ner, entity_crf=crf, relation_model=rel)


def fit(train_docs: list[GoldDoc], ner: str, workdir: Path, seqs: dict | None = None,
        progress=None) -> tuple[object, dict, Path]:
    """Train the CRF and the relation classifier on these documents: (tagger, model, crf file)."""
    import pycrfsuite

    base = _extractor(ner)
    seqs = seqs if seqs is not None else {}
    for d in train_docs:
        if d.id not in seqs:
            seqs[d.id] = entities.sequences(base, d, ner == "lac")
    path = workdir / f"entity-{ner}.crfsuite"
    entities.train([s for d in train_docs for s in seqs[d.id]], path)
    if progress:
        progress("entity model trained")
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    allowed = relations.allowed_pairs(train_docs)
    ex = _extractor(ner, tagger, None)
    rows = []
    for d in train_docs:
        x = ex.extract(ex.read(d.path))
        rows += relations.examples(d, x, x.relations, allowed)
    model = relations.train(rows, allowed)
    if progress:
        progress("relation model trained")
    return tagger, model, path


def crossvalidate(docs: list[GoldDoc], ner: str, k: int = 5, show: int = 0, progress=None) -> dict[str, Tally]:
    """Summed held-out scores: "all", and by source (seed/train/pool) and by kind."""
    out: dict[str, Tally] = {"all": Tally()}
    seqs: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, fold in enumerate(folds(docs, k)):
            held = {d.id for d in fold}
            tagger, model, _ = fit([d for d in docs if d.id not in held], ner, Path(tmp), seqs)
            ex = _extractor(ner, tagger, model)
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
        tagger, model, _ = fit(docs, ner, Path(tmp))
        ex = _extractor(ner, tagger, model)
        for d in held:
            t = score(ex, [d], show)
            for key in ("all", "source:" + d.source, "kind:" + d.kind):
                out.setdefault(key, Tally()).merge(t)
    return out


def _line(name: str, s: dict) -> str:
    return (f"{name:<16} {s['docs']:4d}  entity {s['entity']['f']:.3f}  relation {s['relation']['f']:.3f}"
            f"  observation {s['observation']['f']:.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kg.learn.crossval", description=__doc__.splitlines()[0])
    ap.add_argument("--ner", nargs="+", default=["none", "lac"], choices=["none", "lac"])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--locked", action="store_true", help="also score the locked split (once a session)")
    ap.add_argument("--json", type=Path, help="write every figure here")
    ap.add_argument("--show", type=int, default=0, help="keep this many error examples per text")
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
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
