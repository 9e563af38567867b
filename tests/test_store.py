"""The store: locking, the extraction cache, and refusals that leave data intact."""
from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import CORPUS, run_kg
from kg.errors import StoreError
from kg.model import Document, Evidence, Extraction, Mention, Observation, Relation
from kg.store import Store, decode_extraction, encode_extraction


def test_second_writer_is_refused_while_a_build_holds_the_lock(tmp_path):
    store = tmp_path / "store"
    with Store.open(store, create=True, write=True):
        p = run_kg("build", CORPUS / "002_3f82f7dc589cad46.txt", "--store", store)
    assert p.returncode == StoreError.exit_code
    assert "another 'kg build' is writing this store" in p.stderr and "Traceback" not in p.stderr
    run_kg("build", CORPUS / "002_3f82f7dc589cad46.txt", "--store", store, check=True)   # lock released


def test_folder_that_is_not_a_store_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(StoreError, match="not a Reform KG store"):
        Store.open(tmp_path, create=True, write=True)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    with pytest.raises(StoreError, match="no store here"):
        Store.open(tmp_path / "missing")


def test_extraction_cache_round_trips():
    s = "赣州经开区引进新材料公司,投资5亿元。"
    doc = Document("t.txt", s, s, list(range(len(s) + 1)), "ab" * 32, title="标题", date="2024-01-02")
    zone = Mention("Zone", "赣州经开区", 0, 0, 5)
    comp = Mention("Company", "新材料公司", 0, 7, 12, attrs=(("code", "1"),))
    ev = Evidence("t.txt", s, 0, len(s))
    ex = Extraction(doc, [zone, comp], [Relation(zone, "hosts", comp, ev)],
                    [Observation(comp, "投资", Decimal("500000000"), "CNY", "2024", ev)])
    back = decode_extraction(encode_extraction(ex))
    assert back.mentions == ex.mentions and back.relations == ex.relations
    assert back.observations == ex.observations
    assert (back.document.source, back.document.sha256, back.document.title) == ("t.txt", "ab" * 32, "标题")


def test_cached_resolution_keys_hold_only_for_their_resolver_version():
    s = "赣州经开区引进新材料公司。"
    doc = Document("t.txt", s, s, list(range(len(s) + 1)), "ab" * 32)
    zone, comp = Mention("Zone", "赣州经开区", 0, 0, 5), Mention("Company", "新材料公司", 0, 7, 12)
    ev = Evidence("t.txt", s, 0, len(s))
    ex = Extraction(doc, [zone, comp, zone], [Relation(zone, "hosts", comp, ev)],
                    keys={zone: ["赣州|经济技术开发区"], comp: []}, keys_version="v1")
    data = encode_extraction(ex)
    assert len(data["mentions"]) == 2 and data["listed"] == [0, 1, 0]     # each mention stored once
    back = decode_extraction(data, "v1")
    assert back.mentions == [zone, comp, zone] and back.keys == {zone: ["赣州|经济技术开发区"], comp: []}
    assert back.relations[0].subject is back.mentions[0]                   # shared, not copied
    assert decode_extraction(data, "v2").keys is None


def test_cache_files_from_before_the_mention_tables_are_still_read():
    ev = {"source": "t.txt", "sentence": "甲乙", "start": 0, "end": 2}
    z = {"cls": "Zone", "text": "甲区", "sentence": 0, "start": 0, "end": 2, "name": "", "ref": False, "attrs": []}
    p = {**z, "cls": "Place", "text": "乙", "attrs": [["code", "360700"]]}
    old = {"document": {"source": "t.txt", "sha256": "ab", "title": "", "date": ""}, "mentions": [z, p],
           "relations": [{"subject": z, "prop": "locatedIn", "object": p, "evidence": ev}],
           "observations": [{"about": z, "indicator": "GDP", "value": "5", "unit": "CNY", "period": "",
                             "evidence": ev}]}
    back = decode_extraction(old)
    assert back.mentions[1].attrs == (("code", "360700"),)
    assert back.relations[0].object is back.mentions[1] and back.observations[0].value == Decimal("5")


def test_cached_extraction_is_reused_only_for_the_same_extractor(tmp_path):
    store = tmp_path / "store"
    run_kg("build", CORPUS / "004_423b48c048a31880.txt", "--store", store, check=True)
    with Store.open(store) as st:
        from kg.pipeline import extractor_fingerprint
        assert st.load_extraction("004_423b48c048a31880.txt", extractor_fingerprint()) is not None
        assert st.load_extraction("004_423b48c048a31880.txt", "another-version") is None


# -- generations and the union in the default graph -------------------------------------
def _q(s: str, o: str, g: str):
    from pyoxigraph import Literal, NamedNode, Quad
    return Quad(NamedNode(f"http://x/{s}"), NamedNode("http://x/p"), Literal(o), NamedNode(f"http://x/g/{g}"))


def _default(st) -> set:
    from pyoxigraph import DefaultGraph
    return {(q.subject.value, q.object.value) for q in st.oxi.quads_for_pattern(None, None, None, DefaultGraph())}


def test_default_graph_is_the_set_union_of_the_named_graphs(tmp_path):
    from pyoxigraph import NamedNode

    with Store.open(tmp_path / "s", create=True, write=True) as st:
        st.replace_graphs({NamedNode("http://x/g/a"): [_q("e", "1", "a"), _q("e", "2", "a")],
                           NamedNode("http://x/g/b"): [_q("e", "1", "b")]})
        assert _default(st) == {("http://x/e", "1"), ("http://x/e", "2")}
        # the triple b shares with a stays; the one only a had goes with it
        st.replace_graphs({NamedNode("http://x/g/a"): [_q("e", "3", "a")]})
        assert _default(st) == {("http://x/e", "1"), ("http://x/e", "3")}
        st.replace_graphs({NamedNode("http://x/g/b"): []})
        assert _default(st) == {("http://x/e", "3")}
        from kg.query import result_rows, run_query
        assert result_rows(run_query(st.oxi, "SELECT ?o WHERE { ?s ?p ?o }"))[1] == [["3"]]


def test_quad_count_kept_by_writes_is_the_counted_one(tmp_path):
    from pyoxigraph import NamedNode

    def counted(st):
        q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        return int(next(iter(st.oxi.query(q)))["n"].value)

    nt = tmp_path / "x.nt"
    nt.write_text("<http://x/a> <http://x/p> <http://x/b> .\n<http://x/a> <http://x/p> <http://x/c> .\n")
    with Store.open(tmp_path / "s", create=True, write=True) as st:
        steps = [lambda: st.replace_graphs({NamedNode("http://x/g/a"): [_q("e", "1", "a"), _q("e", "2", "a")],
                                            NamedNode("http://x/g/b"): [_q("e", "1", "b")]}),
                 lambda: st.replace_graphs({NamedNode("http://x/g/a"): [_q("e", "3", "a")]}),
                 lambda: st.load_file(nt, __import__("pyoxigraph").RdfFormat.N_TRIPLES, NamedNode("http://x/g/f")),
                 lambda: st.replace_graphs({NamedNode("http://x/g/b"): [], NamedNode("http://x/g/c"): [_q("e", "4", "c")]})]
        for step in steps:
            step()
            assert st.quad_count() == counted(st)
        assert st._read_sigs()[1] is not None       # counted once after the load, then kept again
    assert (tmp_path / "s").exists()


def test_a_write_makes_a_new_generation_and_keeps_one_before_it(tmp_path):
    import os
    from pyoxigraph import NamedNode

    path = tmp_path / "s"
    with Store.open(path, create=True, write=True) as st:
        for i in range(4):
            st.replace_graphs({NamedNode("http://x/g/a"): [_q("e", str(i), "a")]})
    assert os.readlink(path / "oxigraph") == "oxigraph.4"
    assert sorted(p.name for p in path.glob("oxigraph.*") if p.is_dir()) == ["oxigraph.3", "oxigraph.4"]
    with Store.open(path) as st:          # read-only, through the link
        assert _default(st) == {("http://x/e", "3")}


def test_store_copied_without_links_and_format_1_store_are_taken_over(tmp_path):
    import json
    import shutil
    from pyoxigraph import DefaultGraph, NamedNode

    path = tmp_path / "s"
    with Store.open(path, create=True, write=True) as st:
        st.replace_graphs({NamedNode("http://x/g/a"): [_q("e", "1", "a")]})
    copy = tmp_path / "copy"
    shutil.copytree(path, copy)           # the link becomes a folder beside the generations
    # as an older version left it: format 1, nothing in the default graph
    with Store.open(copy, write=True) as st:
        st.oxi.remove_graph(DefaultGraph())
    (copy / "kg-store.json").write_text(json.dumps({"format": 1}), encoding="utf-8")
    with pytest.raises(StoreError, match="run 'kg build' on it once"):
        Store.open(copy)
    with Store.open(copy, write=True) as st:
        assert _default(st) == {("http://x/e", "1")}
    with Store.open(copy) as st:
        assert _default(st) == {("http://x/e", "1")}


def test_large_writes_to_a_large_store_compact_it(tmp_path, monkeypatch):
    """Compaction (RocksDB's, via Store.optimize) follows once the writes since the last one
    reach a share of a large enough store; small writes only add to the tally."""
    from pyoxigraph import NamedNode

    from kg import store as store_module

    monkeypatch.setattr(store_module, "COMPACT_MIN_QUADS", 4)
    compactions = []
    real = store_module._compaction_due
    monkeypatch.setattr(store_module, "_compaction_due",
                        lambda quads, since: compactions.append((quads, since)) or real(quads, since))
    big = {NamedNode(f"http://x/g/{i}"): [_q("e", str(j), str(i)) for j in range(3)] for i in range(4)}
    with Store.open(tmp_path / "s", create=True, write=True) as st:
        st.replace_graphs(big)                                        # 12 quads written into 12
        assert compactions[-1] == (12, 12) and st._read_sigs()[2] == 0
        st.replace_graphs({NamedNode("http://x/g/0"): [_q("e", "9", "0")] * 1})   # 1 written: 1 < 10 / 4
        assert compactions[-1] == (10, 1) and st._read_sigs()[2] == 1
        st.replace_graphs({NamedNode("http://x/g/1"): [_q("e", "8", "1"), _q("e", "7", "1")]})   # 1 + 2 >= 9 / 4
        assert compactions[-1] == (9, 3) and st._read_sigs()[2] == 0
        assert st.quad_count() == 9 and len(list(st.quads())) > 9      # the default graph too, intact
    monkeypatch.setattr(store_module, "COMPACT_MIN_QUADS", 100)
    with Store.open(tmp_path / "t", create=True, write=True) as st:
        st.replace_graphs(big)
        assert st._read_sigs()[2] == 12                               # too small a store to compact


def test_decoded_tally_counts_every_occurrence_in_first_occurrence_order():
    """The decoder's tally is what counting the mentions one by one gives, and resolution
    from it is the resolution from the mentions themselves."""
    from collections import Counter

    from kg.resolve import _all_mentions, document_keys, keys_version, resolve

    s = "赣州经开区引进新材料公司，赣州经开区与新材料公司签约，投资5亿元。"
    doc = Document("t.txt", s, s, list(range(len(s) + 1)), "ab" * 32)
    zone, comp = Mention("Zone", "赣州经开区", 0, 0, 5), Mention("Company", "新材料公司", 0, 7, 12)
    zone2, ref = Mention("Zone", "赣州经开区", 0, 13, 18), Mention("Zone", "该区", 0, 30, 32, name="赣州经开区", ref=True)
    ev, ev2 = Evidence("t.txt", s, 0, 12), Evidence("t.txt", s, 13, len(s))
    ex = Extraction(doc, [zone, comp, zone2],
                    [Relation(zone, "hosts", comp, ev), Relation(comp, "locatedIn", zone2, ev2),
                     Relation(ref, "hosts", comp, ev2)],
                    [Observation(comp, "投资", Decimal("500000000"), "CNY", "", ev2)])
    ex.keys, ex.keys_version = document_keys(ex), keys_version()
    back = decode_extraction(encode_extraction(ex), keys_version())
    assert back.tally == list(Counter(_all_mentions(back)).items())
    assert back.tally == [(zone, 2), (comp, 5), (zone2, 2), (ref, 1)]
    plain = decode_extraction(encode_extraction(ex), keys_version())
    plain.tally = None
    a, b = resolve([back]), resolve([plain])
    assert [(e.cls, e.label, e.alt_labels, e.attrs) for e in a.entities] == \
        [(e.cls, e.label, e.alt_labels, e.attrs) for e in b.entities]
    assert {m: e.label for m, e in a.by_mention.items()} == {m: e.label for m, e in b.by_mention.items()}


def test_a_written_generation_opens_when_first_read(tmp_path):
    from pyoxigraph import NamedNode

    with Store.open(tmp_path / "s", create=True, write=True) as st:
        st.replace_graphs({NamedNode("http://x/g/a"): [_q("e", "1", "a")]})
        assert st._oxi is None                          # a build that ends here never opens it
        st.replace_graphs({NamedNode("http://x/g/b"): [_q("e", "2", "b")]})   # a second write reads it
        assert st._oxi is None
        assert len(st.graph_quads(NamedNode("http://x/g/a"))) == 1 and st.quad_count() == 2
        assert st._oxi is not None
    with Store.open(tmp_path / "s") as st:
        assert len(list(st.quads())) == 4                 # two named, two in the default graph
