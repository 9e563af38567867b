"""Benchmarks of build, scale, parallelism, incremental rebuilds, queries and export/import.

    python bench/run.py [--work out/bench] [--chars 1000000] [--scales 1,4,16] [--repeat 1]
                        [--rows 1,2,3,4,5,6]

The six measures (rows of the table): 1 build, 2 scaling, 3 parallel, 4 incremental,
5 queries, 6 export; ``--rows`` runs some of them, by number or name (``--rows 5,6``,
``--rows build,parallel``). Rows 2-4 reuse row 1's full builds of the 1x corpus, and
make them if row 1 is not run; rows 5 and 6 use the largest scale's store, which row 2
builds afresh and otherwise is brought up to date with the corpus by ``kg build`` (quick
when the store already holds that corpus, built by the current extractor; rebuilt from
scratch when it holds other documents).

Everything is timed side by side in one run, as whole processes where a person would run
a command (wall time and the child's peak resident memory from wait4), and printed as one
table of ratios at the end (also written to WORK/results.json). Machines are noisy: read
the ratios, not the seconds.
"""
from __future__ import annotations

import argparse
import json
import logging
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from latency import NAME_SEARCH, SELECTIVE, http_latencies, latencies, saved_queries, summary  # noqa: E402
from make_corpus import change_documents, make_corpus  # noqa: E402

log = logging.getLogger(__name__)

ROWS = {1: "build", 2: "scaling", 3: "parallel", 4: "incremental", 5: "queries", 6: "export"}
ALIASES = {"export_import": 6, "scale": 2, "jobs": 3, "rebuild": 4, "query": 5}

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
LCUT = """import sys, pathlib, logging, jieba
jieba.setLogLevel(logging.WARNING)
n = 0
for f in sorted(pathlib.Path(sys.argv[1]).rglob("*.txt")):
    n += len(jieba.lcut(f.read_text(encoding="utf-8")))
print(n)
"""
DUMP = """import sys, pyoxigraph as ox
ox.Store.read_only(sys.argv[1]).dump(sys.argv[2], ox.RdfFormat.N_QUADS)
"""
BULK = """import sys, pyoxigraph as ox
ox.Store(sys.argv[1]).bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_TRIPLES)
"""


def run(cmd: list[str], **kw) -> tuple[float, float]:
    """(wall seconds, peak resident MB of the child) of a command; fails loudly if it fails."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"bench: {' '.join(map(str, cmd))} failed ({p.returncode}):\n{err.decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def kg(*args) -> list[str]:
    return [PY, "-m", "kg", *map(str, args)]


def chars_of(folder: Path) -> int:
    return sum(len(f.read_text(encoding="utf-8")) for f in folder.glob("*.txt"))


def fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    return path


def exponent(sizes: list[float], values: list[float]) -> float:
    """Least-squares slope of log(value) over log(size)."""
    xs, ys = [math.log(s) for s in sizes], [math.log(v) for v in values]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(store: Path, timeout: float):
    """Start ``kg serve`` on a free port; returns (process, base URL) once it answers."""
    import urllib.request

    port = free_port()
    proc = subprocess.Popen(kg("serve", "--store", store, "--port", port, "--workers", 2, "--timeout", timeout,
                               "--max-rows", 100_000_000), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(600):
        try:
            with urllib.request.urlopen(url + "sparql?query=ASK%7B%7D", timeout=5):
                return proc, url
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("bench: kg serve did not start")
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("bench: kg serve did not answer")


def parse_rows(text: str) -> list[int]:
    """"1,3,4" or "build,parallel,incremental" (or a mix) -> sorted row numbers."""
    names = {v: k for k, v in ROWS.items()} | ALIASES
    out = set()
    for part in filter(None, (x.strip().lower() for x in text.split(","))):
        if part.isdigit() and int(part) in ROWS:
            out.add(int(part))
        elif part in names:
            out.add(names[part])
        else:
            raise SystemExit(f"bench: unknown row '{part}'; choose from "
                             + ", ".join(f"{k} {v}" for k, v in ROWS.items()))
    if not out:
        raise SystemExit("bench: --rows names no row")
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--work", type=Path, default=ROOT / "out" / "bench", help="scratch folder (default out/bench)")
    p.add_argument("--chars", type=int, default=1_000_000, help="characters of the 1x corpus (default 1M)")
    p.add_argument("--scales", default="1,4,16", help="corpus multiples for the scaling row (default 1,4,16)")
    p.add_argument("--rows", default="1,2,3,4,5,6",
                   help="measures to run, by number or name: 1 build, 2 scaling, 3 parallel, 4 incremental, "
                        "5 queries, 6 export (default all)")
    p.add_argument("--repeat", type=int, default=3,
                   help="pairs of runs for the build ratios, medians taken (default 3: single pairs range over +-20%%)")
    p.add_argument("--query-runs", type=int, default=20, help="runs of each query through oxigraph (default 20)")
    p.add_argument("--rdflib-runs", type=int, default=3, help="runs of each query through rdflib (default 3)")
    p.add_argument("--timeout", type=float, default=60,
                   help="seconds before an oxigraph query is abandoned (default 60)")
    p.add_argument("--rdflib-timeout", type=float, default=30,
                   help="seconds before an rdflib query is abandoned; a timeout gives a '>= N x' bound (default 30)")
    p.add_argument("--budget", type=float, default=20,
                   help="seconds of repeated runs per query and engine, after the first (default 20)")
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="bench: %(message)s")
    rows = parse_rows(a.rows)
    work = a.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    scales = sorted({int(x) for x in a.scales.split(",")} | {1})
    res: dict = {"chars": a.chars, "scales": scales, "timeout": a.timeout, "rdflib_timeout": a.rdflib_timeout,
                 "rows": rows}
    log.info("rows: %s", ", ".join(f"{k} {ROWS[k]}" for k in rows))
    # as `make install` does: where PYTHONDONTWRITEBYTECODE is set, each kg process would
    # compile the package's sources again, a fixed cost that only small rebuilds notice
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "kg")], check=True)

    # Corpora: 1x, and the larger multiples (a larger one starts with the same documents);
    # each made once per run, when a row first needs it.
    corpora: dict[int, Path] = {}

    def corpus(k: int) -> Path:
        if k not in corpora:
            c = fresh(work / f"corpus-{k}x")
            make_corpus(c, a.chars * k, a.seed)
            corpora[k] = c
        return corpora[k]

    # Full --jobs 1 builds of the 1x corpus into store-1x: row 1's, or made for rows 2-4 without it.
    builds, rss1 = [], []

    def full_builds() -> list[float]:
        if not builds:
            for _ in range(a.repeat):
                t, m = run(kg("build", corpus(1), "--store", fresh(work / "store-1x")))
                builds.append(t)
                rss1.append(m)
                log.info("build %.1f s", t)
        return builds

    # 1. Build throughput against jieba.lcut over the same text, pair by pair.
    if 1 in rows:
        one = corpus(1)
        n1 = chars_of(one)
        lcuts, ratios = [], []
        for _ in range(a.repeat):
            t, m = run(kg("build", one, "--store", fresh(work / "store-1x")))
            builds.append(t)
            rss1.append(m)
            t2, _ = run([PY, "-c", LCUT, str(one)])
            lcuts.append(t2)
            ratios.append(t / t2)
            log.info("build %.1f s, jieba.lcut %.1f s", t, t2)
        res["build"] = {"kg": builds, "lcut": lcuts, "ratio": statistics.median(ratios), "chars": n1}

    # 2. Scaling: time and peak memory of a fresh build at each multiple.
    if 2 in rows:
        full_builds()
        scale_rows = {1: (statistics.median(builds), max(rss1), chars_of(corpus(1)))}
        for k in scales:
            if k == 1:
                continue
            t, m = run(kg("build", corpus(k), "--store", fresh(work / f"store-{k}x")))
            scale_rows[k] = (t, m, chars_of(corpus(k)))
            log.info("build %dx: %.1f s, %.0f MB", k, t, m)
        sizes = [scale_rows[k][2] for k in scales]
        res["scaling"] = {str(k): {"seconds": v[0], "rss_mb": v[1], "chars": v[2]} for k, v in scale_rows.items()}
        if len(scales) > 1:
            res["scaling"]["time_exponent"] = exponent(sizes, [scale_rows[k][0] for k in scales])
            res["scaling"]["rss_exponent"] = exponent(sizes, [scale_rows[k][1] for k in scales])

    # 3. Parallel build: --jobs 2 against --jobs 1, pair by pair.
    if 3 in rows:
        full_builds()
        speedups, j2s, j1s = [], [], []
        for i in range(a.repeat):
            t2, _ = run(kg("build", corpus(1), "--store", fresh(work / "store-1x-j2"), "--jobs", 2))
            t1 = builds[i]
            if i > 0 or a.repeat > 1:       # later pairs: a fresh jobs-1 build beside this one
                t1, _ = run(kg("build", corpus(1), "--store", fresh(work / "store-1x-j1"), "--jobs", 1))
            j2s.append(t2)
            j1s.append(t1)
            speedups.append(t1 / t2)
            log.info("jobs 2: %.1f s (jobs 1: %.1f s)", t2, t1)
        # the speed-up is the median of the pairs' own ratios; jobs1 is the median of the
        # --jobs 1 builds it was paired with
        res["parallel"] = {"jobs2": j2s, "jobs1_paired": j1s, "speedup": statistics.median(speedups),
                           "jobs1": statistics.median(j1s)}

    # 4. Incremental: nothing changed, then 1% of the documents changed. Also at the largest
    # multiple when row 2 built it: at 1x, 1% is one document and the rebuild's fixed cost
    # (start-up, loading the segmenter's tables) weighs more than at a realistic corpus size.
    if 4 in rows:
        inc_scales = [1] + ([scales[-1]] if 2 in rows and scales[-1] > 1 else [])
        for k in inc_scales:
            base = corpus(k)
            store = work / f"store-{k}x"
            full_k = res["scaling"][str(k)]["seconds"] if k > 1 else None
            changed = fresh(work / f"corpus-{k}x-changed")
            shutil.copytree(base, changed)
            picked = change_documents(sorted(changed.glob("*.txt")), 0.01)
            # At 1x each repeat (--repeat) is a full build into a fresh store, then the two
            # rebuilds of it, and the shares are the medians of each repeat's own ratios:
            # side by side, as the machine's speed drifts. At the larger multiple, one
            # rebuild of row 2's store against row 2's build.
            same, one, fulls = [], [], []
            for _ in range(a.repeat if k == 1 else 1):
                if k == 1:
                    copy = fresh(work / "store-1x-rebuild")
                    fulls.append(run(kg("build", base, "--store", copy))[0])
                else:
                    copy = fresh(work / f"store-{k}x-rebuild")
                    shutil.copytree(store, copy, symlinks=True)
                    fulls.append(full_k)
                same.append(run(kg("build", base, "--store", copy))[0])
                # The changed copy has the same file names: rebuild the store from it.
                one.append(run(kg("build", changed, "--store", copy))[0])
            shutil.rmtree(store, ignore_errors=True)
            os.rename(copy, store)
            full_k = statistics.median(fulls)
            t_same, t_one = statistics.median(same), statistics.median(one)
            entry = {"unchanged": t_same, "changed_1pct": t_one, "changed_docs": len(picked), "full": full_k,
                     "unchanged_share": statistics.median(x / f for x, f in zip(same, fulls)),
                     "changed_share": statistics.median(x / f for x, f in zip(one, fulls)),
                     "runs": {"full": fulls, "unchanged": same, "changed_1pct": one}}
            if k == 1:
                res["incremental"] = entry
            else:
                res["incremental"]["at_scale"] = {"scale": k, **entry}
            log.info("%dx: rebuild unchanged %.2f s, 1%% changed %.2f s (full %.1f s)", k, t_same, t_one, full_k)

    big = work / f"store-{scales[-1]}x"
    if (5 in rows or 6 in rows) and 2 not in rows:
        up_to_date(big, corpus(scales[-1]))

    # 5. Queries on the largest store (one million triples or more at 16x).
    if 5 in rows:
        from kg.store import Store
        with Store.open(big) as st:
            triples = int(next(iter(st.oxi.query(
                "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")))["n"].value)
            quads = len(st.oxi)
            queries = saved_queries(st.oxi)
        log.info("queries on %d triples (%d quads)", triples, quads)
        t0 = time.perf_counter()
        lib = latencies("oxigraph", str(big), queries, a.query_runs, a.timeout, a.budget)
        lib_open = latencies("oxigraph-open", str(big), queries, max(3, a.query_runs // 4), a.timeout, a.budget)
        log.info("library done (%.0f s)", time.perf_counter() - t0)
        t0 = time.perf_counter()
        proc, url = serve(big, a.timeout)
        try:
            http = http_latencies(url, queries, max(3, a.query_runs // 2), a.budget)
        finally:
            proc.terminate()
            proc.wait()
        log.info("http done (%.0f s)", time.perf_counter() - t0)
        t0 = time.perf_counter()
        nq = work / "union.nq"
        run(kg("export", "--store", big, "--format", "nq", "--output", nq))
        rdf = latencies("rdflib", str(nq), queries, a.rdflib_runs, a.rdflib_timeout, a.budget)
        log.info("rdflib done (%.0f s, %d process%s)", time.perf_counter() - t0, rdf.get("_children", 1),
                 "" if rdf.get("_children", 1) == 1 else "es")
        res["queries"] = {"triples": triples, "quads": quads, "library": lib, "library_open_each": lib_open,
                          "http": http, "rdflib": rdf}

    # 6. Export and bulk load of the same N-Triples file, against pyoxigraph's own.
    if 6 in rows:
        nt = work / "union.nt"
        t_exp, m_exp = run(kg("export", "--store", big, "--format", "nt", "--output", nt))
        t_dump, m_dump = run([PY, "-c", DUMP, str(big / "oxigraph"), str(work / "dump.nq")])
        t_load, m_load = run(kg("load", nt, "--store", fresh(work / "store-loaded")))
        t_bulk, m_bulk = run([PY, "-c", BULK, str(fresh(work / "oxi-loaded")), str(nt)])
        nt_triples = sum(1 for _ in open(nt, "rb"))
        res["export_import"] = {"triples": nt_triples, "kg_export": t_exp, "oxi_dump": t_dump, "kg_load": t_load,
                                "oxi_bulk_load": t_bulk, "rss_mb": {"kg_export": m_exp, "oxi_dump": m_dump,
                                                                    "kg_load": m_load, "oxi_bulk_load": m_bulk}}

    (work / "results.json").write_text(json.dumps(res, indent=1, ensure_ascii=False), encoding="utf-8")
    print(table(res))
    return 0


def up_to_date(store: Path, corpus: Path) -> None:
    """Make ``store`` hold exactly the documents of ``corpus``: kept if it already does (a build
    that skips every document), built afresh if it holds documents the corpus does not."""
    from kg.errors import KgError
    from kg.store import Store

    if store.exists():
        try:
            with Store.open(store) as st:
                extra = set(st.documents()) - {f.name for f in corpus.glob("*.txt")}
        except KgError as e:
            log.info("%s: %s; building it afresh", store.name, e)
            extra = {"?"}
        if extra:
            fresh(store)
    t, _ = run(kg("build", corpus, "--store", store))
    log.info("%s up to date with %s (%.1f s)", store.name, corpus.name, t)


def _ms(x: float) -> str:
    return f"{x:.0f} ms" if x >= 10 else f"{x:.1f} ms"


def table(res: dict) -> str:
    """The bench table: one row per measure that was run, then the per-query detail."""
    scales = res["scales"]
    rows = [("#", "measure", "Reform KG", "reference", "ratio")]
    if "build" in res:
        b = res["build"]
        n = b["chars"]
        tk, tl = statistics.median(b["kg"]), statistics.median(b["lcut"])
        rows.append(("1", f"build {n / 1e6:.2f}M chars, --jobs 1",
                     f"{tk:.1f} s = {n / tk / 1e3:.1f}K chars/s", f"jieba.lcut {tl:.1f} s = {n / tl / 1e3:.0f}K chars/s",
                     f"{b['ratio']:.2f}x the time (goal <= 3, <= 2)"))
    if "scaling" in res:
        sc = res["scaling"]
        times = " / ".join(f"{sc[str(k)]['seconds']:.0f}" for k in scales)
        mems = " / ".join(f"{sc[str(k)]['rss_mb']:.0f}" for k in scales)
        ex = (f"time exponent {sc['time_exponent']:.2f} (<= 1.1), memory exponent {sc['rss_exponent']:.2f}; "
              f"peak {sc[str(scales[-1])]['rss_mb'] / 1024:.2f} GB (<= 1.5)") if "time_exponent" in sc else "-"
        rows.append(("2", f"scaling {'x/'.join(map(str, scales))}x", f"{times} s; peak {mems} MB", "linear", ex))
    if "parallel" in res:
        par = res["parallel"]
        t1 = par.get("jobs1", statistics.median(res["build"]["kg"]) if "build" in res else float("nan"))
        rows.append(("3", "--jobs 2 against --jobs 1", f"{statistics.median(par['jobs2']):.1f} s",
                     f"{t1:.1f} s", f"{par['speedup']:.2f}x faster (>= 1.6)"))
    if "incremental" in res:
        inc = res["incremental"]
        rows.append(("4", f"rebuild: nothing / 1% ({inc['changed_docs']} docs) changed",
                     f"{inc['unchanged']:.2f} s / {inc['changed_1pct']:.2f} s", f"full build {inc['full']:.1f} s",
                     f"{inc['unchanged_share']:.1%} (<= 5%) / {inc['changed_share']:.1%} (<= 10%)"))
        big_inc = inc.get("at_scale")
        if big_inc:
            rows.append(("4", f"same at {big_inc['scale']}x ({big_inc['changed_docs']} docs changed)",
                         f"{big_inc['unchanged']:.2f} s / {big_inc['changed_1pct']:.2f} s",
                         f"full build {big_inc['full']:.1f} s",
                         f"{big_inc['unchanged_share']:.1%} / {big_inc['changed_share']:.1%}"))
    detail = []
    if "queries" in res:
        q = res["queries"]
        lib, http, rdf, lib_open = (_named(q[k]) for k in ("library", "http", "rdflib", "library_open_each"))
        ratios, sel_p50, scan_p50 = [], [], []

        def cell(r: dict, p95: bool = False) -> str:
            if r.get("times"):
                p50_, p95_ = summary(r["times"])
                return f"{_ms(p50_)} / {_ms(p95_)}" if p95 else _ms(p50_)
            if "timeout" in r:
                return "> timeout"
            return "error"
        for name in sorted(lib):
            lr, rr = lib[name], rdf.get(name, {})
            ratio = None
            if lr.get("times") and rr.get("times"):
                ratio = f"{summary(rr['times'])[0] / summary(lr['times'])[0]:.0f}x"
                ratios.append(summary(rr["times"])[0] / summary(lr["times"])[0])
            elif lr.get("times") and "timeout" in rr:
                bound = rr["timeout"] * 1000 / summary(lr["times"])[0]
                ratio = f">= {bound:.0f}x"
                ratios.append(bound)
            elif "timeout" in lr and "timeout" in rr:
                ratio = "both > timeout"
            if name in SELECTIVE:
                sel_p50.append(summary(lr["times"])[0] if lr.get("times") else float("inf"))
            if name in NAME_SEARCH:
                scan_p50.append(summary(lr["times"])[0] if lr.get("times") else float("inf"))
            mark = "* " if name in SELECTIVE else "+ " if name in NAME_SEARCH else "  "
            detail.append((mark + name, str(lr.get("rows", "-")), cell(lr, True),
                           cell(lib_open.get(name, {})), cell(http.get(name, {}), True), cell(rr), ratio or "-"))
        med = statistics.median(ratios) if ratios else float("nan")
        rows.append(("5", f"{len(lib)} saved queries on {q['triples'] / 1e6:.2f}M triples",
                     (f"selective p50 <= {max(sel_p50):.0f} ms (<= 50)" if sel_p50 else "-")
                     + (f"; name search {max(scan_p50):.0f} ms" if scan_p50 else ""),
                     f"rdflib in-memory (load {q['rdflib'].get('_load', {}).get('seconds', 0):.0f} s)",
                     f"median query {med:.0f}x faster (>= 10; {len(ratios)} of {len(lib)} comparable)"))
    if "export_import" in res:
        ei = res["export_import"]
        rows.append(("6", f"export nt / bulk load nt, {ei['triples'] / 1e6:.2f}M triples",
                     f"kg export {ei['kg_export']:.1f} s / kg load {ei['kg_load']:.1f} s",
                     f"pyoxigraph dump {ei['oxi_dump']:.1f} s / bulk_load {ei['oxi_bulk_load']:.1f} s",
                     f"{ei['kg_export'] / ei['oxi_dump']:.2f}x / {ei['kg_load'] / ei['oxi_bulk_load']:.2f}x the time"))
    out = [_grid(rows)]
    if detail:
        timeouts = f"timeout {res.get('timeout', '?')} s"
        if res.get("rdflib_timeout", res.get("timeout")) != res.get("timeout"):
            timeouts += f", rdflib {res['rdflib_timeout']} s"
        out += ["", "queries (* selective, + name search; p50 / p95; library = kg.query.run_query on an open store,"
                f" open+query = kg.run_query per call; {timeouts}):",
                _grid([("query", "rows", "library", "open+query p50", "kg serve HTTP", "rdflib p50", "rdflib/library")]
                      + detail)]
    return "\n".join(out)


def _named(results: dict) -> dict:
    """The per-query results, without the engine's "_load", "_children" entries."""
    return {k: v for k, v in results.items() if not k.startswith("_")}


def _grid(rows: list[tuple]) -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    line = lambda r: " | ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()   # noqa: E731
    return "\n".join([line(rows[0]), "-+-".join("-" * w for w in widths)] + [line(r) for r in rows[1:]])


if __name__ == "__main__":
    sys.exit(main())
