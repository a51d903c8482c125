"""The cells of a row made an entry: institutions and countries split at their separator, every
value checked (none empty, one project, links that are web addresses), equal values shared, and
a row that cannot be read kept back with its reason or raised, as the error policy says.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from osgraph._errors import ErrorPolicy, SourceError
from osgraph._iri import is_web_address
from osgraph._sources.columns import Field
from osgraph._sources.entries import Entry, Mention, Origin, Rejection
from osgraph._sources.text import normalise_whitespace

H = TypeVar("H", bound=Hashable)
_CSV_VALUE_SEPARATOR = re.compile(r"[;|]")
EMPTY_ROW = "the row is empty"
# The cells read are remembered up to this many, then forgotten all at once: in a list whose
# cells seldom repeat, remembering every one would hold a second copy of the list.
_CELLS_KEPT = 1 << 16
ReadCell = Callable[[str], tuple[Mention, ...]]
"""How the text of a cell is read into its values."""


class Shared:
    """One object for equal values: lists name the same institutions and countries in row
    after row, and a million rows would otherwise hold a million copies of each."""

    def __init__(self) -> None:
        self._seen: dict[Hashable, Hashable] = {}
        self._cells: dict[str, tuple[Mention, ...]] = {}

    def __call__(self, value: H) -> H:
        return self._seen.setdefault(value, value)  # type: ignore[return-value]

    def cell(self, text: str, read: Callable[[str], tuple[Mention, ...]]) -> tuple[Mention, ...]:
        """The values ``read`` finds in a cell of institutions or countries, read once for
        each text: such cells repeat from row to row (a project's cell does not)."""
        values = self._cells.get(text)
        if values is None:
            if len(self._cells) >= _CELLS_KEPT:
                self._cells.clear()
            values = self._cells[text] = read(text)
        return values


@dataclass(slots=True)
class Rejections:
    """What a reader leaves out of a list, with why: the rows it refuses (``rows``) and what it
    read that is not a row of the list (``notices``).

    Under ``ErrorPolicy.STRICT`` the first row refused raises its :class:`SourceError` instead;
    under ``ErrorPolicy.LENIENT`` it goes to ``rows`` and reading goes on.

    Examples
    --------
    >>> def refused() -> Entry:
    ...     raise SourceError("list.csv", "is empty", line=3, cell="institutions")
    >>> rejections = Rejections(ErrorPolicy.LENIENT)
    >>> rejections.keep(Origin("demo", "list.csv", 3, "A,,USA"), refused) is None
    True
    >>> [str(row) for row in rejections.rows]
    ["list.csv:3: cell 'institutions': is empty"]
    """

    policy: ErrorPolicy = ErrorPolicy.STRICT
    rows: list[Rejection] = field(default_factory=list)
    notices: list[Rejection] = field(default_factory=list)

    @property
    def strict(self) -> bool:
        """Whether the first row refused stops the reading."""
        return self.policy is ErrorPolicy.STRICT

    def keep(self, origin: Origin, make: Callable[[], Entry]) -> Entry | None:
        """The entry ``make`` reads of the row at ``origin``; or, when it cannot and the policy
        is lenient, ``None``, with the row and its reason in ``rows``."""
        try:
            return make()
        except SourceError as error:
            if self.strict:
                raise
            reason = (
                error.message if error.cell is None else f"cell {error.cell!r}: {error.message}"
            )
            self.rows.append(Rejection(origin, reason))
            return None


def record_entry(
    record: list[str],
    width: int,
    columns: dict[Field, int],
    origin: Origin,
    path: Path | str,
    shared: Shared,
    read_project: ReadCell,
    read_values: ReadCell,
) -> Entry:
    """Make an entry of a row of a CSV, TSV or Excel table (its cells' text)."""
    if len(record) != width:
        raise SourceError(path, cell_count_message(len(record), width), line=origin.line)
    homepage, project = columns.get("homepage"), columns["project"]
    cells = [
        single_value(value)
        if position == homepage
        else read_project(value)
        if position == project
        else shared.cell(value, read_values)
        for position, value in enumerate(record)
    ]
    return entry_from_cells(cells, columns, origin, path, shared)


def cell_readers(separator: str | None) -> tuple[ReadCell, ReadCell]:
    """How to read a project's cell, and a cell of institutions or countries.

    By default both are split at ``;`` or ``|`` (a project's cell that then holds several is
    refused). A separator a list names splits the cells of institutions and countries only: a
    project's name may hold it (``Model, Inc.``).
    """
    if separator is None:
        return _csv_values, _csv_values

    def values(cell: str) -> tuple[Mention, ...]:
        return tuple(Mention(normalise_whitespace(piece)) for piece in cell.split(separator))

    return single_value, values


def _csv_values(cell: str) -> tuple[Mention, ...]:
    return tuple(Mention(normalise_whitespace(piece)) for piece in _CSV_VALUE_SEPARATOR.split(cell))


def single_value(cell: str) -> tuple[Mention, ...]:
    """A cell read as one value, whatever separators it holds."""
    return (Mention(normalise_whitespace(cell)),)


def raise_error(error: SourceError) -> Entry:
    """Raise ``error``: the reading of a row that is refused whatever its cells hold."""
    raise error


def cell_count_message(found: int, expected: int) -> str:
    """Why a row of ``found`` cells is refused, under a header of ``expected``."""
    return f"the row has {found} cells where the header has {expected}"


def entry_from_cells(
    cells: Sequence[Sequence[Mention]],
    columns: dict[Field, int],
    origin: Origin,
    path: Path | str,
    shared: Shared,
) -> Entry:
    """Make an entry of a row's cleaned cells, refusing empty values and extra projects."""
    projects = _values(cells, columns, "project", origin, path)
    if len(projects) > 1:
        raise SourceError(
            path,
            f"holds {len(projects)} projects ({', '.join(m.name for m in projects)}); "
            "a row names one project",
            line=origin.line,
            cell="project",
        )
    institutions = _values(cells, columns, "institutions", origin, path)
    countries = _values(cells, columns, "countries", origin, path)
    for name, mentions in (("project", projects), ("institutions", institutions)):
        for mention in mentions:
            if mention.homepage is not None:
                _check_url(mention.homepage, path, origin.line, name)
    project = projects[0]
    if "homepage" in columns:
        link = cells[columns["homepage"]][0]
        homepage = link.homepage or link.name
        if homepage:
            _check_url(homepage, path, origin.line, "homepage")
            project = Mention(project.name, homepage)
    return Entry(
        project=project,
        institutions=shared(tuple(map(shared, institutions))),
        countries=shared(tuple([shared(mention.name) for mention in countries])),
        origin=origin,
    )


def _values(
    cells: Sequence[Sequence[Mention]],
    columns: dict[Field, int],
    name: Field,
    origin: Origin,
    path: Path | str,
) -> Sequence[Mention]:
    """The values of the cell ``name``; an empty cell, or an empty value in it, is an error."""
    mentions = cells[columns[name]]
    for mention in mentions:
        if not mention.name:
            break
    else:
        if mentions:
            return mentions
    empty = "is empty" if len(mentions) <= 1 else "has an empty value between separators"
    raise SourceError(path, empty, line=origin.line, cell=name)


def _check_url(url: str | None, path: Path | str, line: int, cell: str) -> None:
    if url is not None and not is_web_address(url):
        raise SourceError(path, f"the link {url!r} is not an http(s) URL", line=line, cell=cell)
