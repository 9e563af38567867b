"""Structure of policy documents: the notice, its attachments, numbered tasks, responsible units, citations.

A Chinese government document is read as lines (``doc.text`` keeps one paragraph per
line). ``parse`` cuts it into *parts* — the document itself (a notice, plan or
regulation named by its title line) and each attachment (``附件N`` + title line) — and
each part into a tree of numbered items (一、 > (一) > 1. > (1) > ①). Readers over that
structure then emit:

* Policy mentions for the document, its attachments, every 《title》 that names a
  policy (and "关于…的意见" titles followed by a document number), and document numbers
  (X府发〔2020〕5号) as aliases of the title they follow or on their own;
  ``partOf`` attachment → document, ``cites`` part → referenced policy, ``issuedBy``
  policy → issuing bodies ("X关于…" titles, "X《…》", "《X关于印发Y的通知》");
* Measure mentions for numbered tasks (an item of a plan with its own heading and its
  own body), ``partOf`` the part they belong to;
* Agency mentions for the specific bodies of "(牵头单位:…;责任单位:…)" lists (also
  "(X牵头,Y配合)" and "(X、Y按职责分工负责)"), with ``leads`` / ``responsibleFor`` the
  task they close; generic units (各…, 有关…, 市、县(区)政府) are skipped;
* for plans titled "<place>X行动方案", the Measure "X行动" where the text uses that name.

Matching runs on a simplified-character view of the text (same length, so offsets
hold); mentions keep the surface as written. Vocabulary (genres, generic-unit
prefixes, section labels, …) lives in ``kg/resources/outline_*.txt``.
"""
from __future__ import annotations

import bisect
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from .model import Document, Evidence, Mention, Relation
from .normalise import simplified
from .resources import load_list, load_table

log = logging.getLogger(__name__)

_CN_NUM = "一二三四五六七八九十百零〇两"
# Item markers at the start of a line, outermost first (GB/T 9704 numbering order).
_MARKERS = (
    (0, re.compile(rf"第[{_CN_NUM}\d]+[章节部分篇]\s*")),
    (1, re.compile(rf"[{_CN_NUM}]+\s*[、．.]\s*")),
    (2, re.compile(rf"[（(]\s*[{_CN_NUM}]+\s*[)）]\s*")),
    (3, re.compile(rf"第[{_CN_NUM}\d]+条\s*")),
    (3, re.compile(rf"[{_CN_NUM}]{{1,3}}是(?=\S)")),     # 一是/二是 items of work reports
    (3, re.compile(r"\d{1,3}\s*[.．、](?![\d.．%])\s*")),
    (4, re.compile(r"[（(]\s*\d{1,3}\s*[)）]\s*")),
    (4, re.compile(r"\d{1,2}\s*[)）]\s*")),
    (5, re.compile(r"[①-⑳]\s*")),
)
# The characters a marker can start with: most lines start with none and skip the patterns.
_MARKER_START = re.compile(rf"[第{_CN_NUM}（(①-⑳]|\d")
_ATTACH_LIST = re.compile(r"附\s*件\s*[:：]\s*")
_ATTACH_HEAD = re.compile(rf"附\s*件\s*([\d{_CN_NUM}]*)\s*[:：]?\s*$")
_ATTACH_HEAD_INLINE = re.compile(rf"附\s*件\s*([\d{_CN_NUM}]+)\s*(?:[:：]|\s)\s*(\S.*)$")
_LIST_ITEM = re.compile(r"(\d{1,2})\s*[.．、](?!\d)\s*")
_TITLE_ABOUT = re.compile(r"关于(?P<subject>.+)的(?P<kind>[\u4e00-\u9fff]{1,4})$")
_ISSUING = re.compile(r"(?:印发|发布|颁布)《?(?P<policy>[^《》]+?)》?$")
_QUOTED = re.compile(r"《([^《》\n]{2,80})》")
_NUM = r"[\u4e00-\u9fff]{1,12}\s*[〔\[［【(（]\s*(?:19|20)\d\d\s*[〕\]］】)）]\s*第?\s*\d{1,4}\s*号"
_DOCNUM = re.compile(rf"\s*[（(]\s*(?P<num>{_NUM})\s*[)）]")
_NUM_LINE = re.compile(rf"[（(]?\s*(?P<num>{_NUM})\s*[)）]?")
_YEARS = re.compile(r"[（(]\s*(?:19|20)\d\d\s*[-—–~至]+\s*(?:19|20)?\d\d\s*年?\s*[)）]")
_UNIFY = str.maketrans({"—": "-", "–": "-", "－": "-", "〔": "[", "〕": "]", "［": "[", "］": "]",
                        "【": "[", "】": "]", "（": "(", "）": ")"})
_SENT_END = "。！？!?"
_CLAUSE_END = re.compile(r"[，,；;：:。！？!?]")
_UNIT_SEP = "、，,；;"
_QUOTES = "“”‘’\"'「」『』"
_TRAILER = re.compile(r"(?:\s*[（(][^()（）]{1,10}[)）])+$")      # (试行), (征求意见稿)
_FILE_EXT = re.compile(r"\.(?:docx?|xlsx?|pdf|wps|zip|rar|ofd)$", re.I)
_PLACE_PREFIX = re.compile(r"^[\u4e00-\u9fff]{2,3}?(?:省|自治区|特别行政区|市|州|县)")
_LEVELS = "省市县区乡镇街旗"
_MAX_HEADING = 50    # longest heading closed by its own 。
_LINE_HEADING = 40   # longest unpunctuated line taken whole as a heading
_MIN_HEADING = 4
_RUN_ON = 14          # a first clause this long may be a heading run on into its body
_TITLE_WINDOW = 40    # the document title is looked for among the first lines


# --------------------------------------------------------------------------- resources

@lru_cache(maxsize=None)
def _table(name: str) -> tuple[tuple[str, str], ...]:
    """Two-column resource table, longest first column first (for suffix/prefix tests)."""
    return tuple(sorted(((r[0], r[1]) for r in load_table(name)), key=lambda r: -len(r[0])))


@lru_cache(maxsize=None)
def _words(name: str) -> tuple[str, ...]:
    return tuple(sorted(load_list(name), key=lambda w: -len(w)))


@lru_cache(maxsize=None)
def _role_pattern() -> re.Pattern:
    """A labelled unit list: "(牵头单位:" inside a bracket, or "责任单位:" opening a line or
    following the task's last sentence."""
    labels = "|".join(re.escape(label) for label, _ in _table("outline_unit_roles.txt"))
    return re.compile(rf"(?:[（(]|^|(?<=[。\s]))\s*(?:{labels})\s*[:：]", re.M)


@lru_cache(maxsize=None)
def _agency_split() -> re.Pattern:
    return re.compile(rf".*?(?:{'|'.join(map(re.escape, _words('outline_agency_suffixes.txt')))})")


@lru_cache(maxsize=None)
def _trigger_pattern() -> re.Pattern:
    return re.compile("|".join(map(re.escape, _words("outline_cite_triggers.txt"))))


# --------------------------------------------------------------------------- structure

@dataclass(frozen=True)
class Line:
    """One non-empty line of the text: its offsets and content."""

    index: int
    start: int
    end: int
    text: str


@dataclass
class Item:
    """A numbered item: level, heading span (no number, no final 。), body and children."""

    level: int
    line: Line
    head: tuple[int, int] | None    # heading span; None when the item is a bare paragraph
    head_stop: int                  # offset after the heading with its own final 。 (evidence)
    inline_body: bool               # body text follows the heading on its line
    body_end: int                   # offset after the item's last own line
    body_lines: int = 0             # unnumbered lines before the next item
    units: bool = False             # carries a (牵头单位/责任单位…) list
    children: list["Item"] = field(default_factory=list)

    def heading(self, text: str) -> str:
        return text[self.head[0]:self.head[1]] if self.head else ""


@dataclass
class Part:
    """The document body or one attachment: its title line, its lines and their item tree."""

    title: Line | None
    lines: list[Line]
    list_line: Line | None = None            # the line of the attachment list naming this part
    list_span: tuple[int, int] | None = None
    items: list[Item] = field(default_factory=list)
    policy: Mention | None = None


def _lines(text: str) -> list[Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        a = pos + len(raw) - len(raw.lstrip())
        b = pos + len(raw.rstrip())
        while a < b and text[a] in "#＃ \t":      # a Markdown heading's marks are not its title
            a += 1
        if a < b:
            out.append(Line(len(out), a, b, text[a:b]))
        pos += len(raw) + 1
    return out


def _marker(text: str) -> tuple[int, int] | None:
    """(level, length) of the item number that starts text, or None."""
    if not _MARKER_START.match(text):
        return None
    for level, pat in _MARKERS:
        m = pat.match(text)
        if m and m.end() < len(text):
            return level, m.end()
    return None


def genre(title: str) -> str:
    """'task' (plans) or 'rule' (regulations, catalogues) by a title's final word; '' if no policy."""
    t = _YEARS.sub("", title.rstrip(" 》”\"")).rstrip()
    t = _TRAILER.sub("", t)
    return next((kind for suffix, kind in _table("outline_policy_genres.txt") if t.endswith(suffix)), "")


def _ends_sentence(s: str) -> bool:
    return s.rstrip("”’\"')）】]").endswith(tuple(_SENT_END))


def _is_title(s: str) -> bool:
    """A line that reads as a policy's own title: a genre word at the end, no sentence inside,
    and not a headline about a policy ("…出台…措施", "X：…方案")."""
    if not (6 <= len(s) <= 150 and genre(s)) or re.search("[。！？!?；;]", s):
        return False
    if _TITLE_ABOUT.search(s):
        return True
    return "《" not in s and not any(w in s for w in _words("outline_title_blockers.txt"))


def parse(text: str, title_hint: str = "", posseg=None) -> list[Part]:
    """Cut the text into parts (the document body, each attachment) with their item trees."""
    lines = _lines(text)
    if not lines:
        return []
    title = _find_title(lines, title_hint)
    heads: list[tuple[int, Line | None]] = []     # (index of the 附件N line, title line)
    listed: dict[str, tuple[Line, tuple[int, int]]] = {}
    consumed: set[int] = set()
    i = title.index + 1
    while i < len(lines):
        ln = lines[i]
        m = _ATTACH_LIST.match(ln.text)
        if m and not heads:
            i = _read_list(text, lines, i, m.end(), listed, consumed)
            continue
        m = _ATTACH_HEAD.match(ln.text)
        if m and i + 1 < len(lines):
            nxt = lines[i + 1]
            ok = not _ATTACH_HEAD.match(nxt.text) and not _ends_sentence(nxt.text) and len(nxt.text) <= 150
            heads.append((i, nxt if ok else None))
            i += 2 if ok else 1
            continue
        m = _ATTACH_HEAD_INLINE.match(ln.text)
        if m and (listed or genre(m.group(2))) and not _ends_sentence(m.group(2)):
            a = ln.start + m.start(2)
            heads.append((i, Line(ln.index, a, ln.end, text[a:ln.end])))
        i += 1

    first = heads[0][0] if heads else len(lines)
    parts = [Part(title, [ln for ln in lines[title.index + 1:first] if ln.index not in consumed])]
    for n, (hi, head_title) in enumerate(heads):
        end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        begin = hi + 1 if head_title is None or head_title.index == hi else hi + 2
        part = Part(head_title, lines[begin:end])
        number = _ATTACH_HEAD.match(lines[hi].text) or _ATTACH_HEAD_INLINE.match(lines[hi].text)
        key = _num(number.group(1)) if number and number.group(1) else str(n + 1)
        if key in listed:
            part.list_line, part.list_span = listed.pop(key)
        parts.append(part)
    # Attachments listed but not reproduced in the text are still parts of the document.
    for key in sorted(listed):
        line, span = listed[key]
        parts.append(Part(None, [], line, span))
    for part in parts:
        part.items = _tree(text, part.lines, posseg)
    return parts


def _find_title(lines: list[Line], hint: str) -> Line:
    """The document's title line: the first line, or the headline found by the reader, if a policy
    title; else the first line (the document is then not a policy)."""
    hints = {hint, re.split(r"\s*[_|]\s*|\s+-\s+", hint)[0]} - {""}
    for ln in lines[:_TITLE_WINDOW]:
        if (ln.index == 0 or ln.text in hints) and _is_title(ln.text):
            return ln
    return lines[0]


def _read_list(text: str, lines: list[Line], i: int, at: int,
               listed: dict, consumed: set) -> int:
    """Read the attachment list "附件:1.A / 2.B …" starting on line i; returns the next line."""
    ln = lines[i]
    rest = ln.text[at:]
    entries = []
    j = i + 1
    n = _LIST_ITEM.match(rest)
    if n:
        entries.append((ln, ln.start + at + n.end(), ln.end, n.group(1)))
        while j < len(lines):
            k = _LIST_ITEM.match(lines[j].text)
            if not k or _ends_sentence(lines[j].text) or len(lines[j].text) > 150:
                break
            entries.append((lines[j], lines[j].start + k.end(), lines[j].end, k.group(1)))
            j += 1
    elif rest and not _ends_sentence(rest):
        entries.append((ln, ln.start + at, ln.end, "1"))
    for line, a, b, num in entries:
        a, b = _strip_title(text, a, b)
        if a < b:
            listed[_num(num)] = (line, (a, b))
            consumed.add(line.index)
    return j


def _num(s: str) -> str:
    """An attachment number as a decimal string (附件三 → '3')."""
    if s.isdigit():
        return str(int(s))
    digits = "零一二三四五六七八九"
    total, cur = 0, 0
    for ch in s:
        if ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch in digits:
            cur = digits.index(ch)
    return str(total + cur)


def _strip_title(text: str, a: int, b: int) -> tuple[int, int]:
    """Trim whitespace, 《》 and trailing punctuation from a title span."""
    while a < b and (text[a].isspace() or text[a] == "《"):
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in "》;；,，。"):
        b -= 1
    ext = _FILE_EXT.search(text, a, b)
    return a, (ext.start() if ext else b)


def _tree(text: str, lines: list[Line], posseg=None) -> list[Item]:
    """Numbered items of a part as a tree; an unnumbered line is body of the item above it."""
    roots: list[Item] = []
    stack: list[Item] = []
    last: Item | None = None
    for ln in lines:
        mk = _marker(ln.text)
        if mk is None:
            if last is not None:
                last.body_lines += 1
                last.body_end = ln.end
                last.units = last.units or bool(_role_pattern().search(ln.text)) or bool(
                    _DUTY_BRACKET.search(ln.text))
            continue
        item = _item(text, ln, *mk, posseg=posseg)
        while stack and stack[-1].level >= item.level:
            stack.pop()
        (stack[-1].children if stack else roots).append(item)
        stack.append(item)
        last = item
    return roots


def _item(text: str, ln: Line, level: int, length: int, posseg=None) -> Item:
    """Read one numbered line: where its heading is and whether body text follows it."""
    a = ln.start + length
    units = _role_pattern().search(text, a, ln.end) or _DUTY_BRACKET.search(text, a, ln.end)
    content = text[a:units.start() if units else ln.end].rstrip()
    item = Item(level, ln, None, a, False, ln.end, units=units is not None)
    if not content:
        return item
    stop = content.find("。")
    if stop < 0 and len(content) <= _LINE_HEADING:
        # The whole line is the heading; its body, if any, is on the lines below.
        item.head, item.head_stop = (a, a + len(content)), a + len(content)
        return item
    first = _CLAUSE_END.search(content)
    if first and content[first.start()] in "。：:" and 0 < first.start() <= _MAX_HEADING:
        # "<heading>。<body>" or "<heading>:<body>".
        item.head, item.head_stop = (a, a + first.start()), a + first.start() + 1
        item.inline_body = bool(content[first.end():].strip())
        return item
    # "(六)<phrase>，<phrase>。<body>": a section heading of two parallel phrases (work reports).
    if level <= 2 and 0 < stop <= _MAX_HEADING and content[stop + 1:].strip():
        halves = content[:stop].split("，")
        if len(halves) == 2 and all(len(h) >= _MIN_HEADING and not _CLAUSE_END.search(h) for h in halves):
            item.head, item.head_stop = (a, a + stop), a + stop + 1
            item.inline_body = True
            return item
    # A heading without its final 。 runs straight into the body ("N.<heading><body>,…"):
    # cut a long first clause where a new clause starts. A short first clause is a
    # one-sentence item, which has no heading of its own.
    clause = content[:first.start()] if first else content
    cut = _cut_heading(clause, posseg) if len(clause) >= _RUN_ON and posseg else 0
    if cut:
        item.head, item.head_stop = (a, a + cut), a + cut
        item.inline_body = True
    return item


def _cut_heading(clause: str, posseg) -> int:
    """Length of the verb-object heading at the start of a run-on clause; 0 if none is found.

    The heading is the first word (the head verb, with its modifiers) and its object; the
    body starts at the first preposition, adverb, verb or listed opener after the object.
    """
    if len(clause) < _MIN_HEADING + 2:
        return 0
    openers = _words("outline_body_openers.txt")
    pos, seen_object = 0, False
    for n, (word, flag) in enumerate(posseg(clause)):
        if n and pos >= _MIN_HEADING and seen_object and len(clause) - pos >= 2 and (
                clause.startswith(openers, pos) or flag in ("p", "d", "v")):
            return pos
        if n and not flag.startswith(("v", "p", "d", "u", "x", "c")):
            seen_object = True
        pos += len(word)
    return 0


def _walk(items: list[Item]):
    for it in items:
        yield it
        yield from _walk(it.children)


def section_label(heading: str) -> str:
    """'tasks' or 'none' when a heading is a section label (总体要求, 主要任务, 基本原则…), else ''.

    'none' marks sections whose items are principles, targets, conditions or steps.
    """
    pieces = [p for p in re.split(r"[和与及、]", heading.strip()) if p]
    if not pieces or len(heading) > 12:
        return ""
    kinds = set()
    modifiers = _words("outline_section_modifiers.txt")
    for piece in pieces:
        noun = next(((n, k) for n, k in _table("outline_section_labels.txt") if piece.endswith(n)), None)
        if noun is None:
            return ""
        rest = piece[: len(piece) - len(noun[0])]
        while rest:
            m = next((w for w in modifiers if rest.startswith(w)), None)
            if m is None:
                return ""
            rest = rest[len(m):]
        kinds.add(noun[1])
    return "none" if "none" in kinds else "tasks"


def tasks(text: str, part: Part, kind: str) -> list[Item]:
    """The items of a part that are tasks: own heading and own body, not a section label,
    not under principles/targets/conditions, and the part is a plan (or lists responsible units)."""
    if kind != "task" and not any(it.units for it in _walk(part.items)):
        return []
    out: list[Item] = []

    def visit(items: list[Item], blocked: bool) -> None:
        for it in items:
            h = it.heading(text)
            label = section_label(h) if h else ""
            # Top sections (一、总体要求) are labels; a deeper label heads a task unless it
            # opens principles or targets ((二)基本原则).
            is_label = label == "none" or (label and it.level <= 1)
            stop = blocked or label == "none"
            if (not stop and not is_label and it.level > 0 and it.head and len(h) >= _MIN_HEADING
                    and (it.inline_body or it.body_lines or it.units)):
                out.append(it)
            visit(it.children, stop)

    visit(part.items, False)
    return out


# --------------------------------------------------------------------------- helpers

class _Doc:
    """One document with its simplified view and offset helpers (sentences, mentions, evidence)."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.text = simplified(doc.text)
        self.starts = [s.clean_start for s in doc.sentences]
        self.raw_end = {s.clean_end: s.end for s in doc.sentences}

    def sentence(self, pos: int) -> int:
        return max(bisect.bisect_right(self.starts, pos) - 1, 0)

    def mention(self, cls: str, a: int, b: int, name: str = "") -> Mention:
        surface = self.doc.text[a:b]
        return Mention(cls, surface, self.sentence(a), a, b, name if name != surface else "")

    def evidence(self, a: int, b: int) -> Evidence:
        d = self.doc
        end = self.raw_end.get(b, d.offsets[b - 1] + 1 if b > 0 else 0)
        return Evidence(d.source, d.text[a:b], d.offsets[a], end)

    def sentence_evidence(self, pos: int) -> Evidence:
        if not self.doc.sentences:
            return self.evidence(pos, pos + 1)
        return self.doc.evidence(self.sentence(pos))


def policy_key(title: str) -> str:
    """Comparison key of a policy title: no marks or spaces, no (2018-2020年), unified dashes."""
    t = _YEARS.sub("", unicodedata.normalize("NFKC", title).translate(_UNIFY))
    return "".join(ch for ch in t if not ch.isspace() and ch not in "《》" + _QUOTES)


def docnum_key(num: str) -> str:
    """Comparison key of a document number: 〔2018〕, [2018], (2018) are the same."""
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", num).translate(_UNIFY))
    return re.sub(r"[\[(](\d{4})[\])]", r"[\1]", t)


def split_agencies(text: str) -> list[tuple[int, int]] | None:
    """Spans of the bodies in an issuer string ("省委、省政府", "省委省政府"); None if it is not one."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in re.finditer(r"[^、，,\s]+", text):
        pos = m.end()
        piece, base = m.group(), m.start()
        spans: list[list[int]] = []
        at = 0
        for k in _agency_split().finditer(piece):
            if k.start() != at:
                return None
            seg = k.group()
            # "发展和改革委|员会", "人民政府|办公厅": a piece without a level word continues the name.
            standalone = bool(re.search(rf"[{_LEVELS}州盟国中党]", seg[:-1] or seg))
            if spans and not standalone:
                spans[-1][1] = base + k.end()
            else:
                lead = len(seg) - len(seg.lstrip("和及与"))
                spans.append([base + k.start() + lead, base + k.end()])
            at = k.end()
        if at != len(piece) or not spans:
            return None
        out += [(a, b) for a, b in spans]
    if not out or text[pos:].strip():
        return None
    return [s for s in out if s[1] - s[0] >= 2] or None


def _is_generic(unit: str) -> bool:
    """A unit that names a class of bodies (各…, 有关…, 市、县(区)政府), not one body."""
    if unit.startswith(_words("outline_generic_units.txt")) or unit.endswith(
            _words("outline_generic_suffixes.txt")):
        return True
    bare = re.sub(r"[、，,\s]", "", unit)
    levels = re.fullmatch(rf"((?:[{_LEVELS}](?:[（(][{_LEVELS}、，,]+[)）])?)+)级?(?:人民政府|政府|党委|管委会)?", bare)
    return bool(levels) and len(re.findall(f"[{_LEVELS}]", levels.group(1))) >= 2


_LEVEL_FRAGMENT = re.compile(rf"^[{_LEVELS}]+(?:[（(][^)）]*[)）])?级?(?:人民政府|政府|党委|管委会)?$")
_DUTY_BRACKET = re.compile(r"[（(](?:[^()（）\n]|[（(][^()（）\n]*[)）]){2,120}?(?:牵头|负责|配合|参与)[)）]")
_DUTY_VERB = re.compile(r"(?:按职责分工|按照职责分工|按职责|分工|共同|等)*(?:负责|配合|参与|落实|协同)$")


def split_units(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Spans of the units listed in text[a:b] ("省工信厅、省科技厅,各市、县(区)政府")."""
    pieces: list[list[int]] = []
    depth, start = 0, a
    for i in range(a, b + 1):
        ch = text[i] if i < b else "、"
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(depth - 1, 0)
        elif depth == 0 and ch in _UNIT_SEP:
            if i > start:
                pieces.append([start, i])
            start = i + 1
    generic = "|".join(map(re.escape, _words("outline_generic_units.txt")))
    split: list[list[int]] = []
    for s, e in pieces:
        # "省财政厅及相关单位": a conjunction before a generic unit separates two units.
        m = re.search(rf"(?:以及|及|和|与)(?={generic})", text[s:e])
        split += [[s, s + m.start()], [s + m.end(), e]] if m and m.start() > 0 else [[s, e]]
    merged: list[list[int]] = []
    for s, e in split:
        if merged and _LEVEL_FRAGMENT.match(text[s:e].strip()):
            merged[-1][1] = e          # "各市、县(区)政府" is one unit
        else:
            merged.append([s, e])
    spans = []
    for s, e in merged:
        while s < e and text[s].isspace():
            s += 1
        tail = re.search(r"等(?:部门|单位|机构)?$", text[s:e])   # "省商务厅等部门"
        if tail:
            e = s + tail.start()
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s >= 2:
            spans.append((s, e))
    return spans


def _unit_class(unit: str) -> str:
    return next((cls for suffix, cls in _table("outline_unit_classes.txt") if unit.endswith(suffix)),
                "Agency")


def _bracket_end(text: str, a: int, limit: int) -> int:
    """Offset of the bracket closing the one at text[a] (nested brackets allowed), or -1."""
    depth = 0
    for i in range(a, min(limit, len(text))):
        if text[i] in "(（":
            depth += 1
        elif text[i] in ")）":
            depth -= 1
            if depth == 0:
                return i
        elif text[i] == "\n":
            return -1
    return -1


# --------------------------------------------------------------------------- policies

class _Policies:
    """Policy references of one document, grouped by shared title or document-number keys."""

    def __init__(self):
        self.parent: dict[str, str] = {}
        self.names: dict[str, list[str]] = {}

    def _find(self, k: str) -> str:
        while self.parent.setdefault(k, k) != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def add(self, keys: set[str], names: list[str]) -> None:
        keys_ = sorted(keys)
        root = self._find(keys_[0])
        for k in keys_[1:]:
            r = self._find(k)
            if r != root:
                self.parent[r] = root
                self.names.setdefault(root, []).extend(self.names.pop(r, []))
        self.names.setdefault(root, []).extend(names)

    def canonical(self, key: str) -> str:
        """The group's full title: with its year range if any, not a "关于…" variant, the longest."""
        names = self.names.get(self._find(key), [])
        return max(names, key=lambda n: (bool(_YEARS.search(n)), not n.startswith(("关于", "關於")),
                                         len(n))) if names else ""

    def same(self, k1: str, k2: str) -> bool:
        return self._find(k1) == self._find(k2)


_DATED = re.compile(r"\s*[（(]\s*(?:19|20)\d\d[-.年]\d{1,2}[-.月]\d{1,2}日?\s*[)）]\s*$")


def given_title(title: str, text: str) -> str:
    """The policy title a document was given from outside when the text itself does not print it.

    Site names after a separator (X_中国政府网) and a trailing date (X条例(2020-01-20)) are cut;
    headlines and titles that the text does contain (the parser reads those) give ''.
    """
    t = _DATED.sub("", re.split(r"\s*[_|]\s*|\s+-\s+", simplified(title or "").strip())[0])
    if not t or t in text or not _is_title(t):
        return ""
    return t


def title_parts(title: str) -> tuple[str, tuple[int, int], int]:
    """(key, span of the policy's name, end of the issuer) of a title.

    "X关于印发Y的通知" names Y (a notice issuing a plan is that plan); "X关于Z的意见" is named
    "关于Z的意见"; X, when present, is the issuer.
    """
    m = _TITLE_ABOUT.search(title)
    if not m:
        return "t:" + policy_key(title), (0, len(title)), 0
    issued = _ISSUING.fullmatch(m.group("subject"))
    if issued and m.group("kind") == "通知":
        s = m.start("subject") + issued.start("policy")
        e = m.start("subject") + issued.end("policy")
        return "t:" + policy_key(title[s:e]), (s, e), m.start()
    return "t:" + policy_key(title[m.start():]), (m.start(), len(title)), m.start()


# --------------------------------------------------------------------------- readers

def outline(doc: Document, mentions: list[Mention], segmenter=None) -> tuple[list[Mention], list[Relation]]:
    """Extra mentions and relations read from the structure of a policy document."""
    d = _Doc(doc)
    text = d.text
    parts = parse(text, simplified(doc.title), segmenter.posseg if segmenter else None)
    if not parts:
        return [], []
    more: list[Mention] = []
    rels: list[Relation] = []
    registry = _Policies()
    own: list[tuple[Part, str, str]] = []   # (part, policy key, genre)
    owner = {ln.index: p for p in parts for ln in ([p.title] if p.title else []) + p.lines}

    # 1. Own policies: the document (when its title line is a policy title) and its attachments.
    main = parts[0]
    own_numbers: list[tuple[int, int]] = []
    if _is_title(main.title.text):
        t = main.title
        key, (s, e), _ = title_parts(t.text)
        keys = {key}
        for ln in main.lines[:3]:          # the document number printed under the title
            m = _NUM_LINE.fullmatch(ln.text)
            if m:
                keys.add("n:" + docnum_key(m.group("num")))
                own_numbers.append((ln.start + m.start("num"), ln.start + m.end("num")))
        registry.add(keys, [doc.text[t.start + s:t.start + e]])
        # "关于印发X管理办法的通知" is a regulation: its genre is that of the document it issues.
        own.append((main, key, genre(t.text[s:e]) or genre(t.text)))
    else:
        given = given_title(doc.title, text)
        if given:
            # An excerpt whose title is known only from outside (a metadata file, the page's
            # <title>): the document is still that policy, and its numbered tasks part of it.
            key, (s, e), _ = title_parts(given)
            registry.add({key}, [given[s:e]])
            main.policy = Mention("Policy", "", 0, 0, 0, name=given[s:e], ref=True)
            own.append((main, key, genre(given[s:e]) or genre(given)))
            # the first line is then body, not a title: read the items again with it
            main.lines = [main.title, *main.lines]
            main.items = _tree(text, main.lines, segmenter.posseg if segmenter else None)
    for part in parts[1:]:
        span = (part.title.start, part.title.end) if part.title else part.list_span
        a, b = _strip_title(text, *span)
        if not own and not genre(text[a:b]):
            continue        # an attached table or file of a text that is no policy itself
        key = "t:" + policy_key(text[a:b])
        registry.add({key}, [doc.text[a:b]])
        own.append((part, key, genre(text[a:b]) or "task"))

    # 2. Every policy the text names: 《title》, "关于…的意见(X发〔2020〕5号)", or a bare
    #    document number; a number after a title is an alias of that title.
    refs: list[tuple[int, int, int, str, tuple[int, int] | None, Part | None]] = []
    for line in [ln for p in parts for ln in ([p.title] if p.title else []) + p.lines]:
        taken: list[tuple[int, int]] = []
        # (title start, title end, offset after the closing mark, offset before which an issuer stands)
        found = [(m.start(1), m.end(1), m.end(), m.start())
                 for m in _QUOTED.finditer(text, line.start, line.end)]
        found += [(m.start(), m.end(), m.end(), m.start())
                  for m in _unquoted().finditer(text, line.start, line.end)]
        for a, b, after, opening in found:
            if any(s < b and a < e for s, e in taken):
                continue
            num = _DOCNUM.match(text, after)
            if not genre(text[a:b]) and not num:
                continue
            key, (s, e), _ = title_parts(text[a:b])
            keys = {key} | ({"n:" + docnum_key(num.group("num"))} if num else set())
            registry.add(keys, [doc.text[a + s:a + e]])
            refs.append((a, b, opening, key, num.span("num") if num else None, owner.get(line.index)))
            taken += [(a - 1, after)] + ([num.span("num")] if num else [])
        # (the pattern tries every Chinese character as a start: look for its bracket first)
        bare = _BARE_NUM.finditer(text, line.start, line.end) \
            if _NUM_BRACKET.search(text, line.start, line.end) else ()
        for m in bare:
            a, b = _bare_number(text, m)
            if a < 0 or any(s < b and a < e for s, e in taken):
                continue
            key = "n:" + docnum_key(text[a:b])
            registry.add({key}, [])
            refs.append((a, b, -1, key, None, owner.get(line.index)))

    # 3. Mentions of the own policies, the document's issuers, attachments partOf the document.
    for part, key, _ in own:
        name = registry.canonical(key)
        if part is main and part.policy is not None:
            more.append(part.policy)        # the title given from outside, not in the text
            continue
        if part is main:
            t = main.title
            _, _, issuer_end = title_parts(t.text)
            about = _TITLE_ABOUT.search(t.text)
            part.policy = d.mention("Policy", t.start + (about.start() if about else 0), t.end, name)
            more.append(part.policy)
            more += [d.mention("Policy", a, b, name) for a, b in own_numbers]
            if issuer_end:
                more.append(d.mention("Policy", t.start, t.end, name))
                for a, b in split_agencies(t.text[:issuer_end]) or []:
                    ag = d.mention("Agency", t.start + a, t.start + b)
                    more.append(ag)
                    rels.append(Relation(part.policy, "issuedBy", ag, d.sentence_evidence(t.start)))
            continue
        if part.title:
            part.policy = d.mention("Policy", *_strip_title(text, part.title.start, part.title.end), name)
            more.append(part.policy)
        if part.list_span:
            listed = d.mention("Policy", *part.list_span, name)
            more.append(listed)
            part.policy = part.policy or listed
    notice = main.policy
    main_key = own[0][1] if own and own[0][0] is main else None
    for part, key, _ in own:
        # An attachment that is the very plan the notice issues is not a part of itself.
        if part is not main and main_key is not None and not registry.same(key, main_key):
            line = part.list_line or part.title
            rels.append(Relation(part.policy, "partOf", notice, d.evidence(line.start, line.end)))

    # 4. References: Policy mentions, document numbers as aliases, cites, issuedBy.
    own_keys = [k for _, k, _ in own]
    for a, b, opening, key, numspan, part in refs:
        name = registry.canonical(key) or doc.text[a:b]
        ref = d.mention("Policy", a, b, name)
        more.append(ref)
        if numspan:
            more.append(d.mention("Policy", *numspan, name))
        if part is not None and part.policy is not None and not any(registry.same(key, k) for k in own_keys):
            rels.append(Relation(part.policy, "cites", ref, d.sentence_evidence(a)))
        _, _, issuer_end = title_parts(text[a:b])        # 《X关于印发Y的通知》
        issuers = [(a + s, a + e) for s, e in split_agencies(text[a:a + issuer_end]) or []] \
            if issuer_end else []
        for s, e in issuers or (_issuer_before(text, opening) if opening >= 0 else []):   # X《Y》
            ag = d.mention("Agency", s, e)
            more.append(ag)
            rels.append(Relation(ref, "issuedBy", ag, d.sentence_evidence(a)))

    # 5. Tasks, their responsible units, and the names the plans go by in their own text.
    for part, key, kind in own:
        measure_of: dict[int, Mention] = {}
        for it in tasks(text, part, kind):
            ms = d.mention("Measure", *it.head)
            more.append(ms)
            measure_of[id(it)] = ms
            rels.append(Relation(ms, "partOf", part.policy, d.evidence(it.line.start, it.head_stop)))
        more_u, rels_u = _units(d, part, measure_of)
        more += more_u
        rels += rels_u
    more += _plan_names(d, own, registry, more, [m for m in mentions if m.cls == "Place"])
    return _dedupe(more), _dedupe(rels)


@lru_cache(maxsize=None)
def _unquoted() -> re.Pattern:
    """An unquoted "关于…的<genre>" title; it counts only when a document number follows."""
    kinds = "|".join(re.escape(g) for g, _ in _table("outline_policy_genres.txt"))
    return re.compile(rf"关于[^，,。；;：:《》“”\n]{{2,60}}?的(?:{kinds})(?=\s*[（(])")


_BARE_NUM = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[［【]\s*(?:19|20)\d\d\s*[〕\]］】]\s*第?\s*\d{1,4}\s*号")
_NUM_BRACKET = re.compile(r"[〔\[［【]")         # in every match of _BARE_NUM


def _bare_number(text: str, m: re.Match) -> tuple[int, int]:
    """Span of a document number found without a title ("按照X府发〔2020〕5号文件"), or (-1, -1).

    The match starts too early when words precede the issuer's code: cut after the last
    citing verb or function word, and keep a code of 1-8 characters.
    """
    bracket = re.search(r"[〔\[［【]", m.group()).start()
    code = m.group()[:bracket]
    cut = 0
    for t in _trigger_pattern().finditer(code):
        cut = max(cut, t.end())
    for k, ch in enumerate(code):
        if ch in "的和及与以将经在对把被按照据、":
            cut = max(cut, k + 1)
    if not 1 <= bracket - cut <= 8:
        return -1, -1
    return m.start() + cut, m.end()


def _issuer_before(text: str, i: int) -> list[tuple[int, int]]:
    """Bodies named right before the 《 at text[i] ("落实省委、省政府《…》"), as spans; [] if none."""
    start = i
    while start > 0 and text[start - 1] not in "，,；;。：:\n《》()（）“”":
        start -= 1
    pre = text[start:i]
    triggers = list(_trigger_pattern().finditer(pre))
    cut = triggers[-1].end() if triggers else 0
    seg = pre[cut:]
    m = re.search(r"(?:印发|发布|出台|制定|颁布)(?:的|了)?$", seg)
    if m:
        seg = seg[: m.start()]
    spans = split_agencies(seg) if seg else None
    return [(start + cut + a, start + cut + b) for a, b in spans] if spans else []


def _units(d: _Doc, part: Part, measure_of: dict[int, Mention]) -> tuple[list[Mention], list[Relation]]:
    """Bodies of the (牵头单位:…;责任单位:…) lists closing a task: leads / responsibleFor it."""
    text = d.text
    more: list[Mention] = []
    rels: list[Relation] = []
    for it in _walk(part.items):
        task = measure_of.get(id(it))
        if task is None:
            continue
        found: list[tuple[int, int, list[tuple[str, int, int]]]] = []   # (start, end, role lists)
        for m in _role_pattern().finditer(text, it.line.start, it.body_end):
            if any(a <= m.start() < b for a, b, _ in found):
                continue
            if text[m.start()] in "(（":
                close = _bracket_end(text, m.start(), it.body_end + 1)
                if close < 0:
                    continue
                found.append((m.start(), close + 1, list(_roles_in(text, m.start() + 1, close))))
            else:
                start = m.start() + len(m.group()) - len(m.group().lstrip())
                end = text.find("\n", m.end())
                end = it.body_end if end < 0 or end > it.body_end else end
                found.append((start, end, list(_roles_in(text, start, end))))
        for m in _DUTY_BRACKET.finditer(text, it.line.start, it.body_end):
            close = _bracket_end(text, m.start(), it.body_end + 1)
            lists = _duty_form(text, m.start() + 1, close) if close > 0 else []
            if lists:
                found.append((m.start(), close + 1, lists))
        for start, end, lists in found:
            ev = _unit_evidence(d, start, end)
            for prop, a, b in lists:
                for s, e in split_units(text, a, b):
                    unit = text[s:e]
                    if _is_generic(unit) or _LEVEL_FRAGMENT.match(unit):
                        continue
                    ag = d.mention(_unit_class(unit), s, e)
                    more.append(ag)
                    rels.append(Relation(ag, prop, task, ev))
    return more, rels


def _roles_in(text: str, a: int, b: int):
    """(property, start, end) of each labelled unit list in text[a:b] ("牵头单位:…;责任单位:…")."""
    roles = _table("outline_unit_roles.txt")
    prop_of = dict(roles)
    labels = "|".join(re.escape(label) for label, _ in roles)
    found = list(re.finditer(rf"({labels})\s*[:：]", text[a:b]))
    for n, m in enumerate(found):
        s = a + m.end()
        e = a + found[n + 1].start() if n + 1 < len(found) else b
        while e > s and text[e - 1] in "；;，,。 ":
            e -= 1
        yield prop_of[m.group(1)], s, e


def _duty_form(text: str, a: int, b: int) -> list[tuple[str, int, int]]:
    """Unit lists of a bracket text[a:b] like "省发改委牵头,省财政厅、省商务厅配合" or
    "国家发展改革委、自然资源部等按职责分工负责"; [] unless every listed unit is a body."""
    body = text[a:b]
    if _role_pattern().match(text, a - 1):
        return []
    lists = []
    lead = body.find("牵头")
    rest = a
    if lead > 0:
        lists.append(("leads", a, a + lead))
        rest = a + lead + 2
        while rest < b and text[rest] in "，,；;、 ":
            rest += 1
    if rest < b:
        if text[rest] in "由请经":      # "(由X负责)"
            rest += 1
        duty = _DUTY_VERB.search(text, rest, b)
        if duty and duty.start() > rest:
            lists.append(("responsibleFor", rest, duty.start()))
        elif lead <= 0:
            return []           # a remark in brackets, not a list of bodies
    return lists if lists and _all_bodies(text, lists) else []


def _all_bodies(text: str, lists) -> bool:
    suffixes = _words("outline_agency_suffixes.txt")
    for _, a, b in lists:
        units = split_units(text, a, b)
        if not units or not all(_is_generic(text[s:e]) or text[s:e].endswith(suffixes) for s, e in units):
            return False
    return True


def _unit_evidence(d: _Doc, a: int, b: int) -> Evidence:
    """The task's last sentence together with its unit list text[a:b]."""
    text = d.text
    line_start = text.rfind("\n", 0, a) + 1
    scan = a
    if not text[line_start:a].strip() and line_start > 0:
        # The list stands on a line of its own: take the last sentence of the line before.
        scan = line_start - 1
        line_start = text.rfind("\n", 0, scan) + 1
    s = scan - 1
    while s >= line_start and (text[s].isspace() or text[s] in _SENT_END):
        s -= 1          # past the terminator of the task's last sentence
    while s >= line_start and text[s] not in _SENT_END:
        s -= 1
    start = max(s + 1, line_start)
    while start < a and text[start].isspace():
        start += 1
    return d.evidence(start, b)


def _plan_names(d: _Doc, own, registry: _Policies, known: list[Mention],
                places: list[Mention]) -> list[Mention]:
    """Short names of the plans in their own text: "<place>X行动方案" is called "X行动方案/计划"
    (the plan: a Policy alias) and, where the text uses the bare name, "X行动" (a Measure)."""
    text = d.text
    out: list[Mention] = []
    taken = [(m.start, m.end) for m in known if m.cls == "Policy"]
    for part, key, _ in own:
        a0, b0 = part.policy.start, part.policy.end
        title = text[a0:b0]
        core = _YEARS.sub("", title).rstrip()
        suffix = next((s for s in ("实施方案", "方案", "计划") if core.endswith(s)), None)
        if suffix is None:
            continue
        end = len(core) - len(suffix)
        # The plan's own text names it without the place its title starts with (江西省…).
        place = next((m for m in places if m.start == a0), None)
        p = _PLACE_PREFIX.match(core)
        begin = len(place.text) if place is not None else (p.end() if p else 0)
        core = core[begin:end]
        bare = "".join(ch for ch in core if ch not in _QUOTES)
        if len(bare) < _MIN_HEADING:
            continue
        action = bare.endswith(("行动", "工程"))
        q = f"[{re.escape(_QUOTES)}]?"
        pat = re.compile(re.escape(bare[0]) + "".join(q + re.escape(ch) for ch in bare[1:]))
        name = registry.canonical(key) or d.doc.text[a0:b0]
        action_name = d.doc.text[a0 + begin:a0 + begin + len(core)]
        for m in pat.finditer(text):
            a, b = m.span()
            if any(s <= a < e for s, e in taken):
                continue
            follow = next((s for s in ("实施方案", "方案", "计划") if text.startswith(s, b)), None)
            if follow:
                out.append(d.mention("Policy", a, b + len(follow), name))
            elif action:
                out.append(d.mention("Measure", a, b, action_name))
    return out


def _dedupe(items: list) -> list:
    seen, out = set(), []
    for x in items:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out
