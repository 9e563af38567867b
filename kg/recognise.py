"""Recognise mentions of the eleven entity classes in a document (placeholder: quoted measures only)."""
from __future__ import annotations

import re

from .model import Document, Mention

_QUOTED = re.compile(r"“([^”]{2,20})”(改革|行动|模式|机制|工程)")


def recognise(doc: Document, segmenter=None) -> list[Mention]:
    out = []
    for s in doc.sentences:
        for m in _QUOTED.finditer(s.text):
            a = s.clean_start + m.start()
            out.append(Mention("Measure", m.group(0), s.index, a, a + len(m.group(0))))
    return out
