"""Make a large benchmark corpus from the seed corpus: sentences recombined, characters perturbed.

    python bench/make_corpus.py --chars 1000000 --out out/bench/corpus-1x [--seed 7]

Each document is a few runs of consecutive sentences taken from random seed documents (so
policy outlines, 牵头单位 lines and news paragraphs keep their shape), headed by a seed
title. Every sentence gets some of its Chinese characters replaced by characters drawn
from the seed corpus's own character frequencies, and some digits changed, until no
sentence of two or more characters occurs twice in the whole corpus; so no document
repeats either, and the extractor meets new names as it would in years of news. The
output depends only on the seed corpus, --seed and --chars; a larger --chars with the
same seed starts with the same documents.
"""
from __future__ import annotations

import argparse
import hashlib
import logging
import random
import re
import sys
from bisect import bisect
from itertools import accumulate
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
SEED_CORPUS = ROOT / "data" / "corpus"
HAN = re.compile(r"[\u4e00-\u9fff]")
# A unit is a sentence with its terminator (and closing quotes), or a line end.
UNIT = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+[”’\"」』）)】]*|\n)|[^。！？!?\n]+$")
MIN_BYTES, MAX_BYTES = 5_000, 60_000


class CorpusMaker:
    """Deterministic generator of unique documents from seed texts."""

    def __init__(self, seed_dir: Path = SEED_CORPUS, seed: int = 7):
        self.rng = random.Random(seed)
        self.docs = []
        for f in sorted(Path(seed_dir).glob("*.txt")):
            text = f.read_text(encoding="utf-8").replace("\r\n", "\n")
            units = UNIT.findall(text)
            if units:
                self.docs.append(units)
        if not self.docs:
            raise SystemExit(f"no .txt files in {seed_dir}")
        counts: dict[str, int] = {}
        for units in self.docs:
            for u in units:
                for ch in HAN.findall(u):
                    counts[ch] = counts.get(ch, 0) + 1
        self.chars = sorted(counts)
        self.cum = list(accumulate(counts[c] for c in self.chars))
        self.seen: set[str] = set()

    def _char(self) -> str:
        return self.chars[bisect(self.cum, self.rng.random() * self.cum[-1])]

    def perturb(self, unit: str) -> str:
        """The unit with characters changed until it is new to the corpus."""
        body = unit.strip()
        if len(body) < 2:
            return unit
        chars = list(unit)
        han = [i for i, c in enumerate(chars) if HAN.match(c)]
        digits = [i for i, c in enumerate(chars) if c.isdigit() and c.isascii()]
        n = 1 + len(han) // 40
        for _ in range(100):
            for i in self.rng.sample(han, min(n, len(han))):
                chars[i] = self._char()
            for i in digits:
                if self.rng.random() < 0.3:
                    chars[i] = str(self.rng.randrange(10))
            out = "".join(chars)
            if out.strip() not in self.seen:
                self.seen.add(out.strip())
                return out
            n += 1
            if n > len(han):                # a short sentence has run out of variants: grow it
                chars.insert(self.rng.randrange(max(1, len(chars) - 1)), self._char())
                han = [i for i, c in enumerate(chars) if HAN.match(c)]
        raise RuntimeError(f"could not make a new sentence from {unit!r}")

    def document(self) -> str:
        """One new document of 5-60 KB."""
        target = int(MIN_BYTES * (MAX_BYTES / MIN_BYTES) ** self.rng.random())
        first = self.rng.choice(self.docs)
        parts = [self.perturb(first[0]), "\n" if not first[0].endswith("\n") else ""]
        size = sum(len(p.encode()) for p in parts)
        while size < target:
            units = self.rng.choice(self.docs)
            a = self.rng.randrange(len(units))
            run = units[a: a + self.rng.randint(3, 40)]
            for u in run:
                p = self.perturb(u) if u != "\n" else u
                parts.append(p)
                size += len(p.encode())
                if size >= target:
                    break
            parts.append("\n")
        return "".join(parts).strip() + "\n"


def make_corpus(out: Path, chars: int, seed: int = 7, seed_dir: Path = SEED_CORPUS) -> list[Path]:
    """Write documents into out until they hold at least `chars` characters; returns the files."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    maker = CorpusMaker(seed_dir, seed)
    files, total, i = [], 0, 0
    while total < chars:
        text = maker.document()
        f = out / f"{i:06d}_{hashlib.sha256(text.encode()).hexdigest()[:12]}.txt"
        f.write_text(text, encoding="utf-8")
        files.append(f)
        total += len(text)
        i += 1
    log.info("%s: %d documents, %d characters", out, len(files), total)
    return files


def change_documents(files: list[Path], share: float, seed: int = 11) -> list[Path]:
    """Append one new sentence to a share of the files (at least one); returns those changed."""
    rng = random.Random(seed)
    picked = sorted(rng.sample(files, max(1, round(len(files) * share))))
    for k, f in enumerate(picked):
        with open(f, "a", encoding="utf-8") as fh:
            fh.write(f"\n第{k + 1}次修订：本文补充说明于{2000 + rng.randrange(25)}年{rng.randrange(1, 13)}月发布。\n")
    return picked


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, type=Path, help="folder for the documents (created)")
    p.add_argument("--chars", type=int, default=1_000_000, help="at least this many characters (default 1M)")
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args(argv)
    files = make_corpus(a.out, a.chars, a.seed)
    total = sum(len(f.read_text(encoding="utf-8")) for f in files)
    print(f"{a.out}: {len(files)} documents, {total} characters", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
