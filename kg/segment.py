"""Split a document into sentences, and cut Chinese text into words with jieba."""
from __future__ import annotations

import logging
import pathlib
import re
from typing import Iterable

from .model import Document, Sentence

log = logging.getLogger(__name__)

DOMAIN_DICT = pathlib.Path(__file__).parent / "resources" / "jieba_domain.txt"

# A sentence ends at a line break, at 。！？!? or an ellipsis, together with any
# closing quotes or brackets that follow the terminator.
_END = re.compile(r"\n|(?:[。！？!?]+|…{2,}|\.{6,})[”’\"'」』）)】\]]*")
MAX_SENTENCE = 500          # hard cap for text without terminators (tables, runaway lines)
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?")
_SOFT_BREAKS = "，,；;、：: \t"


def split_sentences(doc: Document) -> list[Sentence]:
    """Cut doc.text into sentences with their spans in doc.text and doc.raw."""
    text, offsets = doc.text, doc.offsets
    out: list[Sentence] = []
    start = 0
    for m in _END.finditer(text + "\n"):
        for a, b in _capped(text, start, min(m.end(), len(text))):
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if a < b:
                out.append(Sentence(len(out), text[a:b], offsets[a], _raw_end(doc, b), a, b))
        start = m.end()
    return out


def _capped(text: str, a: int, b: int) -> Iterable[tuple[int, int]]:
    """Split [a, b) into pieces of at most MAX_SENTENCE chars, preferring a comma or space."""
    while b - a > MAX_SENTENCE:
        hi = a + MAX_SENTENCE
        cut = max(text.rfind(c, a + MAX_SENTENCE // 2, hi) for c in _SOFT_BREAKS)
        cut = cut + 1 if cut >= 0 else hi
        yield a, cut
        a = cut
    yield a, b


def _raw_end(doc: Document, clean_end: int) -> int:
    """Raw offset just after the character text[clean_end - 1] came from."""
    pos = doc.offsets[clean_end - 1]
    if doc.source.lower().endswith((".html", ".htm")):
        # In HTML the character may come from an entity: end after the whole entity.
        m = _ENTITY.match(doc.raw, pos)
        if m:
            return m.end()
    return pos + 1


class Segmenter:
    """A private jieba tokenizer with the domain dictionary, loaded on first use."""

    def __init__(self, userdict: pathlib.Path | None = DOMAIN_DICT):
        import jieba                       # jieba logs at import: import only when needed
        self._tokenizer = jieba.Tokenizer()
        self._userdict = userdict
        self._ready = False
        self._pos = None

    def _init(self) -> None:
        """Build the prefix dictionary and load the domain words, once."""
        if not self._ready:
            self._tokenizer.initialize()
            if self._userdict is not None and pathlib.Path(self._userdict).is_file():
                self._tokenizer.load_userdict(str(self._userdict))
            self._ready = True

    def add_words(self, words: Iterable[str]) -> None:
        """Teach the tokenizer extra words (e.g. names found by other rules)."""
        self._init()
        for word in words:
            word = "".join(word.split())
            if word:
                self._tokenizer.add_word(word)

    def cut(self, text: str) -> list[str]:
        """Words of text, in order."""
        self._init()
        return self._tokenizer.lcut(text)

    def posseg(self, text: str) -> list[tuple[str, str]]:
        """Words of text with their jieba part-of-speech tags."""
        self._init()
        if self._pos is None:
            import jieba.posseg
            self._pos = jieba.posseg.POSTokenizer(self._tokenizer)
        return [(p.word, p.flag) for p in self._pos.cut(text)]
