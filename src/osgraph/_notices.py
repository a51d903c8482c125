"""What the user should know about the input of a build: each notice's kind, text and rows.

A notice never stops a build; it says what was merged, guessed at, left out or not known, and
where. The notices that come from comparing rows and lists are computed here from a resolution.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from osgraph._align import country_code
from osgraph._names import name_key
from osgraph._sources.entries import Entry, Origin

if TYPE_CHECKING:
    from osgraph._resolve import Resolution


class NoticeKind(StrEnum):
    """The kinds of notice; each value is how the command line names the kind."""

    PASSED_OVER = "passed-over"
    """A line that looks like a row but is not a row of the list."""
    IGNORED_COLUMNS = "ignored-columns"
    """Columns of a list that osgraph does not know."""
    UNALIGNED = "unaligned"
    """A row whose institutions could not all be placed in one of its countries."""
    UNKNOWN_INSTITUTION = "unknown-institution"
    """An institution neither the gazetteer nor ROR knows."""
    AMBIGUOUS_INSTITUTION = "ambiguous-institution"
    """An institution ROR has records for, none of which could be chosen."""
    GAZETTEER_OVERRIDE = "gazetteer-override"
    """An entry of the user's gazetteer that replaces a bundled one."""
    AREA = "area"
    """A value of a country column that stands for no single country."""
    DUPLICATE_ROW = "duplicate-row"
    """A project one list names in several rows with the same facts."""
    CONFLICTING_ROWS = "conflicting-rows"
    """A project one list names in several rows with different facts."""
    CONFLICTING_LISTS = "conflicting-lists"
    """A project two lists credit to different institutions or countries."""
    REJECTED = "rejected"
    """A row left out of the graph, with the reason."""
    SHAPE_WARNING = "shape-warning"
    """A warning of osgraph's shapes about the graph."""


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should know about the input: what, and where.

    Examples
    --------
    >>> str(Notice(NoticeKind.REJECTED, "no project", (Origin("l", "a.csv", 3, ""),)))
    'a.csv:3: no project'
    """

    kind: NoticeKind
    message: str
    origins: tuple[Origin, ...]

    def __str__(self) -> str:
        return f"{_where(self.origins)}: {self.message}" if self.origins else self.message


# The notices whose rows are not in the graph: their origins keep the rows' text.
_ROWS_LEFT_OUT = frozenset({NoticeKind.REJECTED, NoticeKind.PASSED_OVER})
_CANDIDATES_SHOWN = 3
_LINES_SHOWN = 20


def without_row_text(notices: list[Notice]) -> list[Notice]:
    """The notices, each row of the graph they name by its list, file and line only (its
    :attr:`~osgraph.Origin.text` empty): its text is in the graph, written, and a notice shows
    only where a row is. Rejected rows and lines passed over keep their text.

    Examples
    --------
    >>> row = Origin("l", "a.csv", 3, "A,B,USA")
    >>> [notice.origins[0].text for notice in without_row_text(
    ...     [Notice(NoticeKind.AREA, "x", (row,)), Notice(NoticeKind.REJECTED, "y", (row,))]
    ... )]
    ['', 'A,B,USA']
    """
    # One copy for each row, however many notices name it: the rows are alive, so their ids
    # are theirs alone while the copies are made.
    copies: dict[int, Origin] = {}

    def placed(origin: Origin) -> Origin:
        copy = copies.get(id(origin))
        if copy is None:
            copy = copies[id(origin)] = Origin(origin.list_id, origin.file, origin.line, "")
        return copy

    return [
        notice
        if notice.kind in _ROWS_LEFT_OUT or not notice.origins
        else Notice(notice.kind, notice.message, tuple(map(placed, notice.origins)))
        for notice in notices
    ]


def unknown_institutions(resolution: Resolution) -> list[Notice]:
    """A notice for each institution that neither the gazetteer nor ROR knows, and for each
    that several ROR records may be."""
    origins: dict[str, list[Origin]] = defaultdict(list)
    known: dict[str, bool] = {}  # each name is looked up once: lists name few, row after row
    for entry in resolution.entries:
        for institution in entry.institutions:
            name = institution.name
            if name not in known:
                known[name] = resolution.gazetteer.institution(name) is not None
            if not known[name]:
                origins[name].append(entry.origin)
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
                    NoticeKind.AMBIGUOUS_INSTITUTION,
                    f"{name}: {said}; add the right one to the gazetteer "
                    "(`osgraph resolve --draft`)",
                    tuple(found),
                )
            )
        else:
            notices.append(
                Notice(
                    NoticeKind.UNKNOWN_INSTITUTION,
                    f"{name} is neither in the gazetteer nor in ROR: it has no identifiers "
                    "(`osgraph resolve` shows the closest entries)",
                    tuple(found),
                )
            )
    return notices


def areas(resolution: Resolution) -> list[Notice]:
    """A notice for each value of a country column that stands for no single country."""
    if all(record.area is None for record in resolution.countries.values()):
        return []
    met: dict[str, tuple[str, list[Origin]]] = {}
    for entry in resolution.entries:
        for name in entry.countries:
            area = resolution.gazetteer.area(name)
            if area is not None:
                met.setdefault(name, (area.term, []))[1].append(entry.origin)
    return [
        Notice(
            NoticeKind.AREA,
            f"{name!r} stands for no single country: kept as the area osg:{term}, "
            "not counted as a country",
            tuple(found),
        )
        for name, (term, found) in met.items()
    ]


def repeated_rows(rows: Sequence[Entry], same_facts: bool) -> Notice:
    """The notice for a project that one list names in ``rows``, with the same facts or not."""
    name = rows[0].project.name
    if same_facts:
        return Notice(
            NoticeKind.DUPLICATE_ROW,
            f"{name} is listed {len(rows)} times with the same facts; merged into one project "
            "that keeps every row",
            tuple(row.origin for row in rows),
        )
    return Notice(
        NoticeKind.CONFLICTING_ROWS,
        f"{name} is listed {len(rows)} times with different facts; every row's facts are kept "
        "on the one project",
        tuple(row.origin for row in rows),
    )


def conflicting_lists(resolution: Resolution) -> list[Notice]:
    """A notice for each project that two lists credit to different institutions or
    countries: each list's claim stays with its rows, and the reader should know."""
    from_several = {
        key
        for key, project in resolution.projects.items()
        if len(project.origins) > 1 and len({origin.list_id for origin in project.origins}) > 1
    }
    if not from_several:
        return []
    gazetteer = resolution.gazetteer
    claims: dict[str, dict[str, tuple[dict[str, str], dict[str, str], list[Origin]]]] = {}
    for entry in resolution.entries:
        key = name_key(entry.project.name)
        if key not in from_several:
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
            place = gazetteer.country(country)
            countries[country_code(gazetteer, country)] = place.name if place else country
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
                NoticeKind.CONFLICTING_LISTS,
                f"{resolution.projects[key].label}: lists credit it differently ({said}); "
                "each claim is kept with its rows",
                tuple(origin for _, _, found in by_list.values() for origin in found),
            )
        )
    return notices


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
