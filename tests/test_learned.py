"""The learned models: features, training data, the shipped files, and the training side."""
from __future__ import annotations

import json
import socket

import pytest
from hypothesis import given, strategies as st

from conftest import ROOT, shared_dir


# --------------------------------------------------------------------------- features

def test_char_features_cover_every_character_and_carry_grammar_hits():
    from kg.features import char_features

    text = "江西赣州经开区推行“证照分离”改革"
    words = [("江西", "ns"), ("赣州", "ns"), ("经开区", "n"), ("推行", "v"), ("“", "x"), ("证照", "n"),
             ("分离", "v"), ("”", "x"), ("改革", "vn")]
    feats = char_features(text, words, [(0, 7, "Zone")], None, common=lambda w: w in {"推行", "改革"})
    assert len(feats) == len(text)
    assert "r=B-Zone" in feats[0] and "r=E-Zone" in feats[6] and "r=I-Zone" in feats[3]
    assert not any(f.startswith("r=") for f in feats[7])
    assert "e=q" in feats[text.index("证")]           # inside quotation marks
    assert "w=推行" in feats[7] and "w=?2" in feats[0]     # a general word by identity, a name by shape


def test_no_feature_holds_a_name_of_three_or_more_characters():
    from kg.features import char_features

    text = "富士康科技集团落户郑州航空港"
    feats = char_features(text, [(text[:3], "nz"), (text[3:7], "n"), (text[7:9], "v"), (text[9:], "ns")], [],
                          common=lambda w: False)
    values = {f.split("=", 1)[1] for fs in feats for f in fs if "=" in f}
    assert not any(len(v) >= 3 and all("\u4e00" <= c <= "\u9fff" for c in v) for v in values)


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 6), st.sampled_from(["Zone", "Place", "Agency"])),
                max_size=6))
def test_bio_spans_reads_back_the_spans_it_was_given(items):
    from kg.features import bio_spans

    labels, spans, taken = ["O"] * 40, [], set()
    for a, n, cls in items:
        if any(k in taken for k in range(a, a + n)):
            continue
        taken |= set(range(a, a + n))
        labels[a] = "B-" + cls
        for k in range(a + 1, a + n):
            labels[k] = "I-" + cls
        spans.append((a, a + n, cls))
    assert bio_spans(labels) == sorted(spans)


def test_alias_projection_prefers_the_longest_name_and_labels_every_occurrence():
    from kg.learn.entities import project

    text = "江西赣州经开区位于赣州市，赣州经开区"
    labels = project(text, [("江西赣州经开区", "Zone"), ("赣州经开区", "Zone"), ("赣州市", "Place")])
    assert labels[0] == "B-Zone" and labels[6] == "I-Zone"
    assert labels[9:12] == ["B-Place", "I-Place", "I-Place"]
    assert labels[13] == "B-Zone" and labels[-1] == "I-Zone"
    assert labels[2] != "B-Zone"          # the inner 赣州经开区 is part of the longer name


def test_pair_features_tell_nesting_and_the_words_between():
    from kg.features import pair_features
    from kg.model import Mention

    text = "赣州经开区与深圳市签署合作协议"
    z = Mention("Zone", "赣州经开区", 0, 0, 5)
    p = Mention("Place", "赣州", 0, 0, 2)
    c = Mention("Place", "深圳市", 0, 6, 9)
    inner = pair_features(text, 0, z, p, [z, p, c], {"locatedIn"}, ())
    assert "sh=o_in_s" in inner and "rule=locatedIn" in inner and "ipos=start" in inner
    apart = pair_features(text, 0, z, c, [z, p, c], (), ())
    assert "sh=s_o" in apart and "u=与" in apart and "r2=签署" in apart


# --------------------------------------------------------------------------- relation model

def test_relation_scores_are_a_distribution_and_follow_the_weights():
    from kg.relation_model import scores

    model = {"bias": [0.0, 0.0], "weights": {"rule=locatedIn": [[1, 3.0]]}}
    p = scores(model, ["rule=locatedIn", "unknown"])
    assert abs(sum(p) - 1) < 1e-9 and p[1] > 0.9
    q = scores(model, ["unknown"])
    assert q == [0.5, 0.5]


def test_batched_pair_scores_equal_the_one_by_one_scores():
    from kg.models import relation_model
    from kg.relation_model import PairModel, scores

    model = relation_model()
    feats = sorted(model["weights"])
    sets = [feats[i::7][:40] for i in range(7)] + [["unknown"], []]
    batch = PairModel(model).probabilities(sets)
    for row, fs in zip(batch, sets):
        assert max(abs(a - b) for a, b in zip(row, scores(model, fs))) < 1e-9


def test_without_a_relation_model_the_grammars_relations_stand():
    from kg.relation_model import classify

    assert classify(None, [], ["r"], None) == ["r"]


# --------------------------------------------------------------------------- shipped models

def test_shipped_models_load_and_tag_with_the_network_refused(tmp_path, monkeypatch):
    import kg.models as models
    from kg.pipeline import Extractor

    def refuse(*a, **k):
        raise OSError("network refused by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    models.entity_tagger.cache_clear()
    models.relation_model.cache_clear()
    models.observation_model.cache_clear()
    f = tmp_path / "news.txt"
    f.write_text("江西赣州经济技术开发区管委会与深圳市某科技有限公司签署合作协议，推行“证照分离”改革。\n", encoding="utf-8")
    ex = Extractor()
    doc = ex.read(f)
    extraction = ex.extract(doc)
    assert ex.entity_crf is not None and ex.relation_model is not None and ex.observation_model is not None
    assert doc.model == f"none:{models.version()}" and len(models.version()) == 12
    assert {m.cls for m in extraction.mentions} >= {"Zone", "Measure"}
    # the CRF itself answers: one label per character
    from kg.entity_model import sentence_rows
    from kg.recognise import recognition

    rows = list(sentence_rows(recognition(doc, ex.segmenter), False))
    assert len(ex.entity_crf.tag(rows[0][1])) == len(rows[0][0].text)


def test_shipped_models_are_small_and_described():
    d = ROOT / "kg" / "models"
    total = sum(f.stat().st_size for f in d.iterdir() if f.is_file())
    assert total <= 30 * 1024 * 1024
    info = json.loads((d / "training.json").read_text(encoding="utf-8"))
    locked = set(json.loads((ROOT / "data" / "gold" / "split.json").read_text(encoding="utf-8"))["locked"])
    assert info["texts"] and not locked & set(info["texts"]), "a locked text was trained on"


def test_a_built_graph_names_the_models_that_made_it(built_store):
    from kg import query

    from kg.models import version

    header, rows = query(built_store, "PREFIX rkg: <https://w3id.org/reform-kg/ontology#> "
                                      "SELECT ?d ?m WHERE { ?d a rkg:Document . OPTIONAL { ?d rkg:extractionModel ?m } }")
    assert len(rows) == 5 and {r[1] for r in rows} == {f"none:{version()}"}


# --------------------------------------------------------------------------- training side

def test_training_twice_gives_identical_files(tmp_path):
    from kg.learn.gold import load_all
    from kg.learn.train import fit_entities, fit_relations, write_json

    docs = [d for d in load_all() if d.source == "train"][:4]
    out = []
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        tagger = fit_entities(docs, "none", tmp_path / run / "entity-none.crfsuite")
        rel, obs = fit_relations(docs, "none", tagger)
        write_json(tmp_path / run / "relation.json", rel)
        write_json(tmp_path / run / "observation.json", obs)
        out.append({f.name: f.read_bytes() for f in (tmp_path / run).iterdir()})
    assert out[0] == out[1] and len(out[0]) == 3


def test_the_locked_split_is_the_draw_of_its_seed():
    from kg.learn.gold import _kind, draw_locked

    split = json.loads((ROOT / "data" / "gold" / "split.json").read_text(encoding="utf-8"))
    sh = shared_dir()
    kinds = {}
    for folder in ("train", "pool"):
        for s in json.loads((sh / folder / "sources.json").read_text(encoding="utf-8")):
            if s["id"] in split["candidates"]:
                kinds[s["id"]] = _kind(s["kind"])
    assert draw_locked(kinds, len(kinds) + 5, split["seed"]) == split["locked"]
    assert len(split["locked"]) == 32


def test_folds_are_balanced_by_kind():
    from kg.learn.gold import GoldDoc, folds

    docs = [GoldDoc(f"{k}{i}", "train", ROOT, k) for k in ("news", "law") for i in range(10)]
    fs = folds(docs, 5)
    assert [len(f) for f in fs] == [4] * 5
    assert all(sum(d.kind == "news" for d in f) == 2 for f in fs)


def test_an_annotation_agrees_fully_with_itself_and_not_with_an_emptier_one():
    from kg.learn.annotations import agreement

    ann = json.loads((ROOT / "data" / "gold" / "passes" / "batch1-A.json").read_text(encoding="utf-8"))
    s = agreement(ann, ann).summary()
    assert s["entity"]["f"] == 1.0 and s["relation"]["f"] == 1.0
    half = {**ann, "entities": ann["entities"][::2], "relations": [], "observations": []}
    t = agreement(half, ann).summary()
    assert t["entity"]["p"] == 1.0 and 0.3 < t["entity"]["r"] < 0.7 and t["relation"]["f"] == 0.0


def test_pool_gold_keeps_offsets_not_texts():
    gold = json.loads((ROOT / "data" / "gold" / "pool.json").read_text(encoding="utf-8"))
    assert len(gold["documents"]) >= 60
    texts = {d: (shared_dir() / "pool" / f).read_text(encoding="utf-8") for d, f in gold["documents"].items()}
    for r in gold["relations"] + gold["observations"]:
        assert "evidence" not in r
        assert 0 <= r["start"] < r["end"] <= len(texts[r["doc"]])
        assert "\n" not in texts[r["doc"]][r["start"]:r["end"]]


def test_markdown_heading_marks_are_not_part_of_a_title(tmp_path):
    """Regression: a law's '# 标题' line gave the Policy '# 上海市…规定' (never matching its name)."""
    import kg

    f = tmp_path / "law.md"
    f.write_text("# 上海市浦东新区市场主体退出若干规定\n\n第一条 为了推进浦东新区改革，制定本规定。\n", encoding="utf-8")
    policies = [m.text for m in kg.extract(f).mentions if m.cls == "Policy"]
    assert policies and not any("#" in p for p in policies)


def test_grammars_alone_on_request_and_the_cache_tells_the_settings_apart(tmp_path):
    import kg
    from kg.pipeline import extractor_fingerprint

    assert extractor_fingerprint("none", "none") != extractor_fingerprint("none", "shipped")
    f = tmp_path / "a.txt"
    f.write_text("江西赣州经济技术开发区推行“证照分离”改革。\n", encoding="utf-8")
    kg.build([f], tmp_path / "s", models="none")
    q = ("PREFIX rkg: <https://w3id.org/reform-kg/ontology#> "
         "SELECT ?m WHERE { ?d a rkg:Document . OPTIONAL { ?d rkg:extractionModel ?m } }")
    assert [r[0] for r in kg.query(tmp_path / "s", q)[1]] in ([""], [None])
    kg.build([f], tmp_path / "s")                 # the same file, now with the models: re-extracted
    assert kg.query(tmp_path / "s", q)[1][0][0].startswith("none:")
