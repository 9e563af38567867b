"""The fast paths give what the plain ones give: --jobs, the POS engine, incremental graph writes."""
from __future__ import annotations

import json
import shutil

import pytest
import rdflib
from rdflib.compare import isomorphic

from conftest import CORPUS, run_kg


def _graph(store, tmp_path, name: str) -> rdflib.Graph:
    out = tmp_path / f"{name}.nt"
    run_kg("export", "--store", store, "--format", "nt", "--output", out, check=True)
    return rdflib.Graph().parse(out, format="nt")


def test_jobs_2_gives_a_graph_isomorphic_to_jobs_1(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    run_kg("build", CORPUS, "--store", one, "--jobs", "1", check=True)
    p = run_kg("build", CORPUS, "--store", two, "--jobs", "2", check=True)
    n = len(list(CORPUS.glob("*.txt")))
    assert f"{n} added" in p.stderr
    assert isomorphic(_graph(one, tmp_path, "one"), _graph(two, tmp_path, "two"))
    # the per-document extractions are the same too, byte for byte
    for f in sorted((one / "extractions").glob("*.json")):
        assert f.read_text(encoding="utf-8") == (two / "extractions" / f.name).read_text(encoding="utf-8")


def test_jobs_0_means_every_core_and_bad_files_are_still_reported(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 4)
    p = run_kg("build", corpus, "--store", tmp_path / "store", "--jobs", "0")
    assert p.returncode == 0, p.stderr
    assert "bad.txt" in p.stderr and "Traceback" not in p.stderr


def test_pos_engine_cuts_and_tags_as_jieba_posseg():
    import jieba.posseg as ps

    from kg import segment
    from kg.normalise import read_document, simplified
    from kg.segment import Segmenter, split_sentences

    for mine, theirs in [(segment._RE_HAN_DETAIL, ps.re_han_detail), (segment._RE_SKIP_DETAIL, ps.re_skip_detail),
                         (segment._RE_HAN_INTERNAL, ps.re_han_internal),
                         (segment._RE_SKIP_INTERNAL, ps.re_skip_internal), (segment._RE_ENG, ps.re_eng),
                         (segment._RE_NUM, ps.re_num)]:
        assert mine.pattern == theirs.pattern
    fast, plain = Segmenter(), Segmenter(table_cache=False)   # the reference: jieba's own loading
    plain.cut("")
    reference = ps.POSTokenizer(plain._tokenizer)
    texts = ["", " ", "abc 12.5% x\r\n y", "ＡＢＣ１２３", "2019年3月5日", "C++与.NET", "\u3000\t"]
    for f in sorted(CORPUS.glob("*.txt")):
        for s in split_sentences(read_document(f)):
            texts += [s.text, simplified(s.text)]
    for text in texts:
        assert fast.posseg(text) == [(p.word, p.flag) for p in reference.cut(text)], text


def test_pos_engine_viterbi_matches_jieba_on_hard_runs():
    """Runs of rare and unknown characters, where ties and dead ends are likeliest."""
    from jieba.posseg import char_state_tab_P, emit_P, start_P, trans_P
    from jieba.posseg.viterbi import viterbi

    from kg.segment import PosHMM

    hmm = PosHMM()
    runs = ["龘", "龘龘龘", "丨丿乀", "赣州孚能", "的的的的的", "〇〇", "鿏鿏", "兀兀兀兀兀兀兀兀兀兀兀兀"]
    for run in runs:
        assert hmm.viterbi(run) == viterbi(run, char_state_tab_P, start_P, trans_P, emit_P)[1], run


def test_changed_document_rewrites_only_the_graphs_it_touches(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    store = tmp_path / "store"
    run_kg("build", corpus, "--store", store, check=True)
    f = corpus / "004_423b48c048a31880.txt"
    f.write_text(f.read_text(encoding="utf-8") + "\n\n本文于2024年3月修订。\n", encoding="utf-8")
    p = run_kg("build", corpus, "--store", store, check=True)
    assert "1 updated" in p.stderr
    written = int(p.stderr.split(" document graphs written")[0].rsplit(";", 1)[1])
    assert 1 <= written < len(list(CORPUS.glob("*.txt")))
    fresh = tmp_path / "fresh"
    run_kg("build", corpus, "--store", fresh, check=True)
    assert isomorphic(_graph(store, tmp_path, "incremental"), _graph(fresh, tmp_path, "fresh"))


@pytest.mark.parametrize("suffix", [".nt", ".nq"])
def test_load_puts_a_file_into_the_store_and_a_second_load_replaces_it(built_store, tmp_path, suffix):
    fmt = suffix[1:]
    dump = tmp_path / f"g{suffix}"
    run_kg("export", "--store", built_store, "--format", fmt, "--output", dump, check=True)
    store = tmp_path / "loaded"
    run_kg("load", dump, "--store", store, check=True)
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    first = run_kg("query", "--store", store, count, "--format", "json", check=True).stdout
    run_kg("load", dump, "--store", store, check=True)
    assert run_kg("query", "--store", store, count, "--format", "json", check=True).stdout == first
    expected = json.loads(run_kg("query", "--store", built_store, count, "--format", "json", check=True).stdout)
    got = json.loads(first)
    if fmt == "nq":
        assert got == expected
    else:
        assert 0 < int(got[0]["n"]) <= int(expected[0]["n"])


def test_load_refuses_an_unknown_format_with_one_line(tmp_path):
    bad = tmp_path / "g.xlsx"
    bad.write_text("x", encoding="utf-8")
    p = run_kg("load", bad, "--store", tmp_path / "store")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert len([line for line in p.stderr.splitlines() if line.strip()]) == 1


def test_parent_and_workers_take_each_document_once():
    """--jobs 3: this process and two workers share the documents; each is extracted once."""
    from kg.pipeline import Extractor, _extract_all, extractor_fingerprint

    paths = sorted(CORPUS.glob("*.txt")) * 2          # more documents than processes
    fp, ex = extractor_fingerprint(), Extractor()
    alone = [text for _, (_, (text, _)) in _extract_all(paths, 1, None, fp, ex)]
    shared = sorted(_extract_all(paths, 3, None, fp, ex), key=lambda r: r[0])
    assert [i for i, _ in shared] == list(range(len(paths)))
    assert [r[1][1][0] for r in shared] == alone


def test_build_turns_garbage_collection_back_on(tmp_path):
    import gc

    import kg
    from kg.errors import InputError

    doc = sorted(CORPUS.glob("*.txt"))[0]
    assert gc.isenabled()
    kg.build([doc], tmp_path / "store")
    assert gc.isenabled()
    with pytest.raises(InputError):
        kg.build([tmp_path / "missing.txt"], tmp_path / "store")
    assert gc.isenabled()
    gc.disable()
    try:
        kg.build([doc], tmp_path / "store")
        assert not gc.isenabled()          # a caller's choice is left as it was
    finally:
        gc.enable()
