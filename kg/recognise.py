"""Recognise mentions of the eleven entity classes in a document's running text.

Each class has a small grammar over the cleaned sentence text: a *type ending* (经开区,
有限公司, 领导小组, 改革, 基金 …) found by a regular expression, and the *name* before it,
read leftwards word by word (jieba's words and tags) up to a clause boundary, a governing
verb or a function word. Places come from cpca's gazetteer (provinces, cities, counties
with their codes). A name made only of generic words (科技产业园, 有关部门, 重点项目) is
not a mention. Bare zone words (经开区, 该区) and bare bodies (管委会, 县人民政府) become
reference mentions of the zone or place in focus. All word lists are data in
kg/resources/recognise_*.txt; this module holds the grammar only.
"""
from __future__ import annotations

import csv
import importlib.util
import logging
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, chain, repeat
from operator import itemgetter
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from .model import Document, Mention
from .normalise import simplified
from .resources import load_list, load_table

log = logging.getLogger(__name__)

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


def _any_re(ws) -> re.Pattern:
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
def _measure_heads() -> tuple[tuple[str, bool], ...]:
    """(head, also after unquoted names), longest first."""
    rows = [(r[0], "u" in (r[1] if len(r) > 1 else "q")) for r in table("recognise_measure_heads.txt")]
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


@lru_cache(maxsize=None)
def _measure_head_words() -> tuple[str, ...]:
    """All measure heads, for str.endswith (a test before looking for which one)."""
    return tuple(h for h, _ in _measure_heads())


@lru_cache(maxsize=None)
def _unquoted_heads_re() -> re.Pattern:
    return _any_re(h for h, unquoted in _measure_heads() if unquoted)


@lru_cache(maxsize=None)
def _name_verbs() -> MappingProxyType:
    out: dict[str, set[str]] = {}
    for cls, verb in table("recognise_name_verbs.txt"):
        out.setdefault(cls, set()).add(verb)
    return MappingProxyType({k: frozenset(v) for k, v in out.items()})


@lru_cache(maxsize=None)
def _regions() -> MappingProxyType:
    """Named-region surface -> canonical name."""
    rows = table("recognise_place_regions.txt") + table("recognise_place_countries.txt")
    return MappingProxyType({r[0]: (r[1] if len(r) > 1 else r[0]) for r in rows})


@lru_cache(maxsize=None)
def agency_stems() -> MappingProxyType:
    """Department stem (short or full) -> full stem."""
    return MappingProxyType({r[0]: (r[1] if len(r) > 1 else r[0]) for r in table("resolve_agency_stems.txt")})


@lru_cache(maxsize=None)
def agency_suffixes() -> MappingProxyType:
    return MappingProxyType({r[0]: (r[1] if len(r) > 1 else r[0]) for r in table("resolve_agency_suffixes.txt")})


# --------------------------------------------------------------------------- gazetteer

@dataclass(frozen=True)
class Place:
    """An administrative division from cpca's gazetteer."""

    name: str       # full name, e.g. 赣州市
    code: str       # six-digit administrative code, e.g. 360700
    level: int      # 0 province, 1 city, 2 county

    def within(self, other: "Place") -> bool:
        """True when self lies inside other (by code prefix)."""
        n = (other.level + 1) * 2
        return self.level > other.level and self.code[:n] == other.code[:n]


@dataclass(frozen=True)
class Gazetteer:
    full: dict       # full name -> tuple[Place]
    short: dict      # province/city name without 省/市/自治区 -> tuple[Place]
    county: dict     # county name without 县/区/市 (only used in context) -> tuple[Place]
    maxlen: int


def _cpca_file(name: str) -> Path:
    """A data file shipped inside the cpca wheel (found without importing cpca)."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca package is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / name


@lru_cache(maxsize=None)
def gazetteer() -> Gazetteer:
    """Provinces, cities and counties of China from cpca's adcodes.csv."""
    nations = sorted((ln.strip() for ln in _cpca_file("56_nations.csv").read_text(encoding="utf-8").splitlines()
                      if ln.strip()), key=len, reverse=True)
    full: dict[str, list[Place]] = {}
    short: dict[str, list[Place]] = {}
    county: dict[str, list[Place]] = {}
    with _cpca_file("adcodes.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name, code = row["name"].strip(), row["adcode"][:6]
            if not name or "直辖" in name or name in ("市辖区", "县"):
                continue
            level = 0 if code.endswith("0000") else 1 if code.endswith("00") else 2
            if level == 2 and len(name) == 2 and name[-1] == "区":
                continue        # 城区, 郊区, 矿区: words, not names
            p = Place(name, code, level)
            full.setdefault(name, []).append(p)
            stem = _strip_division(name, level, nations)
            if stem and stem != name and len(stem) >= 2:
                (county if level == 2 else short).setdefault(stem, []).append(p)
    def freeze(d):
        return MappingProxyType({k: tuple(sorted(v, key=lambda p: (p.level, p.code))) for k, v in d.items()})
    full_f, short_f, county_f = freeze(full), freeze(short), freeze(county)
    maxlen = max(len(k) for d in (full_f, short_f, county_f) for k in d)
    return Gazetteer(full_f, short_f, county_f, maxlen)


def _strip_division(name: str, level: int, nations: list[str]) -> str:
    """江西省 -> 江西, 广西壮族自治区 -> 广西, 延边朝鲜族自治州 -> 延边, 涟水县 -> 涟水."""
    for suffix in ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "省", "市", "盟", "县", "区", "旗"):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            if suffix.startswith("自治"):
                changed = True
                while changed:
                    changed = False
                    for nat in nations:
                        if stem.endswith(nat) and len(stem) > len(nat):
                            stem, changed = stem[: -len(nat)], True
                        elif nat.endswith("族") and stem.endswith(nat[:-1]) and len(stem) > len(nat):
                            stem, changed = stem[: -len(nat) + 1], True
            return stem
    return name


def place_of(surface: str) -> tuple[Place, ...]:
    """Gazetteer entries a surface may name (full names first, then short forms)."""
    g = gazetteer()
    return g.full.get(surface) or g.short.get(surface) or g.county.get(surface) or ()


def province_names() -> frozenset[str]:
    """Province-level names, full and short (江西省, 江西)."""
    g = gazetteer()
    return frozenset([k for k, v in g.full.items() if any(p.level == 0 for p in v)]
                     + [k for k, v in g.short.items() if any(p.level == 0 for p in v)])


# --------------------------------------------------------------------------- sentence view

class Tok(NamedTuple):
    """A jieba word of a sentence with its POS tag (a tuple: thousands per document)."""

    start: int
    end: int
    word: str
    flag: str


_new_tuple = tuple.__new__      # tuple.__new__(Tok, (start, end, word, flag)): Tok._make without a Python call
_first, _second = itemgetter(0), itemgetter(1)


def _word_freq(segmenter) -> dict | None:
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
        self.freq = freq if freq is not None else _word_freq(segmenter)
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
_OPEN_RE = re.compile(f"[{OPEN}]")


def _is_han(ch: str) -> bool:
    return bool(_HAN_RE.match(ch))


def _is_place_piece(piece: str) -> bool:
    return bool(place_of(piece)) or piece in _regions() or _is_region_abbrev(piece)


def _is_region_abbrev(piece: str) -> bool:
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


def _is_anchor_place(piece: str) -> bool:
    """A province, city or named region (county short forms are too ambiguous to anchor on)."""
    g = gazetteer()
    return piece in g.full or piece in g.short or piece in _regions() or _is_region_abbrev(piece)


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
        is_place = _is_anchor_place(piece)
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
        if cls == "Agency" and len(piece) == 2 and piece[1] in "省市县" and not _is_anchor_place(piece):
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
    return any(w not in vocab for w in _chars_as_words(text, vocab))


def _chars_as_words(p: str, vocab: frozenset[str]) -> list[str]:
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


def _preceded_by_generic(st: Sent, a: int) -> bool:
    """A determiner or quantifier right before a (各开发区, 有关部门, 设区市)."""
    return st.text[max(0, a - 4):a].endswith(words("recognise_generic_prefixes.txt"))


# --------------------------------------------------------------------------- places

@lru_cache(maxsize=None)
def _region_suffix_re() -> re.Pattern:
    """赣南革命老区: a province abbreviation + direction + a regional ending."""
    return re.compile(f"[{alternation('recognise_province_abbreviations.txt')}][东南西北中]"
                      f"(?:{alternation('recognise_place_region_suffixes.txt')})")


@lru_cache(maxsize=None)
def _place_prefixes() -> tuple[frozenset[str], frozenset[str]]:
    """(every prefix of two or more characters, every name) of the gazetteer and named regions."""
    g = gazetteer()
    names = frozenset(k for d in (g.full, g.short, g.county, _regions()) for k in d if len(k) >= 2)
    return frozenset(k[:L] for k in names for L in range(2, len(k) + 1)), names


@lru_cache(maxsize=None)
def _place_starts_re() -> re.Pattern:
    """Where a gazetteer or region name may open (a first character followed by a possible
    second one), or a province abbreviation. A third of all characters open some name, but
    only about one in eighty opens one of the name's first two characters: the scan skips
    the rest in C."""
    prefixes = _place_prefixes()[0]
    def chars(cs):
        return "[" + "".join(re.escape(c) for c in sorted(cs)) + "]"
    firsts, abbrev = {k[0] for k in prefixes}, set(wordset("recognise_province_abbreviations.txt"))
    # one character class first (an alternation would keep the engine from skipping ahead)
    return re.compile(chars(firsts | abbrev) + "(?:(?=" + chars({k[1] for k in prefixes}) + ")|(?<=" + chars(abbrev) + "))")


def find_places(st: Sent) -> list[Cand]:
    """Gazetteer places and named regions, on jieba word boundaries."""
    g = gazetteer()
    regions = _regions()
    prefixes, names = _place_prefixes()
    text = st.text
    out: list[Cand] = []
    abbrev = wordset("recognise_province_abbreviations.txt")
    i, n = 0, len(text)
    for m0 in _place_starts_re().finditer(text):
        if m0.start() < i:
            continue             # inside the place just found
        i = m0.start()           # the next character that may open a place name
        if text[i:i + 2] not in prefixes and text[i] not in abbrev:
            continue
        # lengths of the names that text[i:] begins with, found by walking the prefixes
        lens, L = [], 2
        while i + L <= n and text[i:i + L] in prefixes:
            if text[i:i + L] in names:
                lens.append(L)
            L += 1
        hit = None
        for L in reversed(lens):
            w = text[i:i + L]
            kind = ("full" if w in g.full else "short" if w in g.short else "region" if w in regions
                    else "county" if w in g.county else None)
            if kind and _place_ok(st, i, i + L, kind, out):
                hit = (w, kind)
                break
        if hit is None:
            m = _region_suffix_re().match(text, i) if text[i] in abbrev else None
            if m and i in st.starts:
                out.append(Cand("Place", i, m.end(), name=m.group(0)))
                i = m.end()
                continue
            i += 1
            continue
        w, kind = hit
        if kind == "region":
            rest = text[i + len(w):]
            if not (rest[:1].isdigit() or rest.startswith(words("recognise_place_compounds.txt"))):
                out.append(Cand("Place", i, i + len(w), name=regions[w]))
        else:
            places = place_of(w)
            end = i + len(w)
            if w.endswith("县") and text[end:end + 1] == "区":
                end += 1        # 撤县设区: 赣县 -> 赣县区
            out.append(Cand("Place", i, end, name=places[0].name, attrs=(("code", places[0].code),)))
            i = end
            continue
        i += len(w)
    return out


@lru_cache(maxsize=None)
def _zone_or_body_re() -> re.Pattern:
    """A zone, government body or institution ending, with an optional bracket before it."""
    return re.compile(f"(?:[{OPEN}][^{CLOSE}]{{1,8}}[{CLOSE}])?(?:{alternation('recognise_zone_suffixes.txt')}"
                      f"|{alternation('recognise_agency_govbodies.txt')}|海关|{alternation('recognise_institution_suffixes.txt')})")


def _place_ok(st: Sent, a: int, b: int, kind: str, found: list[Cand]) -> bool:
    """A gazetteer hit counts only on word boundaries (大同小异 is not 大同)."""
    text = st.text
    if kind == "region" and b - a >= 3:
        return True
    after_place = any(c.b == a for c in found)
    if a not in st.starts and not after_place:
        return False
    rest = text[b:]
    zone_or_body = _zone_or_body_re().match(text, b)
    g = gazetteer()
    next_place = any(text[b:b + L] in g.full or text[b:b + L] in g.short for L in range(2, 5))
    if b not in st.ends:
        tok = st.tok_at(b - 1)
        # jieba glues a place to a type word or to the next place (宁波保税区, 湖南长沙)
        if not (zone_or_body or next_place or re.match("[省市县区]", rest)):
            return False
    if kind == "county":
        parent = [c for c in found if c.b == a and c.attrs]
        inside_parent = any(p.within(q) for p in place_of(text[a:b]) for c in parent for q in place_of(text[c.a:c.b]))
        free_start = a == 0 or not _is_han(text[a - 1]) or bool(parent)
        return bool(inside_parent or (zone_or_body and free_start))
    if kind == "full" and b - a == 2:
        tok = st.tok_at(a)
        return tok is not None and tok.start == a and (tok.end == b or zone_or_body is not None or next_place)
    return True


# --------------------------------------------------------------------------- zones

@lru_cache(maxsize=None)
def _zone_re() -> re.Pattern:
    return re.compile(alternation("recognise_zone_suffixes.txt"))


def find_zones(st: Sent) -> list[Cand]:
    """Zone names: [place…] [name] [(sub-name)] type-ending; bare type words are references."""
    text = st.text
    generic = wordset("recognise_zone_generic.txt")
    refs = wordset("recognise_zone_refs.txt")
    levels = wordset("recognise_levels.txt")
    level_words = words("recognise_levels.txt")
    out = []
    for m in _zone_re().finditer(text):
        a, b = m.span()
        if b < len(text) and text[b] in "区园":      # a longer word goes on (园区 after 产业)
            continue
        if text.startswith("项目", b):
            continue         # X产业园项目 is a construction project (find_projects)
        start = walk_left(st, a, "Zone", max_chars=14, vn_words=generic)
        # drop leading level words (国家级岳阳经开区 -> 岳阳经开区)
        while text.startswith(level_words, start):
            lv = next((w for w in level_words if text.startswith(w, start) and start + len(w) < a), None)
            if not lv:
                break
            start += len(lv)
        if start < a and not _preceded_by_generic(st, start):
            pieces = split_tokens(st, start, a)
            placed = [p for p in pieces if place_of(p) or _is_region_abbrev(p)]
            names = [p for p in pieces if p not in placed and p not in levels]
            bracket = _OPEN_RE.search(text, start, a)
            proper = [p for p in names if st.rare(p, 1500) and specific([p], generic)
                      and (st.tok_at(text.find(p, start)) is None or st.tok_at(text.find(p, start)).flag not in ("i", "l"))]
            if m.group(0).endswith("基地") and not placed:
                continue         # a designated base counts only with its place (杭州…高技术基地)
            if placed or bracket or proper:
                out.append(Cand("Zone", start, b))
                continue
        word = m.group(0)
        if word in refs and start == a and not _preceded_by_generic(st, a) and not _after_level_or_de(st, a):
            out.append(Cand("Zone", a, b, ref="zone"))
    for w in ("该区", "该园区", "本区", "我区", "全区") if "区" in text else ():
        for m in occurrences(w, text):
            if not any(c.a <= m.start() < c.b for c in out):
                out.append(Cand("Zone", m.start(), m.end(), ref="zone"))
    return out


def _after_level_or_de(st: Sent, a: int) -> bool:
    """国家级经开区, 全省开发区, 被整合的开发区: a type word used generically."""
    before = st.text[max(0, a - 4):a]
    if before.endswith(("的", "级", "全省", "全市", "全国", "国家", "各", "个", "类", "些", "原", "新", "后", "省内", "国内", "对")):
        return True
    tok = st.tok_before(a)
    return bool(tok and tok.flag == "m")


# --------------------------------------------------------------------------- agencies

@lru_cache(maxsize=None)
def _dept_re() -> re.Pattern:
    stems = sorted(agency_stems(), key=len, reverse=True)
    sufs = sorted(agency_suffixes(), key=len, reverse=True)
    return re.compile("(?:(?P<party>委))?(?P<stem>" + "|".join(map(re.escape, stems)) + ")(?P<suf>"
                      + "|".join(map(re.escape, sufs)) + ")")


@lru_cache(maxsize=None)
def _govbody_re() -> re.Pattern:
    return re.compile(alternation("recognise_agency_govbodies.txt"))


@lru_cache(maxsize=None)
def _body_words() -> tuple[str, ...]:
    """What a body that is not a plain department opens with (a department may open with 委)."""
    return ("委", "海关") + words("recognise_agency_govbodies.txt")


def _match_body(text: str, pos: int) -> int:
    """End of a department or government body starting at pos (0 when none)."""
    if text[pos:pos + 2] not in _dept_openings() and not text.startswith(_body_words(), pos):
        return 0             # the cheap test first: most places and level words name no body
    best = 0
    m = _dept_re().match(text, pos)
    if m:
        best = m.end()
    m = _govbody_re().match(text, pos)
    if m:
        # a government body may be followed by its own department (省委组织部 is covered)
        best = max(best, m.end())
    if text.startswith("海关", pos):
        best = max(best, pos + 2)
    return best


@lru_cache(maxsize=None)
def _dept_start_re() -> re.Pattern:
    """Where a department name (_dept_re) may start: 委, or a first character of _dept_openings
    followed by a possible second one (one character class first, so that the engine skips ahead)."""
    def chars(cs):
        return "[" + "".join(re.escape(c) for c in sorted(cs)) + "]"
    openings = _dept_openings()
    return re.compile(chars({"委"} | {o[0] for o in openings}) + "(?:(?<=委)|(?=" + chars({o[1] for o in openings}) + "))")


@lru_cache(maxsize=None)
def _dept_openings() -> frozenset[str]:
    """The first two characters of every department name without 委 in front: a stem's, or a
    one-character stem's and its suffix's."""
    stems, firsts = agency_stems(), {s[0] for s in agency_suffixes()}
    return frozenset([s[:2] for s in stems if len(s) >= 2] + [s + c for s in stems if len(s) == 1 for c in firsts])


def _departments(text: str):
    """_dept_re().finditer(text), trying the pattern only where a name may start: its optional
    委 in front keeps the regex engine from skipping ahead on its own, and it was the slowest
    scan of the grammars."""
    dept, openings, pos = _dept_re(), _dept_openings(), 0
    for c in _dept_start_re().finditer(text):
        p = c.start()
        if p < pos or (text[p:p + 2] not in openings and text[p] != "委"):
            continue
        m = dept.match(text, p)
        if m:
            yield m
            pos = m.end()


@lru_cache(maxsize=None)
def _named_body_re() -> re.Pattern:
    return _any_re(suffix for _, suffix in table("recognise_agency_named_suffixes.txt"))


_LEVEL_PREFIX = re.compile("国家|中央|全国|省|市|县|区|州")
_BANK_BRANCH = re.compile("(?:中国人民银行|人民银行|人行)([" + HAN + "]{2,4}?)(中心支行|分行|营业管理部|支行)")
_ZONE_BODY = re.compile(f"([{HAN}]{{0,6}}?)(党工委|管委会|管理委员会|工委|部|局|办公室|服务中心|指挥中心)")
_COMMITTEE = re.compile("管委会|党工委")
_NUMBERED_BUREAU = re.compile(f"([{HAN}]{{2,4}}?)([{CN_DIGITS}])(局|处|科)")
_NUMBERED_BUREAU_CORE = re.compile(f"[{CN_DIGITS}][局处科]")      # what _NUMBERED_BUREAU needs
_QUOTED_OFFICE = re.compile(f"“([{HAN}]{{1,3}}办)”")
_HAN_OR_QUOTE = re.compile(f"[{HAN}“]")
_LISTED_OFFICE = re.compile(f"(?<=[、，,])([{HAN}]{{2,3}}办)(?=[、，,…。])")


def find_agencies(st: Sent, places: list[Cand], zones: list[Cand]) -> list[Cand]:
    text = st.text
    out: list[Cand] = []
    # 1. place + body (湖南省人民政府, 长沙海关, 湖南证监局, 浏阳市委)
    for p in places:
        if not p.attrs and p.name not in ("中国",):
            continue
        end = _match_body(text, p.b)
        if end:
            a = p.a
            while True:      # 广州市|黄埔区|人民政府: the county's body keeps its city in front
                outer = next((q for q in places if q.b == a and q.attrs and q.a < a), None)
                if outer is None:
                    break
                a = outer.a
            out.append(Cand("Agency", a, end, prio=2))
    # 2. level prefix + body (省发改委, 省委组织部, 国家发改委, 县人民政府)
    for m in _LEVEL_PREFIX.finditer(text):
        a, pre = m.start(), m.group(0)
        end = _match_body(text, m.end())
        if not end or end - m.end() < 1:
            continue
        if any(p.a <= a < p.b for p in places):
            continue
        if _preceded_by_generic(st, a) or text[max(0, a - 2):a] in ("设区", "地级", "县级", "直辖") or \
                (a > 0 and text[a - 1] in "、" and pre in "市县区" and text[max(0, a - 2):a - 1] in "市县省"):
            continue
        if pre in ("县", "市", "区") and text[m.end():end] in ("委", "政府", "人民政府"):
            out.append(Cand("Agency", a, end, ref=("city:" if pre == "市" else "county:") + text[a:end]))
            continue
        if pre == "区":
            if a > 0 and _is_han(text[a - 1]) and text[a - 1] not in "、和与及":
                continue
            out.append(Cand("Agency", a, end, ref="zone:" + text[m.end():end]))
            continue
        if pre == "市" and a > 0 and _is_han(text[a - 1]) and text[a - 1] not in "、和与及将由向经":
            continue
        out.append(Cand("Agency", a, end, prio=1))
    # 3. ministries without prefix (商务部, 商务部) and central organs (国务院)
    for m in _departments(text):
        if m.group("suf") == "部" and not m.group("party") and text[m.end():m.end() + 1] != "门" and (m.start() == 0 or not _is_han(text[m.start() - 1])
                                                               or text[m.start() - 1] in "被由和与及、向经在将"):
            out.append(Cand("Agency", m.start(), m.end()))
    for w in words("recognise_agency_central.txt") if any_of("recognise_agency_central.txt").search(text) else ():
        for m in occurrences(w, text):
            out.append(Cand("Agency", m.start(), m.end()))
    # 4. people's bank branches (人行长沙中心支行)
    for m in _BANK_BRANCH.finditer(text):
        if place_of(m.group(1)):
            out.append(Cand("Agency", m.start(), m.end(), prio=2))
    # 5. departments of a zone (长沙经开区组织人事部) and bare bodies of the zone in focus (管委会主任…)
    not_bodies = words("recognise_not_bodies.txt")
    titles = words("recognise_person_titles.txt")
    for z in zones:
        m = _ZONE_BODY.match(text[z.b:])
        if not m:
            continue
        end = z.b + m.end()
        body = text[z.b:end]
        mid = m.group(1)
        if body.endswith(not_bodies) or text[end:end + 1] in ("门", "分", "理", "事", "长") and not mid:
            continue
        if m.group(2) in ("部", "局") and not mid:
            continue
        governing = wordsets("recognise_measure_verbs.txt", "recognise_governing_verbs.txt")
        if mid and any(t.word in governing or t.flag in ("p", "c", "d", "r", "m", "q") or t.flag.startswith("u")
                       for t in _toks_in(st, z.b, z.b + len(mid))):
            continue
        if z.ref:
            # 经开区管委会 names the zone's committee; a bare 党群部 after 经开区 needs a title after it
            if _preceded_by_generic(st, z.a) or not (m.group(2) in ("管委会", "管理委员会", "党工委", "工委")
                                                     or text.startswith(titles, end)):
                continue
            out.append(Cand("Agency", z.a, end, ref="zonename:" + body))
        else:
            out.append(Cand("Agency", z.a, end, prio=2))
    for m in _COMMITTEE.finditer(text):
        a = m.start()
        if any(c.a <= a < c.b for c in out) or not text.startswith(titles, m.end()):
            continue
        prev = text[max(0, a - 3):a]
        if a == 0 or text[a - 1] in PUNCT or text[a - 1] in QUOTES or prev.endswith(("、", "和", "及")):
            if not _preceded_by_generic(st, a) and not prev.endswith(("开发区", "园区", "新区")):
                out.append(Cand("Agency", a, m.end(), ref="zone:" + m.group(0)))
    # 6. named bodies with a free-phrase name (…领导小组, …指挥部, 企业服务中心)
    generic = wordsets("recognise_generic_words.txt", "recognise_zone_refs.txt")
    named_rows = table("recognise_agency_named_suffixes.txt") if _named_body_re().search(text) else ()
    for cls_, suffix in named_rows:
        for m in occurrences(suffix, text):
            a, b = m.span()
            if any(c.a <= a and b <= c.b for c in out):
                continue
            start = walk_left(st, a, "Agency", max_chars=30, anchor=False, quotes=True)
            if a - start < 2 or _preceded_by_generic(st, start):
                continue
            if not specific(split_tokens(st, start, a), generic):
                continue
            if _dept_re().fullmatch(text, start, b):
                # a standard department named bare (行政审批局): the department of the zone in focus
                out.append(Cand("Agency", start, b, ref="zonename:" + text[start:b]))
                continue
            out.append(Cand("Agency", start, b))
    # 7. numbered bureaus and their coordinated siblings (投资一局、二局、三局)
    for m in _NUMBERED_BUREAU.finditer(text) if _NUMBERED_BUREAU_CORE.search(text) else ():
        a = walk_left(st, m.start(2), "Agency", max_chars=6, anchor=False)
        if a >= m.start(2):
            continue
        prefix = text[a:m.start(2)]
        out.append(Cand("Agency", a, m.end()))
        pos = m.end()
        while True:
            sib = re.match(f"(、|和|及)([{CN_DIGITS}]{m.group(3)})", text[pos:])
            if not sib:
                break
            s0 = pos + sib.start(2)
            out.append(Cand("Agency", s0, pos + sib.end(2), name=prefix + sib.group(2)))
            pos += sib.end()
    # 8. quoted bodies (“暖企办”) and the bare ones listed with them (金融办、人才办)
    quoted = [m for m in _QUOTED_OFFICE.finditer(text) if not _HAN_OR_QUOTE.match(text, m.end(), m.end() + 1)] \
        if "办”" in text else []
    for m in quoted:
        out.append(Cand("Agency", m.start(), m.end(), name=m.group(1)))
    if quoted:
        for m in _LISTED_OFFICE.finditer(text):
            if not text[m.start():m.end()].endswith(not_bodies):
                out.append(Cand("Agency", m.start(), m.end()))
    return out


def _toks_in(st: Sent, a: int, b: int) -> list[Tok]:
    """The words overlapping st.text[a:b] (for an empty span, a word straddling a)."""
    if 0 <= a < b <= len(st.text):
        return st.toks[st.tok_of[a]:st.tok_of[b - 1] + 1]
    return [t for t in st.toks if t.start < b and t.end > a]


# --------------------------------------------------------------------------- companies

@lru_cache(maxsize=None)
def _company_re() -> re.Pattern:
    return re.compile(alternation("recognise_company_forms.txt"))


_SHORT_NAME = re.compile(f"[{OPEN}](?:股票简称|以下简称|简称)[:：]?“?([{HAN}A-Za-z0-9]{{2,10}})”?[{CLOSE}]")


def find_companies(st: Sent, zones: list[Cand]) -> list[Cand]:
    text = st.text
    generic = wordsets("recognise_generic_words.txt", "recognise_company_trades.txt")
    out: list[Cand] = []
    for m in _company_re().finditer(text):
        a, b = m.span()
        if b < len(text) and text[b] in "化制":      # 公司化, 集团化: not a name
            continue
        start = walk_left(st, a, "Company", max_chars=26, anchor=True)
        # a zone reference opens the name of a zone's own company (区产业投资公司)
        if start < a and start > 0 and text[start - 1] == "区" and not _is_han(text[start - 2: start - 1] or "，"):
            start -= 1
        if start >= a:
            continue
        if _preceded_by_generic(st, start):
            continue
        if re.search("人民银行|人行", text[max(0, start - 6):b]):
            continue         # the central bank and its branches are government bodies
        pieces = split_tokens(st, start, a)
        zone_pre = next((z for z in zones if z.a == start and z.b <= a and not z.ref), None)
        if text[start] == "区" and pieces and pieces[0] == "区":
            out.append(Cand("Company", start, b, ref="zone:" + text[start + 1:b]))
            continue
        has_place = any(_is_place_piece(p) for p in pieces) or _OPEN_RE.search(text, start, a)
        if not (zone_pre or has_place or specific(pieces, generic)):
            continue
        out.append(Cand("Company", start, b, prio=1))
    # stock short names: （股票简称：星河发展）/（以下简称“X”）
    for m in _SHORT_NAME.finditer(text) if "简称" in text else ():
        full = next((c for c in out if c.b == m.start()), None)
        if full:
            s = m.start(1)
            out.append(Cand("Company", s, m.end(1), name=text[full.a:full.b], prio=3))
    return out


_FIRM_LIST = re.compile("等[^。；;]{0,24}?(?:企业|公司|厂商|龙头|产业)")
_FIRM_FIGURE = re.compile("(?=产量|产能|销售收入|营收|董事长|总经理|总裁)")
_FIRM_FIGURE_WORD = re.compile("产量|产能|销售收入|营收|董事长|总经理|总裁")     # what _FIRM_FIGURE looks ahead for


def find_short_companies(st: Sent) -> list[Cand]:
    """Brand + trade short names (骏澜纺织, 博钛电子) where the sentence treats them as firms:
    items of a list closed by 等…企业, or the subject of a firm's figures (X产量, X董事长)."""
    text = st.text
    trades = words("recognise_company_short_trades.txt")
    generic = wordsets("recognise_generic_words.txt", "recognise_company_trades.txt", "recognise_industries.txt")
    out = []
    spans: list[tuple[int, int]] = []
    groups: list[tuple[int, int]] = []       # (first, end) indexes into spans of each list
    # list items: A、B、C等…企业
    for m in _FIRM_LIST.finditer(text) if "等" in text else ():
        first = len(spans)
        lo = m.start()
        while lo > 0 and text[lo - 1] not in "，,。；;：:":
            lo -= 1
        seg = text[lo:m.start()]
        pos = lo
        for item in re.split("(、)", seg):
            if item != "、":
                spans.append((pos, pos + len(item)))
            pos += len(item)
        if spans and len(seg.split("、")) >= 1:
            # the first item starts after the preposition that opens the list
            a0, b0 = spans[-len(seg.split("、"))]
            s0 = walk_left(st, b0, "Company", max_chars=10, anchor=False, verbs=True)
            s0 = _skip_generic_lead(st, s0, b0, generic)
            spans[-len(seg.split("、"))] = (max(a0, s0), b0)
        groups.append((first, len(spans)))
    # subject of a firm's figures: X产量, X产能, X董事长
    for m in _FIRM_FIGURE.finditer(text) if _FIRM_FIGURE_WORD.search(text) else ():
        b0 = m.start()
        lo = walk_left(st, b0, "Company", max_chars=10, anchor=False)
        spans.append((lo, b0))
    group_of = {k: g for g in groups for k in range(*g)}
    sure: set[tuple[int, int]] = set()
    for _ in (1, 2):      # second round: items listed beside a firm the first round accepted
        for k, c in enumerate(_short_company_items(st, spans, trades, generic, group_of, sure)):
            if c is not None and (c.a, c.b) not in {(o.a, o.b) for o in out}:
                out.append(c)
                sure.add(group_of.get(k, (-1, -1)))
    return out


def _skip_generic_lead(st: Sent, a: int, b: int, generic: frozenset[str]) -> int:
    """Drop leading generic words and localisers (园区|内|蓝思光学) from a list's first item."""
    while a < b:
        tok = st.tok_at(a)
        if tok is None or tok.start != a or tok.end >= b or not (tok.word in generic or tok.flag == "f"):
            break
        a = tok.end
    return a


def _short_company_items(st: Sent, spans, trades, generic, group_of, sure):
    """Each span as a short company name or None; a list with an accepted firm (in ``sure``)
    takes its other trade-named items even when their brand is a common word (三星|电子)."""
    text = st.text
    for k, (a0, b0) in enumerate(spans):
        yield _short_company(st, a0, b0, trades, generic, group_of.get(k) in sure)


def _short_company(st: Sent, a0: int, b0: int, trades, generic, listed: bool) -> Cand | None:
    """The span as a brand + trade short name, or None."""
    text = st.text
    if True:
        item = text[a0:b0]
        trade = next((t for t in trades if item.endswith(t)), None)
        if trade is None and not item.endswith("厂"):
            return None
        tail = trade or "厂"
        brand = item[: -len(tail)]
        if re.search("[和与及]", item) or any(w in item for w in words("recognise_industries.txt") if len(w) >= 3):
            return None
        # drop a leading place (长沙卷烟厂 keeps it: the place is the brand)
        if not (2 <= len(brand) <= 6) or not all(_is_han(ch) or ch.isalnum() for ch in item):
            return None
        toks = split_tokens(st, a0, a0 + len(brand))
        if tail != "厂" and not listed and not (st.rare(brand) and any(st.rare(t) or len(t) == 1 for t in toks)):
            return None
        if tail != "厂" and not specific(toks, generic):
            return None
        return Cand("Company", a0, b0)


# --------------------------------------------------------------------------- institutions, funds, projects

@lru_cache(maxsize=None)
def _inst_re() -> re.Pattern:
    return re.compile(alternation("recognise_institution_suffixes.txt"))


ESTABLISH = ("组建", "成立", "设立", "创办", "发起设立", "筹建", "新设")


def _after_establish(text: str, start: int) -> bool:
    """设立X基金, 设立总规模50亿元的X基金: an establishing verb opens the clause of the name."""
    lo = start
    while lo > 0 and text[lo - 1] not in "，,。；;：:、":
        lo -= 1
    return any(v in text[lo:start] for v in ESTABLISH)


@lru_cache(maxsize=None)
def _institution_generic() -> frozenset[str]:
    return wordsets("recognise_generic_words.txt", "recognise_zone_generic.txt") | {"制造业", "产教"}


_PLACE_AFTER_INSTITUTION = re.compile("科技园|城市|园|区|班|路|站")


def find_institutions(st: Sent) -> list[Cand]:
    text = st.text
    generic = _institution_generic()
    out = []
    for m in _inst_re().finditer(text):
        a, b = m.span()
        if b < len(text) and _PLACE_AFTER_INSTITUTION.match(text, b):
            continue
        start = walk_left(st, a, "Institution", max_chars=24, anchor=True,
                          stop_after=words("recognise_company_forms.txt"))
        if start >= a or _preceded_by_generic(st, start):
            continue
        pieces = split_tokens(st, start, a)
        city_pre = text[start] in "市省区县" and (start == 0 or not _is_han(text[start - 1]) or
                                               text[start - 2:start] in ("建成", "依托") or text[start - 1] in "、")
        has_place = any(_is_place_piece(p) for p in pieces)
        if not (has_place or city_pre or specific(pieces, generic)):
            continue
        if re.match(r"\s*\d|等|一批", text[b:]) and not has_place:
            continue
        out.append(Cand("Institution", start, b))
    return out


def find_funds(st: Sent) -> list[Cand]:
    text = st.text
    out = []
    for m in occurrences("基金", text):
        a, b = m.span()
        if b < len(text) and re.match("[办会]|公司|招商|管理人", text[b:]):
            continue
        start = walk_left(st, a, "Fund", max_chars=14, anchor=True, verbs=True)
        if start >= a or _preceded_by_generic(st, start):
            continue
        head = text[start]
        tok = st.tok_at(start)
        prefixed = head in "省市区县" and tok is not None and tok.start == start and tok.word == head
        pieces = split_tokens(st, start, a)
        if prefixed or any(_is_place_piece(p) for p in pieces) or _after_establish(text, start):
            if re.match("等|[、和及]", text[b:b + 1]) and text[start - 1:start] == "、" and not prefixed:
                continue
            out.append(Cand("Fund", start, b))
    return out


def _brand_at(st: Sent, start: int, end: int) -> str:
    """The word opening a name, single characters joined (蔚|来 -> 蔚来); '' when it is a common word."""
    tok = st.tok_at(start)
    if tok is None or tok.start != start:
        return ""
    if len(tok.word) >= 2:
        ok = tok.flag.startswith("n") or tok.flag in ("j", "eng", "x") or st.rare(tok.word, 20)
        return tok.word if ok else ""
    word, pos = "", start
    while pos < end and len(word) < 3:
        t = st.tok_at(pos)
        if t is None or len(t.word) != 1 or not _is_han(t.word):
            break
        word += t.word
        pos = t.end
    return word if len(word) >= 2 else ""


def find_projects(st: Sent) -> list[Cand]:
    """X项目 named by a brand (梅溪湖项目, 星河精密项目), a bracketed place or a capacity."""
    text = st.text
    generic = wordsets("recognise_generic_words.txt", "recognise_industries.txt")
    out = []
    for m in occurrences("项目", text):
        a, b = m.span()
        start = _after_project_verb(st, walk_left(st, a, "Project", max_chars=22, anchor=False), a)
        if text[start - 1:start] == "第" and start > 1 and text[start:start + 1].isdigit():
            start -= 1       # an ordinal opens the name (第8代…)
        if start >= a or _preceded_by_generic(st, start) or text[start - 1:start] in QUOTES:
            continue
        pieces = split_tokens(st, start, a)
        capacity = re.search(r"\d+(?:\.\d+)?(?:GWh|GW|MW|MWh|万吨|万台|万辆|万套|亿只)", text[start:a])
        bracket = _OPEN_RE.search(text, start, a)
        first = _brand_at(st, start, a)
        brand = bool(first) and st.rare(first, 100) and first not in generic
        if (capacity or bracket or brand) and specific(pieces, generic):
            out.append(Cand("Project", start, b))
        else:
            start = _facility_project(st, start, a) if start < a else None
            if start is None:
                start = _verb_bounded_project(st, a, generic)
            if start is not None:
                out.append(Cand("Project", start, b))
    return out


_PROJECT_MARK = re.compile(r"第?\d+(?:\.\d+)?代|\d")


def _verb_bounded_project(st: Sent, a: int, generic: frozenset[str]) -> int | None:
    """建设|第6代柔性显示生产线|项目, 投资建设的|某品牌智能汽车|项目: a name that holds a verb-tagged
    word (显示, 联), closed on the left by an investing or building verb; it must carry a
    generation/number, a rare brand or a facility head to be a named project."""
    text = st.text
    lo = _after_project_verb(st, walk_left(st, a, "Project", max_chars=22, anchor=False, verbs=True), a)
    if text[lo - 1:lo] == "第" and lo > 1:
        lo -= 1          # an ordinal opens the name (第6代…)
    if lo >= a - 3 or (lo not in st.starts and text[lo] != "第"):
        return None
    left = text[max(0, lo - 6):lo]
    left = left[:-1] if left.endswith("的") else left
    if not left.endswith(words("recognise_project_verbs.txt")):
        return None
    name = text[lo:a]
    first = _brand_at(st, lo, a)
    heads = words("recognise_project_facility_heads.txt")
    if not (_PROJECT_MARK.match(name) or (first and st.rare(first, 100) and first not in generic)
            or name.endswith(heads)):
        return None
    if any(ch in PUNCT for ch in name) or not specific(split_tokens(st, lo, a), generic):
        return None
    return lo


def _after_project_verb(st: Sent, start: int, a: int) -> int:
    """A project's name starts after the last investing or building verb inside it (在X区|投资建设|Y项目)."""
    for v in words("recognise_project_verbs.txt"):
        k = st.text.rfind(v, start, a)
        if k >= 0 and k + len(v) < a and k in st.starts and k + len(v) in st.starts:
            start = max(start, k + len(v))
    return start


def _facility_project(st: Sent, start: int, a: int) -> int | None:
    """建设智能装备产业园项目: a named facility + 项目, built or invested in by the clause; the
    start of the name (after the verb), or None."""
    text = st.text
    verbs = words("recognise_project_verbs.txt")
    head = next((h for h in words("recognise_project_facility_heads.txt") if text.endswith(h, start, a)), None)
    if head is None or a - len(head) - start < 2 or start not in st.starts:
        return None
    if not specific(split_tokens(st, start, a - len(head)), wordset("recognise_generic_words.txt")):
        return None
    lo = start
    while lo > 0 and text[lo - 1] not in "。；;！？!?":
        lo -= 1
    return start if any(v in text[lo:start] for v in verbs) else None


# --------------------------------------------------------------------------- policies

@lru_cache(maxsize=None)
def _policy_head_re() -> re.Pattern:
    return re.compile("(?:" + alternation("recognise_policy_heads.txt") + r")(?:[（(]\s*(?:19|20)\d\d\s*[-—–~至]+\s*(?:19|20)?\d\d\s*年?\s*[)）])?$")


DOCNUM = re.compile(r"[" + HAN + r"]{1,10}[〔\[［【(（]\s*(?:19|20)\d\d\s*[〕\]］】)）]\s*第?\s*\d{1,4}\s*号")


_BOOK_TITLE = re.compile("《([^《》\n]{2,120})》")
_NESTED_TITLE = re.compile("《([^《》\n]*《[^《》\n]+》[^《》\n]*)》")
_TITLE_LINE = re.compile(f"^(?P<issuer>[{HAN}]{{2,40}}?)?(?P<title>关于.{{4,150}}的[{HAN}]{{0,4}}(?:通知|意见|决定|批复|报告|函|办法|方案))$")
_QUOTED_POLICY = re.compile(f"“[^“”]{{1,20}}”([{HAN}]{{0,6}})政策")


@lru_cache(maxsize=None)
def _unquoted_policy_heads() -> tuple[tuple[str, ...], ...]:
    return tuple(sorted(table("recognise_policy_unquoted.txt"), key=lambda r: -len(r[0])))


@lru_cache(maxsize=None)
def _unquoted_policy_re() -> re.Pattern:
    return _any_re(r[0] for r in table("recognise_policy_unquoted.txt"))


def find_policies(st: Sent) -> list[Cand]:
    text = st.text
    out: list[Cand] = []
    titles: list[Cand] = []
    for m in _BOOK_TITLE.finditer(text) if "《" in text else ():
        inner = m.group(1)
        if not _policy_head_re().search(inner.replace("》", "")) and "《" not in inner:
            continue
        c = Cand("Policy", m.start(1), m.end(1), prio=3)
        out.append(c)
        titles.append(c)
        out += _policy_inner(st, m.start(1), m.end(1))
    # 《A《B》C》: the outer title of a title that quotes another
    for m in _NESTED_TITLE.finditer(text) if "《" in text else ():
        if _policy_head_re().search(m.group(1)):
            out.append(Cand("Policy", m.start(1), m.end(1), prio=3))
    # a title line without book-title marks: [issuer]关于…的通知
    m = _TITLE_LINE.match(text) if "关于" in text else None
    if m:
        out.append(Cand("Policy", m.start("title"), m.end("title"), prio=3))
        out += _policy_inner(st, m.start("title"), m.end("title"))
    # document numbers, as aliases of the title they follow
    for m in DOCNUM.finditer(text) if "号" in text else ():
        a, b = m.span()
        prev = next((t for t in titles if 0 <= a - t.b <= 3 and re.fullmatch(r"》?\s*[（(]?\s*", text[t.b:a])), None)
        out.append(Cand("Policy", a, b, name=text[prev.a:prev.b] if prev else "", prio=3))
    # unbracketed specific titles: …实施方案 / …条例, and quoted + 政策
    for head, need in _unquoted_policy_heads() if _unquoted_policy_re().search(text) else ():
        for m in occurrences(head, text):
            a, b = m.span()
            if b < len(text) and _is_han(text[b]) and not re.match("[和及与中上的]|制定|出台|落实|印发|实施|督", text[b:]):
                continue
            if any(t.a <= a < t.b for t in titles) or any(c.cls == "Policy" and c.a <= a < c.b for c in out):
                continue
            start = _policy_left(st, a)
            if start >= a:
                continue
            pieces = split_tokens(st, start, a)
            marked = "“" in text[start:a] or any(_is_place_piece(p) for p in pieces[:2]) or \
                _zone_re().search(text, start, a)
            named = len(text[start:a]) >= 6 and specific(
                pieces, wordsets("recognise_generic_words.txt", "recognise_measure_generic.txt"))
            if need == "any" or marked or (need == "name" and named):
                out.append(Cand("Policy", start, b, prio=2))
    for m in _QUOTED_POLICY.finditer(text) if "政策" in text else ():
        if not re.search("的|等", m.group(1)):
            out.append(Cand("Policy", m.start(), m.end(), prio=2))
    return out


def _policy_left(st: Sent, a: int) -> int:
    """Start of an unbracketed title ending at a: back to a clause break or an issuing verb."""
    text = st.text
    stops = words("recognise_policy_left_stops.txt")
    pos = a
    while pos > 0 and a - pos < 40:
        ch = text[pos - 1]
        if ch == "”":
            j = text.rfind("“", max(0, pos - 30), pos - 1)
            if j < 0:
                break
            pos = j
            continue
        if ch in "，,。；;：:、！？!?()（）《》“" or ch.isdigit() or ch in ".．":
            break
        if text[:pos].endswith(stops):
            break
        tok = st.tok_before(pos)
        if tok and (tok.flag in ("p", "c", "d", "r") or tok.flag.startswith("u")) and tok.word not in ("和",):
            break
        pos = tok.start if tok else pos - 1
    return pos


def _policy_inner(st: Sent, a: int, b: int) -> list[Cand]:
    """Inside a title: the issuer before 关于, and the plan a notice issues."""
    text = st.text
    inner = text[a:b]
    out = []
    m = re.search("关于(?:印发|发布|转发|颁布)《?(.+?)》?的通知$", inner)
    if m and _policy_head_re().search(m.group(1).strip("《》")):
        s = a + m.start(1)
        e = a + m.end(1)
        if text[s] == "《":
            s += 1
        if text[e - 1] == "》":
            e -= 1
        out.append(Cand("Policy", s, e, prio=3, nested_only=True))
    return out


# --------------------------------------------------------------------------- measures

_HEADING = re.compile(rf"^\s*(?:\d{{1,2}}\s*[.．、]|[（(]\s*[{CN_DIGITS}\d]+\s*[)）]|[{CN_DIGITS}]+\s*、)")


_QUOTED_TERM = re.compile("“([^“”]{2,30})”")
_COUNTED = re.compile("[一二两三四五六七八九十多几]大|各类|一批|三个|等|一项项|一个个|各项")


def find_measures(st: Sent, policy_doc: bool = False) -> list[Cand]:
    """Named reforms: a quoted term + head noun (“一件事一次办”改革), or an unquoted name + head
    noun governed by a verb (推进干部人事改革). In policy documents (plans with 牵头单位
    brackets) an unquoted …机制/…制度 is an instruction, not a named reform."""
    text = st.text
    heads = _measure_heads()
    out: list[Cand] = []
    # the heading of a numbered task is the task itself (kg/outline.py reads those)
    skip_to = 0
    hm = _HEADING.match(text)
    if hm:
        end = re.search("[。；;]", text)
        skip_to = end.end() if end else len(text)
    for m in _QUOTED_TERM.finditer(text) if "“" in text else ():
        c = _quoted_measure(st, m, heads)
        if c is not None and c.a >= skip_to:
            out.append(c)
    generic = wordset("recognise_measure_generic.txt")
    strong = wordset("recognise_measure_strong_heads.txt")
    for h, unquoted in heads if _unquoted_heads_re().search(text) else ():
        if not unquoted or (policy_doc and h not in strong):
            continue
        if h not in text:
            continue
        for m in occurrences(h, text):
            a, b = m.span()
            if a < skip_to or any(c.a <= a < c.b for c in out):
                continue
            if not _measure_right_ok(st, b, h):
                continue
            start = _measure_left(st, a)
            if start is None or a - start < 3:
                continue
            name = text[start:a]
            if not _measure_name_specific(st, start, a, generic):
                continue
            if _COUNTED.search(name):
                continue
            before = text[:start]
            for w in words("recognise_measure_lead.txt"):
                before = before[: -len(w)] if before.endswith(w) else before
            out.append(Cand("Measure", start, b, governed=before.endswith(words("recognise_measure_verbs.txt"))))
    return out


@lru_cache(maxsize=8)
def _measure_vocab(generic: frozenset[str]) -> frozenset[str]:
    return generic | {"集中", "进一步", "深层次"}


def _measure_name_specific(st: Sent, a: int, b: int, generic: frozenset[str]) -> bool:
    """Some word of the name is a non-generic noun (or a verb jieba does not know): 人事制度,
    主办薪酬; 体制机制, 供给侧, 瞄准 are not enough, nor a verb ruling only generic words
    (促进|开发区, 融入|国家)."""
    vocab = _measure_vocab(generic)
    name = st.text[a:b]
    if all(w in vocab for w in _chars_as_words(name, vocab)):
        return False
    found, verbs = False, []
    for t in _toks_in(st, a, b):
        w = st.text[max(a, t.start):min(b, t.end)]
        if t.flag.startswith("v") and t.flag != "vn" and not st.rare(w, 50) and t.end < b:
            rest, before = st.text[t.end:b], st.text[a:max(a, t.start)]
            before_generic = all(x in vocab or _is_place_piece(x) for x in _chars_as_words(before, vocab)) \
                or all(_is_place_piece(p) or p in vocab for p in split_tokens(st, a, max(a, t.start)))
            if before_generic and all(x in vocab for x in _chars_as_words(rest, vocab)):
                return False
        if not w or w in vocab or re.fullmatch(r"[\d.%]+", w):
            continue
        if all(x in vocab for x in _chars_as_words(w, vocab)):
            continue
        if t.flag.startswith("v") and t.flag != "vn" and not st.rare(w, 50):
            verbs.append(w)
            continue
        if t.flag in ("a", "ad", "d", "r", "p", "c", "u", "uj", "q"):
            continue
        found = True
    if not found and len(verbs) >= 2 and all(len(v) == 2 for v in verbs):
        found = True     # 帮办代办机制, 联审联批机制: a name made of verbs
    return found


_HAN_RUN8 = re.compile(f"[{HAN}]{{0,8}}")


@lru_cache(maxsize=None)
def _long_measure_verbs() -> tuple[str, ...]:
    """Measure verbs of two characters or more, in list order."""
    return tuple(v for v in words("recognise_measure_verbs.txt") if len(v) >= 2)


@lru_cache(maxsize=None)
def _measure_scopes() -> tuple[str, ...]:
    return words("recognise_levels.txt") + ("全省", "全市", "全国", "全区")
_PHRASE_FLAGS = frozenset({"n", "nz", "j", "vn", "l", "nt", "ng", "b", "k"})


def _quoted_measure(st: Sent, m: re.Match, heads) -> Cand | None:
    """A quoted term with its head noun, and the noun phrase that opens it (开发区“两型三化”…行动)."""
    text = st.text
    a, b = m.span()
    content = m.group(1)
    if text[b:b + 1] == "式":
        return None      # “店小二”式服务: a metaphor
    glue = _HAN_RUN8.match(text, b).group(0)
    end = None
    head_words = _measure_head_words()
    for i in range(len(glue), -1, -1):
        part = glue[:i]
        if not part.endswith(head_words):
            continue
        h = next((h for h, _ in heads if part.endswith(h)), None)
        if h is None:
            continue
        mid = part[: -len(h)]
        if len(mid) > 6 or "的" in mid or "等" in mid or (h == "服务" and mid):
            continue
        if h == "服务" and not _measure_right_ok(st, b + i, h):
            continue
        end = b + i
        break
    if end is None:
        h = next((h for h, _ in heads if content.endswith(h) and len(content) > len(h) + 1), None) \
            if content.endswith(head_words) else None
        if h is None or content.endswith("办") or "、" in content:
            return None
        end = b
    if text[end:end + 1] == "子":
        return None      # “1+N”改革子方案: a plan, not the reform
    # the noun phrase before the quote belongs to the name (数字政府建设“一号工程”)
    start = walk_left(st, a, "Measure", max_chars=12, anchor=False,
                      flags=_PHRASE_FLAGS)
    verbs = words("recognise_measure_verbs.txt")
    for v in _long_measure_verbs():
        if start >= a:
            break            # nothing left to find in
        k = text.rfind(v, start, a)
        if k >= 0:
            start = max(start, k + len(v))
    # the phrase counts only when it starts at a clean boundary (推进|开发区“两型三化”…行动);
    # a phrase cut out of a longer one (优化|升级“一号工程”) is dropped
    before = text[:start]
    if start < a and not (not before or before[-1] in PUNCT or before[-1] in "“”" or before.endswith(verbs)
                          or before.endswith(("的", "和", "以"))):
        start = a
    # places and scope words open the phrase without naming the measure (全市“…”改革)
    scopes = _measure_scopes()
    moved = True
    while moved and start < a:
        moved = False
        w = next((w for w in scopes if text.startswith(w, start)), None) if text.startswith(scopes, start) else None
        if w is None:
            p = next((text[start:start + L] for L in range(4, 1, -1) if _is_anchor_place(text[start:start + L])), None)
            w = p
        if w and start + len(w) <= a:
            start += len(w)
            moved = True
    short = text[a:end]
    if start < a:
        return Cand("Measure", start, end, name=short, prio=1, governed=True)
    return Cand("Measure", a, end, prio=1, governed=True)


_HEAD_ENDS = re.compile("上|中|的|和|及|与|以来|等|为|作为|方面|过程|期间|之|已|在|是|，")


def _measure_right_ok(st: Sent, b: int, head: str) -> bool:
    """What follows a head noun must not continue the noun (专项资金, 改革红利, 改革创新)."""
    rest = st.text[b:]
    if not rest or not _is_han(rest[0]):
        return not rest or rest[0] not in "“"
    if _HEAD_ENDS.match(rest):
        return True
    if head in ("专项", "试点", "工程", "服务", "计划"):
        return False
    tok = st.tok_at(b)
    if tok is None or tok.start != b or tok.word in ("创新", "发展", "开放", "工作", "红利", "经验"):
        return False
    return tok.flag.startswith("v") and tok.flag != "vn" or tok.flag in ("d", "p", "c", "f", "ad") or tok.flag.startswith("u")


def _measure_left(st: Sent, a: int) -> int | None:
    """Start of an unquoted measure name ending at a, after its governing verb or a clause
    break (None when a quote or a slogan opens it)."""
    text = st.text
    verbs = words("recognise_measure_verbs.txt")
    pos = a
    while pos > 0 and a - pos < 24:
        ch = text[pos - 1]
        if ch in "，,。；;：:！？!?（(）)—《》":
            break
        if ch == "、":
            # 新设备、新工艺、新材料推广工程: a coordinated name stays whole after its verb
            seg_start = pos - 1
            while seg_start > 0 and text[seg_start - 1] not in "，,。；;：:":
                seg_start -= 1
            k = next((seg_start + len(v) for v in verbs if text.startswith(v, seg_start)), None)
            items = text[k:a].split("、") if k is not None else []
            if len(items) >= 3 and all(1 <= len(x) <= 4 for x in items[:-1]) and \
                    all(x[:1] == items[0][:1] for x in items):
                pos = k
            break
        if ch in QUOTES:
            return None
        if text.endswith(verbs, 0, pos):
            break
        if text[:pos].endswith("的"):
            if text[:pos - 1].endswith("”"):
                return None          # “…”的人事管理制度: a slogan that describes the system
            break
        tok = st.tok_before(pos)
        if tok is None:
            break
        piece = text[tok.start:pos]
        if tok.flag.startswith("v") and tok.flag != "vn" and len(piece) == 1:
            break            # 抓改革, 促发展: a one-character verb governs what follows
        if tok.flag in ("m", "q", "t") and (re.search(r"\d", piece) or piece in ("年", "月", "日")):
            nxt = text[pos:pos + 1]
            if not (re.fullmatch(r"\d+", piece) and nxt and _is_han(nxt) and nxt not in "个家项名人亿万年月日次批"):
                break
        elif tok.flag in ("m", "q") and not (re.search(f"[^{CN_DIGITS}两百千万零〇]", piece)
                                              and piece[-1] not in "个批项家些位年月日天次"
                                              and piece not in ("左右", "以上", "以下", "多个")):
            break
        if tok.flag in ("p", "c", "uj", "ul", "ud", "uz", "u", "r", "d") and tok.word not in ("和", "与", "及"):
            break
        if tok.word in ("和", "及", "与"):
            seg = text[max(0, tok.start - 12):tok.start]
            nxt = st.tok_at(tok.end)
            if "、" in seg or re.search("[局办委厅部组室]$", text[:tok.start]) or \
                    (nxt is not None and nxt.flag.startswith("v") and nxt.flag != "vn" and not st.rare(nxt.word, 50)):
                break       # A、B和C…; 领导小组和…; 主动服务和融入…: the 和 joins two things
        pos = tok.start
    # a verb or adverb that opens the span governs the name (复制|自贸试验区改革), unless the
    # name is made of verbs only (联审联批机制)
    toks = [t for t in _toks_in(st, pos, a)]
    if toks and all(t.flag.startswith("v") and t.flag != "vn" for t in toks):
        return pos
    while pos < a:
        tok = st.tok_at(pos)
        if tok is None or tok.start != pos:
            break
        if (tok.flag.startswith("v") and tok.flag != "vn") or tok.flag in ("ad", "d"):
            if tok.end >= a:
                return None
            pos = tok.end
            continue
        break
    changed = True
    while changed:
        changed = False
        for w in words("recognise_measure_lead.txt"):
            if text.startswith(w, pos) and pos + len(w) < a:
                pos += len(w)
                changed = True
    return pos


# --------------------------------------------------------------------------- persons

@lru_cache(maxsize=None)
def _surname_lengths() -> tuple[frozenset[str], tuple[int, ...]]:
    """(surnames, their lengths longest first)."""
    names = wordset("recognise_person_surnames.txt")
    return names, tuple(sorted({len(s) for s in names}, reverse=True))


def _surname_at(text: str, i: int) -> str | None:
    """The longest surname that text[i:] begins with (a set lookup per length, not a scan of the list)."""
    names, lengths = _surname_lengths()
    return next((text[i:i + L] for L in lengths if i + L <= len(text) and text[i:i + L] in names), None)


_AFTER_QUOTE = re.compile("(?:^|[”\"])(?=[" + HAN + "])")      # a quotation ends here or just before


def find_persons(st: Sent) -> list[Cand]:
    text = st.text
    titles = words("recognise_person_titles.txt")
    after = words("recognise_person_after.txt")
    honor = words("recognise_person_honorifics.txt")
    skip = words("recognise_person_skip.txt")
    out: list[Cand] = []

    def name_at(i: int, follow) -> int | None:
        """End of a surname + 1-2 character given name at i, checked by what follows."""
        sn = _surname_at(text, i)
        if sn is None:
            return None
        tok = st.tok_at(i)
        if tok is not None and tok.start == i and not tok.flag.startswith("nr") and len(tok.word) >= 2 \
                and not st.rare(tok.word, 500):
            return None      # 项目, 高度: a common word, not a name
        if tok and tok.start == i and tok.flag.startswith("nr") and 2 <= len(tok.word) <= 3 and tok.word.startswith(sn) \
                and not any(text.startswith(w, tok.end) for w in skip) \
                and not (len(tok.word) == 3 and any(text.startswith(w, tok.end - 1) for w in after)):
            return tok.end       # jieba knows it as a name and a title stands before it
        for g in (2, 1):
            e = i + len(sn) + g
            if g == 2 and any(text.startswith(w, e - 1) for w in after):
                continue     # 赵明说: the last character starts the reporting verb
            if e <= len(text) and all(_is_han(c) for c in text[i:e]) and follow(e):
                return e
        return None

    def follows_speech(e: int) -> bool:
        rest = text[e:]
        if any(rest.startswith(s) for s in skip):
            return False
        if rest == "" or rest[0] in "，,。：:、”\"）)" or any(rest.startswith(w) for w in after):
            return True
        nxt = st.tok_at(e)       # 书记张某带队调研: a verb of two characters or more follows the name
        return nxt is not None and nxt.start == e and nxt.flag == "v" and len(nxt.word) >= 2

    for t in titles if any_of("recognise_person_titles.txt").search(text) else ():
        if t not in text:
            continue
        for m in occurrences(t, text):
            i = m.end()
            e = name_at(i, follows_speech)
            if e is None:
                continue
            if any(text.startswith(s, e) for s in skip):
                continue
            out.append(Cand("Person", i, e, attrs=(("title", t),), prio=1))
    # a speaker named without a title right after a quotation (“…。”王某说): jieba must know
    # the word as a personal name and a reporting verb must follow
    speech = words("recognise_person_speech.txt")
    for m in _AFTER_QUOTE.finditer(text) if any_of("recognise_person_speech.txt").search(text) else ():
        i = m.end()
        e = name_at(i, lambda e: text.startswith(speech, e))
        if e is not None and e - i >= 2:
            out.append(Cand("Person", i, e))
    for h in honor if any_of("recognise_person_honorifics.txt").search(text) else ():
        for m in occurrences(h, text):
            j = m.start()
            tok = st.tok_before(j)
            doctrine = h in ("新时代", "思想", "理论")
            if tok is not None and tok.end == j and tok.flag.startswith("nr") and 2 <= len(tok.word) <= 4:
                i = tok.start
            elif doctrine:
                continue
            else:
                i = next((j - L for L in (2, 3) if j - L >= 0 and j - L in st.starts
                          and _surname_at(text, j - L) is not None
                          and all(_is_han(c) for c in text[j - L:j])
                          and _name_boundary(st, j - L)), None)
                if i is None:
                    continue
            if not _name_boundary(st, i):
                continue
            out.append(Cand("Person", i, j, attrs=() if doctrine else (("title", h),)))
    return out


def _name_boundary(st: Sent, i: int) -> bool:
    """A name may start at i: the word before is punctuation or a function word (由王某博士)."""
    if i == 0:
        return True
    prev = st.tok_before(i)
    if prev is None or prev.end != i:
        return False
    return prev.flag in ("p", "c", "x", "v", "r", "d") or prev.flag.startswith("u") or prev.word in PUNCT


# --------------------------------------------------------------------------- industries

_IND_SUFFIX = ("产业集群", "产业体系", "产业链", "产业")


_INDUSTRY_CUES = re.compile(f"等[{HAN}]{{0,8}}?(?:产业集群|产业体系|产业链|产业|领域|行业)"
                            f"|(?:产业集群|产业链|产业)(?=[，,。；;]|$|规模|产值|增加值)|为主")
_INDUSTRY_QUALIFIERS = re.compile(f"(?:[{CN_DIGITS}两几多]大)?(?:主导|优势|重点|特色|支柱|新兴|战略性|首位|主攻)*$")


def find_industries(st: Sent) -> list[Cand]:
    """Industries named in lists that an industry cue closes (A、B等优势产业集群; 以A和B为主)
    and listed industry words before 产业/产业链/产业集群."""
    text = st.text
    known = wordset("recognise_industries.txt")
    out: list[Cand] = []
    for m in _INDUSTRY_CUES.finditer(text):
        end = m.start()
        if m.group(0) == "为主":
            j = text.rfind("以", max(0, end - 24), end)
            if j < 0 or re.search("[，,。；;]", text[j:end]):
                continue
            lo = j + 1
        else:
            lo = end
            while lo > 0 and text[lo - 1] not in "，,。；;：:":
                lo -= 1
        items = _enum_items(st, lo, end)
        if not items:
            continue
        confirmed = sum(1 for (_, _, w) in items if _known_industry(_industry_core(w)))
        if confirmed == 0:
            continue
        broad = wordset("recognise_industry_broad.txt")
        for a0, b0, w in items:
            core = _industry_core(w)
            core = _INDUSTRY_QUALIFIERS.sub("", core) or core
            if core in broad or _industry_core(core) in broad:
                continue
            parts = re.split("及", core)
            if _known_industry(core) or (len(parts) == 2 and any(p in known for p in parts)) or \
                    (len(items) >= 3 and 2 <= len(core) <= 10 and not re.search("[的了着]", core)):
                out += _industry_cands(text, a0, a0 + len(core))
    # a listed industry directly before 产业/产业链/产业集群/基地 (智能制造产业链)
    for w in words("recognise_industries.txt") if any_of("recognise_industries.txt").search(text) else ():
        if w not in text:
            continue
        for m in _literal_before_industry(w).finditer(text):
            a0 = m.start()
            prev = st.tok_before(a0)
            governed = prev is not None and prev.end == a0 and a0 in st.starts and (
                prev.flag.startswith("v") and prev.flag != "vn" or prev.flag in ("p", "c", "d")
                or prev.word in wordset("recognise_zone_refs.txt") or prev.word == "园区")      # 园区|生物医药企业
            if a0 > 0 and _is_han(text[a0 - 1]) and text[a0 - 1] not in "、和及与等进快展造了在以推" and not governed:
                continue         # inside a longer name; after a verb (支持|新能源汽车产业链) it stands alone
            out.append(Cand("Industry", a0, m.end()))
    return out


@lru_cache(maxsize=4096)
def _known_industry(w: str) -> bool:
    """A listed industry, or a listed one narrowed by a qualifier in front (海洋|生物医药, 光|电子信息)."""
    known = wordset("recognise_industries.txt")
    if w in known:
        return True
    return 3 <= len(w) <= 10 and any(w[k:] in known for k in range(1, len(w) - 1)) and not re.search("[的了着和与及]", w)


@lru_cache(maxsize=None)
def _literal_before_industry(w: str) -> re.Pattern:
    # X企业 counts only with a head count after it (园区X企业已超过200家): the firms of a field
    return re.compile(re.escape(w) + "(?=产业集群|产业链|产业|基地|企业[已达超过逾近共有约]{0,3}\\d+[余多]?家|企业\\d)")


def _industry_core(w: str) -> str:
    for suf in _IND_SUFFIX:
        if w.endswith(suf) and len(w) > len(suf) + 1:
            return w[: -len(suf)]
    return w


def _industry_cands(text: str, a: int, b: int) -> list[Cand]:
    """An industry item; "新能源及新能源汽车" gives 新能源 and 新能源汽车 (the whole an alias of the latter)."""
    w = text[a:b]
    m = re.fullmatch(f"([{HAN}]{{2,6}})及(\\1[{HAN}]{{1,6}})", w)
    if m:
        return [Cand("Industry", a, a + len(m.group(1)), nested_only=True),
                Cand("Industry", a, b, name=m.group(2))]
    m = re.fullmatch(f"([{HAN}]{{2,8}})及([{HAN}]{{2,8}})", w)
    if m:        # 智能汽车及智能装备: two industries
        return [Cand("Industry", a, a + len(m.group(1))), Cand("Industry", a + len(m.group(1)) + 1, b)]
    return [Cand("Industry", a, b)]


_INDUSTRY_FLAGS = frozenset(NAME_FLAGS | {"a"})


@lru_cache(maxsize=None)
def _conjoined_industries() -> tuple[str, ...]:
    """Listed industries whose name holds a conjunction (节能与新能源汽车), in list order."""
    return tuple(w for w in words("recognise_industries.txt") if re.search("[与和及]", w))


def _enum_items(st: Sent, lo: int, hi: int) -> list[tuple[int, int, str]]:
    """Items of a coordination ending at hi: 新材料、食品和航空 → three spans.

    Listed industry names that contain a conjunction (节能与新能源汽车) stay whole."""
    text = st.text
    seg = text[lo:hi]
    if not seg:
        return []
    protected = [(mm.start() + lo, mm.end() + lo) for w in _conjoined_industries() for mm in occurrences(w, seg)]
    parts, pos, start = [], lo, lo
    while pos < hi:
        ch = text[pos]
        if ch in "、和与" and not any(x <= pos < y for x, y in protected):
            parts.append((start, pos))
            start = pos + 1
        pos += 1
    parts.append((start, hi))
    a0, b0 = parts[0]
    head = text[a0:b0]
    m = re.search(f"([{HAN}]{{2,6}})及(\\1[{HAN}]{{1,6}})$", head)
    known = next((w for w in words("recognise_industries.txt") if head.endswith(w)), None)
    walked = walk_left(st, b0, "Industry", max_chars=12, anchor=False, flags=_INDUSTRY_FLAGS)
    if m:
        first = b0 - len(m.group(0))
    elif known and not (walked < b0 - len(known) and walked in st.starts
                        and _known_industry(text[walked:b0]) and text[walked:b0] not in wordset("recognise_industry_broad.txt")
                        and not any(p in wordset("recognise_generic_words.txt") or len(p) == 1
                                    for p in split_tokens(st, walked, b0 - len(known)))):
        first = b0 - len(known)
    else:
        first = walked       # 航空|新材料: a qualified listed industry keeps its qualifier
    if first >= b0:
        return []
    parts[0] = (max(a0, first), b0)
    if any(re.search("[以为了的]", text[a:b]) for a, b in parts[1:]):
        return []
    return [(a, b, text[a:b]) for a, b in parts
            if b > a and not any(c in PUNCT for c in text[a:b]) and b - a <= 12]


# --------------------------------------------------------------------------- model names

@lru_cache(maxsize=None)
def _ner_heads() -> tuple[tuple[str, str], ...]:
    """(head, class) for typing the model's organisation spans, longest head first."""
    return tuple(sorted(((r[0], r[1]) for r in table("recognise_ner_heads.txt")), key=lambda r: (-len(r[0]), r[0])))


@lru_cache(maxsize=None)
def _byline_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    rows = table("recognise_ner_person_context.txt")
    return (tuple(w for k, w in rows if k == "before"), tuple(w for k, w in rows if k == "after"))


def find_model_names(st: Sent, spans, grammar: list[Cand]) -> list[Cand]:
    """Persons and organisations the model (kg.ner) proposes, typed and repaired by the grammars.

    Places and zones stay the gazetteer's and the zone grammar's: the model's LOC spans add
    mostly generic regions (中部地区) and zone words (国家级开发区) there.

    A model span that a grammar candidate covers, or that cuts across one, is left to the
    grammar; one that holds grammar candidates only where its class may hold them (a place
    or zone inside an agency name) or extends a grammar name to the left (the model reads a
    brand the grammar could not) is kept, below the grammars in priority."""
    out: list[Cand] = []
    for sp in spans:
        if sp.tag == "PER":
            found = _model_person(st, sp.start, sp.end)
        elif sp.tag == "ORG":
            found = _model_orgs(st, sp.start, sp.end)
        else:
            continue
        out += [c for c in found if _fits_grammar(c, grammar)]
    return out


def _fits_grammar(c: Cand, grammar: list[Cand]) -> bool:
    """A model candidate that the grammars' candidates leave room for."""
    for g in grammar:
        if g.b <= c.a or c.b <= g.a or g.nested_only:
            continue
        if g.a <= c.a and c.b <= g.b:
            return False                     # the grammar names it already (or a longer name)
        if c.a <= g.a and g.b <= c.b and (g.cls == c.cls and g.b == c.b or g.cls != c.cls and g.cls in NESTED.get(c.cls, ())):
            continue                         # a place or zone inside the name, or the name extended leftwards
        return False
    return True


def _model_person(st: Sent, a: int, b: int) -> list[Cand]:
    """A PER span that looks like a Chinese personal name in running text (no byline, no river)."""
    text = st.text
    w = text[a:b]
    if not (2 <= len(w) <= 4 and all(_is_han(c) for c in w)):
        return []
    if not any(w.startswith(s) and len(w) > len(s) for s in words("recognise_person_surnames.txt")):
        return []
    if w[-1] in wordset("recognise_ner_person_not_endings.txt"):
        return []
    before, after = _byline_words()
    left, right = text[max(0, a - 6):a].rstrip(" 　:："), text[b:b + 4].lstrip(" 　")
    if text.strip(" 　") == w or left.endswith(before) or right.startswith(after):
        return []                            # a byline or a photo credit
    if re.match(f"[〔\\[（(\\d{CN_DIGITS}]", right) or re.match("[。！？!?；;]", right) and \
            not re.search("[是为由给]$", left):
        return []                            # 某发〔2018〕: a document number; …则某某。: not a name
    title = next((t for t in words("recognise_person_titles.txt") if left.endswith(t)), "")
    return [Cand("Person", a, b, attrs=(("title", title),) if title else (), prio=-1)]


def _org_class(name: str) -> tuple[str, str] | None:
    """(class, head) of an organisation name by its ending, or None."""
    return next(((cls, h) for h, cls in _ner_heads() if name.endswith(h)), None)


def _model_orgs(st: Sent, a: int, b: int) -> list[Cand]:
    """ORG span(s): split where the model ran several names together, then typed by head noun,
    completed with a legal form that follows (a brand + （place）股份有限公司), or read as a firm
    when it ends with a trade word or is listed among firms (…等企业)."""
    text = st.text
    out = []
    for a0, b0 in _split_orgs(st, a, b):
        w = text[a0:b0]
        if len(w) < 2 or w in wordset("recognise_industries.txt") or re.match("产业|行业", text[b0:b0 + 2]):
            continue
        typed = _org_class(w)
        form = _company_re().match(text, b0 + _bracket_len(text, b0))
        if form and (typed is None or typed[0] == "Company"):
            end = form.end()
            if not (end < len(text) and text[end] in "化制"):
                out.append(Cand("Company", a0, end, prio=-1))
            continue
        if typed is not None and w.endswith(words("recognise_ner_not_heads.txt")):
            continue
        if typed is not None:
            cls, head = typed
            stem = w[: -len(head)]
            if cls != "Company" and stem in wordset("recognise_zone_refs.txt") and a0 in st.starts:
                # 高新区招商服务中心: the body of the zone in focus, completed like the grammar's
                out.append(Cand(cls, a0, b0, ref="zonename:" + head, prio=-1))
                continue
            if len(stem) < 2 or a0 not in st.starts or not _org_stem_ok(st, a0, a0 + len(stem)):
                continue
            out.append(Cand(cls, a0, b0, prio=-1))
        elif _firm_like(st, a0, b0):
            out.append(Cand("Company", a0, b0, prio=-1))
    return out


def _model_brands(st: Sent, chosen: list[Cand], spans) -> list[Cand]:
    """The brand the model reads at the start of a legal company name (远航科技|(长沙)股份有限公司),
    as a surface of that company: it becomes an altLabel of the full name."""
    out = []
    for c in chosen:
        if c.cls != "Company" or c.ref or c.name or not _company_re().search(st.text, c.a, c.b):
            continue
        for sp in spans:
            if sp.tag == "ORG" and c.a <= sp.start and sp.end < c.b and sp.end - sp.start >= 2 \
                    and (sp.start == c.a or _is_anchor_place(st.text[c.a:sp.start])) \
                    and _org_class(st.text[sp.start:sp.end]) is None \
                    and _company_re().match(st.text, sp.end + _bracket_len(st.text, sp.end)):
                out.append(Cand("Company", sp.start, sp.end, name=st.text[c.a:c.b]))
                break
    return out


def _bracket_len(text: str, b: int) -> int:
    m = re.match(f"[{OPEN}][{HAN}]{{2,8}}[{CLOSE}]", text[b:])
    return m.end() if m else 0


def _split_orgs(st: Sent, a: int, b: int) -> list[tuple[int, int]]:
    """An ORG span cut after each head noun that a new name (a place or level word) follows."""
    text = st.text
    cuts, start = [], a
    for i in range(a + 2, b - 2):
        if _org_class(text[start:i]) and (_leading_place_len(text, i, b) or text[i] in "省市县区"):
            cuts.append((start, i))
            start = i
    cuts.append((start, b))
    return cuts


def _leading_place_len(text: str, i: int, b: int) -> int:
    return next((L for L in range(min(8, b - i), 1, -1) if _is_anchor_place(text[i:i + L])), 0)


def _org_stem_ok(st: Sent, a: int, b: int) -> bool:
    """The name before a head noun names something (not 区政府, 有关部门, 大公司)."""
    if b - a < 1 or _preceded_by_generic(st, a):
        return False
    pieces = split_tokens(st, a, b)
    if _is_anchor_place(pieces[0]) or any(p in gazetteer().full for p in pieces):
        return True                          # a province or city opens it, or a full place name is in it
    generic = wordsets("recognise_generic_words.txt", "recognise_company_trades.txt")
    return specific(pieces, generic) and not all(len(p) == 1 and p in "省市县区州乡镇" for p in pieces)


def _firm_like(st: Sent, a: int, b: int) -> bool:
    """A name without a legal form that reads as a firm: brand + trade word (远航科技), or an item
    of a list of firms (A、B、C等企业)."""
    text = st.text
    w = text[a:b]
    trades = words("recognise_company_trades.txt")
    trade = next((t for t in trades if w.endswith(t) and len(w) - len(t) >= 2), None)
    if trade is not None:
        brand = w[: -len(trade)]
        if specific(split_tokens(st, a, a + len(brand)), wordsets("recognise_generic_words.txt",
                    "recognise_company_trades.txt", "recognise_industries.txt")):
            return True
    clause_end = re.search("[，,。；;：:！？!?]", text[b:])
    rest = text[b: b + clause_end.start()] if clause_end else text[b:]
    return bool(re.match(f"(?:、[^、，,。；;]{{2,12}})*等[{HAN}]{{0,6}}?(?:企业|公司|集团|厂商|龙头)", rest)) \
        or bool(re.match("(?:企业|公司)(?:[，,。；;、]|$)", rest))


# --------------------------------------------------------------------------- assembly

_CLAUSE_MARK = re.compile("[，,。；;：:、！？!?（）()“”]")


def _skip_sentence(text: str) -> bool:
    """Page chrome, link lists and source lines carry no running text."""
    t = text.strip()
    if not t or t[0] in "•·●▪◆■□◇○" or t.startswith(words("recognise_skip_markers.txt")):
        return True
    if len(t) >= 30 and not _CLAUSE_MARK.search(t):
        return True
    return False


def _select(cands: list[Cand]) -> list[Cand]:
    """Longest spans first; shorter ones only inside a longer span of a class that may hold them."""
    chosen: list[Cand] = []
    order = sorted(cands, key=lambda c: (c.nested_only, -(c.b - c.a), -c.prio, c.a, c.cls))
    for c in order:
        if c.b <= c.a:
            continue
        clash = False
        inside_ok = False
        for o in chosen:
            if c.b <= o.a or o.b <= c.a:
                continue
            if o.a <= c.a and c.b <= o.b and c.cls in NESTED.get(o.cls, ()) and (o.a, o.b) != (c.a, c.b) \
                    and (c.cls != "Measure" or c.governed):
                inside_ok = True
                continue
            if (o.a, o.b) == (c.a, c.b) and o.cls == c.cls:
                clash = True
                break
            clash = True
            break
        if clash or (c.nested_only and not inside_ok):
            continue
        chosen.append(c)
    return sorted(chosen, key=lambda c: (c.a, -c.b))


def _home_country(surface: str) -> bool:
    """The first row of the named-region table is the country itself (中国)."""
    rows = table("recognise_place_regions.txt")
    return bool(rows) and surface == rows[0][0]


def _place_key(st: Sent, c: Cand) -> str:
    return c.name or st.text[c.a:c.b]


def _in_agency(c: Cand, chosen: list[Cand]) -> bool:
    """The candidate lies inside an agency name of the same sentence."""
    return any(o.cls == "Agency" and o.a <= c.a and c.b <= o.b and o is not c for o in chosen)


def _company_nested_place_ok(text: str, company: Cand, place: Cand) -> bool:
    """Places inside a company name count only in brackets or before 分公司 (X(赣州)有限公司)."""
    return text[place.a - 1:place.a] in OPEN or text[place.b:place.b + 3] == "分公司" or (
        place.a == company.a and text[place.a:place.b] in wordset("recognise_place_countries.txt"))


@dataclass
class Recognition:
    """The grammars' mentions with what they read: the sentences' words and the LAC spans.

    The learned labeller (kg.entity_model) takes all three as features, so nothing is
    segmented or tagged twice."""

    mentions: list[Mention]
    sents: list[Sent]
    model_spans: list[list]


def recognise(doc: Document, segmenter=None, tagger=None) -> list[Mention]:
    """All mentions of the document, in text order; references carry the name they stand for.

    With a tagger (kg.ner.LacTagger), the model's PER/ORG/LOC spans join the grammars' candidates."""
    return recognition(doc, segmenter, tagger).mentions


def recognition(doc: Document, segmenter=None, tagger=None) -> Recognition:
    """``recognise`` with the sentences and model spans it read (see Recognition)."""
    sents: list[Sent] = []
    per_sentence: list[list[Cand]] = []
    policy_doc = is_policy_document(doc)
    freq = _word_freq(segmenter)
    for s in doc.sentences:
        if _skip_sentence(s.text) or doc.text[s.clean_start:s.clean_end] != s.text:
            continue
        st = Sent(s.index, simplified(s.text), s.clean_start, segmenter, written=s.text, freq=freq)
        sents.append(st)
        per_sentence.append(_sentence_cands(st, policy_doc))
    model_spans = [[] for _ in sents]
    if tagger is not None and sents:
        # all sentences of the document go to the model in one call (it batches them)
        model_spans = tagger.spans([st.text for st in sents])
        for st, cands, spans in zip(sents, per_sentence, model_spans):
            cands += find_model_names(st, spans, cands)
    _disambiguate_places(sents, per_sentence)
    # company short forms: a brand seen with its legal name elsewhere in the document
    brands = _brands(sents, per_sentence)
    if brands:
        for st, cands in zip(sents, per_sentence):
            for brand, full in brands:
                for m in occurrences(brand, st.text):
                    a, b = m.span()
                    if st.text[a:].startswith(full) or (b < len(st.text) and re.match("[有股]|[（(]", st.text[b:])):
                        continue
                    if a not in st.starts:
                        continue
                    cands.append(Cand("Company", a, b, name=full, prio=1))
    out: list[Mention] = []
    selected = [_select(cands) for cands in per_sentence]      # once: the focus reads them too
    focus = _Focus(doc, sents, per_sentence, selected)
    for st, chosen, spans in zip(sents, selected, model_spans):
        chosen += _model_brands(st, chosen, spans)
    # a place written only inside agency names (江苏省商务厅) is part of the body's name, not a
    # place the text talks about; it counts once the text names it anywhere else
    free_places = {_place_key(st, c) for st, chosen in zip(sents, selected) for c in chosen
                   if c.cls == "Place" and not _in_agency(c, chosen)}
    for st, chosen in zip(sents, selected):
        for c in chosen:
            host = next((o for o in chosen if o is not c and o.a <= c.a and c.b <= o.b), None)
            if c.cls == "Place" and host is not None and host.cls == "Company" \
                    and not _company_nested_place_ok(st.text, host, c):
                continue
            if c.cls == "Place" and host is not None and _place_key(st, c) not in free_places \
                    and _in_agency(c, chosen):
                focus.mention(st, c, nested=True)     # still the city a later 市政府 refers to
                continue
            if c.cls == "Place" and host is not None and _home_country(st.text[c.a:c.b]):
                continue      # 中国(四川)自由贸易试验区, 中国开发区协会: the country in a name says nothing
            m = focus.mention(st, c, nested=host is not None)
            if m is not None:
                out.append(m)
    return Recognition(out, sents, model_spans)


def is_policy_document(doc: Document) -> bool:
    """A plan or notice with responsibility brackets (牵头单位/责任单位), not a news story."""
    cues = words("recognise_policy_doc_cues.txt")
    return sum(doc.text.count(c) for c in cues) >= 3


def _disambiguate_places(sents: list[Sent], per_sentence: list[list[Cand]]) -> None:
    """A place name several divisions share (朝阳区) takes the one inside a province or city
    that the document names unambiguously."""
    known: set[str] = set()
    ambiguous: list[tuple[Cand, tuple[Place, ...]]] = []
    for st, cands in zip(sents, per_sentence):
        for c in cands:
            if c.cls == "Place" and c.attrs:
                options = place_of(st.text[c.a:c.b]) or place_of(c.name)
                if len(options) == 1:
                    known.add(options[0].code)
                elif len(options) > 1:
                    ambiguous.append((c, options))
    for c, options in ambiguous:
        inside = [p for p in options if any(p.code[:4] == k[:4] or (k.endswith("0000") and p.code[:2] == k[:2])
                                            for k in known if k != p.code)]
        if inside:
            c.name, c.attrs = inside[0].name, (("code", inside[0].code),)
    # a county named without its 区/县 (东湖 in a zone name) that lies in none of the provinces
    # the text names is a coincidence of characters, not that county
    for st, cands in zip(sents, per_sentence):
        drop = [c for c in cands if c.cls == "Place" and c.attrs and _bare_county(st.text[c.a:c.b], c)
                and dict(c.attrs).get("code", "")[:2] not in _named_provinces(known, dict(c.attrs).get("code", ""))]
        for c in drop:
            cands.remove(c)


def _bare_county(surface: str, c: Cand) -> bool:
    """A county-level place written without its 区/县/市 ending."""
    code = dict(c.attrs).get("code", "")
    return len(code) == 6 and not code.endswith("00") and not gazetteer().full.get(surface)


def _named_provinces(known: set[str], own: str) -> set[str]:
    """Province prefixes of the other places the text names (all provinces when it names none)."""
    others = {k[:2] for k in known if k != own}
    return others if others else {own[:2]}


def _sentence_cands(st: Sent, policy_doc: bool = False) -> list[Cand]:
    places = find_places(st)
    zones = find_zones(st)
    cands = places + zones
    cands += find_agencies(st, places, zones)
    cands += find_companies(st, zones)
    cands += find_short_companies(st)
    cands += find_institutions(st)
    cands += find_funds(st)
    cands += find_projects(st)
    cands += find_policies(st)
    cands += find_measures(st, policy_doc)
    cands += find_persons(st)
    cands += find_industries(st)
    return cands


def _brands(sents: list[Sent], per_sentence: list[list[Cand]]) -> list[tuple[str, str]]:
    """(short form, legal name) pairs from the legal company names of the document."""
    forms = words("recognise_company_forms.txt")
    trades = words("recognise_company_trades.txt")
    out = set()
    for st, cands in zip(sents, per_sentence):
        for c in cands:
            if c.cls != "Company" or c.ref or c.name:
                continue
            full = st.text[c.a:c.b]
            core = full
            form = next((f for f in forms if core.endswith(f)), None)
            if form is None or form in ("分公司",) or "分公司" in core:
                continue
            core = core[: -len(form)]
            core = re.sub(f"[{OPEN}][^{CLOSE}]*[{CLOSE}]$", "", core)
            lead = next((p for p in sorted({core[:k] for k in range(2, min(5, len(core)))}, key=len, reverse=True)
                         if place_of(p)), None)
            if lead and len(core) - len(lead) >= 3:
                core = core[len(lead):]
            if len(core) >= 3:
                out.add((core, full))
            # brand without trade words: 星河精密科技 -> 星河
            brand = core
            changed = True
            while changed:
                changed = False
                for t in trades:
                    if brand.endswith(t) and len(brand) - len(t) >= 2:
                        brand, changed = brand[: -len(t)], True
            if brand != core and len(brand) >= 2 and st.rare(brand):
                out.add((brand, full))
    return sorted(out, key=lambda p: (-len(p[0]), p))


class _Focus:
    """The zone and places in focus while reading a document, to complete references.

    A bare 经开区 refers to the last named 经开区, a bare 高新区 to the last 高新区, a bare
    开发区 to the last development zone of any type and 该区/全区 to the last zone named;
    the document's main zone (named at least twice on its own) is the fallback."""

    WINDOW = 6      # sentences a named zone stays in focus when the document has no main zone

    def __init__(self, doc: Document, sents: list[Sent], per_sentence: list[list[Cand]],
                 selected: list[list[Cand]] | None = None):
        """selected: _select of each sentence's candidates, when the caller has it already."""
        counts: Counter = Counter()
        first: dict[str, int] = {}
        if selected is None:
            selected = [_select(cands) for cands in per_sentence]
        for st, cands, chosen in zip(sents, per_sentence, selected):
            for c in chosen:
                if c.cls == "Zone" and not c.ref:
                    host = [o for o in cands if o.cls in ("Agency", "Company", "Institution") and o.a <= c.a and c.b <= o.b
                            and (o.a, o.b) != (c.a, c.b)]
                    if host:
                        continue
                    key = st.written[c.a:c.b]
                    counts[key] += 1
                    first.setdefault(key, st.index)
        self.main = None
        if counts:
            key, n = max(counts.items(), key=lambda kv: (kv[1], -first[kv[0]]))
            if n >= 2:
                self.main = key
        self.zones: list[tuple[str, str, int]] = []      # (name as written, family, sentence)
        self.policy_doc = is_policy_document(doc)
        self.places: dict[int, tuple[str, int]] = {}

    def zone_name(self, sentence: int, word: str) -> str | None:
        """The zone a bare zone word (or a bare body of a zone) stands for."""
        fams = _ref_families(simplified(word))
        for name, fam, at in reversed(self.zones):
            if fam in fams and (self.main or sentence - at <= self.WINDOW):
                return name
        if self.main and _zone_family(simplified(self.main)) in fams:
            return self.main
        return None

    def mention(self, st: Sent, c: Cand, nested: bool = False) -> Mention | None:
        text = st.written[c.a:c.b]
        a, b = st.base + c.a, st.base + c.b
        name, ref = c.name, False
        if c.cls == "Zone" and not c.ref and not nested:
            self.zones.append((text, _zone_family(st.text[c.a:c.b]), st.index))
        if c.cls == "Place" and c.attrs:
            code = dict(c.attrs).get("code", "")
            level = 0 if code.endswith("0000") else 1 if code.endswith("00") else 2
            self.places[level] = (c.name, st.index)
        if c.ref:
            kind, _, rest = c.ref.partition(":")
            if kind in ("zone", "zonename"):
                # zone: a reference (该区, 管委会); zonename: a name completed with its zone
                # (经开区税务局 -> X经开区税务局), itself a surface of the body
                word = st.text[c.a:c.b]
                if rest and word.endswith(rest):
                    word = word[: -len(rest)] or "该区"
                z = None if self.policy_doc else self.zone_name(st.index, word)
                if z is None:
                    if kind == "zone" or word != "该区":
                        return None      # a plan speaks of zones in general: 开发区管委会 is no name
                    name = ""            # a bare department (行政审批局) with no zone in focus
                else:
                    name, ref = z + rest, kind == "zone"
            elif kind in ("county", "city"):
                level = 2 if kind == "county" else 1
                p = self.places.get(level)
                if p is None or st.index - p[1] > 12:
                    return None
                name, ref = p[0] + rest[1:], True
        if name and not c.ref and name in st.text:
            k = st.text.find(name)
            name = st.written[k:k + len(name)]      # a name cut from the sentence: as written
        if name == text:
            name = ""
        if not name and not ref and st.text[c.a:c.b] != text:
            # written in traditional characters: the simplified form is the name, so that it
            # becomes an altLabel and resolves with simplified mentions of the same thing
            name = st.text[c.a:c.b]
        return Mention(c.cls, text, st.index, a, b, name=name, ref=ref, attrs=tuple(c.attrs))


def _zone_family(text: str) -> str:
    """The kind of zone a name ends with: 经开, 高新, 开发区 (other development zones) or 园 (parks)."""
    if text.endswith(("经开区", "经济技术开发区")):
        return "经开"
    if re.search("高新[^区]*区$|高新区$", text):
        return "高新"
    if text.endswith(("开发区", "新区", "示范区", "自创区", "试验区", "保税区", "合作区")):
        return "开发区"
    return "园"


def _ref_families(word: str) -> set[str]:
    """The kinds of zone a bare zone word may stand for."""
    if word in ("经开区", "经济技术开发区"):
        return {"经开"}
    if word.startswith("高新"):
        return {"高新"}
    if word in ("开发区", "经济开发区"):
        return {"经开", "高新", "开发区"}
    return {"经开", "高新", "开发区", "园"}
