"""Observations: figures with a unit that the text ties to an actor (zone, company, project …).

A figure is a number with a unit from kg/resources/observe_units.txt (万/亿 multiplied
out). It is skipped when it is not a measurement of an actor: inside quotes (slogans such
as “3+5”), an ordinal (第12位), part of a range (1-2家), a rate or average (年均, 每年),
a threshold that qualifies a noun (超1000亿元园区), or a generic count (6个方面).
The actor is, in order: the project whose name holds the figure, a named actor right
before or after the figure, the subject of its clause, the zone in focus.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .context import (View, any_word, bare_zone_refs, focus_map, is_subject, literal, pairs,
                      province_level, subject_at, views, words)
from .model import Document, Mention, Observation
from .resources import load_table

log = logging.getLogger(__name__)

ABOUT = ("Zone", "Company", "Project", "Fund")
_CN_DIGITS = "零〇一二两三四五六七八九十百千"
_QUOTES = {"“": "”", "‘": "’", "「": "」", "『": "』", '"': '"'}
_QUOTE_MARK = re.compile("[" + re.escape("".join(_QUOTES) + "".join(_QUOTES.values())) + "]")
_YEAR = re.compile(r"(\d{4})\s*年")
_MONTHS = re.compile(r"前\s*(\d{1,2})\s*个月")
_SPAN = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*[至到—-]\s*(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
_RANGE_SIGNS = "-—–～~至到"
_ARABIC = re.compile(r"\d+(?:\.\d+)?")
# What cn2an gives for a numeral of one character, the only kind in most texts: importing
# cn2an takes about half a second, so it is loaded only for longer numerals (三十五, 两千).
_CN_ONE = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9, "十": 10, "百": 100, "千": 1000}
_COMMA = re.compile(r"[，,]")
_PER_UNIT = re.compile(r"\s*[一每](?:分钟|小时|天|周|个月|月|年)\s*")


@lru_cache(maxsize=None)
def _figure() -> re.Pattern:
    """The figure pattern: number, optional 余/多, optional multiplier, unit (or 百分之N)."""
    units = sorted({r[0] for r in load_table("observe_units.txt")}, key=lambda u: (-len(u), u))
    mults = sorted({r[0] for r in load_table("observe_multipliers.txt")}, key=lambda u: (-len(u), u))
    alt = lambda xs: "|".join(re.escape(x) for x in xs)
    num = rf"[0-9０-９]+(?:[.．][0-9０-９]+)?|[{_CN_DIGITS}]+"
    return re.compile(
        rf"百分之(?P<pnum>{num})"
        rf"|(?P<num>{num})\s*(?:余|多)?\s*(?P<mult>{alt(mults)})?\s*(?:余|多)?\s*(?P<unit>{alt(units)})")


@lru_cache(maxsize=None)
def _units() -> dict[str, tuple[str, Decimal, str]]:
    return {r[0]: (r[1], Decimal(r[2]), r[3] if len(r) > 3 else "") for r in load_table("observe_units.txt")}


@lru_cache(maxsize=None)
def _mults() -> dict[str, Decimal]:
    return {r[0]: Decimal(r[1]) for r in load_table("observe_multipliers.txt")}


@lru_cache(maxsize=1 << 14)
def parse_number(text: str) -> Decimal | None:
    """Arabic or Chinese numerals as a Decimal (None when not a number)."""
    text = unicodedata.normalize("NFKC", text).replace("．", ".")
    if _ARABIC.fullmatch(text):
        return Decimal(text)
    if text in _CN_ONE:
        return Decimal(_CN_ONE[text])
    try:
        import cn2an
        if text[0] in "十百千":
            text = "一" + text
        return Decimal(str(cn2an.cn2an(text, "smart")))
    except (ValueError, KeyError, IndexError, InvalidOperation, TypeError):
        return None


def _quoted(text: str) -> list[tuple[int, int]]:
    """Spans of short quoted terms (slogans and names are not figures; quoted speech is kept)."""
    spans, stack = [], []
    for mt in _QUOTE_MARK.finditer(text):         # other characters change nothing
        i, ch = mt.start(), mt.group()
        if stack and ch == _QUOTES[stack[-1][0]] and (ch != '"' or stack[-1][0] == '"'):
            a = stack.pop()[1]
            body = text[a + 1:i]
            if len(body) <= 20 and not any(ch in "，,。；;！？" for ch in body):
                spans.append((a, i + 1))
        elif ch in _QUOTES and ch != '"':
            stack.append((ch, i))
    return spans


def _period(text: str, pos: int) -> str:
    """The period stated before local position pos: a year, a range of months or of dates."""
    head = text[:pos]
    span = None
    for span in _SPAN.finditer(head):
        pass
    if span is not None:
        y1, m1, d1, y2, m2, d2 = span.groups()
        return f"{y1}-{int(m1):02d}-{int(d1):02d}/{y2 or y1}-{int(m2):02d}-{int(d2):02d}"
    years = _YEAR.findall(head)
    if not years:
        return ""
    months = _MONTHS.search(head, head.rfind(years[-1]))
    if months:
        return f"{years[-1]}-01/{years[-1]}-{int(months.group(1)):02d}"
    return years[-1]


_EDGE = " \t，,、：:（(）)的"


def _trim_span(text: str, i: int, j: int) -> tuple[int, int]:
    """Narrow text[i:j] to its noun phrase: no edge punctuation, reporting verbs or 从/由 tails."""
    trims = words("observe_indicator_trim.txt")
    lead = re.compile(r"(?:\d{4}\s*年(?:以来)?|其中|截至目前|从|由)")
    changed = True
    while changed and i < j:
        changed = False
        while i < j and text[i] in _EDGE:
            i, changed = i + 1, True
        while j > i and text[j - 1] in _EDGE:
            j, changed = j - 1, True
        m = lead.match(text, i, j)
        if m and m.end() > i:
            i, changed = m.end(), True
        for w in trims:
            if text.startswith(w, i) and j - i > len(w):
                i, changed = i + len(w), True
            if text.endswith(w, i, j) and j - i > len(w):
                j, changed = j - len(w), True
        # "数量从2020年的…", "估值已由…投资后的": the phrase ends before 从/由.
        for k in range(i + 1, j):
            if text[k] in "从由":
                j, changed = k, True
                break
    return i, j


class _Figure:
    """One figure of a sentence: local span, value, unit and how it stands in the text."""

    __slots__ = ("a", "b", "num_a", "value", "unit", "attributive", "default")

    def __init__(self, a, b, num_a, value, unit, default=""):
        self.a, self.b, self.num_a, self.value, self.unit = a, b, num_a, value, unit
        self.attributive = False
        self.default = default            # indicator to use when the text names none


def figures(text: str) -> list[_Figure]:
    """The figures of a sentence text that pass the form checks (not quoted, ordinal, range …)."""
    quoted = _quoted(text)
    generic_heads = words("observe_generic_heads.txt")
    out = []
    for mt in _figure().finditer(text):
        default = ""
        if mt.group("pnum"):
            value, unit, num_a = parse_number(mt.group("pnum")), "percent", mt.start("pnum")
        else:
            raw = mt.group("num")
            value, num_a = parse_number(raw), mt.start("num")
            code, factor, default = _units()[mt.group("unit")]
            if value is None:
                continue
            if raw[0] in _CN_DIGITS and value < 10:
                continue                      # 一名、两个: "a", not a count
            value = value * factor * (_mults()[mt.group("mult")] if mt.group("mult") else 1)
            unit = code
        if value is None:
            continue
        a, b = mt.start(), mt.end()
        if any(qa <= a < qb for qa, qb in quoted):
            continue
        before = text[:num_a].rstrip()
        if before.endswith("第"):
            continue                          # ordinal
        if before and before[-1] in _RANGE_SIGNS and len(before) > 1 and before[-2].isdigit():
            continue                          # the upper end of a range (1-2家)
        after = text[b:]
        if after[:1] in _RANGE_SIGNS and after[1:2].isdigit():
            continue
        if after.startswith("/") or after.startswith("／"):
            continue                          # a rate: 万元/人
        if any(after.startswith(h) for h in generic_heads):
            continue
        out.append(_Figure(a, b, num_a, value, unit, default))
    _mark_attributive(text, out)
    return out


def _mark_attributive(text: str, figs: list[_Figure]) -> None:
    """Thresholds that qualify a noun (超1000亿元园区2个, 破20亿元、30亿元的企业)."""
    thresholds = words("observe_threshold_words.txt")
    prev: _Figure | None = None
    for f in figs:
        head = text[:f.num_a]
        rest = text[f.b:]
        for w in ("以上", "以下", "左右"):
            if rest.startswith(w):
                rest = rest[len(w):]
        threshold = any(head.endswith(w) for w in thresholds)
        in_list = prev is not None and prev.attributive and text[prev.b:f.num_a] in ("、", "和", "或")
        nxt = rest[:1]
        qualifies = nxt == "的" or (nxt and "\u4e00" <= nxt <= "\u9fff" and nxt not in "和及或等")
        if (threshold or in_list) and (qualifies or nxt == "、"):
            f.attributive = True
        # A count of thresholded things (…开发区1个) is a condition too.
        elif prev is not None and prev.attributive and not any(
                ch in "，,；;。" for ch in text[prev.b:f.num_a]):
            f.attributive = True
        prev = f


def _rate_context(v: View, f: _Figure) -> bool:
    """Whether the figure is a rate: 年均/每年 in its clause, or the group opens with "一分钟，"."""
    cs, _ = v.clause(f.num_a)
    if any_word(words("observe_rate_words.txt")).search(v.text, cs, f.num_a):
        return True
    gs, _ = v.group(f.num_a)
    for clause in _COMMA.split(v.text[gs:f.num_a])[:-1]:
        if _PER_UNIT.fullmatch(clause):
            return True
    return False


class _Actors:
    """Who a figure is about: mentions of the sentence, anaphors, the zone in focus."""

    def __init__(self, doc: Document, vs: list[View], mentions: list[Mention]):
        self.focus = focus_map(doc, vs)
        counts = Counter(m.key for m in mentions if m.cls == "Place" and not m.ref and province_level(m))
        self.province = None
        if counts:
            key = counts.most_common(1)[0][0]
            self.province = next(m for m in mentions if m.cls == "Place" and m.key == key)
        else:
            self.province = _province_of_bodies(mentions)
        self.last: dict[str, Mention] = {}

    def seen(self, v: View) -> None:
        for m in v.top:
            if m.cls in ABOUT and not m.ref:
                self.last[m.cls] = m


def _province_of_bodies(mentions: list[Mention]) -> Mention | None:
    """The province that the document's agencies and policies are named after (X省人民政府,
    《某省…方案》) when the text never names it on its own; a Place mention over that prefix."""
    from .normalise import simplified
    from .gazetteer import place_of
    counts: Counter = Counter()
    first: dict[str, Mention] = {}
    for m in mentions:
        if m.cls not in ("Agency", "Policy") or m.ref:
            continue
        k = m.text.find("省")
        if not 2 <= k <= 3:
            continue
        prefix = m.text[:k + 1]
        places = place_of(simplified(prefix))
        if len(places) == 1 and places[0].level == 0:
            counts[prefix] += 1
            first.setdefault(prefix, m)
    if not counts:
        return None
    prefix = counts.most_common(1)[0][0]
    m, p = first[prefix], place_of(simplified(prefix))[0]
    return Mention("Place", prefix, m.sentence, m.start, m.start + len(prefix), name=p.name,
                   attrs=(("code", p.code),))


def _resolve(m: Mention, focus: Mention | None) -> Mention | None:
    if m.cls == "Zone" and m.ref:
        return focus
    return m


def _subject_before(v: View, pos: int, actors: _Actors,
                    focus: Mention | None) -> tuple[bool, Mention | None]:
    """The subject of the clause group up to pos: (found, mention); found with None = not an actor."""
    gs, _ = v.group(pos)
    cands = []
    scopes = words("observe_scope_words.txt")
    for m in v.top:
        if gs <= v.lo(m) and v.hi(m) <= pos and m.cls not in ("Measure", "Policy", "Industry"):
            if m.cls == "Zone" and m.ref and v.text[:v.lo(m)].endswith(scopes):
                continue                      # 全省开发区: the province's zones as a whole
            if is_subject(v, m):
                cands.append((v.lo(m), m))
    for w, cls in pairs("observe_anaphora.txt"):
        for mt in literal(w).finditer(v.text[gs:pos]):
            a = gs + mt.start()
            if not subject_at(v, a, a + len(w)):
                continue
            earlier = [m for m in v.top if m.cls == cls and not m.ref and v.hi(m) <= a]
            ref = earlier[-1] if earlier else actors.last.get(cls)
            if ref is not None:
                cands.append((a, ref))
    for w in scopes:
        for mt in literal(w).finditer(v.text[gs:pos]):
            a = gs + mt.start()
            if subject_at(v, a, a + len(w)) and actors.province is not None:
                p = actors.province
                cands.append((a, Mention("Place", w, v.index, v.base + a, v.base + a + len(w),
                                         name=p.key, ref=True, attrs=p.attrs)))
    if not cands:
        return False, None
    _, m = max(cands, key=lambda c: c[0])
    if m.cls in ABOUT:
        return True, _resolve(m, focus)
    if m.cls == "Place":
        return True, m                    # a province or city whose own figure this is
    # An agency, person or institution reports the figure: it is about the zone.
    return True, focus


def observe(doc: Document, mentions: list[Mention]) -> list[Observation]:
    """Every figure with a unit that the text ties to an actor."""
    vs = views(doc, mentions)
    actors = _Actors(doc, vs, mentions)
    out: list[Observation] = []
    seen = set()
    for v in vs:
        focus = actors.focus.get(v.index)
        figs = figures(v.text)
        written = doc.text[v.base:v.base + len(v.text)]
        refs = bare_zone_refs(v) if figs else []
        for f in figs:
            if f.attributive or _rate_context(v, f):
                continue
            about = _about(v, f, actors, focus)
            if about is None:
                continue
            indicator = _indicator(v, f, figs, refs, written)
            key = (about.cls, about.key, f.value, f.unit, v.index, f.a)
            if key in seen:
                continue
            seen.add(key)
            value = Decimal(int(f.value)) if f.value == f.value.to_integral() else f.value.normalize()
            out.append(Observation(about, indicator, value, f.unit, _period(v.text, f.num_a),
                                   doc.evidence(v.index)))
        actors.seen(v)
    log.debug("%s: %d observations", doc.source, len(out))
    return out


def _about(v: View, f: _Figure, actors: _Actors, focus: Mention | None) -> Mention | None:
    """The actor a figure describes (None when the text ties it to no specific actor)."""
    # A figure inside a name: only a project's own figure (某…20GWh储能电池项目) counts.
    holders = [m for m in v.mentions if v.lo(m) <= f.num_a < v.hi(m)]
    if holders:
        projects = [m for m in holders if m.cls == "Project"]
        return projects[0] if projects else None
    # Named right after the figure: "30平方公里某科技园", "总投资60亿元的…项目".
    after = v.text[f.b:]
    gap = 1 if after.startswith("的") else 0
    for m in v.top:
        if m.cls in ABOUT and v.lo(m) == f.b + gap and not m.ref:
            return m
    # Named right before it: "给予某公司2000万元", "某高新区3家企业".
    for m in v.top:
        if m.cls in ABOUT and 0 <= f.num_a - v.hi(m) <= 1 and v.text[v.hi(m):f.num_a] in ("", "的", "共", "已"):
            return _resolve(m, focus)
    found, subj = _subject_before(v, f.num_a, actors, focus)
    if found:
        return subj
    # A framing clause may come before its subject: "…再到拥有占地80亩的新厂区,X董事长Y用了…".
    gs, ge = v.group(f.num_a)
    cs, _ = v.clause(f.num_a)
    if not v.text.startswith(words("observe_frame_openers.txt"), cs):
        return focus
    for m in v.top:
        if m.cls in ABOUT and v.lo(m) >= f.b and v.hi(m) <= ge and is_subject(v, m) and not m.ref:
            return m
    return focus


def _indicator(v: View, f: _Figure, figs: list[_Figure], refs: list, written: str) -> str:
    """The noun phrase the text gives for the figure (before it in its clause, else after it),
    cut from the sentence as written (``written``; v.text may be in simplified characters)."""
    cs, ce = v.clause(f.num_a)
    start = cs
    for m in v.top:
        if cs <= v.lo(m) and v.hi(m) <= f.num_a and m.cls in ABOUT + ("Agency", "Place"):
            start = max(start, v.hi(m))
    for w, _ in pairs("observe_anaphora.txt"):
        k = v.text.rfind(w, start, f.num_a)
        if k >= 0:
            start = max(start, k + len(w))
    for g in figs:
        if cs <= g.a and g.b <= f.num_a:
            start = max(start, g.b)
    for a, b, _ in refs:                           # "该区共签约项目…", "全省开发区实现…"
        if cs <= a and b <= f.num_a and subject_at(v, a, b):
            start = max(start, b)
    for w in words("observe_scope_words.txt"):
        k = v.text.rfind(w, start, f.num_a)
        if k >= 0:
            start = max(start, k + len(w))
    holders = [m for m in v.top if v.lo(m) <= f.num_a < v.hi(m)]
    if holders:                                    # a figure inside a name: what follows it there
        return f.default or written[slice(*_trim_span(v.text, f.b, v.hi(holders[0])))] or written[f.a:f.b]
    i, j = _trim_span(v.text, start, f.num_a)
    head = written[i:j]
    if j - i >= 2:
        return head
    if f.default and any(v.lo(m) in (f.b, f.b + 1) for m in v.top):
        return f.default                           # "30平方公里某园": the name follows, no noun
    tail = re.compile(r"[^\s，,；;。、（(）)的]{1,12}").match(v.text, f.b, ce)
    if tail:
        ti, tj = _trim_span(v.text, tail.start(), tail.end())
        head += written[ti:tj]
    return head or written[f.a:f.b]
