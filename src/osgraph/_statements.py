"""The statements of a resolution's knowledge graph, written as Turtle one subject at a time.

What the graph holds, for each kind of thing (``osg:`` is the osgraph ontology):

- list editions (``osg:ListEdition``, a ``dcat:Dataset``) with their series, title, period, date
  and the page they were published on, and every row read from them (``osg:SourceRow``: line,
  raw text);
- projects: label, homepage, the editions that list them (``osg:listedIn``), the institutions and
  countries the rows state (``osg:developedBy``, ``osg:country``), their contributions, and the
  rows they come from (``prov:wasDerivedFrom``);
- institutions and countries: label, homepage, other spellings (``skos:altLabel``), and the key
  of each name (``osg:nameKey``); institutions also the countries and areas the lists credit
  their contributions to (``osg:creditedInCountry``, ``osg:creditedInArea``);
- contributions: project, institution, country (``osg:inCountry``), how they were aligned, and
  their rows.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib.namespace import DCAT, DCTERMS, ORG, PROV, RDFS, SKOS

from osgraph._align import AlignmentMethod
from osgraph._countries import Country
from osgraph._gazetteer import Gazetteer
from osgraph._gazetteer_file import InstitutionFacts, ProjectFacts
from osgraph._iri import IriScheme
from osgraph._names import name_key
from osgraph._nodes import Nodes
from osgraph._resolve import ContributionKey, ContributionRecord, Named, Resolution, taken
from osgraph._sources.entries import ListInfo
from osgraph._turtle import TurtleWriter, integer, iri, literal, prefixed
from osgraph._vocabulary import (
    DCAT3_IN_SERIES,
    DOMAIN_SCHEME,
    INSTITUTION_KINDS,
    OSG,
    PREFIXES,
    ROR,
    WIKIDATA_ENTITY,
    domain_labels,
    domains,
)

_PROGRESS_EVERY = 1 << 14  # rows between two reports of progress


def write_statements(
    resolution: Resolution,
    iris: IriScheme,
    writer: TurtleWriter,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write the knowledge graph of a resolution, one statement per subject.

    ``progress`` is told the rows written so far, of all rows, as the rows are written, then
    that all are when the rest is.

    The resolution is let go of as it is written: its entries once their rows are, each
    project and contribution once it is (``entries``, ``projects`` and ``contributions`` are
    then empty; a build counts them before). Nothing after needs them, and at a million rows
    they would otherwise stay in memory while the rest is written, checked and loaded.
    """
    vocabulary = _Vocabulary()
    nodes = Nodes(iris)
    total = len(resolution.entries)
    for info in resolution.lists:
        _write_list(writer, vocabulary, info, nodes)
    unaligned = {id(entry) for entry in resolution.unaligned}
    source_row, in_list, line, raw_text, alignment, unaligned_term = (
        vocabulary(OSG.SourceRow),
        vocabulary(OSG.inList),
        vocabulary(OSG.line),
        vocabulary(OSG.rawText),
        vocabulary(OSG.alignment),
        vocabulary(OSG.Unaligned),
    )
    for number, entry in enumerate(resolution.entries):
        origin = entry.origin
        pairs = [
            ("a", source_row),
            (in_list, nodes.edition(origin.list_id)),
            (line, integer(origin.line)),
            (raw_text, literal(origin.text)),
        ]
        if id(entry) in unaligned:
            pairs.append((alignment, unaligned_term))
        writer.statement(nodes.row(origin), pairs)
        if progress and number % _PROGRESS_EVERY == 0:
            progress(number, total)
    resolution.entries.clear()
    # What projects and contributions name is written before them, and each project's
    # contributions right before it: a streamed check of the values that must be instances of
    # a class then finds nearly every one already seen or seen next, rather than holding
    # millions (and the labels of the subjects that name them) until the end.
    _write_countries(writer, vocabulary, resolution, nodes)
    _write_institutions(writer, vocabulary, resolution, nodes)
    _write_projects(writer, vocabulary, resolution, nodes)
    if progress:
        progress(total, total)


class _Vocabulary:
    """Terms of the vocabularies osgraph uses, as Turtle writes them with :data:`PREFIXES`."""

    def __init__(self) -> None:
        self._written: dict[str, str] = {}
        self._namespaces = sorted(
            ((prefix, str(namespace)) for prefix, namespace in PREFIXES.items()),
            key=lambda item: -len(item[1]),
        )

    def __call__(self, term: str) -> str:
        written = self._written.get(term)
        if written is None:
            written = iri(term)
            for prefix, namespace in self._namespaces:
                if term.startswith(namespace):
                    written = prefixed(prefix, namespace, term[len(namespace) :])
                    break
            self._written[term] = written
        return written


def _write_projects(
    writer: TurtleWriter, vocabulary: _Vocabulary, resolution: Resolution, nodes: Nodes
) -> None:
    """Each project, after its contributions."""
    project_class, derived_from, listed_in, developed_by, country = (
        vocabulary(OSG.Project),
        vocabulary(PROV.wasDerivedFrom),
        vocabulary(OSG.listedIn),
        vocabulary(OSG.developedBy),
        vocabulary(OSG.country),
    )
    area, has_contribution = vocabulary(OSG.area), vocabulary(OSG.contribution)
    areas = _areas(resolution)
    contribution = _ContributionWriter(writer, vocabulary, areas, nodes)
    used_domains: set[str] = set()
    records = resolution.contributions
    for key, project in taken(resolution.projects):
        node = nodes.project(key)
        pairs = [("a", project_class), *_named_pairs(vocabulary, project)]
        pairs += [(derived_from, nodes.row(origin)) for origin in project.origins]
        pairs += [
            (listed_in, nodes.edition(list_id))
            for list_id in dict.fromkeys(origin.list_id for origin in project.origins)
        ]
        institutions, countries = sorted(project.institutions), sorted(project.countries)
        pairs += [(developed_by, nodes.institution(institution)) for institution in institutions]
        pairs += [
            (area, vocabulary(OSG[code])) if code in areas else (country, nodes.country(code))
            for code in countries
        ]
        facts = resolution.gazetteer.project_by_key(key)  # a project's key is its name's
        if facts:
            pairs += _project_fact_pairs(vocabulary, facts)
            if facts.domain:
                used_domains.add(facts.domain)
        # A contribution pairs one of the institutions of a project's rows with one of their
        # countries: found among those pairs, without a table of every project's contributions.
        for made in (ContributionKey(key, i, c) for i in institutions for c in countries):
            record = records.pop(made, None)
            if record is not None:
                written = nodes.contribution(*made)
                contribution(made, written, node, record)
                pairs.append((has_contribution, written))
        writer.statement(node, pairs)
    for found, record in taken(records):  # of no project: none, but none is left out either
        contribution(found, nodes.contribution(*found), nodes.project(found.project), record)
    _write_domains(writer, vocabulary, used_domains)


def _write_institutions(
    writer: TurtleWriter, vocabulary: _Vocabulary, resolution: Resolution, nodes: Nodes
) -> None:
    institution_class = vocabulary(OSG.Institution)
    in_country, in_area = vocabulary(OSG.creditedInCountry), vocabulary(OSG.creditedInArea)
    areas = _areas(resolution)
    credited: dict[str, set[str]] = {}
    for made in resolution.contributions:
        credited.setdefault(made.institution, set()).add(made.country)
    for key, institution in resolution.institutions.items():
        pairs = [("a", institution_class), *_named_pairs(vocabulary, institution)]
        pairs += [
            (in_area, vocabulary(OSG[code])) if code in areas else (in_country, nodes.country(code))
            for code in sorted(credited.pop(key, ()))
        ]
        names = [institution.label, *institution.spellings]
        if institution.facts:
            pairs += _organisation_pairs(vocabulary, institution.facts, resolution.gazetteer, nodes)
            names += [institution.facts.name, *institution.facts.aliases]
        pairs += _key_pairs(vocabulary, names)
        writer.statement(nodes.institution(key), _types_first(pairs))
    for parent in _ancestors(resolution):
        pairs = [(vocabulary(RDFS.label), literal(parent.name))]
        pairs += _organisation_pairs(vocabulary, parent, resolution.gazetteer, nodes)
        pairs += _key_pairs(vocabulary, [parent.name, *parent.aliases])
        writer.statement(nodes.institution(name_key(parent.name)), _types_first(pairs))


def _write_countries(
    writer: TurtleWriter, vocabulary: _Vocabulary, resolution: Resolution, nodes: Nodes
) -> None:
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
        spellings = named.spellings if named else []
        pairs = [
            ("a", vocabulary(OSG.Country)),
            (vocabulary(RDFS.label), literal(country.name, language="en")),
            (vocabulary(RDFS.label), literal(country.name_zh, language="zh")),
        ]
        pairs += [
            (vocabulary(SKOS.altLabel), literal(spelling))
            for spelling in sorted(set(spellings) - {country.name})
        ]
        pairs += [
            (vocabulary(OSG.alpha2), literal(country.alpha2)),
            (vocabulary(OSG.alpha3), literal(country.alpha3)),
        ]
        if country.wikidata:
            pairs.append(
                (vocabulary(SKOS.exactMatch), vocabulary(WIKIDATA_ENTITY[country.wikidata]))
            )
        names = [country.name, country.name_zh, *spellings, country.alpha2, country.alpha3]
        pairs += _key_pairs(vocabulary, names)
        writer.statement(nodes.country(code), pairs)
    for term in sorted(_areas(resolution)):
        record = resolution.countries[term]
        pairs = [
            ("a", vocabulary(OSG.Area)),
            (vocabulary(RDFS.label), literal(record.label, language="en")),
        ]
        pairs += [
            (vocabulary(SKOS.altLabel), literal(spelling))
            for spelling in sorted(set(record.spellings) - {record.label})
        ]
        pairs += _key_pairs(vocabulary, [record.label, *record.spellings])
        writer.statement(vocabulary(OSG[term]), pairs)


def _areas(resolution: Resolution) -> set[str]:
    """The keys of the values of country columns that stand for no single country."""
    return {key for key, record in resolution.countries.items() if record.area is not None}


class _ContributionWriter:
    """Writes the statement of one contribution."""

    def __init__(
        self, writer: TurtleWriter, vocabulary: _Vocabulary, areas: set[str], nodes: Nodes
    ) -> None:
        self._writer, self._areas, self._nodes = writer, areas, nodes
        self._contribution_class, self._of_project, self._of_institution = (
            vocabulary(OSG.Contribution),
            vocabulary(OSG.project),
            vocabulary(OSG.institution),
        )
        self._in_country, self._in_area = vocabulary(OSG.inCountry), vocabulary(OSG.inArea)
        self._alignment = vocabulary(OSG.alignment)
        self._derived_from = vocabulary(PROV.wasDerivedFrom)
        self._methods = {method: vocabulary(OSG[method.value]) for method in AlignmentMethod}
        self._order = list(AlignmentMethod)
        self._vocabulary = vocabulary

    def __call__(
        self, contribution: ContributionKey, node: str, project: str, record: ContributionRecord
    ) -> None:
        nodes, alignment = self._nodes, self._alignment
        pairs = [
            ("a", self._contribution_class),
            (self._of_project, project),
            (self._of_institution, nodes.institution(contribution.institution)),
            (self._in_area, self._vocabulary(OSG[contribution.country]))
            if contribution.country in self._areas
            else (self._in_country, nodes.country(contribution.country)),
        ]
        methods, order = self._methods, self._order
        pairs += [
            (alignment, methods[method]) for method in sorted(record.methods, key=order.index)
        ]
        pairs += [(self._derived_from, nodes.row(origin)) for origin in record.origins]
        self._writer.statement(node, pairs)


def _key_pairs(vocabulary: _Vocabulary, names: list[str]) -> list[tuple[str, str]]:
    """The keys of an entity's names (``osg:nameKey``), which let a query find the entity by
    any spelling with an exact match rather than by comparing a lowercased name with every
    label in the graph."""
    name_key_property = vocabulary(OSG.nameKey)
    return [(name_key_property, literal(key)) for key in sorted({name_key(n) for n in names})]


def _named_pairs(vocabulary: _Vocabulary, entity: Named) -> list[tuple[str, str]]:
    pairs = [(vocabulary(RDFS.label), literal(entity.label))]
    pairs += [
        (vocabulary(SKOS.altLabel), literal(spelling))
        for spelling in sorted(entity.spellings)
        if spelling != entity.label
    ]
    pairs += [(vocabulary(OSG.homepage), iri(homepage)) for homepage in sorted(entity.homepages)]
    return pairs


def _project_fact_pairs(vocabulary: _Vocabulary, facts: ProjectFacts) -> list[tuple[str, str]]:
    """What the gazetteer knows of a project: repositories, homepage, Wikidata, domain."""
    pairs = [(vocabulary(OSG.repository), iri(repository)) for repository in facts.repositories]
    if facts.homepage:
        pairs.append((vocabulary(OSG.homepage), iri(facts.homepage)))
    if facts.wikidata:
        pairs.append((vocabulary(SKOS.exactMatch), vocabulary(WIKIDATA_ENTITY[facts.wikidata])))
    if facts.domain:
        pairs.append((vocabulary(OSG.domain), vocabulary(domains()[facts.domain])))
    pairs += [
        (vocabulary(DCTERMS.source), iri(source)) for source in sorted(set(facts.sources.values()))
    ]
    return pairs


def _write_domains(writer: TurtleWriter, vocabulary: _Vocabulary, used: set[str]) -> None:
    """The concepts of the domain scheme that projects use, with their labels."""
    scheme = vocabulary(DOMAIN_SCHEME)
    labels = domain_labels()
    for name in sorted(used):
        concept = domains()[name]
        pairs = [("a", vocabulary(SKOS.Concept)), (vocabulary(SKOS.inScheme), scheme)]
        pairs += [
            (vocabulary(SKOS.prefLabel), literal(str(label), language=label.language))
            for label in labels[concept]
        ]
        writer.statement(vocabulary(concept), pairs)
    if used:
        writer.statement(scheme, [("a", vocabulary(SKOS.ConceptScheme))])


def _organisation_pairs(
    vocabulary: _Vocabulary, facts: InstitutionFacts, gazetteer: Gazetteer, nodes: Nodes
) -> list[tuple[str, str]]:
    """What the gazetteer knows of an organisation: kind, country, identifiers, parent."""
    kind = INSTITUTION_KINDS[facts.kind] if facts.kind else ORG.Organization
    pairs = [("a", vocabulary(kind))]
    pairs += [(vocabulary(SKOS.altLabel), literal(alias)) for alias in facts.aliases]
    if facts.homepage:
        pairs.append((vocabulary(OSG.homepage), iri(facts.homepage)))
    if facts.country:
        pairs.append((vocabulary(OSG.basedIn), nodes.country(facts.country)))
    if facts.wikidata:
        pairs.append((vocabulary(SKOS.exactMatch), vocabulary(WIKIDATA_ENTITY[facts.wikidata])))
    if facts.ror:
        pairs.append((vocabulary(OSG.ror), vocabulary(ROR[facts.ror])))
    if facts.parent:
        parent = gazetteer.institution(facts.parent)
        assert parent is not None, facts.parent  # the gazetteer checks parents when it loads
        pairs.append(
            (
                vocabulary(ORG.subOrganizationOf),
                nodes.institution(name_key(parent.name)),
            )
        )
    pairs += [
        (vocabulary(DCTERMS.source), iri(source)) for source in sorted(set(facts.sources.values()))
    ]
    return pairs


def _types_first(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs with every ``a`` first, so that the types share one ``a`` and an alias that
    is also a spelling is written once."""
    types = [pair for pair in pairs if pair[0] == "a"]
    rest = [pair for pair in pairs if pair[0] != "a"]
    return list(dict.fromkeys(types + sorted(rest)))


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


def _write_list(
    writer: TurtleWriter, vocabulary: _Vocabulary, info: ListInfo, nodes: Nodes
) -> None:
    pairs = [
        ("a", vocabulary(OSG.ListEdition)),
        (vocabulary(DCTERMS.identifier), literal(info.id)),
        (vocabulary(OSG.fileName), literal(info.file_name)),
    ]
    title = vocabulary(DCTERMS.title)
    pairs += [(title, literal(text, language=language)) for language, text in info.title.items()]
    if not info.title:
        pairs.append((title, literal(info.id)))
    if info.period:
        pairs.append((vocabulary(OSG.period), literal(info.period)))
    if info.issued:
        pairs.append(
            (vocabulary(DCTERMS.issued), literal(info.issued.isoformat(), datatype="xsd:date"))
        )
    if info.landing_page:
        pairs.append((vocabulary(DCAT.landingPage), iri(info.landing_page)))
    if info.report:
        pairs.append((vocabulary(DCTERMS.source), iri(info.report)))
    if info.language:
        pairs.append(
            (vocabulary(DCTERMS.language), literal(info.language, datatype="xsd:language"))
        )
    if info.series_id:
        series = nodes.series(info.series_id)
        pairs.append((vocabulary(DCAT3_IN_SERIES), series))
        series_pairs = [
            ("a", vocabulary(OSG.ListSeries)),
            (vocabulary(DCTERMS.title), literal(info.series_title or info.series_id)),
        ]
        if info.publisher:
            publisher = nodes.agent(name_key(info.publisher))
            series_pairs.append((vocabulary(DCTERMS.publisher), publisher))
            writer.statement(
                publisher,
                [
                    ("a", vocabulary(PROV.Organization)),
                    (vocabulary(RDFS.label), literal(info.publisher)),
                ],
            )
        writer.statement(series, series_pairs)
    writer.statement(nodes.edition(info.id), pairs)
