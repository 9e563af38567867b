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
                  lac_spans: list | None = None) -> list[list[str]]:
    """Feature strings for each character of one sentence.

    ``words`` is the sentence's jieba segmentation as (word, POS tag) covering the text;
    ``rule_spans`` the grammars' mentions as sentence-local (start, end, class);
    ``lac_spans`` the LAC model's spans (objects with start, end, tag) or None.
    """
    n = len(text)
    pad = "^^" + text + "$$"
    kinds = [_kind(c) for c in text]
    enc = _enclosure(text)
    # the word each character sits in
    wpos, wlen, wtag, wlast = [""] * n, [0] * n, [""] * n, [""] * n
    if words and sum(len(w) for w, _ in words) == n:
        starts = [0, *accumulate(len(w) for w, _ in words)]
        for (w, t), a in zip(words, starts):
            L = len(w)
            for k in range(L):
                wpos[a + k] = "S" if L == 1 else ("B" if k == 0 else ("E" if k == L - 1 else "M"))
                wlen[a + k] = L
                wtag[a + k] = t
                wlast[a + k] = w[-1]
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
             "wp=" + wpos[i] + str(min(wlen[i], 5)), "wt=" + wtag[i], "wl=" + wlast[i], "e=" + enc[i]]
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
