"""Score extractions against gold documents with ``../shared/eval/evaluate.py``'s own matching.

Each document is resolved, written as a graph and scored alone against its own gold; the counts
are summed over documents (micro P/R/F1), per class, per relation and for the figures. Scoring
document by document means any set of documents (a fold, the locked split) is scored the same way.
"""
from __future__ import annotations

import importlib.util
from collections import defaultdict
from functools import lru_cache

from .gold import GoldDoc, shared_dir


@lru_cache(maxsize=1)
def evaluator():
    """The shared kit's evaluate.py, imported as a module (it is the judge: never copied here)."""
    path = shared_dir() / "eval" / "evaluate.py"
    spec = importlib.util.spec_from_file_location("reform_kg_evaluate", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def graph_of(extraction):
    """The document's named graph as an rdflib graph (what an N-Triples export of it would give)."""
    from rdflib import Graph

    from ..graph import document_triples
    from ..resolve import resolve

    res = resolve([extraction])
    lines = [f"{s} {p} {o} ." for s, p, o in document_triples(extraction, res)]
    g = Graph()
    g.parse(data="\n".join(lines), format="nt")
    return g


def gold_json(doc: GoldDoc) -> dict:
    return {"documents": {doc.id: doc.path.name}, "entities": doc.entities,
            "relations": doc.relations, "observations": doc.observations}


class Tally:
    """Summed counts of several per-document reports."""

    def __init__(self):
        self.ent = defaultdict(lambda: [0, 0, 0])       # class -> [tp, sys, gold]
        self.rel = defaultdict(lambda: [0, 0, 0, 0])    # prop -> [tp_sys, sys, hit_gold, gold]
        self.obs = [0, 0, 0, 0]
        self.docs = 0
        self.examples: dict[str, list] = defaultdict(list)

    def add(self, rep: dict, doc_id: str = "") -> None:
        self.docs += 1
        for c, v in rep["entities"].items():
            t = self.ent[c]
            t[0] += v["tp"]; t[1] += v["sys"]; t[2] += v["gold"]
        for p, v in rep["relations"].items():
            t = self.rel[p]
            t[0] += round(v["p"] * v["sys"]); t[1] += v["sys"]; t[2] += v["tp"]; t[3] += v["gold"]
        o = rep["observations"]
        self.obs[0] += round(o["p"] * o["sys"]); self.obs[1] += o["sys"]; self.obs[2] += o["tp"]; self.obs[3] += o["gold"]
        for k, items in rep.get("examples", {}).items():
            self.examples[k] += [f"{doc_id}: {x}" for x in items]

    def merge(self, other: "Tally") -> None:
        for c, v in other.ent.items():
            self.ent[c] = [a + b for a, b in zip(self.ent[c], v)]
        for p, v in other.rel.items():
            self.rel[p] = [a + b for a, b in zip(self.rel[p], v)]
        self.obs = [a + b for a, b in zip(self.obs, other.obs)]
        self.docs += other.docs
        for k, v in other.examples.items():
            self.examples[k] += v

    @staticmethod
    def _f(tp_sys, sys_, hit, gold) -> dict:
        p = tp_sys / sys_ if sys_ else (1.0 if not gold else 0.0)
        r = hit / gold if gold else (1.0 if not sys_ else 0.0)
        return {"p": p, "r": r, "f": 2 * p * r / (p + r) if p + r else 0.0, "sys": sys_, "gold": gold}

    def summary(self) -> dict:
        e = [sum(v[i] for v in self.ent.values()) for i in range(3)]
        r = [sum(v[i] for v in self.rel.values()) for i in range(4)]
        return {
            "docs": self.docs,
            "entity": self._f(e[0], e[1], e[0], e[2]),
            "relation": self._f(*r),
            "observation": self._f(*self.obs),
            "classes": {c: self._f(v[0], v[1], v[0], v[2]) for c, v in sorted(self.ent.items())},
            "relations": {p: self._f(*v) for p, v in sorted(self.rel.items()) if v[1] or v[3]},
        }


def score_doc(extraction, doc: GoldDoc, show: int = 0) -> dict:
    ev = evaluator()
    return ev.evaluate(gold_json(doc), graph_of(extraction), None, show)


def score(extractor, docs: list[GoldDoc], show: int = 0) -> Tally:
    """Extract each gold document with ``extractor`` and sum the per-document scores."""
    tally = Tally()
    for d in docs:
        ex = extractor.extract(d.read(extractor))
        tally.add(score_doc(ex, d, show), d.id)
    return tally
