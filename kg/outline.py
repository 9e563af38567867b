"""Structure of policy documents: attachments, numbered tasks, responsible units (placeholder)."""
from __future__ import annotations

from .model import Document, Mention, Relation


def outline(doc: Document, mentions: list[Mention]) -> tuple[list[Mention], list[Relation]]:
    return [], []
