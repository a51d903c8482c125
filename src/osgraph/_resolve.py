"""Resolve entries into entities and contributions, against the gazetteer.

- A country name resolves to its ISO 3166-1 country in any language or style (``USA``,
  ``United States`` and ``美国`` are one, see :mod:`osgraph._countries`); a value that stands
  for no single country ("Multinational") resolves to its area, kept as such and reported; a
  name that resolves to neither is an error naming the file, line and cell, with close matches.
- An institution name resolves to its gazetteer entry through the entry's name or aliases; a
  name the gazetteer does not know is still an institution, without identifiers, and reported.
- A project listed in several rows is one project that remembers every row.
- Each row's institutions are paired with its countries: first by the shape of the row
  (:func:`align_contributions`); when the shape does not tell, by each institution's own
  country in the gazetteer, then by the countries the same institution has in other rows
  (:func:`align_by_knowledge`). An institution that none of these places is reported, never
  guessed, and its project still records the institutions and countries the row states.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple, TypeVar

from osgraph._countries import Area, Country
from osgraph._errors import SourceError
from osgraph._gazetteer import Gazetteer, InstitutionMatch, load_gazetteer
from osgraph._gazetteer_file import InstitutionFacts
from osgraph._names import name_key
from osgraph._sources.entries import Entry, ListInfo, Mention, Origin, Rejection, Source

T = TypeVar("T")


class AlignmentMethod(Enum):
    """How an institution of a row was paired with one of the row's countries."""

    BY_POSITION = "by position"
    ONE_COUNTRY_FOR_ALL = "one country for all"
    ONE_INSTITUTION_PER_COUNTRY = "one institution in every country"
    BY_GAZETTEER = "by the institution's country in the gazetteer"
    BY_OTHER_ROWS = "by the institution's country in other rows"
    UNALIGNED = "unaligned"


@dataclass(frozen=True, slots=True)
class Alignment:
    """The (institution, country) pairs of one row, and how they were found."""

    method: AlignmentMethod
    pairs: tuple[tuple[Mention, str], ...]


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


@dataclass(slots=True)
class ContributionRecord:
    """A contribution with every row it was read from, and how each row aligned it."""

    methods: tuple[AlignmentMethod, ...] = ()
    origins: tuple[Origin, ...] = ()


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


def align_contributions(entry: Entry) -> Alignment:
    """Pair the institutions of a row with its countries, from the shape of the row alone.

    - as many countries as institutions: by position;
    - one country: every institution gets it;
    - one institution and several countries: one pair per country;
    - anything else cannot be paired from the row alone: no pairs, ``UNALIGNED``.

    Examples
    --------
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


def align_by_knowledge(
    entry: Entry, gazetteer: Gazetteer, seen_in: Mapping[str, set[str]]
) -> tuple[list[Alignment], list[Mention]]:
    """Pair the institutions of a row whose shape does not tell, from what is known of them.

    Each institution goes with the one country of the row that is its own country in the
    gazetteer (or contains it: Hong Kong is in China); failing that, with the one country of
    the row it has in other rows (``seen_in``: institution key → country codes). Returns the
    alignments found and the institutions that neither places.
    """
    row_countries = [(name, _country_code(gazetteer, name)) for name in entry.countries]
    by_gazetteer: list[tuple[Mention, str]] = []
    by_other_rows: list[tuple[Mention, str]] = []
    unplaced: list[Mention] = []
    for institution in entry.institutions:
        facts = gazetteer.institution(institution.name)
        home = facts.country if facts else None
        matches = [name for name, code in row_countries if home and gazetteer.within(home, code)]
        if len(matches) == 1:
            by_gazetteer.append((institution, matches[0]))
            continue
        seen = seen_in.get(_institution_key(gazetteer, institution), set())
        matches = [name for name, code in row_countries if code in seen]
        if len(matches) == 1:
            by_other_rows.append((institution, matches[0]))
        else:
            unplaced.append(institution)
    alignments = [
        Alignment(method, tuple(pairs))
        for method, pairs in (
            (AlignmentMethod.BY_GAZETTEER, by_gazetteer),
            (AlignmentMethod.BY_OTHER_ROWS, by_other_rows),
        )
        if pairs
    ]
    return alignments, unplaced


def resolve(
    sources: Iterable[Source], gazetteer: Gazetteer | None = None, *, lenient: bool = False
) -> Resolution:
    """Resolve the entries of every source into projects, institutions, countries and
    contributions, with a notice for every row that was merged, every institution the
    gazetteer does not know, and every institution that could not be placed in a country.

    With ``lenient``, a row whose country does not resolve is rejected (listed in
    ``Resolution.rejected`` with its reason) instead of stopping, and a project listed with
    conflicting facts keeps every row's facts and is flagged.

    Raises
    ------
    SourceError
        Unless ``lenient``: when a country name does not resolve (the message names the file,
        line and cell and offers the closest names), or when one list names a project in rows
        with different institutions or countries.
    """
    gazetteer = gazetteer or load_gazetteer()
    resolution = Resolution(gazetteer)
    recorder = _Recorder(resolution)
    for source in sources:
        resolution.lists.append(source.info)
        resolution.rejected.extend(source.rejected)
        # Lines that look like rows but are not rows of the list: said, never dropped silently.
        resolution.notices.extend(
            Notice("passed-over", notice.reason, (notice.origin,)) for notice in source.notices
        )
        if source.ignored_columns:
            resolution.notices.append(
                Notice(
                    "ignored-columns",
                    f"{source.info.file_name}: columns ignored (osgraph does not know them): "
                    f"{', '.join(source.ignored_columns)}",
                    (),
                )
            )
        for entry in source.entries:
            problem = _unknown_country(gazetteer, entry)
            if problem is not None:
                if not lenient:
                    raise problem
                resolution.rejected.append(
                    Rejection(entry.origin, f"cell 'countries': {problem.message}")
                )
                continue
            resolution.entries.append(entry)
    match_institutions(resolution.entries, gazetteer)
    for entry in resolution.entries:
        recorder.add_entry(entry)

    # Rows whose shape tells how to pair them come first: what they say of an institution's
    # country is what places the same institution in the rows whose shape does not tell.
    undecided = []
    seen_in: dict[str, set[str]] = defaultdict(set)
    for entry in resolution.entries:
        alignment = align_contributions(entry)
        if alignment.method is AlignmentMethod.UNALIGNED:
            undecided.append(entry)
            continue
        for institution_key, country_code in recorder.add_alignment(entry, alignment):
            seen_in[institution_key].add(country_code)
    for entry in undecided:
        alignments, unplaced = align_by_knowledge(entry, gazetteer, seen_in)
        for alignment in alignments:
            recorder.add_alignment(entry, alignment)
        if unplaced:
            resolution.unaligned.append(entry)
            names = ", ".join(institution.name for institution in unplaced)
            resolution.notices.append(
                Notice(
                    "unaligned",
                    f"{entry.project.name}: {len(entry.institutions)} institutions and "
                    f"{len(entry.countries)} countries do not line up, and neither the "
                    f"gazetteer nor other rows place {names} in one of them; no contribution "
                    "was made for them (the project keeps every institution and country)",
                    (entry.origin,),
                )
            )

    resolution.notices.extend(_unknown_institutions(resolution))
    resolution.notices.extend(
        Notice(
            "gazetteer-override",
            f"the gazetteer entry {new!r} replaces the bundled entry {old!r}",
            (),
        )
        for new, old in gazetteer.overrides
    )
    resolution.notices.extend(_areas(resolution))
    repeated = _repeated_rows(resolution)
    conflicting = [notice for notice in repeated if notice.kind == "conflicting-rows"]
    if conflicting and not lenient:
        first = conflicting[0]
        raise SourceError(
            first.origins[0].file,
            f"{first.message.split(' is listed')[0]} is listed at lines "
            f"{', '.join(str(o.line) for o in first.origins)} with different institutions or "
            "countries: correct the list, or build with --lenient to keep every row's facts",
            line=first.origins[0].line,
            cell="institutions",
        )
    resolution.notices.extend(repeated)
    resolution.notices.extend(_conflicting_lists(resolution))
    resolution.notices.extend(
        Notice("rejected", rejection.reason, (rejection.origin,))
        for rejection in resolution.rejected
    )
    return resolution


def match_institutions(
    entries: Iterable[Entry], gazetteer: Gazetteer
) -> dict[str, InstitutionMatch]:
    """Match every institution name of ``entries`` once, with the countries of every row that
    names it as evidence (see :meth:`Gazetteer.match_institution`): a name's record does not
    depend on which of its rows came first."""
    return {
        name: gazetteer.match_institution(name, found)
        for name, found in institution_countries(entries, gazetteer).items()
    }


def institution_countries(entries: Iterable[Entry], gazetteer: Gazetteer) -> dict[str, set[str]]:
    """The ISO 3166-1 codes (or area terms) the rows give each institution name: the country a
    row pairs it with, where the row's shape tells; else every country of the row."""
    evidence: dict[str, set[str]] = {}
    codes: dict[str, str] = {}
    for entry in entries:
        for country in entry.countries:
            if country not in codes:
                codes[country] = _country_code(gazetteer, country)
        alignment = align_contributions(entry)
        for institution in entry.institutions:
            evidence.setdefault(institution.name, set())
        if alignment.method is AlignmentMethod.UNALIGNED:
            for institution in entry.institutions:
                evidence[institution.name].update(codes[c] for c in entry.countries)
        for institution, country in alignment.pairs:
            evidence[institution.name].add(codes[country])
    return evidence


def _unknown_country(gazetteer: Gazetteer, entry: Entry) -> SourceError | None:
    """The error for the first country of ``entry`` that does not resolve, if any."""
    for name in entry.countries:
        if gazetteer.country(name) is None and gazetteer.area(name) is None:
            close = ", ".join(match for match, _ in gazetteer.closest_countries(name))
            return SourceError(
                entry.origin.file,
                f"{name!r} is not a country osgraph knows (closest: {close}); use an "
                "ISO 3166 or CLDR name or code, or add the name to data/countries.toml",
                line=entry.origin.line,
                cell="countries",
            )
    return None


def _institution_key(gazetteer: Gazetteer, institution: Mention) -> str:
    return gazetteer.institution_key(institution.name)


def _country_code(gazetteer: Gazetteer, name: str) -> str:
    """The ISO 3166-1 code of the country ``name`` names, or the term of its area."""
    country = gazetteer.country(name)
    if country is not None:
        return country.alpha2
    area = gazetteer.area(name)
    # Every country of an entry was resolved when the entry was added.
    assert area is not None, name
    return area.term


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

    def add_entry(self, entry: Entry) -> None:
        resolution = self.resolution
        project_key = name_key(entry.project.name)
        project = resolution.projects.get(project_key)
        if project is None:
            project = resolution.projects[project_key] = ProjectRecord(
                project_key, entry.project.name
            )
        _remember(project, entry.project)
        project.origins += (entry.origin,)
        for mention in entry.institutions:
            institution = self._institutions.get(mention.name)
            if institution is None:
                institution = self._institutions[mention.name] = self._institution(mention)
            elif mention.homepage:
                _remember(institution, mention)
            project.institutions = _with(project.institutions, institution.key)
        for name in entry.countries:
            country = self._countries.get(name)
            if country is None:
                country = self._countries[name] = self._country(name)
            project.countries = _with(project.countries, country.key)

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

    def add_alignment(self, entry: Entry, alignment: Alignment) -> list[tuple[str, str]]:
        """Add the contributions of an entry already added, as ``alignment`` pairs them;
        return the (institution key, country code) of each."""
        project_key = name_key(entry.project.name)
        contributions = self.resolution.contributions
        # Most contributions come from one row, with one method: their tuples are shared with
        # the project's (most projects have one row) and between contributions.
        project_rows = self.resolution.projects[project_key].origins
        row = project_rows if project_rows == (entry.origin,) else (entry.origin,)
        method = _ONE_METHOD[alignment.method]
        placed = [
            (self._institutions[institution.name].key, self._countries[country].key)
            for institution, country in alignment.pairs
        ]
        for institution_key, country_code in placed:
            key = ContributionKey(project_key, institution_key, country_code)
            record = contributions.get(key)
            if record is None:
                record = contributions[key] = ContributionRecord()
            if record.origins:
                record.methods = _with(record.methods, alignment.method)
                record.origins = _with(record.origins, entry.origin)
            else:
                record.methods, record.origins = method, row
        return placed


def _remember(entity: Named, mention: Mention) -> None:
    entity.spellings = _with(entity.spellings, mention.name)
    if mention.homepage:
        entity.homepages = _with(entity.homepages, mention.homepage)


def _with(items: tuple[T, ...], item: T) -> tuple[T, ...]:
    """``items`` with ``item`` at the end, unless it is there already."""
    return items if item in items else (*items, item)


def _unknown_institutions(resolution: Resolution) -> list[Notice]:
    """A notice for each institution that neither the gazetteer nor ROR knows, and for each
    that several ROR records may be."""
    origins: dict[str, list[Origin]] = defaultdict(list)
    for entry in resolution.entries:
        for institution in entry.institutions:
            if resolution.gazetteer.institution(institution.name) is None:
                origins[institution.name].append(entry.origin)
    notices = []
    for name, found in origins.items():
        ror = resolution.gazetteer.match_institution(name).ror
        if ror is not None and ror.candidates:
            candidates = ", ".join(
                f"{record.label} ({record.country or 'no country'}, {record.url})"
                for record in ror.candidates[:_CANDIDATES_SHOWN]
            )
            more = len(ror.candidates) - _CANDIDATES_SHOWN
            said = (
                f"ROR's only record of that name or acronym, {candidates}, is not in the "
                "countries the lists give it: it was not chosen"
                if len(ror.candidates) == 1
                else f"it may be any of {len(ror.candidates)} ROR records ({candidates}"
                f"{f' and {more} more' if more > 0 else ''}): none was chosen"
            )
            notices.append(
                Notice(
                    "ambiguous-institution",
                    f"{name}: {said}; add the right one to the gazetteer "
                    "(`osgraph resolve --draft`)",
                    tuple(found),
                )
            )
        else:
            notices.append(
                Notice(
                    "unknown-institution",
                    f"{name} is neither in the gazetteer nor in ROR: it has no identifiers "
                    "(`osgraph resolve` shows the closest entries)",
                    tuple(found),
                )
            )
    return notices


_CANDIDATES_SHOWN = 3


def _areas(resolution: Resolution) -> list[Notice]:
    """A notice for each value of a country column that stands for no single country."""
    if all(record.area is None for record in resolution.countries.values()):
        return []
    met: dict[str, tuple[Area, list[Origin]]] = {}
    for entry in resolution.entries:
        for name in entry.countries:
            area = resolution.gazetteer.area(name)
            if area is not None:
                met.setdefault(name, (area, []))[1].append(entry.origin)
    return [
        Notice(
            "area",
            f"{name!r} stands for no single country: kept as the area osg:{area.term}, "
            "not counted as a country",
            tuple(found),
        )
        for name, (area, found) in met.items()
    ]


def _repeated_rows(resolution: Resolution) -> list[Notice]:
    """A notice for each project that one list names in more than one row."""
    # Rows are grouped only for projects with several rows: most projects have one, and a
    # group for each would cost more memory than the records themselves.
    repeated = {key for key, project in resolution.projects.items() if len(project.origins) > 1}
    rows_by_project: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for entry in resolution.entries:
        key = name_key(entry.project.name)
        if key in repeated:
            rows_by_project[entry.origin.list_id, key].append(entry)
    notices = []
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
        name = rows[0].project.name
        same = len(stated) == 1
        notices.append(
            Notice(
                "duplicate-row" if same else "conflicting-rows",
                f"{name} is listed {len(rows)} times with the same facts; merged into one "
                "project that keeps every row"
                if same
                else f"{name} is listed {len(rows)} times with different facts; every row's "
                "facts are kept on the one project",
                tuple(row.origin for row in rows),
            )
        )
    return notices


def _conflicting_lists(resolution: Resolution) -> list[Notice]:
    """A notice for each project that two lists credit to different institutions or
    countries: each list's claim stays with its rows, and the reader should know."""
    several = {
        key
        for key, project in resolution.projects.items()
        if len({origin.list_id for origin in project.origins}) > 1
    }
    if not several:
        return []
    gazetteer = resolution.gazetteer
    claims: dict[str, dict[str, tuple[dict[str, str], dict[str, str], list[Origin]]]] = {}
    for entry in resolution.entries:
        key = name_key(entry.project.name)
        if key not in several:
            continue
        institutions, countries, origins = claims.setdefault(key, {}).setdefault(
            entry.origin.list_id, ({}, {}, [])
        )
        for institution in entry.institutions:
            facts = gazetteer.institution(institution.name)
            institutions[gazetteer.institution_key(institution.name)] = (
                facts.name if facts else institution.name
            )
        for country in entry.countries:
            code = _country_code(gazetteer, country)
            place = gazetteer.country(country)
            countries[code] = place.name if place else country
        origins.append(entry.origin)
    notices = []
    for key, by_list in claims.items():
        stated = {(frozenset(i), frozenset(c)) for i, c, _ in by_list.values()}
        if len(stated) == 1:
            continue
        said = "; ".join(
            f"{list_id} credits {', '.join(sorted(i.values()))} in {', '.join(sorted(c.values()))}"
            for list_id, (i, c, _) in by_list.items()
        )
        notices.append(
            Notice(
                "conflicting-lists",
                f"{resolution.projects[key].label}: lists credit it differently ({said}); "
                "each claim is kept with its rows",
                tuple(origin for _, _, found in by_list.values() for origin in found),
            )
        )
    return notices


_LINES_SHOWN = 20


def _where(origins: tuple[Origin, ...]) -> str:
    """``file:line,line,...`` for each file; past 20 lines of a file, how many more there are
    (an institution named in a large list can have thousands).

    Examples
    --------
    >>> _where(tuple(Origin("l", "big.csv", line, "") for line in range(2, 32)))
    'big.csv:2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21 and 10 more lines'
    """
    by_file: dict[str, list[str]] = defaultdict(list)
    for origin in origins:
        by_file[origin.file].append(str(origin.line))
    return "; ".join(
        f"{file}:{','.join(lines[:_LINES_SHOWN])}"
        + (f" and {len(lines) - _LINES_SHOWN} more lines" if len(lines) > _LINES_SHOWN else "")
        for file, lines in by_file.items()
    )
