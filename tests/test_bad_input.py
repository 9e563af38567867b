"""Whatever researchers scrape: each file is processed correctly or refused with one line naming it,
and nothing already in the store is lost."""
from __future__ import annotations

import shutil

import pytest

from conftest import CORPUS, run_kg

BASE = CORPUS / "002_3f82f7dc589cad46.txt"
ZONE_SENTENCE = "湖北襄阳高新技术产业开发区推进“证照分离”改革，引进襄阳智造新材料有限公司。"


@pytest.fixture(scope="module")
def base_store(tmp_path_factory):
    store = tmp_path_factory.mktemp("base") / "store"
    run_kg("build", BASE, "--store", store, check=True)
    return store


def _count(store) -> int:
    p = run_kg("query", "--store", store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
               "--format", "csv", check=True)
    return int(p.stdout.splitlines()[1])


def _labels(store) -> set[str]:
    p = run_kg("query", "--store", store, "SELECT ?l WHERE { ?e rdfs:label ?l }", "--format", "csv", check=True)
    return set(p.stdout.splitlines()[1:])


def _build_one(base_store, tmp_path, name: str, data: bytes):
    store = tmp_path / "store"
    shutil.copytree(base_store, store)
    before = _count(store)
    f = tmp_path / name
    f.write_bytes(data)
    p = run_kg("build", f, "--store", store)
    assert "Traceback" not in p.stderr
    if p.returncode == 0:
        assert _count(store) >= before
    else:
        lines = [line for line in p.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and name in lines[0], p.stderr
        assert _count(store) == before, "a refused file must leave the store as it was"
    return p, store


REFUSED = {
    "empty.txt": b"",
    "blank.txt": b" \n\t\r\n\xe3\x80\x80\n",
    "image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
    "archive.html": b"PK\x03\x04" + bytes(range(256)) * 8,
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_unreadable_files_are_refused(base_store, tmp_path, name):
    p, _ = _build_one(base_store, tmp_path, name, REFUSED[name])
    assert p.returncode != 0


def test_oversized_file_is_refused_before_reading(base_store, tmp_path):
    big = (ZONE_SENTENCE + "\n").encode("utf-8") * (50 * 2**20 // len(ZONE_SENTENCE.encode("utf-8")))
    p, _ = _build_one(base_store, tmp_path, "dump.txt", big)
    assert p.returncode != 0 and "MB limit" in p.stderr


ENCODED = {
    "gbk.txt": ZONE_SENTENCE.encode("gbk"),
    "gb18030.txt": ZONE_SENTENCE.encode("gb18030"),
    "utf16-bom.txt": ZONE_SENTENCE.encode("utf-16"),
    "utf16-le.txt": ZONE_SENTENCE.encode("utf-16-le"),
    "utf16-be.txt": ZONE_SENTENCE.encode("utf-16-be"),
    "utf8-bom.txt": ZONE_SENTENCE.encode("utf-8-sig"),
    "truncated.txt": (ZONE_SENTENCE * 3).encode("utf-8")[:-1],
}


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_encodings_are_read_and_extracted(base_store, tmp_path, name):
    p, store = _build_one(base_store, tmp_path, name, ENCODED[name])
    assert p.returncode == 0, p.stderr
    assert any("襄阳高新" in label for label in _labels(store)), "the zone must be found whatever the encoding"


ODD = {
    "page.html": ("<html><head><title>襄阳动态</title><style>p{color:red}</style>"
                  "<script>var z='恶意高新区';</script></head><body><nav>首页 | 新闻</nav>"
                  f"<iframe src='x.html'>测试框架区</iframe><p>{ZONE_SENTENCE}</p></body></html>"),
    "mixed.txt": "湖北襄陽高新技術產業開發區推進改革，" + ZONE_SENTENCE,
    "zero-width.txt": ZONE_SENTENCE.replace("高新", "高\u200b新") + "\uff11\uff12３项改革",
    "emoji.txt": "🚀" + ZONE_SENTENCE + "👍🏽",
    "unbalanced.txt": "根据《关于促进开发区改革的意见，“证照分离改革" + ZONE_SENTENCE + "》》”",
    "numbers.txt": "2019 2020 2021\n3.5 12% 100\n",
}


@pytest.mark.parametrize("name", sorted(ODD))
def test_odd_texts_are_processed(base_store, tmp_path, name):
    p, store = _build_one(base_store, tmp_path, name, ODD[name].encode("utf-8"))
    assert p.returncode == 0, p.stderr
    labels = _labels(store)
    assert not any("恶意" in label or "测试框架" in label for label in labels), "script/iframe text leaked"
    if name != "numbers.txt":
        assert any("襄阳高新" in label or "襄陽高新" in label for label in labels)


def test_folder_build_goes_on_past_bad_files_and_strict_fails(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(BASE, corpus)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "image.txt").write_bytes(REFUSED["image.txt"])
    p = run_kg("build", corpus, "--store", tmp_path / "store")
    assert p.returncode == 0, p.stderr
    assert "1 added" in p.stderr and "2 failed" in p.stderr
    assert "empty.txt" in p.stderr and "image.txt" in p.stderr
    strict = run_kg("build", corpus, "--store", tmp_path / "store2", "--strict")
    assert strict.returncode != 0 and "Traceback" not in strict.stderr


def test_single_one_megabyte_line_is_processed(base_store, tmp_path):
    # No sentence end and no line break in 1 MB: the splitter must cap sentences, not choke.
    clause = ZONE_SENTENCE.replace("。", "，")
    line = (clause * (2**20 // len(clause.encode("utf-8")) + 1)).encode("utf-8")
    p, store = _build_one(base_store, tmp_path, "oneline.txt", line)
    assert p.returncode == 0, p.stderr
    assert any("襄阳高新" in label for label in _labels(store))
    q = "SELECT (MAX(STRLEN(?s)) AS ?n) WHERE { ?e rkg:sentence ?s }"
    longest = int(run_kg("query", "--store", store, q, "--format", "csv", check=True).stdout.splitlines()[1])
    assert longest <= 600, "evidence sentences must stay readable"
