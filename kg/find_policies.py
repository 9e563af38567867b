"""Grammars of what is decided and undertaken: policy documents (titles, document numbers),
reform measures and projects."""
from __future__ import annotations

import re
from functools import lru_cache

from .find_places import zone_re
from .grammar import (CN_DIGITS, Cand, HAN, OPEN_RE, PUNCT, QUOTES, Sent, alternation, any_re, chars_as_words,
                      is_anchor_place, is_han, is_place_piece, occurrences, preceded_by_generic, specific,
                      split_tokens, table, toks_in, walk_left, words, wordset, wordsets)


# --------------------------------------------------------------------------- resources

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
    return any_re(h for h, unquoted in _measure_heads() if unquoted)


# --------------------------------------------------------------------------- projects

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
        if t is None or len(t.word) != 1 or not is_han(t.word):
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
        if start >= a or preceded_by_generic(st, start) or text[start - 1:start] in QUOTES:
            continue
        pieces = split_tokens(st, start, a)
        capacity = re.search(r"\d+(?:\.\d+)?(?:GWh|GW|MW|MWh|万吨|万台|万辆|万套|亿只)", text[start:a])
        bracket = OPEN_RE.search(text, start, a)
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
    return any_re(r[0] for r in table("recognise_policy_unquoted.txt"))


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
            if b < len(text) and is_han(text[b]) and not re.match("[和及与中上的]|制定|出台|落实|印发|实施|督", text[b:]):
                continue
            if any(t.a <= a < t.b for t in titles) or any(c.cls == "Policy" and c.a <= a < c.b for c in out):
                continue
            start = _policy_left(st, a)
            if start >= a:
                continue
            pieces = split_tokens(st, start, a)
            marked = "“" in text[start:a] or any(is_place_piece(p) for p in pieces[:2]) or \
                zone_re().search(text, start, a)
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
    if all(w in vocab for w in chars_as_words(name, vocab)):
        return False
    found, verbs = False, []
    for t in toks_in(st, a, b):
        w = st.text[max(a, t.start):min(b, t.end)]
        if t.flag.startswith("v") and t.flag != "vn" and not st.rare(w, 50) and t.end < b:
            rest, before = st.text[t.end:b], st.text[a:max(a, t.start)]
            before_generic = all(x in vocab or is_place_piece(x) for x in chars_as_words(before, vocab)) \
                or all(is_place_piece(p) or p in vocab for p in split_tokens(st, a, max(a, t.start)))
            if before_generic and all(x in vocab for x in chars_as_words(rest, vocab)):
                return False
        if not w or w in vocab or re.fullmatch(r"[\d.%]+", w):
            continue
        if all(x in vocab for x in chars_as_words(w, vocab)):
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
            p = next((text[start:start + L] for L in range(4, 1, -1) if is_anchor_place(text[start:start + L])), None)
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
    if not rest or not is_han(rest[0]):
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
            if not (re.fullmatch(r"\d+", piece) and nxt and is_han(nxt) and nxt not in "个家项名人亿万年月日次批"):
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
    toks = [t for t in toks_in(st, pos, a)]
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
