"""Query latencies of the saved research queries: oxigraph through the library, HTTP, rdflib.

Each engine runs in its own process (``python bench/latency.py child ENGINE …``), which
loads the data once and runs each query in a worker thread against a deadline. A query
still running at its deadline is counted as "> timeout" and stopped: a Python thread
(rdflib) is interrupted with an asynchronous exception; one that does not stop (a query
inside Oxigraph's native code) is abandoned with its process, and a new one goes on with
the rest. rdflib's in-memory store of a million triples takes gigabytes and minutes to
load, so its process is replaced at most ``RDFLIB_RESTARTS`` times per bench run; beyond
that the runaway query is left running and the next ones go on beside it.
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
# Queries that ask about one thing through an index (a bound triple, a bound plan): the
# ones a person runs interactively and waits for. The name search asks about one thing too
# but reads every label and alias (Oxigraph has no text index); it is reported beside them.
# The others aggregate over the whole graph.
SELECTIVE = ("evidence_for_triple", "responsibility_matrix")
NAME_SEARCH = ("entity_search",)


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


def _timed_runs(run_one, runs: int, budget: float) -> tuple[list[float], int]:
    """Times of up to ``runs`` calls, fewer once ``budget`` seconds are spent (at least one)."""
    times, rows = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        rows = run_one()
        times.append(time.perf_counter() - t)
        if sum(times) > budget:
            break
    return times, rows


RDFLIB_RESTARTS = 2      # rdflib loads for minutes: never more new processes than this per bench run
CANCEL_GRACE = 5.0       # seconds a cancelled query thread gets to stop before it counts as runaway


def latencies(engine: str, source: str, queries: dict[str, str], runs: int, timeout: float,
              budget: float, restarts: int | None = None) -> dict:
    """Per query {"times", "rows"} or {"timeout"} or {"error"}, run by a child process.

    engine: "oxigraph" (kg.query.run_query on a store opened once), "oxigraph-open"
    (kg.run_query, which opens the store on each call) or "rdflib" (an in-memory
    Dataset with a union default graph, loaded from the N-Quads file ``source``; once,
    unless a query that cannot be stopped needs a fresh process). A run of a query still
    going after ``timeout`` seconds is stopped and the query reported as
    {"timeout": timeout}. ``restarts``: how many times a child may be replaced after such
    a runaway query (default: ``RDFLIB_RESTARTS`` for rdflib, one per query otherwise);
    "_load" holds the first child's load time, "_children" how many processes ran.
    """
    import subprocess
    import tempfile

    if restarts is None:
        restarts = RDFLIB_RESTARTS if engine == "rdflib" else len(queries)
    out: dict = {}
    todo = dict(queries)
    children = 0
    with tempfile.TemporaryDirectory() as tmp:
        qfile, efile = Path(tmp) / "queries.json", Path(tmp) / "stderr.txt"
        while todo:
            qfile.write_text(json.dumps(todo, ensure_ascii=False), encoding="utf-8")
            children += 1
            got = []
            with open(efile, "w+", encoding="utf-8") as err:
                p = subprocess.Popen([sys.executable, __file__, "child", engine, source, str(qfile), "--runs", str(runs),
                                      "--timeout", str(timeout), "--budget", str(budget),
                                      "--may-restart", "1" if restarts > 0 else "0"],
                                     stdout=subprocess.PIPE, stderr=err, text=True, cwd=ROOT)
                for line in p.stdout:
                    if not line.startswith("{"):
                        continue
                    r = json.loads(line)
                    got.append(r)
                    if r["name"] == "_load":
                        out.setdefault("_load", r)
                        log.info("%s: loaded in %.1f s", engine, r["seconds"])
                        continue
                    out[r["name"]] = r
                    todo.pop(r["name"], None)
                    if "timeout" in r:
                        log.info("%s: %s > %g s%s", engine, r["name"], timeout,
                                 " (could not be stopped)" if r.get("runaway") else "")
                returncode = p.wait()
                err.seek(0)
                stderr = err.read()
            if returncode == 3 and todo:
                restarts -= 1
                log.info("%s: a query could not be stopped; new process for the %d left", engine, len(todo))
            if returncode not in (0, 3) or not any(r["name"] != "_load" for r in got):
                for name in todo:
                    out[name] = {"name": name, "error": (stderr.strip().splitlines() or ["failed"])[-1]}
                break
    out["_children"] = children
    return out


def http_latencies(url: str, queries: dict[str, str], runs: int, budget: float) -> dict:
    """Seconds per run of each query through a running ``kg serve`` (SPARQL JSON results)."""
    import urllib.error

    out = {}
    for name, text in queries.items():
        def one():
            req = urllib.request.Request(url + "sparql?" + urllib.parse.urlencode({"query": text}),
                                         headers={"Accept": "application/sparql-results+json"})
            with urllib.request.urlopen(req, timeout=3600) as resp:
                return len(json.loads(resp.read())["results"]["bindings"])
        try:
            times, rows = _timed_runs(one, runs, budget)
            out[name] = {"name": name, "times": times, "rows": rows}
        except urllib.error.HTTPError as e:
            out[name] = {"name": name, "timeout": None} if e.code == 503 else {"name": name, "error": str(e)}
    return out


class Cancelled(BaseException):
    """Raised inside a query thread that ran past its deadline (not an Exception: nothing catches it)."""


def _cancel(thread: threading.Thread) -> None:
    """Raise Cancelled in the thread at its next Python instruction (native code is not interrupted)."""
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(Cancelled))


def run_with_deadline(run_one, runs: int, timeout: float, budget: float, grace: float = CANCEL_GRACE) -> dict:
    """Up to ``runs`` timed calls of ``run_one`` (fewer once ``budget`` seconds are spent), in a thread.

    A call still going after ``timeout`` seconds is cancelled. Returns {"times", "rows"} (the
    calls that finished), {"timeout": timeout} if the first did not, or {"error"}; with
    "runaway": True when the cancelled thread is still running ``grace`` seconds later.
    """
    state: dict = {"times": [], "rows": 0, "start": time.perf_counter()}

    def go():
        try:
            for _ in range(runs):
                state["start"] = t = time.perf_counter()
                rows = run_one()
                state["times"].append(time.perf_counter() - t)
                state["rows"] = rows
                if sum(state["times"]) > budget:
                    break
        except Cancelled:
            pass
        except Exception as e:          # a query the engine cannot run: reported, not fatal
            state["error"] = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
    th = threading.Thread(target=go, daemon=True)
    th.start()
    while th.is_alive():
        left = state["start"] + timeout - time.perf_counter()
        if left <= 0:
            break
        th.join(min(left, 1.0))
    if not th.is_alive():
        if "error" in state:
            return {"error": state["error"]}
        return {"times": state["times"], "rows": state["rows"]}
    done = list(state["times"])
    end = time.perf_counter() + grace
    while th.is_alive() and time.perf_counter() < end:
        _cancel(th)                     # again if a handler swallowed it
        th.join(0.2)
    r = {"times": done, "rows": state["rows"]} if done else {"timeout": timeout}
    if th.is_alive():
        r["runaway"] = True
    return r


def _child(engine: str, source: str, qfile: str, runs: int, timeout: float, budget: float,
           may_restart: bool = True) -> int:
    t = time.perf_counter()
    if engine == "rdflib":
        import rdflib

        ds = rdflib.Dataset(default_union=True)
        ds.parse(source, format="nquads")
        print(json.dumps({"name": "_load", "seconds": time.perf_counter() - t, "quads": len(ds)}), flush=True)
        run = lambda text: sum(1 for _ in ds.query(text))                     # noqa: E731
    elif engine == "oxigraph":
        from kg.query import run_query
        from kg.store import Store

        st = Store.open(source)
        run = lambda text: sum(1 for _ in run_query(st.oxi, text))           # noqa: E731
    else:
        import kg

        run = lambda text: sum(1 for _ in kg.run_query(source, text))        # noqa: E731
    for name, text in json.loads(Path(qfile).read_text(encoding="utf-8")).items():
        r = run_with_deadline(lambda: run(text), runs, timeout, budget)
        print(json.dumps({"name": name, **r}), flush=True)
        if r.get("runaway") and may_restart:
            os._exit(3)                 # the query cannot be stopped: the parent starts afresh
    sys.stdout.flush()
    os._exit(0)                         # not minutes of freeing an in-memory store (and no runaway to wait for)


def summary(times: list[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    return statistics.median(times) * 1000, percentile(times, 95) * 1000


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("child")
    c.add_argument("engine", choices=("oxigraph", "oxigraph-open", "rdflib"))
    c.add_argument("source", help="store folder, or N-Quads file for rdflib")
    c.add_argument("queries", help="JSON file: name -> query text")
    c.add_argument("--runs", type=int, default=3)
    c.add_argument("--timeout", type=float, default=60)
    c.add_argument("--budget", type=float, default=20)
    c.add_argument("--may-restart", type=int, default=1,
                   help="1: exit with status 3 after a query that cannot be stopped (the parent starts a new child)")
    a = p.parse_args(argv)
    return _child(a.engine, a.source, a.queries, a.runs, a.timeout, a.budget, bool(a.may_restart))


if __name__ == "__main__":
    sys.exit(main())
