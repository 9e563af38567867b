"""The graph in a notebook: query results as pandas DataFrames, the graph as networkx.

``kg.open_graph(store)`` gives the rdflib graph; this module adds the other two views::

    import kg
    df = kg.dataframe("out/store", "SELECT ?z ?l WHERE { ?z a rkg:Zone ; rdfs:label ?l }")
    g = kg.networkx_graph("out/store", classes=["Zone", "Company"])
"""
from __future__ import annotations

import logging
from pathlib import Path

from .errors import InputError

log = logging.getLogger(__name__)

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTS = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                           "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong")}
_FLOATS = {XSD + t for t in ("decimal", "double", "float")}
CLASSES = ("Zone", "Company", "Fund", "Agency", "Institution", "Policy", "Measure", "Person", "Place", "Project",
           "Industry")


def python_value(term):
    """A term as a plain Python value: IRIs and strings as str, numbers as int/float, booleans as bool."""
    from pyoxigraph import Literal

    if term is None:
        return None
    if not isinstance(term, Literal):
        return term.value if hasattr(term, "value") else str(term)
    dt = term.datatype.value
    try:
        if dt in _INTS:
            return int(term.value)
        if dt in _FLOATS:
            return float(term.value)
        if dt == XSD + "boolean":
            return term.value in ("true", "1")
    except ValueError:
        pass        # an ill-typed literal keeps its text
    return term.value


def dataframe(store: str | Path, sparql: str, substitutions: dict | None = None):
    """SPARQL into a DataFrame: a column per SELECT variable, subject/predicate/object, or one ``ask`` column."""
    import pandas as pd
    from pyoxigraph import QueryBoolean, QuerySolutions

    from . import run_query

    result = run_query(store, sparql, substitutions)
    if isinstance(result, QueryBoolean):
        return pd.DataFrame({"ask": [bool(result)]})
    if isinstance(result, QuerySolutions):
        head = [v.value for v in result.variables]
        rows = [[python_value(sol[v]) for v in head] for sol in result]
        return pd.DataFrame(rows, columns=head)
    rows = [[t.subject.value, t.predicate.value, python_value(t.object)] for t in result]
    return pd.DataFrame(rows, columns=["subject", "predicate", "object"])


def _class_name(c: str) -> str:
    name = c.rsplit("#", 1)[-1].rsplit(":", 1)[-1]
    for known in CLASSES:
        if known.lower() == name.lower():
            return known
    raise InputError(f"unknown class '{c}'; choose from {', '.join(CLASSES)}")


def networkx_graph(store: str | Path, classes=None, properties=None):
    """Entities (nodes with ``label``, ``cls``) and relations (edges with ``property``) as a MultiDiGraph."""
    from .export import to_networkx
    from .store import Store

    with Store.open(store) as st:
        g = to_networkx(st.oxi)
    if classes:
        keep = {_class_name(c) for c in ([classes] if isinstance(classes, str) else classes)}
        g = g.subgraph([n for n, d in g.nodes(data=True) if d.get("cls") in keep]).copy()
    if properties:
        wanted = {p.rsplit("#", 1)[-1].rsplit(":", 1)[-1] for p in ([properties] if isinstance(properties, str) else properties)}
        g.remove_edges_from([(u, v, k) for u, v, k, d in g.edges(keys=True, data=True) if d.get("property") not in wanted])
    return g
