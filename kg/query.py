"""SPARQL queries over the store, with results as rows, a text table, CSV or JSON."""
from __future__ import annotations

import csv
import io
import json

from .errors import FormatError, QueryError

RESULT_FORMATS = ("table", "csv", "json")

PREFIX_HEADER = """PREFIX rkg: <https://w3id.org/reform-kg/ontology#>
PREFIX rkr: <https://w3id.org/reform-kg/resource/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def run_query(oxi, sparql: str, substitutions: dict | None = None):
    """Run a read-only query over the union of all document graphs; the project's prefixes are predeclared."""
    from pyoxigraph import Variable

    prefixes = {line.split()[1].rstrip(":"): line.split()[2].strip("<>")
                for line in PREFIX_HEADER.strip().splitlines()}
    subs = {Variable(k): v for k, v in (substitutions or {}).items()}
    try:
        return oxi.query(sparql, prefixes=prefixes, use_default_graph_as_union=False,
                         substitutions=subs or None)
    except SyntaxError as e:
        raise QueryError(f"malformed SPARQL: {str(e).splitlines()[0]}") from None
    except (OSError, ValueError, TypeError) as e:
        raise QueryError(f"query failed: {str(e).splitlines()[0]}") from None


def _cell(term) -> str:
    return "" if term is None else term.value


def result_rows(result) -> tuple[list[str], list[list[str]]] | bool:
    """(header, rows) for SELECT, a bool for ASK, (["subject","predicate","object"], rows) for CONSTRUCT."""
    from pyoxigraph import QueryBoolean, QuerySolutions

    if isinstance(result, QueryBoolean):
        return bool(result)
    if isinstance(result, QuerySolutions):
        head = [v.value for v in result.variables]
        return head, [[_cell(sol[v]) for v in head] for sol in result]
    return ["subject", "predicate", "object"], [[t.subject.value, t.predicate.value, _cell(t.object)] for t in result]


def format_result(result, fmt: str) -> str:
    if fmt not in RESULT_FORMATS:
        raise FormatError(f"unknown result format '{fmt}'; choose one of {', '.join(RESULT_FORMATS)}")
    rows = result_rows(result)
    if isinstance(rows, bool):
        return json.dumps({"boolean": rows}) if fmt == "json" else ("true" if rows else "false")
    head, body = rows
    if fmt == "json":
        return json.dumps([dict(zip(head, r)) for r in body], ensure_ascii=False, indent=1)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(head)
        w.writerows(body)
        return buf.getvalue().rstrip("\n")
    return _table(head, body)


def _width(s: str) -> int:
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _table(head: list[str], body: list[list[str]]) -> str:
    def short(s: str) -> str:
        s = s.replace("\n", " ")
        return s if len(s) <= 60 else s[:59] + "…"
    rows = [[short(c) for c in r] for r in body]
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(head)]
    def line(cells):
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()
    out = [line(head), "  ".join("-" * w for w in widths)] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
