"""China's administrative divisions from cpca's gazetteer: provinces, cities and counties with their codes.

Read from the data files inside the cpca wheel (cpca itself is not imported) and built once.
The recogniser finds Place mentions with it; resolution and observations ask it which
division a surface names and which names are province-level.
"""
from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType


# --------------------------------------------------------------------------- gazetteer

@dataclass(frozen=True)
class Place:
    """An administrative division from cpca's gazetteer."""

    name: str       # full name, e.g. 赣州市
    code: str       # six-digit administrative code, e.g. 360700
    level: int      # 0 province, 1 city, 2 county

    def within(self, other: "Place") -> bool:
        """True when self lies inside other (by code prefix)."""
        n = (other.level + 1) * 2
        return self.level > other.level and self.code[:n] == other.code[:n]


@dataclass(frozen=True)
class Gazetteer:
    full: dict       # full name -> tuple[Place]
    short: dict      # province/city name without 省/市/自治区 -> tuple[Place]
    county: dict     # county name without 县/区/市 (only used in context) -> tuple[Place]
    maxlen: int


def _cpca_file(name: str) -> Path:
    """A data file shipped inside the cpca wheel (found without importing cpca)."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca package is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / name


@lru_cache(maxsize=None)
def gazetteer() -> Gazetteer:
    """Provinces, cities and counties of China from cpca's adcodes.csv."""
    nations = sorted((ln.strip() for ln in _cpca_file("56_nations.csv").read_text(encoding="utf-8").splitlines()
                      if ln.strip()), key=len, reverse=True)
    full: dict[str, list[Place]] = {}
    short: dict[str, list[Place]] = {}
    county: dict[str, list[Place]] = {}
    with _cpca_file("adcodes.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name, code = row["name"].strip(), row["adcode"][:6]
            if not name or "直辖" in name or name in ("市辖区", "县"):
                continue
            level = 0 if code.endswith("0000") else 1 if code.endswith("00") else 2
            if level == 2 and len(name) == 2 and name[-1] == "区":
                continue        # 城区, 郊区, 矿区: words, not names
            p = Place(name, code, level)
            full.setdefault(name, []).append(p)
            stem = _strip_division(name, level, nations)
            if stem and stem != name and len(stem) >= 2:
                (county if level == 2 else short).setdefault(stem, []).append(p)
    def freeze(d):
        return MappingProxyType({k: tuple(sorted(v, key=lambda p: (p.level, p.code))) for k, v in d.items()})
    full_f, short_f, county_f = freeze(full), freeze(short), freeze(county)
    maxlen = max(len(k) for d in (full_f, short_f, county_f) for k in d)
    return Gazetteer(full_f, short_f, county_f, maxlen)


def _strip_division(name: str, level: int, nations: list[str]) -> str:
    """江西省 -> 江西, 广西壮族自治区 -> 广西, 延边朝鲜族自治州 -> 延边, 涟水县 -> 涟水."""
    for suffix in ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "省", "市", "盟", "县", "区", "旗"):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            if suffix.startswith("自治"):
                changed = True
                while changed:
                    changed = False
                    for nat in nations:
                        if stem.endswith(nat) and len(stem) > len(nat):
                            stem, changed = stem[: -len(nat)], True
                        elif nat.endswith("族") and stem.endswith(nat[:-1]) and len(stem) > len(nat):
                            stem, changed = stem[: -len(nat) + 1], True
            return stem
    return name


def place_of(surface: str) -> tuple[Place, ...]:
    """Gazetteer entries a surface may name (full names first, then short forms)."""
    g = gazetteer()
    return g.full.get(surface) or g.short.get(surface) or g.county.get(surface) or ()


def province_names() -> frozenset[str]:
    """Province-level names, full and short (江西省, 江西)."""
    g = gazetteer()
    return frozenset([k for k, v in g.full.items() if any(p.level == 0 for p in v)]
                     + [k for k, v in g.short.items() if any(p.level == 0 for p in v)])
