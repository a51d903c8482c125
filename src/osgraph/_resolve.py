"""Resolve entries into entities and contributions, against the gazetteer.

- A country name resolves to its ISO 3166-1 country in any language or style (``USA``,
  ``United States`` and ``美国`` are one, see :mod:`osgraph._countries`); a value that stands
  for no single country ("Multinational") resolves to its area, kept as such and reported; a
  name that resolves to neither is an error naming the file, line and cell, with close matches.
- An institution name resolves to its gazetteer entry through the entry's name or aliases; a
  name the gazetteer does not know is still an institution, without identifiers, and reported.
- A project listed in several rows is one project that remembers every row.
- Each row's institutions are paired with its countries: first by the shape of the row
  (:func:`osgraph._align.align_contributions`); when the shape does not tell, by each
  institution's own country in the gazetteer, then by the countries the same institution has
  in other rows (:func:`osgraph._align.align_by_knowledge`). An institution that none of these
  places is reported, never guessed, and its project still records the institutions and
  countries the row states.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

from osgraph import _notices
from osgraph._align import (
    Alignment,
    AlignmentMethod,
    align_by_knowledge,
    align_contributions,
    match_institutions,
)
from osgraph._countries import Area, Country
from osgraph._errors import ErrorPolicy, SourceError
from osgraph._gazetteer import Gazetteer, load_gazetteer
from osgraph._gazetteer_file import InstitutionFacts
from osgraph._names import name_key
from osgraph._notices import Notice, NoticeKind
from osgraph._sources.entries import Entry, ListInfo, Mention, Origin, Rejection, Source

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


@dataclass(slots=True)
class Named:
    """A project, institution or country: its identity key, the label it is shown by, its
    homepages, and every spelling the sources used for it (each once, in the order read).

    Tuples rather than sets, here and in the records below: a tuple of one or two costs a
    fifth of a set's memory (none when empty), and a million-row list makes a million records.
    """

    key: str
    label: str
    homepages: tuple[str, ...] = ()
    spellings: tuple[str, ...] = ()


@dataclass(slots=True)
class InstitutionRecord(Named):
    """An institution, with its gazetteer entry when the gazetteer knows it."""

    facts: InstitutionFacts | None = None


@dataclass(slots=True)
class CountryRecord(Named):
    """A country, resolved to ISO 3166-1, or an area that stands for no single country (its
    key is then the area's term, such as ``Multinational``)."""

    country: Country | None = None
    area: Area | None = None


@dataclass(slots=True)
class ProjectRecord(Named):
    """A project with the rows that list it, and what those rows state."""

    origins: tuple[Origin, ...] = ()
    institutions: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()


class ContributionKey(NamedTuple):
    """A contribution's identity: the keys of its project, institution and country.

    A named tuple, where the other records are data classes: there is one for every
    contribution, and a tuple is made and hashed several times faster.
    """

    project: str
    institution: str
    country: str


@dataclass(frozen=True, slots=True)
class ContributionRecord:
    """A contribution with every row it was read from, and how each row aligned it.

    Never changed once made (another row makes a new record), so that the contributions one row
    makes the same way share one.
    """

    methods: tuple[AlignmentMethod, ...]
    origins: tuple[Origin, ...]


@dataclass(slots=True)
class Resolution:
    """Everything the sources say, resolved into entities, ready to become a graph."""

    gazetteer: Gazetteer
    lists: list[ListInfo] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    projects: dict[str, ProjectRecord] = field(default_factory=dict)
    institutions: dict[str, InstitutionRecord] = field(default_factory=dict)
    countries: dict[str, CountryRecord] = field(default_factory=dict)
    contributions: dict[ContributionKey, ContributionRecord] = field(default_factory=dict)
    unaligned: list[Entry] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


def resolve(
    sources: Iterable[Source],
    gazetteer: Gazetteer | None = None,
    *,
    policy: ErrorPolicy = ErrorPolicy.STRICT,
) -> Resolution:
    """Resolve the entries of every source into projects, institutions, countries and
    contributions, with a notice for every row that was merged, every institution the
    gazetteer does not know, and every institution that could not be placed in a country.

    ``policy`` decides two things (see :class:`osgraph.ErrorPolicy`): a row whose country does
    not resolve stops the resolution (``STRICT``) or is rejected, listed in
    ``Resolution.rejected`` with its reason (``LENIENT``); and a project one list names in rows
    with different institutions or countries stops it (``STRICT``) or keeps every row's facts
    and is flagged (``LENIENT``).

    Raises
    ------
    SourceError
        Under ``STRICT``: when a country name does not resolve (the message names the file,
        line and cell and offers the closest names), or when one list names a project in rows
        with different institutions or countries.
    """
    gazetteer = gazetteer or load_gazetteer()
    resolution = Resolution(gazetteer)
    recorder = _Recorder(resolution)
    unknown_country = _CountryCheck(gazetteer)
    for source in sources:
        resolution.lists.append(source.info)
        resolution.rejected.extend(source.rejected)
        # Lines that look like rows but are not rows of the list: said, never dropped silently.
        resolution.notices.extend(
            Notice(NoticeKind.PASSED_OVER, notice.reason, (notice.origin,))
            for notice in source.notices
        )
        if source.ignored_columns:
            resolution.notices.append(
                Notice(
                    NoticeKind.IGNORED_COLUMNS,
                    f"{source.info.file_name}: columns ignored (osgraph does not know them): "
                    f"{', '.join(source.ignored_columns)}",
                    (),
                )
            )
        for entry in source.entries:
            problem = unknown_country(entry)
            if problem is None:
                resolution.entries.append(entry)
            elif policy is ErrorPolicy.STRICT:
                raise problem
            else:  # the row is left out, and says why
                resolution.rejected.append(
                    Rejection(entry.origin, f"cell 'countries': {problem.message}")
                )
    match_institutions(resolution.entries, gazetteer)
    # The project of each entry, in the order of the entries: found once, by its key, here.
    projects = [recorder.add_entry(entry) for entry in resolution.entries]
    _align(resolution, recorder, projects)

    resolution.notices.extend(_notices.unknown_institutions(resolution))
    resolution.notices.extend(
        Notice(
            NoticeKind.GAZETTEER_OVERRIDE,
            f"the gazetteer entry {new!r} replaces the bundled entry {old!r}",
            (),
        )
        for new, old in gazetteer.overrides
    )
    resolution.notices.extend(_notices.areas(resolution))
    repeated = _repeated_rows(resolution, projects)
    del projects
    conflicting = [rows for rows, same_facts in repeated if not same_facts]
    if conflicting and policy is ErrorPolicy.STRICT:
        rows = conflicting[0]
        raise SourceError(
            rows[0].origin.file,
            f"{rows[0].project.name} is listed at lines "
            f"{', '.join(str(row.origin.line) for row in rows)} with different institutions or "
            "countries: correct the list, or build with --lenient to keep every row's facts",
            line=rows[0].origin.line,
            cell="institutions",
        )
    # Under LENIENT, every row's facts stay on the one project, and the notice says so.
    resolution.notices.extend(_notices.repeated_rows(rows, same) for rows, same in repeated)
    resolution.notices.extend(_notices.conflicting_lists(resolution))
    resolution.notices.extend(
        Notice(NoticeKind.REJECTED, rejection.reason, (rejection.origin,))
        for rejection in resolution.rejected
    )
    return resolution


def _align(resolution: Resolution, recorder: _Recorder, projects: list[ProjectRecord]) -> None:
    """Add the contributions of every entry (whose project is the one at the same place in
    ``projects``), and a notice for each row that is left unaligned.

    Rows whose shape tells how to pair them come first: what they say of an institution's
    country is what places the same institution in the rows whose shape does not tell.
    """
    undecided = []
    seen_in: dict[str, set[str]] = defaultdict(set)
    for entry, project in zip(resolution.entries, projects, strict=True):
        alignment = align_contributions(entry)
        if alignment.method is AlignmentMethod.UNALIGNED:
            undecided.append((entry, project))
            continue
        for institution_key, country_code in recorder.add_alignment(entry, project, alignment):
            seen_in[institution_key].add(country_code)
    for entry, project in undecided:
        alignments, unplaced = align_by_knowledge(entry, resolution.gazetteer, seen_in)
        for alignment in alignments:
            recorder.add_alignment(entry, project, alignment)
        if unplaced:
            resolution.unaligned.append(entry)
            names = ", ".join(institution.name for institution in unplaced)
            resolution.notices.append(
                Notice(
                    NoticeKind.UNALIGNED,
                    f"{entry.project.name}: {len(entry.institutions)} institutions and "
                    f"{len(entry.countries)} countries do not line up, and neither the "
                    f"gazetteer nor other rows place {names} in one of them; no contribution "
                    "was made for them (the project keeps every institution and country)",
                    (entry.origin,),
                )
            )


def _repeated_rows(
    resolution: Resolution, projects: list[ProjectRecord]
) -> list[tuple[list[Entry], bool]]:
    """The rows of each project that one list names in more than one row, and whether they
    state the same facts (``projects``: the project of each entry, in order)."""
    # Rows are grouped only for projects with several rows: most projects have one, and a
    # group for each would cost more memory than the records themselves.
    rows_by_project: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for entry, project in zip(resolution.entries, projects, strict=True):
        if len(project.origins) > 1:
            rows_by_project[entry.origin.list_id, project.key].append(entry)
    groups = []
    for rows in rows_by_project.values():
        if len(rows) < 2:
            continue
        # Rows state the same facts when they name the same institutions and countries, in any
        # order and however often.
        stated = {
            (
                frozenset(name_key(i.name) for i in row.institutions),
                frozenset(map(name_key, row.countries)),
            )
            for row in rows
        }
        groups.append((rows, len(stated) == 1))
    return groups


class _CountryCheck:
    """Finds the first country of an entry that does not resolve, once for each cell of
    countries: lists repeat the same few cells row after row."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self._gazetteer = gazetteer
        self._unknown: dict[tuple[str, ...], str | None] = {}

    def __call__(self, entry: Entry) -> SourceError | None:
        """The error for the first country of ``entry`` that does not resolve, if any."""
        countries = entry.countries
        if countries in self._unknown:
            name = self._unknown[countries]
        else:
            name = self._unknown[countries] = self._first_unknown(countries)
        if name is None:
            return None
        close = ", ".join(match for match, _ in self._gazetteer.closest_countries(name))
        return SourceError(
            entry.origin.file,
            f"{name!r} is not a country osgraph knows (closest: {close}); use an "
            "ISO 3166 or CLDR name or code, or add the name to data/countries.toml",
            line=entry.origin.line,
            cell="countries",
        )

    def _first_unknown(self, countries: tuple[str, ...]) -> str | None:
        gazetteer = self._gazetteer
        for name in countries:
            if gazetteer.country(name) is None and gazetteer.area(name) is None:
                return name
        return None


_ONE_METHOD = {method: (method,) for method in AlignmentMethod}


class _Recorder:
    """Adds entries, then their alignments, to a resolution.

    Lists name the same institutions and countries row after row: the record of each spelling
    is found once, then remembered by the spelling.
    """

    def __init__(self, resolution: Resolution) -> None:
        self.resolution = resolution
        self._institutions: dict[str, InstitutionRecord] = {}
        self._countries: dict[str, CountryRecord] = {}
        self._institution_cells: dict[tuple[Mention, ...], tuple[str, ...]] = {}
        self._country_cells: dict[tuple[str, ...], tuple[str, ...]] = {}

    def add_entry(self, entry: Entry) -> ProjectRecord:
        """Add an entry to its project's record, made if it is the project's first; return
        the record."""
        projects = self.resolution.projects
        mention = entry.project
        project_key = name_key(mention.name)
        project = projects.get(project_key)
        if project is None:  # most projects have one row: their record is made whole at once
            project = projects[project_key] = ProjectRecord(
                project_key,
                mention.name,
                (mention.homepage,) if mention.homepage else (),
                (mention.name,),
                (entry.origin,),
                self._institution_keys(entry),
                self._country_keys(entry),
            )
            return project
        _remember(project, mention)
        project.origins += (entry.origin,)
        project.institutions = _joined(project.institutions, self._institution_keys(entry))
        project.countries = _joined(project.countries, self._country_keys(entry))
        return project

    def _institution_keys(self, entry: Entry) -> tuple[str, ...]:
        """The keys of the institutions of an entry, each once: found once for each cell (the
        same cells recur, and their projects then share one tuple)."""
        keys = self._institution_cells.get(entry.institutions)
        if keys is None:
            keys = ()
            for mention in entry.institutions:
                institution = self._institutions.get(mention.name)
                if institution is None:
                    institution = self._institutions[mention.name] = self._institution(mention)
                elif mention.homepage:
                    _remember(institution, mention)
                keys = _with(keys, institution.key)
            self._institution_cells[entry.institutions] = keys
        return keys

    def _country_keys(self, entry: Entry) -> tuple[str, ...]:
        """The keys of the countries of an entry, each once, as :meth:`_institution_keys`."""
        keys = self._country_cells.get(entry.countries)
        if keys is None:
            keys = ()
            for name in entry.countries:
                country = self._countries.get(name)
                if country is None:
                    country = self._countries[name] = self._country(name)
                keys = _with(keys, country.key)
            self._country_cells[entry.countries] = keys
        return keys

    def _institution(self, mention: Mention) -> InstitutionRecord:
        gazetteer = self.resolution.gazetteer
        facts = gazetteer.institution(mention.name)
        key = gazetteer.institution_key(mention.name)
        record = self.resolution.institutions.get(key)
        if record is None:
            label = facts.name if facts else mention.name
            record = self.resolution.institutions[key] = InstitutionRecord(key, label, facts=facts)
        _remember(record, mention)
        return record

    def _country(self, name: str) -> CountryRecord:
        gazetteer = self.resolution.gazetteer
        country = gazetteer.country(name)
        area = None if country is not None else gazetteer.area(name)
        key = country.alpha2 if country is not None else area.term if area is not None else None
        assert key is not None, name  # resolve() rejects rows whose countries do not resolve
        record = self.resolution.countries.get(key)
        if record is None:
            label = country.name if country is not None else area.label if area else key
            record = self.resolution.countries[key] = CountryRecord(
                key, label, country=country, area=area
            )
        record.spellings = _with(record.spellings, name)
        return record

    def add_alignment(
        self, entry: Entry, project: ProjectRecord, alignment: Alignment
    ) -> list[tuple[str, str]]:
        """Add the contributions of an entry already added to ``project``, as ``alignment``
        pairs them; return the (institution key, country code) of each."""
        # The project's own key, not an equal one made again: a contribution holds it for as
        # long as the resolution lives, and a million projects would hold two of each.
        project_key = project.key
        contributions = self.resolution.contributions
        # Most contributions come from one row, with one method: the contributions a row makes
        # share one record, whose tuple of rows is the project's (most projects have one row).
        project_rows = project.origins
        row = project_rows if project_rows == (entry.origin,) else (entry.origin,)
        made = None  # the record of the contributions first made by this row and alignment
        placed = [
            (self._institutions[institution.name].key, self._countries[country].key)
            for institution, country in alignment.pairs
        ]
        for institution_key, country_code in placed:
            key = ContributionKey(project_key, institution_key, country_code)
            record = contributions.get(key)
            if record is None:
                if made is None:
                    made = ContributionRecord(_ONE_METHOD[alignment.method], row)
                contributions[key] = made
            else:
                contributions[key] = ContributionRecord(
                    _with(record.methods, alignment.method), _with(record.origins, entry.origin)
                )
        return placed


def _remember(entity: Named, mention: Mention) -> None:
    entity.spellings = _with(entity.spellings, mention.name)
    if mention.homepage:
        entity.homepages = _with(entity.homepages, mention.homepage)


def taken(items: dict[K, V]) -> Iterator[tuple[K, V]]:
    """The items of ``items`` in order, each taken out of it as it is given: what only the
    item held is let go of once the caller is done with it, before the next.

    Examples
    --------
    >>> ages = {"a": 1, "b": 2}
    >>> [key for key, _ in taken(ages)], ages
    (['a', 'b'], {})
    """
    keys, values = list(items), list(items.values())
    items.clear()  # its table too, which taking its items out one by one would leave
    keys.reverse()
    values.reverse()
    while keys:
        yield keys.pop(), values.pop()


def _joined(items: tuple[T, ...], more: tuple[T, ...]) -> tuple[T, ...]:
    """``items`` with each of ``more`` that it lacks at the end; ``more`` itself, shared, when
    there are no ``items``."""
    for item in more if items else ():
        items = _with(items, item)
    return items or more


def _with(items: tuple[T, ...], item: T) -> tuple[T, ...]:
    """``items`` with ``item`` at the end, unless it is there already."""
    return items if item in items else (*items, item)
