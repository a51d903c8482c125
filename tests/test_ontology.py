"""The ontology file: well-formed, documented, aligned without the known traps, and in step with
the terms the code writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCAT, DOAP, FOAF, ORG, PROV

from osgraph import OSG, BuildResult, _resources
from osgraph._align import AlignmentMethod
from osgraph._gazetteer_file import read_institutions
from osgraph._vocabulary import INSTITUTION_KINDS, ONTOLOGY_IRI, SCHEMA


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(data=_resources.text("ontology", "osgraph.ttl"), format="turtle")


def defined_terms(ontology: Graph) -> set[URIRef]:
    return {
        s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef) and s in OSG._NS
    } - {ONTOLOGY_IRI}


def test_the_ontology_declares_itself(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology


def test_the_code_and_the_ontology_name_the_same_terms(ontology: Graph) -> None:
    in_code = {OSG[name] for name in OSG.__annotations__}
    assert defined_terms(ontology) == in_code


def test_every_term_has_a_label_and_a_comment(ontology: Graph) -> None:
    for term in defined_terms(ontology):
        assert ontology.value(term, RDFS.label) is not None, term
        assert ontology.value(term, RDFS.comment) is not None, term


@pytest.mark.parametrize(
    ("term", "aligned_to"),
    [
        (OSG.Project, DOAP.Project),
        (OSG.Institution, ORG.Organization),
        (OSG.Institution, SCHEMA.Organization),
        (OSG.Country, SCHEMA.Country),
        (OSG.Contribution, PROV.Attribution),
        (OSG.ListEdition, DCAT.Dataset),
        (OSG.ListSeries, URIRef("http://www.w3.org/ns/dcat#DatasetSeries")),
        (OSG.developedBy, PROV.wasAttributedTo),
        (OSG.contribution, PROV.qualifiedAttribution),
        (OSG.institution, PROV.agent),
    ],
)
def test_terms_are_aligned_to_the_standard_vocabularies(
    ontology: Graph, term: URIRef, aligned_to: URIRef
) -> None:
    assert (term, RDFS.subClassOf, aligned_to) in ontology or (
        term,
        RDFS.subPropertyOf,
        aligned_to,
    ) in ontology


def test_project_is_no_creative_work_so_doap_stays_consistent(ontology: Graph) -> None:
    supers = set(ontology.transitive_objects(OSG.Project, RDFS.subClassOf))
    assert not supers & {SCHEMA.CreativeWork, SCHEMA.SoftwareSourceCode, FOAF.Document}


def test_homepage_is_not_inverse_functional(ontology: Graph) -> None:
    supers = set(ontology.transitive_objects(OSG.homepage, RDFS.subPropertyOf))
    assert not supers & {DOAP.homepage, FOAF.homepage}
    assert (OSG.homepage, RDF.type, OWL.InverseFunctionalProperty) not in ontology


def test_every_osgraph_term_a_build_writes_is_defined(
    ontology: Graph, bundled: BuildResult
) -> None:
    used = {
        term
        for triple in bundled.graph
        for term in triple
        if isinstance(term, URIRef) and term.startswith(str(OSG._NS))
    }
    assert used <= defined_terms(ontology)


def test_the_alignment_methods_are_the_ontologys(ontology: Graph) -> None:
    in_ontology = set(ontology.subjects(RDF.type, OSG.AlignmentMethod))
    assert {OSG[method.value] for method in AlignmentMethod} == in_ontology


def test_every_kind_of_institution_is_an_organisation_class_of_the_ontology(
    ontology: Graph,
) -> None:
    for term in INSTITUTION_KINDS.values():
        assert (term, RDF.type, OWL.Class) in ontology, term
        supers = set(ontology.objects(term, RDFS.subClassOf))
        assert supers & {ORG.Organization, ORG.OrganizationalUnit}, term


def test_the_gazetteer_reads_every_kind_the_graph_has_a_class_for(tmp_path: Path) -> None:
    entries = "".join(
        f'[[institution]]\nname = "{kind} example"\nkind = "{kind}"\n'
        'source = "https://example.org/about"\n'
        for kind in INSTITUTION_KINDS
    )
    path = tmp_path / "institutions.toml"
    path.write_text(entries, encoding="utf-8")
    assert [facts.kind for facts in read_institutions(path)] == list(INSTITUTION_KINDS)
