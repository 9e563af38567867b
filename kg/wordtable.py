"""jieba's word table (frequencies and part-of-speech tags) in a memory-mapped hash file.

Loading jieba's prefix dictionary and word tags as Python dicts takes about half a second
per process (850K and 350K entries), which a rebuild of one document paid in full. This
file answers the same lookups from the page cache without loading anything: a lookup costs
about a microsecond instead of a dict's tens of nanoseconds, so it serves small jobs and
the dicts serve large ones (see ``Segmenter``).

Layout, in the machine's byte order (the file is a local cache, never shared):
``MAGIC``, the slot count (a power of two), the entry count, jieba's frequency total and
the offset and length of a marshal blob (the HMM tables); then the slots, each the offset
of an entry or 0 for an empty slot; then the entries: the key's length in UTF-8 bytes (one
byte), the key, its frequency plus one (0: not in the frequency table), the tag's length
(one byte; 0: no tag) and the tag. Keys are probed linearly from their CRC-32.
"""
from __future__ import annotations

import marshal
import mmap
import struct
import sys
from array import array
from zlib import crc32

MAGIC = b"KGWORDS1" + sys.byteorder[0].encode()       # b"...l" or b"...b": never read across orders
_HEAD = struct.Struct("=9sIIQQQ")                       # magic, slots, entries, total, blob offset, blob length
_U32 = struct.Struct("=I")
MISSING = object()


class WordTable:
    """A read-only word table file; ``freq`` and ``tags`` are the mappings jieba's code reads."""

    def __init__(self, path):
        with open(path, "rb") as fh:
            self._mm = mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        if len(mm) < _HEAD.size:
            raise ValueError("truncated word table")
        magic, slots, self.entries, self.total, blob_at, blob_len = _HEAD.unpack_from(mm)
        end = _HEAD.size + 4 * slots
        if magic != MAGIC or slots & (slots - 1) or end > len(mm) or blob_at + blob_len != len(mm):
            raise ValueError("not a word table of this format")
        self._slots = memoryview(mm)[_HEAD.size:end].cast("I")
        self._mask = slots - 1
        self._blob = (blob_at, blob_len)
        self.freq = Frequencies(self.frequency)
        self.tags = Tags(self.tag)

    def extra(self):
        """The marshalled object stored with the table (the HMM tables)."""
        at, n = self._blob
        return marshal.loads(self._mm[at:at + n])

    def _values(self, word: str) -> int:
        """Offset of the word's values (frequency, then tag) in the file; 0 when absent."""
        kb = word.encode("utf-8", "surrogatepass")
        n = len(kb)
        mm, slots, mask = self._mm, self._slots, self._mask
        i = crc32(kb) & mask
        while at := slots[i]:
            if mm[at] == n and mm[at + 1:at + 1 + n] == kb:
                return at + 1 + n
            i = (i + 1) & mask
        return 0

    def frequency(self, word: str):
        """The word's frequency, or ``MISSING``."""
        at = self._values(word)
        f = _U32.unpack_from(self._mm, at)[0] if at else 0
        return f - 1 if f else MISSING

    def tag(self, word: str):
        """The word's tag, or ``MISSING``."""
        at = self._values(word)
        t = self._mm[at + 4] if at else 0
        return self._mm[at + 5:at + 5 + t].decode("ascii") if t else MISSING


class _Overlay:
    """A read-only table with a dict of this process's own additions on top."""

    def __init__(self, lookup):
        self._lookup = lookup
        self.added: dict = {}

    def get(self, word, default=None):
        if self.added:
            v = self.added.get(word, MISSING)
            if v is not MISSING:
                return v
        v = self._lookup(word)
        return default if v is MISSING else v

    def __contains__(self, word) -> bool:
        return self.get(word, MISSING) is not MISSING

    def __getitem__(self, word):
        v = self.get(word, MISSING)
        if v is MISSING:
            raise KeyError(word)
        return v

    def __setitem__(self, word, value) -> None:
        self.added[word] = value

    def update(self, other) -> None:
        self.added.update(other)


class Frequencies(_Overlay):
    """jieba's ``Tokenizer.FREQ``: word (and every word prefix, with 0) -> frequency."""


class Tags(_Overlay):
    """jieba.posseg's word tags: word -> part-of-speech tag."""


def write(fh, freq: dict, total: int, tags: dict, extra) -> None:
    """Write the table of ``freq`` and ``tags`` (and the marshalled ``extra``) to the binary file ``fh``.

    Raises ValueError for what the layout cannot hold (a key over 255 bytes, a frequency
    that is not an int below 2**32 - 1, an empty or non-ASCII tag).
    """
    if not (type(total) is int and 0 <= total < 1 << 64):
        raise ValueError(f"frequency total does not fit: {total!r}")
    words = list(freq) + [w for w in tags if w not in freq]
    slots = 1 << max(4, (2 * len(words) - 1).bit_length())     # at most half full
    table = array("I", bytes(4 * slots))
    if table.itemsize != 4:
        raise ValueError("this platform's unsigned int is not 4 bytes")
    parts: list[bytes] = []
    at = _HEAD.size + 4 * slots
    mask = slots - 1
    for w in words:
        kb = w.encode("utf-8", "surrogatepass")
        f = freq.get(w)
        if f is not None and not (type(f) is int and 0 <= f < 0xFFFFFFFF):
            raise ValueError(f"frequency of {w!r} does not fit: {f!r}")
        t = tags.get(w)
        tb = b"" if t is None else t.encode("ascii")
        if len(kb) > 255 or (t is not None and not 0 < len(tb) < 256):
            raise ValueError(f"entry {w!r} does not fit the layout")
        i = crc32(kb) & mask
        while table[i]:
            i = (i + 1) & mask
        table[i] = at
        entry = b"%c%s%s%c%s" % (len(kb), kb, _U32.pack(0 if f is None else f + 1), len(tb), tb)
        parts.append(entry)
        at += len(entry)
    blob = marshal.dumps(extra)
    if at >= 1 << 32:
        raise ValueError("word table too large")
    fh.write(_HEAD.pack(MAGIC, slots, len(words), total, at, len(blob)))
    fh.write(table.tobytes())
    fh.write(b"".join(parts))
    fh.write(blob)
