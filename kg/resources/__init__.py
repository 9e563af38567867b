"""Rule data of the extractor: one item per line, `#` starts a comment."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_HERE = Path(__file__).parent


def _rows(name: str):
    for line in (_HERE / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            yield line


@lru_cache(maxsize=None)
def load_list(name: str) -> list[str]:
    """The items of resource file ``name`` (comments and blank lines dropped)."""
    return list(_rows(name))


@lru_cache(maxsize=None)
def load_table(name: str) -> list[list[str]]:
    """The rows of a tab-separated resource file, each a list of stripped cells."""
    return [[c.strip() for c in row.split("\t")] for row in _rows(name)]
