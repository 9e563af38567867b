"""Grammars of persons and industries, and the merging of the LAC model's PER/ORG/LOC spans
(kg.ner) with the grammars' candidates."""
from __future__ import annotations

import re
from functools import lru_cache

from .find_orgs import company_re
from .gazetteer import gazetteer
from .grammar import (CLOSE, CN_DIGITS, Cand, HAN, NAME_FLAGS, NESTED, OPEN, PUNCT, Sent, any_of,
                      is_anchor_place, is_han, occurrences, preceded_by_generic, specific, split_tokens,
                      table, walk_left, words, wordset, wordsets)


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
            if e <= len(text) and all(is_han(c) for c in text[i:e]) and follow(e):
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
                          and all(is_han(c) for c in text[j - L:j])
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
            if a0 > 0 and is_han(text[a0 - 1]) and text[a0 - 1] not in "、和及与等进快展造了在以推" and not governed:
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
    if not (2 <= len(w) <= 4 and all(is_han(c) for c in w)):
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
        form = company_re().match(text, b0 + _bracket_len(text, b0))
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


def model_brands(st: Sent, chosen: list[Cand], spans) -> list[Cand]:
    """The brand the model reads at the start of a legal company name (远航科技|(长沙)股份有限公司),
    as a surface of that company: it becomes an altLabel of the full name."""
    out = []
    for c in chosen:
        if c.cls != "Company" or c.ref or c.name or not company_re().search(st.text, c.a, c.b):
            continue
        for sp in spans:
            if sp.tag == "ORG" and c.a <= sp.start and sp.end < c.b and sp.end - sp.start >= 2 \
                    and (sp.start == c.a or is_anchor_place(st.text[c.a:sp.start])) \
                    and _org_class(st.text[sp.start:sp.end]) is None \
                    and company_re().match(st.text, sp.end + _bracket_len(st.text, sp.end)):
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
    return next((L for L in range(min(8, b - i), 1, -1) if is_anchor_place(text[i:i + L])), 0)


def _org_stem_ok(st: Sent, a: int, b: int) -> bool:
    """The name before a head noun names something (not 区政府, 有关部门, 大公司)."""
    if b - a < 1 or preceded_by_generic(st, a):
        return False
    pieces = split_tokens(st, a, b)
    if is_anchor_place(pieces[0]) or any(p in gazetteer().full for p in pieces):
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
