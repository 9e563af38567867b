"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint, a query page and entity pages over a store.

pyoxigraph cannot interrupt a running query, so queries run in a small pool of
worker *processes*, each with its own read-only handle on the store. A query
that outlives ``--timeout`` is stopped by killing its worker, which is then
replaced in the background while the other workers keep serving.
"""
from __future__ import annotations

import csv
import html
import io
import json
import logging
import os
import queue
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import islice
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape, quoteattr

from .errors import InputError, KgError, QueryError

log = logging.getLogger(__name__)

RKR = "https://w3id.org/reform-kg/resource/"
RKG = "https://w3id.org/reform-kg/ontology#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
PAGE_TEMPLATE = Path(__file__).resolve().parent / "server_page.html"
MAX_BODY = 1 << 20          # a query longer than 1 MiB is not a research question
QUEUE_WAIT = 30.0           # seconds a request waits for a free worker before the server says it is busy

# -- formats ---------------------------------------------------------------
# Result formats by kind of result; names are what `format=` accepts, media
# types are what `Accept:` negotiates. The first entry of each table is the default.
SOLUTION_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
SOLUTION_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "text/javascript": "json", "application/javascript": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH_FORMATS = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "n3": "text/n3",
}
GRAPH_TYPES = {
    "text/turtle": "turtle", "application/turtle": "turtle", "application/x-turtle": "turtle",
    "application/n-triples": "nt", "text/plain": "nt",
    "application/ld+json": "jsonld", "application/x-json+ld": "jsonld", "application/json": "jsonld",
    "application/rdf+xml": "rdfxml", "application/xml": "rdfxml", "text/xml": "rdfxml",
    "text/n3": "n3", "text/rdf+n3": "n3", "application/n3": "n3",
}
FORMAT_NAMES = {   # `format=` spellings used by SPARQLWrapper, Fuseki and Virtuoso clients
    "json": ("json", "jsonld"), "srj": ("json", None), "xml": ("xml", "rdfxml"), "srx": ("xml", None),
    "csv": ("csv", None), "tsv": ("tsv", None), "turtle": (None, "turtle"), "ttl": (None, "turtle"),
    "n3": (None, "n3"), "nt": (None, "nt"), "ntriples": (None, "nt"), "n-triples": (None, "nt"),
    "json-ld": (None, "jsonld"), "jsonld": (None, "jsonld"), "rdf+xml": (None, "rdfxml"),
    "rdfxml": (None, "rdfxml"), "rdf": (None, "rdfxml"),
}
ENTITY_TYPES = {"text/html": "html", "application/xhtml+xml": "html", **GRAPH_TYPES}


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """``Accept`` header -> [(media range, q, position)], bad q values read as 1."""
    out = []
    for i, part in enumerate((header or "*/*").split(",")):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = max(0.0, min(1.0, float(b[2:])))
                except ValueError:
                    pass
        out.append((bits[0].lower(), q, i))
    return out


def negotiate(accept: list[tuple[str, float, int]], table: dict[str, str], order: list[str]) -> str | None:
    """Pick a format name from ``table`` (media type -> name) for the parsed Accept list, or None."""
    best, best_key = None, None
    for server_pos, (mtype, name) in enumerate(table.items()):
        major = mtype.split("/")[0]
        match = None
        for rng, q, pos in accept:
            spec = 2 if rng == mtype else 1 if rng == major + "/*" else 0 if rng == "*/*" else -1
            if spec >= 0 and (match is None or spec > match[0]):
                match = (spec, q, pos)
        if match is None or match[1] <= 0:
            continue
        # client's q first, then the client's order, then our preference for the name
        key = (match[1], -match[2], -order.index(name), -server_pos)
        if best_key is None or key > best_key:
            best, best_key = name, key
    return best


def format_from_params(values: list[str], kind: str) -> str | None:
    """The first ``format=``/``output=`` value that names a format for this kind of result."""
    for v in values:
        v = v.strip().lower()
        if not v:
            continue
        if v in FORMAT_NAMES:
            name = FORMAT_NAMES[v][0 if kind == "solutions" else 1]
        else:
            name = (SOLUTION_TYPES if kind == "solutions" else GRAPH_TYPES).get(v.split(";")[0].strip())
        if name:
            return name
    return None


# -- serialisers (run in the workers) -------------------------------------
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def term_json(t) -> dict | None:
    """A term in the SPARQL 1.1 JSON results encoding."""
    from pyoxigraph import BlankNode, Literal, NamedNode, Triple

    if t is None:
        return None
    if isinstance(t, NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            d["datatype"] = t.datatype.value
        return d
    if isinstance(t, Triple):
        return {"type": "triple", "value": {"subject": term_json(t.subject), "predicate": term_json(t.predicate),
                                            "object": term_json(t.object)}}
    return {"type": "literal", "value": str(t)}


def _xml_term(d: dict) -> str:
    def text(s: str) -> str:
        return xml_escape(_XML_BAD.sub("\ufffd", s))
    if d["type"] == "uri":
        return f"<uri>{text(d['value'])}</uri>"
    if d["type"] == "bnode":
        return f"<bnode>{text(d['value'])}</bnode>"
    if d["type"] == "triple":
        v = d["value"]
        return ("<triple>" + "".join(f"<{k}>{_xml_term(v[k])}</{k}>" for k in ("subject", "predicate", "object"))
                + "</triple>")
    attr = ""
    if "xml:lang" in d:
        attr = f" xml:lang={quoteattr(d['xml:lang'])}"
    elif "datatype" in d:
        attr = f" datatype={quoteattr(d['datatype'])}"
    return f"<literal{attr}>{text(d['value'])}</literal>"


def _csv_term(d: dict | None) -> str:
    if d is None:
        return ""
    if d["type"] == "bnode":
        return "_:" + d["value"]
    if d["type"] == "triple":
        return " ".join(_csv_term(d["value"][k]) for k in ("subject", "predicate", "object"))
    return d["value"]


def serialise_solutions(variables: list[str], rows: list[list[dict | None]], fmt: str) -> bytes:
    """SELECT results in the SPARQL 1.1 JSON, XML, CSV or TSV results format."""
    if fmt == "json":
        bindings = [{v: t for v, t in zip(variables, r) if t is not None} for r in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out.append("</head><results>")
        for r in rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>" for v, t in zip(variables, r) if t]
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "".join(out).encode("utf-8")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(variables)
        w.writerows([[_csv_term(t) for t in r] for r in rows])
        return buf.getvalue().encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join(_tsv_term(t) for t in r) for r in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(fmt)


def _tsv_term(d: dict | None) -> str:
    from pyoxigraph import Literal, NamedNode

    if d is None:
        return ""
    if d["type"] == "uri":
        return f"<{d['value']}>"
    if d["type"] == "bnode":
        return "_:" + d["value"]
    if d["type"] == "triple":
        v = d["value"]
        return "<< " + " ".join(_tsv_term(v[k]) for k in ("subject", "predicate", "object")) + " >>"
    if "xml:lang" in d:
        return str(Literal(d["value"], language=d["xml:lang"]))
    if "datatype" in d:
        return str(Literal(d["value"], datatype=NamedNode(d["datatype"])))
    return str(Literal(d["value"]))


def serialise_boolean(value: bool, fmt: str) -> bytes:
    """ASK results: JSON or XML (CSV and TSV carry a bare true/false)."""
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    return (("true" if value else "false") + "\n").encode()


def serialise_triples(triples: list, fmt: str) -> bytes:
    """CONSTRUCT/DESCRIBE results as Turtle, N-Triples, JSON-LD, RDF/XML or N3."""
    from pyoxigraph import RdfFormat, serialize

    from .export import PREFIXES

    rdf = {"turtle": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES, "jsonld": RdfFormat.JSON_LD,
           "rdfxml": RdfFormat.RDF_XML, "n3": RdfFormat.N3}[fmt]
    if fmt in ("turtle", "n3", "rdfxml"):
        # rkr: local names contain '/', which Turtle would have to escape; full IRIs read better
        prefixes = {p: ns for p, ns in PREFIXES.items() if p != "rkr"}
        return serialize(triples, format=rdf, prefixes=prefixes)
    return serialize(triples, format=rdf)


# -- worker process -------------------------------------------------------
class _Engine:
    """One worker's read-only view of the store, reopened when a build has changed the files."""

    def __init__(self, store: str):
        self.store = Path(store)
        self.oxi = None
        self.stamp = None

    def _stamp(self):
        # RocksDB writes new files (and a new CURRENT/MANIFEST) on every committed
        # build; a read-only handle keeps its snapshot, so compare the listing.
        db = self.store / "oxigraph"
        try:
            return tuple(sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in os.scandir(db)
                                if not e.name.startswith("LOG")))
        except OSError:
            return None

    def handle(self):
        stamp = self._stamp()
        if self.oxi is None or stamp != self.stamp:
            from .store import Store

            try:
                self.oxi = Store.open(self.store).oxi
            except KgError:
                if self.oxi is None:
                    raise
                log.warning("store changed but cannot be reopened yet; serving the previous snapshot")
            self.stamp = stamp
        return self.oxi

    def execute(self, job: dict):
        from pyoxigraph import NamedNode

        from .query import run_query

        oxi = self.handle()
        subs = {k: NamedNode(v) for k, v in (job.get("subs") or {}).items()}
        dg, ng = job.get("default_graphs"), job.get("named_graphs")
        if not dg and not ng:
            return run_query(oxi, job["query"], subs)
        from .query import PREFIX_HEADER
        prefixes = {ln.split()[1].rstrip(":"): ln.split()[2].strip("<>") for ln in PREFIX_HEADER.strip().splitlines()}
        try:
            return oxi.query(job["query"], prefixes=prefixes, substitutions=subs or None,
                             default_graph=[NamedNode(g) for g in dg] if dg else None,
                             named_graphs=[NamedNode(g) for g in ng] if ng else None,
                             use_default_graph_as_union=False)
        except SyntaxError as e:
            raise QueryError(f"malformed SPARQL: {str(e).splitlines()[0]}") from None
        except (OSError, ValueError, TypeError) as e:
            raise QueryError(f"query failed: {str(e).splitlines()[0]}") from None

    def run(self, job: dict) -> dict:
        """Run one job; the reply is a dict of plain values (it crosses a process boundary)."""
        from pyoxigraph import QueryBoolean, QuerySolutions

        result = self.execute(job)
        cap = job.get("max_rows") or 10_000
        if job["op"] == "rows":
            if not isinstance(result, QuerySolutions):
                raise QueryError("expected a SELECT query")
            variables = [v.value for v in result.variables]
            rows = [[term_json(sol[v]) for v in variables] for sol in islice(result, cap + 1)]
            return {"status": 200, "vars": variables, "rows": rows[:cap], "truncated": len(rows) > cap}

        formats, accept, table = job.get("formats") or [], parse_accept(job.get("accept")), job.get("table")
        if isinstance(result, QueryBoolean):
            name = "json" if table else (format_from_params(formats, "solutions")
                                         or negotiate(accept, SOLUTION_TYPES, list(SOLUTION_FORMATS)) or "json")
            return {"status": 200, "type": SOLUTION_FORMATS[name], "body": serialise_boolean(bool(result), name),
                    "rows": 1, "truncated": False}
        if isinstance(result, QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = [[term_json(sol[v]) for v in variables] for sol in islice(result, cap + 1)]
            name = "json" if table else (format_from_params(formats, "solutions")
                                         or negotiate(accept, SOLUTION_TYPES, list(SOLUTION_FORMATS)) or "json")
            return {"status": 200, "type": SOLUTION_FORMATS[name], "rows": min(len(rows), cap),
                    "body": serialise_solutions(variables, rows[:cap], name), "truncated": len(rows) > cap}
        # CONSTRUCT may repeat a triple (the union of document graphs is a bag); a graph is a set
        triples, seen = [], set()
        for t in result:
            if t not in seen:
                seen.add(t)
                triples.append(t)
                if len(triples) > cap:
                    break
        truncated, triples = len(triples) > cap, triples[:cap]
        if table:   # the query page shows triples as a three-column table
            rows = [[term_json(t.subject), term_json(t.predicate), term_json(t.object)] for t in triples]
            return {"status": 200, "type": SOLUTION_FORMATS["json"], "rows": len(rows), "truncated": truncated,
                    "body": serialise_solutions(["subject", "predicate", "object"], rows, "json")}
        name = (format_from_params(formats, "graph")
                or negotiate(accept, GRAPH_TYPES, list(GRAPH_FORMATS)) or "turtle")
        return {"status": 200, "type": GRAPH_FORMATS[name], "body": serialise_triples(triples, name),
                "rows": len(triples), "truncated": truncated}


def worker_main(fd: int, store: str) -> None:
    """Entry point of a worker process: answer jobs from the server until the socket closes."""
    from multiprocessing.connection import Connection

    signal.signal(signal.SIGINT, signal.SIG_IGN)    # Ctrl-C is the server's to handle
    try:    # die with the server even while stuck in a query (Linux only)
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    parent = os.getppid()
    conn = Connection(fd)
    engine = _Engine(store)
    while True:
        if os.getppid() != parent:
            return
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = engine.run(job)
        except KgError as e:
            reply = {"status": 400, "error": str(e)}
        except Exception as e:  # noqa: BLE001 - a worker must answer, whatever the query did
            log.exception("query failed in worker")
            reply = {"status": 500, "error": f"query failed: {str(e).splitlines()[0] if str(e) else type(e).__name__}"}
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


class QueryTimeout(KgError):
    """A query ran longer than the server's per-query limit."""


class ServerBusy(KgError):
    """Every worker stayed busy for longer than the server would wait."""


@dataclass(eq=False)
class _Worker:
    proc: subprocess.Popen
    conn: object


@dataclass
class WorkerPool:
    """A fixed number of worker processes; a worker that times out or dies is replaced."""

    store: str
    size: int = 2
    timeout: float = 10.0
    queue_wait: float = QUEUE_WAIT
    _idle: queue.Queue = field(default_factory=queue.Queue)
    _all: set = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closed: bool = False

    def start(self) -> "WorkerPool":
        for _ in range(self.size):
            self._idle.put(self._spawn())
        return self

    def _spawn(self) -> _Worker:
        from multiprocessing.connection import Connection

        ours, theirs = socket.socketpair()
        code = "import sys; from kg.server import worker_main; worker_main(int(sys.argv[1]), sys.argv[2])"
        env = dict(os.environ)
        # the worker must import this very kg package, wherever it was loaded from
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent.parent),
                                                          env.get("PYTHONPATH")]))
        proc = subprocess.Popen([sys.executable, "-c", code, str(theirs.fileno()), str(self.store)],
                                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=env)
        theirs.close()
        w = _Worker(proc, Connection(ours.detach()))
        with self._lock:
            self._all.add(w)
        return w

    def _retire(self, w: _Worker) -> None:
        with self._lock:
            self._all.discard(w)
        try:
            w.proc.kill()
        except OSError:
            pass
        try:
            w.conn.close()
        except OSError:
            pass
        threading.Thread(target=w.proc.wait, daemon=True).start()   # reap without blocking the request

    def _replace(self, w: _Worker) -> None:
        self._retire(w)
        if self._closed:
            return

        def spawn():
            try:
                self._idle.put(self._spawn())
            except OSError as e:
                log.error("cannot start a replacement query worker: %s", e)
        threading.Thread(target=spawn, daemon=True).start()

    def run(self, job: dict) -> dict:
        """Send a job to an idle worker and wait at most ``timeout`` seconds for its reply."""
        for attempt in range(2):
            try:
                w = self._idle.get(timeout=self.queue_wait)
            except queue.Empty:
                raise ServerBusy(f"all {self.size} query workers stayed busy for {self.queue_wait:g} s; "
                                 "try again later") from None
            start = time.monotonic()
            try:
                w.conn.send(job)
                ready = w.conn.poll(self.timeout)
                if not ready:
                    log.warning("query exceeded %.1f s; restarting its worker", self.timeout)
                    self._replace(w)
                    raise QueryTimeout(f"query timed out after {self.timeout:g} s (the server's --timeout); "
                                       "narrow it or add LIMIT")
                reply = w.conn.recv()
            except (EOFError, OSError):
                # the worker died (crash, OOM killer): replace it and try once more on a fresh one
                self._replace(w)
                if attempt == 0 and time.monotonic() - start < self.timeout:
                    continue
                raise KgError("the query worker crashed while running this query") from None
            self._idle.put(w)
            return reply
        raise KgError("the query worker crashed while running this query")

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for w in workers:
            self._retire(w)


# -- saved queries ----------------------------------------------------------
def saved_queries(directory: str | Path | None = None) -> list[dict]:
    """The saved research questions: name, zh and en question, and the SPARQL text of each ``*.rq``."""
    d = Path(directory) if directory else QUERIES_DIR
    out = []
    for f in sorted(d.glob("*.rq")) if d.is_dir() else []:
        text = f.read_text(encoding="utf-8")
        meta = {"name": f.stem, "zh": "", "en": "", "text": text}
        for line in text.splitlines():
            m = re.match(r"#\s*(zh|en)\s*:\s*(.*)", line.strip())
            if m and not meta[m.group(1)]:
                meta[m.group(1)] = m.group(2).strip()
        out.append(meta)
    return out


# -- HTTP -------------------------------------------------------------------
_UPDATE = re.compile(r"^\s*(?:(?:PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*"
                     r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE)
_COMMENT = re.compile(r"(?m)^\s*#.*$")
_SAFE_PATH = re.compile(r"^[A-Za-z0-9._~/%-]+$")

ENTITY_CSS = """
body{font:15px/1.5 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:.6em 1.2em}header a{color:#cfe0ff}
main{max-width:1100px;margin:1em auto;padding:0 1em}h1{margin:.2em 0;font-size:1.6em}
.iri{font-family:ui-monospace,monospace;font-size:.85em;color:#556;word-break:break-all}
table{border-collapse:collapse;width:100%;background:#fff;margin:.5em 0 1.5em}
th,td{border:1px solid #dde1e7;padding:.35em .6em;text-align:left;vertical-align:top}th{background:#eef1f5}
.cls{display:inline-block;background:#e3ecfa;color:#1f3a5f;border-radius:3px;padding:0 .4em;font-size:.85em}
blockquote{margin:.2em 0 .5em;padding:.2em .7em;border-left:3px solid #9bb3d6;background:#fafbfd}
.src{color:#667;font-size:.85em}.muted{color:#889}ul.alias li{display:inline;margin-right:1em}
"""


def _short(iri: str) -> str:
    from .export import PREFIXES

    for p, ns in PREFIXES.items():
        if iri.startswith(ns) and p != "rkr":
            return f"{p}:{iri[len(ns):]}"
    return iri


def _link(iri: str, label: str | None = None) -> str:
    """An HTML link to the entity page of a resource IRI (escaped), or the escaped IRI."""
    text = html.escape(label or _short(iri))
    if iri.startswith(RKR):
        return f'<a href="/resource/{html.escape(urllib.parse.quote(iri[len(RKR):], safe="/-._~"))}">{text}</a>'
    return f'<span class="iri" title="{html.escape(iri)}">{text}</span>'


@dataclass
class ServerConfig:
    store: str
    host: str = "127.0.0.1"
    port: int = 7878
    timeout: float = 10.0
    max_rows: int = 10_000
    workers: int = 2
    queries: str | None = None


class Handler(BaseHTTPRequestHandler):
    """SPARQL 1.1 Protocol at /sparql, the query page at /, entity pages at /resource/…."""

    protocol_version = "HTTP/1.1"
    server_version = "ReformKG"
    timeout = 60                # an idle keep-alive connection must not hold a thread forever
    pool: WorkerPool
    config: ServerConfig

    # -- plumbing ---------------------------------------------------------
    def log_message(self, fmt, *args):
        log.debug("%s " + fmt, self.address_string(), *args)

    def _send(self, status: int, body: bytes, ctype: str, headers: dict | None = None, head_only: bool = False):
        self.send_response(status)
        if ctype.startswith(("text/", "application/sparql-results+xml", "application/xml")) and "charset" not in ctype:
            ctype += "; charset=utf-8"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "X-KG-Rows, X-KG-Truncated, X-KG-Elapsed")
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        # http.server answers an unknown method with 501; a client's mistake is a 4xx.
        if code == 501:
            code, message = 405, f"method {self.command!r} is not allowed; use GET or POST"
        super().send_error(code, message, explain)

    def _error(self, status: int, message: str, headers: dict | None = None):
        self._send(status, (message.splitlines()[0] if message else "error").encode("utf-8") + b"\n",
                   "text/plain", headers)

    def _host(self) -> str:
        host = self.headers.get("Host", "")
        if not re.fullmatch(r"[A-Za-z0-9.\-]+(:\d+)?|\[[0-9a-fA-F:.]+\](:\d+)?", host):
            host = f"{self.config.host}:{self.server.server_address[1]}"
        return host

    def _read_body(self) -> bytes | None:
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            n = -1
        if n < 0 or n > MAX_BODY:
            self._error(413, f"request body must be between 0 and {MAX_BODY} bytes")
            return None
        return self.rfile.read(n) if n else b""

    # -- verbs ------------------------------------------------------------
    def do_OPTIONS(self):
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        try:
            if url.path == "/sparql":
                return self._sparql(params, None)
            if url.path in ("/", "/index.html"):
                return self._page()
            if url.path.startswith("/resource/"):
                return self._entity(url.path[len("/resource/"):], params)
            if url.path.startswith("/queries/") and url.path.endswith(".rq"):
                return self._saved(url.path[len("/queries/"):-3])
            if url.path == "/favicon.ico":
                return self._send(204, b"", "image/x-icon")
            return self._error(404, f"no such page: {url.path}; the SPARQL endpoint is /sparql")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/sparql":
            return self._error(405 if url.path in ("/",) or url.path.startswith("/resource/") else 404,
                               "POST queries to /sparql")
        body = self._read_body()
        if body is None:
            return
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        ctype = self.headers.get_content_type()
        charset = self.headers.get_content_charset() or "utf-8"
        try:
            text = body.decode(charset)
        except (UnicodeDecodeError, LookupError):
            return self._error(400, f"request body is not valid {charset}")
        try:
            if ctype == "application/x-www-form-urlencoded":
                for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items():
                    params.setdefault(k, []).extend(v)
                return self._sparql(params, None)
            if ctype == "application/sparql-query":
                return self._sparql(params, text)
            if ctype == "application/sparql-update":
                return self._read_only()
            return self._error(415, f"unsupported Content-Type {ctype}; send application/sparql-query "
                                    "or application/x-www-form-urlencoded")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _refuse(self):
        self._error(405, "method not allowed: this endpoint is read-only", {"Allow": "GET, POST, OPTIONS"})

    do_PUT = do_DELETE = do_PATCH = _refuse

    def _read_only(self):
        self._error(403, "this endpoint is read-only: SPARQL Update is refused")

    # -- SPARQL -------------------------------------------------------------
    def _sparql(self, params: dict, body_query: str | None):
        if "update" in params:
            return self._read_only()
        queries = params.get("query", [])
        if body_query is not None:
            queries = [body_query]
        if not queries:
            return self._service_description()
        if len(queries) > 1:
            return self._error(400, "give exactly one query parameter")
        text = queries[0]
        if not text.strip():
            return self._error(400, "empty query")
        if _UPDATE.match(_COMMENT.sub("", text)):
            return self._read_only()
        fmts = params.get("format", []) + params.get("output", [])
        job = {"op": "query", "query": text, "accept": self.headers.get("Accept"), "formats": fmts,
               "table": "table" in fmts, "max_rows": self.config.max_rows,
               "default_graphs": params.get("default-graph-uri", []),
               "named_graphs": params.get("named-graph-uri", [])}
        start = time.monotonic()
        reply = self._run(job)
        if reply is None:
            return
        elapsed = time.monotonic() - start
        headers = {"X-KG-Rows": str(reply["rows"]), "X-KG-Elapsed": f"{elapsed:.3f}", "Vary": "Accept"}
        if reply["truncated"]:
            headers["X-KG-Truncated"] = f"results capped at {self.config.max_rows} rows (the server's --max-rows)"
        self._send(200, reply["body"], reply["type"], headers)

    def _run(self, job: dict) -> dict | None:
        """Run a job on the pool; on failure answer the request and return None."""
        try:
            reply = self.pool.run(job)
        except QueryTimeout as e:
            self._error(503, str(e))
            return None
        except ServerBusy as e:
            self._error(503, str(e), {"Retry-After": "5"})
            return None
        except KgError as e:
            self._error(500, str(e))
            return None
        if reply["status"] != 200:
            self._error(reply["status"], reply["error"])
            return None
        return reply

    def _service_description(self):
        from pyoxigraph import BlankNode, Literal, NamedNode, Triple

        sd = "http://www.w3.org/ns/sparql-service-description#"
        fm = "http://www.w3.org/ns/formats/"
        rdf_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        me = NamedNode(f"http://{self._host()}/sparql")
        ds, dg = BlankNode("dataset"), BlankNode("defaultGraph")
        t = [Triple(me, rdf_type, NamedNode(sd + "Service")),
             Triple(me, NamedNode(sd + "endpoint"), me),
             Triple(me, NamedNode(sd + "supportedLanguage"), NamedNode(sd + "SPARQL11Query")),
             Triple(me, NamedNode(sd + "feature"), NamedNode(sd + "UnionDefaultGraph")),
             Triple(me, NamedNode("http://purl.org/dc/terms/title"), Literal("Reform KG SPARQL endpoint (read-only)", language="en")),
             Triple(me, NamedNode("http://purl.org/dc/terms/title"), Literal("开发区改革知识图谱 SPARQL 查询端点（只读）", language="zh")),
             Triple(me, NamedNode(sd + "defaultDataset"), ds),
             Triple(ds, rdf_type, NamedNode(sd + "Dataset")),
             Triple(ds, NamedNode(sd + "defaultGraph"), dg),
             Triple(dg, rdf_type, NamedNode(sd + "Graph"))]
        for f in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N3"):
            t.append(Triple(me, NamedNode(sd + "resultFormat"), NamedNode(fm + f)))
        accept = parse_accept(self.headers.get("Accept"))
        name = negotiate(accept, GRAPH_TYPES, list(GRAPH_FORMATS)) or "turtle"
        self._send(200, serialise_triples(t, name), GRAPH_FORMATS[name], {"Vary": "Accept"})

    # -- pages --------------------------------------------------------------
    def _page(self):
        nonce = secrets.token_urlsafe(16)
        page = query_page(saved_queries(self.config.queries), nonce, self.config.max_rows, self.config.timeout)
        self._send(200, page.encode("utf-8"), "text/html", self._csp(nonce))

    @staticmethod
    def _csp(nonce: str | None = None) -> dict:
        script = f"'nonce-{nonce}'" if nonce else "'none'"
        return {"Content-Security-Policy": f"default-src 'self'; script-src {script}; style-src 'self' 'unsafe-inline'; "
                                           "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'",
                "Cache-Control": "no-store"}

    def _saved(self, name: str):
        for q in saved_queries(self.config.queries):
            if q["name"] == name:
                return self._send(200, q["text"].encode("utf-8"), "application/sparql-query")
        self._error(404, f"no saved query named {name}")

    def _entity(self, path: str, params: dict):
        from pyoxigraph import NamedNode

        if not _SAFE_PATH.match(path) or ".." in path:
            return self._error(404, "not a resource of this graph")
        iri = RKR + urllib.parse.unquote(path)
        try:
            NamedNode(iri)
        except ValueError:
            return self._error(404, "not a resource of this graph")
        fmts = params.get("format", [])
        name = format_from_params(fmts, "graph") if fmts else None
        if name is None and fmts and fmts[0].lower() == "html":
            name = "html"
        if name is None:
            name = negotiate(parse_accept(self.headers.get("Accept")), ENTITY_TYPES,
                             ["html"] + list(GRAPH_FORMATS)) or "html"
        if name != "html":
            job = {"op": "query", "query": ENTITY_CONSTRUCT, "subs": {"this": iri}, "formats": [name],
                   "max_rows": self.config.max_rows}
            reply = self._run(job)
            if reply is None:
                return
            if reply["rows"] == 0:
                return self._error(404, f"nothing is known about <{iri}>")
            return self._send(200, reply["body"], reply["type"], {"Vary": "Accept"})
        views = {}
        for key, q in ENTITY_QUERIES.items():
            reply = self._run({"op": "rows", "query": q, "subs": {"this": iri}, "max_rows": self.config.max_rows})
            if reply is None:
                return
            views[key] = [dict(zip(reply["vars"], r)) for r in reply["rows"]]
        if not views["out"] and not views["in"]:
            page = entity_html(iri, views, self._host()).replace("<main>", "<main><p>Nothing is known about this resource.</p>", 1)
            return self._send(404, page.encode("utf-8"), "text/html", self._csp())
        self._send(200, entity_html(iri, views, self._host()).encode("utf-8"), "text/html",
                   {**self._csp(), "Vary": "Accept"})


ENTITY_CONSTRUCT = """
CONSTRUCT { ?this ?p ?o . ?s ?q ?this . ?st ?sp ?so . ?ev ?ep ?eo . ?ob ?op ?oo . ?n rdfs:label ?nl }
WHERE {
  { ?this ?p ?o . OPTIONAL { ?o rdfs:label ?nl . BIND(?o AS ?n) } }
  UNION { ?s ?q ?this . FILTER(?q NOT IN (rdf:subject, rdf:object, rkg:about, rkg:sourceDocument))
          OPTIONAL { ?s rdfs:label ?nl . BIND(?s AS ?n) } }
  UNION { { ?st rdf:subject ?this } UNION { ?st rdf:object ?this }
          ?st ?sp ?so . OPTIONAL { ?st rkg:evidence ?ev . ?ev ?ep ?eo } }
  UNION { ?ob rkg:about ?this ; ?op ?oo . OPTIONAL { ?ob rkg:evidence ?ev . ?ev ?ep ?eo } }
}"""

_LABEL = "OPTIONAL { ?%s rdfs:label ?%sLabel } OPTIONAL { ?%s a ?%sClass . FILTER(STRSTARTS(STR(?%sClass), STR(rkg:))) }"
ENTITY_QUERIES = {
    "out": "SELECT DISTINCT ?this ?p ?o ?oLabel ?oClass WHERE { ?this ?p ?o . " + _LABEL % (("o",) * 5) + " } ORDER BY ?p ?o",
    "in": ("SELECT DISTINCT ?this ?s ?p ?sLabel ?sClass WHERE { ?s ?p ?this . "
           "FILTER(?p NOT IN (rdf:subject, rdf:object, rkg:about, rkg:sourceDocument, rkg:evidence)) "
           + _LABEL % (("s",) * 5) + " } ORDER BY ?p ?sLabel ?s"),
    "evidence": """SELECT DISTINCT ?this ?dir ?p ?other ?otherLabel ?sentence ?doc ?docTitle ?source ?start ?end WHERE {
  { ?st rdf:subject ?this ; rdf:predicate ?p ; rdf:object ?other . BIND("out" AS ?dir) }
  UNION { ?st rdf:object ?this ; rdf:predicate ?p ; rdf:subject ?other . BIND("in" AS ?dir) }
  ?st rkg:evidence ?ev . ?ev rkg:sentence ?sentence .
  OPTIONAL { ?ev rkg:sourceDocument ?doc . OPTIONAL { ?doc dcterms:title ?docTitle } OPTIONAL { ?doc dcterms:source ?source } }
  OPTIONAL { ?ev rkg:start ?start } OPTIONAL { ?ev rkg:end ?end }
  OPTIONAL { ?other rdfs:label ?otherLabel }
} ORDER BY ?dir ?p ?otherLabel ?source ?start""",
    "observations": """SELECT DISTINCT ?this ?ob ?indicator ?value ?unit ?period ?sentence ?doc ?source WHERE {
  ?ob rkg:about ?this ; rkg:indicator ?indicator ; rkg:value ?value ; rkg:unit ?unit .
  OPTIONAL { ?ob rkg:period ?period }
  OPTIONAL { ?ob rkg:evidence ?ev . ?ev rkg:sentence ?sentence .
             OPTIONAL { ?ev rkg:sourceDocument ?doc . OPTIONAL { ?doc dcterms:source ?source } } }
} ORDER BY ?period ?indicator""",
}

_HIDDEN_OUT = {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#altLabel",
               "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"}


def _v(cell: dict | None) -> str:
    return "" if cell is None else cell["value"]


def entity_html(iri: str, views: dict, host: str = "") -> str:
    """The HTML page of one resource; every string from the data is escaped."""
    e = html.escape
    out, inc = views.get("out", []), views.get("in", [])
    labels = sorted({_v(r["o"]) for r in out if _v(r["p"]) == "http://www.w3.org/2000/01/rdf-schema#label"})
    aliases = sorted({_v(r["o"]) for r in out if _v(r["p"]) == "http://www.w3.org/2004/02/skos/core#altLabel"})
    classes = sorted({_v(r["o"]) for r in out if _v(r["p"]) == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"})
    titles = sorted({_v(r["o"]) for r in out if _v(r["p"]) == "http://purl.org/dc/terms/title"})
    title = (labels or titles or [iri[len(RKR):] if iri.startswith(RKR) else _short(iri)])[0]
    path = urllib.parse.quote(iri[len(RKR):], safe="/-._~")
    parts = [f"<!doctype html><html lang=zh><head><meta charset=utf-8><title>{e(title)} · Reform KG</title>",
             f'<link rel="icon" href="data:,"><style>{ENTITY_CSS}</style></head><body>',
             '<header><a href="/">Reform KG</a> · SPARQL <a href="/sparql">/sparql</a></header><main>',
             f"<h1>{e(title)}</h1>",
             "<p>" + " ".join(f'<span class="cls">{e(_short(c))}</span>' for c in classes) + f' <span class="iri">{e(iri)}</span></p>',
             f'<p class="src">as data: <a href="/resource/{e(path)}?format=turtle">Turtle</a> · '
             f'<a href="/resource/{e(path)}?format=jsonld">JSON-LD</a> · '
             f'<a href="/resource/{e(path)}?format=nt">N-Triples</a></p>']
    if len(labels) > 1:
        parts.append("<h2>Labels 名称</h2><ul class=alias>" + "".join(f"<li>{e(x)}</li>" for x in labels) + "</ul>")
    if aliases:
        parts.append("<h2>Aliases 别名</h2><ul class=alias>" + "".join(f"<li>{e(a)}</li>" for a in aliases) + "</ul>")

    # relations: group every evidence sentence under its (direction, property, other end)
    rel: dict[tuple, list] = {}
    for r in views.get("evidence", []):
        key = (_v(r["dir"]), _v(r["p"]), _v(r["other"]))
        rel.setdefault(key, [_v(r.get("otherLabel"))])
        rel[key].append(r)
    for r in out:   # relations that carry no evidence still belong in the table
        if _v(r["p"]).startswith(RKG) and r.get("oClass") and r["o"]["type"] == "uri":
            rel.setdefault(("out", _v(r["p"]), _v(r["o"])), [_v(r.get("oLabel"))])
    for r in inc:
        if _v(r["p"]).startswith(RKG) and r.get("sClass"):
            rel.setdefault(("in", _v(r["p"]), _v(r["s"])), [_v(r.get("sLabel"))])
    if rel:
        parts.append("<h2>Relations 关系</h2><table><tr><th>relation</th><th>entity</th><th>evidence 证据</th></tr>")
        for (direction, p, other), (olabel, *evs) in sorted(rel.items(), key=lambda kv: (kv[0][0] != "out", kv[0][1], kv[1][0])):
            prop = e(_short(p)) if direction == "out" else f"is {e(_short(p))} of"
            cells = []
            for ev in evs:
                doc = _v(ev.get("doc"))
                where = e(_v(ev.get("docTitle")) or _v(ev.get("source")) or doc)
                src = f" ({e(_v(ev.get('source')))})" if ev.get("docTitle") and ev.get("source") else ""
                span = f" [{e(_v(ev.get('start')))}–{e(_v(ev.get('end')))}]" if ev.get("start") else ""
                doclink = _link(doc, _v(ev.get("docTitle")) or _v(ev.get("source")) or None) if doc else where
                cells.append(f"<blockquote>{e(_v(ev['sentence']))}</blockquote><div class=src>{doclink}{src}{span}</div>")
            parts.append(f"<tr><td>{prop}</td><td>{_link(other, olabel or None)}</td>"
                         f"<td>{''.join(cells) or '<span class=muted>no evidence recorded</span>'}</td></tr>")
        parts.append("</table>")

    obs = views.get("observations", [])
    if obs:
        parts.append("<h2>Figures 指标</h2><table><tr><th>indicator</th><th>value</th><th>unit</th><th>period</th><th>evidence</th></tr>")
        for o in obs:
            ev = f"<blockquote>{e(_v(o.get('sentence')))}</blockquote>" if o.get("sentence") else ""
            if o.get("doc"):
                ev += f"<div class=src>{_link(_v(o['doc']), _v(o.get('source')) or None)}</div>"
            parts.append(f"<tr><td>{e(_v(o['indicator']))}</td><td>{e(_v(o['value']))}</td><td>{e(_v(o['unit']))}</td>"
                         f"<td>{e(_v(o.get('period')))}</td><td>{ev}</td></tr>")
        parts.append("</table>")

    seen = {(k[1], k[2]) for k in rel if k[0] == "out"}
    props = [r for r in out if _v(r["p"]) not in _HIDDEN_OUT and (_v(r["p"]), _v(r["o"])) not in seen]
    if props:
        parts.append("<h2>Properties 属性</h2><table><tr><th>property</th><th>value</th></tr>")
        for r in props:
            o = r["o"]
            val = _link(o["value"], _v(r.get("oLabel")) or None) if o["type"] == "uri" else e(o["value"])
            if o.get("xml:lang"):
                val += f' <span class=muted>@{e(o["xml:lang"])}</span>'
            parts.append(f"<tr><td>{e(_short(_v(r['p'])))}</td><td>{val}</td></tr>")
        parts.append("</table>")
    seen_in = {(k[1], k[2]) for k in rel if k[0] == "in"}
    refs = [r for r in inc if (_v(r["p"]), _v(r["s"])) not in seen_in]
    if refs:
        parts.append("<h2>Referenced by 被引用</h2><table><tr><th>property</th><th>resource</th></tr>")
        for r in refs:
            cls = f' <span class="cls">{e(_short(_v(r["sClass"])))}</span>' if r.get("sClass") else ""
            parts.append(f"<tr><td>{e(_short(_v(r['p'])))}</td><td>{_link(_v(r['s']), _v(r.get('sLabel')) or None)}{cls}</td></tr>")
        parts.append("</table>")
    parts.append("</main></body></html>")
    return "\n".join(parts)


def query_page(queries: list[dict], nonce: str, max_rows: int = 10_000, timeout: float = 10.0) -> str:
    """The query page: the template with the prefixes and saved queries embedded as JSON."""
    from .query import PREFIX_HEADER

    data = {"prefixes": PREFIX_HEADER, "queries": queries, "resource": RKR, "maxRows": max_rows, "timeout": timeout}
    # JSON inside <script>: escape <, > and & so that no text from a query file can close the element
    blob = (json.dumps(data, ensure_ascii=False).replace("&", "\\u0026")
            .replace("<", "\\u003c").replace(">", "\\u003e"))
    return PAGE_TEMPLATE.read_text(encoding="utf-8").replace("{{NONCE}}", nonce).replace("{{DATA}}", blob)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def make_server(config: ServerConfig) -> tuple[_Server, WorkerPool]:
    """Bind the HTTP server and start the worker pool (call ``serve_forever`` on the first)."""
    from .store import Store

    with Store.open(config.store):   # a missing or foreign store is reported before anything starts
        pass
    if config.timeout <= 0 or config.max_rows <= 0 or config.workers <= 0:
        raise InputError("--timeout, --max-rows and --workers must be positive")
    handler = type("BoundHandler", (Handler,), {"config": config})
    server_cls = _Server
    if ":" in config.host:
        server_cls = type("_Server6", (_Server,), {"address_family": socket.AF_INET6})
    try:
        httpd = server_cls((config.host, config.port), handler)
    except OSError as e:
        raise InputError(f"cannot listen on {config.host}:{config.port} ({e.strerror or e}); "
                         "choose another --port or --host") from None
    pool = WorkerPool(str(Path(config.store).resolve()), size=config.workers, timeout=config.timeout).start()
    handler.pool = pool
    return httpd, pool


def serve(store, host: str = "127.0.0.1", port: int = 7878, timeout: float = 10.0, max_rows: int = 10_000,
          workers: int = 2, queries: str | None = None, ready=None) -> None:
    """Serve the store until interrupted; ``ready(url)`` is called once the socket is listening."""
    config = ServerConfig(str(store), host, port, timeout, max_rows, workers, queries)
    httpd, pool = make_server(config)
    host_s = f"[{host}]" if ":" in host else host
    url = f"http://{host_s}:{httpd.server_address[1]}/"
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("serving on %s: anyone who can reach this address can query the graph", host)

    def stop(*_):
        raise KeyboardInterrupt
    previous = signal.signal(signal.SIGTERM, stop) if threading.current_thread() is threading.main_thread() else None
    try:
        if ready:
            ready(url)
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
        pool.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
