"""The gold corpora, read from where they live, as one list of documents.

Three sources, all in the format of ``../shared/ANNOTATION.md``:

- ``seed``:  ``../shared/eval/gold-dev.json`` over ``../shared/corpus`` (the five seed texts; the
  grammars were written while reading them, so they are in-sample for the rules);
- ``train``: ``../shared/train/gold.json`` over ``../shared/train/texts``;
- ``pool``:  the project's own annotations, ``data/gold/pool.json``, over ``../shared/pool/texts``
  (evidence as character offsets: the project keeps no copy of the texts).

Each document keeps only its own entities (an entity listed for several documents is split into
one per document), so that any subset of documents can be scored on its own.
"""
from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLD_DIR = ROOT / "data" / "gold"
SPLIT_FILE = GOLD_DIR / "split.json"
POOL_GOLD = GOLD_DIR / "pool.json"


def shared_dir() -> Path:
    return Path(os.environ.get("KG_SHARED", ROOT.parent / "shared"))


@dataclass
class GoldDoc:
    id: str
    source: str                 # "seed", "train" or "pool"
    path: Path                  # the text file
    kind: str                   # "news", "law", "report" or "plan" (balances the folds)
    title: str = ""             # the title sources.json gives (an excerpt may not print it)
    entities: list[dict] = field(default_factory=list)
    relations: list[dict] = field(default_factory=list)
    observations: list[dict] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def read(self, extractor):
        """The document as ``kg build --metadata`` reads it: the text with its listed title."""
        doc = extractor.read(self.path)
        if self.title:
            doc.title = self.title
        return doc


def _kind(label: str) -> str:
    label = label.lower()
    if label.startswith("news"):
        return "news"
    if label.startswith("law"):
        return "law"
    if "report" in label:
        return "report"
    return "plan"


def _split_docs(gold: dict, folder: Path, source: str, meta: dict[str, dict]) -> list[GoldDoc]:
    """One GoldDoc per document of a gold file, each with its own copy of its entities."""
    docs = {d: GoldDoc(d, source, folder / f, _kind(meta[d]["kind"]) if d in meta else "plan",
                       meta.get(d, {}).get("title", "")) for d, f in gold["documents"].items()}
    for e in gold["entities"]:
        for d in e["docs"]:
            if d in docs:
                docs[d].entities.append({**e, "id": f"{d}:{e['id']}", "docs": [d]})
    for r in gold["relations"]:
        docs[r["doc"]].relations.append({**r, "s": f"{r['doc']}:{r['s']}", "o": f"{r['doc']}:{r['o']}"})
    for o in gold.get("observations", []):
        docs[o["doc"]].observations.append({**o, "about": f"{o['doc']}:{o['about']}"})
    return list(docs.values())


def _sources(folder: Path) -> dict[str, dict]:
    """sources.json by document id: kind and title as the collection lists them."""
    return {s["id"]: s for s in json.loads((folder / "sources.json").read_text(encoding="utf-8"))}


def load_all(shared: Path | None = None) -> list[GoldDoc]:
    """Every gold document there is, in a fixed order (seed, train, pool; by id)."""
    shared = shared or shared_dir()
    out: list[GoldDoc] = []
    dev = shared / "eval" / "gold-dev.json"
    if dev.exists():
        out += _split_docs(json.loads(dev.read_text(encoding="utf-8")), shared / "corpus", "seed", {})
    train = shared / "train" / "gold.json"
    if train.exists():
        out += _split_docs(json.loads(train.read_text(encoding="utf-8")), shared / "train", "train",
                           _sources(shared / "train"))
    if POOL_GOLD.exists() and (shared / "pool").exists():
        pool = json.loads(POOL_GOLD.read_text(encoding="utf-8"))
        for d in _split_docs(pool, shared / "pool", "pool", _sources(shared / "pool")):
            text = d.text
            for item in d.relations + d.observations:      # offsets back to the quoted sentence
                item.setdefault("evidence", text[item["start"]:item["end"]])
            out.append(d)
    return sorted(out, key=lambda d: ({"seed": 0, "train": 1, "pool": 2}[d.source], d.id))


def locked_ids() -> frozenset[str]:
    if not SPLIT_FILE.exists():
        return frozenset()
    return frozenset(json.loads(SPLIT_FILE.read_text(encoding="utf-8"))["locked"])


def draw_locked(candidates: dict[str, str], total: int, seed: int) -> list[str]:
    """A quarter of ``total`` documents, drawn per kind in proportion, with a fixed seed.

    ``candidates`` maps document id to kind. Seed texts are never candidates: the grammars were
    written while reading them, so they cannot stand for unseen text.
    """
    want = round(total / 4)
    by_kind: dict[str, list[str]] = {}
    for d, k in sorted(candidates.items()):
        by_kind.setdefault(k, []).append(d)
    n = len(candidates)
    quota = {k: int(len(v) * want / n) for k, v in by_kind.items()}
    rest = sorted(by_kind, key=lambda k: -(len(by_kind[k]) * want / n - quota[k]))
    for k in rest[: want - sum(quota.values())]:
        quota[k] += 1
    rng = random.Random(seed)
    return sorted(d for k in sorted(by_kind) for d in rng.sample(by_kind[k], quota[k]))


def folds(docs: list[GoldDoc], k: int = 5) -> list[list[GoldDoc]]:
    """``k`` folds by document, each kind dealt round-robin so every fold has its share."""
    out: list[list[GoldDoc]] = [[] for _ in range(k)]
    i = 0
    for kind in sorted({d.kind for d in docs}):
        for d in sorted((d for d in docs if d.kind == kind), key=lambda d: d.id):
            out[i % k].append(d)
            i += 1
    return out
