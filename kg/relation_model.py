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
    allowed = {tuple(x) for x in model["allowed"]}
    classes, threshold = model["classes"], model["threshold"]
    in_sentence = {id(r) for r in rule_relations if r.subject.sentence == r.object.sentence}
    out = [r for r in rule_relations if id(r) not in in_sentence or model.get("keep_rules", True)]
    seen = {(r.subject, r.prop, r.object) for r in out}
    for s, o, feats in pair_rows(doc, mentions, rule_relations, allowed):
        p = scores(model, feats)
        k = max(range(len(p)), key=p.__getitem__)
        prop = classes[k]
        if prop == "none" or p[k] < threshold or (s, prop, o) in seen:
            continue
        seen.add((s, prop, o))
        out.append(Relation(s, prop, o, doc.evidence(s.sentence)))
    return out
