"""Training data and training of the figure-to-actor model (kg.observation_model).

A (figure, candidate) pair is positive when a gold observation of the document has the figure's
value (within evaluate.py's 0.5%) and unit and the candidate is a surface form of its actor.
"""
from __future__ import annotations

from collections import defaultdict

from ..observation_model import rows
from .gold import GoldDoc
from .relations import norm

C = 0.5
THRESHOLD = 0.35
MIN_COUNT = 2


def examples(doc: GoldDoc, extraction, rule_obs) -> list[tuple[list[str], int]]:
    forms: dict[str, set[str]] = defaultdict(set)
    for e in doc.entities:
        for a in [*e["aliases"], e["name"]]:
            forms[e["id"]].add(norm(a))
    gold = [(float(o["value"]), o["unit"], forms.get(o["about"], set())) for o in doc.observations]
    out = []
    for _, f, value, cands in rows(extraction.document, extraction.mentions, rule_obs):
        v = float(value)
        for c, feats in cands:
            names = {norm(c.key), norm(c.text)}
            ok = any(u == f.unit and abs(gv - v) <= 0.005 * max(abs(gv), 1e-9) and names & fs for gv, u, fs in gold)
            out.append((feats, int(ok)))
    return out


def train(data: list[tuple[list[str], int]], c: float = C, threshold: float = THRESHOLD) -> dict:
    from .linear import fit

    vocab, lr = fit([f for f, _ in data], [lab for _, lab in data], c, MIN_COUNT)
    weights = {f: round(float(lr.coef_[0][i]), 4) for f, i in vocab.items() if abs(lr.coef_[0][i]) >= 1e-3}
    return {"bias": round(float(lr.intercept_[0]), 4), "weights": weights, "threshold": threshold}
