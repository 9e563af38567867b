"""SHACL validation of a Reform KG graph against ontology/shapes.ttl."""
from __future__ import annotations

from dataclasses import dataclass

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import ConjunctiveGraph
from rdflib.namespace import RDF, SH

from .vocab import ONTOLOGY_FILE, SHAPES_FILE

_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of one validation: violations fail it, warnings do not."""

    conforms: bool
    violations: int
    text: str                 # pyshacl's human-readable results text
    results: list[dict]       # focus, path, value, message, severity, shape; sorted


def _n3(term) -> str | None:
    return None if term is None else term.n3()


def validate(graph: Graph) -> ValidationReport:
    """Validate ``graph`` with the project's shapes and ontology (no inference)."""
    # Heavy import (pulls in owlrl and friends): only pay for it when validating.
    from pyshacl import validate as shacl_validate

    # pyshacl validates each named graph of a Dataset on its own, but an entity's
    # description, its documents and its evidence may sit in different document
    # graphs, so the union is what the contract is about.
    if isinstance(graph, (Dataset, ConjunctiveGraph)):
        # quads(), not triples(): Dataset.triples() only reads the default graph.
        union = Graph()
        for s, p, o, _ in graph.quads((None, None, None, None)):
            union.add((s, p, o))
        graph = union

    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    ontology = Graph().parse(ONTOLOGY_FILE, format="turtle")
    _, report, text = shacl_validate(
        graph,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",       # sh:class must see asserted types only (SPEC: one class each)
        advanced=True,          # SHACL-AF: the SPARQL target that finds statements of absent triples
        allow_warnings=True,    # warnings are reported but do not fail validation
        abort_on_first=False,
        inplace=False,          # never touch the caller's graph
    )

    results = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        severity = report.value(r, SH.resultSeverity)
        shape = report.value(r, SH.sourceShape)
        results.append({
            "focus": _n3(report.value(r, SH.focusNode)),
            "path": _n3(report.value(r, SH.resultPath)),
            "value": _n3(report.value(r, SH.value)),
            "message": str(report.value(r, SH.resultMessage) or ""),
            "severity": severity.split("#")[-1] if severity else "Violation",
            # Anonymous shapes get fresh blank-node ids on every run: leave them out.
            "shape": shape.n3() if isinstance(shape, URIRef) else None,
        })
    # Stable order, so that reports of the same graph diff cleanly.
    results.sort(key=lambda d: (_SEVERITY_ORDER.get(d["severity"], 3), d["focus"] or "",
                                d["path"] or "", d["message"], d["value"] or ""))
    violations = sum(1 for d in results if d["severity"] == "Violation")
    return ValidationReport(conforms=violations == 0, violations=violations,
                            text=text, results=results)
