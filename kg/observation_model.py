"""Learned attachment of figures to actors (observe, learned).

The grammars (kg.observe) tie a figure to an actor or drop it. Here every figure of a sentence
(kg.observe.figures) gets candidates — the actors named in its sentence, the actor the
grammars chose, the place the document is mainly about — and a logistic regression trained on
the gold texts (kg.learn.observations) scores each (figure, candidate) pair; the best candidate
above the model's threshold becomes the figure's actor, and a figure with none is dropped.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from decimal import Decimal

from .model import Document, Mention, Observation
from .observe import _period, figures

ACTORS = ("Zone", "Company", "Place", "Fund", "Project", "Agency", "Institution")
_STOPS = "，,；;。：:、"


def _bucket(n: int) -> str:
    for limit in (0, 2, 5, 10, 20, 40):
        if n <= limit:
            return str(limit)
    return "far"


def doc_place(mentions: list[Mention]) -> Mention | None:
    """The place a document names most often (a work report's province, a news item's city)."""
    counts = Counter(m.key for m in mentions if m.cls == "Place" and not m.ref)
    if not counts:
        return None
    key = counts.most_common(1)[0][0]
    return next(m for m in mentions if m.cls == "Place" and m.key == key)


def rows(doc: Document, mentions: list[Mention], rule_obs: list[Observation]):
    """(sentence, figure, [(candidate, features)]) for every figure of the document."""
    by_sentence: dict[int, list[Mention]] = defaultdict(list)
    for m in mentions:
        if m.cls in ACTORS:
            by_sentence[m.sentence].append(m)
    start_of = {s.start: s.index for s in doc.sentences}
    chosen: dict[tuple, Mention] = {}
    for o in rule_obs:
        k = start_of.get(o.evidence.start)
        if k is not None:
            chosen[(k, o.value, o.unit)] = o.about
    main = doc_place(mentions)
    freq = Counter(m.key for m in mentions)
    kind = "law" if doc.raw.lstrip().startswith("#") else "other"
    for s in doc.sentences:
        figs = [f for f in figures(s.text) if not f.attributive]
        if not figs:
            continue
        ms = sorted(by_sentence.get(s.index, []), key=lambda m: m.start)
        for f in figs:
            value = Decimal(int(f.value)) if f.value == f.value.to_integral() else f.value.normalize()
            rule = chosen.get((s.index, value, f.unit))
            cands = list(ms)
            for extra in (rule, main):
                if extra is not None and extra not in cands:
                    cands.append(extra)
            out = []
            first = ms[0] if ms else None
            for c in cands:
                local = c.sentence == s.index
                ca, cb = c.start - s.clean_start, c.end - s.clean_start
                if local and ca <= f.num_a < cb:
                    continue                     # a figure inside a name is part of the name
                feats = ["b", "c=" + c.cls, "u=" + f.unit, "cu=" + c.cls + "|" + f.unit, "k=" + kind,
                         "rule" if rule is not None and c.key == rule.key else "norule",
                         "rulenone" if rule is None else "rulesome",
                         "main" if main is not None and c.key == main.key else "notmain",
                         "n=" + _bucket(freq[c.key]), "ref=" + str(c.ref)]
                if local:
                    before = cb <= f.a
                    gap = s.text[cb:f.a] if before else s.text[f.b:ca]
                    lo, hi = (cb, f.a) if before else (f.b, ca)
                    between = sum(1 for m in ms if lo <= m.start - s.clean_start and m.end - s.clean_start <= hi)
                    feats += ["pos=" + ("before" if before else "after"), "g=" + _bucket(len(gap)),
                              "cut=" + str(any(ch in _STOPS for ch in gap)),
                              "first" if c is first else "notfirst",
                              "start=" + str(ca <= 1), "nb=" + str(min(3, between))]
                    feats += ["w=" + gap[i:i + 2] for i in range(0, min(len(gap) - 1, 12))]
                    feats.append("pc=" + c.cls + "|" + ("before" if before else "after") + "|" + _bucket(len(gap)))
                else:
                    feats.append("pos=doc")
                out.append((c, feats))
            yield s, f, value, out


def _score(model: dict, feats: list[str]) -> float:
    w = model["weights"]
    z = model["bias"] + sum(w.get(f, 0.0) for f in feats)
    return 1.0 / (1.0 + math.exp(-z))


def _indicator(text: str, f) -> str:
    """The words before the figure back to the clause start (what the figure measures)."""
    i = f.a
    while i > 0 and text[i - 1] not in _STOPS + "（(":
        i -= 1
    return text[i:f.a].strip() or f.default or "数量"


def attach(doc: Document, mentions: list[Mention], rule_obs: list[Observation], model: dict | None) -> list[Observation]:
    """The document's figures with the actor the model picks (the grammars' alone without one)."""
    if model is None:
        return rule_obs
    by_key = {}
    start_of = {s.start: s.index for s in doc.sentences}
    for o in rule_obs:
        by_key[(start_of.get(o.evidence.start), o.value, o.unit)] = o
    out = []
    for s, f, value, cands in rows(doc, mentions, rule_obs):
        best, top = None, model["threshold"]
        for c, feats in cands:
            p = _score(model, feats)
            if p >= top:
                best, top = c, p
        if best is None:
            continue
        old = by_key.get((s.index, value, f.unit))
        indicator = old.indicator if old is not None else _indicator(s.text, f)
        period = old.period if old is not None else _period(s.text, f.num_a)
        out.append(Observation(best, indicator, value, f.unit, period, doc.evidence(s.index)))
    return out
