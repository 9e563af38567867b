"""Figures tied to actors (kg/observe.py), on hand-written sentences and hand-built mentions."""
from __future__ import annotations

from decimal import Decimal

from kg.observe import figures, observe, parse_number
from test_relate import make_doc, mention


def obs(doc, ms):
    return {(o.about.key, o.value, o.unit) for o in observe(doc, ms)}


def test_parse_number_arabic_and_chinese():
    assert parse_number("25.5") == Decimal("25.5")
    assert parse_number("１２") == Decimal("12")
    assert parse_number("一千三百") == 1300
    assert parse_number("三十五") == 35
    assert parse_number("百") == 100


def test_amounts_percent_and_period_for_the_zone_in_focus():
    doc = make_doc("2023年，株洲高新区实现技工贸总收入3200.5亿元，同比增长8.2%。")
    z = mention(doc, "Zone", "株洲高新区")
    got = observe(doc, [z])
    values = {(o.value, o.unit) for o in got}
    assert (Decimal("320050000000"), "CNY") in values
    assert (Decimal("8.2"), "percent") in values
    assert all(o.about.key == "株洲高新区" and o.period == "2023" for o in got)
    total = next(o for o in got if o.unit == "CNY")
    assert total.indicator == "技工贸总收入"
    assert str(total.value) == "320050000000"


def test_units_and_multipliers():
    doc = make_doc("株洲高新区持续优化营商环境。",
                   "新增市场主体1500余家，引进博士三十五名，接待访客2.6万人次，审批时间缩短至3个工作日，"
                   "等候时间减少5.5分钟，出口额4.2亿美元，建成厂房12万平方米，规划面积18平方公里，"
                   "征地800亩，储能产能20GWh，固废处理3万吨。")
    z = mention(doc, "Zone", "株洲高新区", 0)
    got = {(o.value, o.unit) for o in observe(doc, [z])}
    assert {(Decimal(1500), "count"), (Decimal(35), "person"), (Decimal(26000), "person-time"),
            (Decimal(3), "day"), (Decimal("5.5"), "minute"), (Decimal(420000000), "USD"),
            (Decimal(120000), "m2"), (Decimal(18), "km2"), (Decimal(800), "mu"),
            (Decimal(20), "GWh"), (Decimal(30000), "ton")} <= got


def test_form_checks_drop_ordinals_ranges_quotes_and_generic_counts():
    text = "2019年园区排名全省第12位，构建“3+5”产业体系，力争培育1-2家龙头企业，一名干部联系6个方面，新增企业40家。"
    assert [(f.value, f.unit) for f in figures(text)] == [(Decimal(40), "count")]


def test_skipped_figures_give_no_observation():
    doc = make_doc("株洲高新区持续优化营商环境。",
                   "2019年园区排名全省第12位，构建“3+5”产业体系，力争培育1-2家龙头企业。",
                   "年均增长10%，每年新增50个项目，一名干部联系三个部门，涉及6个方面的问题。",
                   "一分钟，政务中心接待3位群众，办结2个事项。",
                   "超300亿元园区4个，产值有望破50亿元、100亿元的企业不断涌现。")
    z = mention(doc, "Zone", "株洲高新区", 0)
    assert observe(doc, [z]) == []


def test_about_company_subject_project_name_and_named_after_figure():
    doc = make_doc("株洲高新区持续优化营商环境。",
                   "湘江电机有限公司营收由5亿元提高到8亿元；园区税收增长12%。",
                   "引进总投资60亿元的云龙20GWh储能电池项目。",
                   "建成30平方公里栗雨科技园。")
    z = mention(doc, "Zone", "株洲高新区", 0)
    c = mention(doc, "Company", "湘江电机有限公司", 1)
    p = mention(doc, "Project", "云龙20GWh储能电池项目", 2)
    park = mention(doc, "Zone", "栗雨科技园", 3)
    got = obs(doc, [z, c, p, park])
    assert {("湘江电机有限公司", Decimal(500000000), "CNY"), ("湘江电机有限公司", Decimal(800000000), "CNY"),
            ("株洲高新区", Decimal(12), "percent"), ("云龙20GWh储能电池项目", Decimal(6000000000), "CNY"),
            ("云龙20GWh储能电池项目", Decimal(20), "GWh"), ("栗雨科技园", Decimal(30), "km2")} <= got
    assert not any(a == "株洲高新区" and v == 500000000 for a, v, _ in got)


def test_anaphor_refers_to_last_company_and_agency_reports_for_the_zone():
    doc = make_doc("株洲高新区持续优化营商环境。",
                   "园区给予湘江电机有限公司一笔投资，如今该公司估值达12亿元。",
                   "其中，行政审批局办结审批事项3200件。")
    z = mention(doc, "Zone", "株洲高新区", 0)
    c = mention(doc, "Company", "湘江电机有限公司", 1)
    ag = mention(doc, "Agency", "行政审批局", 2)
    got = obs(doc, [z, c, ag])
    assert ("湘江电机有限公司", Decimal(1200000000), "CNY") in got
    assert ("株洲高新区", Decimal(3200), "count") in got


def test_no_actor_no_observation_in_policy_document_except_province_targets():
    doc = make_doc("湖南省人民政府办公厅关于印发《园区提质行动方案》的通知",
                   "湘政办发〔2021〕12号",
                   "（一）年度主营业务收入300亿元以上。（牵头单位：省发展改革委）",
                   "到2025年，全省园区实现技工贸总收入达到8万亿元。")
    prov = mention(doc, "Place", "湖南省", 0, attrs=(("code", "430000"),))
    got = observe(doc, [prov])
    assert {(o.about.key, o.value, o.unit, o.period) for o in got} == \
        {("湖南省", Decimal(8000000000000), "CNY", "2025")}
    assert got[0].about.ref


def test_quoted_speech_keeps_its_figures():
    doc = make_doc("株洲高新区持续优化营商环境。", "“今年以来，我们已培训技工超3000人，效果很好。”")
    z = mention(doc, "Zone", "株洲高新区", 0)
    assert ("株洲高新区", Decimal(3000), "person") in obs(doc, [z])


def test_period_ranges():
    doc = make_doc("株洲高新区持续优化营商环境。",
                   "2024年前10个月共收集企业诉求320个。",
                   "自2023年3月1日至6月30日开展专项行动，签约项目45个。")
    z = mention(doc, "Zone", "株洲高新区", 0)
    periods = {o.value: o.period for o in observe(doc, [z])}
    assert periods[Decimal(320)] == "2024-01/2024-10"
    assert periods[Decimal(45)] == "2023-03-01/2023-06-30"


def test_place_as_subject_owns_its_figure_but_not_when_only_adjacent():
    doc = make_doc("株洲高新区持续优化营商环境。",
                   "2023年，株洲市地区生产总值达到3600亿元。",
                   "园区承接长沙市120项审批事项。")
    z = mention(doc, "Zone", "株洲高新区", 0)
    city = mention(doc, "Place", "株洲市", 1)
    cs = mention(doc, "Place", "长沙市", 2)
    got = obs(doc, [z, city, cs])
    assert ("株洲市", Decimal(360000000000), "CNY") in got
    assert ("株洲高新区", Decimal(120), "count") in got


def test_traditional_characters_are_read_like_simplified():
    doc = make_doc("株洲高新區持續優化營商環境。", "深化「一網通辦」改革，新增市場主體1500餘家。")
    z = mention(doc, "Zone", "株洲高新區", 0)
    m = mention(doc, "Measure", "「一網通辦」改革", 1)
    from kg.relate import relate
    assert {(r.subject.key, r.prop, r.object.key) for r in relate(doc, [z, m])} == \
        {("株洲高新區", "implements", "「一網通辦」改革")}
    got = observe(doc, [z, m])
    assert [(o.about.key, o.value, o.unit) for o in got] == [("株洲高新區", Decimal(1500), "count")]
    assert got[0].indicator == "新增市場主體"


def test_framing_clause_belongs_to_the_subject_after_it_other_figures_to_the_focus():
    doc = make_doc("株洲高新区持续优化营商环境。",
                   "从租用厂房，到拥有占地80亩的新厂区，湘江电机有限公司用了不到6年。",
                   "新增企业40家，湘江电机有限公司也在其中。")
    z = mention(doc, "Zone", "株洲高新区", 0)
    c1 = mention(doc, "Company", "湘江电机有限公司", 1)
    c2 = mention(doc, "Company", "湘江电机有限公司", 2)
    got = obs(doc, [z, c1, c2])
    assert ("湘江电机有限公司", Decimal(80), "mu") in got
    assert ("株洲高新区", Decimal(40), "count") in got


def test_whole_province_target_when_the_province_is_named_only_in_bodies(tmp_path):
    from kg.pipeline import Extractor
    ex = Extractor()
    path = tmp_path / "p.txt"
    path.write_text("湖南省人民政府办公厅关于印发开发区提升方案的通知\n"
                    "到2027年，全省开发区营业收入达到8万亿元。\n", encoding="utf-8")
    out = ex.extract(ex.read(path))
    obs = [o for o in out.observations if o.unit == "CNY"]
    assert obs and obs[0].about.name == "湖南省" and obs[0].value == 8 * 10**12
