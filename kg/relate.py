"""Relations stated in running text: pattern rules over the mentions of each sentence.

News about a development zone seldom repeats its subject: "推进“掌上办”改革，…" means
the zone the article is about. So the rules first follow the *zone in focus* (a named zone
in subject position starts a focus; a generic statement about zones in general ends it),
then read each sentence's mentions with trigger words that live in kg/resources/relate_*.txt.
Policy documents (document numbers, 牵头单位 …) have no zone in focus: there only explicit
subjects count.
"""
from __future__ import annotations

import logging
import re
from collections import defaultdict
from functools import lru_cache

from .context import (BREAKS, View, alternation, any_word, bare_zone_refs, focus_map, is_subject, literal,
                      pairs, province_level, subject_at, views, words)
# Not used here, but callers and tests have always imported them from this stage.
from .context import is_policy_document, zone_focus  # noqa: F401
from .model import Document, Mention, Relation

log = logging.getLogger(__name__)

ORGS = ("Agency", "Company", "Zone", "Institution")
HOSTED = ("Company", "Project", "Institution")
# The size of what is founded may stand between verb and name: "设立了规模10亿元的…基金".
_SIZE = re.compile(r"(?:总?规模|首期|一期)?(?:约|近|超)?[0-9.]+\s*[万亿]*元的?")
_WITH = re.compile(r"[与同]")
_COMPANIES = re.compile(r"(?:的)?(?:\d+\s*[家个])?(?:企业|公司)")


# --------------------------------------------------------------------------- places

def _contains(outer: Mention, inner: Mention) -> bool:
    """Whether place inner may lie in place outer (codes agree, or no code says otherwise)."""
    code_o, code_i = dict(outer.attrs).get("code", ""), dict(inner.attrs).get("code", "")
    if code_o and code_i and code_o.isdigit() and code_i.isdigit():
        # Same province; the outer one is the coarser level (more trailing zeros).
        return code_o != code_i and code_o[:2] == code_i[:2] and \
            len(code_o.rstrip("0")) < len(code_i.rstrip("0")) and code_i.startswith(code_o.rstrip("0"))
    return not (province_level(inner) and not province_level(outer))


def place_chain_before(v: View, pos: int) -> list[Mention]:
    """Top-level places written back to back and ending exactly at local position pos."""
    chain: list[Mention] = []
    places = [p for p in v.top if p.cls == "Place"]
    while True:
        prev = [p for p in places if v.hi(p) == pos and p not in chain]
        if not prev:
            return chain
        chain.insert(0, prev[0])
        pos = v.lo(prev[0])


def nested_place_chain(v: View, z: Mention, doc_places: dict[str, Mention]) -> list[Mention]:
    """Places that open a name back to back (湖南株洲高新区 → 湖南, 株洲)."""
    nested = [p for p in v.mentions if p.cls == "Place" and z.start <= p.start and p.end <= z.end]
    chain, pos = [], z.start
    while True:
        nxt = [p for p in nested if p.start == pos]
        if not nxt:
            break
        best = max(nxt, key=lambda p: p.end)
        chain.append(best)
        pos = best.end
    if chain:
        return chain
    # The recogniser may not nest places in names: use places named elsewhere in the text.
    local = z.start
    surfaces = sorted(doc_places, key=len, reverse=True)
    while True:
        hit = next((s for s in surfaces if z.text.startswith(s, local - z.start)
                    and local - z.start + len(s) < len(z.text)), None)
        if hit is None:
            return chain
        p = doc_places[hit]
        chain.append(Mention("Place", hit, z.sentence, local, local + len(hit),
                             name=p.key if p.key != hit else "", attrs=p.attrs))
        local += len(hit)


def _doc_places(vs: list[View]) -> dict[str, Mention]:
    """Place surfaces of the document (also without their 市/县/区/省 suffix) → a mention."""
    out: dict[str, Mention] = {}
    for v in vs:
        for p in v.mentions:
            if p.cls != "Place" or p.ref or len(p.text) < 2:
                continue
            out.setdefault(p.text, p)
            for suffix in ("市", "县", "区", "省"):
                if p.text.endswith(suffix) and len(p.text) > 2:
                    out.setdefault(p.text[:-1], p)
    return out


# --------------------------------------------------------------------------- the rules

class _Out:
    """Collects relations once each (per subject, property, object and sentence)."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.items: list[Relation] = []
        self.seen: set = set()

    def add(self, subj: Mention | None, prop: str, obj: Mention | None, sentence: int) -> None:
        if subj is None or obj is None:
            return
        ks, ko = (subj.cls, subj.key), (obj.cls, obj.key)
        if ks == ko:
            return
        k = (ks, prop, ko, sentence)
        if k in self.seen:
            return
        self.seen.add(k)
        self.items.append(Relation(subj, prop, obj, self.doc.evidence(sentence)))

    def has(self, prop: str, obj: Mention) -> bool:
        return any(r.prop == prop and (r.object.cls, r.object.key) == (obj.cls, obj.key) for r in self.items)


def located_in(v: View, out: _Out, doc_places: dict[str, Mention]) -> None:
    """Place prefixes of zone names, adjacent place pairs, (place) after a zone, 位于X的Y."""
    linked: set[tuple[int, int]] = set()

    def chain_links(chain: list[Mention]) -> None:
        for outer, inner in zip(chain, chain[1:]):
            if _contains(outer, inner):
                out.add(inner, "locatedIn", outer, v.index)

    for z in v.top:
        if z.cls != "Zone" or z.ref:
            continue
        chain = place_chain_before(v, v.lo(z)) + nested_place_chain(v, z, doc_places)
        e = v.hi(z)
        if not chain and e < len(v.text) and v.text[e] in "（(":
            close = v.text.find("）" if v.text[e] == "（" else ")", e)
            if close > 0:
                chain = place_chain_before(v, close)
                if chain and v.lo(chain[0]) != e + 1:
                    chain = []
        if not chain:
            continue
        out.add(z, "locatedIn", chain[-1], v.index)
        for p in chain[:-1]:
            if not province_level(p):
                out.add(z, "locatedIn", p, v.index)
        chain_links(chain)
        linked.update((p.start, p.end) for p in chain)
    # A park or area named right after its zone (某自贸试验区|某片区, 某高新区|某产业园) is part of it.
    zones = [z for z in v.top if z.cls == "Zone" and not z.ref]
    for x, y in zip(zones, zones[1:]):
        if v.hi(x) == v.lo(y) and _is_subpark(y):
            out.add(y, "partOf", x, v.index)
    # Places written back to back outside zone names: 长沙市岳麓区, 浙江宁波.
    for p in v.top:
        if p.cls != "Place" or (p.start, p.end) in linked:
            continue
        chain = place_chain_before(v, v.hi(p))
        if len(chain) >= 2 and chain[-1] is p:
            chain_links(chain)
            linked.update((q.start, q.end) for q in chain)
    # 位于 X 的 Y: a company or project in a zone or place; a park in a zone is part of it.
    for mt in alternation("relate_locative_triggers.txt").finditer(v.text):
        after = [m for m in v.top if v.lo(m) >= mt.end()]
        where = [m for m in after if m.cls in ("Zone", "Place")]
        if not where:
            continue
        x = where[0]
        if v.text[mt.end():v.lo(x)].strip():
            continue
        while True:
            nxt = [m for m in where if v.lo(m) == v.hi(x)]
            if not nxt:
                break
            x = nxt[0]
        if not v.text.startswith("的", v.hi(x)):
            continue
        ys = [m for m in after if v.lo(m) == v.hi(x) + 1]
        for y in ys:
            if y.cls in ("Company", "Project"):
                out.add(y, "locatedIn", x, v.index)
            elif y.cls == "Zone" and x.cls == "Zone" and _is_subpark(y):
                out.add(y, "partOf", x, v.index)


def _is_subpark(z: Mention) -> bool:
    return any(z.key.endswith(h) or z.text.endswith(h) for h in words("relate_subpark_heads.txt"))


def _zone_subject(v: View, pos: int, focus: Mention | None) -> Mention | None:
    """The zone that acts at local position pos: a named zone opening the clause, else the focus."""
    cs, _ = v.clause(pos)
    for m in v.top:
        if m.cls == "Zone" and cs <= v.lo(m) and v.hi(m) <= pos and is_subject(v, m):
            if not m.ref:
                return m
            return focus if focus is not None else None
    return focus


def implements(v: View, out: _Out, focus: Mention | None) -> None:
    """Zone (or agency) → Measure when a trigger verb precedes the measure or it opens its clause."""
    triggers = alternation("relate_implements_triggers.txt")
    copulas = words("relate_copulas.txt")
    blocked = words("relate_implements_blocked_heads.txt")
    for m in v.mentions:
        if m.cls != "Measure" or any(m.key.endswith(h) for h in blocked):
            continue
        # A measure named inside a policy title ("…行动”实施方案") is read from the title's position.
        holders = [h for h in v.top if h.start <= m.start and m.end <= h.end]
        if not holders or holders[0] is not m and holders[0].cls != "Policy":
            continue
        if holders[0] is not m and v.text[:v.lo(holders[0])].endswith("《"):
            continue                          # part of a cited title, not something done
        a = v.lo(holders[0])
        gs, _ = v.group(a)
        cs, _ = v.clause(a)
        # The nearest actor before the measure in its clause decides who acts.
        before = [x for x in v.top if x.cls in ("Zone", "Agency", "Company", "Institution", "Person", "Place")
                  and cs <= v.lo(x) and v.hi(x) <= a]
        subj = focus
        window_start = gs
        co_subjects: list[Mention] = []
        if before:
            x = before[-1]
            gap = v.text[v.hi(x):a].strip("“”\"' ")
            if x.cls == "Place":
                # A place acts only as the subject of a copula (某市作为…试点); otherwise it
                # modifies the measure (某市“…”改革) or is a verb's object (紧盯…地区开展…).
                if any(gap.startswith(c) for c in copulas):
                    subj = None
            elif x.cls == "Zone":
                subj = x if not x.ref else focus
                window_start = v.hi(x)
                if not x.ref:
                    co_subjects = _coordinated(v, before)
            elif x.cls == "Agency":
                if triggers.search(v.text, v.hi(x), a):
                    subj = x
                    window_start = v.hi(x)
                else:
                    subj = None
            else:
                subj = None                   # another actor (a company, a person) does it
        if subj is None:
            continue
        window = v.text[max(window_start, cs):a]
        # A measure opening its clause is its subject when a predicate follows
        # ("…改革深入推进"); a bare heading ("…抓改革，争当…") is not a statement.
        e = v.hi(holders[0])
        opens = subject_at(v, a, e) and e < len(v.text) and v.text[e] not in BREAKS
        if not (opens or triggers.search(window)) and "的" in window and cs > window_start:
            # A long modifier phrase may carry the verb in the clause before:
            # "建立以…牵头统筹，…专业办理的代办机制".
            ps, _ = v.clause(cs - 1)
            window = v.text[max(window_start, ps):cs]
        if opens or triggers.search(window):
            out.add(subj, "implements", m, v.index)
            for z in co_subjects:
                out.add(z, "implements", m, v.index)


def _coordinated(v: View, before: list[Mention]) -> list[Mention]:
    """Named zones listed before the last one (甲开发区、乙高新区要推行…): they act together."""
    out: list[Mention] = []
    x = before[-1]
    for y in reversed(before[:-1]):
        if y.cls != "Zone" or y.ref or v.text[v.hi(y):v.lo(x)] not in ("、", "和", "及", "与", "以及"):
            break
        out.append(y)
        x = y
    return out


def has_industry(v: View, out: _Out, focus: Mention | None) -> None:
    """Zone → Industry in sentences that present industries as the zone's own."""
    inds = [m for m in v.mentions if m.cls == "Industry"]
    if not inds or not alternation("relate_industry_cues.txt").search(v.text):
        return
    bare = bare_zone_refs(v)
    for i in inds:
        gs, _ = v.group(v.lo(i))
        # The nearest zone before the industry owns it: a named zone, or a bare zone noun
        # ("开发区以新材料…为主") that stands for the zone in focus.
        cands = [(v.hi(z), z if not z.ref else focus) for z in v.top
                 if z.cls == "Zone" and gs <= v.lo(z) and v.hi(z) <= v.lo(i)]
        cands += [(b, None if g else focus) for a, b, g in bare if gs <= a and b <= v.lo(i)]
        subj = max(cands, key=lambda c: c[0])[1] if cands else focus
        if subj is not None:
            out.add(subj, "hasIndustry", i, v.index)


def _enumerated(v: View, m: Mention) -> bool:
    """Whether m is an item of a list closed by 等 (甲公司、乙公司等5家…企业)."""
    _, ce = v.clause(v.lo(m))
    rest = v.text[v.hi(m):ce]
    pos = 0
    while True:
        if rest.startswith("等", pos):
            return True
        if rest.startswith("、", pos) or rest.startswith("和", pos) or rest.startswith("及", pos):
            pos += 1
            nxt = [x for x in v.top if v.lo(x) == v.hi(m) + pos]
            if not nxt:
                return False
            pos = v.hi(nxt[0]) - v.hi(m)
            continue
        return False


@lru_cache(maxsize=None)
def _hosts_triggers() -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """The hosts trigger words that stand before the object and those after it."""
    rows = pairs("relate_hosts_triggers.txt")
    return tuple(x for x in rows if x[1] == "before"), tuple(x for x in rows if x[1] == "after")


def hosts(v: View, out: _Out, focus: Mention | None, established: set, located: set) -> None:
    """Zone → Company/Project/Institution (and a sub-park → partOf the zone)."""
    before, after = _hosts_triggers()
    for c in v.top:
        if c.cls not in HOSTED + ("Zone",) or c.ref:
            continue
        if (c.cls, c.key) in established or (c.cls, c.key) in located:
            continue
        a, e = v.lo(c), v.hi(c)
        cs, ce = v.clause(a)
        merged = c.cls == "Zone" and alternation("relate_merge_triggers.txt").search(v.text, e, ce)
        if v.text[cs:a].rstrip().endswith(("与", "同")) and not merged:
            continue
        subj = _zone_subject(v, a, focus)
        # "在 <zone> 建设 <object>": the zone is named just before the verb.
        trig = any(v.text.find(w, cs, a) >= 0 for w, _ in before) or \
            any(v.text.find(w, e, ce) >= 0 for w, _ in after) or bool(merged)
        prev = [z for z in v.top if z.cls == "Zone" and not z.ref and cs <= v.lo(z) and v.hi(z) <= a]
        if prev and v.text[cs:v.lo(prev[-1])].strip().endswith("在"):
            subj = prev[-1]
        adjacent = [z for z in v.top if z.cls == "Zone" and 0 <= a - v.hi(z) <= 1
                    and v.text[v.hi(z):a] in ("", "的", "内")]
        if adjacent:
            z = adjacent[-1]
            subj = z if not z.ref else focus
            trig = True
        if subj is None or (subj.cls, subj.key) == (c.cls, c.key):
            continue
        if c.cls in ("Company", "Institution") and not adjacent and _speaker_or_guest(v, c) \
                and not any(v.text.find(w, cs, a) >= 0 for w, _ in before):
            continue
        if c.cls == "Zone":
            if trig and _is_subpark(c) and c is not focus and c.key != (focus.key if focus else None):
                out.add(c, "partOf", subj, v.index)
            continue
        if trig:
            out.add(subj, "hosts", c, v.index)
        elif c.cls in ("Company", "Project") and focus is not None and subj is focus \
                and any(ch in BREAKS for ch in v.text):
            # In an article about one zone, a company that acts on its own or is listed
            # among "…等N家企业" is one of the zone's companies (running text only: lists
            # of links in page chrome have no punctuation).
            if _speaker_or_guest(v, c):
                continue
            if is_subject(v, c) or _enumerated(v, c) or _zone_with_companies(v):
                out.add(subj, "hosts", c, v.index)


def _speaker_or_guest(v: View, c: Mention) -> bool:
    """The firm is only named as a speaker's employer (X公司董事长王某说) or among the guests of
    an event (X、Y等单位参加了会议): the sentence does not say where it operates."""
    e = v.hi(c)
    _, ce = v.clause(v.lo(c))
    rest = v.text[e:ce]
    if any(rest.startswith(t) or rest.startswith(("有关" + t, "相关" + t)) for t in words("relate_titles.txt")):
        return True
    return any(w in rest for w in words("relate_hosts_blockers.txt"))


def _zone_with_companies(v: View) -> bool:
    """Whether the sentence speaks of a zone's companies: "某高新区3家企业…"."""
    for z in v.top:
        if z.cls == "Zone":
            rest = v.text[v.hi(z):v.hi(z) + 8]
            if _COMPANIES.match(rest):
                return True
    return False


def works_for(v: View, out: _Out) -> None:
    """Person → organisation from "<org><title><name>" and "<name>，<org><title>"."""
    titles = words("relate_titles.txt")

    def title_gap(gap: str) -> bool:
        return 0 < len(gap) <= 10 and not any(ch in BREAKS or ch in "、“”" for ch in gap) and \
            any(gap.endswith(t) for t in titles)

    for p in v.top:
        if p.cls != "Person":
            continue
        pos = v.lo(p)
        orgs = [o for o in v.top if o.cls in ORGS and v.hi(o) <= pos]
        first = True
        while orgs:
            o = orgs.pop()
            gap = v.text[v.hi(o):pos]
            if not first and gap.endswith("、"):
                gap = gap[:-1]
            elif not first:
                break
            if not title_gap(gap):
                break
            out.add(p, "worksFor", o, v.index)
            pos, first = v.lo(o), False
            orgs = [x for x in orgs if v.hi(x) <= pos]
        # "<name>，<org><title>"
        e = v.hi(p)
        if e < len(v.text) and v.text[e] in "，,（(":
            nxt = [o for o in v.top if o.cls in ORGS and v.lo(o) == e + 1]
            if nxt:
                o = nxt[0]
                _, ce = v.clause(v.hi(o))
                gap = v.text[v.hi(o):ce].rstrip("）)")
                if title_gap(gap):
                    out.add(p, "worksFor", o, v.index)


@lru_cache(maxsize=None)
def _cooperation_cue() -> re.Pattern:
    opens = [w for w, r in pairs("relate_cooperation_triggers.txt") if r == "open"]
    return any_word(("与", "同", *opens))


def cooperates(v: View, out: _Out, focus: Mention | None) -> None:
    """Actor ↔ actor from "与 X … 合作/共建" and "对标 X"."""
    if not _cooperation_cue().search(v.text):
        return                                # both rules start at 与/同 or an opening word
    close = [w for w, r in pairs("relate_cooperation_triggers.txt") if r == "close"]
    opens = [w for w, r in pairs("relate_cooperation_triggers.txt") if r == "open"]
    blockers = words("relate_cooperation_blockers.txt")
    actors = ("Zone", "Company", "Institution", "Agency", "Place", "Fund")

    def partners(a: int, b: int) -> list[Mention]:
        ms = [m for m in v.inside(a, b) if m.cls in actors]
        # Of places written back to back (浙江宁波) the partner is the innermost.
        return [m for i, m in enumerate(ms)
                if not (m.cls == "Place" and i + 1 < len(ms) and ms[i + 1].cls == "Place"
                        and v.lo(ms[i + 1]) == v.hi(m))]

    for mt in _WITH.finditer(v.text):
        i = mt.start()
        if not any(v.lo(m) == i + 1 and m.cls in actors for m in v.top):
            continue                          # 与 must introduce a named partner
        cs, ce = v.clause(i)
        ends = [v.text.find(w, i + 1, ce) for w in close]
        ends = [x for x in ends if x > 0]
        if not ends:
            continue
        if any(b in v.text[cs:i] for b in blockers):
            continue
        subj = _actor_before(v, i, cs, actors) or _zone_subject(v, i, focus)
        for m in partners(i + 1, min(ends)):
            if subj is not None and (m.cls, m.key) != (subj.cls, subj.key):
                out.add(subj, "cooperatesWith", m, v.index)
    for w in opens:
        for mt in literal(w).finditer(v.text):
            cs, ce = v.clause(mt.start())
            if any(b in v.text[cs:mt.start()] for b in blockers):
                continue
            subj = _zone_subject(v, mt.start(), focus)
            if subj is None:
                continue
            for m in partners(mt.end(), ce):
                if (m.cls, m.key) != (subj.cls, subj.key):
                    out.add(subj, "cooperatesWith", m, v.index)


_FIRM_ANAPHORA = re.compile("(?:公司|企业|集团)[正将已还也]?$")


def _actor_before(v: View, i: int, cs: int, actors: tuple[str, ...]) -> Mention | None:
    """The actor written right before 与 (甲大学与乙…合作), or the firm that 公司/企业 there
    refers back to (…公司总经理说，公司正与乙合作); None when the clause's subject is elsewhere."""
    before = [m for m in v.top if m.cls in actors and m.cls != "Place" and v.hi(m) <= i]
    if not before:
        return None
    last = before[-1]
    if v.hi(last) == i and not last.ref and v.lo(last) >= cs:
        return last
    if _FIRM_ANAPHORA.search(v.text[cs:i]) and v.text[cs:i].lstrip("，, ").startswith(("公司", "企业", "集团")):
        firms = [m for m in before if m.cls == "Company"]
        return firms[-1] if firms else None
    return None


@lru_cache(maxsize=None)
def _grant_fillers() -> frozenset[str]:
    return frozenset(words("relate_grant_fillers.txt")) | {""}


def establishes(v: View, out: _Out, focus: Mention | None) -> None:
    """Zone/Agency/Company → Fund/Company/Institution after 设立/成立/组建."""
    fillers = _grant_fillers()
    for mt in alternation("relate_establishes_triggers.txt").finditer(v.text):
        if any(v.lo(m) < mt.start() < v.hi(m) for m in v.top):
            continue                          # the verb is part of a name
        objs = [m for m in v.top if m.cls in ("Fund", "Company", "Institution") and v.lo(m) >= mt.end()
                and _SIZE.sub("", v.text[mt.end():v.lo(m)]).strip() in fillers]
        if not objs:
            continue
        cs, _ = v.clause(mt.start())
        subj = None
        for x in v.top:
            if x.cls in ("Zone", "Agency", "Company") and cs <= v.lo(x) and v.hi(x) <= mt.start() \
                    and is_subject(v, x):
                subj = x if not x.ref else focus
        if subj is None:
            subj = focus
        out.add(subj, "establishes", objs[0], v.index)
        for x in v.top:      # 甲联合乙设立…: the partner founds it too
            if x.cls in ("Zone", "Agency", "Company", "Institution") and cs <= v.lo(x) and v.hi(x) <= mt.start() \
                    and not x.ref and v.text[:v.lo(x)].endswith(words("relate_establishes_partners.txt")):
                out.add(x, "establishes", objs[0], v.index)


@lru_cache(maxsize=None)
def _investment_roles() -> dict[str, tuple[str, ...]]:
    """The investment trigger words by role (grant, noun, verb, use), longest first."""
    roles: dict[str, list[str]] = defaultdict(list)
    for w, r in pairs("relate_investment_triggers.txt"):
        roles[r].append(w)
    return {r: tuple(roles.get(r, ())) for r in {"grant", "noun", "verb", "use", *roles}}


@lru_cache(maxsize=None)
def _investment_cue() -> re.Pattern:
    roles = _investment_roles()
    return any_word(roles["grant"] + roles["verb"] + roles["use"])


def invests(v: View, prev: View | None, out: _Out, focus: Mention | None) -> None:
    """investsIn from grants (给予 X …股权融资), "<fund>投资", and 募集资金…用于 <project>."""
    roles = _investment_roles()
    if not _investment_cue().search(v.text):
        return                                # every rule starts at a trigger word
    targets = ("Company", "Project")
    recent_funds = [m for m in (prev.top if prev else ()) if m.cls == "Fund"]
    for w in roles["grant"]:
        for mt in literal(w).finditer(v.text):
            xs = [m for m in v.top if m.cls in targets and v.lo(m) == mt.end()]
            if not xs:
                continue
            x = xs[0]
            _, ce = v.clause(v.hi(x))
            if not any(v.text.find(n, v.hi(x), ce) >= 0 for n in roles["noun"]):
                continue
            funds = [m for m in v.top if m.cls == "Fund" and v.hi(m) <= mt.start()] or recent_funds
            if funds:
                out.add(funds[-1], "investsIn", x, v.index)
            if focus is not None:
                out.add(focus, "investsIn", x, v.index)
    for w in roles["verb"]:
        for mt in literal(w).finditer(v.text):
            investors = [m for m in v.top if m.cls in ("Fund", "Company") and 0 <= mt.start() - v.hi(m) <= 1]
            if not investors:
                continue
            inv = investors[-1]
            cands = [m for m in v.top if m.cls in targets and (m.cls, m.key) != (inv.cls, inv.key)]
            later = [m for m in cands if v.lo(m) >= mt.end()]
            earlier = [m for m in cands if v.hi(m) <= v.lo(inv)]
            x = later[0] if later else (earlier[-1] if earlier else None)
            out.add(inv, "investsIn", x, v.index)
    if "资金" in v.text:
        for w in roles["use"]:
            for mt in literal(w).finditer(v.text):
                xs = [m for m in v.top if m.cls == "Project" and v.lo(m) >= mt.end()
                      and not v.text[mt.end():v.lo(m)].strip()]
                if not xs:
                    continue
                companies = [m for m in v.top if m.cls == "Company" and v.hi(m) <= mt.start()]
                if not companies and prev is not None:
                    companies = [m for m in prev.top if m.cls == "Company" and is_subject(prev, m)]
                if companies:
                    out.add(companies[-1], "investsIn", xs[0], v.index)


# --------------------------------------------------------------------------- entry point

def relate(doc: Document, mentions: list[Mention]) -> list[Relation]:
    """Relations stated in the sentences of a document, each with its sentence as evidence."""
    vs = views(doc, mentions)
    focus = focus_map(doc, vs)
    doc_places = _doc_places(vs)
    out = _Out(doc)
    # Founded and located organisations are not also "hosted": collect them first.
    for i, v in enumerate(vs):
        located_in(v, out, doc_places)
        establishes(v, out, focus.get(v.index))
    established = {(r.object.cls, r.object.key) for r in out.items if r.prop == "establishes"}
    located = {(r.subject.cls, r.subject.key) for r in out.items
               if r.prop == "locatedIn" and r.object.cls == "Zone"}
    for i, v in enumerate(vs):
        f = focus.get(v.index)
        implements(v, out, f)
        has_industry(v, out, f)
        hosts(v, out, f, established, located)
        works_for(v, out)
        cooperates(v, out, f)
        invests(v, vs[i - 1] if i else None, out, f)
    log.debug("%s: %d relations", doc.source, len(out.items))
    return out.items
