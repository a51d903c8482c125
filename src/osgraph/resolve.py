"""Resolve entries into entities and contributions.

Names that differ only in case, Unicode form or white space are one entity (:func:`name_key`).
A project listed in several rows is one project that remembers every row. Each row's institutions
are paired with its countries by :func:`align_contributions`; a row whose lists do not line up is
kept (its project still records the institutions and countries the row states) and reported,
never guessed.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from osgraph.sources import Entry, ListInfo, Mention, Origin, Source


class AlignmentMethod(Enum):
    """How a row's institutions were paired with its countries."""

    BY_POSITION = "by position"
    ONE_COUNTRY_FOR_ALL = "one country for all"
    ONE_INSTITUTION_PER_COUNTRY = "one institution in every country"
    UNALIGNED = "unaligned"


@dataclass(frozen=True, slots=True)
class Alignment:
    """The (institution, country) pairs of one row, and how they were found."""

    method: AlignmentMethod
    pairs: tuple[tuple[Mention, str], ...]


@dataclass(slots=True)
class Named:
    """A project, institution or country: its identity key, the label it is shown by, its
    homepages, and every spelling the sources used for it."""

    key: str
    label: str
    homepages: set[str] = field(default_factory=set)
    spellings: set[str] = field(default_factory=set)


@dataclass(slots=True)
class ProjectRecord(Named):
    """A project with the rows that list it, and what those rows state."""

    origins: list[Origin] = field(default_factory=list)
    institutions: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class ContributionKey:
    """A contribution's identity: the keys of its project, institution and country."""

    project: str
    institution: str
    country: str


@dataclass(slots=True)
class ContributionRecord:
    """A contribution with every row it was read from, and how each row aligned it."""

    methods: set[AlignmentMethod] = field(default_factory=set)
    origins: list[Origin] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should know about the input: what, and where."""

    kind: str
    message: str
    origins: tuple[Origin, ...]

    def __str__(self) -> str:
        return f"{_where(self.origins)}: {self.message}" if self.origins else self.message


@dataclass(slots=True)
class Resolution:
    """Everything the sources say, resolved into entities, ready to become a graph."""

    lists: list[ListInfo] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    projects: dict[str, ProjectRecord] = field(default_factory=dict)
    institutions: dict[str, Named] = field(default_factory=dict)
    countries: dict[str, Named] = field(default_factory=dict)
    contributions: dict[ContributionKey, ContributionRecord] = field(default_factory=dict)
    unaligned: list[Entry] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


def name_key(name: str) -> str:
    """Return the identity of a name: two names with the same key are the same thing.

    Case, Unicode compatibility forms and runs of white space do not make names different.

    Examples
    --------
    >>> name_key("Beijing Academy of Artificial   Intelligence (BAAI)")
    'beijing academy of artificial intelligence (baai)'
    >>> name_key("Zhipu.AI") == name_key("ZHIPU.AI ")
    True
    """
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def align_contributions(entry: Entry) -> Alignment:
    """Pair the institutions of a row with its countries.

    - as many countries as institutions: by position;
    - one country: every institution gets it;
    - one institution and several countries: one pair per country;
    - anything else cannot be paired without more knowledge: no pairs, ``UNALIGNED``.

    Examples
    --------
    >>> from osgraph.sources import Origin
    >>> def row(institutions, countries):
    ...     mentions = tuple(Mention(name) for name in institutions)
    ...     return Entry(Mention("P"), mentions, tuple(countries), Origin("l", "f", 1, ""))
    >>> alignment = align_contributions(row(["Google"], ["Switzerland", "UK"]))
    >>> alignment.method.value, [(i.name, c) for i, c in alignment.pairs]
    ('one institution in every country', [('Google', 'Switzerland'), ('Google', 'UK')])
    >>> align_contributions(row(["A", "B", "C"], ["USA", "China"])).method.value
    'unaligned'
    """
    institutions, countries = entry.institutions, entry.countries
    if len(institutions) == len(countries):
        return Alignment(
            AlignmentMethod.BY_POSITION, tuple(zip(institutions, countries, strict=True))
        )
    if len(countries) == 1:
        return Alignment(
            AlignmentMethod.ONE_COUNTRY_FOR_ALL, tuple((i, countries[0]) for i in institutions)
        )
    if len(institutions) == 1:
        return Alignment(
            AlignmentMethod.ONE_INSTITUTION_PER_COUNTRY,
            tuple((institutions[0], c) for c in countries),
        )
    return Alignment(AlignmentMethod.UNALIGNED, ())


def resolve(sources: Iterable[Source]) -> Resolution:
    """Resolve the entries of every source into projects, institutions, countries and
    contributions, with a notice for every row that was merged or left unaligned."""
    resolution = Resolution()
    rows_by_project: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for source in sources:
        resolution.lists.append(source.info)
        if source.ignored_columns:
            resolution.notices.append(
                Notice(
                    "ignored-columns",
                    f"{source.entries[0].origin.file}: columns ignored (osgraph does not know "
                    f"them): {', '.join(source.ignored_columns)}",
                    (),
                )
            )
        for entry in source.entries:
            resolution.entries.append(entry)
            rows_by_project[source.info.id, name_key(entry.project.name)].append(entry)
            _add_entry(resolution, entry)
    resolution.notices.extend(_repeated_rows(rows_by_project))
    return resolution


def _add_entry(resolution: Resolution, entry: Entry) -> None:
    project_key = name_key(entry.project.name)
    project = resolution.projects.get(project_key)
    if project is None:
        project = resolution.projects[project_key] = ProjectRecord(project_key, entry.project.name)
    _remember(project, entry.project)
    project.origins.append(entry.origin)
    for institution in entry.institutions:
        project.institutions.add(_named(resolution.institutions, institution).key)
    for country in entry.countries:
        project.countries.add(_named(resolution.countries, Mention(country)).key)

    alignment = align_contributions(entry)
    if alignment.method is AlignmentMethod.UNALIGNED:
        resolution.unaligned.append(entry)
        resolution.notices.append(
            Notice(
                "unaligned",
                f"{entry.project.name}: {len(entry.institutions)} institutions and "
                f"{len(entry.countries)} countries do not line up; the row makes no "
                "contribution (its project keeps both lists)",
                (entry.origin,),
            )
        )
    for institution, country in alignment.pairs:
        key = ContributionKey(project_key, name_key(institution.name), name_key(country))
        record = resolution.contributions.setdefault(key, ContributionRecord())
        record.methods.add(alignment.method)
        if entry.origin not in record.origins:
            record.origins.append(entry.origin)


def _named(entities: dict[str, Named], mention: Mention) -> Named:
    key = name_key(mention.name)
    entity = entities.get(key)
    if entity is None:
        entity = entities[key] = Named(key, mention.name)
    _remember(entity, mention)
    return entity


def _remember(entity: Named, mention: Mention) -> None:
    entity.spellings.add(mention.name)
    if mention.homepage:
        entity.homepages.add(mention.homepage)


def _repeated_rows(rows_by_project: dict[tuple[str, str], list[Entry]]) -> list[Notice]:
    """A notice for each project that one list names in more than one row."""
    notices = []
    for rows in rows_by_project.values():
        if len(rows) < 2:
            continue
        stated = {
            (tuple(name_key(i.name) for i in row.institutions), tuple(map(name_key, row.countries)))
            for row in rows
        }
        name = rows[0].project.name
        if len(stated) == 1:
            notices.append(
                Notice(
                    "duplicate-row",
                    f"{name} is listed {len(rows)} times with the same facts; merged into one "
                    "project that keeps every row",
                    tuple(row.origin for row in rows),
                )
            )
        else:
            notices.append(
                Notice(
                    "conflicting-rows",
                    f"{name} is listed {len(rows)} times with different facts; every row's facts "
                    "are kept on the one project",
                    tuple(row.origin for row in rows),
                )
            )
    return notices


def _where(origins: tuple[Origin, ...]) -> str:
    by_file: dict[str, list[str]] = defaultdict(list)
    for origin in origins:
        by_file[origin.file].append(str(origin.line))
    return "; ".join(f"{file}:{','.join(lines)}" for file, lines in by_file.items())
