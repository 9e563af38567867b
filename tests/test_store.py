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


def test_cached_extraction_is_reused_only_for_the_same_extractor(tmp_path):
    store = tmp_path / "store"
    run_kg("build", CORPUS / "004_423b48c048a31880.txt", "--store", store, check=True)
    with Store.open(store) as st:
        from kg.pipeline import extractor_fingerprint
        assert st.load_extraction("004_423b48c048a31880.txt", extractor_fingerprint()) is not None
        assert st.load_extraction("004_423b48c048a31880.txt", "another-version") is None
