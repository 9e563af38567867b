"""The ontology, the shapes and kg/vocab.py agree with each other and with the SPEC."""
from __future__ import annotations

import itertools

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
# XSD comes from kg.vocab: a module-level XSD makes pytest's collection warn
# (rdflib's closed namespace complains about the attributes pytest probes).
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS

from kg import model, vocab
from kg.shacl import ValidationReport, validate
from kg.vocab import RKG, RKR

ONTOLOGY_IRI = URIRef("https://w3id.org/reform-kg/ontology")

# The SPEC's relation table, written out pair by pair ("from -> to").
ACTORS = ("Zone", "Company", "Fund", "Agency", "Institution", "Place", "Person")
ALLOWED: dict[str, set[tuple[str, str]]] = {
    "locatedIn": {("Zone", "Place"), ("Place", "Place"), ("Company", "Place"),
                  ("Company", "Zone"), ("Project", "Place"), ("Project", "Zone")},
    "hosts": {("Zone", o) for o in ("Company", "Project", "Institution")},
    "implements": {("Zone", "Measure"), ("Agency", "Measure")},
    "partOf": {("Measure", "Policy"), ("Policy", "Policy"), ("Zone", "Zone")},
    "issuedBy": {("Policy", "Agency")},
    "cites": {("Policy", "Policy")},
    "leads": {("Agency", "Measure")},
    "responsibleFor": {("Agency", "Measure")},
    "establishes": set(itertools.product(("Zone", "Agency", "Company"),
                                         ("Fund", "Company", "Institution"))),
    "investsIn": set(itertools.product(("Fund", "Company", "Zone"), ("Company", "Project"))),
    "cooperatesWith": set(itertools.product(ACTORS, ACTORS)),
    "worksFor": {("Person", o) for o in ("Agency", "Company", "Zone", "Institution")},
    "hasIndustry": {("Zone", "Industry")},
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(vocab.ONTOLOGY_FILE, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(vocab.SHAPES_FILE, format="turtle")


def _vocab_terms() -> dict[str, URIRef]:
    """Every rkg: term that kg/vocab.py exports as a module-level name."""
    return {name: val for name, val in vars(vocab).items()
            if isinstance(val, URIRef) and val.startswith(str(RKG))}


def _langs(g: Graph, s: URIRef, p: URIRef) -> set[str | None]:
    return {o.language for o in g.objects(s, p) if isinstance(o, Literal)}


def _union_members(g: Graph, node) -> set[str]:
    """Local names of a class or of the members of an owl:unionOf class expression."""
    if isinstance(node, URIRef):
        return {node.removeprefix(str(RKG))}
    members = g.value(node, OWL.unionOf)
    return {m.removeprefix(str(RKG)) for m in Collection(g, members)}


# --- (a) parsing --------------------------------------------------------------

def test_files_parse(ontology, shapes):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert len(shapes) > 100
    assert set(shapes.subjects(RDF.type, SH.NodeShape))


# --- (b) the Python vocabulary is checked against the ontology -------------------

def test_model_names_are_declared(ontology):
    for name in model.CLASSES:
        assert (RKG[name], RDF.type, OWL.Class) in ontology, name
    for name in model.PROPERTIES:
        assert (RKG[name], RDF.type, OWL.ObjectProperty) in ontology, name
    assert [t.removeprefix(str(RKG)) for t in vocab.ENTITY_CLASSES] == list(model.CLASSES)
    assert [t.removeprefix(str(RKG)) for t in vocab.RELATIONS] == list(model.PROPERTIES)


def test_every_vocab_name_is_declared_with_labels_and_comment(ontology):
    terms = _vocab_terms()
    assert len(terms) >= 14 + 13 + 13
    for name, term in terms.items():
        assert term == RKG[name] or name == "UNIT_SCHEME", f"vocab.{name} is {term}"
        assert (term, RDF.type, None) in ontology, f"{term} is not declared"
        assert {"zh", "en"} <= _langs(ontology, term, RDFS.label), f"{term} lacks zh/en labels"
        assert "en" in _langs(ontology, term, RDFS.comment), f"{term} lacks an English comment"


def test_every_ontology_term_is_exported_by_vocab(ontology):
    exported = set(_vocab_terms().values())
    declared = {s for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
                               OWL.AnnotationProperty)
                for s in ontology.subjects(RDF.type, kind)
                if isinstance(s, URIRef) and s.startswith(str(RKG))}
    assert declared - exported == set(), "declared in reform.ttl but missing from kg/vocab.py"
    assert declared == set(vocab.CLASSES) | set(vocab.RELATIONS) | set(vocab.ATTRIBUTES)


def test_declared_kinds(ontology):
    for c in vocab.CLASSES:
        assert (c, RDF.type, OWL.Class) in ontology
    for p in vocab.RELATIONS + (vocab.about, vocab.evidence, vocab.sourceDocument):
        assert (p, RDF.type, OWL.ObjectProperty) in ontology
    for p in set(vocab.ATTRIBUTES) - {vocab.about, vocab.evidence, vocab.sourceDocument}:
        assert (p, RDF.type, OWL.DatatypeProperty) in ontology
    assert ontology.value(vocab.value, RDFS.range) == vocab.XSD.decimal
    assert ontology.value(vocab.start, RDFS.range) == vocab.XSD.integer
    assert ontology.value(vocab.end, RDFS.range) == vocab.XSD.integer


def test_relation_domains_and_ranges_follow_the_spec(ontology):
    for prop, pairs in ALLOWED.items():
        dom = _union_members(ontology, ontology.value(RKG[prop], RDFS.domain))
        rng = _union_members(ontology, ontology.value(RKG[prop], RDFS.range))
        assert dom == {s for s, _ in pairs}, prop
        assert rng == {o for _, o in pairs}, prop


def test_units_agree_across_ontology_shapes_and_vocab(ontology, shapes):
    in_scheme = set(ontology.subjects(SKOS.inScheme, vocab.UNIT_SCHEME))
    assert in_scheme == set(vocab.UNITS.values())
    for code, concept in vocab.UNITS.items():
        assert (concept, RDF.type, SKOS.Concept) in ontology
        assert ontology.value(concept, SKOS.notation) == Literal(code)
        assert {"zh", "en"} <= _langs(ontology, concept, SKOS.prefLabel)
    unit_lists = [Collection(shapes, lst) for ps in shapes.subjects(SH.path, vocab.unit)
                  if (lst := shapes.value(ps, SH["in"])) is not None]
    assert [[str(x) for x in lst] for lst in unit_lists] == [list(vocab.UNIT_CODES)]


def test_shapes_only_use_declared_terms(ontology, shapes):
    used = {t for triple in shapes for t in triple
            if isinstance(t, URIRef) and t.startswith(str(RKG))}
    undeclared = {t for t in used if (t, RDF.type, None) not in ontology}
    assert undeclared == set(), "shapes.ttl uses rkg: terms that reform.ttl does not declare"


def test_every_reported_constraint_has_a_message(shapes):
    targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)
    node_level = (SH["class"], SH.node, SH["in"], SH["or"], SH["not"])
    targeted = {s for t in targets for s in shapes.subjects(t, None)}
    for shape in targeted:
        if any(shapes.value(shape, c) is not None for c in node_level):
            assert shapes.value(shape, SH.message), f"{shape} has no sh:message"
        for prop in shapes.objects(shape, SH.property):
            assert shapes.value(prop, SH.message), f"a property of {shape} has no sh:message"


# --- (c) symmetry ---------------------------------------------------------------

def test_cooperates_with_is_symmetric(ontology):
    assert (vocab.cooperatesWith, RDF.type, OWL.SymmetricProperty) in ontology
    assert (vocab.cooperatesWith, RDF.type, OWL.ObjectProperty) in ontology


# --- (d) SHACL validation ---------------------------------------------------------

DOC = RKR["doc/000-827bfa48"]
ZONE = RKR["zone/ganzhou-jingkaiqu-3f2a9c"]
PLACE = RKR["place/ganzhou-shi-1b2c3d"]
STATEMENT = RKR["statement/0a1b2c3d4e"]
EVIDENCE = RKR["evidence/5f6a7b8c9d"]
OBSERVATION = RKR["observation/1a2b3c4d5e"]


def _document(g: Graph, doc: URIRef = DOC) -> None:
    g.add((doc, RDF.type, vocab.Document))
    g.add((doc, DCTERMS.title, Literal("赣州经开区改革开放四十年", lang="zh")))
    g.add((doc, DCTERMS.source, Literal("000_827bfa4812dc16f8.txt")))
    g.add((doc, DCTERMS.date, Literal("2018-12-25", datatype=vocab.XSD.date)))
    g.add((doc, vocab.contentHash, Literal("827bfa4812dc16f8" * 4)))


def _entity(g: Graph, node: URIRef, cls: URIRef, label: str, doc: URIRef = DOC) -> None:
    g.add((node, RDF.type, cls))
    g.add((node, RDFS.label, Literal(label, lang="zh")))
    g.add((node, PROV.wasDerivedFrom, doc))


def _evidence(g: Graph, node: URIRef, start: int = 12, end: int = 40) -> None:
    g.add((node, RDF.type, vocab.Evidence))
    g.add((node, vocab.sentence, Literal("江西赣州经开区乘着改革开放的东风", lang="zh")))
    g.add((node, vocab.sourceDocument, DOC))
    g.add((node, vocab.start, Literal(start)))
    g.add((node, vocab.end, Literal(end)))


def _relation(g: Graph, s: URIRef, p: URIRef, o: URIRef, st: URIRef, ev: URIRef) -> None:
    g.add((s, p, o))
    g.add((st, RDF.type, RDF.Statement))
    g.add((st, RDF.subject, s))
    g.add((st, RDF.predicate, p))
    g.add((st, RDF.object, o))
    g.add((st, vocab.evidence, ev))
    _evidence(g, ev)


def valid_graph() -> Graph:
    """The shape of what the pipeline writes: zone, place, statement, evidence, observation."""
    g = Graph()
    _document(g)
    _entity(g, ZONE, vocab.Zone, "赣州经开区")
    g.add((ZONE, SKOS.altLabel, Literal("赣州经济技术开发区", lang="zh")))
    _entity(g, PLACE, vocab.Place, "赣州市")
    g.add((PLACE, vocab.adminCode, Literal("360700")))
    _relation(g, ZONE, vocab.locatedIn, PLACE, STATEMENT, EVIDENCE)
    g.add((OBSERVATION, RDF.type, vocab.Observation))
    g.add((OBSERVATION, vocab.about, ZONE))
    g.add((OBSERVATION, vocab.indicator, Literal("签约总金额", lang="zh")))
    g.add((OBSERVATION, vocab.value, Literal("61979000000", datatype=vocab.XSD.decimal)))
    g.add((OBSERVATION, vocab.unit, Literal("CNY")))
    g.add((OBSERVATION, vocab.period, Literal("2024")))
    g.add((OBSERVATION, vocab.evidence, EVIDENCE))
    return g


def _set(g: Graph, s, p, o) -> Graph:
    g.set((s, p, o))
    return g


def _without(g: Graph, s, p) -> Graph:
    g.remove((s, p, None))
    return g


def _locate_in_industry(g: Graph) -> Graph:
    industry = RKR["industry/xinnengyuan-qiche-9e8d7c"]
    _entity(g, industry, vocab.Industry, "新能源汽车")
    return _set(g, ZONE, vocab.locatedIn, industry)


def _orphan_statement(g: Graph) -> Graph:
    g.remove((ZONE, vocab.locatedIn, PLACE))
    return g


BROKEN = {
    "missing label": (lambda g: _without(g, ZONE, RDFS.label), ZONE, RDFS.label),
    "two labels": (lambda g: g.add((ZONE, RDFS.label, Literal("赣州经济技术开发区", lang="zh"))),
                   ZONE, RDFS.label),
    "unit dollars": (lambda g: _set(g, OBSERVATION, vocab.unit, Literal("dollars")),
                     OBSERVATION, vocab.unit),
    "evidence without sentence": (lambda g: _without(g, EVIDENCE, vocab.sentence),
                                  EVIDENCE, vocab.sentence),
    "locatedIn an Industry": (_locate_in_industry, ZONE, vocab.locatedIn),
    "value not decimal": (lambda g: _set(g, OBSERVATION, vocab.value, Literal("61979000000")),
                          OBSERVATION, vocab.value),
    "value as double": (lambda g: _set(g, OBSERVATION, vocab.value, Literal(6.1979e10)),
                        OBSERVATION, vocab.value),
    "no derivation": (lambda g: _without(g, PLACE, PROV.wasDerivedFrom), PLACE, PROV.wasDerivedFrom),
    "two entity classes": (lambda g: g.add((ZONE, RDF.type, vocab.Place)), ZONE, RDF.type),
    "bad admin code": (lambda g: _set(g, PLACE, vocab.adminCode, Literal("36-07")),
                       PLACE, vocab.adminCode),
    "statement without evidence": (lambda g: _without(g, STATEMENT, vocab.evidence),
                                   STATEMENT, vocab.evidence),
    "statement of an absent triple": (_orphan_statement, STATEMENT, None),
    "end before start": (lambda g: _set(g, EVIDENCE, vocab.end, Literal(5)), EVIDENCE, vocab.start),
    "untyped document": (lambda g: _without(g, DOC, RDF.type), EVIDENCE, vocab.sourceDocument),
    "document without hash": (lambda g: _without(g, DOC, vocab.contentHash), DOC, vocab.contentHash),
    "observation about a literal": (lambda g: _set(g, OBSERVATION, vocab.about, Literal("赣州")),
                                    OBSERVATION, vocab.about),
}


def test_valid_graph_conforms():
    report = validate(valid_graph())
    assert isinstance(report, ValidationReport)
    assert report.conforms, report.text
    assert report.violations == 0 and report.results == []


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_graph_fails(case):
    mutate, focus, path = BROKEN[case]
    report = validate(mutate(valid_graph()))
    assert not report.conforms
    assert report.violations >= 1
    hits = [r for r in report.results
            if r["focus"] == focus.n3() and r["path"] == (path.n3() if path else None)]
    assert hits, report.text
    assert all(r["message"] for r in report.results)


def test_period_spelling_is_only_a_warning():
    report = validate(_set(valid_graph(), OBSERVATION, vocab.period, Literal("2024年")))
    assert report.conforms and report.violations == 0
    assert [r["severity"] for r in report.results] == ["Warning"]


def _split_dataset(g: Graph) -> Dataset:
    """Entities and the document in one named graph, statements, evidence and observation in another."""
    ds = Dataset()
    g1, g2 = ds.graph(URIRef(str(DOC))), ds.graph(URIRef(str(DOC) + "-b"))
    for t in g:
        (g1 if t[0] in (ZONE, PLACE, DOC) else g2).add(t)
    return ds


def test_dataset_is_validated_as_the_union():
    assert validate(_split_dataset(valid_graph())).conforms
    # Each named graph alone would fail (evidence points to a document typed elsewhere),
    # and a real fault is still found across graphs.
    broken = validate(_split_dataset(_without(valid_graph(), ZONE, RDFS.label)))
    assert not broken.conforms
    assert {r["focus"] for r in broken.results} == {ZONE.n3()}


def _pair_graph(pairs) -> tuple[Graph, list[URIRef]]:
    """One statement with its own fresh subject and object per (prop, subject, object) triple."""
    g = Graph()
    _document(g)
    subjects = []
    for i, (prop, s_cls, o_cls) in enumerate(pairs):
        s, o = RKR[f"{s_cls.lower()}/s{i}"], RKR[f"{o_cls.lower()}/o{i}"]
        _entity(g, s, RKG[s_cls], f"主体{i}")
        _entity(g, o, RKG[o_cls], f"客体{i}")
        _relation(g, s, RKG[prop], o, RKR[f"statement/{i}"], RKR[f"evidence/{i}"])
        subjects.append(s)
    return g, subjects


def test_every_allowed_relation_conforms():
    pairs = [(p, s, o) for p, allowed in ALLOWED.items() for s, o in sorted(allowed)]
    report = validate(_pair_graph(pairs)[0])
    assert report.conforms, report.text


def test_every_disallowed_relation_fails():
    pairs = [(p, s, o) for p, allowed in ALLOWED.items()
             for s, o in itertools.product(model.CLASSES, model.CLASSES) if (s, o) not in allowed]
    g, subjects = _pair_graph(pairs)
    report = validate(g)
    flagged = {r["focus"] for r in report.results if r["severity"] == "Violation"}
    missed = [pairs[i] for i, s in enumerate(subjects) if s.n3() not in flagged]
    assert missed == []


def test_validate_leaves_the_graph_alone():
    g = valid_graph()
    before = set(g)
    validate(g)
    assert set(g) == before
    assert not any(isinstance(t, BNode) for triple in g for t in triple)


def test_plain_namespaces_are_the_vocabulary_s():
    """kg/namespaces.py (used where rdflib is not loaded) names the same IRIs as kg/vocab.py."""
    from kg import namespaces as ns

    for name, rdflib_ns in [("RDF", RDF), ("RDFS", RDFS), ("SKOS", SKOS), ("PROV", PROV), ("DCTERMS", DCTERMS),
                            ("XSD", vocab.XSD), ("RKG", RKG), ("RKR", RKR), ("ORG", vocab.ORG),
                            ("SCHEMA", vocab.SCHEMA)]:
        assert getattr(ns, name) == str(rdflib_ns), name


def test_a_build_does_not_load_rdflib():
    import subprocess
    import sys

    code = ("import sys, kg.pipeline, kg.graph, kg.store, kg.resolve, kg.cli; "
            "print('rdflib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
