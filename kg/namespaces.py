"""Namespace IRIs as plain strings, for code that builds pyoxigraph terms without rdflib.

kg/vocab.py makes its rdflib namespaces from these (tests/test_ontology.py checks the
standard ones against rdflib's); importing rdflib costs each build process about 0.1 s.
"""
RKG = "https://w3id.org/reform-kg/ontology#"
RKR = "https://w3id.org/reform-kg/resource/"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
