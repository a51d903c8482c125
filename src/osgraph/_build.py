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

import gc
import io
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, XSD

from osgraph import _resources
from osgraph._countries import Country
from osgraph._errors import ConfigurationError, ValidationError
from osgraph._gazetteer import (
    GAZETTEER,
    ROR_SOURCE,
    Gazetteer,
    domains,
    load_gazetteer,
)
from osgraph._gazetteer_file import InstitutionFacts, ProjectFacts
from osgraph._iri import IriScheme, slug
from osgraph._names import name_key
from osgraph._resolve import AlignmentMethod, Named, Notice, Resolution, resolve
from osgraph._sources import bundled_list, read_source
from osgraph._sources.columns import TableShape
from osgraph._sources.entries import ListInfo, Origin, Source
from osgraph._turtle import TurtleWriter, integer, iri, literal, prefixed
from osgraph._vocabulary import DCAT3_IN_SERIES, DEFAULT_BASE, OSG, ROR, SCHEMA, WIKIDATA_ENTITY

_ALIGNMENT_TERMS = {
    AlignmentMethod.BY_POSITION: OSG.ByPosition,
    AlignmentMethod.ONE_COUNTRY_FOR_ALL: OSG.OneCountryForAll,
    AlignmentMethod.ONE_INSTITUTION_PER_COUNTRY: OSG.OneInstitutionPerCountry,
    AlignmentMethod.BY_GAZETTEER: OSG.ByGazetteer,
    AlignmentMethod.BY_OTHER_ROWS: OSG.ByOtherRows,
    AlignmentMethod.UNALIGNED: OSG.Unaligned,
}
_ALIGNMENT_ORDER = list(_ALIGNMENT_TERMS)
_PROGRESS_EVERY = 1 << 14  # rows between two reports of progress

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
    "wd": WIKIDATA_ENTITY,
    "ror": ROR,
}
"""The prefixes bound in every graph osgraph builds (the base IRI adds one per kind of thing)."""

DOMAIN_SCHEME = URIRef("https://w3id.org/osgraph/domains")


@dataclass(frozen=True, slots=True)
class Summary:
    """What a build read and made, and everything the user should know about the input.

    ``seconds`` is the wall time of each stage that ran (``read``, ``resolve``, ``write``,
    ``validate``), in order. ``institution_sources`` says how many institutions were resolved
    by the gazetteer (``"gazetteer"``), by ROR (``"ROR"``), and by neither (``""``).
    """

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
    seconds: tuple[tuple[str, float], ...] = ()
    institution_sources: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class BuildResult:
    """A built knowledge graph and the summary of its build."""

    graph: Graph
    summary: Summary


Progress = Callable[[str, int, int], None]
"""Told ``(stage, done, total)`` as a build goes: ``read`` counts the bytes of the files read,
``resolve`` says when it begins (0 of 1) and ends (1 of 1), ``write`` counts rows written,
``validate`` only says it began (0 of 0)."""


def build(
    sources: Sequence[Path | str] | None = None,
    *,
    base: str = DEFAULT_BASE,
    gazetteer: Gazetteer | Path | str | None = None,
    projects: Path | str | None = None,
    replace_gazetteer: bool = False,
    validate: bool = True,
    encoding: str | None = None,
    lenient: bool = False,
    shape: TableShape | None = None,
) -> BuildResult:
    """Read lists, resolve them and build their knowledge graph, in memory.

    Parameters
    ----------
    sources
        Markdown or CSV lists. Default: the bundled BenchCouncil Open100 2022-2023 list.
    base
        The base IRI under which the graph's IRIs are minted; it must end with ``/`` or ``#``
        (or ``:`` for a URN).
    gazetteer
        What is known of institutions: a loaded gazetteer, or the path of a file in the form of
        ``data/institutions.toml`` whose entries are added to the bundled ones (an entry for a
        name the bundled gazetteer knows replaces its entry). Default: the bundled gazetteer.
        Names no entry has are then looked up in ROR (see :mod:`osgraph._ror`).
    projects
        What is known of projects: the path of a file in the form of ``data/projects.toml``.
        Default: the bundled one.
    replace_gazetteer
        Use the ``gazetteer`` file's entries instead of the bundled ones.
    validate
        Check the graph against ``ontology/shapes.ttl`` (SHACL) before returning it.
    encoding
        The sources' encoding (default: UTF-8), such as ``gb18030``.
    lenient
        Leave out the rows that cannot be read or resolved, and list them with their reasons
        (``Summary.rows_rejected`` and the notices), instead of stopping at the first.
    shape
        The columns, separator and delimiter of the sources' tables, over what their sidecars
        say (see :class:`osgraph._sources.columns.TableShape`).

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

    See Also
    --------
    build_file : the same build, streamed to a Turtle file, for lists of any size.

    Examples
    --------
    >>> result = build()
    >>> result.summary.rows_read, result.summary.projects
    (102, 101)
    """
    read = _read_sources(sources, base, encoding, lenient, None, shape)
    if not isinstance(gazetteer, Gazetteer):
        gazetteer = load_gazetteer(gazetteer, projects, replace=replace_gazetteer)
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
    text = io.StringIO()
    writer = TurtleWriter(text, prefixes(base))
    write_statements(resolution, iris, writer)
    graph = new_graph(base)
    graph.parse(data=text.getvalue(), format="turtle")
    notices = list(resolution.notices)
    if validate:
        notices += _validate(graph, base)
    return BuildResult(graph, _summary(resolution, len(graph), notices, ()))


def build_file(
    sources: Sequence[Path | str] | None,
    out: Path | str,
    *,
    base: str = DEFAULT_BASE,
    gazetteer: Gazetteer | Path | str | None = None,
    projects: Path | str | None = None,
    replace_gazetteer: bool = False,
    validate: bool = True,
    encoding: str | None = None,
    lenient: bool = False,
    progress: Progress | None = None,
    shape: TableShape | None = None,
) -> Summary:
    """Read lists, resolve them and write their knowledge graph to ``out`` as Turtle.

    The graph is written as it is made, never held whole in memory, so this is the build for
    large lists; the parameters and errors are those of :func:`build`. ``out`` is replaced
    atomically, and only by a graph that passed validation (when ``validate``). ``progress``
    is told how far each stage has gone (see :data:`Progress`).

    Raises
    ------
    OsgraphError
        As :func:`build`, and when ``out`` cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     summary = build_file(None, f"{folder}/osgraph.ttl")
    >>> summary.rows_read, summary.projects, [stage for stage, _ in summary.seconds]
    (102, 101, ['read', 'resolve', 'write', 'validate'])
    """
    with _without_cycle_collection():
        return _build_file(
            sources,
            Path(out),
            base,
            gazetteer,
            projects,
            replace_gazetteer,
            validate,
            encoding,
            lenient,
            progress,
            shape,
        )


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Turn Python's cycle collector off for the block, and back on as it was after.

    A build makes millions of small objects that live until it ends and hold no cycles: the
    collector would walk them all again and again (a quarter of the build's time at 100,000
    rows) to free nothing. Reference counting still frees everything else as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build_file(
    sources: Sequence[Path | str] | None,
    out: Path,
    base: str,
    gazetteer: Gazetteer | Path | str | None,
    projects: Path | str | None,
    replace_gazetteer: bool,
    validate: bool,
    encoding: str | None,
    lenient: bool,
    progress: Progress | None,
    shape: TableShape | None,
) -> Summary:
    from osgraph._atomic import replace_atomically

    clock = _StageClock()
    read = _read_sources(sources, base, encoding, lenient, progress, shape)
    if not isinstance(gazetteer, Gazetteer):
        gazetteer = load_gazetteer(gazetteer, projects, replace=replace_gazetteer)
    clock.lap("read")
    if progress:
        progress("resolve", 0, 1)
    resolution = resolve(read, gazetteer, lenient=lenient)
    if progress:
        progress("resolve", 1, 1)
    del read  # the resolution holds every entry; the sources' tuples would double them
    clock.lap("resolve")
    notices = list(resolution.notices)
    with replace_atomically(out) as file:
        writer = TurtleWriter(file, prefixes(base))
        write_statements(resolution, IriScheme(base), writer, progress)
        file.flush()
        clock.lap("write")
        if validate:
            if progress:
                progress("validate", 0, 0)
            graph = new_graph(base)
            graph.parse(file.name, format="turtle")
            notices += _validate(graph, base)
            del graph
            clock.lap("validate")
    return _summary(resolution, writer.triples, notices, clock.laps)


def prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """The prefixes of a graph built under ``base``: osgraph's, and one per kind of thing."""
    bound = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    return bound | IriScheme(base).namespaces


def new_graph(base: str = DEFAULT_BASE) -> Graph:
    """Return an empty graph with osgraph's prefixes bound, those of ``base`` included."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in prefixes(base).items():
        graph.bind(prefix, namespace)
    return graph


class _StageClock:
    def __init__(self) -> None:
        self.laps: list[tuple[str, float]] = []
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps.append((stage, now - self._last))
        self._last = now


def _read_sources(
    sources: Sequence[Path | str] | None,
    base: str,
    encoding: str | None,
    lenient: bool,
    progress: Progress | None,
    shape: TableShape | None,
) -> list[Source]:
    paths = [bundled_list()] if not sources else [Path(source) for source in sources]
    IriScheme(base)  # refuse a bad base before reading anything
    sizes = [path.stat().st_size if path.is_file() else 0 for path in paths]
    read = []
    for number, path in enumerate(paths):
        if progress:
            progress("read", sum(sizes[:number]), sum(sizes))
        read.append(read_source(path, encoding=encoding, lenient=lenient, shape=shape))
    if progress:
        progress("read", sum(sizes), sum(sizes))
    _check_distinct_list_ids([source.info for source in read], paths)
    return read


def _validate(graph: Graph, base: str) -> list[Notice]:
    """The warnings of the shapes; raises :class:`ValidationError` on a violation."""
    from osgraph._validate import validate_graph

    report = validate_graph(graph, base)
    if not report.conforms:
        raise ValidationError(report)
    return [Notice("shape-warning", str(warning), ()) for warning in report.warnings]


def _summary(
    resolution: Resolution,
    triples: int,
    notices: list[Notice],
    seconds: Sequence[tuple[str, float]],
) -> Summary:
    return Summary(
        rows_read=len(resolution.entries) + len(resolution.rejected),
        rows_rejected=len(resolution.rejected),
        lists=tuple(info.id for info in resolution.lists),
        projects=len(resolution.projects),
        institutions=len(resolution.institutions),
        countries=len(resolution.countries),
        contributions=len(resolution.contributions),
        unaligned_rows=len(resolution.unaligned),
        triples=triples,
        notices=tuple(notices),
        seconds=tuple(seconds),
        institution_sources=_institution_sources(resolution),
    )


def _institution_sources(resolution: Resolution) -> tuple[tuple[str, int], ...]:
    """How many institutions the gazetteer resolved, how many ROR, and how many neither."""
    counts = dict.fromkeys((GAZETTEER, ROR_SOURCE, ""), 0)
    for record in resolution.institutions.values():
        spelling = record.spellings[0] if record.spellings else record.label
        counts[resolution.gazetteer.match_institution(spelling).source] += 1
    return tuple(counts.items())


def write_statements(
    resolution: Resolution,
    iris: IriScheme,
    writer: TurtleWriter,
    progress: Progress | None = None,
) -> None:
    """Write the knowledge graph of a resolution, one statement per subject.

    ``progress`` is told the rows written so far, of all rows, as the rows are written, then
    that all are when the rest is.
    """
    vocabulary = _Vocabulary()
    nodes = _Nodes(iris)
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
            progress("write", number, total)
    _write_projects(writer, vocabulary, resolution, nodes)
    _write_institutions(writer, vocabulary, resolution, nodes)
    _write_countries(writer, vocabulary, resolution, nodes)
    _write_contributions(writer, vocabulary, resolution, nodes)
    if progress:
        progress("write", total, total)


class _Nodes:
    """The Turtle terms of the graph's nodes; those that recur are made once.

    Projects, institutions and countries keep their slug beside their term: a contribution's
    term is made of the three slugs, millions of times in a large list.
    """

    def __init__(self, iris: IriScheme) -> None:
        self._iris = iris
        self._namespaces = iris.namespaces
        self._institutions: dict[str, tuple[str, str]] = {}
        self._countries: dict[str, tuple[str, str]] = {}
        self._editions: dict[str, str] = {}
        self._rows: dict[str, tuple[str, str]] = {}
        self._last_project = ("", "", "")

    def project(self, key: str) -> str:
        return self._project(key)[1]

    def _project(self, key: str) -> tuple[str, str]:
        # Contributions come grouped by project: the last one made is most often the next.
        last_key, last_slug, last_term = self._last_project
        if last_key != key:
            last_slug = slug(key)
            last_term = prefixed("project", self._namespaces["project"], last_slug)
            self._last_project = (key, last_slug, last_term)
        return last_slug, last_term

    def institution(self, key: str) -> str:
        return self._slug_and_term(self._institutions, "institution", key)[1]

    def country(self, code: str) -> str:
        return self._slug_and_term(self._countries, "country", code)[1]

    def _slug_and_term(
        self, made: dict[str, tuple[str, str]], kind: str, key: str
    ) -> tuple[str, str]:
        found = made.get(key)
        if found is None:
            key_slug = slug(key)
            found = made[key] = (key_slug, prefixed(kind, self._namespaces[kind], key_slug))
        return found

    def edition(self, list_id: str) -> str:
        term = self._editions.get(list_id)
        if term is None:
            term = self._editions[list_id] = self._iris.turtle(self._iris.edition(list_id))
        return term

    def row(self, origin: Origin) -> str:
        around = self._rows.get(origin.list_id)
        if around is None:
            # The term of line 0, split around its number: the same for every line.
            head, _, tail = self._iris.turtle(self._iris.row(origin.list_id, 0)).rpartition("0")
            around = self._rows[origin.list_id] = (head, tail)
        return f"{around[0]}{origin.line}{around[1]}"

    def contribution(self, project: str, institution: str, country: str) -> str:
        """The term of :meth:`IriScheme.contribution`, from the slugs already made."""
        local = (
            f"{self._project(project)[0]}/"
            f"{self._slug_and_term(self._institutions, 'institution', institution)[0]}/"
            f"{self._slug_and_term(self._countries, 'country', country)[0]}"
        )
        return prefixed("contribution", self._namespaces["contribution"], local)

    def series(self, series_id: str) -> str:
        return self._iris.turtle(self._iris.series(series_id))

    def agent(self, key: str) -> str:
        return self._iris.turtle(self._iris.agent(key))


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
    writer: TurtleWriter, vocabulary: _Vocabulary, resolution: Resolution, nodes: _Nodes
) -> None:
    project_class, derived_from, listed_in, developed_by, country = (
        vocabulary(OSG.Project),
        vocabulary(PROV.wasDerivedFrom),
        vocabulary(OSG.listedIn),
        vocabulary(OSG.developedBy),
        vocabulary(OSG.country),
    )
    area = vocabulary(OSG.area)
    areas = _areas(resolution)
    used_domains: set[str] = set()
    for key, project in resolution.projects.items():
        pairs = [("a", project_class), *_named_pairs(vocabulary, project)]
        pairs += [(derived_from, nodes.row(origin)) for origin in project.origins]
        pairs += [
            (listed_in, nodes.edition(list_id))
            for list_id in dict.fromkeys(origin.list_id for origin in project.origins)
        ]
        pairs += [
            (developed_by, nodes.institution(institution))
            for institution in sorted(project.institutions)
        ]
        pairs += [
            (area, vocabulary(OSG[code])) if code in areas else (country, nodes.country(code))
            for code in sorted(project.countries)
        ]
        facts = resolution.gazetteer.project(project.label)
        if facts:
            pairs += _project_fact_pairs(vocabulary, facts)
            if facts.domain:
                used_domains.add(facts.domain)
        writer.statement(nodes.project(key), pairs)
    _write_domains(writer, vocabulary, used_domains)


def _write_institutions(
    writer: TurtleWriter, vocabulary: _Vocabulary, resolution: Resolution, nodes: _Nodes
) -> None:
    institution_class = vocabulary(OSG.Institution)
    for key, institution in resolution.institutions.items():
        pairs = [("a", institution_class), *_named_pairs(vocabulary, institution)]
        if institution.facts:
            pairs += _organisation_pairs(vocabulary, institution.facts, resolution.gazetteer, nodes)
        writer.statement(nodes.institution(key), _types_first(pairs))
    for parent in _ancestors(resolution):
        pairs = [(vocabulary(RDFS.label), literal(parent.name))]
        pairs += _organisation_pairs(vocabulary, parent, resolution.gazetteer, nodes)
        writer.statement(nodes.institution(name_key(parent.name)), _types_first(pairs))


def _write_countries(
    writer: TurtleWriter, vocabulary: _Vocabulary, resolution: Resolution, nodes: _Nodes
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
        writer.statement(vocabulary(OSG[term]), pairs)


def _areas(resolution: Resolution) -> set[str]:
    """The keys of the values of country columns that stand for no single country."""
    return {key for key, record in resolution.countries.items() if record.area is not None}


def _write_contributions(
    writer: TurtleWriter, vocabulary: _Vocabulary, resolution: Resolution, nodes: _Nodes
) -> None:
    contribution_class, has_contribution, of_project, of_institution, in_country = (
        vocabulary(OSG.Contribution),
        vocabulary(OSG.contribution),
        vocabulary(OSG.project),
        vocabulary(OSG.institution),
        vocabulary(OSG.inCountry),
    )
    alignment, derived_from = vocabulary(OSG.alignment), vocabulary(PROV.wasDerivedFrom)
    methods = {method: vocabulary(term) for method, term in _ALIGNMENT_TERMS.items()}
    in_area, areas = vocabulary(OSG.inArea), _areas(resolution)
    for contribution, record in resolution.contributions.items():
        node = nodes.contribution(
            contribution.project, contribution.institution, contribution.country
        )
        project = nodes.project(contribution.project)
        writer.statement(project, [(has_contribution, node)])
        pairs = [
            ("a", contribution_class),
            (of_project, project),
            (of_institution, nodes.institution(contribution.institution)),
            (in_area, vocabulary(OSG[contribution.country]))
            if contribution.country in areas
            else (in_country, nodes.country(contribution.country)),
        ]
        pairs += [
            (alignment, methods[method])
            for method in sorted(record.methods, key=_ALIGNMENT_ORDER.index)
        ]
        pairs += [(derived_from, nodes.row(origin)) for origin in record.origins]
        writer.statement(node, pairs)


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
    labels = _domain_labels()
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


@cache
def _domain_labels() -> dict[URIRef, list[Literal]]:
    text = _resources.text("ontology", "domains.ttl")
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


def _organisation_pairs(
    vocabulary: _Vocabulary, facts: InstitutionFacts, gazetteer: Gazetteer, nodes: _Nodes
) -> list[tuple[str, str]]:
    """What the gazetteer knows of an organisation: kind, country, identifiers, parent."""
    kind = _KIND_CLASSES[facts.kind] if facts.kind else ORG.Organization
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
    writer: TurtleWriter, vocabulary: _Vocabulary, info: ListInfo, nodes: _Nodes
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


def _check_distinct_list_ids(infos: Sequence[ListInfo], paths: Sequence[Path]) -> None:
    seen: dict[str, Path] = {}
    for info, path in zip(infos, paths, strict=True):
        if info.id in seen:
            raise ConfigurationError(
                f"{seen[info.id]} and {path} are both the list {info.id!r}; give one of them a "
                "sidecar .toml with another [list] id"
            )
        seen[info.id] = path
