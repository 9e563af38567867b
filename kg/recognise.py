"""Recognise mentions of the eleven entity classes in a document's running text.

Each class has a small grammar over the cleaned sentence text: a *type ending* (经开区,
有限公司, 领导小组, 改革, 基金 …) found by a regular expression, and the *name* before it,
read leftwards word by word (jieba's words and tags) up to a clause boundary, a governing
verb or a function word. Places come from cpca's gazetteer (provinces, cities, counties
with their codes). A name made only of generic words (科技产业园, 有关部门, 重点项目) is
not a mention. Bare zone words (经开区, 该区) and bare bodies (管委会, 县人民政府) become
reference mentions of the zone or place in focus. All word lists are data in
kg/resources/recognise_*.txt.

This module is the stage: it runs the grammars of kg.find_places, kg.find_orgs,
kg.find_policies and kg.find_names (which share kg.grammar and kg.gazetteer), settles
overlapping candidates and completes references from the zone and places in focus.
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass

from .find_names import find_industries, find_model_names, find_persons, model_brands
from .find_orgs import find_agencies, find_companies, find_funds, find_institutions, find_short_companies
from .find_places import find_places, find_zones
from .find_policies import find_measures, find_policies, find_projects
from .gazetteer import Place, gazetteer, place_of
from .grammar import CLOSE, Cand, NESTED, OPEN, Sent, occurrences, table, word_freq, words, wordset
from .model import Document, Mention
from .normalise import simplified
# Where callers have always found it.
from .gazetteer import province_names  # noqa: F401

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- assembly

_CLAUSE_MARK = re.compile("[，,。；;：:、！？!?（）()“”]")


def _skip_sentence(text: str) -> bool:
    """Page chrome, link lists and source lines carry no running text."""
    t = text.strip()
    if not t or t[0] in "•·●▪◆■□◇○" or t.startswith(words("recognise_skip_markers.txt")):
        return True
    if len(t) >= 30 and not _CLAUSE_MARK.search(t):
        return True
    return False


def _select(cands: list[Cand]) -> list[Cand]:
    """Longest spans first; shorter ones only inside a longer span of a class that may hold them."""
    chosen: list[Cand] = []
    order = sorted(cands, key=lambda c: (c.nested_only, -(c.b - c.a), -c.prio, c.a, c.cls))
    for c in order:
        if c.b <= c.a:
            continue
        clash = False
        inside_ok = False
        for o in chosen:
            if c.b <= o.a or o.b <= c.a:
                continue
            if o.a <= c.a and c.b <= o.b and c.cls in NESTED.get(o.cls, ()) and (o.a, o.b) != (c.a, c.b) \
                    and (c.cls != "Measure" or c.governed):
                inside_ok = True
                continue
            if (o.a, o.b) == (c.a, c.b) and o.cls == c.cls:
                clash = True
                break
            clash = True
            break
        if clash or (c.nested_only and not inside_ok):
            continue
        chosen.append(c)
    return sorted(chosen, key=lambda c: (c.a, -c.b))


def _home_country(surface: str) -> bool:
    """The first row of the named-region table is the country itself (中国)."""
    rows = table("recognise_place_regions.txt")
    return bool(rows) and surface == rows[0][0]


def _place_key(st: Sent, c: Cand) -> str:
    return c.name or st.text[c.a:c.b]


def _in_agency(c: Cand, chosen: list[Cand]) -> bool:
    """The candidate lies inside an agency name of the same sentence."""
    return any(o.cls == "Agency" and o.a <= c.a and c.b <= o.b and o is not c for o in chosen)


def _company_nested_place_ok(text: str, company: Cand, place: Cand) -> bool:
    """Places inside a company name count only in brackets or before 分公司 (X(赣州)有限公司)."""
    return text[place.a - 1:place.a] in OPEN or text[place.b:place.b + 3] == "分公司" or (
        place.a == company.a and text[place.a:place.b] in wordset("recognise_place_countries.txt"))


@dataclass
class Recognition:
    """The grammars' mentions with what they read: the sentences' words and the LAC spans.

    The learned labeller (kg.entity_model) takes all three as features, so nothing is
    segmented or tagged twice."""

    mentions: list[Mention]
    sents: list[Sent]
    model_spans: list[list]


def recognise(doc: Document, segmenter=None, tagger=None) -> list[Mention]:
    """All mentions of the document, in text order; references carry the name they stand for.

    With a tagger (kg.ner.LacTagger), the model's PER/ORG/LOC spans join the grammars' candidates."""
    return recognition(doc, segmenter, tagger).mentions


def recognition(doc: Document, segmenter=None, tagger=None) -> Recognition:
    """``recognise`` with the sentences and model spans it read (see Recognition)."""
    sents: list[Sent] = []
    per_sentence: list[list[Cand]] = []
    policy_doc = is_policy_document(doc)
    freq = word_freq(segmenter)
    for s in doc.sentences:
        if _skip_sentence(s.text) or doc.text[s.clean_start:s.clean_end] != s.text:
            continue
        st = Sent(s.index, simplified(s.text), s.clean_start, segmenter, written=s.text, freq=freq)
        sents.append(st)
        per_sentence.append(_sentence_cands(st, policy_doc))
    model_spans = [[] for _ in sents]
    if tagger is not None and sents:
        # all sentences of the document go to the model in one call (it batches them)
        model_spans = tagger.spans([st.text for st in sents])
        for st, cands, spans in zip(sents, per_sentence, model_spans):
            cands += find_model_names(st, spans, cands)
    _disambiguate_places(sents, per_sentence)
    # company short forms: a brand seen with its legal name elsewhere in the document
    brands = _brands(sents, per_sentence)
    if brands:
        for st, cands in zip(sents, per_sentence):
            for brand, full in brands:
                for m in occurrences(brand, st.text):
                    a, b = m.span()
                    if st.text[a:].startswith(full) or (b < len(st.text) and re.match("[有股]|[（(]", st.text[b:])):
                        continue
                    if a not in st.starts:
                        continue
                    cands.append(Cand("Company", a, b, name=full, prio=1))
    out: list[Mention] = []
    selected = [_select(cands) for cands in per_sentence]      # once: the focus reads them too
    focus = _Focus(doc, sents, per_sentence, selected)
    for st, chosen, spans in zip(sents, selected, model_spans):
        chosen += model_brands(st, chosen, spans)
    # a place written only inside agency names (江苏省商务厅) is part of the body's name, not a
    # place the text talks about; it counts once the text names it anywhere else
    free_places = {_place_key(st, c) for st, chosen in zip(sents, selected) for c in chosen
                   if c.cls == "Place" and not _in_agency(c, chosen)}
    for st, chosen in zip(sents, selected):
        for c in chosen:
            host = next((o for o in chosen if o is not c and o.a <= c.a and c.b <= o.b), None)
            if c.cls == "Place" and host is not None and host.cls == "Company" \
                    and not _company_nested_place_ok(st.text, host, c):
                continue
            if c.cls == "Place" and host is not None and _place_key(st, c) not in free_places \
                    and _in_agency(c, chosen):
                focus.mention(st, c, nested=True)     # still the city a later 市政府 refers to
                continue
            if c.cls == "Place" and host is not None and _home_country(st.text[c.a:c.b]):
                continue      # 中国(四川)自由贸易试验区, 中国开发区协会: the country in a name says nothing
            m = focus.mention(st, c, nested=host is not None)
            if m is not None:
                out.append(m)
    return Recognition(out, sents, model_spans)


def is_policy_document(doc: Document) -> bool:
    """A plan or notice with responsibility brackets (牵头单位/责任单位), not a news story."""
    cues = words("recognise_policy_doc_cues.txt")
    return sum(doc.text.count(c) for c in cues) >= 3


def _disambiguate_places(sents: list[Sent], per_sentence: list[list[Cand]]) -> None:
    """A place name several divisions share (朝阳区) takes the one inside a province or city
    that the document names unambiguously."""
    known: set[str] = set()
    ambiguous: list[tuple[Cand, tuple[Place, ...]]] = []
    for st, cands in zip(sents, per_sentence):
        for c in cands:
            if c.cls == "Place" and c.attrs:
                options = place_of(st.text[c.a:c.b]) or place_of(c.name)
                if len(options) == 1:
                    known.add(options[0].code)
                elif len(options) > 1:
                    ambiguous.append((c, options))
    for c, options in ambiguous:
        inside = [p for p in options if any(p.code[:4] == k[:4] or (k.endswith("0000") and p.code[:2] == k[:2])
                                            for k in known if k != p.code)]
        if inside:
            c.name, c.attrs = inside[0].name, (("code", inside[0].code),)
    # a county named without its 区/县 (东湖 in a zone name) that lies in none of the provinces
    # the text names is a coincidence of characters, not that county
    for st, cands in zip(sents, per_sentence):
        drop = [c for c in cands if c.cls == "Place" and c.attrs and _bare_county(st.text[c.a:c.b], c)
                and dict(c.attrs).get("code", "")[:2] not in _named_provinces(known, dict(c.attrs).get("code", ""))]
        for c in drop:
            cands.remove(c)


def _bare_county(surface: str, c: Cand) -> bool:
    """A county-level place written without its 区/县/市 ending."""
    code = dict(c.attrs).get("code", "")
    return len(code) == 6 and not code.endswith("00") and not gazetteer().full.get(surface)


def _named_provinces(known: set[str], own: str) -> set[str]:
    """Province prefixes of the other places the text names (all provinces when it names none)."""
    others = {k[:2] for k in known if k != own}
    return others if others else {own[:2]}


def _sentence_cands(st: Sent, policy_doc: bool = False) -> list[Cand]:
    places = find_places(st)
    zones = find_zones(st)
    cands = places + zones
    cands += find_agencies(st, places, zones)
    cands += find_companies(st, zones)
    cands += find_short_companies(st)
    cands += find_institutions(st)
    cands += find_funds(st)
    cands += find_projects(st)
    cands += find_policies(st)
    cands += find_measures(st, policy_doc)
    cands += find_persons(st)
    cands += find_industries(st)
    return cands


def _brands(sents: list[Sent], per_sentence: list[list[Cand]]) -> list[tuple[str, str]]:
    """(short form, legal name) pairs from the legal company names of the document."""
    forms = words("recognise_company_forms.txt")
    trades = words("recognise_company_trades.txt")
    out = set()
    for st, cands in zip(sents, per_sentence):
        for c in cands:
            if c.cls != "Company" or c.ref or c.name:
                continue
            full = st.text[c.a:c.b]
            core = full
            form = next((f for f in forms if core.endswith(f)), None)
            if form is None or form in ("分公司",) or "分公司" in core:
                continue
            core = core[: -len(form)]
            core = re.sub(f"[{OPEN}][^{CLOSE}]*[{CLOSE}]$", "", core)
            lead = next((p for p in sorted({core[:k] for k in range(2, min(5, len(core)))}, key=len, reverse=True)
                         if place_of(p)), None)
            if lead and len(core) - len(lead) >= 3:
                core = core[len(lead):]
            if len(core) >= 3:
                out.add((core, full))
            # brand without trade words: 星河精密科技 -> 星河
            brand = core
            changed = True
            while changed:
                changed = False
                for t in trades:
                    if brand.endswith(t) and len(brand) - len(t) >= 2:
                        brand, changed = brand[: -len(t)], True
            if brand != core and len(brand) >= 2 and st.rare(brand):
                out.add((brand, full))
    return sorted(out, key=lambda p: (-len(p[0]), p))


class _Focus:
    """The zone and places in focus while reading a document, to complete references.

    A bare 经开区 refers to the last named 经开区, a bare 高新区 to the last 高新区, a bare
    开发区 to the last development zone of any type and 该区/全区 to the last zone named;
    the document's main zone (named at least twice on its own) is the fallback."""

    WINDOW = 6      # sentences a named zone stays in focus when the document has no main zone

    def __init__(self, doc: Document, sents: list[Sent], per_sentence: list[list[Cand]],
                 selected: list[list[Cand]] | None = None):
        """selected: _select of each sentence's candidates, when the caller has it already."""
        counts: Counter = Counter()
        first: dict[str, int] = {}
        if selected is None:
            selected = [_select(cands) for cands in per_sentence]
        for st, cands, chosen in zip(sents, per_sentence, selected):
            for c in chosen:
                if c.cls == "Zone" and not c.ref:
                    host = [o for o in cands if o.cls in ("Agency", "Company", "Institution") and o.a <= c.a and c.b <= o.b
                            and (o.a, o.b) != (c.a, c.b)]
                    if host:
                        continue
                    key = st.written[c.a:c.b]
                    counts[key] += 1
                    first.setdefault(key, st.index)
        self.main = None
        if counts:
            key, n = max(counts.items(), key=lambda kv: (kv[1], -first[kv[0]]))
            if n >= 2:
                self.main = key
        self.zones: list[tuple[str, str, int]] = []      # (name as written, family, sentence)
        self.policy_doc = is_policy_document(doc)
        self.places: dict[int, tuple[str, int]] = {}

    def zone_name(self, sentence: int, word: str) -> str | None:
        """The zone a bare zone word (or a bare body of a zone) stands for."""
        fams = _ref_families(simplified(word))
        for name, fam, at in reversed(self.zones):
            if fam in fams and (self.main or sentence - at <= self.WINDOW):
                return name
        if self.main and _zone_family(simplified(self.main)) in fams:
            return self.main
        return None

    def mention(self, st: Sent, c: Cand, nested: bool = False) -> Mention | None:
        text = st.written[c.a:c.b]
        a, b = st.base + c.a, st.base + c.b
        name, ref = c.name, False
        if c.cls == "Zone" and not c.ref and not nested:
            self.zones.append((text, _zone_family(st.text[c.a:c.b]), st.index))
        if c.cls == "Place" and c.attrs:
            code = dict(c.attrs).get("code", "")
            level = 0 if code.endswith("0000") else 1 if code.endswith("00") else 2
            self.places[level] = (c.name, st.index)
        if c.ref:
            kind, _, rest = c.ref.partition(":")
            if kind in ("zone", "zonename"):
                # zone: a reference (该区, 管委会); zonename: a name completed with its zone
                # (经开区税务局 -> X经开区税务局), itself a surface of the body
                word = st.text[c.a:c.b]
                if rest and word.endswith(rest):
                    word = word[: -len(rest)] or "该区"
                z = None if self.policy_doc else self.zone_name(st.index, word)
                if z is None:
                    if kind == "zone" or word != "该区":
                        return None      # a plan speaks of zones in general: 开发区管委会 is no name
                    name = ""            # a bare department (行政审批局) with no zone in focus
                else:
                    name, ref = z + rest, kind == "zone"
            elif kind in ("county", "city"):
                level = 2 if kind == "county" else 1
                p = self.places.get(level)
                if p is None or st.index - p[1] > 12:
                    return None
                name, ref = p[0] + rest[1:], True
        if name and not c.ref and name in st.text:
            k = st.text.find(name)
            name = st.written[k:k + len(name)]      # a name cut from the sentence: as written
        if name == text:
            name = ""
        if not name and not ref and st.text[c.a:c.b] != text:
            # written in traditional characters: the simplified form is the name, so that it
            # becomes an altLabel and resolves with simplified mentions of the same thing
            name = st.text[c.a:c.b]
        return Mention(c.cls, text, st.index, a, b, name=name, ref=ref, attrs=tuple(c.attrs))


def _zone_family(text: str) -> str:
    """The kind of zone a name ends with: 经开, 高新, 开发区 (other development zones) or 园 (parks)."""
    if text.endswith(("经开区", "经济技术开发区")):
        return "经开"
    if re.search("高新[^区]*区$|高新区$", text):
        return "高新"
    if text.endswith(("开发区", "新区", "示范区", "自创区", "试验区", "保税区", "合作区")):
        return "开发区"
    return "园"


def _ref_families(word: str) -> set[str]:
    """The kinds of zone a bare zone word may stand for."""
    if word in ("经开区", "经济技术开发区"):
        return {"经开"}
    if word.startswith("高新"):
        return {"高新"}
    if word in ("开发区", "经济开发区"):
        return {"经开", "高新", "开发区"}
    return {"经开", "高新", "开发区", "园"}
