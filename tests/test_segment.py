"""Tests for kg.segment: sentence splitting with raw spans, and the jieba Segmenter."""
from __future__ import annotations

import pathlib

import pytest
from hypothesis import given, settings, strategies as st

from kg.model import Document
from kg.normalise import clean, read_document
from kg.segment import DOMAIN_DICT, MAX_SENTENCE, Segmenter, split_sentences

CORPUS = pathlib.Path(__file__).resolve().parent.parent / "data" / "corpus"
FILES = sorted(CORPUS.glob("*.txt"))


def make(raw: str, kind: str = "text") -> Document:
    text, offsets = clean(raw, kind)
    return Document("t.html" if kind == "html" else "t.txt", raw, text, offsets, "0" * 64)


def texts(raw: str) -> list[str]:
    return [s.text for s in split_sentences(make(raw))]


def check_spans(doc: Document, sentences) -> None:
    assert [s.index for s in sentences] == list(range(len(sentences)))
    last = 0
    for s in sentences:
        assert s.text and s.text == s.text.strip() and "\n" not in s.text
        assert doc.text[s.clean_start:s.clean_end] == s.text
        assert last <= s.clean_start < s.clean_end <= len(doc.text)
        assert 0 <= s.start < s.end <= len(doc.raw)
        last = s.clean_end


# ------------------------------------------------------------------ splitting

def test_splits_at_terminators_and_newlines():
    assert texts("经开区成立了。它发展很快！真的吗？是的!好?\n第二段没有句号\n\n") == [
        "经开区成立了。", "它发展很快！", "真的吗？", "是的!", "好?", "第二段没有句号"]


def test_closing_quotes_stay_with_their_sentence():
    assert texts("他说：“服务好不好，经营主体最有发言权。”李奎介绍。（完）") == [
        "他说：“服务好不好，经营主体最有发言权。”", "李奎介绍。", "（完）"]


def test_semicolons_stay_inside_and_ellipsis_splits():
    assert texts("牵头单位:省工信厅;责任单位:省科技厅；配合单位:省商务厅。") == [
        "牵头单位:省工信厅;责任单位:省科技厅；配合单位:省商务厅。"]
    assert texts("推进人事制度改革……一项项改革试点稳步推进。") == [
        "推进人事制度改革……", "一项项改革试点稳步推进。"]


def test_decimal_points_do_not_split():
    assert texts("累计为企业减负25.5亿元。") == ["累计为企业减负25.5亿元。"]


def test_spans_cover_column_breaks():
    raw = ("作为地处内陆的国家级经济技术开发\n区，某某经开区乘着改革开放的东风，\n"
           "启动省级“证照分离”改革试点、推进人事\n制度改革，一项项省市改革试点在该区\n"
           "稳步推进，正带来一场场深刻变革。\n")
    doc = make(raw)
    (s,) = split_sentences(doc)
    assert s.text.startswith("作为地处内陆的国家级经济技术开发区，")
    assert (s.start, s.end) == (0, len(raw) - 1)
    assert "".join(raw[s.start:s.end].split()) == s.text


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:3])
def test_corpus_sentences_match_raw(path):
    doc = read_document(path)
    sentences = split_sentences(doc)
    assert len(sentences) > 10
    check_spans(doc, sentences)
    for s in sentences:
        # column-break repair only removes whitespace, so the raw span holds the sentence
        assert "".join(doc.raw[s.start:s.end].split()) == "".join(s.text.split())


def test_corpus_sentence_contains_repaired_fact():
    doc = read_document(next(f for f in FILES if f.name.startswith("000")))
    hits = [s for s in split_sentences(doc) if "“一次不跑”事项38项" in s.text]
    assert len(hits) == 1
    assert "事项38\n项" in doc.raw[hits[0].start:hits[0].end]


def test_html_sentence_is_subsequence_of_raw():
    raw = ("<html><body><p>推进“放管服”改革&amp;创新。\n近年来，经开区不断优化环境！</p>"
           "<script>alert(1)</script><div>第二块&amp;</div></body></html>")
    doc = make(raw, "html")
    sentences = split_sentences(doc)
    assert [s.text for s in sentences] == [
        "推进“放管服”改革&创新。", "近年来，经开区不断优化环境！", "第二块&"]
    for s in sentences:
        span = iter(raw[s.start:s.end])
        assert all(ch in span for ch in s.text)        # subsequence
    assert raw[sentences[-1].start:sentences[-1].end] == "第二块&amp;"


def test_megabyte_line_without_terminators():
    raw = ("经开区管委会推进改革创新" * 9 + "，") * 10_000          # ~1.1 MB, no 。 at all
    doc = make(raw)
    sentences = split_sentences(doc)
    assert len(sentences) > 1
    assert all(len(s.text) <= MAX_SENTENCE for s in sentences)
    assert "".join(s.text for s in sentences) == raw


def test_no_soft_break_still_capped():
    doc = make("经" * 1234)
    assert [len(s.text) for s in split_sentences(doc)] == [500, 500, 234]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("经开区改革。！？!?；，…”）\n \t\u3000ab1")), max_size=400))
def test_split_spans_are_valid(raw):
    doc = make(raw)
    sentences = split_sentences(doc)
    check_spans(doc, sentences)
    for s in sentences:
        assert "".join(raw[s.start:s.end].split()) == "".join(s.text.split())


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_split_any_text(raw):
    doc = make(raw)
    check_spans(doc, split_sentences(doc))


# ------------------------------------------------------------------ Segmenter

@pytest.fixture(scope="module")
def seg() -> Segmenter:
    return Segmenter()


def test_cut_keeps_domain_terms_whole(seg):
    words = seg.cut("某某经济技术开发区管委会牵头，某某科技股份有限公司设立产业引导基金")
    for term in ("经济技术开发区", "管委会", "股份有限公司", "产业引导基金"):
        assert term in words
    assert "".join(words) == "某某经济技术开发区管委会牵头，某某科技股份有限公司设立产业引导基金"


def test_add_words_changes_only_this_tokenizer(seg):
    import jieba
    assert "溪岚" not in seg.cut("溪岚湾科创谷开园")[:1]
    seg.add_words(["溪岚湾科创谷", "  "])
    assert "溪岚湾科创谷" in seg.cut("溪岚湾科创谷开园")
    assert "溪岚湾科创谷" not in jieba.dt.FREQ          # the jieba global is untouched


def test_posseg_tags(seg):
    pairs = seg.posseg("高新区管委会推进改革")
    assert "".join(w for w, _ in pairs) == "高新区管委会推进改革"
    assert ("管委会", "nt") in pairs
    assert all(isinstance(tag, str) and tag for _, tag in pairs)


def test_segmenter_without_userdict():
    assert Segmenter(userdict=None).cut("改革") == ["改革"]


def test_cached_tables_give_the_same_segmenter(tmp_path):
    """The table cache (written on first use, read after) changes nothing jieba would build."""
    texts = ["某某经济技术开发区管委会牵头推进“证照分离”改革", "龘龘丨丿乀赣州孚能", "abc 12.5% x\r\n y", ""]
    plain = Segmenter(table_cache=False)
    first = Segmenter(table_cache=tmp_path)
    expected = [(plain.cut(t), plain.posseg(t)) for t in texts]
    assert [(first.cut(t), first.posseg(t)) for t in texts] == expected
    assert len(list(tmp_path.glob("jieba-tables-*.marshal"))) == 1
    assert len(list(tmp_path.glob("jieba-words-*.bin"))) == 1
    second = Segmenter(table_cache=tmp_path, lazy_chars=0)       # the dicts, from the marshal file
    assert [(second.cut(t), second.posseg(t)) for t in texts] == expected
    assert second._tokenizer.FREQ == plain._tokenizer.FREQ and second._tokenizer.total == plain._tokenizer.total
    assert second._tags == plain._tags
    second.add_words(["溪岚湾科创谷"])            # the loaded tables are this tokenizer's own
    assert "溪岚湾科创谷" in second.cut("溪岚湾科创谷开园")
    assert "溪岚湾科创谷" not in Segmenter(table_cache=tmp_path).cut("溪岚湾科创谷开园")


def test_word_table_answers_as_the_dicts(tmp_path):
    """Every frequency and tag jieba loads comes back the same from the memory-mapped word table."""
    Segmenter(table_cache=tmp_path).cut("")
    plain = Segmenter(table_cache=False)
    plain.posseg("")                              # merges the domain words' tags, as jieba.posseg does
    lazy = Segmenter(table_cache=tmp_path)
    lazy.cut("")
    assert lazy._words is not None
    freq, tags = lazy._tokenizer.FREQ, lazy._tags
    assert lazy._tokenizer.total == plain._tokenizer.total
    assert all(freq[w] == f for w, f in plain._tokenizer.FREQ.items())
    assert all(tags.get(w) == t for w, t in plain._tags.items())
    for absent in ("溪岚湾科创谷", "\ud800", "x" * 300):
        assert absent not in freq and tags.get(absent, "x") == "x"
    with pytest.raises(KeyError):
        freq["溪岚湾科创谷"]


def test_word_table_hands_over_to_the_dicts(tmp_path):
    """After lazy_chars characters the dicts are loaded; words added before carry over."""
    Segmenter(table_cache=tmp_path).cut("")
    text = "某某经济技术开发区管委会牵头推进“证照分离”改革，溪岚湾科创谷开园"
    plain = Segmenter(table_cache=False)
    plain.add_words(["溪岚湾科创谷"])
    seg = Segmenter(table_cache=tmp_path, lazy_chars=len(text) + 5)
    seg.add_words(["溪岚湾科创谷"])
    assert seg.posseg(text) == plain.posseg(text) and seg._words is not None
    assert seg.cut(text) == plain.cut(text) and seg._words is None      # past lazy_chars
    assert seg.posseg(text + "。") == plain.posseg(text + "。")
    assert seg._tokenizer.FREQ == plain._tokenizer.FREQ and seg._tokenizer.total == plain._tokenizer.total
    assert seg._tags == plain._tags


@pytest.mark.parametrize("damage", [b"", b"not marshal", b"\xe3\x00"])
def test_damaged_table_cache_is_rebuilt(tmp_path, damage):
    Segmenter(table_cache=tmp_path).cut("")
    (f,) = tmp_path.glob("jieba-tables-*.marshal")
    f.write_bytes(damage)
    seg = Segmenter(table_cache=tmp_path, lazy_chars=0)
    assert seg.posseg("高新区管委会推进改革") == Segmenter(table_cache=False).posseg("高新区管委会推进改革")
    assert f.stat().st_size > 1_000_000          # written again, whole


@pytest.mark.parametrize("damage", [b"", b"KGWORDS1", b"\x00" * 64])
def test_damaged_word_table_falls_back_to_the_dicts(tmp_path, damage):
    Segmenter(table_cache=tmp_path).cut("")
    (f,) = tmp_path.glob("jieba-words-*.bin")
    f.write_bytes(damage)
    seg = Segmenter(table_cache=tmp_path)
    assert seg.posseg("高新区管委会推进改革") == Segmenter(table_cache=False).posseg("高新区管委会推进改革")
    assert seg._words is None and f.stat().st_size > 1_000_000      # the dicts served, the table written again


def test_unwritable_table_cache_still_segments(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("x")                      # a file where the cache folder should be
    assert Segmenter(table_cache=blocked / "cache").cut("高新区管委会") == ["高新区", "管委会"]


def test_table_cache_key_follows_the_domain_dictionary(tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("溪岚湾科创谷 5000 ns\n", encoding="utf-8")
    Segmenter(table_cache=tmp_path).cut("")
    seg = Segmenter(userdict=words, table_cache=tmp_path)
    assert "溪岚湾科创谷" in seg.cut("溪岚湾科创谷开园")
    assert ("溪岚湾科创谷", "ns") in seg.posseg("溪岚湾科创谷开园")
    assert len(list(tmp_path.glob("jieba-tables-*.marshal"))) == 2
    words.write_text("溪岚湾 5000 ns\n", encoding="utf-8")
    assert "溪岚湾科创谷" not in Segmenter(userdict=words, table_cache=tmp_path).cut("溪岚湾科创谷开园")
    for k in range(3):
        words.write_text(f"溪岚湾{k} 5000 ns\n", encoding="utf-8")
        Segmenter(userdict=words, table_cache=tmp_path).cut("")
    assert len(list(tmp_path.glob("jieba-tables-*.marshal"))) == 3    # older tables are deleted


def test_domain_dictionary_format():
    for line in DOMAIN_DICT.read_text(encoding="utf-8").splitlines():
        word, freq, tag = line.split(" ")
        assert word and int(freq) > 0 and tag.isalpha()
