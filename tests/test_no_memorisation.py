"""Extraction must generalise: no gold answer may be written into the code or its resources.

Scans every file of kg/ for the names and aliases of every gold file: gold-dev.json (all
aliases), and ../shared/train/gold.json and the project's data/gold/pool.json (canonical names and
aliases of five characters or more: their shorter aliases are bare type words such as 开发区 that
the texts use for one specific zone). A name may appear only if it is general vocabulary, listed
below with the reason.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import ROOT, shared_dir

# General vocabulary that a gold entity happens to be named by. Each group says why it is general.
ALLOWED_BY_CLASS = {
    # Provinces, cities, counties and named regions are gazetteer vocabulary (cpca ships them).
    "Place",
    # Industry names are the national classification of strategic emerging industries,
    # a closed general vocabulary, not answers about one text.
    "Industry",
}
ALLOWED_NAMES = {
    # Generic government bodies every province has (department types, not specific answers).
    "省发改委", "省工信厅", "省科技厅", "省商务厅", "省财政厅", "省人社厅", "省自然资源厅", "省生态环境厅",
    "省住建厅", "省统计局", "省编办", "省政府", "省委", "省政府办公厅", "省政务服务办", "省教育厅",
    "省市场监管局", "省税务局", "省金融办", "省地方金融监管局", "省委组织部", "省国资委", "省委编办",
    "省人力资源和社会保障厅", "省发展改革委", "省交通运输厅", "省水利厅", "省农业农村厅", "省审计厅",
    "国家发展改革委", "国家发改委", "国务院", "省工业和信息化厅", "省科学技术厅",
    # Bare body types that the gold uses as an alias of one specific body in one text.
    "管委会", "行政审批局", "党工委",
    # Generic fund and reform types: every zone report uses them; they name a kind, not an answer.
    "产业引导基金", "科创基金", "人事制度改革", "行政审批改革", "放管服改革", "体制机制改革",
    # National bodies of the Party and the State: a closed list any reader of Chinese news knows,
    # the vocabulary that tells a central body from a local one.
    "党中央", "中共中央", "中央办公厅", "全国人大常委会", "中央军委", "中国人民银行", "商务部",
    # Type words that a text used as the whole name of one body or zone, and the reform the
    # project exists to track (named in its brief).
    "省人民政府", "开发区管委会", "新区管委会", "自贸试验区", "证照分离", "开发区改革",
    # The national catalogue of development zones: cited in kg/resources as the source of the
    # zone-type vocabulary, which is where such a list should come from.
    "中国开发区审核公告目录",
}


def gold_names() -> dict[str, str]:
    names = {}
    files = [(shared_dir() / "eval" / "gold-dev.json", 0), (shared_dir() / "train" / "gold.json", 5),
             (ROOT / "data" / "gold" / "pool.json", 5)]
    for path, min_alias in files:
        if not path.exists():
            continue
        for e in json.loads(path.read_text(encoding="utf-8"))["entities"]:
            if e["type"] in ALLOWED_BY_CLASS:
                continue
            for n in [e["name"], *(a for a in e["aliases"] if len(a) >= min_alias)]:
                n = re.sub(r"[“”\"《》\s]", "", n)
                if len(n) >= 3 and n not in ALLOWED_NAMES:
                    names[n] = f"{path.name}: {e['type']} {e['name']}"
    return names


def test_no_gold_name_in_code_or_resources():
    names = gold_names()
    assert len(names) > 200, "the gold file should give hundreds of names to look for"
    hits = []
    for f in sorted((ROOT / "kg").rglob("*")):
        if not f.is_file() or f.suffix not in {".py", ".txt", ".tsv", ".json", ".csv", ".md"}:
            continue
        # Line by line: joining the lines of a word list would invent names across items.
        for i, line in enumerate(f.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            line = re.sub(r"[“”\"《》\s]", "", line)
            for n, what in names.items():
                if n in line:
                    hits.append(f"{f.relative_to(ROOT)}:{i}: {n} ({what})")
    assert not hits, "gold answers written into the code:\n" + "\n".join(hits[:50])
