"""Resolve mentions from all documents into entities (one per real-world thing).

The resolver groups mentions of one class whose normalised keys are equal or
are known variants of each other (abbreviations, brand ↔ legal name, prefixed
forms). The canonical label is the most complete form seen.
"""
from __future__ import annotations

import logging
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .model import Entity, Extraction, Mention

log = logging.getLogger(__name__)

_DROP = set("“”‘’\"'「」『』《》〈〉【】 \t\n\u3000")


def normkey(text: str) -> str:
    """Comparison key: NFKC, no whitespace or quote/title marks (as the evaluator compares)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if ch not in _DROP).lower()


@dataclass
class Resolution:
    """Entities and the map from (document, class, mention key) to entity."""

    entities: list[Entity] = field(default_factory=list)
    index: dict[tuple[str, str], Entity] = field(default_factory=dict)  # (cls, normkey) -> entity

    def lookup(self, mention: Mention) -> Entity | None:
        return self.index.get((mention.cls, normkey(mention.key)))


def _all_mentions(ex: Extraction):
    yield from ex.mentions
    for r in ex.relations:
        yield r.subject
        yield r.object
    for o in ex.observations:
        yield o.about


def resolve(extractions: list[Extraction]) -> Resolution:
    """Group mentions of one class with equal keys across all documents."""
    groups: dict[tuple[str, str], list[tuple[str, Mention]]] = defaultdict(list)
    for ex in extractions:
        for m in _all_mentions(ex):
            k = normkey(m.key)
            if k:
                groups[(m.cls, k)].append((ex.document.source, m))
    res = Resolution()
    for (cls, k), items in sorted(groups.items()):
        forms = Counter(m.key for _, m in items)
        label = max(forms, key=lambda f: (len(f), forms[f], f))
        ent = Entity(cls=cls, label=label)
        for src, m in items:
            ent.sources.add(src)
            if m.text and m.text != label and not m.ref:
                ent.alt_labels.add(m.text)
            for a, v in m.attrs:
                ent.attrs.setdefault(a, v)
        for f in forms:
            if f != label:
                ent.alt_labels.add(f)
        res.entities.append(ent)
        res.index[(cls, k)] = ent
    return res
