"""Resolution of mentions into entities across documents (kg/resolve.py).

The mentions are built by hand (names invented for these tests), so each test checks one
merging rule of the resolver and one case it must keep apart.
"""
from __future__ import annotations

import itertools

from kg.model import Document, Extraction, Mention
from kg.resolve import (agency_key, company_key, measure_key, normkey, policy_key, resolve,
                        zone_key)


def doc(source: str) -> Document:
    return Document(source=source, raw="", text="", offsets=[0], sha256=source)


def m(cls: str, text: str, name: str = "", ref: bool = False, attrs=(), start: int = 0) -> Mention:
    return Mention(cls, text, 0, start, start + len(text), name=name, ref=ref, attrs=tuple(attrs))


def ex(source: str, *mentions: Mention) -> Extraction:
    return Extraction(doc(source), list(mentions))


def entities(res, cls):
    return [e for e in res.entities if e.cls == cls]


def labels(e) -> set[str]:
    return {e.label} | e.alt_labels


# --------------------------------------------------------------------------- keys

def test_normkey_drops_quotes_marks_and_width():
    assert normkey("“一件事一次办”改革") == normkey("一件事一次办改革")
    assert normkey("《Ａ方案》") == normkey("a方案")


def test_zone_key_expands_abbreviations_and_drops_place_prefixes():
    k = zone_key("长沙经济技术开发区")
    assert zone_key("长沙经开区") == k
    assert zone_key("湖南长沙经开区") == k
    assert zone_key("国家级长沙经开区") == k
    assert zone_key("株洲高新区") == zone_key("株洲高新技术产业开发区") == zone_key("株洲国家级高新技术产业开发区")
    assert zone_key("株洲高新区") != zone_key("株洲经开区")
    # a zone named only by its place keeps it; a bracketed sub-name keeps its place
    assert zone_key("长沙经开区") != zone_key("经开区")
    assert zone_key("浏阳（永安）经开区") != zone_key("永安经开区")


def test_agency_key_completes_the_province_and_expands_abbreviations():
    assert agency_key("省发改委", "湖南省") == agency_key("湖南省发展和改革委员会")
    assert agency_key("省政府", "湖南省") == agency_key("湖南省人民政府")
    assert agency_key("省政府办公厅", "湖南省") == agency_key("湖南省人民政府办公厅")
    assert agency_key("省工信厅", "湖南省") == agency_key("湖南省工业和信息化厅")
    assert agency_key("湖南证监局") == agency_key("湖南省证监局")
    assert agency_key("省发改委", "湖南省") != agency_key("省发改委", "湖北省")
    # a body of a zone resolves with the zone's variants
    assert agency_key("湖南长沙经开区管委会") == agency_key("长沙经济技术开发区管理委员会")
    assert agency_key("长沙经开区管委会") != agency_key("株洲经开区管委会")


def test_company_key_drops_legal_form_bracketed_place_and_leading_place():
    k = company_key("远航科技（长沙）股份有限公司")
    assert company_key("远航科技") == k
    assert company_key("长沙远航科技有限公司") == k
    # a place-named works keeps its place: 卷烟厂 alone names nothing
    assert company_key("长沙卷烟厂") != company_key("常德卷烟厂")
    # a branch is its own company
    assert company_key("远航科技有限公司长沙分公司") != k


def test_policy_key_ignores_marks_year_range_issuer_and_province():
    a = policy_key("《湖南省园区提质三年行动计划（2021-2023年）》")
    assert policy_key("湖南省园区提质三年行动计划") == a
    assert policy_key("关于园区提质三年行动计划（2021—2023年）") == a
    assert policy_key("湘政办发〔2021〕9号") == policy_key("湘政办发[2021]9号")


def test_measure_key_merges_quote_and_ending_variants():
    assert measure_key("“一件事一次办”改革") == measure_key("一件事一次办改革")
    assert measure_key("“一件事一次办”改革试点") == measure_key("“一件事一次办”改革")
    assert measure_key("“园区+基金”运营模式改革") == measure_key("“园区+基金”运营模式")
    assert measure_key("开发区亩均效益提升行动") == measure_key("亩均效益提升行动")
    assert measure_key("“数字园区”行动计划") == measure_key("“数字园区”行动")
    assert measure_key("“数字园区”行动") != measure_key("“智慧园区”行动")


# --------------------------------------------------------------------------- resolution

def test_zone_variants_across_documents_are_one_entity():
    res = resolve([
        ex("a.txt", m("Zone", "湖南长沙经开区"), m("Zone", "经开区", name="湖南长沙经开区", ref=True)),
        ex("b.txt", m("Zone", "长沙经济技术开发区"), m("Zone", "株洲高新区")),
    ])
    zones = entities(res, "Zone")
    assert len(zones) == 2
    z = next(e for e in zones if "长沙经济技术开发区" in labels(e))
    assert labels(z) == {"湖南长沙经开区", "长沙经济技术开发区"}        # 经开区 (a reference) is no label
    assert z.label == "长沙经济技术开发区"                              # the form without the province
    assert z.sources == {"a.txt", "b.txt"}


def test_places_merge_by_administrative_code():
    res = resolve([
        ex("a.txt", m("Place", "长沙", name="长沙市", attrs=[("code", "430100")])),
        ex("b.txt", m("Place", "长沙市", attrs=[("code", "430100")]),
           m("Place", "湘潭", name="湘潭市", attrs=[("code", "430300")])),
    ])
    places = entities(res, "Place")
    assert len(places) == 2
    cs = next(e for e in places if e.attrs["code"] == "430100")
    assert cs.label == "长沙市" and cs.alt_labels == {"长沙"}


def test_brand_joins_the_legal_name_found_in_another_document():
    res = resolve([
        ex("a.txt", m("Company", "远航科技")),
        ex("b.txt", m("Company", "远航科技（长沙）股份有限公司"), m("Company", "星河精密科技（长沙）有限公司"),
           m("Company", "星河")),
    ])
    comps = entities(res, "Company")
    assert len(comps) == 2
    yh = next(e for e in comps if "远航科技" in labels(e))
    assert yh.label == "远航科技（长沙）股份有限公司"
    assert "星河" in labels(next(e for e in comps if "星河精密科技（长沙）有限公司" in labels(e)))


def test_provincial_abbreviation_resolves_within_the_document_province():
    hunan = ex("a.txt", m("Place", "湖南", name="湖南省", attrs=[("code", "430000")]),
               m("Agency", "省发改委", start=10), m("Agency", "湖南省发展和改革委员会", start=30))
    hubei = ex("b.txt", m("Place", "湖北", name="湖北省", attrs=[("code", "420000")]), m("Agency", "省发改委", start=12))
    res = resolve([hunan, hubei])
    ags = entities(res, "Agency")
    assert len(ags) == 2
    assert any(labels(e) == {"省发改委", "湖南省发展和改革委员会"} for e in ags)
    # lookup goes through the mention itself, so the Hubei one finds its own entity
    assert res.lookup(hubei.mentions[1]) is not res.lookup(hunan.mentions[1])


def test_document_number_joins_the_titles_it_follows():
    res = resolve([ex("a.txt",
                      m("Policy", "湖南省园区提质三年行动计划（2021-2023年）"),
                      m("Policy", "湘政办发〔2021〕9号", name="湖南省园区提质三年行动计划（2021-2023年）", start=40),
                      m("Policy", "湖南省人民政府办公厅关于印发湖南省园区提质三年行动计划的通知", start=80),
                      m("Policy", "湘政办发[2021]9号", name="湖南省人民政府办公厅关于印发湖南省园区提质三年行动计划的通知",
                        start=140))])
    pols = entities(res, "Policy")
    assert len(pols) == 1
    assert "湘政办发[2021]9号" in labels(pols[0])


def test_measures_with_and_without_quotes_are_one():
    res = resolve([ex("a.txt", m("Measure", "“一件事一次办”改革"), m("Measure", "一件事一次办改革试点", start=20)),
                   ex("b.txt", m("Measure", "“一件事一次办”改革"), m("Measure", "“园区+基金”运营模式"))])
    ms = entities(res, "Measure")
    assert len(ms) == 2


def test_industry_synonyms_merge():
    res = resolve([ex("a.txt", m("Industry", "节能与新能源汽车"), m("Industry", "新能源汽车", start=9),
                      m("Industry", "新材料产业", start=20), m("Industry", "新材料", start=30))])
    assert len(entities(res, "Industry")) == 2


def test_same_name_in_two_classes_stays_apart():
    res = resolve([ex("a.txt", m("Zone", "星河产业园"), m("Company", "星河产业园"))])
    assert {e.cls for e in res.entities} == {"Zone", "Company"}


def test_resolution_does_not_depend_on_document_order():
    exs = [
        ex("a.txt", m("Zone", "湖南长沙经开区"), m("Company", "远航科技"), m("Measure", "“一件事一次办”改革")),
        ex("b.txt", m("Zone", "长沙经开区"), m("Company", "远航科技（长沙）股份有限公司"),
           m("Measure", "一件事一次办改革试点")),
        ex("c.txt", m("Zone", "长沙经济技术开发区"), m("Policy", "湘政办发〔2021〕9号")),
    ]
    seen = set()
    for perm in itertools.permutations(exs):
        res = resolve(list(perm))
        seen.add(tuple(sorted((e.cls, e.label, tuple(sorted(e.alt_labels))) for e in res.entities)))
    assert len(seen) == 1


def test_traditional_and_simplified_forms_share_keys():
    assert normkey("長沙經開區") == normkey("长沙经开区")
    assert zone_key("長沙經開區") == zone_key("长沙经济技术开发区")


def test_traditional_entity_keeps_its_written_label_and_joins_simplified_mentions():
    trad = m("Person", "張明華", name="张明华")
    res = resolve([ex("t.txt", trad)])
    (e,) = entities(res, "Person")
    assert e.label == "張明華" and "张明华" in e.alt_labels
    res = resolve([ex("t.txt", trad), ex("s.txt", m("Person", "张明华"))])
    (e,) = entities(res, "Person")
    assert labels(e) == {"張明華", "张明华"} and e.sources == {"t.txt", "s.txt"}


def test_zone_type_abbreviations_share_one_key():
    from kg.resolve import zone_key
    assert zone_key("衡阳新技术开发区") == zone_key("衡阳高新区") == zone_key("湖南衡阳高新技术产业开发区")
    assert zone_key("某某高技术产业开发区") == zone_key("某某高新区")
    assert zone_key("衡阳经济开发区") != zone_key("衡阳经开区")


def test_mention_hash_is_cached_but_never_pickled():
    """Mention caches its hash (resolution hashes each many times); another process must recompute it."""
    import pickle
    import subprocess
    import sys

    from kg.model import Mention

    m = Mention("Zone", "甲乙经开区", 0, 0, 5, attrs=(("code", "1"),))
    assert hash(m) == hash(m) and "_hash" in m.__dict__
    data = pickle.dumps(m)
    code = ("import pickle, sys; m = pickle.loads(sys.stdin.buffer.read()); "
            "print(hash(m) == hash((m.cls, m.text, m.sentence, m.start, m.end, m.name, m.ref, m.attrs)), m == m)")
    out = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, check=True,
                         env={"PYTHONHASHSEED": "random", "PATH": ""}).stdout
    assert out.split() == [b"True", b"True"]
    assert {m: 1}[pickle.loads(data)] == 1
