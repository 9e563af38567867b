"""Query latencies of the saved research queries: oxigraph through the library, HTTP, rdflib.

The rdflib side runs in its own process (``python bench/latency.py rdflib …``) because its
in-memory store of a million triples takes gigabytes and minutes to load, and a query it
cannot finish in time has to be abandoned with the process.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import re
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
# Queries that ask about one thing (a bound triple, a plan, a name): the ones a person
# runs interactively and waits for. The others aggregate over the whole graph.
SELECTIVE = ("evidence_for_triple", "responsibility_matrix", "entity_search")


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of the values."""
    xs = sorted(values)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))]


def bind(text: str, values: dict[str, str]) -> str:
    """The query with a VALUES row (N-Triples terms) put first in its WHERE clause."""
    if not values:
        return text
    names = " ".join(f"?{k}" for k in values)
    row = " ".join(values.values())
    m = re.search(r"WHERE\s*\{", text)
    return text[: m.end()] + f"\n  VALUES ({names}) {{ ({row}) }}" + text[m.end():]


def saved_queries(oxi) -> dict[str, str]:
    """Name -> query text; the selective ones bound to a real triple and plan of this store."""
    out = {f.stem: f.read_text(encoding="utf-8") for f in sorted(QUERIES.glob("*.rq"))}
    rkg = "https://w3id.org/reform-kg/ontology#"
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    row = next(iter(oxi.query(
        f"SELECT ?s ?p ?o WHERE {{ ?st <{rdf}subject> ?s ; <{rdf}predicate> ?p ; <{rdf}object> ?o ; <{rkg}evidence> ?e }} LIMIT 1",
        use_default_graph_as_union=True)), None)
    if row is not None and "evidence_for_triple" in out:
        out["evidence_for_triple"] = bind(out["evidence_for_triple"],
                                          {"s": str(row["s"]), "p": str(row["p"]), "o": str(row["o"])})
    row = next(iter(oxi.query(
        f"SELECT ?plan (COUNT(?t) AS ?n) WHERE {{ ?t <{rkg}partOf> ?plan . ?plan a <{rkg}Policy> }} "
        "GROUP BY ?plan ORDER BY DESC(?n) LIMIT 1", use_default_graph_as_union=True)), None)
    if row is not None and "responsibility_matrix" in out:
        out["responsibility_matrix"] = bind(out["responsibility_matrix"], {"plan": str(row["plan"])})
    return out


def _consume(result) -> int:
    return sum(1 for _ in result)


def library_latencies(store: str, queries: dict[str, str], runs: int, open_each: bool) -> dict:
    """Seconds per run of each query through kg (kg.run_query opens the store each call)."""
    import kg
    from kg.query import run_query
    from kg.store import Store

    st = None if open_each else Store.open(store)
    out = {}
    for name, text in queries.items():
        times, rows = [], 0
        for _ in range(runs):
            t = time.perf_counter()
            rows = _consume(kg.run_query(store, text) if open_each else run_query(st.oxi, text))
            times.append(time.perf_counter() - t)
        out[name] = {"times": times, "rows": rows}
    return out


def http_latencies(url: str, queries: dict[str, str], runs: int) -> dict:
    """Seconds per run of each query through a running ``kg serve`` (SPARQL JSON results)."""
    out = {}
    for name, text in queries.items():
        times = []
        for _ in range(runs):
            req = urllib.request.Request(url + "sparql?" + urllib.parse.urlencode({"query": text}),
                                         headers={"Accept": "application/sparql-results+json"})
            t = time.perf_counter()
            with urllib.request.urlopen(req, timeout=600) as resp:
                body = resp.read()
            times.append(time.perf_counter() - t)
        out[name] = {"times": times, "rows": len(json.loads(body)["results"]["bindings"])}
    return out


def rdflib_latencies(nq: str, queries: dict[str, str], runs: int, timeout: float) -> dict:
    """Run in a child process: load the N-Quads into an rdflib Dataset (union default graph) and time."""
    import subprocess
    import tempfile

    out: dict = {}
    todo = dict(queries)
    with tempfile.TemporaryDirectory() as tmp:
        qfile = Path(tmp) / "queries.json"
        while todo:
            qfile.write_text(json.dumps(todo, ensure_ascii=False), encoding="utf-8")
            p = subprocess.run([sys.executable, __file__, "rdflib", nq, str(qfile), "--runs", str(runs),
                                "--timeout", str(timeout)], capture_output=True, text=True)
            got = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
            for r in got:
                if r["name"] == "_load":
                    out.setdefault("_load", r)
                    continue
                out[r["name"]] = r
                todo.pop(r["name"], None)
            if not got or (p.returncode not in (0, 3)):
                for name in todo:
                    out[name] = {"name": name, "error": p.stderr.strip().splitlines()[-1:] or ["failed"]}
                break
    return out


def _rdflib_child(nq: str, qfile: str, runs: int, timeout: float) -> int:
    import rdflib

    t = time.perf_counter()
    ds = rdflib.Dataset(default_union=True)
    ds.parse(nq, format="nquads")
    print(json.dumps({"name": "_load", "seconds": time.perf_counter() - t, "quads": len(ds)}), flush=True)
    for name, text in json.loads(Path(qfile).read_text(encoding="utf-8")).items():
        times, rows = [], [0]
        for _ in range(runs):
            box: dict = {}

            def go():
                try:
                    box["rows"] = sum(1 for _ in ds.query(text))
                except Exception as e:      # a query rdflib cannot run: reported, not fatal
                    box["error"] = f"{type(e).__name__}: {e}"
            th = threading.Thread(target=go, daemon=True)
            t = time.perf_counter()
            th.start()
            th.join(timeout)
            if th.is_alive():
                print(json.dumps({"name": name, "timeout": timeout, "times": times}), flush=True)
                os._exit(3)             # the query cannot be stopped: the parent starts afresh
            times.append(time.perf_counter() - t)
            if "error" in box:
                print(json.dumps({"name": name, "error": box["error"]}), flush=True)
                break
            rows = [box["rows"]]
        else:
            print(json.dumps({"name": name, "times": times, "rows": rows[0]}), flush=True)
    return 0


def summary(times: list[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    return statistics.median(times) * 1000, percentile(times, 95) * 1000


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("rdflib")
    r.add_argument("nq")
    r.add_argument("queries")
    r.add_argument("--runs", type=int, default=3)
    r.add_argument("--timeout", type=float, default=60)
    a = p.parse_args(argv)
    return _rdflib_child(a.nq, a.queries, a.runs, a.timeout)


if __name__ == "__main__":
    sys.exit(main())
