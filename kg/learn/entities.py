"""Training data and training of the entity CRF.

Gold files list each entity's surface forms (aliases), not its positions; every occurrence of an
alias in a sentence becomes a labelled span, the longest first, so a zone's name wins over the
place inside it (the grammars supply nested places at run time).
"""
from __future__ import annotations

from pathlib import Path

from ..entity_model import sentence_rows
from .gold import GoldDoc

# L1 and L2 penalties and iterations: chosen by cross-validation (kg.learn.crossval)
PARAMS = {"c1": 0.1, "c2": 0.05, "max_iterations": 200, "feature.possible_transitions": True}


def alias_table(doc: GoldDoc) -> list[tuple[str, str]]:
    """(surface, class) for every alias of the document's entities, longest first."""
    seen = {}
    for e in doc.entities:
        for a in [*e["aliases"], e["name"]]:
            a = a.strip()
            if len(a) >= 2 and a not in seen:
                seen[a] = e["type"]
    return sorted(seen.items(), key=lambda x: (-len(x[0]), x[0]))


def project(written: str, aliases: list[tuple[str, str]]) -> list[str]:
    """BIO labels of a sentence from the aliases found in it (no overlaps; longest first)."""
    labels = ["O"] * len(written)
    taken = [False] * len(written)
    for alias, cls in aliases:
        start = written.find(alias)
        while start >= 0:
            end = start + len(alias)
            if not any(taken[start:end]):
                labels[start] = "B-" + cls
                for k in range(start + 1, end):
                    labels[k] = "I-" + cls
                for k in range(start, end):
                    taken[k] = True
            start = written.find(alias, start + 1)
    return labels


def sequences(extractor, doc: GoldDoc, use_lac: bool) -> list[tuple[list[list[str]], list[str]]]:
    """(features, labels) of each sentence of a gold document."""
    from ..recognise import recognition

    d = doc.read(extractor)
    rec = recognition(d, extractor.segmenter, extractor.lac_tagger() if use_lac else None)
    aliases = alias_table(doc)
    return [(feats, project(st.written, aliases)) for st, feats, _ in sentence_rows(rec, use_lac)]


def train(seqs: list[tuple[list[list[str]], list[str]]], out: Path, params: dict | None = None) -> Path:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for x, y in seqs:
        trainer.append(x, y)
    trainer.set_params({**PARAMS, **(params or {})})
    trainer.train(str(out))
    return out
