"""How a list lays out its table: which column holds each field, by the headers of
``data/columns.toml`` or those a :class:`TableShape` names, and what separates columns and values.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from osgraph import _resources
from osgraph._errors import ConfigurationError, SourceError
from osgraph._sources.text import normalise_whitespace

Field = Literal["project", "institutions", "countries", "homepage"]
_REQUIRED_FIELDS: tuple[Field, ...] = ("project", "institutions", "countries")
ALL_FIELDS: tuple[Field, ...] = (*_REQUIRED_FIELDS, "homepage")
_FIELDS: dict[str, Field] = {name: name for name in ALL_FIELDS}

_DELIMITER_NAMES = {
    "tab": "\t",
    "\\t": "\t",
    "comma": ",",
    "semicolon": ";",
    "pipe": "|",
    "space": " ",
}


@dataclass(frozen=True, slots=True)
class TableShape:
    """How a list lays out its table, where the headers of ``data/columns.toml`` and the file's
    ending do not tell. A list's sidecar says it in its ``[columns]`` table, the command line
    with ``--column FIELD=HEADER``, ``--separator`` and ``--delimiter``.

    Parameters
    ----------
    columns
        The header of the column of each field it names (``project``, ``institutions``,
        ``countries``, ``homepage``), compared without case; the fields it does not name are
        found by the headers of ``data/columns.toml``.
    separator
        What separates several institutions or countries in one cell of a CSV, TSV or Excel
        table, such as ``","``. Default: ``;`` or ``|``. The project's cell and the homepage's
        are not split by it; markdown tables always separate values with a bare ``|``.
    delimiter
        The one character between the columns of a ``.csv`` or ``.txt`` file. Default: the one
        :class:`csv.Sniffer` finds in the first lines, or else a comma. ``.tsv`` files are
        always read with tabs.
    sheet
        The sheet of an Excel workbook to read. Default: the first.

    Raises
    ------
    ConfigurationError
        When a field is not one of the four, a header or the separator is empty, two fields
        name one column, or the delimiter is not one character that can separate columns.

    Examples
    --------
    >>> shape = TableShape({"institutions": "Organization"}, separator=",").over(
    ...     TableShape({"project": "Model"}, separator=";")
    ... )
    >>> dict(shape.columns), shape.separator
    ({'project': 'Model', 'institutions': 'Organization'}, ',')
    """

    columns: Mapping[Field, str] = field(default_factory=dict)
    separator: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    def __post_init__(self) -> None:
        fields_of: dict[str, list[str]] = {}
        for name, header in self.columns.items():
            if name not in _FIELDS:
                raise ConfigurationError(
                    f"{name!r} is not a column osgraph reads: name {_field_names()}"
                )
            if not header.strip():
                raise ConfigurationError(f"the header named for {name} is empty")
            fields_of.setdefault(header_key(header), []).append(name)
        for key, names in fields_of.items():
            if len(names) > 1:
                raise ConfigurationError(f"{' and '.join(names)} are named to one column, {key!r}")
        if self.separator == "":
            raise ConfigurationError("the separator is empty: name the text between values")
        if self.delimiter is not None and (len(self.delimiter) != 1 or self.delimiter in '"\r\n'):
            raise ConfigurationError(
                f"the delimiter {self.delimiter!r} is not one character that can separate "
                "columns; name one, or tab, comma, semicolon, pipe or space"
            )
        if self.sheet == "":
            raise ConfigurationError("the sheet's name is empty")

    @classmethod
    def from_options(
        cls,
        columns: Iterable[str] = (),
        *,
        separator: str | None = None,
        delimiter: str | None = None,
    ) -> TableShape:
        """The shape the command line describes: ``FIELD=HEADER`` for each column it names, and
        a delimiter by its name (``tab``, ``comma``, ``semicolon``, ``pipe``, ``space``, ``\\t``)
        or itself.

        Raises
        ------
        ConfigurationError
            When an option is malformed, names a field twice or names one osgraph does not
            read, or as :class:`TableShape`.

        Examples
        --------
        >>> shape = TableShape.from_options(["project=Model", "countries=Country"], delimiter="tab")
        >>> dict(shape.columns), shape.delimiter
        ({'project': 'Model', 'countries': 'Country'}, '\\t')
        """
        named: dict[Field, str] = {}
        for option in columns:
            name, equals, header = option.partition("=")
            field_name = _FIELDS.get(name.strip().lower())
            if not equals:
                raise ConfigurationError(
                    f"--column {option!r}: write FIELD=HEADER, such as institutions=Organization"
                )
            if field_name is None:
                raise ConfigurationError(
                    f"--column {option!r}: {name.strip()!r} is not a column osgraph reads: "
                    f"name {_field_names()}"
                )
            if field_name in named:
                raise ConfigurationError(f"--column names the column of {field_name} twice")
            named[field_name] = header.strip()
        return cls(
            named,
            separator=separator,
            delimiter=None if delimiter is None else delimiter_named(delimiter),
        )

    def over(self, under: TableShape) -> TableShape:
        """This shape, with ``under``'s settings where this one has none: the command line's
        shape over a sidecar's."""
        return TableShape(
            {**under.columns, **self.columns},
            separator=self.separator if self.separator is not None else under.separator,
            delimiter=self.delimiter if self.delimiter is not None else under.delimiter,
            sheet=self.sheet if self.sheet is not None else under.sheet,
        )


def delimiter_named(name: str) -> str:
    """The character a delimiter's name stands for, or the name itself when it has none."""
    return _DELIMITER_NAMES.get(name.lower(), name)


def _field_names() -> str:
    return f"{', '.join(ALL_FIELDS[:-1])} or {ALL_FIELDS[-1]}"


@cache
def _column_names() -> dict[str, Field]:
    """Map each known header, case-folded, to the field it names (from ``data/columns.toml``)."""
    settings = tomllib.loads(_resources.text("data", "columns.toml"))
    known: dict[str, Field] = {}
    for field_name in ("project", "institutions", "countries", "homepage"):
        for header in settings[field_name]:
            known[header_key(header)] = field_name
    return known


def header_key(header: str) -> str:
    """The form in which headers are compared: white space made one, case folded."""
    return normalise_whitespace(header).casefold()


def recognise_columns(
    header: Sequence[str], named: Mapping[Field, str] | None = None
) -> dict[Field, int]:
    """The position of each field's column: the one ``named`` for it, or else the first whose
    header ``data/columns.toml`` knows for it. A named column absent from ``header`` is left
    out."""
    named = named or {}
    keys = [header_key(name) for name in header]
    columns: dict[Field, int] = {}
    for field_name, wanted in named.items():
        if header_key(wanted) in keys:
            columns[field_name] = keys.index(header_key(wanted))
    taken = set(columns.values())
    known = _column_names()
    for position, key in enumerate(keys):
        found = known.get(key)
        if (
            found is not None
            and found not in columns
            and found not in named
            and position not in taken
        ):
            columns[found] = position
    return columns


def header_problem(
    header: Sequence[str], columns: dict[Field, int], named: Mapping[Field, str]
) -> str | None:
    """What a header lacks: a column named for a field, or a required field's column."""
    absent = [f"{wanted!r} (for {name})" for name, wanted in named.items() if name not in columns]
    if absent:
        found = ", ".join(repr(name) for name in header)
        return f"the header has no column {' nor '.join(absent)}: its columns are {found}"
    missing = [name for name in _REQUIRED_FIELDS if name not in columns]
    if missing:
        return (
            f"the header {', '.join(header)} lacks {', '.join(missing)}: "
            f"expected {expected_headers()} columns"
        )
    return None


def table_columns(
    header: list[str], shape: TableShape, path: Path | str, line: int, guessed_delimiter: str
) -> dict[Field, int]:
    """The columns of a CSV, TSV or Excel table; raises, naming the header's line, when the
    header lacks one. A header read as one column was likely split at the wrong delimiter."""
    columns = recognise_columns(header, shape.columns)
    problem = header_problem(header, columns, shape.columns)
    if problem is None:
        return columns
    if guessed_delimiter and len(header) == 1:
        problem += (
            f" (read with the delimiter {guessed_delimiter!r}, guessed from the first lines: "
            "name another with --delimiter or the sidecar's [columns] delimiter)"
        )
    raise SourceError(path, problem, line=line)


def ignored_headers(header: Sequence[str], columns: dict[Field, int]) -> list[str]:
    """The headers of the columns osgraph does not read."""
    used = set(columns.values())
    return [name for position, name in enumerate(header) if position not in used]


def expected_headers(named: Mapping[Field, str] | None = None) -> str:
    """The headers a list needs, for messages: those ``named``, else the usual ones."""
    if not named:
        return "project/institutions/countries (成果/机构/国)"
    return "/".join(
        repr(named[name]) if name in named else name
        for name in ALL_FIELDS
        if name in _REQUIRED_FIELDS or name in named
    )
