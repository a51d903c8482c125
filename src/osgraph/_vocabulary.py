"""The namespaces osgraph writes, the terms of its own ontology, and the prefixes of its graphs.

``OSG`` is closed: a term that ``ontology/osgraph.ttl`` does not define raises ``AttributeError``
instead of silently minting a new IRI (a test keeps the two in step). The kinds of institution
(:data:`INSTITUTION_KINDS`) and the concepts of the domain scheme (:func:`domains`, read from
``ontology/domains.ttl``) are defined here once, for the gazetteer, the graph, the network and
its page.
"""

from __future__ import annotations

import re
from functools import cache

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    ORG,
    PROV,
    RDF,
    RDFS,
    SKOS,
    XSD,
    DefinedNamespace,
)

from osgraph import _resources
from osgraph._iri import IriScheme

DEFAULT_BASE = "https://w3id.org/osgraph/id/"
"""The base IRI under which osgraph mints the IRIs of projects, institutions, countries, ..."""

ONTOLOGY_IRI = URIRef("https://w3id.org/osgraph/ontology")

SCHEMA = Namespace("https://schema.org/")

DCAT3_IN_SERIES = URIRef("http://www.w3.org/ns/dcat#inSeries")
"""DCAT 3's ``dcat:inSeries``, which rdflib's closed ``DCAT`` namespace (DCAT 2) lacks."""


class OSG(DefinedNamespace):
    """The osgraph ontology (``ontology/osgraph.ttl``)."""

    _NS = Namespace("https://w3id.org/osgraph/ontology#")
    _fail = True

    # Classes
    Project: URIRef
    Institution: URIRef
    Country: URIRef
    Area: URIRef
    Contribution: URIRef
    ListSeries: URIRef
    ListEdition: URIRef
    SourceRow: URIRef
    AlignmentMethod: URIRef
    University: URIRef
    Company: URIRef
    ResearchInstitute: URIRef
    GovernmentLab: URIRef
    FoundationOrCommunity: URIRef
    Lab: URIRef

    # Alignment methods
    ByPosition: URIRef
    OneCountryForAll: URIRef
    OneInstitutionPerCountry: URIRef
    ByGazetteer: URIRef
    ByOtherRows: URIRef
    Unaligned: URIRef

    # Areas
    Multinational: URIRef
    EuropeanUnion: URIRef

    # Properties
    developedBy: URIRef
    country: URIRef
    inCountry: URIRef
    area: URIRef
    inArea: URIRef
    creditedInCountry: URIRef
    creditedInArea: URIRef
    contribution: URIRef
    project: URIRef
    institution: URIRef
    alignment: URIRef
    listedIn: URIRef
    homepage: URIRef
    inList: URIRef
    line: URIRef
    rawText: URIRef
    fileName: URIRef
    period: URIRef
    basedIn: URIRef
    ror: URIRef
    alpha2: URIRef
    alpha3: URIRef
    nameKey: URIRef
    repository: URIRef
    domain: URIRef


WIKIDATA_ENTITY = Namespace("http://www.wikidata.org/entity/")
ROR = Namespace("https://ror.org/")


DOMAIN_SCHEME = URIRef("https://w3id.org/osgraph/domains")
"""The SKOS concept scheme of project domains (``ontology/domains.ttl``)."""

PREFIXES = {
    "osg": OSG._NS,
    "dcat": DCAT,
    "dcterms": DCTERMS,
    "domain": Namespace("https://w3id.org/osgraph/domain/"),
    "foaf": FOAF,
    "org": ORG,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": SCHEMA,
    "skos": SKOS,
    "xsd": XSD,
    "wd": WIKIDATA_ENTITY,
    "ror": ROR,
}
"""The prefixes bound in every graph osgraph builds (the base IRI adds one per kind of thing)."""


def _kind_name(term: URIRef) -> str:
    """The gazetteer's name of the kind whose class is ``term``: its local name, hyphenated."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", str(term).rpartition("#")[2]).lower()


INSTITUTION_KINDS: dict[str, URIRef] = {
    _kind_name(term): term
    for term in (
        OSG.University,
        OSG.Company,
        OSG.ResearchInstitute,
        OSG.GovernmentLab,
        OSG.FoundationOrCommunity,
        OSG.Lab,
    )
}
"""The kinds of institution, as the gazetteer names them, and the class of each in the ontology.

Examples
--------
>>> INSTITUTION_KINDS["research-institute"]
rdflib.term.URIRef('https://w3id.org/osgraph/ontology#ResearchInstitute')
"""


def prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """The prefixes of a graph built under ``base``: osgraph's, and one per kind of thing.

    Examples
    --------
    >>> prefixes("https://example.org/")["project"]
    'https://example.org/project/'
    """
    bound = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    return bound | IriScheme(base).namespaces


def new_graph(base: str = DEFAULT_BASE) -> Graph:
    """Return an empty graph with osgraph's prefixes bound, those of ``base`` included."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in prefixes(base).items():
        graph.bind(prefix, namespace)
    return graph


@cache
def domain_scheme() -> Graph:
    """The domain scheme of ``ontology/domains.ttl``, read once; not to be changed."""
    return Graph().parse(data=_resources.text("ontology", "domains.ttl"), format="turtle")


@cache
def domains() -> dict[str, URIRef]:
    """The concepts of the domain scheme in ``ontology/domains.ttl``, by their local name.

    Examples
    --------
    >>> domains()["large-language-model"]
    rdflib.term.URIRef('https://w3id.org/osgraph/domain/large-language-model')
    """
    return {
        str(concept).rsplit("/", 1)[1]: concept
        for concept in domain_scheme().subjects(RDF.type, SKOS.Concept)
        if isinstance(concept, URIRef)
    }


@cache
def domain_labels() -> dict[URIRef, list[Literal]]:
    """The ``skos:prefLabel`` of each concept of the domain scheme, in every language."""
    scheme = domain_scheme()
    return {
        concept: sorted(
            (
                label
                for label in scheme.objects(concept, SKOS.prefLabel)
                if isinstance(label, Literal)
            ),
            key=str,
        )
        for concept in domains().values()
    }
