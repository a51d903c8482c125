"""Build the RDF knowledge graph of resolved lists, under the ontology in ``ontology/osgraph.ttl``.

What the graph holds, for each kind of thing (``osg:`` is the osgraph ontology):

- list editions (``osg:ListEdition``, a ``dcat:Dataset``) with their series, title, period, date
  and the page they were published on, and every row read from them (``osg:SourceRow``: line,
  raw text);
- projects: label, homepage, the editions that list them (``osg:listedIn``), the institutions and
  countries the rows state (``osg:developedBy``, ``osg:country``), their contributions, and the
  rows they come from (``prov:wasDerivedFrom``);
- institutions and countries: label, homepage, other spellings (``skos:altLabel``);
- contributions: project, institution, country (``osg:inCountry``), how they were aligned, and
  their rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, XSD

from osgraph.errors import ConfigurationError
from osgraph.gazetteer import (
    Country,
    Gazetteer,
    InstitutionFacts,
    ProjectFacts,
    domains,
    load_gazetteer,
)
from osgraph.iri import IriScheme
from osgraph.names import name_key
from osgraph.namespaces import DCAT3_IN_SERIES, DEFAULT_BASE, OSG, ROR, SCHEMA, WIKIDATA_ENTITY
from osgraph.resolve import AlignmentMethod, Named, Notice, Resolution, resolve
from osgraph.sources import ListInfo, Origin, Source, bundled_list, read_source

_ALIGNMENT_TERMS = {
    AlignmentMethod.BY_POSITION: OSG.ByPosition,
    AlignmentMethod.ONE_COUNTRY_FOR_ALL: OSG.OneCountryForAll,
    AlignmentMethod.ONE_INSTITUTION_PER_COUNTRY: OSG.OneInstitutionPerCountry,
    AlignmentMethod.BY_GAZETTEER: OSG.ByGazetteer,
    AlignmentMethod.BY_OTHER_ROWS: OSG.ByOtherRows,
    AlignmentMethod.UNALIGNED: OSG.Unaligned,
}

_KIND_CLASSES = {
    "university": OSG.University,
    "company": OSG.Company,
    "research-institute": OSG.ResearchInstitute,
    "government-lab": OSG.GovernmentLab,
    "foundation-or-community": OSG.FoundationOrCommunity,
    "lab": OSG.Lab,
}

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
}
"""The prefixes bound in every graph osgraph builds (the base IRI adds one per kind of thing)."""

Triple = tuple[URIRef, URIRef, URIRef | Literal]


@dataclass(frozen=True, slots=True)
class Summary:
    """What a build read and made, and everything the user should know about the input."""

    rows_read: int
    rows_rejected: int
    lists: tuple[str, ...]
    projects: int
    institutions: int
    countries: int
    contributions: int
    unaligned_rows: int
    triples: int
    notices: tuple[Notice, ...]


@dataclass(frozen=True, slots=True)
class BuildResult:
    """A built knowledge graph and the summary of its build."""

    graph: Graph
    summary: Summary


def build(
    sources: Sequence[Path | str] | None = None,
    *,
    base: str = DEFAULT_BASE,
    gazetteer: Gazetteer | Path | str | None = None,
    projects: Path | str | None = None,
    validate: bool = True,
    encoding: str | None = None,
    lenient: bool = False,
) -> BuildResult:
    """Read lists, resolve them and build their knowledge graph.

    Parameters
    ----------
    sources
        Markdown or CSV lists. Default: the bundled BenchCouncil Open100 2022-2023 list.
    base
        The base IRI under which the graph's IRIs are minted; it must end with ``/`` or ``#``
        (or ``:`` for a URN).
    gazetteer
        What is known of institutions: a loaded gazetteer, or the path of a file in the form of
        ``data/institutions.toml``. Default: the bundled gazetteer.
    projects
        What is known of projects: the path of a file in the form of ``data/projects.toml``.
        Default: the bundled one.
    validate
        Check the graph against ``ontology/shapes.ttl`` (SHACL) before returning it.
    encoding
        The sources' encoding (default: UTF-8), such as ``gb18030``.
    lenient
        Leave out the rows that cannot be read or resolved, and list them with their reasons
        (``Summary.rows_rejected`` and the notices), instead of stopping at the first.

    Raises
    ------
    SourceError
        When a source or the gazetteer cannot be read, or a country does not resolve; the
        message names the file, line and cell.
    ConfigurationError
        When ``base`` is not an absolute IRI ending with ``/`` or ``#`` (``:`` for a URN), or
        two sources claim the same list id.
    ValidationError
        When ``validate`` and the graph violates the shapes; the message is the report.

    Examples
    --------
    >>> result = build()
    >>> result.summary.rows_read, result.summary.projects
    (102, 101)
    """
    paths = [bundled_list()] if not sources else [Path(source) for source in sources]
    IriScheme(base)  # refuse a bad base before reading anything
    read = [read_source(path, encoding=encoding, lenient=lenient) for path in paths]
    _check_distinct_list_ids([source.info for source in read], paths)
    if not isinstance(gazetteer, Gazetteer):
        gazetteer = load_gazetteer(gazetteer, projects)
    return build_sources(read, base=base, gazetteer=gazetteer, validate=validate, lenient=lenient)


def build_sources(
    sources: Sequence[Source],
    *,
    base: str = DEFAULT_BASE,
    gazetteer: Gazetteer | None = None,
    validate: bool = True,
    lenient: bool = False,
) -> BuildResult:
    """Resolve lists already read and build their knowledge graph (see :func:`build`)."""
    iris = IriScheme(base)
    resolution = resolve(sources, gazetteer or load_gazetteer(), lenient=lenient)
    graph = new_graph(base)
    for triple in graph_triples(resolution, iris):
        graph.add(triple)
    notices = list(resolution.notices)
    if validate:
        from osgraph.validate import ValidationError, validate_graph

        report = validate_graph(graph, base)
        if not report.conforms:
            raise ValidationError(report)
        notices += [Notice("shape-warning", str(warning), ()) for warning in report.warnings]
    summary = Summary(
        rows_read=len(resolution.entries) + len(resolution.rejected),
        rows_rejected=len(resolution.rejected),
        lists=tuple(info.id for info in resolution.lists),
        projects=len(resolution.projects),
        institutions=len(resolution.institutions),
        countries=len(resolution.countries),
        contributions=len(resolution.contributions),
        unaligned_rows=len(resolution.unaligned),
        triples=len(graph),
        notices=tuple(notices),
    )
    return BuildResult(graph, summary)


def new_graph(base: str = DEFAULT_BASE) -> Graph:
    """Return an empty graph with osgraph's prefixes bound, those of ``base`` included."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for kind in ("project", "institution", "country", "contribution", "list"):
        graph.bind(kind, f"{base}{kind}/")
    return graph


def graph_triples(resolution: Resolution, iris: IriScheme) -> Iterator[Triple]:
    """Yield the triples of a resolution's knowledge graph."""
    for info in resolution.lists:
        yield from _list_triples(info, iris)
    for entry in resolution.entries:
        yield from _row_triples(entry.origin, iris)
    for entry in resolution.unaligned:
        yield iris.row(entry.origin.list_id, entry.origin.line), OSG.alignment, OSG.Unaligned
    yield from _project_triples(resolution, iris)
    yield from _institution_triples(resolution, iris)
    yield from _countries_triples(resolution, iris)
    yield from _contribution_triples(resolution, iris)


def _project_triples(resolution: Resolution, iris: IriScheme) -> Iterator[Triple]:
    used_domains: set[str] = set()
    for key, project in resolution.projects.items():
        node = iris.project(key)
        yield node, RDF.type, OSG.Project
        yield from _named_triples(node, project)
        for origin in project.origins:
            yield node, PROV.wasDerivedFrom, iris.row(origin.list_id, origin.line)
            yield node, OSG.listedIn, iris.edition(origin.list_id)
        for institution_key in project.institutions:
            yield node, OSG.developedBy, iris.institution(institution_key)
        for country_key in project.countries:
            yield node, OSG.country, iris.country(country_key)
        facts = resolution.gazetteer.project(project.label)
        if facts:
            yield from _project_fact_triples(node, facts)
            if facts.domain:
                used_domains.add(facts.domain)
    yield from _domain_triples(used_domains)


def _institution_triples(resolution: Resolution, iris: IriScheme) -> Iterator[Triple]:
    for key, institution in resolution.institutions.items():
        node = iris.institution(key)
        yield node, RDF.type, OSG.Institution
        yield from _named_triples(node, institution)
        if institution.facts:
            yield from _organisation_triples(node, institution.facts, resolution.gazetteer, iris)
    for parent in _ancestors(resolution):
        node = iris.institution(name_key(parent.name))
        yield node, RDFS.label, Literal(parent.name)
        yield from _organisation_triples(node, parent, resolution.gazetteer, iris)


def _countries_triples(resolution: Resolution, iris: IriScheme) -> Iterator[Triple]:
    """The countries lists name, and those institutions are based in."""
    countries: dict[str, Country] = {
        code: record.country for code, record in resolution.countries.items() if record.country
    }
    for organisation in _gazetteer_entries(resolution):
        home = resolution.gazetteer.country(organisation.country) if organisation.country else None
        if home is not None:
            countries.setdefault(home.alpha2, home)
    for code, country in countries.items():
        named = resolution.countries.get(code)
        spellings = named.spellings if named else set()
        yield from _country_triples(iris.country(code), country, spellings)


def _contribution_triples(resolution: Resolution, iris: IriScheme) -> Iterator[Triple]:
    for contribution, record in resolution.contributions.items():
        node = iris.contribution(
            contribution.project, contribution.institution, contribution.country
        )
        project_node = iris.project(contribution.project)
        yield node, RDF.type, OSG.Contribution
        yield project_node, OSG.contribution, node
        yield node, OSG.project, project_node
        yield node, OSG.institution, iris.institution(contribution.institution)
        yield node, OSG.inCountry, iris.country(contribution.country)
        for method in record.methods:
            yield node, OSG.alignment, _ALIGNMENT_TERMS[method]
        for origin in record.origins:
            yield node, PROV.wasDerivedFrom, iris.row(origin.list_id, origin.line)


def _named_triples(node: URIRef, entity: Named) -> Iterable[Triple]:
    yield node, RDFS.label, Literal(entity.label)
    for spelling in sorted(entity.spellings - {entity.label}):
        yield node, SKOS.altLabel, Literal(spelling)
    for homepage in sorted(entity.homepages):
        yield node, OSG.homepage, URIRef(homepage)


def _project_fact_triples(node: URIRef, facts: ProjectFacts) -> Iterable[Triple]:
    """What the gazetteer knows of a project: repositories, homepage, Wikidata, domain."""
    for repository in facts.repositories:
        yield node, OSG.repository, URIRef(repository)
    if facts.homepage:
        yield node, OSG.homepage, URIRef(facts.homepage)
    if facts.wikidata:
        yield node, SKOS.exactMatch, WIKIDATA_ENTITY[facts.wikidata]
    if facts.domain:
        yield node, OSG.domain, domains()[facts.domain]
    for source in sorted(set(facts.sources.values())):
        yield node, DCTERMS.source, URIRef(source)


def _domain_triples(used: set[str]) -> Iterable[Triple]:
    """The concepts of the domain scheme that projects use, with their labels."""
    scheme = URIRef("https://w3id.org/osgraph/domains")
    labels = _domain_labels()
    for name in sorted(used):
        concept = domains()[name]
        yield concept, RDF.type, SKOS.Concept
        yield concept, SKOS.inScheme, scheme
        for label in labels[concept]:
            yield concept, SKOS.prefLabel, label
    if used:
        yield scheme, RDF.type, SKOS.ConceptScheme


@cache
def _domain_labels() -> dict[URIRef, list[Literal]]:
    text = (resources.files("osgraph") / "ontology" / "domains.ttl").read_text(encoding="utf-8")
    scheme = Graph().parse(data=text, format="turtle")
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


def _organisation_triples(
    node: URIRef, facts: InstitutionFacts, gazetteer: Gazetteer, iris: IriScheme
) -> Iterable[Triple]:
    """What the gazetteer knows of an organisation: kind, country, identifiers, parent."""
    if facts.kind:
        yield node, RDF.type, _KIND_CLASSES[facts.kind]
    else:
        yield node, RDF.type, ORG.Organization
    for alias in facts.aliases:
        yield node, SKOS.altLabel, Literal(alias)
    if facts.homepage:
        yield node, OSG.homepage, URIRef(facts.homepage)
    if facts.country:
        yield node, OSG.basedIn, iris.country(facts.country)
    if facts.wikidata:
        yield node, SKOS.exactMatch, WIKIDATA_ENTITY[facts.wikidata]
    if facts.ror:
        yield node, OSG.ror, ROR[facts.ror]
    if facts.parent:
        parent = gazetteer.institution(facts.parent)
        assert parent is not None, facts.parent  # the gazetteer checks parents when it loads
        yield node, ORG.subOrganizationOf, iris.institution(name_key(parent.name))
    for source in sorted(set(facts.sources.values())):
        yield node, DCTERMS.source, URIRef(source)


def _gazetteer_entries(resolution: Resolution) -> list[InstitutionFacts]:
    listed = [record.facts for record in resolution.institutions.values() if record.facts]
    return listed + _ancestors(resolution)


def _ancestors(resolution: Resolution) -> list[InstitutionFacts]:
    """The parents, grandparents, ... of listed institutions that no list names itself."""
    listed = {name_key(record.label) for record in resolution.institutions.values()}
    found: dict[str, InstitutionFacts] = {}
    pending = [record.facts for record in resolution.institutions.values() if record.facts]
    while pending:
        facts = pending.pop()
        parent = resolution.gazetteer.institution(facts.parent) if facts.parent else None
        if parent is None:
            continue
        key = name_key(parent.name)
        if key not in listed and key not in found:
            found[key] = parent
            pending.append(parent)
    return [found[key] for key in sorted(found)]


def _country_triples(node: URIRef, country: Country, spellings: set[str]) -> Iterable[Triple]:
    yield node, RDF.type, OSG.Country
    yield node, RDFS.label, Literal(country.name, lang="en")
    yield node, RDFS.label, Literal(country.name_zh, lang="zh")
    for spelling in sorted(spellings - {country.name}):
        yield node, SKOS.altLabel, Literal(spelling)
    yield node, OSG.alpha2, Literal(country.alpha2)
    yield node, OSG.alpha3, Literal(country.alpha3)
    if country.wikidata:
        yield node, SKOS.exactMatch, WIKIDATA_ENTITY[country.wikidata]


def _row_triples(origin: Origin, iris: IriScheme) -> Iterable[Triple]:
    node = iris.row(origin.list_id, origin.line)
    yield node, RDF.type, OSG.SourceRow
    yield node, OSG.inList, iris.edition(origin.list_id)
    yield node, OSG.line, Literal(origin.line)
    yield node, OSG.rawText, Literal(origin.text)


def _list_triples(info: ListInfo, iris: IriScheme) -> Iterable[Triple]:
    node = iris.edition(info.id)
    yield node, RDF.type, OSG.ListEdition
    yield node, DCTERMS.identifier, Literal(info.id)
    yield node, OSG.fileName, Literal(info.file_name)
    for language, title in info.title.items():
        yield node, DCTERMS.title, Literal(title, lang=language)
    if not info.title:
        yield node, DCTERMS.title, Literal(info.id)
    if info.period:
        yield node, OSG.period, Literal(info.period)
    if info.issued:
        yield node, DCTERMS.issued, Literal(info.issued, datatype=XSD.date)
    if info.landing_page:
        yield node, DCAT.landingPage, URIRef(info.landing_page)
    if info.report:
        yield node, DCTERMS.source, URIRef(info.report)
    if info.language:
        yield node, DCTERMS.language, Literal(info.language, datatype=XSD.language)
    if info.series_id:
        series = iris.series(info.series_id)
        yield node, DCAT3_IN_SERIES, series
        yield series, RDF.type, OSG.ListSeries
        yield series, DCTERMS.title, Literal(info.series_title or info.series_id)
        if info.publisher:
            publisher = iris.agent(name_key(info.publisher))
            yield series, DCTERMS.publisher, publisher
            yield publisher, RDF.type, PROV.Organization
            yield publisher, RDFS.label, Literal(info.publisher)


def _check_distinct_list_ids(infos: Sequence[ListInfo], paths: Sequence[Path]) -> None:
    seen: dict[str, Path] = {}
    for info, path in zip(infos, paths, strict=True):
        if info.id in seen:
            raise ConfigurationError(
                f"{seen[info.id]} and {path} are both the list {info.id!r}; give one of them a "
                "sidecar .toml with another [list] id"
            )
        seen[info.id] = path
