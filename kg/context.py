"""Shared sentence context used by the relate and observe stages.

Both stages read a document as sentence views (each sentence with its mentions, nesting
resolved), follow the zone in focus from sentence to sentence and ask whether a mention
stands in subject position. That reading lives here, beside the word-list helpers it and
the stages' rules load their trigger words with, so that observe does not reach into
relate: data flows one way, from earlier stages to later ones.
"""
from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from .model import Document, Mention
from .normalise import simplified
from .resources import load_list, load_table

# Clause delimiters, and the stronger ones that end a group of clauses.
BREAKS = frozenset("，,；;：:。！!？?—")
GROUP_BREAKS = frozenset("；;。！!？?")
_DATE = re.compile(r"(?:\d{4}\s*年(?:度|底|初|末)?)?(?:\d{1,2}\s*月(?:份|底|初)?)?(?:\d{1,2}\s*日)?")


# --------------------------------------------------------------------------- resources

@lru_cache(maxsize=None)
def words(name: str) -> tuple[str, ...]:
    """A word list resource, longest first (so alternations prefer the longest match)."""
    return tuple(sorted(set(load_list(name)), key=lambda w: (-len(w), w)))


@lru_cache(maxsize=None)
def pairs(name: str) -> tuple[tuple[str, str], ...]:
    """A two-column resource as (word, role) pairs, longest word first."""
    rows = [(r[0], r[1]) for r in load_table(name) if len(r) >= 2]
    return tuple(sorted(rows, key=lambda r: (-len(r[0]), r)))


@lru_cache(maxsize=None)
def alternation(name: str) -> re.Pattern:
    """A compiled regex matching any word of a list resource."""
    return re.compile("|".join(re.escape(w) for w in words(name)))


@lru_cache(maxsize=None)
def literal(word: str) -> re.Pattern:
    """A compiled regex for one word as written (re.finditer(re.escape(w), …) per sentence
    and word spent more time escaping and looking up the pattern than matching)."""
    return re.compile(re.escape(word))


@lru_cache(maxsize=None)
def any_word(ws: tuple[str, ...]) -> re.Pattern:
    """A regex that finds whether any of the words occurs (a precheck before per-word loops)."""
    return re.compile("|".join(re.escape(w) for w in ws))


@lru_cache(maxsize=None)
def _policy_cues() -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p, re.M) for p in load_list("relate_policy_cues.txt"))


# --------------------------------------------------------------------------- sentence views

@dataclass(frozen=True)
class View:
    """One sentence with its mentions; offsets here are local to the sentence text."""

    index: int
    text: str                      # the sentence in simplified characters (rules match this)
    base: int                      # offset of text[0] in Document.text
    mentions: tuple[Mention, ...]  # all mentions of the sentence, by position
    top: tuple[Mention, ...]       # those not nested inside a longer mention
    # positions of the delimiters in text, per delimiter set, made on first use by clause()
    _stops: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def lo(self, m: Mention) -> int:
        return m.start - self.base

    def hi(self, m: Mention) -> int:
        return m.end - self.base

    def clause(self, pos: int, breaks: frozenset = BREAKS) -> tuple[int, int]:
        """The clause (between delimiters) around local position pos."""
        if not 0 <= pos <= len(self.text):
            return self._scan_clause(pos, breaks)
        # A bisection in the delimiters' positions: scanning characters was the costliest
        # line of relate and observe on long sentences.
        stops = self._stops.get(breaks)
        if stops is None:
            stops = self._stops[breaks] = [m.start() for m in _one_of(breaks).finditer(self.text)]
        k = bisect.bisect_left(stops, pos)
        return (stops[k - 1] + 1 if k else 0), (stops[k] if k < len(stops) else len(self.text))

    def _scan_clause(self, pos: int, breaks: frozenset) -> tuple[int, int]:
        """clause() by walking the characters (positions outside the text)."""
        a = pos
        while a > 0 and self.text[a - 1] not in breaks:
            a -= 1
        b = pos
        while b < len(self.text) and self.text[b] not in breaks:
            b += 1
        return a, b

    def group(self, pos: int) -> tuple[int, int]:
        """The clause group (between ；/。) around local position pos."""
        return self.clause(pos, GROUP_BREAKS)

    def inside(self, a: int, b: int, classes=None) -> list[Mention]:
        """Top-level mentions lying within local span [a, b)."""
        return [m for m in self.top if a <= self.lo(m) and self.hi(m) <= b
                and (classes is None or m.cls in classes)]


@lru_cache(maxsize=None)
def _one_of(chars: frozenset) -> re.Pattern:
    """A regex matching any one of chars."""
    return re.compile("[" + "".join(re.escape(ch) for ch in sorted(chars)) + "]")


def views(doc: Document, mentions: list[Mention]) -> list[View]:
    """Sentence views of a document: each sentence with its mentions, nesting resolved."""
    by: dict[int, dict] = defaultdict(dict)
    for m in mentions:
        by[m.sentence].setdefault((m.cls, m.start, m.end), m)
    out = []
    for s in doc.sentences:
        ms = sorted((m for m in by.get(s.index, {}).values()
                     if s.clean_start <= m.start < m.end <= s.clean_end and not is_generic_zone(m)),
                    key=lambda m: (m.start, -m.end, m.cls))
        text = simplified(doc.text[s.clean_start:s.clean_end])
        out.append(View(s.index, text, s.clean_start, tuple(ms), _top(ms)))
    return out


def _top(ms: list[Mention]) -> tuple[Mention, ...]:
    """The mentions (sorted by start, longest first) not nested inside a longer one.

    A longer mention containing m starts at or before it, so it comes earlier in the order;
    m is nested exactly when a mention of an earlier, different span reaches m's end (one
    pass instead of comparing all pairs)."""
    top = []
    reach = -1              # the furthest end among the spans before the current one
    span = None
    for m in ms:
        if (m.start, m.end) != span:
            if span is not None:
                reach = max(reach, span[1])
            span = (m.start, m.end)
        if reach < m.end:
            top.append(m)
    return tuple(top)


def is_generic_zone(m: Mention) -> bool:
    """A zone "name" that is a class of zones (全省开发区, 各高新区): no specific zone."""
    return m.cls == "Zone" and _generic_zone_name(m.text)


@lru_cache(maxsize=1 << 14)
def _generic_zone_name(text: str) -> bool:
    nouns = _zone_nouns()
    for w in words("relate_generic_modifiers.txt"):
        if text.startswith(w) and text[len(w):].lstrip("的") in nouns:
            return True
    return False


@lru_cache(maxsize=None)
def _zone_nouns() -> frozenset[str]:
    return frozenset(words("relate_zone_nouns.txt"))


def is_policy_document(doc: Document) -> bool:
    """True for official documents (notices, plans): at least two kinds of layout cue."""
    return _policy_text(simplified(doc.text))


@lru_cache(maxsize=16)
def _policy_text(text: str) -> bool:
    # cached: relate and observe both ask (through focus_map), each a search of the whole text
    return sum(1 for p in _policy_cues() if p.search(text)) >= 2


# --------------------------------------------------------------------------- subject and focus

def _strip_openers(prefix: str) -> str:
    """Remove leading dates and discourse adverbials from a clause prefix."""
    openers = words("relate_clause_openers.txt")
    while True:
        prefix = prefix.strip(" \t\n“”\"'‘’「」")
        m = _DATE.match(prefix)
        if m and m.end():
            prefix = prefix[m.end():]
            continue
        for w in openers:
            if prefix.startswith(w):
                prefix = prefix[len(w):]
                break
        else:
            return prefix


def subject_at(v: View, a: int, b: int) -> bool:
    """Whether local span [a, b) is in subject position: only dates, adverbials and place names before it."""
    cs, _ = v.clause(a)
    prefix = list(v.text[cs:a])
    for p in v.mentions:
        if p.cls == "Place" and cs <= v.lo(p) and v.hi(p) <= a:
            for i in range(v.lo(p) - cs, v.hi(p) - cs):
                prefix[i] = " "
    prefix = "".join(prefix)
    if not _strip_openers(prefix):
        # "在X，…" sets a scene with X; "在X…的基础上" does not make X the subject.
        return not prefix.rstrip().endswith("在") or b >= len(v.text) or v.text[b] in BREAKS
    if prefix.rstrip().endswith("在"):
        return False
    # Appositive topic: "坐落在…的 X，作为…" — the zone stands alone before the comma.
    return prefix.rstrip().endswith("的") and (b >= len(v.text) or v.text[b] in BREAKS)


def is_subject(v: View, m: Mention) -> bool:
    """Whether mention m is in subject position in its clause."""
    return subject_at(v, v.lo(m), v.hi(m))


def bare_zone_refs(v: View) -> list[tuple[int, int, bool]]:
    """Bare zone nouns and anaphors outside any name: (start, end, generic)."""
    covered = [(v.lo(m), v.hi(m)) for m in v.mentions if not (m.cls == "Zone" and m.ref)]
    anaphora = _zone_anaphora()
    mods, modals = words("relate_generic_modifiers.txt"), words("relate_modals.txt")
    out = []
    pattern = _bare_pattern()
    for mt in pattern.finditer(v.text):
        a, b = mt.span()
        if any(lo <= a and b <= hi for lo, hi in covered):
            continue
        if mt.group() in anaphora:
            out.append((a, b, False))
            continue
        before = v.text[max(0, a - 6):a]
        if before.endswith("的"):
            before = before[:-1]
        # Generic: zones as a class are the subject ("国家级经开区是…"), or a modal follows
        # ("经开区要…"); a class noun elsewhere ("创建国家级开发区指挥部") says nothing.
        modified = any(before.endswith(w) for w in mods)
        start = a - len(before) if modified else a
        generic = (modified and subject_at(v, start, b)) or any(v.text.startswith(w, b) for w in modals)
        out.append((a, b, generic))
    return out


@lru_cache(maxsize=None)
def _zone_anaphora() -> frozenset[str]:
    return frozenset(words("relate_zone_anaphora.txt"))


@lru_cache(maxsize=None)
def _bare_pattern() -> re.Pattern:
    items = sorted(set(words("relate_zone_nouns.txt")) | set(words("relate_zone_anaphora.txt")),
                   key=lambda w: (-len(w), w))
    return re.compile("|".join(re.escape(w) for w in items))


def focus_map(doc: Document, vs: list[View]) -> dict[int, Mention | None]:
    """The zone in focus for each sentence index (None where no specific zone is talked about)."""
    if is_policy_document(doc):
        return {v.index: None for v in vs}
    focus: Mention | None = None
    out = {}
    for v in vs:
        named = [m for m in v.top if m.cls == "Zone" and not m.ref and is_subject(v, m)]
        if named:
            focus = named[0]
        else:
            refs = bare_zone_refs(v)
            if any(g for _, _, g in refs) and not any(not g and subject_at(v, a, b) for a, b, g in refs):
                focus = None
        out[v.index] = focus
    return out


def zone_focus(doc: Document, mentions: list[Mention]) -> dict[int, Mention | None]:
    """The zone in focus per sentence index, for other stages (observations)."""
    return focus_map(doc, views(doc, mentions))


# --------------------------------------------------------------------------- places

def province_level(m: Mention) -> bool:
    """Whether a place is a province-level division (by its code, else by name)."""
    code = dict(m.attrs).get("code", "")
    if len(code) >= 6 and code.isdigit():
        return code[2:6] == "0000"
    return m.key in words("relate_provinces.txt") or m.text in words("relate_provinces.txt")
