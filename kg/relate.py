"""Relations between mentions read from sentence patterns (placeholder)."""
from __future__ import annotations

from .model import Document, Mention, Relation


def relate(doc: Document, mentions: list[Mention]) -> list[Relation]:
    return []
