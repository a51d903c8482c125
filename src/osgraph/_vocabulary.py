"""The namespaces osgraph writes, and the terms of its own ontology, in one module.

``OSG`` is closed: a term that ``ontology/osgraph.ttl`` does not define raises ``AttributeError``
instead of silently minting a new IRI (a test keeps the two in step).
"""

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

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
    repository: URIRef
    domain: URIRef


WIKIDATA_ENTITY = Namespace("http://www.wikidata.org/entity/")
ROR = Namespace("https://ror.org/")
