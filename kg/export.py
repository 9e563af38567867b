"""Exports of the store, looked up by format name (as rdflib looks up its serializers)."""
from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

from .errors import FormatError

PREFIXES = {
    "rkg": "https://w3id.org/reform-kg/ontology#",
    "rkr": "https://w3id.org/reform-kg/resource/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

_EXPORTERS: dict[str, Callable] = {}


def exporter(name: str):
    def register(fn):
        _EXPORTERS[name] = fn
        return fn
    return register


def formats() -> list[str]:
    return sorted(_EXPORTERS)


def union_triples(oxi):
    """Distinct triples of all named graphs, in a stable order."""
    from pyoxigraph import Triple

    rows = oxi.query("SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    triples = [Triple(r["s"], r["p"], r["o"]) for r in rows]
    triples.sort(key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return triples


def _rdf(oxi, out: Path, fmt_name: str, quads: bool = False) -> None:
    from pyoxigraph import DefaultGraph, RdfFormat, serialize

    fmt = getattr(RdfFormat, fmt_name)
    if quads:
        # the named graphs only: the default graph repeats their union (see kg.store)
        serialize((q for q in oxi if not isinstance(q.graph_name, DefaultGraph)), str(out), fmt)
    elif fmt_name == "N_TRIPLES":
        # The default graph is the union, deduplicated: dumped by Oxigraph in its index
        # order, which depends only on the triples (stable), without sorting in Python.
        oxi.dump(str(out), fmt, from_graph=DefaultGraph())
    elif fmt_name == "TURTLE":
        serialize(union_triples(oxi), str(out), fmt, prefixes=PREFIXES)
    else:
        serialize(union_triples(oxi), str(out), fmt)


@exporter("nt")
def export_nt(oxi, out: Path) -> None:
    """N-Triples: the union of all document graphs."""
    _rdf(oxi, out, "N_TRIPLES")


@exporter("ttl")
def export_ttl(oxi, out: Path) -> None:
    """Turtle with the project's prefixes."""
    _rdf(oxi, out, "TURTLE")


@exporter("nq")
def export_nq(oxi, out: Path) -> None:
    """N-Quads: one named graph per document."""
    _rdf(oxi, out, "N_QUADS", quads=True)


@exporter("jsonld")
def export_jsonld(oxi, out: Path) -> None:
    """JSON-LD (expanded) of the union graph."""
    _rdf(oxi, out, "JSON_LD")


def relation_rows(oxi) -> list[dict]:
    """One row per relation triple with each evidence sentence that states it."""
    q = """
PREFIX rkg: <https://w3id.org/reform-kg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?s ?sl ?p ?o ?ol ?sentence ?source ?start ?end WHERE {
  ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; rkg:evidence ?ev .
  ?ev rkg:sentence ?sentence ; rkg:sourceDocument ?d ; rkg:start ?start ; rkg:end ?end .
  ?d dcterms:source ?source .
  ?s rdfs:label ?sl . ?o rdfs:label ?ol .
} ORDER BY ?sl ?p ?ol ?source ?start"""
    out = []
    for r in oxi.query(q, use_default_graph_as_union=False):
        out.append({
            "subject": r["s"].value, "subject_label": r["sl"].value,
            "property": r["p"].value.rsplit("#", 1)[-1],
            "object": r["o"].value, "object_label": r["ol"].value,
            "sentence": r["sentence"].value, "source": r["source"].value,
            "start": int(r["start"].value), "end": int(r["end"].value),
        })
    return out


@exporter("csv")
def export_csv(oxi, out: Path) -> None:
    """CSV: one row per relation and evidence sentence (subject, property, object, sentence, source, offsets)."""
    rows = relation_rows(oxi)
    cols = ["subject_label", "property", "object_label", "sentence", "source", "start", "end", "subject", "object"]
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def to_networkx(oxi):
    """Entities as nodes (label, class), relations as edges (property) — a MultiDiGraph."""
    import networkx as nx

    q = """
PREFIX rkg: <https://w3id.org/reform-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?n ?label ?cls WHERE { ?n rdfs:label ?label ; a ?cls .
  FILTER(STRSTARTS(STR(?cls), STR(rkg:)) && ?cls NOT IN (rkg:Document, rkg:Observation, rkg:Evidence)) }"""
    g = nx.MultiDiGraph()
    for r in oxi.query(q, use_default_graph_as_union=False):
        g.add_node(r["n"].value, label=r["label"].value, cls=r["cls"].value.rsplit("#", 1)[-1])
    q = """
PREFIX rkg: <https://w3id.org/reform-kg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?s ?p ?o WHERE { ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }"""
    for r in oxi.query(q, use_default_graph_as_union=False):
        s, o = r["s"].value, r["o"].value
        if s in g and o in g:
            p = r["p"].value.rsplit("#", 1)[-1]
            g.add_edge(s, o, key=p, property=p)
    return g


# XML 1.0 cannot carry most control characters at all, not even escaped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(value):
    return _XML_ILLEGAL.sub("\ufffd", value) if isinstance(value, str) else value


@exporter("graphml")
def export_graphml(oxi, out: Path) -> None:
    """GraphML of entities and relations, for Gephi, Cytoscape or networkx."""
    import networkx as nx

    g = to_networkx(oxi)
    for _, data in g.nodes(data=True):
        data.update({k: _xml_safe(v) for k, v in data.items()})
    nx.write_graphml(g, str(out))


def export(oxi, fmt: str, out: str | Path) -> None:
    try:
        fn = _EXPORTERS[fmt]
    except KeyError:
        raise FormatError(f"unknown export format '{fmt}'; choose one of {', '.join(formats())}") from None
    out = Path(out)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    fn(oxi, out)
