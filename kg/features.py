"""Features of the learned models, shared by training (kg.learn) and the runtime stages.

Entity labelling works on characters: the character and its neighbours (single characters and
pairs, never whole words of three or more characters, so no name is memorised whole), the
jieba word it sits in (position, length, POS tag, its last character), quote and book-title
marks around it, the grammars' candidate mentions covering it (kg.recognise) and, with
``--ner lac``, the LAC model's span tag. The grammars thus become evidence the model weighs.
"""
from __future__ import annotations

from itertools import repeat

OPENERS = {"“": "”", "《": "》", "「": "」", "『": "』", "〈": "〉", "【": "】", "（": "）", "(": ")"}
_MARK = {"“": "q", "《": "b", "「": "q", "『": "q", "〈": "b", "【": "k", "（": "p", "(": "p"}


def _kind(ch: str) -> str:
    if "\u4e00" <= ch <= "\u9fff":
        return "h"
    if ch.isdigit() or ch in "〇一二三四五六七八九十百千万亿":
        return "d"
    if ch.isascii() and ch.isalpha():
        return "a"
    if ch.isspace():
        return "s"
    return "p"


def _enclosure(text: str) -> list[str]:
    """For each character, the innermost open quote/bracket kind around it ('' outside)."""
    out, stack = [], []
    for ch in text:
        if stack and ch == OPENERS[stack[-1]]:
            stack.pop()
            out.append("")
            continue
        out.append(_MARK[stack[-1]] if stack else "")
        if ch in OPENERS:
            if len(stack) < 4:
                stack.append(ch)
    return out


def char_features(text: str, words: list[tuple[str, str]], rule_spans: list[tuple[int, int, str]],
                  lac_spans: list | None = None, common=None) -> list[list[str]]:
    """Feature strings for each character of one sentence.

    ``words`` is the sentence's jieba segmentation as (word, POS tag) covering the text;
    ``rule_spans`` the grammars' mentions as sentence-local (start, end, class);
    ``lac_spans`` the LAC model's spans (objects with start, end, tag) or None;
    ``common(word)`` tells a word of the general dictionary: such words (and their neighbours)
    are features by identity; rare words, likely names, only by shape.
    """
    n = len(text)
    if not n:
        return []
    pad = "^^" + text + "$$"
    kinds = [_kind(c) for c in text]
    # the word each character sits in, as columns (one entry per character)
    wpos, wtag, wlast, wid, wprev, wnext = ([""] * n for _ in range(6))
    if words and sum(len(w) for w, _ in words) == n:
        known = [w if (common is None or len(w) < 2 or common(w)) else "?" + str(min(len(w), 5))
                 for w, _ in words]
        a = 0
        last = len(words) - 1
        for j, (w, t) in enumerate(words):
            L = len(w)
            b = a + L
            wpos[a:b] = ["wp=S1"] if L == 1 else ["wp=B" + str(min(L, 5))] + ["wp=M" + str(min(L, 5))] * (L - 2) + ["wp=E" + str(min(L, 5))]
            wtag[a:b] = ["wt=" + t] * L
            wlast[a:b] = ["wl=" + w[-1]] * L
            wid[a:b] = ["w=" + known[j]] * L
            wprev[a:b] = ["wpr=" + (known[j - 1] if j else "^")] * L
            wnext[a:b] = ["wnx=" + (known[j + 1] if j < last else "$")] * L
            a = b
    else:
        wpos, wtag, wlast, wid, wprev, wnext = (["wp=0"] * n, ["wt="] * n, ["wl="] * n, ["w="] * n,
                                               ["wpr="] * n, ["wnx="] * n)
    # Built a column at a time and zipped into rows: a sentence's features cost a few C-level
    # passes instead of a Python loop per character (this runs over every character of a build).
    c0, cm1, cp1, cm2, cp2 = pad[2:n + 2], pad[1:n + 1], pad[3:n + 3], pad[0:n], pad[4:n + 4]
    kp = ["^"] + kinds[:-1]
    kn = kinds[1:] + ["$"]
    rows = [list(r) for r in zip(
        repeat("b", n),
        ["c=" + c for c in c0], ["p=" + c for c in cm1], ["n=" + c for c in cp1],
        ["pp=" + c for c in cm2], ["nn=" + c for c in cp2],
        ["pc=" + a + b for a, b in zip(cm1, c0)], ["cn=" + a + b for a, b in zip(c0, cp1)],
        ["pp2=" + a + b for a, b in zip(cm2, cm1)], ["nn2=" + a + b for a, b in zip(cp1, cp2)],
        ["k=" + a + b + c for a, b, c in zip(kinds, kp, kn)],
        wpos, wtag, wlast, ["e=" + e for e in _enclosure(text)], wid, wprev, wnext)]
    rows[0].append("start")
    if n > 1:
        rows[1].append("start")
    for a, b, cls in rule_spans:
        if b - a == 1:
            rows[a].append("r=S-" + cls)
            continue
        rows[a].append("r=B-" + cls)
        inside = "r=I-" + cls
        for k in range(a + 1, b - 1):
            rows[k].append(inside)
        rows[b - 1].append("r=E-" + cls)
    if lac_spans:
        for sp in lac_spans:
            for k in range(sp.start, min(sp.end, n)):
                rows[k].append(("lac=B-" if k == sp.start else "lac=I-") + sp.tag)
    return rows


def bio_spans(labels: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, class) of each B-/I- run of a label sequence."""
    out, a, cls = [], None, None
    for i, lab in enumerate(list(labels) + ["O"]):
        if lab.startswith("I-") and cls == lab[2:]:
            continue
        if cls is not None:
            out.append((a, i, cls))
            a = cls = None
        if lab.startswith(("B-", "I-")):
            a, cls = i, lab[2:]
    return out


def _gap_bucket(n: int) -> str:
    for limit, name in ((0, "0"), (1, "1"), (3, "3"), (7, "7"), (15, "15"), (30, "30")):
        if n <= limit:
            return name
    return "far"


def pair_features(sentence: str, base: int, s, o, others, props_fwd, props_back) -> list[str]:
    """Feature strings of the ordered mention pair (s, o) of one sentence.

    ``base`` is the sentence's offset in the document's cleaned text (mention offsets are
    document offsets); ``others`` the sentence's mentions; ``props_fwd``/``props_back`` the
    properties the grammars proposed for (s, o) and for (o, s).
    """
    sa, sb, oa, ob = s.start - base, s.end - base, o.start - base, o.end - base
    t = s.cls + "|" + o.cls
    if oa >= sa and ob <= sb:
        shape = "o_in_s"
    elif sa >= oa and sb <= ob:
        shape = "s_in_o"
    elif sb <= oa:
        shape = "s_o"
    else:
        shape = "o_s"
    lo, hi = (sb, oa) if shape == "s_o" else (ob, sa) if shape == "o_s" else (0, 0)
    between = sentence[lo:hi] if hi > lo else ""
    first_a = min(sa, oa)
    last_b = max(sb, ob)
    f = ["b", "t=" + t, "sh=" + shape, "tsh=" + t + "|" + shape, "g=" + _gap_bucket(len(between)),
         "tg=" + t + "|" + shape + "|" + _gap_bucket(len(between)),
         "l2=" + sentence[max(0, first_a - 2):first_a], "r2=" + sentence[last_b:last_b + 2],
         "l1=" + sentence[max(0, first_a - 1):first_a], "r1=" + sentence[last_b:last_b + 1],
         "sref=" + str(s.ref), "oref=" + str(o.ref)]
    if shape in ("o_in_s", "s_in_o"):
        inner, outer = (o, s) if shape == "o_in_s" else (s, o)
        ia, oa_ = inner.start - outer.start, inner.end - outer.start
        f.append("ipos=" + ("start" if ia == 0 else "end" if oa_ == outer.end - outer.start else "mid"))
        after = sentence[inner.end - base:inner.end - base + 2]
        f.append("iafter=" + after)
    if between:
        if len(between) <= 12:
            f += ["u=" + c for c in between]
        bigr = [between[i:i + 2] for i in range(len(between) - 1)]
        if len(bigr) > 20:
            bigr = bigr[:10] + bigr[-10:]
        f += ["w=" + b for b in bigr]
        f.append("bp=" + "".join(sorted({c for c in between if c in "，,；;。、：:（(）)"})))
        n_between = sum(1 for m in others if lo <= m.start - base and m.end - base <= hi)
        f.append("nb=" + str(min(n_between, 3)))
        f += sorted({"mt=" + m.cls for m in others if lo <= m.start - base and m.end - base <= hi})
    if sentence[:1].isdigit() or sentence[:1] in "（(一二三四五六七八九十":
        f.append("heading")
    f += ["rule=" + p for p in sorted(props_fwd)] + ["rrule=" + p for p in sorted(props_back)]
    f += ["trule=" + t + "|" + p for p in sorted(props_fwd)]
    return f
