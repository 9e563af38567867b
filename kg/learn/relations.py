"""Training data and training of the relation classifier (kg.relation_model).

A candidate pair is labelled with a gold relation's property when its subject and object are
surface forms of that relation's two entities and the pair's sentence overlaps the relation's
evidence; every other candidate is "none".
"""
from __future__ import annotations

import unicodedata
from collections import defaultdict

from ..relation_model import pair_rows
from .gold import GoldDoc

DROP = set("“”‘’\"'「」『』《》〈〉【】")
SYMMETRIC = {"cooperatesWith"}
# inverse regularisation strength and the probability a property needs: by cross-validation
C = 0.5
THRESHOLD = 0.4
MIN_COUNT = 2


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text))
    return "".join(ch for ch in text if not ch.isspace() and ch not in DROP).lower()


def allowed_pairs(docs: list[GoldDoc]) -> set[tuple[str, str]]:
    """The (subject class, object class) pairs that some gold relation links."""
    out = set()
    for d in docs:
        types = {e["id"]: e["type"] for e in d.entities}
        for r in d.relations:
            out.add((types[r["s"]], types[r["o"]]))
            if r["p"] in SYMMETRIC:
                out.add((types[r["o"]], types[r["s"]]))
    return out


def examples(doc: GoldDoc, extraction, rule_relations, allowed) -> list[tuple[list[str], str]]:
    """(features, label) of each candidate pair of one extracted gold document."""
    d = extraction.document
    by_form: dict[str, set[str]] = defaultdict(set)
    for e in doc.entities:
        for a in [*e["aliases"], e["name"]]:
            by_form[norm(a)].add(e["id"])
    raw = d.raw
    gold: dict[tuple[str, str], list[tuple[str, int, int]]] = defaultdict(list)
    for r in doc.relations:
        ev = r.get("evidence", "")
        spans = []
        i = raw.find(ev) if ev else -1
        while i >= 0:
            spans.append((i, i + len(ev)))
            i = raw.find(ev, i + 1)
        for a, b in spans or [(0, len(raw))]:
            gold[(r["s"], r["o"])].append((r["p"], a, b))
            if r["p"] in SYMMETRIC:
                gold[(r["o"], r["s"])].append((r["p"], a, b))
    sents = {s.index: s for s in d.sentences}
    out = []
    for s, o, feats in pair_rows(d, extraction.mentions, rule_relations, allowed):
        st = sents[s.sentence]
        label = "none"
        for es in by_form.get(norm(s.key), set()) | by_form.get(norm(s.text), set()):
            for eo in by_form.get(norm(o.key), set()) | by_form.get(norm(o.text), set()):
                for p, a, b in gold.get((es, eo), ()):
                    if a < st.end and st.start < b:
                        label = p
        out.append((feats, label))
    return out


def train(rows: list[tuple[list[str], str]], allowed, c: float = C, threshold: float = THRESHOLD) -> dict:
    """A multinomial logistic regression as a plain dict (JSON-able; no scikit-learn at run time)."""
    from .linear import fit

    classes = sorted({y for _, y in rows} | {"none"})
    vocab, lr = fit([f for f, _ in rows], [classes.index(lab) for _, lab in rows], c, MIN_COUNT)
    coef = lr.coef_
    if len(lr.classes_) == 2:        # binary: scikit-learn keeps one row; make it two
        coef = [[-x / 2 for x in coef[0]], [x / 2 for x in coef[0]]]
        bias = [-lr.intercept_[0] / 2, lr.intercept_[0] / 2]
    else:
        bias = list(lr.intercept_)
    present = [classes[k] for k in lr.classes_]
    weights = {}
    for f, i in vocab.items():
        row = [[k, round(float(coef[k][i]), 4)] for k in range(len(present)) if abs(coef[k][i]) >= 1e-3]
        if row:
            weights[f] = row
    return {"classes": present, "bias": [round(float(b), 4) for b in bias], "weights": weights,
            "allowed": sorted([list(p) for p in allowed]), "threshold": threshold, "keep_rules": True}
