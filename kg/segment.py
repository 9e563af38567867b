"""Split a document into sentences, and cut Chinese text into words with jieba."""
from __future__ import annotations

import logging
import marshal
import math
import pathlib
import re
from typing import Iterable

from .model import Document, Sentence

log = logging.getLogger(__name__)

DOMAIN_DICT = pathlib.Path(__file__).parent / "resources" / "jieba_domain.txt"

# A sentence ends at a line break, at 。！？!? or an ellipsis, together with any
# closing quotes or brackets that follow the terminator.
_END = re.compile(r"\n|(?:[。！？!?]+|…{2,}|\.{6,})[”’\"'」』）)】\]]*")
MAX_SENTENCE = 500          # hard cap for text without terminators (tables, runaway lines)
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?")
_SOFT_BREAKS = "，,；;、：: \t"


def split_sentences(doc: Document) -> list[Sentence]:
    """Cut doc.text into sentences with their spans in doc.text and doc.raw."""
    text, offsets = doc.text, doc.offsets
    out: list[Sentence] = []
    start = 0
    for m in _END.finditer(text + "\n"):
        for a, b in _capped(text, start, min(m.end(), len(text))):
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if a < b:
                out.append(Sentence(len(out), text[a:b], offsets[a], _raw_end(doc, b), a, b))
        start = m.end()
    return out


def _capped(text: str, a: int, b: int) -> Iterable[tuple[int, int]]:
    """Split [a, b) into pieces of at most MAX_SENTENCE chars, preferring a comma or space."""
    while b - a > MAX_SENTENCE:
        hi = a + MAX_SENTENCE
        cut = max(text.rfind(c, a + MAX_SENTENCE // 2, hi) for c in _SOFT_BREAKS)
        cut = cut + 1 if cut >= 0 else hi
        yield a, cut
        a = cut
    yield a, b


def _raw_end(doc: Document, clean_end: int) -> int:
    """Raw offset just after the character text[clean_end - 1] came from."""
    pos = doc.offsets[clean_end - 1]
    if doc.source.lower().endswith((".html", ".htm")):
        # In HTML the character may come from an entity: end after the whole entity.
        m = _ENTITY.match(doc.raw, pos)
        if m:
            return m.end()
    return pos + 1


class Segmenter:
    """A private jieba tokenizer with the domain dictionary, loaded on first use.

    ``posseg`` gives exactly what ``jieba.posseg.POSTokenizer(tokenizer).cut`` gives, from
    jieba's own dictionary, word tags and HMM tables; only the HMM search is vectorised
    (see ``PosHMM``) and results are memoised per text block, because the pure-Python
    search dominated extraction.
    """

    def __init__(self, userdict: pathlib.Path | None = DOMAIN_DICT, cache_size: int = 200_000,
                 table_cache: pathlib.Path | None | bool = True, lazy_chars: int | None = None):
        self._userdict = userdict
        # True: the default cache folder (see cache_dir); a path: that folder; False/None: none
        self._table_cache = cache_dir() if table_cache is True else (table_cache or None)
        # characters segmented from the memory-mapped word table before the dicts are loaded
        self._lazy_chars = LAZY_CHARS if lazy_chars is None else lazy_chars
        self._words = None            # the WordTable while it serves lookups
        self._key: str | None = None  # of the cache files (see _tables_key)
        self._tokenizer = None
        self._ready = False
        self._tags: dict[str, str] | None = None
        self._hmm: PosHMM | None = None
        self._hmm_tables: tuple | None = None
        self._cache_size = cache_size
        self._blocks: dict[str, list[tuple[str, str]]] = {}   # text block -> tagged words
        self._details: dict[str, list[tuple[str, str]]] = {}  # unknown run -> HMM words

    def _init(self) -> None:
        """Make the tokenizer with jieba's tables and the domain words, once.

        A segmenter with ``lazy_chars`` left reads them from the word table file (see
        kg.wordtable) when there is one, and loads them as dicts only once it has segmented
        that many characters: the dicts take about half a second to load, which a small job
        (a rebuild of a few documents) does not win back.
        """
        if self._ready:
            return
        jieba = _import_jieba()
        self._tokenizer = tok = jieba.Tokenizer()
        if self._table_cache is not None and self._lazy_chars > 0:
            words = _open_words(self._cache_file("words", ".bin"))
            if words is not None:
                tok.FREQ, tok.total, tok.initialized = words.freq, words.total, True
                self._tags, self._hmm_tables = words.tags, words.extra()
                self._words = words
                self._ready = True
                return
        self._load_dicts()
        self._ready = True

    def _cache_file(self, kind: str, suffix: str) -> pathlib.Path:
        if self._key is None:        # hashes jieba's dictionary files: once per segmenter
            self._key = _tables_key(self._userdict)
        return pathlib.Path(self._table_cache) / f"jieba-{kind}-{self._key}{suffix}"

    def _load_dicts(self) -> None:
        """jieba's tables as dicts: from the marshal cache when valid, else built the jieba way.

        Additions made through the word table so far carry over, and so does the total.
        """
        tok, words = self._tokenizer, self._words
        total = tok.total if words is not None else None
        if self._table_cache is None:
            tables = None
        else:
            path = self._cache_file("tables", ".marshal")
            tables = _read_tables(path)
        if tables is not None:
            tok.FREQ, tok.total, user_tags, self._tags, self._hmm_tables = tables
            tok.user_word_tag_tab = dict(user_tags)   # as load_userdict leaves it
            tok.initialized = True
        else:
            tok.initialized = False
            tok.initialize()
            if self._userdict is not None and pathlib.Path(self._userdict).is_file():
                tok.load_userdict(str(self._userdict))
            if self._table_cache is not None:
                tags, hmm = _word_tags(tok.get_dict_file()), _hmm_tables()
                tables = (tok.FREQ, tok.total, tok.user_word_tag_tab, tags, hmm)
                _write_cache(path, lambda fh: fh.write(marshal.dumps(tables)))
                self._tags, self._hmm_tables = tags, hmm
        if words is not None:
            # the word table's tags include the domain words' tags; so must the dicts
            self._tags.update(tok.user_word_tag_tab)
            tok.user_word_tag_tab = {}
            tok.FREQ.update(words.freq.added)
            self._tags.update(words.tags.added)
            tok.total = total
            self._words = None
        elif self._table_cache is not None and self._lazy_chars > 0:
            self._write_words()

    def _write_words(self) -> None:
        """The word table file for the next small job (about a second, once per dictionary)."""
        from . import wordtable

        tok = self._tokenizer
        tags = dict(self._tags)
        tags.update(tok.user_word_tag_tab)        # as posseg merges them on first use
        path = self._cache_file("words", ".bin")
        try:
            _write_cache(path, lambda fh: wordtable.write(fh, tok.FREQ, tok.total, tags, self._hmm_tables))
        except ValueError as e:          # a dictionary the layout cannot hold: the dicts serve every job
            log.debug("no word table for this dictionary (%s)", e)

    def add_words(self, words: Iterable[str]) -> None:
        """Teach the tokenizer extra words (e.g. names found by other rules)."""
        self._init()
        for word in words:
            word = "".join(word.split())
            if word:
                self._tokenizer.add_word(word)
        self._blocks.clear()               # cuts made with the old dictionary no longer hold
        self._details.clear()

    def cut(self, text: str) -> list[str]:
        """Words of text, in order."""
        self._init()
        self._count(text)
        return self._tokenizer.lcut(text)

    def _count(self, text: str) -> None:
        """Load the dicts once the word table has served ``lazy_chars`` characters."""
        if self._words is not None:
            self._lazy_chars -= len(text)
            if self._lazy_chars < 0:
                self._load_dicts()

    def posseg(self, text: str) -> list[tuple[str, str]]:
        """Words of text with their jieba part-of-speech tags (as jieba.posseg cuts them)."""
        self._init()
        self._count(text)
        if self._tags is None:
            self._tags = _word_tags(self._tokenizer.get_dict_file())
        if self._hmm is None:
            self._hmm = PosHMM(self._hmm_tables)
        if self._tokenizer.user_word_tag_tab:    # as POSTokenizer.makesure_userdict_loaded
            self._tags.update(self._tokenizer.user_word_tag_tab)
            self._tokenizer.user_word_tag_tab = {}
        out: list[tuple[str, str]] = []
        for blk in _RE_HAN_INTERNAL.split(text):
            if _RE_HAN_INTERNAL.match(blk):
                words = self._blocks.get(blk)
                if words is None:
                    words = self._cut_dag(blk)
                    if len(self._blocks) >= self._cache_size:
                        self._blocks.clear()
                    self._blocks[blk] = words
                out += words
            else:
                for x in _RE_SKIP_INTERNAL.split(blk):
                    if _RE_SKIP_INTERNAL.match(x):
                        out.append((x, "x"))
                    else:
                        for xx in x:
                            if _RE_NUM.match(xx):
                                out.append((xx, "m"))
                            elif _RE_ENG.match(x):       # sic: jieba tests the whole piece here
                                out.append((xx, "eng"))
                            else:
                                out.append((xx, "x"))
        return out

    def _cut_dag(self, sentence: str) -> list[tuple[str, str]]:
        """POSTokenizer.__cut_DAG: dictionary route, unknown runs through the HMM."""
        tags = self._tags
        nxt = self._route(sentence)
        out: list[tuple[str, str]] = []
        x, buf, n = 0, "", len(sentence)
        while x < n:
            y = nxt[x] + 1
            word = sentence[x:y]
            if y - x == 1:
                buf += word
            else:
                if buf:
                    self._flush(buf, out)
                    buf = ""
                out.append((word, tags.get(word, "x")))
            x = y
        if buf:
            self._flush(buf, out)
        return out

    def _route(self, sentence: str) -> list[int]:
        """End of the best word at each position: Tokenizer.get_DAG and calc in one pass.

        The same sums in the same order as jieba's, and among equal scores the later end
        wins as in jieba's max over (score, end) tuples.
        """
        tok = self._tokenizer
        get, logtotal = tok.FREQ.get, math.log(tok.total)
        n = len(sentence)
        score = [0.0] * (n + 1)
        nxt = [0] * (n + 1)
        for k in range(n - 1, -1, -1):
            best, end = None, k
            i, frag = k, sentence[k]
            # one get() per prefix, as jieba's `in` then [] (the word table's lookups cost more)
            while i < n and (f := get(frag)) is not None:
                if f:
                    cand = math.log(f) - logtotal + score[i + 1]
                    if best is None or cand >= best:
                        best, end = cand, i
                i += 1
                frag = sentence[k:i + 1]
            if best is None:           # no word starts here: the character alone, frequency 1
                best = math.log(get(sentence[k]) or 1) - logtotal + score[k + 1]
            score[k], nxt[k] = best, end
        return nxt

    def _flush(self, buf: str, out: list) -> None:
        tags = self._tags
        if len(buf) == 1:
            out.append((buf, tags.get(buf, "x")))
        elif not self._tokenizer.FREQ.get(buf):
            words = self._details.get(buf)
            if words is None:
                words = self._cut_detail(buf)
                if len(self._details) >= self._cache_size:
                    self._details.clear()
                self._details[buf] = words
            out += words
        else:
            out += [(ch, tags.get(ch, "x")) for ch in buf]

    def _cut_detail(self, sentence: str) -> list[tuple[str, str]]:
        """POSTokenizer.__cut_detail: Han runs through the HMM, numbers and letters tagged."""
        out: list[tuple[str, str]] = []
        for blk in _RE_HAN_DETAIL.split(sentence):
            if _RE_HAN_DETAIL.match(blk):
                out += self._hmm.cut(blk)
            else:
                for x in _RE_SKIP_DETAIL.split(blk):
                    if x:
                        out.append((x, "m" if _RE_NUM.match(x) else "eng" if _RE_ENG.match(x) else "x"))
        return out


# jieba.posseg's patterns, verbatim (the cut must match it character for character).
_RE_HAN_DETAIL = re.compile("([\u4E00-\u9FD5]+)")
_RE_SKIP_DETAIL = re.compile("([\\.0-9]+|[a-zA-Z0-9]+)")
_RE_HAN_INTERNAL = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._]+)")
_RE_SKIP_INTERNAL = re.compile("(\r\n|\\s)")
_RE_ENG = re.compile("[a-zA-Z0-9]+")
_RE_NUM = re.compile("[\\.0-9]+")


def _word_tags(f) -> dict[str, str]:
    """Word -> tag from a jieba dictionary file (as POSTokenizer.load_word_tag reads it)."""
    with f:
        data = f.read()
    tags: dict[str, str] = {}
    for lineno, line in enumerate(data.split(b"\n"), 1):
        line = line.strip().decode("utf-8")
        if not line:
            continue
        try:
            word, _, tag = line.split(" ")
        except ValueError:
            raise ValueError(f"invalid POS dictionary entry at line {lineno}: {line}") from None
        tags[word] = tag
    return tags


_HMM_FILES = ("prob_trans.p", "prob_start.p", "prob_emit.p", "char_state_tab.p")   # in jieba/posseg


def _hmm_tables() -> tuple:
    """jieba.posseg's (trans, start, emit, char_state) tables from the pickles in the wheel.

    Read without importing jieba.posseg, whose import builds a global tagger we never use.
    """
    import pickle

    here = pathlib.Path(_import_jieba().__file__).parent / "posseg"
    out = []
    for name in _HMM_FILES:
        with open(here / name, "rb") as fh:
            out.append(pickle.load(fh))
    return tuple(out)


def _import_jieba():
    """jieba, imported without pkg_resources.

    jieba._compat imports setuptools' pkg_resources only to open its own bundled files
    (about 0.15 s per process); when that import fails it opens them by path, the same files.
    """
    import sys

    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba
        return jieba
    sys.modules["pkg_resources"] = None      # makes `import pkg_resources` raise ImportError
    try:
        import jieba
    finally:
        if sys.modules.get("pkg_resources", 0) is None:
            del sys.modules["pkg_resources"]
    return jieba


# --------------------------------------------------------------------------- table cache

TABLES_FORMAT = 1
TABLES_KEPT = 3
# Characters a segmenter cuts from the word table before it loads the dicts: the word table
# costs about 5 us more per character, the dicts about half a second to load.
LAZY_CHARS = 100_000


def cache_dir() -> pathlib.Path:
    """Where derived tables are cached: $KG_CACHE_DIR, else $XDG_CACHE_HOME/reform-kg (~/.cache)."""
    import os

    if os.environ.get("KG_CACHE_DIR"):
        return pathlib.Path(os.environ["KG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return pathlib.Path(base) / "reform-kg"


def _tables_key(userdict: pathlib.Path | None) -> str:
    """Hash of everything the cached tables are derived from: a change to any makes a new file."""
    import hashlib

    jieba = _import_jieba()
    here = pathlib.Path(jieba.__file__).parent
    h = hashlib.sha256(f"{TABLES_FORMAT}\0{jieba.__version__}\0".encode())
    files = [here / "dict.txt"] + [here / "posseg" / n for n in _HMM_FILES]
    if userdict is not None and pathlib.Path(userdict).is_file():
        files.append(pathlib.Path(userdict))
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:20]


def _read_tables(path: pathlib.Path) -> tuple | None:
    """The cached tables, or None when missing or unreadable (they are then rebuilt)."""
    try:
        data = marshal.loads(path.read_bytes())      # loads(bytes): load(file) reads in small pieces
        freq, total, user_tags, tags, hmm = data
        if not (isinstance(freq, dict) and isinstance(tags, dict) and len(hmm) == 4):
            raise ValueError("unexpected layout")
        return freq, total, user_tags, tags, hmm
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, TypeError) as e:
        log.debug("ignoring the table cache %s (%s); rebuilding it", path, e)
        return None


def _open_words(path: pathlib.Path):
    """The word table file, or None when missing or unreadable (the dicts are loaded instead)."""
    from .wordtable import WordTable

    try:
        return WordTable(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, TypeError) as e:
        log.debug("ignoring the word table %s (%s)", path, e)
        return None


def _write_cache(path: pathlib.Path, fill) -> None:
    """Write a cache file atomically with ``fill(file)``; one that cannot be written is only a slower next start.

    Files of older dictionaries (18 MB each) are deleted, all but the newest few of their
    kind: a machine may run a segmenter without the domain words too, or two versions of
    the package.
    """
    import os
    import tempfile

    kind = path.name.split("-")[1]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{kind}-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fill(fh)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        kept = sorted(path.parent.glob(f"jieba-{kind}-*{path.suffix}"), key=lambda f: f.stat().st_mtime, reverse=True)
        for old in kept[TABLES_KEPT:]:
            old.unlink(missing_ok=True)
    except OSError as e:
        log.debug("cannot write the cache file %s (%s)", path, e)


MIN_FLOAT = -3.14e100      # jieba's floor for unseen emissions


class PosHMM:
    """jieba.posseg's HMM over (B/M/E/S, tag) states with its Viterbi search done on arrays.

    jieba compares ``(probability, previous state)`` tuples, so among equal probabilities
    the greatest state wins; states are numbered in tuple order and every argmax takes
    the last maximum, and each sum is added in jieba's order, so the path is the same.
    """

    def __init__(self, tables: tuple | None = None):
        import numpy as np

        self.np = np
        trans_p, start_p, self.emit_p, self.char_states = tables or _hmm_tables()
        self.states = sorted(trans_p)
        self.index = {s: i for i, s in enumerate(self.states)}
        n = len(self.states)
        self.trans = np.full((n, n), -np.inf)
        for s, row in trans_p.items():
            for t, p in row.items():
                self.trans[self.index[s], self.index[t]] = p
        self.follows = np.isfinite(self.trans)
        self.has_next = self.follows.any(axis=1)
        self.start = np.array([start_p.get(s, np.nan) for s in self.states])
        self.start_missing = bool(np.isnan(self.start).any())
        self.all = np.ones(n, dtype=bool)
        self._emit: dict[str, object] = {}
        self._mask: dict[str, object] = {}

    def _emission(self, ch: str):
        e = self._emit.get(ch)
        if e is None:
            e = self._emit[ch] = self.np.array([self.emit_p[s].get(ch, MIN_FLOAT) for s in self.states])
        return e

    def _allowed(self, ch: str):
        """(mask, sorted indices) of the states jieba lets a character take."""
        m = self._mask.get(ch)
        if m is None:
            states = self.char_states.get(ch)
            if states is None:
                mask = self.all
            else:
                mask = self.np.zeros(len(self.states), dtype=bool)
                mask[[self.index[s] for s in states]] = True
            m = self._mask[ch] = (mask, mask.nonzero()[0])
        return m

    def viterbi(self, obs: str) -> list[tuple[str, str]]:
        """The most probable state of each character (jieba.posseg.viterbi's route)."""
        np, trans, follows, has_next = self.np, self.trans, self.follows, self.has_next
        cols = self._allowed(obs[0])[1]                  # states of step t, ascending
        v = self.start[cols] + self._emission(obs[0])[cols]   # their probabilities
        if self.start_missing and np.isnan(v).any():
            raise KeyError(obs[0])         # jieba fails the same way: a state without a start
        back = []
        for ch in obs[1:]:
            keep = has_next[cols]
            prev, pv = cols[keep], v[keep]
            if not len(prev):
                raise ValueError(f"no state can follow {ch!r}")   # jieba's max() of nothing
            expect = follows[prev].any(axis=0)
            cur = self._allowed(ch)[0] & expect
            if not cur.any():
                cur = expect if expect.any() else self.all
            nxt = cur.nonzero()[0]
            m = (pv[:, None] + trans[prev[:, None], nxt]) + self._emission(ch)[nxt]
            best = (len(prev) - 1) - m[::-1].argmax(axis=0)   # the last (greatest) of equal maxima
            v = m.max(axis=0)
            ptr = np.empty(len(self.states), dtype=np.intp)
            ptr[nxt] = prev[best]
            back.append(ptr)
            cols = nxt
        state = int(cols[(len(cols) - 1) - v[::-1].argmax()])
        route = [state]
        for ptr in reversed(back):
            state = int(ptr[state])
            route.append(state)
        route.reverse()
        return [self.states[i] for i in route]

    def cut(self, sentence: str) -> list[tuple[str, str]]:
        """POSTokenizer.__cut: words and tags of a run of Han characters."""
        pos_list = self.viterbi(sentence)
        out: list[tuple[str, str]] = []
        begin, nexti = 0, 0
        for i, char in enumerate(sentence):
            pos = pos_list[i][0]
            if pos == "B":
                begin = i
            elif pos == "E":
                out.append((sentence[begin:i + 1], pos_list[i][1]))
                nexti = i + 1
            elif pos == "S":
                out.append((char, pos_list[i][1]))
                nexti = i + 1
        if nexti < len(sentence):
            out.append((sentence[nexti:], pos_list[nexti][1]))
        return out
