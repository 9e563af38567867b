"""Features of the learned models, shared by training (kg.learn) and the runtime stages.

Entity labelling works on characters: the character and its neighbours (single characters and
pairs, never whole words of three or more characters, so no name is memorised whole), the
jieba word it sits in (position, length, POS tag, its last character), quote and book-title
marks around it, the grammars' candidate mentions covering it (kg.recognise) and, with
``--ner lac``, the LAC model's span tag. The grammars thus become evidence the model weighs.
"""
from __future__ import annotations

from itertools import accumulate

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
    pad = "^^" + text + "$$"
    kinds = [_kind(c) for c in text]
    enc = _enclosure(text)
    # the word each character sits in
    wpos, wlen, wtag, wlast = [""] * n, [0] * n, [""] * n, [""] * n
    wid, wprev, wnext = [""] * n, [""] * n, [""] * n
    if words and sum(len(w) for w, _ in words) == n:
        starts = [0, *accumulate(len(w) for w, _ in words)]
        known = [w if (common is None or len(w) < 2 or common(w)) else "?" + str(min(len(w), 5))
                 for w, _ in words]
        for j, ((w, t), a) in enumerate(zip(words, starts)):
            L = len(w)
            prev_w = known[j - 1] if j else "^"
            next_w = known[j + 1] if j + 1 < len(words) else "$"
            for k in range(L):
                wpos[a + k] = "S" if L == 1 else ("B" if k == 0 else ("E" if k == L - 1 else "M"))
                wlen[a + k] = L
                wtag[a + k] = t
                wlast[a + k] = w[-1]
                wid[a + k] = known[j]
                wprev[a + k] = prev_w
                wnext[a + k] = next_w
    rules: list[list[str]] = [[] for _ in range(n)]
    for a, b, cls in rule_spans:
        if b - a == 1:
            rules[a].append("r=S-" + cls)
            continue
        rules[a].append("r=B-" + cls)
        for k in range(a + 1, b - 1):
            rules[k].append("r=I-" + cls)
        rules[b - 1].append("r=E-" + cls)
    lac = [""] * n
    if lac_spans:
        for sp in lac_spans:
            for k in range(sp.start, min(sp.end, n)):
                lac[k] = ("B-" if k == sp.start else "I-") + sp.tag
    out = []
    for i in range(n):
        j = i + 2
        c = pad[j]
        f = ["b", "c=" + c, "p=" + pad[j - 1], "n=" + pad[j + 1], "pp=" + pad[j - 2], "nn=" + pad[j + 2],
             "pc=" + pad[j - 1] + c, "cn=" + c + pad[j + 1], "pp2=" + pad[j - 2:j], "nn2=" + pad[j + 1:j + 3],
             "k=" + kinds[i] + (kinds[i - 1] if i else "^") + (kinds[i + 1] if i + 1 < n else "$"),
             "wp=" + wpos[i] + str(min(wlen[i], 5)), "wt=" + wtag[i], "wl=" + wlast[i], "e=" + enc[i],
             "w=" + wid[i], "wpr=" + wprev[i], "wnx=" + wnext[i]]
        if i < 2:
            f.append("start")
        if rules[i]:
            f += rules[i]
        if lac[i]:
            f.append("lac=" + lac[i])
        out.append(f)
    return out


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
