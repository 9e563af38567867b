"""Turn resolved extractions into RDF quads: one named graph per document.

IRIs are derived from content only (class, canonical label, document name,
offsets), so the same input gives the same graph on every run and machine.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

Triple = tuple   # (subject, predicate, object) pyoxigraph terms

from .model import Evidence, Extraction
from .resolve import Resolution
from .namespaces import DCTERMS, PROV, RDF, RDFS, RKG, RKR, SKOS, XSD

TYPE = NamedNode(RDF + "type")
LABEL = NamedNode(RDFS + "label")
ALT = NamedNode(SKOS + "altLabel")
DERIVED = NamedNode(PROV + "wasDerivedFrom")
STATEMENT = NamedNode(RDF + "Statement")
SUBJ, PRED, OBJ = (NamedNode(RDF + n) for n in ("subject", "predicate", "object"))
DECIMAL, INTEGER, DATE = (NamedNode(XSD + n) for n in ("decimal", "integer", "date"))
SOURCE, TITLE, DATE_P = (NamedNode(DCTERMS + n) for n in ("source", "title", "date"))


@lru_cache(maxsize=None)
def _rkg(name: str) -> NamedNode:
    # built once per term (a quarter of document_quads when built per quad)
    return NamedNode(RKG + name)


def short_hash(*parts: object, n: int = 10) -> str:
    """A stable hex digest of the parts (IRIs must not depend on run or machine)."""
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8"))
    return h.hexdigest()[:n]


def slug(text: str) -> str:
    """ASCII slug of a name: its ASCII letters and digits, else empty."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


@lru_cache(maxsize=1 << 16)
def entity_iri(cls: str, label: str) -> NamedNode:
    s = slug(label)
    return NamedNode(f"{RKR}{cls.lower()}/{s + '-' if s else ''}{short_hash(cls, label)}")


def document_iri(source: str) -> NamedNode:
    stem = source.rsplit(".", 1)[0]
    return NamedNode(f"{RKR}doc/{slug(stem) or 'doc'}-{short_hash(source, n=8)}")


def zh(text: str) -> Literal:
    return Literal(text, language="zh")


def _evidence(ev: Evidence, doc: NamedNode) -> tuple[NamedNode, list[Triple]]:
    node = NamedNode(f"{RKR}evidence/{short_hash(ev.source, ev.start, ev.end)}")
    return node, [
        (node, TYPE, _rkg("Evidence")),
        (node, _rkg("sentence"), zh(ev.sentence)),
        (node, _rkg("sourceDocument"), doc),
        (node, _rkg("start"), Literal(str(ev.start), datatype=INTEGER)),
        (node, _rkg("end"), Literal(str(ev.end), datatype=INTEGER)),
    ]


def document_quads(ex: Extraction, res: Resolution) -> Iterator[Quad]:
    """All quads of one document's named graph."""
    g = document_iri(ex.document.source)
    for s, p, o in document_triples(ex, res):
        yield Quad(s, p, o, g)


def document_triples(ex: Extraction, res: Resolution) -> Iterator[Triple]:
    """The triples of one document's named graph, as term tuples.

    Tuples, not pyoxigraph Quads: the store builds each Quad once for the named graph and
    once for the default graph, and reading a Quad's terms back costs as much as building it.
    """
    d = ex.document
    doc = document_iri(d.source)
    yield (doc, TYPE, _rkg("Document"))
    yield (doc, SOURCE, Literal(d.source))
    yield (doc, _rkg("contentHash"), Literal(d.sha256))
    if d.title:
        yield (doc, TITLE, zh(d.title))
    if d.date:
        yield (doc, DATE_P, Literal(d.date, datatype=DATE))
    if d.model:
        yield (doc, _rkg("extractionModel"), Literal(d.model))

    # Per mention object (a relation repeats the same decoded mentions): its entity and
    # node, so that hashing a mention and looking it up happens once per document (the entry
    # holds the mention too, which keeps its id from being reused while the graph is made).
    looked: dict[int, tuple] = {}
    evidence: dict[Evidence, tuple[NamedNode, list[Triple]]] = {}

    def entity_node(m) -> tuple:
        hit = looked.get(id(m))
        if hit is None:
            ent = res.lookup(m)
            hit = looked[id(m)] = (m, ent, None if ent is None else entity_iri(ent.cls, ent.label))
        return hit

    def node_of(m) -> NamedNode | None:
        return entity_node(m)[2]

    def evidence_of(ev: Evidence) -> tuple[NamedNode, list[Triple]]:
        hit = evidence.get(ev)
        if hit is None:
            hit = evidence[ev] = _evidence(ev, doc)
        return hit

    mentioned = []
    for m in ex.mentions:
        if node_of(m) is not None:
            mentioned.append(m)
    for r in ex.relations:
        s, o = node_of(r.subject), node_of(r.object)
        if s is None or o is None or s == o:
            continue
        p = _rkg(r.prop)
        yield (s, p, o)
        st = NamedNode(f"{RKR}statement/{short_hash(s.value, r.prop, o.value)}")
        ev, ev_quads = evidence_of(r.evidence)
        yield (st, TYPE, STATEMENT)
        yield (st, SUBJ, s)
        yield (st, PRED, p)
        yield (st, OBJ, o)
        yield (st, _rkg("evidence"), ev)
        yield from ev_quads
        mentioned += [r.subject, r.object]
    for ob in ex.observations:
        about = node_of(ob.about)
        if about is None:
            continue
        node = NamedNode(f"{RKR}observation/{short_hash(about.value, ob.indicator, ob.value, ob.unit, ob.period, ob.evidence.source, ob.evidence.start)}")
        ev, ev_quads = evidence_of(ob.evidence)
        yield (node, TYPE, _rkg("Observation"))
        yield (node, _rkg("about"), about)
        yield (node, _rkg("indicator"), zh(ob.indicator))
        yield (node, _rkg("value"), Literal(format(ob.value.normalize(), "f"), datatype=DECIMAL))
        yield (node, _rkg("unit"), Literal(ob.unit))
        if ob.period:
            yield (node, _rkg("period"), Literal(ob.period))
        yield (node, _rkg("evidence"), ev)
        yield from ev_quads
        mentioned.append(ob.about)

    # Entity descriptions: every document that mentions an entity states its
    # type, canonical label and the surface forms seen in that document.
    done = set()
    for m in mentioned:
        _, ent, n = entity_node(m)
        if n not in done:
            done.add(n)
            yield (n, TYPE, _rkg(ent.cls))
            yield (n, LABEL, zh(ent.label))
            yield (n, DERIVED, doc)
            for k, v in sorted(ent.attrs.items()):
                if k == "code":
                    yield (n, _rkg("adminCode"), Literal(v))
                elif k == "title":
                    yield (n, _rkg("title"), zh(v))
        for form in (m.name, "" if m.ref else m.text):
            if form and form != ent.label:
                yield (n, ALT, zh(form))


@lru_cache(maxsize=None)
def code_fingerprint() -> str:
    """Hash of the code that turns a resolved extraction into quads."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in ("graph.py", "namespaces.py"):
        h.update(name.encode() + b"\0" + (here / name).read_bytes())
    return h.hexdigest()[:16]


def graph_signature(ex: Extraction, res: Resolution, extraction_digest: str) -> str:
    """Digest of all that document_quads(ex, res) reads: equal signatures give equal graphs.

    ``extraction_digest`` stands for the extraction's own content (a hash of its cache
    text); the rest is what resolution says about each mention the graph uses.
    """
    h = hashlib.sha256(f"{code_fingerprint()}\x1e{extraction_digest}".encode())
    mentions = list(ex.mentions)
    for r in ex.relations:
        mentions += (r.subject, r.object)
    mentions += (o.about for o in ex.observations)
    parts = []
    by_mention: dict[int, str] = {}     # a relation repeats its mentions' objects: look up once
    by_entity: dict[int, str] = {}
    for m in mentions:
        part = by_mention.get(id(m))
        if part is None:
            ent = res.lookup(m)
            if ent is None:
                part = "\x1d"
            else:
                part = by_entity.get(id(ent))
                if part is None:
                    part = by_entity[id(ent)] = f"{ent.cls}\x1f{ent.label}\x1f{sorted(ent.attrs.items())}"
            by_mention[id(m)] = part
        parts.append(part)
    h.update("\x1e".join(parts).encode())
    return h.hexdigest()
