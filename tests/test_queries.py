"""The saved research questions in queries/*.rq: each runs with `kg query --file` on the seed graph
and answers with facts that the corpus states (robust facts, not exact counts)."""
from __future__ import annotations

import json
import re

import pytest

from conftest import ROOT, run_kg

QUERIES = sorted((ROOT / "queries").glob("*.rq"))
RKG = "https://w3id.org/reform-kg/ontology#"


@pytest.fixture(scope="module")
def answers(built_store) -> dict[str, list[dict]]:
    """Every saved query run once through the command line, as JSON rows."""
    out = {}
    for q in QUERIES:
        p = run_kg("query", "--store", built_store, "--file", q, "--format", "json", check=True)
        out[q.stem] = json.loads(p.stdout)
    return out


def rows_with(rows: list[dict], **contains) -> list[dict]:
    """Rows whose columns contain the given substrings."""
    return [r for r in rows if all(v in (r.get(k) or "") for k, v in contains.items())]


def test_at_least_twelve_saved_questions_with_zh_and_en_headers():
    assert len(QUERIES) >= 12
    for q in QUERIES:
        head = q.read_text(encoding="utf-8").splitlines()[:3]
        assert re.match(r"# zh: \S", head[0]) and re.match(r"# en: \S", head[1]), f"{q.name}: header must state the question"


def test_every_saved_question_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Saved questions" in readme
    section = readme.split("## Saved questions", 1)[1]
    for q in QUERIES:
        assert f"queries/{q.name}" in section, f"{q.name} is not listed in README's Saved questions"


def test_every_saved_question_runs_and_answers(answers):
    empty = [name for name, rows in answers.items() if not rows]
    assert empty == [], f"saved questions with no answer on the seed graph: {empty}"


def test_reform_diffusion(answers):
    rows = answers["reform_diffusion"]
    ganzhou = rows_with(rows, zoneLabel="赣州")
    assert len(ganzhou) >= 5
    assert all(r["provinceLabel"] == "江西省" for r in ganzhou)
    assert len({r["zone"] for r in rows}) >= 4
    # a reform shared by several zones in several provinces: the diffusion the query is for
    spread = [r for r in rows if int(r["zonesWithMeasure"]) >= 2 and ("放管服" in r["measureLabel"] or "证照分离" in r["measureLabel"])]
    assert len({r["provinceCode"] for r in spread}) >= 2


def test_agencies_ranked(answers):
    rows = answers["agencies_ranked"]
    by_label = {r["agencyLabel"]: r for r in rows}
    assert int(by_label["省发改委"]["leads"]) >= 5 and int(by_label["省工信厅"]["leads"]) >= 5
    tasks = [int(r["tasks"]) for r in rows]
    assert tasks == sorted(tasks, reverse=True)
    assert all(int(r["tasks"]) >= max(int(r["leads"]), int(r["shares"])) for r in rows)


def test_responsibility_matrix(answers, built_store):
    rows = answers["responsibility_matrix"]
    assert rows_with(rows, agencyLabel="省发改委", role="牵头")
    assert rows_with(rows, role="责任")
    plans = {r["plan"] for r in rows}
    assert len(plans) >= 2
    # bound to one plan, the matrix only shows that plan's tasks
    import kg
    from pyoxigraph import NamedNode

    plan = rows_with(rows, agencyLabel="省发改委", role="牵头")[0]["plan"]
    df = kg.dataframe(built_store, (ROOT / "queries/responsibility_matrix.rq").read_text(encoding="utf-8"),
                      {"plan": NamedNode(plan)})
    assert len(df) > 0 and set(df["plan"]) == {plan}
    assert len(df) < len(rows)


def test_funds(answers):
    rows = answers["funds"]
    assert rows_with(rows, fundLabel="基金", founderLabel="赣州")
    invested = rows_with(rows, investeeLabel="好朋友")
    assert invested and any(r["investedCNY"] for r in invested)


def test_attracted_per_zone(answers):
    rows = answers["attracted_per_zone"]
    ganzhou = rows_with(rows, zoneLabel="赣州")
    assert len({r["item"] for r in ganzhou}) >= 3
    assert any(r["amountCNY"] and float(r["amountCNY"]) >= 1e9 for r in ganzhou)   # 131亿元 / 300亿元 projects
    assert {r["class"] for r in rows} <= {"Company", "Project"}


def test_figures_per_zone_and_year(answers):
    rows = answers["figures_per_zone_year"]
    ganzhou = rows_with(rows, zoneLabel="赣州")
    assert any(r["year"] == "2024" for r in ganzhou)
    assert any(r["unit"] == "CNY" and float(r["value"]) >= 1e8 for r in ganzhou)
    assert all(r["year"] == (r["period"] or "")[:4] for r in rows)


def test_who_works_for_whom(answers):
    rows = answers["who_works_for_whom"]
    assert rows_with(rows, personLabel="李奎", orgLabel="党群部")
    assert {r["orgClass"] for r in rows} <= {"Agency", "Company", "Zone", "Institution"}


def test_cooperation_network(answers):
    rows = answers["cooperation_network"]
    pairs = {frozenset((r["aLabel"], r["bLabel"])) for r in rows}
    assert any(any("赣州" in x for x in p) and any("大学" in x for x in p) for p in pairs)
    assert len(pairs) == len(rows)          # each pair once, whatever the direction
    assert all(int(r["evidence"]) >= 1 for r in rows)


def test_policies_and_citations(answers):
    rows = answers["policies_citations"]
    plan = rows_with(rows, policyLabel="三年攻坚行动计划")
    assert plan and max(int(r["citedBy"]) for r in plan) >= 3
    assert rows_with(rows, citesLabel="三年攻坚行动计划")


def test_evidence_for_a_bound_triple(answers, built_store):
    import kg
    from pyoxigraph import NamedNode

    lead = rows_with(answers["responsibility_matrix"], agencyLabel="省发改委", role="牵头")[0]
    text = (ROOT / "queries/evidence_for_triple.rq").read_text(encoding="utf-8")
    df = kg.dataframe(built_store, text, {"s": NamedNode(lead["agency"]), "p": NamedNode(RKG + "leads"),
                                          "o": NamedNode(lead["task"])})
    assert len(df) >= 1
    assert all("省发改委" in s and "牵头" in s for s in df["sentence"])
    assert all(src.endswith(".txt") and end > start for src, start, end in zip(df["source"], df["start"], df["end"]))
    # unbound, it lists the evidence of every relation
    assert len(answers["evidence_for_triple"]) > 100


def test_zone_industries(answers):
    rows = answers["zone_industries"]
    assert any(("新能源" in r["industryLabel"] or "电子信息" in r["industryLabel"]) for r in rows_with(rows, zoneLabel="赣州"))


def test_zone_profiles(answers):
    rows = answers["zone_profiles"]
    ganzhou = rows_with(rows, zoneLabel="赣州经开区") or rows_with(rows, zoneLabel="赣州")
    assert ganzhou and int(ganzhou[0]["measures"]) >= 10 and int(ganzhou[0]["documents"]) >= 2
    assert len({r["zone"] for r in rows}) == len(rows)


def test_agency_coordination(answers):
    rows = answers["agency_coordination"]
    assert len(rows) >= 10 and int(rows[0]["sharedTasks"]) >= 2
    assert any("省发改委" in (r["aLabel"] + r["bLabel"]) for r in rows)


def test_cross_document_entities(answers):
    rows = answers["cross_document_entities"]
    assert any("赣州" in r["label"] and r["class"] == "Zone" for r in rows)
    assert all(int(r["documents"]) >= 2 for r in rows)


def test_entity_search(answers):
    rows = answers["entity_search"]
    assert rows and all("赣州" in r["matched"] for r in rows)
    assert {"Zone", "Place"} <= {r["class"] for r in rows}
