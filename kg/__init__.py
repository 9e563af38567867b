"""Reform KG: a knowledge graph of China's development-zone reforms, with sentence-level evidence.

The public API (the CLI, the server and the views call only these)::

    import kg
    report = kg.build(["data/corpus"], "out/store")
    kg.export("out/store", "ttl", "out/graph.ttl")
    head, rows = kg.query("out/store", "SELECT ?z WHERE { ?z a rkg:Zone }")
    kg.validate("out/store").conforms
    g = kg.open_graph("out/store")          # an rdflib.Graph snapshot
    kg.stats("out/store")["central"]["pagerank"]   # network analysis (networkx)
"""
from __future__ import annotations

from pathlib import Path

# Submodules named like the API functions are loaded before the functions are defined: a
# submodule's first import sets the package attribute (kg.query = <module>), which would
# otherwise replace the function after its first call.
from . import export as _export_module, push as _push_module, query as _query_module, stats as _stats_module  # noqa: F401,E501
from .errors import KgError
from .pipeline import BuildReport, build

__all__ = ["build", "BuildReport", "export", "query", "run_query", "validate", "open_graph",
           "extract", "visualise", "stats", "dataframe", "networkx_graph", "serve", "push", "KgError"]


def export(store: str | Path, fmt: str, output: str | Path) -> None:
    """Write the store's graph to ``output`` in ``fmt`` (nt, ttl, nq, jsonld, graphml, csv)."""
    from .export import _EXPORTERS, export as _export, formats
    from .errors import FormatError
    from .store import Store

    if fmt not in _EXPORTERS:   # checked before opening the store: a typo should not need one
        raise FormatError(f"unknown export format '{fmt}'; choose one of {', '.join(formats())}")
    with Store.open(store) as st:
        _export(st.oxi, fmt, output)


def run_query(store: str | Path, sparql: str, substitutions: dict | None = None):
    """Run SPARQL over the store; returns pyoxigraph results (solutions, boolean or triples)."""
    from .query import run_query as _run
    from .store import Store

    st = Store.open(store)
    return _run(st.oxi, sparql, substitutions)


def query(store: str | Path, sparql: str, substitutions: dict | None = None):
    """Run SPARQL and return ``(header, rows)`` of strings (a bool for ASK)."""
    from .query import result_rows

    return result_rows(run_query(store, sparql, substitutions))


def open_graph(store: str | Path):
    """The store's union graph as an in-memory ``rdflib.Graph`` (a snapshot, for notebooks)."""
    import rdflib
    from pyoxigraph import RdfFormat, serialize

    from .export import union_triples
    from .store import Store

    with Store.open(store) as st:
        data = serialize(union_triples(st.oxi), format=RdfFormat.N_TRIPLES)
    g = rdflib.Graph()
    g.parse(data=data, format="nt")
    for prefix, ns in __import__("kg.export", fromlist=["PREFIXES"]).PREFIXES.items():
        g.bind(prefix, ns)
    return g


def validate(store: str | Path):
    """SHACL-validate the store against ontology/shapes.ttl; returns a ValidationReport."""
    from .shacl import validate as _validate

    return _validate(open_graph(store))


def extract(path: str | Path):
    """Read one file and run the per-document stages, without a store (for inspection)."""
    from .pipeline import Extractor

    ex = Extractor()
    return ex.extract(ex.read(Path(path)))


def visualise(store: str | Path, output: str | Path, **options) -> dict:
    """Write the interactive HTML view of the store; returns counts of what was drawn."""
    from .viz import write_view
    from .store import Store

    with Store.open(store) as st:
        return write_view(st.oxi, Path(output), **options)


def stats(store: str | Path, top: int = 10, annotate: bool = False) -> dict:
    """Counts, central actors and communities of the graph; ``annotate`` also writes them into the store."""
    from .stats import annotate as _annotate, graph_stats, public
    from .store import Store

    with Store.open(store, write=annotate) as st:
        result = graph_stats(st.oxi, top=top)
        if annotate:
            result["annotations"] = _annotate(st, result)
    return public(result)


def dataframe(store: str | Path, sparql: str, substitutions: dict | None = None):
    """Run SPARQL over the store into a pandas DataFrame (one column per variable)."""
    from .notebook import dataframe as _dataframe

    return _dataframe(store, sparql, substitutions)


def networkx_graph(store: str | Path, classes=None, properties=None):
    """The entities and relations as a networkx MultiDiGraph, optionally only some classes/properties."""
    from .notebook import networkx_graph as _graph

    return _graph(store, classes=classes, properties=properties)


def serve(store: str | Path, **options) -> None:
    """Serve a read-only SPARQL 1.1 endpoint with a query page until interrupted (see kg.server.serve)."""
    from .server import serve as _serve

    _serve(store, **options)


def push(store: str | Path, endpoint: str, **options):
    """PUT each document's named graph to a Graph Store Protocol endpoint; returns a PushReport."""
    from .push import push as _push

    return _push(store, endpoint, **options)
