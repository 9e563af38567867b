"""Resolve mentions from all documents into entities (one per real-world thing).

Every mention gets one or more *keys* — normalised forms of its name that stay the same
across the ways a name is written — and mentions of one class that share a key are one
entity (union-find, so 湘政办发〔2019〕5号 joins the titles it follows). Keys per class:

* Place: the administrative code (湖南 = 湖南省 = 430000); named regions by canonical name.
* Zone: place prefixes dropped while a name remains, the type ending expanded
  (湖南长沙经开区 = 长沙经济技术开发区 = 赣州|经济技术开发区).
* Agency: 省… completed with the document's province, department abbreviations expanded
  (省发改委 = 湖南省发展和改革委员会, 省政府 = 湖南省人民政府).
* Company: legal form, bracketed place and leading place dropped (远航科技(长沙)股份有限公司
  = 远航科技); a short name that starts exactly one legal name joins it (远航).
* Policy: title without book-title marks, issuer, province and year range; document number.
* Measure: without quotes, scope words (开发区, 全省) and variant endings (改革试点 = 改革).
* Industry: synonyms (节能与新能源汽车 = 新能源汽车), without 产业/产业链.

Resolution is deterministic and independent of document order: all groups, labels and
indexes are built from sorted data.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from .model import Entity, Extraction, Mention

log = logging.getLogger(__name__)

_DROP = set("“”‘’\"'「」『』《》〈〉【】 \t\n\u3000")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "〔": "[", "〕": "]", "［": "[", "］": "]",
                           "—": "-", "–": "-", "－": "-", "~": "-"})


@lru_cache(maxsize=1 << 16)
def normkey(text: str) -> str:
    """Comparison key: NFKC, no whitespace or quote/title marks (as the evaluator compares), in
    simplified characters (長沙經開區 and 长沙经开区 are one name)."""
    from .normalise import simplified

    text = unicodedata.normalize("NFKC", text)
    return simplified("".join(ch for ch in text if ch not in _DROP).lower())


def _norm(text: str) -> str:
    """normkey with one kind of bracket and dash."""
    return normkey(text).translate(_BRACKETS)


# --------------------------------------------------------------------------- resources

@lru_cache(maxsize=None)
def _table(name: str) -> tuple[tuple[str, ...], ...]:
    from .resources import load_table
    return tuple(tuple(r) for r in load_table(name))


@lru_cache(maxsize=None)
def _list(name: str) -> tuple[str, ...]:
    from .resources import load_list
    return tuple(sorted(set(load_list(name)), key=lambda w: (-len(w), w)))


@lru_cache(maxsize=None)
def _zone_types() -> tuple[tuple[str, str], ...]:
    """Zone type endings -> canonical type, longest first (table plus the recogniser's list)."""
    rows = {r[0]: r[1] for r in _table("resolve_zone_types.txt")}
    for w in _list("recognise_zone_suffixes.txt"):
        rows.setdefault(w, w)
    return tuple(sorted(rows.items(), key=lambda kv: (-len(kv[0]), kv[0])))


@lru_cache(maxsize=None)
def _stems() -> tuple[tuple[str, str], ...]:
    rows = {r[0]: (r[1] if len(r) > 1 else r[0]) for r in _table("resolve_agency_stems.txt")}
    return tuple(sorted(rows.items(), key=lambda kv: (-len(kv[0]), kv[0])))


@lru_cache(maxsize=None)
def _suffixes() -> tuple[tuple[str, str], ...]:
    rows = {r[0]: (r[1] if len(r) > 1 else r[0]) for r in _table("resolve_agency_suffixes.txt")}
    return tuple(sorted(rows.items(), key=lambda kv: (-len(kv[0]), kv[0])))


@lru_cache(maxsize=None)
def _dept_re() -> re.Pattern:
    stems = "|".join(re.escape(s) for s, _ in _stems())
    sufs = "|".join(re.escape(s) for s, _ in _suffixes())
    return re.compile(f"(?P<stem>{stems})(?P<suf>{sufs})$")


@lru_cache(maxsize=None)
def _industry_synonyms() -> dict[str, str]:
    return {normkey(r[0]): normkey(r[1]) for r in _table("resolve_industry_synonyms.txt")}


@lru_cache(maxsize=None)
def _gaz():
    """The gazetteer helpers, with the province names built once."""
    from .gazetteer import gazetteer, place_of
    return gazetteer, place_of, _province_names


@lru_cache(maxsize=None)
def _province_names() -> frozenset[str]:
    """gazetteer.province_names, built once: it rebuilds its set on every call (was 14% of a build)."""
    from .gazetteer import province_names
    return province_names()


# --------------------------------------------------------------------------- keys

@lru_cache(maxsize=1 << 16)
def _leading_place(s: str) -> str:
    """The longest gazetteer place that s starts with (or '')."""
    _, place_of, _ = _gaz()
    for L in range(min(8, len(s) - 1), 1, -1):
        if place_of(s[:L]):
            return s[:L]
    return ""


@lru_cache(maxsize=1 << 16)
def zone_key(text: str) -> str:
    """Zone key: name without place prefixes and levels, with the canonical zone type."""
    s = _norm(text)
    for level in _list("recognise_levels.txt"):
        s = s.replace(level, "") if len(s) > len(level) + 2 else s
    typ, canon = next(((t, c) for t, c in _zone_types() if s.endswith(t)), ("", ""))
    name = s[: len(s) - len(typ)] if typ else s
    name = re.sub("国家$", "", name) if len(name) > 2 else name
    while True:
        p = _leading_place(name)
        rest = name[len(p):]
        if not p or not rest or rest[0] in "([":
            break
        name = rest
    return f"{name}|{canon or typ}"


@lru_cache(maxsize=1 << 16)
def agency_key(text: str, province: str = "") -> str:
    """Agency key: province completed, abbreviations expanded, zone bodies keyed by their zone."""
    s = _norm(text)
    # a body of a zone: the zone part resolves like a zone (湖南长沙经开区管委会 = 长沙经济技术开发区管委会)
    for typ, _ in _zone_types():
        i = s.find(typ)
        if i > 0 and len(s) > i + len(typ):
            body = s[i + len(typ):].replace("管理委员会", "管委会")
            if re.fullmatch(r"[^()（）]{0,8}(管委会|工委|局|部|办|中心|办公室)", body) and "小组" not in body:
                return "zone:" + zone_key(s[: i + len(typ)]) + "/" + body
    _, place_of, province_names = _gaz()
    if province and s.startswith("省") and not s.startswith(("省份", "省级", "省直")):
        s = province + s[1:]
    # short province name -> full (湖南证监局 -> 湖南省证监局)
    for L in (3, 2):
        p = s[:L]
        if p in province_names() and not p.endswith(("省", "市", "区")):
            full = next((q.name for q in place_of(p) if q.level == 0), "")
            if full and not s.startswith(full):
                s = full + s[L:]
            break
    s = re.sub("(?<!人民)政府", "人民政府", s)
    m = _dept_re().search(s)
    if m:
        stem = dict(_stems())[m.group("stem")]
        suf = dict(_suffixes())[m.group("suf")]
        s = s[: m.start()] + stem + suf
    if s.endswith(("小组", "小组办公室")):
        s = s.replace("工作领导小组", "领导小组")
        p = _leading_place(s)
        if p and len(s) - len(p) > 4:
            s = s[len(p):]
        if s.startswith("省") and len(s) > 6:
            s = s[1:]
    return s


@lru_cache(maxsize=1 << 16)
def company_key(text: str) -> str:
    """Company key: the brand and trade, without legal form, bracketed or leading place."""
    s = _norm(text)
    if "分公司" in s:
        return s
    for form in _list("recognise_company_forms.txt"):
        if s.endswith(form) and len(s) > len(form) + 1:
            s = s[: -len(form)]
            break
    s = re.sub(r"\([^()]{1,8}\)", "", s)
    p = _leading_place(s)
    if p:
        # the place is dropped only when a brand remains (长沙远航科技 -> 远航科技; 长沙卷烟厂 stays)
        rest = s[len(p):]
        core = rest
        for t in _list("recognise_company_trades.txt"):
            if core.endswith(t):
                core = core[: -len(t)]
                break
        if len(core) >= 2 and len(rest) >= 3:
            s = rest
    return s


_YEARS = re.compile(r"\((?:19|20)\d\d-+(?:19|20)?\d\d年?\)")
_DOCNUM = re.compile(r"^[^\[\]()]{1,12}[\[(]\s*((?:19|20)\d\d)\s*[\])]\s*第?(\d{1,4})号$")


@lru_cache(maxsize=1 << 16)
def policy_key(text: str) -> str:
    """Policy key: a document number, or the title without marks, years, issuer and province."""
    s = _norm(text)
    m = _DOCNUM.match(s)
    if m:
        return "docnum:" + re.sub(r"[\[(].*", "", s) + m.group(1) + "-" + m.group(2)
    s = _YEARS.sub("", s)
    i = s.find("关于")
    if i > 0:
        s = s[i:]
    if s.startswith("关于") and not s.startswith("关于印发"):
        s = s[2:]
    p = _leading_place(s)
    if p and len(s) - len(p) >= 4:
        s = s[len(p):]
    return s


@lru_cache(maxsize=None)
def _measure_endings() -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(pat + "$"), rep) for pat, rep in _table("resolve_measure_endings.txt"))


@lru_cache(maxsize=1 << 16)
def measure_key(text: str) -> str:
    """Measure key: without quotes, scope words and variant endings."""
    s = _norm(text)
    for scope in _list("resolve_measure_scopes.txt"):
        if s.startswith(scope) and len(s) - len(scope) >= 4:
            s = s[len(scope):]
            break
    changed = True
    while changed:
        changed = False
        for pat, rep in _measure_endings():
            s2 = pat.sub(rep, s)
            if s2 != s:
                s, changed = s2, True
    return s


@lru_cache(maxsize=1 << 16)
def industry_key(text: str) -> str:
    """Industry key: the canonical synonym, without 产业/产业链/产业集群."""
    s = _norm(text)
    syn = _industry_synonyms()
    s = syn.get(s, s)
    for suf in ("产业集群", "产业链", "产业"):
        if s.endswith(suf) and len(s) > len(suf) + 1:
            s = s[: -len(suf)]
            break
    return syn.get(s, s)


def mention_keys(m: Mention, province: str = "") -> list[str]:
    """The keys a mention resolves under (name first, then the surface unless a reference)."""
    forms = [m.name] if m.name else []
    if not m.ref and m.text and m.text not in forms:
        forms.append(m.text)
    keys: list[str] = []
    code = dict(m.attrs).get("code") if m.attrs else None
    if m.cls == "Place" and code:
        return [f"code:{code}"]
    for f in forms:
        if m.cls == "Zone":
            k = zone_key(f)
        elif m.cls == "Agency":
            k = agency_key(f, province)
        elif m.cls == "Company":
            k = company_key(f)
        elif m.cls == "Policy":
            k = policy_key(f)
        elif m.cls == "Measure":
            k = measure_key(f)
        elif m.cls == "Industry":
            k = industry_key(f)
        else:
            k = _norm(f)
        if k and k not in keys:
            keys.append(k)
    return keys


# --------------------------------------------------------------------------- union-find

class _UF:
    def __init__(self):
        self.parent: dict = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo


# --------------------------------------------------------------------------- resolution

@dataclass
class Resolution:
    """Entities and the maps from mentions to them."""

    entities: list[Entity] = field(default_factory=list)
    index: dict[tuple[str, str], Entity] = field(default_factory=dict)   # (cls, key) -> entity
    by_mention: dict[Mention, Entity] = field(default_factory=dict)

    def lookup(self, mention: Mention) -> Entity | None:
        ent = self.by_mention.get(mention)
        if ent is not None:
            return ent
        for k in mention_keys(mention):
            ent = self.index.get((mention.cls, k))
            if ent is not None:
                return ent
        return self.index.get((mention.cls, normkey(mention.key)))


def _all_mentions(ex: Extraction):
    yield from ex.mentions
    for r in ex.relations:
        yield r.subject
        yield r.object
    for o in ex.observations:
        yield o.about


def document_province(ex: Extraction) -> str:
    """The province a document is about: the most frequent province among its places."""
    _, place_of, _ = _gaz()
    counts: Counter = Counter()
    for m in ex.mentions:
        if m.cls != "Place":
            continue
        code = dict(m.attrs).get("code") if m.attrs else None
        if code:
            counts[code[:2]] += 1
    if not counts:
        return ""
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return _province_named(top)


@lru_cache(maxsize=None)
def _province_named(code_prefix: str) -> str:
    """The first province (by name) whose code starts with code_prefix: a scan of the whole
    gazetteer, so once per prefix (it was 3% of a build when run per document)."""
    gaz, _, _ = _gaz()
    for name, places in sorted(gaz().full.items()):
        if any(p.level == 0 and p.code.startswith(code_prefix) for p in places):
            return name
    return ""


@lru_cache(maxsize=None)
def keys_version() -> str:
    """Version of the key rules: keys cached with an extraction hold only for this one."""
    import hashlib
    from pathlib import Path

    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def document_keys(ex: Extraction) -> dict[Mention, list[str]]:
    """The keys of each of a document's mentions (computed where the document is extracted)."""
    province = document_province(ex)
    return {m: mention_keys(m, province) for m in _all_mentions(ex)}


def resolve(extractions: list[Extraction]) -> Resolution:
    """Group mentions of one class that share a key across all documents."""
    uf = _UF()
    # (document, mention, keys, occurrences): a mention that several relations repeat is
    # grouped once and counted as often as it occurs (the counts choose labels)
    items: list[list] = []
    version = keys_version()
    for ex in sorted(extractions, key=lambda e: e.document.source):
        cached = ex.keys if ex.keys is not None and ex.keys_version == version else None
        if cached is None:
            cached = document_keys(ex)
        src = ex.document.source
        for m, n in ex.tally if ex.tally is not None else Counter(_all_mentions(ex)).items():
            keys = cached.get(m)
            if keys is None:           # not in the cached table: cannot happen for a whole file
                keys = mention_keys(m, document_province(ex))
            if not keys:
                continue
            items.append([src, m, keys, n])
            first = (m.cls, keys[0])
            for k in keys[1:]:
                uf.union(first, (m.cls, k))
            uf.find(first)
    _link_company_brands(uf, items)
    groups: dict[tuple, list[list]] = defaultdict(list)
    for it in items:
        groups[uf.find((it[1].cls, it[2][0]))].append(it)
    res = Resolution()
    for root in sorted(groups):
        members = groups[root]
        cls = root[0]
        ent = Entity(cls=cls, label=_label(cls, members))
        label, alt, attrs, by_mention = ent.label, ent.alt_labels, ent.attrs, res.by_mention
        for src, m, keys, _ in members:
            ent.sources.add(src)
            if m.name and m.name != label:
                alt.add(m.name)
            if not m.ref and m.text and m.text != label:
                alt.add(m.text)
            if m.attrs:
                for a, v in sorted(m.attrs):
                    attrs.setdefault(a, v)
            by_mention.setdefault(m, ent)
        for src, m, keys, _ in members:
            for k in keys:
                res.index.setdefault((cls, k), ent)
            res.index.setdefault((cls, normkey(m.key)), ent)
        res.entities.append(ent)
    return res


def _link_company_brands(uf: _UF, items) -> None:
    """A short company name that begins exactly one longer company key joins it (星河 → 星河精密科技)."""
    keys = sorted({k for _, m, ks, _ in items if m.cls == "Company" for k in ks})
    forms = _list("recognise_company_forms.txt")
    shorts = sorted({ks[-1] for _, m, ks, _ in items if m.cls == "Company" and not m.ref
                     and not m.text.endswith(forms) and len(ks[-1]) >= 2})
    for s in shorts:
        longer = [k for k in keys if k != s and k.startswith(s) and uf.find(("Company", k)) != uf.find(("Company", s))]
        roots = {uf.find(("Company", k)) for k in longer}
        if len(roots) == 1:
            uf.union(("Company", s), ("Company", longer[0]))


def _label(cls: str, members) -> str:
    """The canonical label: a complete, non-reference form."""
    from .normalise import simplified

    forms: Counter = Counter()
    for _, m, _, n in members:
        if m.name and not (m.name != m.text and m.name == simplified(m.text)):
            forms[m.name] += n       # a simplified rendering of a traditional surface is no label
        if not m.ref:
            forms[m.text] += n
    if not forms:
        for _, m, _, n in members:
            forms[m.key] += n
    _, place_of, province_names = _gaz()

    def score(f: str):
        if cls == "Place":
            full = any(p.name == f for p in place_of(f))
            return (full, forms[f], len(f), f)
        if cls == "Zone":
            # the form without a place prefix that the name does not need (江苏X开发区 -> X开发区)
            lead = _leading_place(_norm(f))
            prefixed = bool(lead) and zone_key(f[len(lead):]).split("|")[0] not in ("", "(")
            return (not prefixed, len(f), forms[f], f)
        if cls == "Company":
            return (f.endswith(_list("recognise_company_forms.txt")), len(f), f)
        if cls == "Policy":
            return (not _DOCNUM.match(_norm(f)), "印发" not in f, len(f), f)
        return (len(f), forms[f], f)
    return max(forms, key=score)
