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
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from osgraph.errors import ConfigurationError
from osgraph.iri import IriScheme
from osgraph.namespaces import DCAT3_IN_SERIES, DEFAULT_BASE, OSG, SCHEMA
from osgraph.resolve import AlignmentMethod, Named, Notice, Resolution, name_key, resolve
from osgraph.sources import ListInfo, Origin, bundled_list, read_source

_ALIGNMENT_TERMS = {
    AlignmentMethod.BY_POSITION: OSG.ByPosition,
    AlignmentMethod.ONE_COUNTRY_FOR_ALL: OSG.OneCountryForAll,
    AlignmentMethod.ONE_INSTITUTION_PER_COUNTRY: OSG.OneInstitutionPerCountry,
    AlignmentMethod.UNALIGNED: OSG.Unaligned,
}

PREFIXES = {
    "osg": OSG._NS,
    "dcat": DCAT,
    "dcterms": DCTERMS,
    "foaf": FOAF,
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


def build(sources: Sequence[Path | str] | None = None, *, base: str = DEFAULT_BASE) -> BuildResult:
    """Read lists, resolve them and build their knowledge graph.

    Parameters
    ----------
    sources
        Markdown or CSV lists. Default: the bundled BenchCouncil Open100 2022-2023 list.
    base
        The base IRI under which the graph's IRIs are minted; it must end with ``/`` or ``#``
        (or ``:`` for a URN).

    Raises
    ------
    SourceError
        When a source cannot be read; the message names the file, line and cell.
    ConfigurationError
        When ``base`` is not an absolute IRI ending with ``/`` or ``#`` (``:`` for a URN), or
        two sources claim the same list id.

    Examples
    --------
    >>> result = build()
    >>> result.summary.rows_read, result.summary.projects
    (102, 101)
    """
    iris = IriScheme(base)
    paths = [bundled_list()] if not sources else [Path(source) for source in sources]
    read = [read_source(path) for path in paths]
    _check_distinct_list_ids([source.info for source in read], paths)
    resolution = resolve(read)
    graph = new_graph(base)
    for triple in graph_triples(resolution, iris):
        graph.add(triple)
    summary = Summary(
        rows_read=len(resolution.entries),
        lists=tuple(info.id for info in resolution.lists),
        projects=len(resolution.projects),
        institutions=len(resolution.institutions),
        countries=len(resolution.countries),
        contributions=len(resolution.contributions),
        unaligned_rows=len(resolution.unaligned),
        triples=len(graph),
        notices=tuple(resolution.notices),
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

    for key, institution in resolution.institutions.items():
        node = iris.institution(key)
        yield node, RDF.type, OSG.Institution
        yield from _named_triples(node, institution)
    for key, country in resolution.countries.items():
        node = iris.country(key)
        yield node, RDF.type, OSG.Country
        yield from _named_triples(node, country)

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
