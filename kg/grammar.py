"""What the per-class grammars share: word lists, the sentence they read and how they read a name.

A sentence is read as jieba words with their POS tags (Sent, Tok); a finder proposes
candidate mentions (Cand) with sentence-local offsets, and the recogniser settles their
overlaps by NESTED. Names are read leftwards from a type ending (walk_left) and kept only
when some piece is specific. Word lists are data in kg/resources/recognise_*.txt.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, chain, repeat
from operator import itemgetter
from types import MappingProxyType
from typing import NamedTuple

from .gazetteer import gazetteer, place_of
from .resources import load_list, load_table

HAN = "\u3400-\u9fff\uf900-\ufaff"
OPEN, CLOSE = "(（", ")）"
QUOTES = "“”\"‘’「」『』"
# Characters that end a name on its left or right (clause punctuation and brackets of
# other kinds); 、 separates coordinated items.
PUNCT = set("，,。．.；;：:！!？?、…—–-~·•《》〈〉【】[]［］〔〕/\\|　 \t\n+＋")
CN_DIGITS = "一二三四五六七八九十"

# Which classes may be named inside which (湖南长沙经开区 holds Places 湖南 and 长沙;
# 湘江新区管委会 holds the Zone 湘江新区; a policy title holds its issuer and the plan
# it issues). Everything else that overlaps a longer mention is dropped.
NESTED = {
    "Zone": {"Place"},
    "Agency": {"Place", "Zone", "Measure", "Agency"},
    "Company": {"Zone", "Place"},
    "Institution": {"Zone"},
    "Policy": {"Policy", "Agency", "Measure"},
    "Project": {"Company", "Place"},
    "Measure": set(),
    "Fund": {"Place"},
    "Industry": {"Industry"},
}

# POS tags (jieba/ICTCLAS) of words that can be part of a name.
NAME_FLAGS = {"n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "nl", "ng", "j", "vn", "an", "b",
              "eng", "l", "g", "zg", "vg", "i", "s"}


# --------------------------------------------------------------------------- resources

@lru_cache(maxsize=None)
def words(name: str) -> tuple[str, ...]:
    """A word-list resource, longest first, without duplicates."""
    return tuple(sorted(set(load_list(name)), key=lambda w: (-len(w), w)))


@lru_cache(maxsize=None)
def wordset(name: str) -> frozenset[str]:
    return frozenset(load_list(name))


@lru_cache(maxsize=None)
def wordsets(*names: str) -> frozenset[str]:
    """The union of word lists, built once (the grammars ask for the same unions every sentence)."""
    return frozenset().union(*map(wordset, names))


@lru_cache(maxsize=None)
def alternation(name: str) -> str:
    return "|".join(re.escape(w) for w in words(name))


@lru_cache(maxsize=None)
def any_of(name: str) -> re.Pattern:
    """All words of a list in one pattern: a single scan tells whether a sentence holds any of
    them (most sentences hold none, and testing each word in Python cost more than the grammars)."""
    return re.compile(alternation(name))


def any_re(ws) -> re.Pattern:
    """Like any_of, for words that are not a list resource (a column of a table)."""
    return re.compile("|".join(re.escape(w) for w in sorted(set(ws), key=lambda w: (-len(w), w))))


@lru_cache(maxsize=None)
def _literal(w: str) -> re.Pattern:
    return re.compile(re.escape(w))


def occurrences(w: str, text: str):
    """re.finditer of the literal w (the cheap substring test first: most words are absent)."""
    return _literal(w).finditer(text) if w in text else ()


@lru_cache(maxsize=None)
def table(name: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(r) for r in load_table(name))


@lru_cache(maxsize=None)
def _name_verbs() -> MappingProxyType:
    out: dict[str, set[str]] = {}
    for cls, verb in table("recognise_name_verbs.txt"):
        out.setdefault(cls, set()).add(verb)
    return MappingProxyType({k: frozenset(v) for k, v in out.items()})


@lru_cache(maxsize=None)
def named_regions() -> MappingProxyType:
    """Named-region surface -> canonical name."""
    rows = table("recognise_place_regions.txt") + table("recognise_place_countries.txt")
    return MappingProxyType({r[0]: (r[1] if len(r) > 1 else r[0]) for r in rows})


# --------------------------------------------------------------------------- sentence view

class Tok(NamedTuple):
    """A jieba word of a sentence with its POS tag (a tuple: thousands per document)."""

    start: int
    end: int
    word: str
    flag: str


_new_tuple = tuple.__new__      # tuple.__new__(Tok, (start, end, word, flag)): Tok._make without a Python call
_first, _second = itemgetter(0), itemgetter(1)


def word_freq(segmenter) -> dict | None:
    """Word frequencies of the segmenter's jieba dictionary (None without a segmenter)."""
    if segmenter is None:
        return None
    freq = getattr(segmenter, "freq", None)
    if callable(freq):
        return _FreqView(freq)
    segmenter.cut("")                       # make sure the dictionary is loaded
    tok = getattr(segmenter, "_tokenizer", None)
    return getattr(tok, "FREQ", None)


class _FreqView:
    """Adapts a frequency function to the mapping interface used here."""

    def __init__(self, fn):
        self.fn = fn

    def get(self, word, default=None):
        return self.fn(word) or default


class Sent:
    """One sentence with its jieba words; offsets are local to the sentence.

    ``text`` is the simplified-character view that the rules read (same length as the
    sentence); ``written`` is the sentence as written, which mentions quote."""

    def __init__(self, index: int, text: str, base: int, segmenter, written: str | None = None,
                 freq=None):
        self.index, self.text, self.base = index, text, base
        self.written = written if written is not None and len(written) == len(text) else text
        self.freq = freq if freq is not None else word_freq(segmenter)
        tagged = segmenter.posseg(text) if segmenter is not None and text else []
        # built with C-level iterators (map/zip/accumulate): a sentence has dozens of words and a
        # document thousands, and a Python loop here cost as much as half the grammars
        ws, flags = list(map(_first, tagged)), list(map(_second, tagged))
        lens = list(map(len, ws))
        ends = list(accumulate(lens))
        if (ends[-1] if ends else 0) != len(text):      # no segmenter: one token per character
            ws = tuple(text)
            flags = ["x" if c in PUNCT else "n" for c in text]
            lens = [1] * len(text)
            ends = list(range(1, len(text) + 1))
        starts = [0] + ends[:-1] if ends else []
        self.toks = toks = list(map(_new_tuple, repeat(Tok), zip(starts, ends, ws, flags)))
        self.tok_of = list(chain.from_iterable(map(repeat, range(len(toks)), lens)))
        self.tok_of.append(len(toks))
        self.starts = set(starts)
        self.ends = set(ends)

    def rare(self, word: str, limit: int = 200) -> bool:
        """A word the general dictionary does not know (or barely knows): likely a proper name."""
        if self.freq is None:
            return True
        return (self.freq.get(word) or 0) < limit

    def tok_before(self, pos: int) -> Tok | None:
        """The word holding the character just before pos."""
        return self.toks[self.tok_of[pos - 1]] if pos > 0 and self.toks else None

    def tok_at(self, pos: int) -> Tok | None:
        return self.toks[self.tok_of[pos]] if pos < len(self.text) and self.toks else None


@dataclass
class Cand:
    """A candidate mention (sentence-local offsets) before overlaps are settled."""

    cls: str
    a: int
    b: int
    name: str = ""
    ref: str = ""            # how to complete a reference: "zone", "zone:管委会", "zonename:税务局", "county:政府"
    attrs: tuple = ()
    prio: int = 0            # higher wins among spans of equal length
    nested_only: bool = False  # only kept inside a longer mention
    governed: bool = False     # a measure named after its governing verb or in quotes (may nest in a title)


# --------------------------------------------------------------------------- helpers

_HAN_RE = re.compile(f"[{HAN}]")
OPEN_RE = re.compile(f"[{OPEN}]")


def is_han(ch: str) -> bool:
    return bool(_HAN_RE.match(ch))


def is_place_piece(piece: str) -> bool:
    return bool(place_of(piece)) or piece in named_regions() or is_region_abbrev(piece)


def is_region_abbrev(piece: str) -> bool:
    """Two province abbreviations or an abbreviation plus a direction (川渝, 苏南)."""
    ab = wordset("recognise_province_abbreviations.txt")
    return len(piece) == 2 and piece[0] in ab and (piece[1] in ab or piece[1] in "东南西北中")


def _matching_open(text: str, close_pos: int, limit: int = 14) -> int | None:
    """Index of the bracket opening the group that closes at close_pos."""
    for j in range(close_pos - 1, max(-1, close_pos - limit), -1):
        ch = text[j]
        if ch in OPEN:
            return j
        if ch in CLOSE or ch in "，,。；;：:、":
            return None
    return None


def is_anchor_place(piece: str) -> bool:
    """A province, city or named region (county short forms are too ambiguous to anchor on)."""
    g = gazetteer()
    return piece in g.full or piece in g.short or piece in named_regions() or is_region_abbrev(piece)


# Patterns of walk_left, compiled once (it runs for every candidate ending).
_BRACKET_NAME = re.compile(f"[{HAN}A-Za-z]{{2,10}}")
_CN_NUMBER = re.compile(f"[{CN_DIGITS}]+")
_CN_COUNT = re.compile(f"[{CN_DIGITS}两零百千]+")
_ENDS_BODY = re.compile("[局办委厅部组室]$")
_HAN_WORD = re.compile(f"[{HAN}]+")
_DIGIT = re.compile(r"\d")
_ENDS_DIGIT = re.compile(r"\d$")
_MODEL_NUMBER = re.compile(r"[0-9.]+[A-Za-z]*|[A-Za-z]+")
_DIRECTION = re.compile("[东南西北中][部]?")
_ALNUM = re.compile(r"[A-Za-z0-9]+")


@lru_cache(maxsize=None)
def _long_stops() -> tuple[str, ...]:
    """Left stops of two characters or more, for str.endswith."""
    return tuple(w for w in wordset("recognise_left_stops.txt") if len(w) >= 2)


_PARENT_INSTITUTIONS = ("大学", "学院", "科学院", "研究院")       # bodies that open branches named X+city+…


def walk_left(st: Sent, a: int, cls: str, *, max_chars: int = 18, anchor: bool = True,
              quotes: bool = False, brackets: bool = True, verbs: bool = False,
              flags: frozenset | None = None, vn_words: frozenset | None = None,
              stop_after: tuple[str, ...] = ()) -> int:
    """Start of the name that ends at a: words left of a while they can be part of a name.

    Stops at punctuation, function words, verbs (except those the class allows inside
    names), generic determiners, and — when anchor is set — at the first non-place word
    left of a place or level word (中德|青岛经开区: the zone starts at 青岛).
    vn_words, when given, limits verbal nouns to those words; stop_after ends the name
    after one of these endings (an institution named after its company).
    """
    text = st.text
    allowed_verbs = _name_verbs().get(cls, frozenset())
    stops = wordset("recognise_left_stops.txt")
    generic_pre = wordset("recognise_generic_prefixes.txt")
    levels = wordset("recognise_levels.txt")
    ok_flags = flags or NAME_FLAGS
    pos, anchored = a, False
    while pos > 0 and a - pos < max_chars:
        if stop_after and text.endswith(stop_after, 0, pos):
            break
        ch = text[pos - 1]
        if ch in CLOSE and brackets:
            j = _matching_open(text, pos - 1)
            if j is None or j == pos - 2 or not _BRACKET_NAME.fullmatch(text, j + 1, pos - 1) \
                    or _CN_NUMBER.fullmatch(text, j + 1, pos - 1) or j == 0 or text[j - 1] in PUNCT:
                break
            pos = j
            continue
        if ch in "”\"" and quotes:
            j = text.rfind("“", max(0, pos - 30), pos - 1)
            if j < 0 or any(c in "，,。；;" for c in text[j:pos]):
                break
            pos = j
            continue
        if ch in PUNCT or ch in QUOTES or ch in OPEN or ch in CLOSE:
            break
        tok = st.tok_before(pos)
        piece = text[tok.start:pos] if tok else ch
        if tok is not None and tok.end > pos and pos == a:
            pos = tok.start      # the ending is cut out of a longer word (引导|基金): keep the word
            continue
        is_place = is_anchor_place(piece)
        if anchor and anchored and not is_place and piece not in levels:
            # a company's brand may stand before its place (中德|青岛…集团): only a rare word goes on
            if cls == "Company" and text[:pos].endswith(("公司", "集团", "银行")):
                anchored = False     # X有限公司|赣州|分公司: the parent's name goes on
            elif cls == "Institution" and piece.endswith(_PARENT_INSTITUTIONS):
                anchored = False     # X大学|宁波|研究院: a parent institution's branch in a city
            elif not (cls == "Company" and len(piece) >= 2 and st.rare(piece, 50) and piece not in generic_pre):
                break
        if is_place or piece in levels:
            anchored = anchored or anchor
            pos = tok.start
            continue
        if piece in allowed_verbs:
            pos = tok.start
            continue
        if piece in stops or piece in generic_pre or (
                len(piece) >= 3 and piece.endswith(_long_stops())):
            break
        flag = tok.flag if tok else "n"
        if cls == "Company" and flag == "m" and pos < a and _CN_COUNT.fullmatch(piece):
            pos = tok.start      # a brand may open with numerals (三一|重工, 九|阳): a count has its measure word
            continue
        if flag == "c" and piece == "和" and cls == "Agency":
            # 改革和创新发展领导小组 goes on; 二局和外商服务局 is two bodies
            if _ENDS_BODY.search(text[:tok.start]):
                break
            pos = tok.start
            continue
        if cls == "Agency" and len(piece) == 2 and piece[1] in "省市县" and not is_anchor_place(piece):
            pos -= 1        # 报省…: the body starts at its level prefix
            break
        if len(piece) >= 2 and st.rare(piece, 20) and flag not in ("p", "c", "r", "m", "q", "x") \
                and not flag.startswith("u") and _HAN_WORD.fullmatch(piece):
            pos = tok.start      # a word jieba does not know is most likely a proper name (雄安, 远航)
            continue
        if flag.startswith("v") and flag not in ("vn", "vg"):
            prev = st.tok_before(tok.start)
            glued = (cls in ("Company", "Project") and len(piece) == 1 and prev is not None and len(prev.word) == 1
                     and prev.flag in ("vg", "zg", "g", "ng", "nr"))
            brand_verb = (cls == "Company" and len(piece) >= 2 and piece not in wordset("recognise_measure_verbs.txt")
                          and piece not in wordset("recognise_governing_verbs.txt"))
            if not (verbs or piece in allowed_verbs or glued or brand_verb):
                break
        elif flag == "vn" and vn_words is not None and piece not in vn_words and piece not in allowed_verbs:
            break
        elif flag in ("t", "m") and not _DIGIT.search(piece) and len(piece) >= 2 and (flag == "m" or cls == "Zone") \
                and piece[-1] not in "元个家项年月日亿万批些名人次位所":
            pass
        elif flag == "q" and cls == "Project" and _ENDS_DIGIT.search(text[:tok.start]):
            pass
        elif flag == "m" and _MODEL_NUMBER.fullmatch(piece) and cls in ("Project", "Measure"):
            pass
        elif flag in ("a", "f") and cls == "Company" or flag == "a" and cls in ("Agency", "Project") \
                or flag == "f" and cls == "Zone" and _DIRECTION.fullmatch(piece):
            pass
        elif flag not in ok_flags:
            if not (flag == "x" and _ALNUM.fullmatch(piece)):
                break
        pos = tok.start
    return pos


def split_tokens(st: Sent, a: int, b: int) -> list[str]:
    """Words of st.text[a:b], cut at a and b."""
    out = []
    i = a
    while i < b:
        t = st.tok_at(i)
        j = min(t.end, b) if t else b
        out.append(st.text[i:j])
        i = j
    return out


_NOT_NAME_CHARS = re.compile(r"[\d.%“”\"（）()+、]")


@lru_cache(maxsize=64)
def _with_levels(generic: frozenset[str], extra: frozenset[str]) -> frozenset[str]:
    """generic | extra | levels, once per word list (the callers pass the same cached sets)."""
    return generic | extra | wordset("recognise_levels.txt")


def specific(pieces: list[str], generic: frozenset[str], extra: frozenset[str] = frozenset()) -> bool:
    """True when a name is not made only of generic vocabulary (levels and numbers aside)."""
    levels = wordset("recognise_levels.txt")
    vocab = _with_levels(generic, extra)
    text = "".join(p for p in pieces if p not in levels)
    text = _NOT_NAME_CHARS.sub("", text)
    if not text:
        return False
    return any(w not in vocab for w in chars_as_words(text, vocab))


def chars_as_words(p: str, vocab: frozenset[str]) -> list[str]:
    """Cut p greedily into vocabulary words (longest first); unknown runs stay together."""
    out, i, unknown = [], 0, ""
    while i < len(p):
        for L in range(min(8, len(p) - i), 0, -1):
            if p[i:i + L] in vocab:
                if unknown:
                    out.append(unknown)
                    unknown = ""
                out.append(p[i:i + L])
                i += L
                break
        else:
            unknown += p[i]
            i += 1
    if unknown:
        out.append(unknown)
    return out


def preceded_by_generic(st: Sent, a: int) -> bool:
    """A determiner or quantifier right before a (各开发区, 有关部门, 设区市)."""
    return st.text[max(0, a - 4):a].endswith(words("recognise_generic_prefixes.txt"))


def toks_in(st: Sent, a: int, b: int) -> list[Tok]:
    """The words overlapping st.text[a:b] (for an empty span, a word straddling a)."""
    if 0 <= a < b <= len(st.text):
        return st.toks[st.tok_of[a]:st.tok_of[b - 1] + 1]
    return [t for t in st.toks if t.start < b and t.end > a]
