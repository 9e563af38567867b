"""Learned relations: a classifier over the mention pairs of each sentence (relate, learned).

Every ordered pair of mentions in one sentence whose classes the training data ever linked is a
candidate; its features (kg.features.pair_features: the classes, their order and nesting, the
characters between and around them, the grammars' own proposal) go through a multinomial
logistic regression trained on the gold texts (kg.learn.relations). A pair becomes a relation
when its best class is a property with probability at least the model's threshold, chosen by
cross-validation. The grammars' relations across sentences (a plan's headings and its
assignment lists, kg.outline) are kept as they are.
"""
from __future__ import annotations

import math
from collections import defaultdict

from .features import pair_features
from .model import Document, Mention, Relation


def candidates(doc: Document, mentions: list[Mention], allowed) -> list[tuple[Mention, Mention]]:
    """Ordered pairs of distinct mentions of one sentence whose classes may be related."""
    by_sentence: dict[int, list[Mention]] = defaultdict(list)
    for m in mentions:
        by_sentence[m.sentence].append(m)
    out = []
    for _, ms in sorted(by_sentence.items()):
        # a total order: mentions of one span and class can differ in name, and a set's order
        # depends on the process's string hashes (workers would write their relations in
        # another order than the parent)
        ms = sorted(set(ms), key=lambda m: (m.start, -m.end, m.cls, m.text, m.name, m.ref, m.attrs))
        for s in ms:
            for o in ms:
                if s is o or (s.start, s.end) == (o.start, o.end) or (s.cls, o.cls) not in allowed:
                    continue
                if s.key == o.key:
                    continue
                out.append((s, o))
    return out


def sentence_proposals(relations: list[Relation]) -> dict[tuple, set[str]]:
    """The grammars' relations by (subject span, object span): a feature of each pair."""
    out: dict[tuple, set[str]] = defaultdict(set)
    for r in relations:
        out[(r.subject.start, r.subject.end, r.object.start, r.object.end)].add(r.prop)
    return out


def pair_rows(doc: Document, mentions: list[Mention], rule_relations: list[Relation], allowed):
    """(subject, object, features) for each candidate pair of the document."""
    props = sentence_proposals(rule_relations)
    sents = {s.index: s for s in doc.sentences}
    ms_by_sentence: dict[int, list[Mention]] = defaultdict(list)
    for m in mentions:
        ms_by_sentence[m.sentence].append(m)
    for s, o in candidates(doc, mentions, allowed):
        st = sents[s.sentence]
        fwd = props.get((s.start, s.end, o.start, o.end), ())
        back = props.get((o.start, o.end, s.start, s.end), ())
        yield s, o, pair_features(st.text, st.clean_start, s, o, ms_by_sentence[s.sentence], fwd, back)


class PairModel:
    """The classifier's weights as one matrix, so a document's pairs are scored in a few array
    operations instead of a Python loop per feature and class."""

    def __init__(self, model: dict):
        import numpy as np

        self.classes = model["classes"]
        self.threshold = model["threshold"]
        self.allowed = {tuple(x) for x in model["allowed"]}
        self.keep_rules = model.get("keep_rules", True)
        feats = sorted(model["weights"])
        self.index = {f: i for i, f in enumerate(feats)}
        self.W = np.zeros((len(feats) + 1, len(self.classes)))     # last row: unknown features
        for i, f in enumerate(feats):
            for k, v in model["weights"][f]:
                self.W[i, k] = v
        self.bias = np.asarray(model["bias"], dtype=float)

    def probabilities(self, featuresets: list[list[str]]):
        """Class probabilities of each pair (rows), as ``scores`` gives them one by one."""
        import numpy as np

        unknown = len(self.W) - 1
        get = self.index.get
        flat, starts = [], []
        for feats in featuresets:
            starts.append(len(flat))
            flat += [get(f, unknown) for f in feats] or [unknown]
        z = np.add.reduceat(self.W[flat], starts, axis=0) + self.bias
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def compiled(model):
    """A PairModel of a model as trained (a dict), or the PairModel itself; None stays None."""
    return PairModel(model) if isinstance(model, dict) else model


def scores(model: dict, feats: list[str]) -> list[float]:
    """Class probabilities of one pair under the model (softmax of summed weights)."""
    w = model["weights"]
    z = list(model["bias"])
    for f in feats:
        row = w.get(f)
        if row is not None:
            for k, v in row:
                z[k] += v
    top = max(z)
    e = [math.exp(x - top) for x in z]
    t = sum(e)
    return [x / t for x in e]


def classify(doc: Document, mentions: list[Mention], rule_relations: list[Relation],
             model: dict | None) -> list[Relation]:
    """The document's relations: the grammars' alone without a model."""
    if model is None:
        return rule_relations
    model = compiled(model)
    classes, threshold = model.classes, model.threshold
    in_sentence = {id(r) for r in rule_relations if r.subject.sentence == r.object.sentence}
    out = [r for r in rule_relations if id(r) not in in_sentence or model.keep_rules]
    seen = {(r.subject, r.prop, r.object) for r in out}
    rows = list(pair_rows(doc, mentions, rule_relations, model.allowed))
    if not rows:
        return out
    probs = model.probabilities([f for _, _, f in rows])
    best = probs.argmax(axis=1)
    for (s, o, _), k, p in zip(rows, best.tolist(), probs[range(len(rows)), best].tolist()):
        prop = classes[k]
        if prop == "none" or p < threshold or (s, prop, o) in seen:
            continue
        seen.add((s, prop, o))
        out.append(Relation(s, prop, o, doc.evidence(s.sentence)))
    return out
