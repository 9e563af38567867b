"""The Reform KG vocabulary as rdflib terms, mirroring ontology/reform.ttl.

Names match the ontology's local names (``vocab.locatedIn == RKG.locatedIn``)
so tests/test_ontology.py can check this module against the ontology in both
directions. Terms are built with ``RKG["..."]`` rather than ``RKG.name``
because ``Namespace`` is a ``str`` and ``RKG.title`` would be ``str.title``.
"""
from __future__ import annotations

from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from . import namespaces as _ns

RKG = Namespace(_ns.RKG)
RKR = Namespace(_ns.RKR)
ORG = Namespace(_ns.ORG)
SCHEMA = Namespace(_ns.SCHEMA)

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "reform.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"

# --- entity classes (SPEC order) -------------------------------------------
Zone = RKG["Zone"]
Company = RKG["Company"]
Fund = RKG["Fund"]
Agency = RKG["Agency"]
Institution = RKG["Institution"]
Policy = RKG["Policy"]
Measure = RKG["Measure"]
Person = RKG["Person"]
Place = RKG["Place"]
Project = RKG["Project"]
Industry = RKG["Industry"]

# --- provenance and quantity classes ----------------------------------------
Document = RKG["Document"]
Observation = RKG["Observation"]
Evidence = RKG["Evidence"]

# --- relation properties (SPEC order) ---------------------------------------
locatedIn = RKG["locatedIn"]
hosts = RKG["hosts"]
implements = RKG["implements"]
partOf = RKG["partOf"]
issuedBy = RKG["issuedBy"]
cites = RKG["cites"]
leads = RKG["leads"]
responsibleFor = RKG["responsibleFor"]
establishes = RKG["establishes"]
investsIn = RKG["investsIn"]
cooperatesWith = RKG["cooperatesWith"]
worksFor = RKG["worksFor"]
hasIndustry = RKG["hasIndustry"]

# --- observation, evidence and attribute properties -------------------------
about = RKG["about"]
indicator = RKG["indicator"]
value = RKG["value"]
unit = RKG["unit"]
period = RKG["period"]
evidence = RKG["evidence"]
sentence = RKG["sentence"]
sourceDocument = RKG["sourceDocument"]
start = RKG["start"]
end = RKG["end"]
contentHash = RKG["contentHash"]
extractionModel = RKG["extractionModel"]
adminCode = RKG["adminCode"]
title = RKG["title"]

# --- network statistics (kg stats --annotate, named graph rkr:graph/stats) ---
degree = RKG["degree"]
betweenness = RKG["betweenness"]
pageRank = RKG["pageRank"]
community = RKG["community"]
STATS: tuple[URIRef, ...] = (degree, betweenness, pageRank, community)

ENTITY_CLASSES: tuple[URIRef, ...] = (Zone, Company, Fund, Agency, Institution, Policy,
                                      Measure, Person, Place, Project, Industry)
CLASSES: tuple[URIRef, ...] = ENTITY_CLASSES + (Document, Observation, Evidence)
RELATIONS: tuple[URIRef, ...] = (locatedIn, hosts, implements, partOf, issuedBy, cites,
                                 leads, responsibleFor, establishes, investsIn,
                                 cooperatesWith, worksFor, hasIndustry)
ATTRIBUTES: tuple[URIRef, ...] = (about, indicator, value, unit, period, evidence, sentence,
                                  sourceDocument, start, end, contentHash, extractionModel, adminCode, title) + STATS

# Unit codes of the SPEC; each is a skos:Concept rkg:unit-<code> in rkg:UnitScheme.
UNIT_SCHEME = RKG["UnitScheme"]
UNIT_CODES: tuple[str, ...] = ("CNY", "USD", "count", "percent", "person", "person-time",
                               "mu", "km2", "m2", "GWh", "minute", "day", "year", "ton")
UNITS: dict[str, URIRef] = {code: RKG[f"unit-{code}"] for code in UNIT_CODES}

__all__ = ["RKG", "RKR", "ORG", "SCHEMA", "DCTERMS", "OWL", "PROV", "RDF", "RDFS", "SKOS",
           "XSD", "ONTOLOGY_DIR", "ONTOLOGY_FILE", "SHAPES_FILE", "ENTITY_CLASSES",
           "CLASSES", "RELATIONS", "ATTRIBUTES", "STATS", "UNIT_SCHEME", "UNIT_CODES", "UNITS",
           *(t.removeprefix(str(RKG)) for t in CLASSES + RELATIONS + ATTRIBUTES)]
