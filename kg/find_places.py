"""Grammars of where: places (cpca's gazetteer, named regions) and development zones."""
from __future__ import annotations

import re
from functools import lru_cache

from .gazetteer import gazetteer, place_of
from .grammar import (CLOSE, Cand, OPEN, OPEN_RE, Sent, alternation, is_han, is_region_abbrev, named_regions,
                      occurrences, preceded_by_generic, specific, split_tokens, walk_left, words, wordset)


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
    names = frozenset(k for d in (g.full, g.short, g.county, named_regions()) for k in d if len(k) >= 2)
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
    regions = named_regions()
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
        free_start = a == 0 or not is_han(text[a - 1]) or bool(parent)
        return bool(inside_parent or (zone_or_body and free_start))
    if kind == "full" and b - a == 2:
        tok = st.tok_at(a)
        return tok is not None and tok.start == a and (tok.end == b or zone_or_body is not None or next_place)
    return True


# --------------------------------------------------------------------------- zones

@lru_cache(maxsize=None)
def zone_re() -> re.Pattern:
    return re.compile(alternation("recognise_zone_suffixes.txt"))


def find_zones(st: Sent) -> list[Cand]:
    """Zone names: [place…] [name] [(sub-name)] type-ending; bare type words are references."""
    text = st.text
    generic = wordset("recognise_zone_generic.txt")
    refs = wordset("recognise_zone_refs.txt")
    levels = wordset("recognise_levels.txt")
    level_words = words("recognise_levels.txt")
    out = []
    for m in zone_re().finditer(text):
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
        if start < a and not preceded_by_generic(st, start):
            pieces = split_tokens(st, start, a)
            placed = [p for p in pieces if place_of(p) or is_region_abbrev(p)]
            names = [p for p in pieces if p not in placed and p not in levels]
            bracket = OPEN_RE.search(text, start, a)
            proper = [p for p in names if st.rare(p, 1500) and specific([p], generic)
                      and (st.tok_at(text.find(p, start)) is None or st.tok_at(text.find(p, start)).flag not in ("i", "l"))]
            if m.group(0).endswith("基地") and not placed:
                continue         # a designated base counts only with its place (杭州…高技术基地)
            if placed or bracket or proper:
                out.append(Cand("Zone", start, b))
                continue
        word = m.group(0)
        if word in refs and start == a and not preceded_by_generic(st, a) and not _after_level_or_de(st, a):
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
