"""The ``kg`` command: parses arguments and calls the public API in ``kg``; nothing else."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import kg
from .errors import KgError


def _progress(files):
    if not sys.stderr.isatty():
        return files
    from tqdm import tqdm
    return tqdm(files, desc="building", unit="doc", file=sys.stderr)


def cmd_build(a) -> int:
    report = kg.build(a.paths, a.store, progress=_progress, max_bytes=int(a.max_mb * 2**20), ner=a.ner,
                       jobs=a.jobs, models=a.models)
    built = report.added or report.updated or report.skipped
    for name, why in report.failed:
        print(f"kg build: {'skipped ' if built else ''}{why}", file=sys.stderr)
    if built:
        print(report.summary(), file=sys.stderr)
    if report.failed and (a.strict or not built):
        return 2
    return 0


def cmd_load(a) -> int:
    from .pipeline import load

    n = load(a.file, a.store, a.graph)
    print(f"loaded {a.file}; {n} quads in store", file=sys.stderr)
    return 0


def cmd_export(a) -> int:
    kg.export(a.store, a.format, a.output)
    print(f"wrote {a.output}", file=sys.stderr)
    return 0


def cmd_query(a) -> int:
    from .query import format_result

    if a.file:
        try:
            text = Path(a.file).read_text(encoding="utf-8")
        except OSError as e:
            raise kg.KgError(f"{a.file}: cannot read query file ({e.strerror})") from None
    elif a.query:
        text = a.query
    else:
        raise kg.KgError("give a query as an argument or with --file Q.rq")
    print(format_result(kg.run_query(a.store, text), a.format))
    return 0


def cmd_validate(a) -> int:
    rep = kg.validate(a.store)
    if rep.conforms:
        print("conforms: 0 violations")
        return 0
    print(rep.text)
    print(f"{rep.violations} violations", file=sys.stderr)
    return 1


def cmd_viz(a) -> int:
    info = kg.visualise(a.store, a.output, view=a.view, focus=a.focus, depth=a.depth, types=a.type,
                        size=a.size, max_nodes=a.max_nodes)
    print(f"wrote {a.output}: " + ", ".join(f"{v} {k}" for k, v in info.items()), file=sys.stderr)
    return 0


def cmd_stats(a) -> int:
    from .stats import format_stats

    print(format_stats(kg.stats(a.store, top=a.top, annotate=a.annotate), a.format))
    return 0


def cmd_serve(a) -> int:
    def ready(url):
        print(f"kg serve: {url} (SPARQL endpoint {url}sparql); Ctrl-C stops", file=sys.stderr, flush=True)
    kg.serve(a.store, host=a.host, port=a.port, timeout=a.timeout, max_rows=a.max_rows, workers=a.workers,
             queries=a.queries, ready=ready)
    return 0


def cmd_push(a) -> int:
    print(kg.push(a.store, a.endpoint, fmt=a.format, timeout=a.timeout).summary(), file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kg", description="Reform KG: development-zone reforms as an evidence-backed RDF graph")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="ingest .txt/.md/.html files or folders into a store (incremental)")
    b.add_argument("paths", nargs="+", help="files or folders")
    b.add_argument("--store", required=True, help="store folder (created if missing)")
    b.add_argument("--strict", action="store_true", help="exit non-zero if any file was refused")
    b.add_argument("--max-mb", type=float, default=20, help="refuse files larger than this (default 20 MB)")
    b.add_argument("--ner", choices=("lac", "none"), default=None,
                   help="names from the LAC model beside the grammars (lac) or grammars only (none); "
                        "default: see README")
    b.add_argument("--models", choices=("shipped", "none"), default="shipped",
                   help="the learned models of kg/models beside the grammars (shipped, default) or the "
                        "grammars alone (none)")
    b.add_argument("--jobs", type=int, default=1,
                   help="processes reading and extracting documents: this one and N-1 workers "
                        "(default 1; 0: one per core)")
    b.set_defaults(fn=cmd_build)

    ld = sub.add_parser("load", help="bulk load an RDF file (nt, nq, ttl, trig) into a store, all or nothing")
    ld.add_argument("file")
    ld.add_argument("--store", required=True, help="store folder (created if missing)")
    ld.add_argument("--graph", help="named graph for the triples of nt/ttl (default: one named after the file)")
    ld.set_defaults(fn=cmd_load)

    e = sub.add_parser("export", help="write the graph as nt, ttl, nq, jsonld, graphml or csv")
    e.add_argument("--store", required=True)
    e.add_argument("--format", required=True, help="nt, ttl, nq, jsonld, graphml or csv")
    e.add_argument("--output", required=True)
    e.set_defaults(fn=cmd_export)

    q = sub.add_parser("query", help="run a SPARQL query (the project's prefixes are predeclared)")
    q.add_argument("query", nargs="?", help="the SPARQL text")
    q.add_argument("--store", required=True)
    q.add_argument("--file", help="read the query from a .rq file")
    q.add_argument("--format", default="table", help="table, csv or json")
    q.set_defaults(fn=cmd_query)

    v = sub.add_parser("validate", help="check the graph against ontology/shapes.ttl (SHACL)")
    v.add_argument("--store", required=True)
    v.set_defaults(fn=cmd_validate)

    z = sub.add_parser("viz", help="write an interactive HTML view of the graph")
    z.add_argument("--store", required=True)
    z.add_argument("--output", required=True)
    z.add_argument("--focus", help="draw only the neighbourhood of the entity with this label")
    z.add_argument("--depth", type=int, default=2, help="neighbourhood depth with --focus")
    z.add_argument("--type", action="append", help="keep only this class (repeatable)")
    z.add_argument("--view", default="graph", help="graph (default), diffusion (measures x zones) or "
                   "responsibility (a plan's tasks x agencies; --focus picks the plan)")
    z.add_argument("--size", default="degree", help="node size by degree (default) or pagerank")
    z.add_argument("--max-nodes", type=int, default=500, help="entities drawn at first; the rest on demand")
    z.set_defaults(fn=cmd_viz)

    s = sub.add_parser("stats", help="counts, central actors and communities of the graph (networkx)")
    s.add_argument("--store", required=True)
    s.add_argument("--format", default="table", help="table or json")
    s.add_argument("--top", type=int, default=10, help="how many central entities to list")
    s.add_argument("--annotate", action="store_true",
                   help="also write rkg:degree, rkg:betweenness, rkg:pageRank, rkg:community into the graph rkr:graph/stats")
    s.set_defaults(fn=cmd_stats)

    s = sub.add_parser("serve", help="serve a read-only SPARQL endpoint (/sparql), a query page and entity pages")
    s.add_argument("--store", required=True)
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    s.add_argument("--port", type=int, default=7878)
    s.add_argument("--timeout", type=float, default=10.0, help="seconds a query may run (default 10)")
    s.add_argument("--max-rows", type=int, default=10000, help="result rows or triples returned at most (default 10000)")
    s.add_argument("--workers", type=int, default=2, help="query worker processes (default 2)")
    s.add_argument("--queries", help="folder of saved .rq queries shown on the page (default: the project's queries/)")
    s.set_defaults(fn=cmd_serve)

    u = sub.add_parser("push", help="PUT each document graph to a SPARQL 1.1 Graph Store Protocol endpoint")
    u.add_argument("--endpoint", required=True, help="Graph Store URL, e.g. http://localhost:7878/store")
    u.add_argument("--store", default="out/store")
    u.add_argument("--format", default="nt", help="request body: nt (default) or ttl")
    u.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for each request")
    u.set_defaults(fn=cmd_push)
    return p


def main(argv: list[str] | None = None) -> int:
    import logging

    a = parser().parse_args(argv)
    # jieba attaches its own stderr handler and resets its level when imported; a filter
    # survives that and keeps its start-up chatter out of the terminal.
    logging.getLogger("jieba").addFilter(lambda record: record.levelno >= logging.WARNING)
    try:
        return a.fn(a)
    except KgError as e:
        print(f"kg {a.command}: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print(f"kg {a.command}: interrupted", file=sys.stderr)
        return 130
