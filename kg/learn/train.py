"""``make train``: rebuild every shipped model from the gold texts, deterministically.

    python -m kg.learn.train [--out kg/models] [--ner none lac]

Trains on every gold text except the locked split (data/gold/split.json), so the locked split
stays a fair test of exactly the models that ship. Writes:

- ``entity-none.crfsuite``, ``entity-lac.crfsuite``: the character CRFs (kg.entity_model);
- ``relation.json``: the relation classifier (kg.relation_model), and ``observation.json``: the
  figure-to-actor model (kg.observation_model), trained on what the ``none`` setting finds;
- ``training.json``: what they were trained on (texts, parameters, library versions).

The same gold texts and libraries give the same files byte for byte (no timestamps, sorted keys).
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from . import entities, observations, relations
from .gold import GoldDoc, load_all, locked_ids

log = logging.getLogger(__name__)

MODELS = Path(__file__).resolve().parents[1] / "models"


def extractor(ner: str, crf=None, rel=None, obs=None):
    from ..pipeline import Extractor

    return Extractor(ner=ner, entity_crf=crf, relation_model=rel, observation_model=obs)


def fit_entities(docs: list[GoldDoc], ner: str, path: Path, seqs: dict | None = None):
    """Train the entity CRF for this --ner setting into ``path``; returns a tagger on it."""
    import pycrfsuite

    seqs = seqs if seqs is not None else {}
    base = extractor(ner)
    for d in docs:
        if d.id not in seqs:
            seqs[d.id] = entities.sequences(base, d, ner == "lac")
    entities.train([s for d in docs for s in seqs[d.id]], path)
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    return tagger


def fit_relations(docs: list[GoldDoc], ner: str, tagger) -> tuple[dict, dict]:
    """The relation classifier and the figure model, trained on what this entity model finds."""
    allowed = relations.allowed_pairs(docs)
    ex = extractor(ner, tagger, None)
    rows, figs = [], []
    for d in docs:
        x = ex.extract(d.read(ex))
        rows += relations.examples(d, x, x.relations, allowed)
        figs += observations.examples(d, x, x.observations)
    return relations.train(rows, allowed), observations.train(figs)


def write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n",
                    encoding="utf-8")


def _versions() -> dict:
    from importlib.metadata import version

    out = {}
    for dist in ("python-crfsuite", "scikit-learn", "scipy", "numpy", "jieba"):
        try:
            out[dist] = version(dist)
        except Exception:           # a library that is not installed is simply not listed
            pass
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kg.learn.train", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=MODELS)
    ap.add_argument("--ner", nargs="+", default=["none", "lac"], choices=["none", "lac"])
    a = ap.parse_args(argv)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    lock = locked_ids()
    docs = [d for d in load_all() if d.id not in lock]
    if not docs:
        print("train: no gold texts found (is ../shared beside the project, or $KG_SHARED set?)", file=sys.stderr)
        return 2
    a.out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    print(f"train: {len(docs)} gold texts ({len(lock)} locked texts left out)", file=sys.stderr)
    taggers = {}
    for ner in a.ner:
        taggers[ner] = fit_entities(docs, ner, a.out / f"entity-{ner}.crfsuite")
        print(f"  [{time.time() - t0:5.0f} s] entity-{ner}.crfsuite", file=sys.stderr)
    base = "none" if "none" in taggers else a.ner[0]
    rel, obs = fit_relations(docs, base, taggers[base])
    write_json(a.out / "relation.json", rel)
    write_json(a.out / "observation.json", obs)
    print(f"  [{time.time() - t0:5.0f} s] relation.json, observation.json", file=sys.stderr)
    write_json(a.out / "training.json", {
        "texts": sorted(d.id for d in docs), "locked_left_out": len(lock),
        "entity_params": entities.PARAMS,
        "relation_params": {"C": relations.C, "threshold": relations.THRESHOLD, "min_count": relations.MIN_COUNT},
        "observation_params": {"C": observations.C, "threshold": observations.THRESHOLD,
                               "min_count": observations.MIN_COUNT},
        "relation_mentions_from": base, "libraries": _versions()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
