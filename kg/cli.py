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
    report = kg.build(a.paths, a.store, progress=_progress)
    built = report.added or report.updated or report.skipped
    for name, why in report.failed:
        print(f"kg build: {'skipped ' if built else ''}{why}", file=sys.stderr)
    if built:
        print(report.summary(), file=sys.stderr)
    if report.failed and (a.strict or not built):
        return 2
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
    info = kg.visualise(a.store, a.output, focus=a.focus, depth=a.depth, types=a.type)
    print(f"wrote {a.output}: {info.get('nodes', 0)} nodes, {info.get('edges', 0)} edges", file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kg", description="Reform KG: development-zone reforms as an evidence-backed RDF graph")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="ingest .txt/.md/.html files or folders into a store (incremental)")
    b.add_argument("paths", nargs="+", help="files or folders")
    b.add_argument("--store", required=True, help="store folder (created if missing)")
    b.add_argument("--strict", action="store_true", help="exit non-zero if any file was refused")
    b.set_defaults(fn=cmd_build)

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
    z.set_defaults(fn=cmd_viz)
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
