"""Tests for kg.normalise: decoding, input errors, column-break repair, HTML, offsets."""
from __future__ import annotations

import codecs
import pathlib
import random

import pytest
from hypothesis import given, settings, strategies as st

from kg.errors import InputError
from kg.normalise import clean, decode, read_document

CORPUS = pathlib.Path(__file__).resolve().parent.parent / "data" / "corpus"
FILES = sorted(CORPUS.glob("*.txt"))
SAMPLE = "江西赣州经开区乘着改革开放的东风。\n一是推进“证照分离”改革，减负25.5亿元。\n"


def corpus(prefix: str) -> pathlib.Path:
    return next(f for f in FILES if f.name.startswith(prefix))


def check_offsets(doc) -> None:
    """Every non-synthesized character of text comes from the same character of raw."""
    assert len(doc.offsets) == len(doc.text) + 1
    assert all(a <= b for a, b in zip(doc.offsets, doc.offsets[1:]))
    assert all(0 <= o <= len(doc.raw) for o in doc.offsets)
    for i, ch in enumerate(doc.text):
        if not ch.isspace():
            assert doc.raw[doc.offsets[i]] == ch, (i, ch)


# ------------------------------------------------------------------ decoding

@pytest.mark.parametrize("encoding, bom", [
    ("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16", b""), ("utf-16-le", b""),
    ("utf-16-be", b""), ("gb18030", b""), ("gbk", b""),
])
def test_decodes_each_encoding(tmp_path, encoding, bom):
    path = tmp_path / "doc.txt"
    path.write_bytes(bom + SAMPLE.encode(encoding))   # "utf-16" writes its own BOM
    doc = read_document(path)
    assert doc.raw.lstrip("\ufeff") == SAMPLE
    assert "“证照分离”改革" in doc.text
    assert "\ufeff" not in doc.text
    check_offsets(doc)


def test_utf8_bom_kept_in_raw_like_read_text(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(codecs.BOM_UTF8 + SAMPLE.encode())
    doc = read_document(path)
    assert doc.raw == path.read_text(encoding="utf-8")
    assert doc.text.startswith("江西赣州")
    assert doc.offsets[0] == 1


def test_utf16_without_bom_chooses_byte_order():
    # 一 (U+4E00) puts a NUL on the "wrong" side in UTF-16-LE; the order must still be right.
    text = "一二三，一区多园。\n"
    assert decode(text.encode("utf-16-le"), "a.txt") == text
    assert decode(text.encode("utf-16-be"), "a.txt") == text


def test_short_gbk_text_is_not_misdetected():
    assert decode("高新区管委会".encode("gbk"), "a.txt") == "高新区管委会"
    assert decode("经开区".encode("gb18030"), "a.txt") == "经开区"


def test_crlf_becomes_lf_like_read_text(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("第一段。\r\n第二段。\r第三段。".encode())
    doc = read_document(path)
    assert doc.raw == path.read_text(encoding="utf-8") == "第一段。\n第二段。\n第三段。"
    assert doc.text == "第一段。\n第二段。\n第三段。"


# ------------------------------------------------------------------ input errors

@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n", "\u3000\n".encode(), codecs.BOM_UTF8])
def test_empty_file(tmp_path, content):
    path = tmp_path / "leer.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match="leer.txt.*empty"):
        read_document(path)


@pytest.mark.parametrize("content", [
    bytes(random.Random(7).randrange(256) for _ in range(4000)) + b"\x00\x00",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    bytes(range(1, 32)) * 20,
])
def test_binary_file(tmp_path, content):
    path = tmp_path / "bild.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match="bild.txt.*binary"):
        read_document(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="fehlt.txt.*not found"):
        read_document(tmp_path / "fehlt.txt")


def test_directory(tmp_path):
    (tmp_path / "ordner.txt").mkdir()
    with pytest.raises(InputError, match="ordner.txt.*folder"):
        read_document(tmp_path / "ordner.txt")


def test_unsupported_extension(tmp_path):
    path = tmp_path / "bericht.pdf"
    path.write_text("经开区", encoding="utf-8")
    with pytest.raises(InputError, match=r"bericht.pdf.*\.pdf"):
        read_document(path)


def test_input_error_message_is_one_line(tmp_path):
    with pytest.raises(InputError) as info:
        read_document(tmp_path / "x.txt")
    assert "\n" not in str(info.value)


# ------------------------------------------------------------------ column breaks (corpus)

def test_column_breaks_repaired_in_newspaper_file():
    doc = read_document(corpus("000"))
    assert "江西赣州经开区乘着改革开放的东风" in doc.text
    assert "“证照分离”改革试点" in doc.text
    assert "“一次不跑”事项38" in doc.text
    assert "千方百计培育龙头企业" in doc.text          # broken across a blank line
    assert "大胆改革 攻坚前行\n" in doc.text           # headline stays its own line
    assert "\n四川广安经开区：开放合作打造园区发展的“速度与激情”\n" in doc.text


def test_policy_file_keeps_its_lines():
    doc = read_document(corpus("003"))
    lines = doc.text.split("\n")
    i = lines.index("附件1")
    assert lines[i + 1] == "江西省开发区整合优化实施方案"
    assert "一、总体思路" in lines and "(一)加大开发区整合力度。" in lines
    assert "1.更名为工业园区的" in lines


def test_one_paragraph_per_line_break_mid_word_repaired():
    doc = read_document(corpus("001"))
    assert "打造“集成办”服务。" in doc.text
    assert "\n优化运营提升效能\n" in doc.text


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:3])
def test_corpus_offsets_and_raw(path):
    doc = read_document(path)
    assert doc.raw == path.read_text(encoding="utf-8")
    assert doc.source == path.name and len(doc.sha256) == 64
    check_offsets(doc)
    # column-break repair and whitespace cleaning only ever drop whitespace
    assert "".join(doc.raw.split()) == "".join(doc.text.split())


def test_corpus_titles_and_dates():
    assert read_document(corpus("000")).title == "大胆改革 攻坚前行"
    d2 = read_document(corpus("002"))
    assert d2.title == "江苏涟水经济开发区:以解放思想大讨论助力高质量发展"
    assert d2.date == "2018-07-09"
    d3 = read_document(corpus("003"))
    assert d3.title.startswith("江西省促进开发区改革和创新发展领导小组关于印发")
    assert d3.date == "2018-12-25"


# ------------------------------------------------------------------ column breaks (synthetic)

WRAPPED = ("作者\n\n"
           "标题在这里 不要粘连\n\n"
           "作为地处内陆的国家级经济技术开发\n"
           "区，某某经开区乘着改革开放的东风，\n"
           "启动省级“证照分离”改革试点、推进人事\n"
           "制度改革，一项项省市改革试点在该区\n"
           "稳步推进，正带来一场场深刻变革和发\n\n"
           "展。推进“一次不跑”改革，已实现事项38\n"
           "项，“一次办结”事项160项，比例超过\n"
           "60%；启动“降成本、优环境”专项行动。\n")


def test_hard_wrapped_text_is_joined():
    text, offsets = clean(WRAPPED, "text")
    assert text.split("\n")[:2] == ["作者", "标题在这里 不要粘连"]
    assert "国家级经济技术开发区，某某经开区" in text
    assert "深刻变革和发展。推进" in text                  # across a blank line
    assert "事项38项，" in text and "超过60%；" in text


def test_paragraph_per_line_text_is_not_joined():
    raw = ("附件1\n\n江西省开发区整合优化实施方案\n\n一、总体思路\n\n"
           "坚持以质量效益为中心，以转型升级为主线，以改革创新为动力，整合开发区空间布局。\n")
    text, _ = clean(raw, "text")
    assert text == ("附件1\n江西省开发区整合优化实施方案\n一、总体思路\n"
                    "坚持以质量效益为中心，以转型升级为主线，以改革创新为动力，整合开发区空间布局。")


def test_whitespace_and_zero_width():
    text, offsets = clean("  经开区\u200b管委会 \t\u3000 招商局\xa0\n\n\n  第二段  ", "text")
    assert text == "经开区管委会 招商局\n第二段"
    assert offsets[len("经开区")] == 6          # 管 comes after the zero-width space


def test_fullwidth_punctuation_untouched():
    raw = "《江西省开发区整合优化实施方案》（赣府厅发〔2018〕30号）“管委会+公司”"
    assert clean(raw, "text")[0] == raw


# ------------------------------------------------------------------ HTML

PAGE = """<!DOCTYPE html>
<html><head><title>赣州经开区 &amp; 改革</title>
<style>p { color: red }</style><script>alert(1)</script></head>
<body><nav><a href="/">首页</a> | <a>资讯中心</a></nav>
<header>网站页眉</header>
<h1>江西赣州经开区：开拓奋进</h1>
<!-- 注释不要 -->
<p>推进“放管服”改革&amp;“证照分离”改革。
近年来，经开区不断优化环境。</p>
<div>A&nbsp;B<br>第二块</div>
<footer>版权所有</footer><script type="text/javascript">var x = "<p>假的</p>";</script>
</body></html>"""


def test_html_cleaning(tmp_path):
    path = tmp_path / "seite.html"
    path.write_text(PAGE, encoding="utf-8")
    doc = read_document(path)
    assert doc.title == "赣州经开区 & 改革"
    for gone in ("alert(1)", "color", "首页", "资讯中心", "网站页眉", "注释", "版权", "假的"):
        assert gone not in doc.text
    lines = doc.text.split("\n")
    assert lines[0] == "江西赣州经开区：开拓奋进"
    # entity decoded; a source line break between Chinese characters is not a space
    assert lines[1] == "推进“放管服”改革&“证照分离”改革。近年来，经开区不断优化环境。"
    assert lines[2:] == ["A B", "第二块"]
    assert len(doc.offsets) == len(doc.text) + 1
    for i, ch in enumerate(doc.text):
        if ch.isspace():
            continue
        src = doc.raw[doc.offsets[i]]
        assert src == ch or src == "&", (i, ch)      # entities point at their '&'
    amp = doc.text.index("&")
    assert doc.raw[doc.offsets[amp]:doc.offsets[amp] + 5] == "&amp;"


def test_html_title_falls_back_to_h1():
    text, _ = clean("<p>正文。</p>", "html")
    assert text == "正文。"
    doc_title = read_html_title("<html><body><h1>高新区 简介</h1><p>正文</p></body></html>")
    assert doc_title == "高新区 简介"


def test_unclosed_head_does_not_hide_body():
    text, _ = clean("<html><head><title>标题</title><body><p>经开区正文。</p></body>", "html")
    assert text == "经开区正文。"


def read_html_title(source: str) -> str:
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        path = pathlib.Path(d) / "t.htm"
        path.write_text(source, encoding="utf-8")
        return read_document(path).title


# ------------------------------------------------------------------ properties

ALPHABET = st.sampled_from(list("经开区管委会改革。，；：！？“”（）() \t\u3000\xa0\n\r\u200b\ufeffab12<>&;/#p"))


ZERO_WIDTH = {ord(c): None for c in "\u200b\u200c\u200d\u2060\ufeff"}


def check_map(raw: str, text: str, offsets: list[int]) -> None:
    assert len(offsets) == len(text) + 1
    assert all(a <= b for a, b in zip(offsets, offsets[1:]))
    assert all(0 <= o <= len(raw) for o in offsets)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=ALPHABET)))
def test_clean_text_never_crashes(raw):
    text, offsets = clean(raw, "text")
    check_map(raw, text, offsets)
    for i, ch in enumerate(text):
        if not ch.isspace():
            assert raw[offsets[i]] == ch
    assert "".join(text.split()) == "".join(raw.split()).translate(ZERO_WIDTH)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=ALPHABET),
                 st.lists(st.sampled_from(["<p>", "</p>", "<br>", "<script>", "</script>", "&amp;",
                                           "&#20013;", "<!--", "-->", "经开区", "\n", " ", "<nav>",
                                           "</nav>", "<title>", "</title>", "&bogus;", "<"]))
                 .map("".join)))
def test_clean_html_never_crashes(raw):
    text, offsets = clean(raw, "html")
    check_map(raw, text, offsets)


def test_numbered_list_lines_are_not_glued():
    raw = ("附件:1.江西省开发区整合优化实施方案\n2.江西省省级开发区扩区调区和更名管理办法\n"
           "3.江西省开发区创新强园行动方案\n4.江西省开发区集群式项目“满园扩园”行动方案\n"
           "5.江西省开发区两型三化管理提标提档行动方案\n")
    assert clean(raw, "text")[0] == raw.strip()


def test_title_and_date_rules():
    from kg.normalise import guess_date, guess_title
    lines = ["• 首页", "范捷", "关注公众号", "当前位置:首页> 资讯中心 省级开发区动态",
             "位于某某经开区的新能源科技城。 某某摄", "某某高新区：改革创新跑出加速度", "正文。"]
    assert guess_title(lines) == "某某高新区：改革创新跑出加速度"
    assert guess_title(["短", "这是一句很长的正文，说明了情况。"]) == ""
    assert guess_date(["自2019年9月27日至12月31日开展招商引资“百日攻坚”行动以来，经开区成立专项工作组"]) == ""
    assert guess_date(["来源:新华日报 发布时间:2018年07月09日 11:18"]) == "2018-07-09"
    assert guess_date(["正文。", "二〇一八年十二月二十五日"]) == "2018-12-25"
    assert guess_date(["2020-1-5"]) == "2020-01-05"
    assert guess_date(["2018年13月45日"]) == ""


def test_megabyte_single_line_file(tmp_path):
    path = tmp_path / "lang.txt"
    path.write_text(("经开区管委会推进改革创新" * 9 + "，") * 10_000, encoding="utf-8")
    doc = read_document(path)
    assert doc.text == doc.raw and doc.title == "" and doc.date == ""
