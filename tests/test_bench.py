"""The bench's own machinery (bench/run.py, bench/latency.py): row selection, the table of the rows
that ran, and query deadlines that stop a runaway query without a new process (rdflib loads for
minutes on the large store)."""
from __future__ import annotations

import importlib.util
import sys
import time

import pytest

from conftest import ROOT, run_kg

sys.path.insert(0, str(ROOT / "bench"))
import latency  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
bench_run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_run)

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"      # never ends on a real graph


def test_rows_by_number_or_name():
    assert bench_run.parse_rows("1,3,4") == [1, 3, 4]
    assert bench_run.parse_rows("build,parallel,incremental") == [1, 3, 4]
    assert bench_run.parse_rows("6, queries") == [5, 6]
    assert bench_run.parse_rows("1,2,3,4,5,6") == list(range(1, 7))
    with pytest.raises(SystemExit):
        bench_run.parse_rows("7")
    with pytest.raises(SystemExit):
        bench_run.parse_rows("speed")


def _queries_result() -> dict:
    lib = {"funds": {"name": "funds", "times": [0.01, 0.012], "rows": 5},
           "entity_search": {"name": "entity_search", "times": [0.02], "rows": 3},
           "zone_profiles": {"name": "zone_profiles", "timeout": 60}}
    rdf = {"_load": {"name": "_load", "seconds": 12.0, "quads": 100}, "_children": 1,
           "funds": {"name": "funds", "timeout": 30},
           "entity_search": {"name": "entity_search", "times": [0.4, 0.5, 0.6], "rows": 3},
           "zone_profiles": {"name": "zone_profiles", "timeout": 30}}
    return {"triples": 1_100_000, "quads": 2_700_000, "library": lib, "library_open_each": {"_children": 1, **lib},
            "http": lib, "rdflib": rdf}


def test_table_shows_only_the_rows_that_ran():
    res = {"chars": 100_000, "scales": [1, 2], "timeout": 60, "rdflib_timeout": 30, "rows": [1, 3, 4],
           "build": {"kg": [4.0], "lcut": [2.0], "ratio": 2.0, "chars": 100_000},
           "parallel": {"jobs2": [2.5], "speedup": 1.6, "jobs1": 4.0},
           "incremental": {"unchanged": 0.1, "changed_1pct": 0.3, "changed_docs": 1, "full": 4.0,
                           "unchanged_share": 0.025, "changed_share": 0.075}}
    out = bench_run.table(res)
    assert [line.split(" |")[0] for line in out.splitlines()[2:]] == ["1", "3", "4"]
    assert "queries (" not in out

    res = {"chars": 100_000, "scales": [1, 2], "timeout": 60, "rdflib_timeout": 30, "rows": [5],
           "queries": _queries_result()}
    out = bench_run.table(res)
    lines = out.splitlines()
    assert lines[2].startswith("5 | 3 saved queries on 1.10M triples")
    assert "rdflib in-memory (load 12 s)" in lines[2] and "2 of 3 comparable" in lines[2]
    assert "timeout 60 s, rdflib 30 s" in out
    funds = next(line for line in lines if "funds" in line)
    assert "> timeout" in funds and ">= 2727x" in funds            # 30 s against an 11 ms p50: a lower bound
    assert "both > timeout" in next(line for line in lines if "zone_profiles" in line)
    assert "_load" not in out and "_children" not in out


def test_a_python_query_past_its_deadline_is_stopped_in_place():
    def busy():
        while True:
            pass
    t = time.perf_counter()
    r = latency.run_with_deadline(busy, runs=3, timeout=0.5, budget=10, grace=5)
    assert r == {"timeout": 0.5}                                     # stopped: not "runaway"
    assert time.perf_counter() - t < 3

    calls = []

    def slower():                                                    # 0.05 s, then a run that hangs
        calls.append(1)
        if len(calls) > 1:
            busy()
        time.sleep(0.05)
        return 7
    r = latency.run_with_deadline(slower, runs=3, timeout=0.5, budget=10, grace=5)
    assert r["rows"] == 7 and len(r["times"]) == 1 and "timeout" not in r

    r = latency.run_with_deadline(lambda: 1 / 0, runs=3, timeout=5, budget=10)
    assert r == {"error": "ZeroDivisionError: division by zero"}


def test_rdflib_loads_once_and_goes_on_after_a_timeout(built_store, tmp_path):
    nq = tmp_path / "seed.nq"
    run_kg("export", "--store", built_store, "--format", "nq", "--output", nq, check=True)
    queries = {"slow": SLOW, "labels": "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }",
               "bad": "SELECT ?x WHERE { ?x ?p ?o . FILTER(<http://example.org/f>(?x)) }"}
    r = latency.latencies("rdflib", str(nq), queries, runs=2, timeout=2, budget=5)
    assert r["_children"] == 1 and r["_load"]["quads"] > 1000
    assert r["slow"] == {"name": "slow", "timeout": 2}
    assert r["labels"]["rows"] > 100 and len(r["labels"]["times"]) == 2
    assert set(r["bad"]) <= {"name", "rows", "times", "error"}


def test_oxigraph_query_that_cannot_be_stopped_gets_a_new_process(built_store):
    queries = {"slow": SLOW, "after": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"}
    r = latency.latencies("oxigraph", str(built_store), queries, runs=2, timeout=1, budget=5)
    assert "timeout" in r["slow"] and r["after"]["rows"] == 3
    assert r["_children"] in (1, 2)         # 2 when the native query did not return to Python in time
