"""kg/outline.py: structure of policy documents, on an invented provincial notice with two attachments."""
from __future__ import annotations

import re

import pytest

from kg.model import Document
from kg.outline import (docnum_key, genre, outline, parse, section_label, simplified, split_agencies,
                        split_units, tasks, title_parts, _is_generic)
from kg.segment import split_sentences
from kg.segment import Segmenter

SEG = Segmenter()   # one tokenizer for the module: its dictionary loads once

NOTICE = """湖南省园区发展领导小组关于印发《湖南省园区高质量发展三年行动计划》配套方案的通知

各市州人民政府,省直有关单位:

  经省人民政府同意,现将《湖南省园区高质量发展三年行动计划》配套方案印发给你们,请认真贯彻执行。

  附件:1.湖南省园区亩均效益提升行动方案

        2.湖南省园区认定管理办法

2021年3月1日

附件1

湖南省园区亩均效益提升行动方案

为贯彻落实省委、省政府《关于推动园区高质量发展的若干意见》(湘发〔2020〕9号),根据《湖南省园区高质量发展三年行动计划(2020-2022年)》(湘政办发〔2020〕5号),制定本方案。

一、总体要求

以提高土地产出为核心,推动园区集约发展。

二、重点任务

(一)强化要素保障

1.建立亩均评价体系。每年开展一次园区亩均效益评价,评价结果向社会公布。(牵头单位:省发展改革委;责任单位:省自然资源厅、省统计局,各市州人民政府)

2.盘活低效用地推进闲置土地清理处置,到2022年底前完成存量闲置土地处置。(牵头单位:省自然资源厅;责任单位:省财政厅及相关单位)

(二)完善服务体系

3.推行企业服务专员制度。各园区为重点企业配备服务专员。
(责任单位:省工业和信息化厅、各市、县(区)政府)

三、保障措施

(一)加强督查考核。将园区亩均效益提升行动纳入年度考核,每季度调度进展。(牵头单位:省发展改革委)

附件2

湖南省园区认定管理办法

一、认定条件

1.符合规划。园区应当符合国土空间规划。

二、认定程序

1.提出申请。由所在地市州人民政府向省发展改革委提出申请。
"""

NOTICE_NAME = "关于印发《湖南省园区高质量发展三年行动计划》配套方案的通知"
PLAN = "湖南省园区亩均效益提升行动方案"
RULES = "湖南省园区认定管理办法"
CITED = "湖南省园区高质量发展三年行动计划(2020-2022年)"
OPINION = "关于推动园区高质量发展的若干意见"


def make_doc(text: str, source: str = "t.txt") -> Document:
    doc = Document(source=source, raw=text, text=text, offsets=list(range(len(text) + 1)), sha256="0")
    doc.sentences = split_sentences(doc)
    return doc


def triples(rels) -> set[tuple[str, str, str]]:
    return {(r.subject.key, r.prop, r.object.key) for r in rels}


@pytest.fixture(scope="module")
def result():
    doc = make_doc(NOTICE)
    more, rels = outline(doc, [], SEG)
    return doc, more, rels


def test_mentions_are_spans_of_the_text(result):
    doc, more, rels = result
    for m in more + [r.subject for r in rels] + [r.object for r in rels]:
        assert doc.text[m.start:m.end] == m.text
        s = doc.sentences[m.sentence]
        assert s.clean_start <= m.start < s.clean_end


def test_notice_title_issuer_and_attachments(result):
    _, more, rels = result
    policies = {(m.text, m.key) for m in more if m.cls == "Policy"}
    assert ("湖南省园区发展领导小组" + NOTICE_NAME, NOTICE_NAME) in policies
    assert (NOTICE_NAME, NOTICE_NAME) in policies
    assert (PLAN, PLAN) in policies and (RULES, RULES) in policies
    t = triples(rels)
    assert (NOTICE_NAME, "issuedBy", "湖南省园区发展领导小组") in t
    assert (PLAN, "partOf", NOTICE_NAME) in t
    assert (RULES, "partOf", NOTICE_NAME) in t
    part_of = {r.subject.key: r.evidence.sentence for r in rels
               if r.prop == "partOf" and r.object.key == NOTICE_NAME}
    assert part_of == {PLAN: "附件:1." + PLAN, RULES: "2." + RULES}


def test_citations_document_numbers_and_issuers(result):
    _, more, rels = result
    by_text = {m.text: m.key for m in more if m.cls == "Policy"}
    # The plan named in the notice title, with and without its years and by its number, is one policy.
    assert by_text["湖南省园区高质量发展三年行动计划"] == CITED
    assert by_text["湘政办发〔2020〕5号"] == CITED
    assert by_text["湘发〔2020〕9号"] == OPINION
    t = triples(rels)
    cites = {(s, o) for s, p, o in t if p == "cites"}
    assert cites == {(NOTICE_NAME, CITED), (PLAN, CITED), (PLAN, OPINION)}
    issued = {(s, o) for s, p, o in t if p == "issuedBy"}
    assert issued == {(NOTICE_NAME, "湖南省园区发展领导小组"), (OPINION, "省委"), (OPINION, "省政府")}


def test_tasks_are_headed_items_with_bodies(result):
    _, more, rels = result
    part_of = {(r.subject.key, r.evidence.sentence) for r in rels
               if r.prop == "partOf" and r.subject.cls == "Measure"}
    assert part_of == {
        ("建立亩均评价体系", "1.建立亩均评价体系。"),
        ("盘活低效用地", "2.盘活低效用地"),              # heading run on into its body
        ("推行企业服务专员制度", "3.推行企业服务专员制度。"),
        ("加强督查考核", "(一)加强督查考核。"),
    }
    assert all(r.object.key == PLAN for r in rels if r.prop == "partOf" and r.subject.cls == "Measure")
    measures = {m.text for m in more if m.cls == "Measure"}
    # Group labels without a body, section labels and the regulation's items are not tasks.
    for not_task in ("强化要素保障", "完善服务体系", "总体要求", "保障措施", "符合规划", "提出申请"):
        assert not_task not in measures


def test_responsible_units(result):
    _, more, rels = result
    got = {t for t in triples(rels) if t[1] in ("leads", "responsibleFor")}
    assert got == {
        ("省发展改革委", "leads", "建立亩均评价体系"),
        ("省自然资源厅", "responsibleFor", "建立亩均评价体系"),
        ("省统计局", "responsibleFor", "建立亩均评价体系"),
        ("省自然资源厅", "leads", "盘活低效用地"),
        ("省财政厅", "responsibleFor", "盘活低效用地"),
        ("省工业和信息化厅", "responsibleFor", "推行企业服务专员制度"),
        ("省发展改革委", "leads", "加强督查考核"),
    }
    agencies = {m.text for m in more if m.cls == "Agency"}
    assert not agencies & {"各市州人民政府", "相关单位", "各市、县(区)政府", "县(区)政府"}


def test_unit_evidence_holds_last_sentence_and_bracket(result):
    doc, _, rels = result
    ev = {r.object.key: r.evidence for r in rels if r.prop in ("leads", "responsibleFor")}
    assert ev["建立亩均评价体系"].sentence == (
        "每年开展一次园区亩均效益评价,评价结果向社会公布。"
        "(牵头单位:省发展改革委;责任单位:省自然资源厅、省统计局,各市州人民政府)")
    # The bracket on a line of its own is joined to the task's last sentence.
    assert ev["推行企业服务专员制度"].sentence.startswith("各园区为重点企业配备服务专员。")
    assert ev["推行企业服务专员制度"].sentence.endswith("(责任单位:省工业和信息化厅、各市、县(区)政府)")
    for e in ev.values():
        strip = lambda s: re.sub(r"\s", "", s)
        assert strip(e.sentence) in strip(doc.raw[e.start:e.end])


def test_action_named_after_the_plan(result):
    _, more, _ = result
    actions = [m for m in more if m.cls == "Measure" and m.text == "园区亩均效益提升行动"]
    assert len(actions) == 1


def test_news_text_gives_nothing():
    doc = make_doc("开发区大力推进改革\n\n1.6公里长的道路已建成。\n一、项目建设加快。全年签约项目20个。\n")
    assert outline(doc, [], SEG) == ([], [])


def test_lead_form_and_line_labels():
    text = ("江城市开放型经济发展实施方案\n"
            "1.扩大外资准入。放宽外资准入限制。(市商务局牵头,市发改委、各县区政府按职责分工负责)\n"
            "2.优化通关服务。压缩整体通关时间。\n"
            "牵头单位:江城海关\n"
            "3.引导企业出海。由龙头企业带动配套企业走出去。(龙头企业牵头)\n")
    more, rels = outline(make_doc(text), [], SEG)
    got = {t for t in triples(rels) if t[1] in ("leads", "responsibleFor")}
    assert got == {("市商务局", "leads", "扩大外资准入"), ("市发改委", "responsibleFor", "扩大外资准入"),
                   ("江城海关", "leads", "优化通关服务")}
    assert ("扩大外资准入", "partOf", "江城市开放型经济发展实施方案") in triples(rels)


def test_traditional_characters():
    text = ("江城市園區發展實施方案\n"
            "一、重點任務\n"
            "1.推進園區整合。整合小散園區。(牽頭單位:市發展改革委;責任單位:市財政局)\n")
    more, rels = outline(make_doc(text), [], SEG)
    got = triples(rels)
    assert ("推進園區整合", "partOf", "江城市園區發展實施方案") in got
    assert ("市發展改革委", "leads", "推進園區整合") in got
    assert ("市財政局", "responsibleFor", "推進園區整合") in got


def test_parse_levels_and_parts():
    parts = parse(NOTICE)
    assert [p.title.text for p in parts] == [NOTICE.splitlines()[0], PLAN, RULES]
    plan = parts[1]
    assert [(it.level, it.heading(NOTICE)) for it in plan.items] == [(1, "总体要求"), (1, "重点任务"),
                                                                     (1, "保障措施")]
    assert [c.heading(NOTICE) for c in plan.items[1].children] == ["强化要素保障", "完善服务体系"]
    assert tasks(NOTICE, parts[2], genre(RULES)) == []


@pytest.mark.parametrize("units,expected", [
    ("省工信厅、省科技厅", ["省工信厅", "省科技厅"]),
    ("各市、县(区)政府,省林业局", ["各市、县(区)政府", "省林业局"]),
    ("有关市、县、区政府", ["有关市、县、区政府"]),
    ("省财政厅及相关单位", ["省财政厅", "相关单位"]),
    ("省商务厅等部门", ["省商务厅"]),
    ("省发展和改革委员会、省人力资源和社会保障厅", ["省发展和改革委员会", "省人力资源和社会保障厅"]),
])
def test_split_units(units, expected):
    assert [units[a:b] for a, b in split_units(units, 0, len(units))] == expected


@pytest.mark.parametrize("unit,generic", [
    ("各设区市政府", True), ("省直有关部门", True), ("相关单位", True), ("市、县(区)政府", True),
    ("县(市、区)人民政府", True), ("省林业局", False), ("市政府", False), ("新区管委会", False),
])
def test_generic_units(unit, generic):
    assert _is_generic(unit) is generic


@pytest.mark.parametrize("issuer,expected", [
    ("省委、省政府", ["省委", "省政府"]),
    ("省委省政府", ["省委", "省政府"]),
    ("江城市人民政府办公室", ["江城市人民政府办公室"]),
    ("省发展和改革委员会", ["省发展和改革委员会"]),
    ("中共江城市委 江城市人民政府", ["中共江城市委", "江城市人民政府"]),
    ("待国家部委启动", None),
])
def test_split_agencies(issuer, expected):
    spans = split_agencies(issuer)
    assert (None if spans is None else [issuer[a:b] for a, b in spans]) == expected


def test_titles_and_keys():
    key, (s, e), issuer_end = title_parts("江城市人民政府关于印发江城市营商环境行动计划(2021-2023年)的通知")
    assert issuer_end == 7 and "江城市人民政府关于印发江城市营商环境行动计划(2021-2023年)的通知"[s:e] == \
        "江城市营商环境行动计划(2021-2023年)"
    assert key == title_parts("江城市营商环境行动计划(2021—2023年)")[0] == title_parts("江城市营商环境行动计划")[0]
    assert docnum_key("江府发〔2020〕5号") == docnum_key("江府发[2020]5号") == docnum_key("江府发(2020) 5号")
    assert genre("园区认定管理办法") == "rule" and genre("园区提升行动方案") == "task" and genre("中国园区") == ""
    assert section_label("总体要求") == "tasks" and section_label("指导思想和基本原则") == "none"
    assert section_label("加强组织领导") == ""
    assert simplified("牽頭單位") == "牵头单位"


OPINION_DOC = """江城市人民政府办公室关于推进园区提质增效的实施意见
江府办发〔2021〕12号
各县(市、区)人民政府,市直各单位:
为贯彻落实省政府《关于园区改革的若干意见》(湘政发〔2020〕3号),按照市委办公室关于园区考核的通知(江办〔2020〕8号)要求,现提出如下意见。
一、总体要求
(一)指导思想。以园区提质增效为主线,推动高质量发展。
(二)基本原则。
1.坚持规划引领。园区建设符合国土空间规划。
二、重点任务
(三)推动园区整合。对规模较小的园区实施整合。(市发展改革委牵头,市财政局、各县(市、区)人民政府按职责分工负责)
(四)完善园区配套。建设标准厂房和人才公寓(含租赁住房)。
三、保障措施
(五)强化考核评价。落实江府发〔2019〕9号文件要求,开展年度考核。(市商务局负责)
"""


def test_opinion_with_number_unquoted_citation_and_duty_brackets():
    more, rels = outline(make_doc(OPINION_DOC), [], SEG)
    name = "关于推进园区提质增效的实施意见"
    by_text = {m.text: m.key for m in more if m.cls == "Policy"}
    assert by_text["江府办发〔2021〕12号"] == name
    assert by_text["关于园区考核的通知"] == "关于园区考核的通知"
    assert by_text["江办〔2020〕8号"] == "关于园区考核的通知"
    assert by_text["江府发〔2019〕9号"] == "江府发〔2019〕9号"
    t = triples(rels)
    assert {(s, o) for s, p, o in t if p == "cites"} == {
        (name, "关于园区改革的若干意见"), (name, "关于园区考核的通知"), (name, "江府发〔2019〕9号")}
    assert {(s, o) for s, p, o in t if p == "issuedBy"} == {
        (name, "江城市人民政府办公室"), ("关于园区改革的若干意见", "省政府"),
        ("关于园区考核的通知", "市委办公室")}
    assert {s for s, p, o in t if p == "partOf"} == {"推动园区整合", "完善园区配套", "强化考核评价"}
    assert {(s, p, o) for s, p, o in t if p in ("leads", "responsibleFor")} == {
        ("市发展改革委", "leads", "推动园区整合"), ("市财政局", "responsibleFor", "推动园区整合"),
        ("市商务局", "responsibleFor", "强化考核评价")}


def test_headline_about_a_policy_is_not_its_title():
    doc = make_doc("高新区出台人才新政十条措施\n近日,高新区印发《高新区人才引进实施办法》。\n"
                   "一、加大人才引进力度。对引进的高层次人才给予奖励。\n")
    more, rels = outline(doc, [], SEG)
    assert [(m.cls, m.text) for m in more] == [("Policy", "高新区人才引进实施办法")]
    assert rels == []


def test_notice_issuing_its_only_attachment_is_that_plan():
    text = ("江城市人民政府关于印发江城市园区振兴行动方案的通知\n各县区人民政府:\n现将《江城市园区振兴行动方案》印发给你们。\n"
            "附件:江城市园区振兴行动方案\n附件\n江城市园区振兴行动方案\n一、重点任务\n"
            "(一)推动园区扩容。新增园区用地一万亩。(牵头单位:市自然资源局)\n")
    more, rels = outline(make_doc(text), [], SEG)
    plan = "江城市园区振兴行动方案"
    assert {m.key for m in more if m.cls == "Policy"} == {plan}
    assert triples(rels) == {(plan, "issuedBy", "江城市人民政府"), ("推动园区扩容", "partOf", plan),
                             ("市自然资源局", "leads", "推动园区扩容")}


def test_unit_label_after_the_last_sentence():
    text = ("江城市园区升级工作方案\n"
            "1.推进园区扩区。支持园区依法扩区调区。　责任单位：市自然资源局、市发展改革委\n")
    more, rels = outline(make_doc(text), [], SEG)
    assert {t for t in triples(rels) if t[1] == "responsibleFor"} == {
        ("市自然资源局", "responsibleFor", "推进园区扩区"), ("市发展改革委", "responsibleFor", "推进园区扩区")}


def test_attachment_heading_with_its_title_on_the_same_line():
    text = ("江城市人民政府关于印发园区系列方案的通知\n各县区人民政府:\n现将有关方案印发给你们。\n"
            "附件1 江城市园区用地保障方案\n一、强化用地保障。优先安排园区用地指标。(牵头单位:市自然资源局)\n")
    more, rels = outline(make_doc(text), [], SEG)
    t = triples(rels)
    # "关于印发Y的通知" is named by the Y it issues.
    assert ("江城市园区用地保障方案", "partOf", "园区系列方案") in t
    assert ("强化用地保障", "partOf", "江城市园区用地保障方案") in t
    assert ("市自然资源局", "leads", "强化用地保障") in t


# An excerpt of a work report: the text never prints its title, the metadata gives it.
REPORT_EXCERPT = ("二是稳住外贸基本盘。支持企业开拓多元市场。\n"
                  "（六）着力办好民生实事，在提高人民生活品质上开新局。坚持把群众急难愁盼作为主要责任。\n"
                  "一是扩大就业容量。落实援企稳岗政策。\n")


def test_title_given_from_outside_makes_the_excerpt_that_policy():
    doc = make_doc(REPORT_EXCERPT)
    doc.title = "2031年江城省政府工作报告_江城省人民政府网站"
    more, rels = outline(doc, [], SEG)
    policy = [m for m in more if m.cls == "Policy"]
    assert [(m.key, m.start, m.end, m.ref) for m in policy] == [("2031年江城省政府工作报告", 0, 0, True)]
    parts = {r.subject.key for r in rels if r.prop == "partOf" and r.object is policy[0]}
    # the first line is body (not taken for the title), 一是/二是 lines are items, and a
    # "(六)X，Y。" heading of two parallel phrases is one task
    assert parts == {"稳住外贸基本盘", "着力办好民生实事，在提高人民生活品质上开新局", "扩大就业容量"}


@pytest.mark.parametrize("title, given", [
    ("江城省开发区条例(2020-01-20)", "江城省开发区条例"),
    ("江城省人民政府关于促进开发区发展的意见", "江城省人民政府关于促进开发区发展的意见"),
    ("江城开发区一季度签约项目20个", ""),                   # a headline, not a policy title
    ("二是稳住外贸基本盘", ""),
    ("", ""),
])
def test_given_title(title, given):
    from kg.outline import given_title
    assert given_title(title, REPORT_EXCERPT) == given


def test_given_title_printed_in_the_text_is_left_to_the_parser():
    from kg.outline import given_title
    assert given_title("江城省开发区条例", "江城省开发区条例\n第一条 为了促进开发区发展，制定本条例。\n") == ""


def test_title_only_policy_goes_through_resolution_and_the_graph(tmp_path):
    from kg.graph import document_triples
    from kg.pipeline import Extractor
    from kg.resolve import resolve

    f = tmp_path / "excerpt.txt"
    f.write_text(REPORT_EXCERPT, encoding="utf-8")
    ex = Extractor(models="none")
    doc = ex.read(f)
    doc.title = "2031年江城省政府工作报告"
    x = ex.extract(doc)
    triples = [tuple(map(str, t)) for t in document_triples(x, resolve([x]))]
    labels = {o for s, p, o in triples if p.endswith("#label>") or p.endswith("rdf-schema#label")}
    assert any("2031年江城省政府工作报告" in o for o in labels)
    part_of = [t for t in triples if t[1].endswith("#partOf>") or t[1].endswith("#partOf")]
    assert len(part_of) == 3
