"""Observations: figures tied to actors (placeholder)."""
from __future__ import annotations

from .model import Document, Mention, Observation


def observe(doc: Document, mentions: list[Mention]) -> list[Observation]:
    return []
