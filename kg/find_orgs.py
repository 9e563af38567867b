"""Grammars of organisations: agencies (government bodies, zone committees), companies
(legal names and short forms), institutions and funds."""
from __future__ import annotations

import re
from functools import lru_cache
from types import MappingProxyType

from .gazetteer import place_of
from .grammar import (CLOSE, CN_DIGITS, Cand, HAN, OPEN, OPEN_RE, PUNCT, QUOTES, Sent, alternation, any_of,
                      any_re, is_han, is_place_piece, occurrences, preceded_by_generic, specific,
                      split_tokens, table, toks_in, walk_left, words, wordsets)


# --------------------------------------------------------------------------- resources

@lru_cache(maxsize=None)
def agency_stems() -> MappingProxyType:
    """Department stem (short or full) -> full stem."""
    return MappingProxyType({r[0]: (r[1] if len(r) > 1 else r[0]) for r in table("resolve_agency_stems.txt")})


@lru_cache(maxsize=None)
def agency_suffixes() -> MappingProxyType:
    return MappingProxyType({r[0]: (r[1] if len(r) > 1 else r[0]) for r in table("resolve_agency_suffixes.txt")})


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
    return any_re(suffix for _, suffix in table("recognise_agency_named_suffixes.txt"))


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
        if preceded_by_generic(st, a) or text[max(0, a - 2):a] in ("设区", "地级", "县级", "直辖") or \
                (a > 0 and text[a - 1] in "、" and pre in "市县区" and text[max(0, a - 2):a - 1] in "市县省"):
            continue
        if pre in ("县", "市", "区") and text[m.end():end] in ("委", "政府", "人民政府"):
            out.append(Cand("Agency", a, end, ref=("city:" if pre == "市" else "county:") + text[a:end]))
            continue
        if pre == "区":
            if a > 0 and is_han(text[a - 1]) and text[a - 1] not in "、和与及":
                continue
            out.append(Cand("Agency", a, end, ref="zone:" + text[m.end():end]))
            continue
        if pre == "市" and a > 0 and is_han(text[a - 1]) and text[a - 1] not in "、和与及将由向经":
            continue
        out.append(Cand("Agency", a, end, prio=1))
    # 3. ministries without prefix (商务部, 商务部) and central organs (国务院)
    for m in _departments(text):
        if m.group("suf") == "部" and not m.group("party") and text[m.end():m.end() + 1] != "门" and (m.start() == 0 or not is_han(text[m.start() - 1])
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
                       for t in toks_in(st, z.b, z.b + len(mid))):
            continue
        if z.ref:
            # 经开区管委会 names the zone's committee; a bare 党群部 after 经开区 needs a title after it
            if preceded_by_generic(st, z.a) or not (m.group(2) in ("管委会", "管理委员会", "党工委", "工委")
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
            if not preceded_by_generic(st, a) and not prev.endswith(("开发区", "园区", "新区")):
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
            if a - start < 2 or preceded_by_generic(st, start):
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


# --------------------------------------------------------------------------- companies

@lru_cache(maxsize=None)
def company_re() -> re.Pattern:
    return re.compile(alternation("recognise_company_forms.txt"))


_SHORT_NAME = re.compile(f"[{OPEN}](?:股票简称|以下简称|简称)[:：]?“?([{HAN}A-Za-z0-9]{{2,10}})”?[{CLOSE}]")


def find_companies(st: Sent, zones: list[Cand]) -> list[Cand]:
    text = st.text
    generic = wordsets("recognise_generic_words.txt", "recognise_company_trades.txt")
    out: list[Cand] = []
    for m in company_re().finditer(text):
        a, b = m.span()
        if b < len(text) and text[b] in "化制":      # 公司化, 集团化: not a name
            continue
        start = walk_left(st, a, "Company", max_chars=26, anchor=True)
        # a zone reference opens the name of a zone's own company (区产业投资公司)
        if start < a and start > 0 and text[start - 1] == "区" and not is_han(text[start - 2: start - 1] or "，"):
            start -= 1
        if start >= a:
            continue
        if preceded_by_generic(st, start):
            continue
        if re.search("人民银行|人行", text[max(0, start - 6):b]):
            continue         # the central bank and its branches are government bodies
        pieces = split_tokens(st, start, a)
        zone_pre = next((z for z in zones if z.a == start and z.b <= a and not z.ref), None)
        if text[start] == "区" and pieces and pieces[0] == "区":
            out.append(Cand("Company", start, b, ref="zone:" + text[start + 1:b]))
            continue
        has_place = any(is_place_piece(p) for p in pieces) or OPEN_RE.search(text, start, a)
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
        if not (2 <= len(brand) <= 6) or not all(is_han(ch) or ch.isalnum() for ch in item):
            return None
        toks = split_tokens(st, a0, a0 + len(brand))
        if tail != "厂" and not listed and not (st.rare(brand) and any(st.rare(t) or len(t) == 1 for t in toks)):
            return None
        if tail != "厂" and not specific(toks, generic):
            return None
        return Cand("Company", a0, b0)


# --------------------------------------------------------------------------- institutions and funds

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
        if start >= a or preceded_by_generic(st, start):
            continue
        pieces = split_tokens(st, start, a)
        city_pre = text[start] in "市省区县" and (start == 0 or not is_han(text[start - 1]) or
                                               text[start - 2:start] in ("建成", "依托") or text[start - 1] in "、")
        has_place = any(is_place_piece(p) for p in pieces)
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
        if start >= a or preceded_by_generic(st, start):
            continue
        head = text[start]
        tok = st.tok_at(start)
        prefixed = head in "省市区县" and tok is not None and tok.start == start and tok.word == head
        pieces = split_tokens(st, start, a)
        if prefixed or any(is_place_piece(p) for p in pieces) or _after_establish(text, start):
            if re.match("等|[、和及]", text[b:b + 1]) and text[start - 1:start] == "、" and not prefixed:
                continue
            out.append(Cand("Fund", start, b))
    return out
