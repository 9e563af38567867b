"""Read a source file into a Document: decode it, clean the text, keep an offset map.

``Document.raw`` is the file decoded the way ``Path.read_text(encoding="utf-8")``
would decode it (universal newlines: \\r\\n and \\r become \\n; a UTF-8 BOM stays
as U+FEFF so offsets agree with such a reader), so evidence offsets point into the
text a researcher gets when opening the file. ``Document.text`` is the cleaned
text; ``Document.offsets[i]`` is the index in ``raw`` that ``text[i]`` comes from.
"""
from __future__ import annotations

import codecs
import hashlib
import html
import logging
import pathlib
import re
import statistics
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser

from .errors import InputError
from .model import Document

log = logging.getLogger(__name__)

KINDS = {".txt": "text", ".md": "text", ".html": "html", ".htm": "html"}

# File signatures of common binary formats that someone might rename to .txt.
_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"%PDF-", b"PK\x03\x04",
          b"\x7fELF", b"\xd0\xcf\x11\xe0", b"\x1f\x8b")

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_RUN = re.compile(rf"[^\s{_ZERO_WIDTH}]+")        # a run of visible characters
_SPACE = re.compile(r"\s")
_FINAL = "。！？!?"                                # ends a sentence
_CLAUSE_FINAL = _FINAL + "；;：:"                  # ends at least a clause
_CLOSERS = "”’\"'」』》）)】]"
_BRACKET_CLOSERS = "）)】]"
_CLAUSE_PUNCT = re.compile(r"[，,、。；;]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef“”‘’]")  # with punctuation
_ALNUM = re.compile(r"[0-9A-Za-z]")
_BULLETS = "•·●▪◆■□◇○‧*-"
# The start of a numbered item: 1. / 2、 / (一) / （3） / 一、 / ——  / 附件
_ITEM = re.compile(r"\d{1,2}[.．、](?!\d)|[(（][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|——|附件")


# --------------------------------------------------------------------------- reading
# One article or policy document is at most a few hundred KB; a file far larger is a
# dump of many documents, whose entities and evidence would be better served split.
MAX_BYTES = 20 * 2**20


def read_document(path: pathlib.Path, max_bytes: int = MAX_BYTES) -> Document:
    """Read one .txt/.md/.html file into a Document, or raise InputError saying why not."""
    path = pathlib.Path(path)
    name = str(path)
    if not path.exists():
        raise InputError(f"{name}: file not found; check the path")
    if path.is_dir():
        raise InputError(f"{name}: is a folder, not a file; pass the files inside it")
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"{name}: unsupported file type {path.suffix or '(none)'!r}; "
                         "use .txt, .md, .html or .htm")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"{name}: {size / 2**20:.0f} MB is more than the {max_bytes / 2**20:.0f} MB limit "
                         "for one document; split it into articles or raise --max-mb")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"{name}: cannot be read ({e.strerror}); check its permissions") from e
    if not data.strip():
        raise InputError(f"{name}: is empty; remove it or add text")
    raw = decode(data, name)
    # Python's text mode (read_text) translates \r\n and \r to \n; do the same.
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if not _RUN.search(raw):                # only whitespace and zero-width characters
        raise InputError(f"{name}: is empty; remove it or add text")
    html_title = ""
    if kind == "html":
        text, offsets, html_title = _clean_html(raw)
    else:
        text, offsets = clean(raw, kind)
    lines = text.split("\n")
    return Document(source=path.name, raw=raw, text=text, offsets=offsets,
                    sha256=hashlib.sha256(data).hexdigest(),
                    title=html_title or guess_title(lines), date=guess_date(lines))


def decode(data: bytes, name: str) -> str:
    """Decode file bytes (UTF-8, UTF-16, GB18030/GBK, else best guess); raise InputError if binary."""
    binary = InputError(f"{name}: looks binary, not text; convert it to UTF-8 text first")
    if data.startswith(codecs.BOM_UTF8):
        # Keep U+FEFF: read_text(encoding="utf-8") keeps it too, so offsets stay aligned.
        text = _strict(data, "utf-8")
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        text = _strict(data, "utf-32")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _strict(data, "utf-16")   # the codec removes the BOM
    elif data.startswith(_MAGIC):
        raise binary
    elif b"\x00" in data:
        text = _utf16_without_bom(data)
    else:
        # Strict UTF-8 first: charset guessers misread short Chinese texts.
        text = _strict(data, "utf-8") or _utf8_cut_short(data, name)
        if text is None:
            text = _strict(data, "gb18030")
        if text is None:
            import charset_normalizer
            best = charset_normalizer.from_bytes(data).best()
            text = str(best) if best is not None else None
            if text is not None:
                log.info("%s: decoded as %s (guessed)", name, best.encoding)
    if text is None or _looks_binary(text):
        raise binary
    return text


def _utf8_cut_short(data: bytes, name: str) -> str | None:
    """UTF-8 whose last character was cut off (a truncated download): the text before it."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.reason == "unexpected end of data" and len(data) - e.start < 4:
            log.warning("%s: the last character is cut off; reading the text before it", name)
            return data[:e.start].decode("utf-8")
    return None


def _strict(data: bytes, encoding: str) -> str | None:
    """Decode strictly, or None."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _utf16_without_bom(data: bytes) -> str | None:
    """Decode BOM-less UTF-16 (NUL bytes are the tell), choosing the byte order that reads as text."""
    if len(data) % 2:
        return None
    best, best_score = None, 0.0
    for enc in ("utf-16-le", "utf-16-be"):
        text = _strict(data, enc)
        if text:
            score = sum(map(_plausible, text)) / len(text)
            if score > best_score:
                best, best_score = text, score
    return best if best_score >= 0.9 else None


def _plausible(ch: str) -> bool:
    """A character that ordinary Chinese or Western text is made of."""
    o = ord(ch)
    return (32 <= o < 127 or ch in "\t\n\r" or 0x3000 <= o <= 0x303f or 0x3400 <= o <= 0x9fff
            or 0xff00 <= o <= 0xffef or 0x2000 <= o <= 0x206f
            or (o < 0x2000 and unicodedata.category(ch)[0] in "LNPZ"))


def _looks_binary(text: str) -> bool:
    """True when the text has NULs or many control/replacement characters."""
    if "\x00" in text:
        return True
    bad = len(_BAD_CHAR.findall(text))
    return bad > 0.05 * len(text)


# U+FFFD and the control characters (category Cc: U+0000-001F, U+007F-009F) but \t\n\v\f\r
_BAD_CHAR = re.compile("[\ufffd\x00-\x08\x0e-\x1f\x7f-\x9f]")


# --------------------------------------------------------------------------- cleaning

def clean(raw: str, kind: str) -> tuple[str, list[int]]:
    """Return the cleaned text of ``raw`` and its offset map (len(text) + 1 entries into raw)."""
    if kind == "html":
        text, offsets, _ = _clean_html(raw)
        return text, offsets
    return _clean_plain(raw)


@dataclass
class _Line:
    """One non-empty line: its visible runs as raw spans, and where it sits."""

    number: int                    # line number in the source
    runs: list[tuple[int, int]]    # [start, end) raw spans of visible characters
    newline: int                   # raw index of the \n ending the line (or len(raw))
    length: int                    # characters once whitespace runs are one space
    width: float = 0.0             # printed width: half-width characters count 0.5
    block: int = 0                 # index of the run of adjacent non-empty lines

    def content(self, raw: str) -> str:
        """The line as written, without the surrounding whitespace."""
        return raw[self.runs[0][0]:self.runs[-1][1]]


def _clean_plain(raw: str) -> tuple[str, list[int]]:
    """Clean plain text: collapse whitespace, drop zero-width chars, repair column breaks."""
    lines: list[_Line] = []
    pos = 0
    for number, line in enumerate(raw.split("\n")):
        runs = [(pos + m.start(), pos + m.end()) for m in _RUN.finditer(line)]
        if runs:
            spaces = sum(1 for (_, e), (s, _) in zip(runs, runs[1:]) if _SPACE.search(raw, e, s))
            length = sum(e - s for s, e in runs) + spaces
            lines.append(_Line(number, runs, pos + len(line), length,
                               _width(line) if len(line) < 400 else length))
        pos += len(line) + 1
    for prev, cur in zip(lines, lines[1:]):
        cur.block = prev.block + (cur.number != prev.number + 1)
    joins = _joins(raw, lines)

    chars: list[str] = []
    offsets: list[int] = []
    for i, line in enumerate(lines):
        if i:
            prev = lines[i - 1]
            if not joins[i - 1]:
                chars.append("\n")
                offsets.append(prev.newline)
            elif _ALNUM.match(raw[prev.runs[-1][1] - 1]) and _ALNUM.match(raw[line.runs[0][0]]):
                # Latin words broken at a line end were separated by a space.
                chars.append(" ")
                offsets.append(prev.newline)
        for j, (s, e) in enumerate(line.runs):
            space = _SPACE.search(raw, line.runs[j - 1][1], s) if j else None
            if space:                       # a run of whitespace becomes one space
                chars.append(" ")
                offsets.append(space.start())
            chars.append(raw[s:e])
            offsets.extend(range(s, e))
    offsets.append(len(raw))
    return "".join(chars), offsets


def _width(line: str) -> float:
    """Printed width of a line: digits and Latin letters take half a column in Chinese print."""
    s = line.strip()
    # The (few) half-width characters are found with a regex, not by looking up every
    # character (that was a third of reading a document).
    half = len(_narrow_bmp().findall(s)) + sum(
        1 for ch in _ASTRAL.findall(s) if unicodedata.east_asian_width(ch) not in "WFA")
    wide = len(s) - half
    return wide + 0.5 * half if half else wide     # an int when no half-width character, as a sum of 1s


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@lru_cache(maxsize=None)
def _narrow_bmp() -> re.Pattern:
    """One character class of the BMP characters whose East Asian width is not W, F or A."""
    ranges: list[list[int]] = []
    for c in range(0x10000):
        if unicodedata.east_asian_width(chr(c)) not in "WFA":
            if ranges and ranges[-1][1] == c - 1:
                ranges[-1][1] = c
            else:
                ranges.append([c, c])
    return re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]")


def _joins(raw: str, lines: list[_Line]) -> list[bool]:
    """For each non-empty line, whether it continues on the next non-empty line (a column break)."""
    hard = _hard_wrapped(raw, lines)
    width: dict[int, float] = {}
    punct: dict[int, bool] = {}
    for line in lines:
        width[line.block] = max(width.get(line.block, 0), line.width)
        punct[line.block] = punct.get(line.block, False) or bool(
            _CLAUSE_PUNCT.search(line.content(raw)))
    out = []
    for cur, nxt in zip(lines, lines[1:]):
        gap = nxt.number - cur.number - 1
        text, following = cur.content(raw), nxt.content(raw)
        if following[0] in _BULLETS or _ITEM.match(following) or gap > 2:
            out.append(False)
        elif hard:
            full = cur.width >= 0.7 * width[cur.block]
            if gap == 0:
                out.append(full and not _ends(text, _FINAL))
            else:
                # A blank line inside a wrapped paragraph is a page/column break, but a
                # block without clause punctuation is a headline, not body text.
                out.append(full and punct[cur.block] and not _ends(text, _CLAUSE_FINAL)
                           and text[-1] not in _BRACKET_CLOSERS)
        else:
            # One paragraph per line: only a long body line cut off mid-word continues.
            out.append(cur.length >= 40 and bool(_CLAUSE_PUNCT.search(text))
                       and bool(_HAN.match(text[-1])) and bool(_HAN.match(following[0])))
    out.append(False)
    return out


def _ends(text: str, finals: str) -> bool:
    """True when text ends with one of ``finals``, ignoring closing quotes and brackets."""
    stripped = text.rstrip(_CLOSERS)
    return not stripped or stripped[-1] in finals


def _hard_wrapped(raw: str, lines: list[_Line]) -> bool:
    """True when most lines are cut at a fixed width (newspaper columns), not at paragraph ends."""
    long = [line for line in lines if line.width >= 8]
    cut = [cur.width for cur, nxt in zip(lines, lines[1:])
           if cur.width >= 8 and nxt.number == cur.number + 1
           and not _ends(cur.content(raw), _FINAL)]
    if len(cut) < 3 or len(cut) < 0.4 * len(long):
        return False
    median = statistics.median(cut)
    near = sum(1 for n in cut if abs(n - median) <= max(3, 0.2 * median))
    return near >= 0.6 * len(cut)


# --------------------------------------------------------------------------- HTML

_SKIP_TAGS = {"script", "style", "nav", "header", "footer", "aside", "iframe", "noscript",
              "head", "template", "svg", "select", "button"}
_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
               "td", "th", "table", "section", "article", "blockquote", "pre", "dd", "dt",
               "dl", "hr", "figure", "figcaption", "main", "address", "center", "title", "body"}


class _Extractor(HTMLParser):
    """Collect visible text with, for every character, its index in the HTML source."""

    def __init__(self, raw: str):
        super().__init__(convert_charrefs=False)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", raw)]
        self.chars: list[str] = []
        self.offsets: list[int] = []
        self.skip: dict[str, int] = {}
        self.title: list[str] = []
        self.h1: list[str] = []
        self.in_title = self.in_h1 = False
        self.h1_done = False

    def _pos(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _emit(self, text: str, offsets) -> None:
        if text:
            self.chars.append(text)
            self.offsets.extend(offsets)

    def _last(self) -> str:
        return self.chars[-1][-1] if self.chars else ""

    def _break(self) -> None:
        if self.chars and self._last() != "\n":
            self._emit("\n", [self._pos()])

    def handle_starttag(self, tag, attrs):
        if tag == "body":           # an unclosed <head> must not hide the page
            self.skip.pop("head", None)
        if tag in _SKIP_TAGS:
            self.skip[tag] = self.skip.get(tag, 0) + 1
        self.in_title |= tag == "title"
        self.in_h1 |= tag == "h1" and not self.h1_done
        if tag in _BLOCK_TAGS:
            self._break()

    def handle_endtag(self, tag):
        if self.skip.get(tag):
            self.skip[tag] -= 1
        if tag == "title":
            self.in_title = False
        if tag == "h1" and self.in_h1:
            self.in_h1, self.h1_done = False, True
        if tag in _BLOCK_TAGS:
            self._break()

    def _text(self, text: str, start: int, synthesized: bool) -> None:
        if self.in_title:
            self.title.append(text)
        if self.in_h1:
            self.h1.append(text)
        if any(self.skip.values()):
            return
        if synthesized:             # an entity: every character points at its '&'
            self._emit(text, [start] * len(text))
            return
        last = 0
        for m in re.finditer(r"\s+", text):
            self._emit(text[last:m.start()], range(start + last, start + m.start()))
            before, after = self._last(), text[m.end():m.end() + 1]
            # Source line breaks inside Chinese text are not spaces (CSS Text segment breaks).
            if not ("\n" in m.group() and _CJK.match(before or "a") and _CJK.match(after or "a")):
                self._emit(" ", [start + m.start()])
            last = m.end()
        self._emit(text[last:], range(start + last, start + len(text)))

    def handle_data(self, data):
        self._text(data, self._pos(), False)

    def handle_entityref(self, name):
        self._text(html.unescape(f"&{name};"), self._pos(), True)

    def handle_charref(self, name):
        self._text(html.unescape(f"&#{name};"), self._pos(), True)


def _clean_html(raw: str) -> tuple[str, list[int], str]:
    """Extract visible text from HTML, clean it like plain text; also return the page title."""
    parser = _Extractor(raw)
    parser.feed(raw)
    parser.close()
    extracted = "".join(parser.chars)
    text, index = _clean_plain(extracted)
    source = parser.offsets + [len(raw)]
    offsets = [source[i] for i in index[:-1]] + [len(raw)]
    title = " ".join("".join(parser.title).split()) or " ".join("".join(parser.h1).split())
    return text, offsets, title


# --------------------------------------------------------------------------- metadata

_NOT_TITLE = re.compile(r"当前位置|来源[:：]|发布时间|责任编辑|点击|[>»|]")
_DATE = re.compile(r"((?:19|20)\d\d)\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")
_HAN_DATE = re.compile(r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月"
                       r"([一二三四五六七八九十]{1,3})日")
_HAN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}
_DATE_LINE = re.compile(r"发布|时间|日期|来源|印发|发文")


def guess_title(lines: list[str]) -> str:
    """The first line of the first 40 that reads like a headline (not a byline, menu or sentence)."""
    for line in lines[:40]:
        s = line.strip().lstrip("#").strip()
        if (8 <= len(s) <= 80 and s[0] not in _BULLETS and not re.search("[。！？!?]", s)
                and not _NOT_TITLE.search(s) and len(_HAN.findall(s)) >= 4):
            return s
    return ""


def guess_date(lines: list[str]) -> str:
    """The first date on a dateline or signature line, as YYYY-MM-DD; empty if none."""
    for line in lines:
        s = line.strip()
        if len(s) > 60:
            continue
        for m in list(_DATE.finditer(s)) + list(_HAN_DATE.finditer(s)):
            rest = s[:m.start()] + s[m.end():]
            # A date alone on a line (signature) or next to 发布时间/来源 (dateline); dates
            # inside body sentences are events, not the document's date.
            if len(rest.strip()) <= 4 or _DATE_LINE.search(rest):
                y, mo, d = (_han_number(g) if not g.isdigit() else int(g) for g in m.groups())
                if 1 <= mo <= 12 and 1 <= d <= 31:
                    return f"{y:04d}-{mo:02d}-{d:02d}"
    return ""


def _han_number(s: str) -> int:
    """Chinese numerals of a date: 二〇一八 -> 2018, 十二 -> 12, 二十五 -> 25."""
    if len(s) == 4:
        return int("".join(str(_HAN_DIGITS[c]) for c in s))
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_HAN_DIGITS[tens] if tens else 1) * 10 + (_HAN_DIGITS[ones] if ones else 0)
    return _HAN_DIGITS[s]


# --------------------------------------------------------------------------- script

@lru_cache(maxsize=None)
def _t2s():
    import opencc   # OpenCC ships its conversion tables inside the wheel

    return opencc.OpenCC("t2s")


# Cached: each sentence and each whole document is converted by several stages (recognise,
# outline, relate and observe), which cost about 3% of a build before.
@lru_cache(maxsize=8192)
def simplified(text: str) -> str:
    """The text in simplified characters, character for character (same length, same offsets).

    Rules are written in simplified Chinese; texts in traditional characters are matched
    on this view while labels and evidence keep the characters as written.
    """
    if text.isascii():
        return text
    cc = _t2s()
    out = cc.convert(text)
    if len(out) == len(text):
        return out
    # A phrase-level conversion changed the length: fall back to single characters.
    return "".join(c if len(c := cc.convert(ch)) == 1 else ch for ch in text)
