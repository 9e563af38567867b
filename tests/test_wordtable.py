"""The memory-mapped word table answers every lookup as the dicts it was written from."""
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import wordtable
from kg.wordtable import MISSING, WordTable


def table(tmp_path, freq, tags, total=7, extra=("hmm", {"B": 1.5})):
    path = tmp_path / "words.bin"
    with open(path, "wb") as fh:
        wordtable.write(fh, freq, total, tags, extra)
    return WordTable(path)


def test_lookups_match_the_dicts(tmp_path):
    freq = {"改革": 5, "改": 0, "管委会": 300, "管": 12, "AT&T": 3}
    tags = {"改革": "vn", "管委会": "nt", "仅有词性": "n"}
    t = table(tmp_path, freq, tags)
    assert t.total == 7 and t.extra() == ("hmm", {"B": 1.5}) and t.entries == 6
    for w, f in freq.items():
        assert t.freq[w] == f and w in t.freq
    assert "仅有词性" not in t.freq and t.freq.get("仅有词性", -1) == -1
    assert t.frequency("开发区") is MISSING and t.tag("改") is MISSING
    assert [t.tags.get(w, "x") for w in ("改革", "管委会", "仅有词性", "改", "开发区")] == ["vn", "nt", "n", "x", "x"]
    with pytest.raises(KeyError):
        t.freq["开发区"]


def test_additions_stay_in_this_process(tmp_path):
    t = table(tmp_path, {"改革": 5}, {})
    t.freq["溪岚湾"] = 9
    t.freq["改革"] = 1
    t.tags.update({"溪岚湾": "ns"})
    assert t.freq["溪岚湾"] == 9 and t.freq["改革"] == 1 and t.tags.get("溪岚湾") == "ns"
    again = WordTable(tmp_path / "words.bin")
    assert "溪岚湾" not in again.freq and again.freq["改革"] == 5


@pytest.mark.parametrize("freq, tags", [({"x" * 256: 1}, {}), ({"a": -1}, {}), ({"a": 2 ** 32}, {}),
                                        ({"a": 1.5}, {}), ({}, {"a": ""}), ({}, {"a": "名词"})])
def test_what_the_layout_cannot_hold_is_refused(freq, tags):
    with pytest.raises(ValueError):
        wordtable.write(io.BytesIO(), freq, 1, tags, None)


@pytest.mark.parametrize("data", [b"", b"KGWORDS1", b"\x00" * 64])
def test_a_damaged_file_is_refused(tmp_path, data):
    (tmp_path / "bad.bin").write_bytes(data)
    with pytest.raises(ValueError):
        WordTable(tmp_path / "bad.bin")


words = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(words, st.integers(0, 2 ** 32 - 2), max_size=200),
       st.dictionaries(words, st.sampled_from(["n", "nt", "vn", "eng", "x"]), max_size=50),
       st.lists(words, max_size=30))
def test_any_table_round_trips(tmp_path_factory, freq, tags, probes):
    t = table(tmp_path_factory.mktemp("wt"), freq, tags)
    for w in list(freq) + list(tags) + probes:
        assert t.freq.get(w) == freq.get(w)
        assert t.tags.get(w) == tags.get(w)
