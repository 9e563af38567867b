"""Learned entity labelling: a character CRF over the grammars' candidates (recognise → label).

The grammars (kg.recognise) propose mentions; the CRF, trained on the gold texts with those
proposals among its features (kg.features), decides the spans and classes that become
mentions. A grammar mention survives when the CRF labels the same span, when it lies inside a
span the CRF labelled (places and bodies named inside a zone or a policy title), when no CRF
span overlaps it, or when it is a reference (该区) that carries the name it stands for.
"""
from __future__ import annotations

from collections import defaultdict

from .features import bio_spans, char_features
from .model import Document, Mention


def sentence_rows(rec, use_lac: bool):
    """(sentence, features, rule mentions by span) for each sentence the grammars read."""
    known: dict[str, bool] = {}      # a document repeats its words: look each up once
    by_sentence: dict[int, list[Mention]] = defaultdict(list)
    for m in rec.mentions:
        by_sentence[m.sentence].append(m)
    for k, st in enumerate(rec.sents):
        own = by_sentence.get(st.index, [])
        spans = [(m.start - st.base, m.end - st.base, m.cls) for m in own if not m.ref
                 and 0 <= m.start - st.base < m.end - st.base <= len(st.text)]
        lac = rec.model_spans[k] if use_lac and k < len(rec.model_spans) else None
        feats = char_features(st.text, [(t.word, t.flag) for t in st.toks], spans, lac, _common(st, known))
        yield st, feats, own


def _common(st, known: dict[str, bool]):
    """Words the general dictionary knows well (not names): features by identity."""
    if st.freq is None:
        return None

    def common(w: str) -> bool:
        hit = known.get(w)
        if hit is None:
            hit = known[w] = not st.rare(w, COMMON)
        return hit
    return common


KEEP = 0.0   # dropping grammar mentions the CRF doubts: no gain in cross-validation (0.1, 0.3 tried)
COMMON = 1000       # jieba dictionary frequency from which a word counts as general vocabulary
# A span the CRF proposes that no grammar proposed alike must have this mean probability of its
# labels: on two training folds, the spans below 0.7 were right 15 times in 46, and the grammar
# mentions they displaced right 11 times.
MIN_CONF = 0.7


def label(doc: Document, rec, crf, use_lac: bool) -> list[Mention]:
    """The document's mentions after the CRF has had its say (the grammars' alone without one)."""
    if crf is None:
        return rec.mentions
    out: list[Mention] = []
    for st, feats, own in sentence_rows(rec, use_lac):
        labels = crf.tag(feats) if feats else []
        exact = {(m.start, m.end): m for m in own if not m.ref}
        chosen = []
        for a0, b0, cls in bio_spans(labels):
            a, b = _trim(st.text, a0, b0)
            if b <= a:
                continue
            s, e = st.base + a, st.base + b
            m = exact.get((s, e))
            if m is not None and m.cls == cls:
                chosen.append(m)
            elif _confidence(crf, labels, a0, b0) >= MIN_CONF:
                chosen.append(Mention(cls, doc.text[s:e], st.index, s, e))
        for m in own:
            if m in chosen:
                continue
            # kept unless it overlaps a span the CRF labelled otherwise (chosen by
            # cross-validation over dropping what the CRF left unlabelled: the CRF's recall on
            # people and bodies the grammars know is lower than the grammars')
            if m.ref or (not any(c.start < m.end and m.start < c.end for c in chosen)
                         and _support(crf, m.start - st.base, m.end - st.base) >= KEEP) or any(
                    c.start <= m.start and m.end <= c.end and (c.start, c.end) != (m.start, m.end) for c in chosen):
                chosen.append(m)
        out += sorted(chosen, key=lambda m: (m.start, -m.end))
    return out


def _confidence(crf, labels: list[str], a: int, b: int) -> float:
    """The CRF's mean marginal probability of the labels it gave the characters a..b."""
    return sum(crf.marginal(labels[i], i) for i in range(a, b)) / max(b - a, 1)


def _support(crf, a: int, b: int) -> float:
    """The CRF's mean probability that the characters a..b belong to some mention."""
    if KEEP <= 0:
        return 1.0
    return sum(1.0 - crf.marginal("O", i) for i in range(a, b)) / max(b - a, 1)


_EDGE = set(" \t、，,。；;：:#＃")


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in _EDGE:
        a += 1
    while b > a and text[b - 1] in _EDGE:
        b -= 1
    return a, b
