"""Any label survives every export format: no quote, backslash, bracket or control character
can break out of a literal or an IRI."""
from __future__ import annotations

import csv
import json

import uuid

import networkx as nx
import rdflib
from hypothesis import HealthCheck, given, settings, strategies as st

from kg.export import export
from kg.graph import document_iri, document_quads
from kg.model import Document, Evidence, Extraction, Mention, Relation
from kg.resolve import resolve
from kg.store import Store

NASTY = st.text(alphabet=st.sampled_from(list('"\'\\<>{}&;#@^_:/\n\r\t \x00\x01\x07\x1b\x7f\u2028\ufeff')
                                         + list("区公司“”《》赣")), min_size=1, max_size=24)


def _store_with(label: str, folder) -> Store:
    s = "句子。"
    doc = Document("t.txt", s, s, list(range(len(s) + 1)), "0" * 64, title=label)
    zone = Mention("Zone", label, 0, 0, 1)
    comp = Mention("Company", label + "有限公司", 0, 1, 2)
    ex = Extraction(doc, [zone, comp], [Relation(zone, "hosts", comp, Evidence("t.txt", label, 0, 3))])
    store = Store.open(folder / uuid.uuid4().hex, create=True, write=True)
    store.replace_graphs({document_iri("t.txt"): list(document_quads(ex, resolve([ex])))})
    return store


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(label=NASTY)
def test_labels_round_trip_through_every_format(tmp_path, label):
    store = _store_with(label, tmp_path)
    for fmt, parse_as in (("nt", "nt"), ("ttl", "turtle"), ("nq", "nquads"), ("jsonld", "json-ld")):
        out = tmp_path / f"g.{fmt}"
        export(store.oxi, fmt, out)
        g = rdflib.Dataset() if fmt == "nq" else rdflib.Graph()
        g.parse(out, format=parse_as)
        triples = [q[:3] for q in g.quads((None, None, None, None))] if fmt == "nq" else list(g)
        labels = {str(o) for _, p, o in triples if p == rdflib.RDFS.label}
        assert label in labels, (fmt, labels)
        iris = {str(t) for s, p, o in triples for t in (s, o) if isinstance(t, rdflib.URIRef)}
        assert all(i.isascii() and not any(c in i for c in ' "<>{}\\\n') for i in iris)
    export(store.oxi, "graphml", tmp_path / "g.graphml")
    g = nx.read_graphml(tmp_path / "g.graphml")
    assert g.number_of_nodes() == 2 and g.number_of_edges() == 1
    export(store.oxi, "csv", tmp_path / "r.csv")
    rows = list(csv.DictReader(open(tmp_path / "r.csv", encoding="utf-8", newline="")))
    assert [r["sentence"] for r in rows] == [label]
    store.close()
