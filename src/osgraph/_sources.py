"""Read lists of achievements into entries: markdown tables as published, CSV, TSV and Excel.

A list is a table with a project column, an institutions column and a countries column (the
headers each may use are in ``data/columns.toml``; a :class:`TableShape` names others). Every row
becomes an :class:`Entry` that remembers the file, line and raw text it came from.

Markdown tables are read as real pages publish them, which a GFM table parser gets wrong:

- a cell may hold several values separated by a *bare* ``|`` (no space on either side), as in
  ``Microsoft|Tsinghua University``. GFM would split that cell into extra columns; here only a
  ``|`` with white space beside it (or at the edge of the row) separates columns;
- cells may be wrapped in HTML (``<font style=...>``) and emphasis (``**``), which are dropped;
- a value may be a link ``[name](url)``: the name is the value, the URL its homepage;
- runs of white space inside names and around them collapse to one space;
- a blank line or an HTML comment between rows does not end a table, and a later table with the
  same headers is read as part of the list.

Only CR, LF and CRLF end a line, in markdown and CSV alike (``str.splitlines`` also breaks at VT,
FF, FS, GS, RS, NEL and the Unicode line and paragraph separators, which a cell may hold), so
every row keeps the line number an editor shows. Nothing read is dropped without a word: a row
is an entry, or is refused (with ``lenient``, listed in ``Source.rejected``) with its reason; a
line that looks like a row but lies outside the list's tables, and a table that is not a list,
are listed in ``Source.notices``.

A sidecar file beside the source, of the same name ending in ``.toml``, says which edition of
which list series the file is and, in its ``[columns]`` table, how a table that
``data/columns.toml`` does not describe is laid out (see ``data/README.md``).
"""

from __future__ import annotations

import csv
import datetime as dt
import html.parser
import io
import re
import tomllib
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, partial
from pathlib import Path
from typing import Literal, TypeVar

from osgraph import _resources
from osgraph._errors import ConfigurationError, SourceError
from osgraph._iri import is_web_address
from osgraph._turtle import is_language_tag

BUNDLED_LIST = "benchcouncil-open100-2022-2023.md"

Field = Literal["project", "institutions", "countries", "homepage"]
_REQUIRED_FIELDS: tuple[Field, ...] = ("project", "institutions", "countries")
_ALL_FIELDS: tuple[Field, ...] = (*_REQUIRED_FIELDS, "homepage")
_FIELDS: dict[str, Field] = {name: name for name in _ALL_FIELDS}

_MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
_CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
_EXCEL_SUFFIXES = frozenset({".xlsx"})
_FORMATS = "markdown (.md), CSV (.csv, .txt), TSV (.tsv) and Excel (.xlsx) files"

_DELIMITER_NAMES = {
    "tab": "\t",
    "\\t": "\t",
    "comma": ",",
    "semicolon": ";",
    "pipe": "|",
    "space": " ",
}
# Left free, csv.Sniffer may split at a letter, or at the spaces inside names.
_SNIFFED_DELIMITERS = ",;\t|"
_SNIFFED_LINES = 20

_WHITESPACE = re.compile(r"\s+")
_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<url>[^)\s]*)(?:\s+\"[^\"]*\")?\)")
# \Z, not $: $ also matches before a final newline.
_EMPHASIS = re.compile(r"\A(\*\*|__)(?P<inner>.*)\1\Z", re.DOTALL)
_DELIMITER_CELL = re.compile(r"\A\s*:?-+:?\s*\Z")
_DELIMITER_LINE = re.compile(r"[\s|:-]*-[\s|:-]*\Z")
# A BCP 47 language tag, as xsd:language has it.
# What ends a line: CR, LF or CRLF, and nothing else.
_LINE_END = re.compile(r"\r\n|\r|\n")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
# What str.splitlines also breaks at: VT, FF, FS, GS, RS, NEL, LINE and PARAGRAPH SEPARATOR.
_OTHER_LINE_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
H = TypeVar("H", bound=Hashable)

_CSV_VALUE_SEPARATOR = re.compile(r"[;|]")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an entry was read: the list it belongs to, the file, the line and the raw text."""

    list_id: str
    file: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Mention:
    """A name as a list writes it, with the homepage it links the name to, if any."""

    name: str
    homepage: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of a list: a project, the institutions that built it and their countries."""

    project: Mention
    institutions: tuple[Mention, ...]
    countries: tuple[str, ...]
    origin: Origin


@dataclass(frozen=True, slots=True)
class ListInfo:
    """Which list a source file is: an edition (``id``) of a series, with where it was published."""

    id: str
    file_name: str
    title: dict[str, str] = field(default_factory=dict)
    period: str | None = None
    issued: dt.date | None = None
    landing_page: str | None = None
    report: str | None = None
    language: str | None = None
    series_id: str | None = None
    series_title: str | None = None
    publisher: str | None = None


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row that was read and left out of the graph, and why."""

    origin: Origin
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Source:
    """A source file read in full: which list it is, its entries, the rows it rejected (only
    when read leniently) and the columns it ignored.

    ``notices`` holds what was read and is not a row of the list, with why: a line of a markdown
    file that looks like a table row but lies outside the list's tables (after prose, or inside
    an HTML comment), and a table whose headers are not a list's. They are not rows: rows read
    are ``entries`` and ``rejected``.
    """

    info: ListInfo
    entries: tuple[Entry, ...]
    ignored_columns: tuple[str, ...] = ()
    rejected: tuple[Rejection, ...] = ()
    notices: tuple[Rejection, ...] = ()


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
            fields_of.setdefault(_header_key(header), []).append(name)
        for header_key, names in fields_of.items():
            if len(names) > 1:
                raise ConfigurationError(
                    f"{' and '.join(names)} are named to one column, {header_key!r}"
                )
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
            delimiter=None if delimiter is None else _delimiter_named(delimiter),
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


def bundled_list() -> Path:
    """Return the path of the list that ships with osgraph (BenchCouncil Open100 2022-2023).

    Examples
    --------
    >>> bundled_list().name
    'benchcouncil-open100-2022-2023.md'
    """
    return _resources.path("data", BUNDLED_LIST)


def read_source(
    path: Path | str,
    *,
    encoding: str | None = None,
    lenient: bool = False,
    shape: TableShape | None = None,
) -> Source:
    """Read a list from a markdown (``.md``), CSV (``.csv``, ``.txt``), TSV (``.tsv``) or Excel
    (``.xlsx``) file, with its sidecar if any.

    Parameters
    ----------
    path
        The file.
    encoding
        The encoding of a text file (default: UTF-8).
    lenient
        Leave a row that cannot be read out, and list it in ``Source.rejected`` with its
        reason, instead of stopping.
    shape
        The table's columns, separator and delimiter (see :class:`TableShape`): what it names
        overrides the sidecar's ``[columns]``, which overrides ``data/columns.toml``.

    Raises
    ------
    SourceError
        When the file is missing, cannot be decoded, holds no recognisable table, lacks a
        column ``shape`` or its sidecar names, or (unless ``lenient``) a row or cell cannot be
        read; the message names the file, line and cell.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _MARKDOWN_SUFFIXES | _CSV_SUFFIXES | _EXCEL_SUFFIXES:
        raise SourceError(path, f"osgraph reads {_FORMATS}")
    data = _read_bytes(path)
    sidecar, settings = _read_sidecar(path)
    info = _list_info(path, sidecar, settings)
    shape = (shape or TableShape()).over(_sidecar_shape(sidecar, settings))
    shown = _display_path(path)
    rejected: list[Rejection] | None = [] if lenient else None
    notices: list[Rejection] = []
    if suffix in _EXCEL_SUFFIXES:
        entries, ignored = read_excel_table(
            data, shown, list_id=info.id, rejected=rejected, shape=shape
        )
    elif suffix in _CSV_SUFFIXES:
        if suffix == ".tsv":
            shape = replace(shape, delimiter="\t")
        text = _decode(data, path, encoding)
        entries, ignored = read_csv_table(
            text, shown, list_id=info.id, rejected=rejected, shape=shape
        )
    else:
        text = _decode(data, path, encoding)
        entries, ignored = read_markdown_table(
            text, shown, list_id=info.id, rejected=rejected, shape=shape, notices=notices
        )
    return Source(
        info=info,
        entries=tuple(entries),
        ignored_columns=tuple(ignored),
        rejected=tuple(rejected or ()),
        notices=tuple(notices),
    )


def split_lines(text: str, *, keepends: bool = False) -> list[str]:
    """The lines of ``text``, ended by CR, LF or CRLF only (unlike ``str.splitlines``, which
    also ends them at VT, FF, FS, GS, RS, NEL, U+2028 and U+2029).

    Examples
    --------
    >>> split_lines("a\\vb|c\\r\\nd\\u2028e\\rf\\n")
    ['a\\x0bb|c', 'd\\u2028e', 'f']
    >>> split_lines("a\\x1cb\\r\\n\\nc", keepends=True)
    ['a\\x1cb\\r\\n', '\\n', 'c']
    """
    if _OTHER_LINE_BREAKS.search(text) is None:
        return text.splitlines(keepends)
    if keepends:
        return _LINE.findall(text)
    lines = _LINE_END.split(text)
    if not lines[-1]:  # the text ends with a line break, or is empty
        lines.pop()
    return lines


def read_list_info(path: Path) -> ListInfo:
    """Describe the list in ``path`` from its sidecar ``.toml``, or from its file name alone."""
    return _list_info(path, *_read_sidecar(path))


def _read_sidecar(path: Path) -> tuple[Path, dict[str, object]]:
    """The sidecar of the list in ``path``, and its settings (none when there is no sidecar)."""
    sidecar = path.with_suffix(".toml")
    if not sidecar.is_file():
        return sidecar, {}
    try:
        return sidecar, tomllib.loads(_read_text(sidecar))
    except tomllib.TOMLDecodeError as error:
        raise SourceError(sidecar, f"not valid TOML: {error}") from None


_SIDECAR_KEYS = {
    "": ("list", "series", "columns"),
    "list": ("id", "title", "period", "issued", "landing_page", "report", "language"),
    "series": ("id", "title", "publisher"),
}


def _list_info(path: Path, sidecar: Path, settings: dict[str, object]) -> ListInfo:
    listing = _table(settings, "list", sidecar)
    series = _table(settings, "series", sidecar)
    for name, table in (("", settings), ("list", listing), ("series", series)):
        _check_keys(table, name, sidecar)
    issued = listing.get("issued")
    # A TOML date and time is a datetime, which is also a date: an xsd:date must be a day.
    if isinstance(issued, dt.datetime):
        raise SourceError(
            sidecar,
            "[list] issued must be a date such as 2023-11-08, not a date and time "
            f"({issued.isoformat()})",
        )
    if issued is not None and not isinstance(issued, dt.date):
        raise SourceError(sidecar, "[list] issued must be a date such as 2023-11-08")
    title = listing.get("title", {})
    if not isinstance(title, dict) or not all(
        isinstance(text, str) and text.strip() for text in title.values()
    ):
        raise SourceError(sidecar, '[list] title must be a table of languages: en = "..."')
    for language in title:
        _check_language(language, "[list] title", sidecar)
    language = _text(listing, "language", sidecar)
    if language is not None:
        _check_language(language, "[list] language", sidecar)
    return ListInfo(
        id=_text(listing, "id", sidecar) or _list_id_from_file_name(path),
        file_name=path.name,
        title={lang: text.strip() for lang, text in sorted(title.items())},
        period=_text(listing, "period", sidecar),
        issued=issued,
        landing_page=_web_address(listing, "landing_page", sidecar),
        report=_web_address(listing, "report", sidecar),
        language=language,
        series_id=_text(series, "id", sidecar),
        series_title=_text(series, "title", sidecar),
        publisher=_text(series, "publisher", sidecar),
    )


def _check_keys(table: dict[str, object], name: str, sidecar: Path) -> None:
    """Refuse a key the sidecar's table ``name`` does not have: a misspelt key would otherwise
    be dropped without a word."""
    known = _SIDECAR_KEYS[name]
    for key in table:
        if key not in known:
            where = f"[{name}] {key}" if name else f"[{key}]"
            raise SourceError(
                sidecar, f"{where} is not a setting osgraph knows: use {', '.join(known)}"
            )


def _check_language(tag: str, where: str, sidecar: Path) -> None:
    # The writer's own rule, so that what the reader accepts is what the graph can hold.
    if not is_language_tag(tag):
        raise SourceError(
            sidecar, f"{where}: {tag!r} is not a language tag (BCP 47, such as en or zh-Hans)"
        )


def _web_address(table: dict[str, object], key: str, sidecar: Path) -> str | None:
    value = _text(table, key, sidecar)
    if value is not None and not is_web_address(value):
        raise SourceError(sidecar, f"[list] {key} must be an http(s) URL, not {value!r}")
    return value


def _sidecar_shape(sidecar: Path, settings: dict[str, object]) -> TableShape:
    """The shape the sidecar's ``[columns]`` table gives the list."""
    table = _table(settings, "columns", sidecar)
    known = [*_ALL_FIELDS, "separator", "delimiter", "sheet"]
    texts: dict[str, str] = {}
    for key, value in table.items():
        if key not in known:
            raise SourceError(
                sidecar, f"[columns] {key} is not a setting osgraph knows: use {', '.join(known)}"
            )
        if not isinstance(value, str) or not value:
            raise SourceError(sidecar, f"[columns] {key} must be a non-empty string")
        texts[key] = value
    delimiter = texts.get("delimiter")
    try:
        return TableShape(
            {name: texts[name].strip() for name in _ALL_FIELDS if name in texts},
            separator=texts.get("separator"),
            delimiter=None if delimiter is None else _delimiter_named(delimiter),
            sheet=texts.get("sheet"),
        )
    except ConfigurationError as error:
        raise SourceError(sidecar, f"[columns]: {error}") from None


def _delimiter_named(name: str) -> str:
    """The character a delimiter's name stands for, or the name itself when it has none."""
    return _DELIMITER_NAMES.get(name.lower(), name)


def _field_names() -> str:
    return f"{', '.join(_ALL_FIELDS[:-1])} or {_ALL_FIELDS[-1]}"


def read_markdown_table(
    text: str,
    path: Path | str,
    *,
    list_id: str,
    rejected: list[Rejection] | None = None,
    shape: TableShape | None = None,
    notices: list[Rejection] | None = None,
) -> tuple[list[Entry], list[str]]:
    """Read the table of a markdown text that has project, institutions and countries columns,
    and every later table with the same headers.

    Returns the entries and the headers of the columns that were ignored. A row that cannot be
    read raises, unless ``rejected`` is a list: then it goes there, with its reason. Of
    ``shape``, only the columns it names apply: values in a cell are separated by a bare ``|``.

    A blank line or an HTML comment between rows does not end the table: a row after it is a
    row. Prose does, and a table after it is read when it has the first table's headers. What
    else looks like a row goes to ``notices`` (when it is a list), with its line and why: a line
    outside any table, a line inside an HTML comment, and a table that is not a list (once, for
    all its rows). The rows of a later table with other headers of a list are refused.

    Examples
    --------
    >>> page = '''Prose before the table.
    ...
    ... | Project | Institution | Country |
    ... | --- | --- | --- |
    ... | <font>ChatGLM</font> | Tsinghua University|Zhipu.AI | China |
    ...
    ... | Jq | Trinity College Dublin | Ireland |
    ... '''
    >>> entries, ignored = read_markdown_table(page, "list.md", list_id="demo")
    >>> [m.name for m in entries[0].institutions], entries[0].countries, entries[0].origin.line
    (['Tsinghua University', 'Zhipu.AI'], ('China',), 5)
    >>> entries[1].project.name, entries[1].origin.line
    ('Jq', 7)
    """
    reader = _MarkdownReader(
        split_lines(text), path, list_id, shape.columns if shape else {}, rejected
    )
    entries, ignored = reader.read()
    if notices is not None:
        notices.extend(reader.notices())
    return entries, ignored


@dataclass(slots=True)
class _MarkdownTable:
    """A table of a markdown text: its header's line and cells, and the lines of its rows."""

    line: int
    header: list[str]
    columns: dict[Field, int]
    role: Literal["list", "other list", "other"]
    rows: list[int] = field(default_factory=list)

    @property
    def layout(self) -> list[str]:
        """What each column holds: the field osgraph reads in it, or its header (compared
        without case) when osgraph ignores it. Tables of one layout are one list, whatever
        words their headers use (成果, Project)."""
        fields = {position: name for name, position in self.columns.items()}
        return [
            fields.get(position, _header_key(name)) for position, name in enumerate(self.header)
        ]

    def __str__(self) -> str:
        return f"line {self.line}: {' | '.join(self.header)}"


class _MarkdownReader:
    """Reads the lines of a markdown text, table by table (see :func:`read_markdown_table`)."""

    def __init__(
        self,
        lines: list[str],
        path: Path | str,
        list_id: str,
        named: Mapping[Field, str],
        rejected: list[Rejection] | None,
    ) -> None:
        self.lines = lines
        self.path = path
        self.list_id = list_id
        self.file_name = str(path)  # one string for every row's origin
        self.named = named
        self.rejected = rejected
        self.entries: list[Entry] = []
        self.shared = _Shared()
        self.tables: list[_MarkdownTable] = []
        self.first: _MarkdownTable | None = None
        self.rows = 0  # the rows of the list's tables, read or refused
        self.strays: list[tuple[int, str]] = []  # (line, where) of rows outside any table

    def read(self) -> tuple[list[Entry], list[str]]:
        lines = self.lines
        table: _MarkdownTable | None = None
        gap = False  # a blank line or a comment since the table's last row
        ended: int | None = None  # the line of the prose that ended the last table
        index = 0
        while index < len(lines):
            line = lines[index]
            stripped = line.strip()
            if not stripped:
                gap = True
                index += 1
                continue
            if stripped.startswith("<!--"):
                end = _comment_end(lines, index)
                if end is not None:
                    for inner in range(index, end + 1):
                        if _looks_like_row(lines[inner]):
                            self.strays.append((inner + 1, "inside an HTML comment"))
                    gap = True
                    index = end + 1
                    continue
            if self._starts_table(index, inside=table is not None and not gap):
                table = self._open(index)
                gap, ended = False, None
                index += 2
                continue
            # Right after a row, any line with a | is a row (a short one is refused, not
            # passed over); after a gap, a line that looks like one.
            if table is not None and ("|" in line if not gap else _looks_like_row(line)):
                self._row(table, index)
                gap = False
                index += 1
                continue
            if table is not None:  # prose ends a table
                table, ended = None, index + 1
            elif _looks_like_row(line):
                where = f"outside the table (the prose on line {ended} ended it)"
                self.strays.append((index + 1, where if ended else "outside any table"))
            gap = False
            index += 1
        if self.first is None:
            found = "; ".join(str(t) for t in self.tables)
            raise SourceError(
                self.path,
                f"no table with {_expected_headers(self.named)} columns"
                + (f" (tables found: {found})" if found else ""),
            )
        if not self.rows:
            raise SourceError(self.path, "the table has a header but no rows", line=self.first.line)
        return self.entries, _ignored_headers(self.first.header, self.first.columns)

    def notices(self) -> list[Rejection]:
        """What was read and is not a row of the list, each at its line, with why."""
        found: list[Rejection] = []
        for table in self.tables:
            if table.role != "other":
                continue
            rows = table.rows
            what = (
                "has no rows"
                if not rows
                else f"its row (line {rows[0]}) is not read"
                if len(rows) == 1
                else f"its {len(rows)} rows (lines {rows[0]}-{rows[-1]}) are not read"
            )
            message = (
                f"a table whose columns are {' | '.join(table.header)} is not a list (it has "
                f"no {_expected_headers(self.named)} columns): {what}"
            )
            found.append(Rejection(self._origin(table.line), message))
        found += [
            Rejection(
                self._origin(line), f"the line looks like a table row, {where}: it is not read"
            )
            for line, where in self.strays
        ]
        return sorted(found, key=lambda notice: notice.origin.line)

    def _origin(self, line: int) -> Origin:
        return Origin(self.list_id, self.file_name, line, self.lines[line - 1])

    def _starts_table(self, index: int, *, inside: bool) -> bool:
        """Whether a table's header is at ``index``, its delimiter row after it. Right after a
        row (``inside``), only the header of a list starts a table: GFM reads any other pair of
        lines there as two rows."""
        lines = self.lines
        if index + 1 >= len(lines) or "|" not in lines[index]:
            return False
        if not _is_delimiter_row(lines[index + 1]):
            return False
        header = _split_plain_row(lines[index])
        if len(header) != len(_split_plain_row(lines[index + 1])):
            return False
        if not inside:
            return True
        names = [_clean_value(cell).name for cell in header]
        return _header_problem(names, _recognise_columns(names, self.named), self.named) is None

    def _open(self, index: int) -> _MarkdownTable:
        header = [_clean_value(cell).name for cell in _split_plain_row(self.lines[index])]
        columns = _recognise_columns(header, self.named)
        is_list = _header_problem(header, columns, self.named) is None
        table = _MarkdownTable(index + 1, header, columns, "other")
        if self.first is None and is_list:
            table.role = "list"
            self.first = table
        elif self.first is not None and table.layout == self.first.layout:
            table.role = "list"
        elif self.first is not None and is_list:
            table.role = "other list"
        self.tables.append(table)
        return table

    def _row(self, table: _MarkdownTable, index: int) -> None:
        number = index + 1
        table.rows.append(number)
        first = self.first
        if table.role == "other" or first is None:
            return
        self.rows += 1
        origin = Origin(self.list_id, self.file_name, number, self.lines[index])
        path, shared = self.path, self.shared
        if table.role == "other list":
            problem = SourceError(
                path,
                f"the row is in a table whose columns ({table}) are not those of the list's "
                f"first table ({first}): give the tables the same columns, or put each in a file "
                "of its own",
                line=number,
            )
            make: Callable[[], Entry] = partial(_raise, problem)
        else:
            make = partial(
                _markdown_entry,
                _split_row(origin.text),
                len(first.header),
                first.columns,
                origin,
                path,
                shared,
            )
        entry = _keep_or_reject(origin, self.rejected, make)
        if entry is not None:
            self.entries.append(entry)


def _raise(error: SourceError) -> Entry:
    raise error


def _looks_like_row(line: str) -> bool:
    """Whether a line looks like a row of a markdown table: it begins with ``|``, or a ``|``
    with white space beside it separates columns in it."""
    return line.lstrip().startswith("|") or len(_split_row(line)) > 1


def _comment_end(lines: Sequence[str], index: int) -> int | None:
    """The index of the line where the HTML comment that opens line ``index`` ends (the last
    line, when it never does), or ``None`` when that line holds more than comments."""
    inside = False
    for current in range(index, len(lines)):
        text = lines[current]
        position = 0
        while position < len(text):
            if inside:
                close = text.find("-->", position)
                if close == -1:
                    break
                inside, position = False, close + 3
            else:
                opening = text.find("<!--", position)
                if (
                    current == index
                    and text[position : len(text) if opening == -1 else opening].strip()
                ):
                    return None
                if opening == -1:
                    break
                inside, position = True, opening + 4
        if not inside:
            return current
    return len(lines) - 1


def read_csv_table(
    text: str,
    path: Path | str,
    *,
    list_id: str,
    rejected: list[Rejection] | None = None,
    shape: TableShape | None = None,
) -> tuple[list[Entry], list[str]]:
    """Read a CSV list: columns project, institutions, countries and optionally homepage.

    Columns are separated by ``shape.delimiter``, or by the delimiter :class:`csv.Sniffer`
    finds in the first lines (a comma when it finds none). Several institutions or countries in
    one cell are separated by ``shape.separator``, or by ``;`` or ``|``. Returns the entries and
    the headers of the columns that were ignored. A row that cannot be read raises, unless
    ``rejected`` is a list: then it goes there, with its reason.

    Examples
    --------
    >>> table = (
    ...     "project,institutions,countries\\n"
    ...     'GraphScope,"Alibaba Group; University of Edinburgh",China|UK\\n'
    ... )
    >>> entries, _ = read_csv_table(table, "list.csv", list_id="demo")
    >>> [m.name for m in entries[0].institutions], entries[0].countries
    (['Alibaba Group', 'University of Edinburgh'], ('China', 'UK'))
    >>> table = "Model;Organization;Country\\nChatGLM;Tsinghua University, Zhipu.AI;China\\n"
    >>> shape = TableShape({"project": "Model", "institutions": "Organization"}, separator=",")
    >>> entries, _ = read_csv_table(table, "list.csv", list_id="demo", shape=shape)
    >>> [m.name for m in entries[0].institutions]
    ['Tsinghua University', 'Zhipu.AI']
    """
    shape = shape or TableShape()
    lines = split_lines(text, keepends=True)
    delimiter = shape.delimiter or _sniff_delimiter(lines)
    reader = csv.reader(lines, delimiter=delimiter)
    read_project, read_values = _cell_readers(shape.separator)
    header: list[str] | None = None
    columns: dict[Field, int] = {}
    entries: list[Entry] = []
    shared = _Shared()
    file_name = str(path)  # one string for every row's origin
    rows = 0
    while True:
        first_line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            # A cell longer than csv's limit: most likely a quote that is never closed.
            quote = _unbalanced_quote(lines, first_line, reader.line_num, delimiter)
            if quote is None:
                raise SourceError(path, f"not valid CSV: {error}", line=reader.line_num) from None
            quote = replace(
                quote, closing=f"is not closed within {csv.field_size_limit()} characters"
            )
            if header is None or rejected is None:
                raise quote.error(path) from None
            rows += quote.reject(lines, list_id, file_name, first_line, rejected)
            continue
        last_line = reader.line_num
        raw = (
            lines[first_line - 1]
            if last_line == first_line
            else "".join(lines[first_line - 1 : last_line])
        )
        raw = raw.rstrip("\r\n")
        if not raw.strip():  # a blank line
            continue
        # A record of several lines, or the last one, may hold a quote that is never closed.
        quote = None
        if last_line > first_line or last_line == len(lines):
            quote = _unbalanced_quote(lines, first_line, last_line, delimiter)
        if header is None:
            if quote is not None:
                raise quote.error(path)
            if not "".join(record).strip():  # a row of separators above the header
                continue
            header = [_normalise_whitespace(value) for value in record]
            guessed = shape.delimiter is None
            columns = _table_columns(header, shape, path, first_line, delimiter if guessed else "")
            continue
        if quote is not None:
            if rejected is None:
                raise quote.error(path)
            rows += quote.reject(lines, list_id, file_name, first_line, rejected)
            continue
        rows += 1
        origin = Origin(list_id, file_name, first_line, raw)
        if not "".join(record).strip():  # a row of separators and blanks
            empty = SourceError(path, _EMPTY_ROW, line=first_line)
            _keep_or_reject(origin, rejected, partial(_raise, empty))
            continue
        make: Callable[[], Entry] = partial(
            _csv_entry,
            record,
            len(header),
            columns,
            origin,
            path,
            shared,
            read_project,
            read_values,
        )
        if last_line > first_line:
            make = partial(_spanning, make, first_line, last_line)
        entry = _keep_or_reject(origin, rejected, make)
        if entry is not None:
            entries.append(entry)
    if header is None:
        raise SourceError(path, f"the file is empty: expected {_expected_headers()} columns")
    if not rows:
        raise SourceError(path, "the table has a header but no rows")
    return entries, _ignored_headers(header, columns)


@dataclass(frozen=True, slots=True)
class _UnbalancedQuote:
    """A quoted cell of a CSV file that takes in the lines after it: it begins on line
    ``opened``, takes in every line up to ``last``, and ``closing`` says how it ends."""

    opened: int
    last: int
    closing: str

    def message(self) -> str:
        taken = self.last - self.opened
        if not taken:
            return f"a quoted cell begins here and {self.closing} ({_QUOTE_HINT})"
        lines = f"line {self.last}" if taken == 1 else f"lines {self.opened + 1}-{self.last}"
        return (
            f"a quoted cell begins here and {self.closing}: it takes in the "
            f"{taken} line{'s' if taken > 1 else ''} after it ({lines}); {_QUOTE_HINT}"
        )

    def error(self, path: Path | str) -> SourceError:
        return SourceError(path, self.message(), line=self.opened)

    def reject(
        self,
        lines: Sequence[str],
        list_id: str,
        file_name: str,
        first: int,
        rejected: list[Rejection],
    ) -> int:
        """Reject the row the cell is in, and each line it takes in that is not blank; return
        how many rows that is."""
        text = "".join(lines[first - 1 : self.opened]).rstrip("\r\n")
        rejected.append(Rejection(Origin(list_id, file_name, first, text), self.message()))
        count = 1
        for number in range(self.opened + 1, self.last + 1):
            text = lines[number - 1].rstrip("\r\n")
            if text.strip():
                reason = (
                    f"taken into the quoted cell that begins on line {self.opened}, "
                    f"which {self.closing}"
                )
                rejected.append(Rejection(Origin(list_id, file_name, number, text), reason))
                count += 1
        return count


_QUOTE_HINT = 'is a " missing or left over? A " inside a quoted cell is written ""'


def _unbalanced_quote(
    lines: Sequence[str], first: int, last: int, delimiter: str
) -> _UnbalancedQuote | None:
    """The quoted cell of the record on lines ``first`` to ``last`` that is never closed, or
    that takes in whole lines and ends with text after its closing quote (which csv reads as
    part of the cell); ``None`` when there is none. Read as :mod:`csv` reads them."""
    start, unquoted, quoted, closed, after = range(5)
    state, opened = start, first
    for number in range(first, last + 1):
        for character in lines[number - 1]:
            if state == quoted:
                if character == '"':
                    state = closed
            elif state == start:
                if character == '"':
                    state, opened = quoted, number
                elif character != delimiter and character not in "\r\n":
                    state = unquoted
            elif state == unquoted:
                if character == delimiter or character in "\r\n":
                    state = start
            elif character == '"' and state == closed:
                state = quoted  # a doubled quote
            elif character == delimiter or character in "\r\n":
                state = start
            elif character.isspace():
                state = after
            elif opened < number:
                closing = f"ends on line {number} with text after its closing quote"
                return _UnbalancedQuote(opened, number, closing)
            else:
                state = unquoted  # "a"b on one line: csv reads it as ab
    if state == quoted:
        return _UnbalancedQuote(opened, last, "is never closed (the file ends inside it)")
    return None


def _spanning(make: Callable[[], Entry], first: int, last: int) -> Entry:
    """The entry ``make`` reads of a record of several lines; its refusal names them."""
    try:
        return make()
    except SourceError as error:
        raise SourceError(
            error.path,
            f"{error.message} (the row spans lines {first}-{last}: a quoted cell holds "
            "line breaks)",
            line=error.line,
            cell=error.cell,
        ) from None


def read_excel_table(
    data: bytes,
    path: Path | str,
    *,
    list_id: str,
    rejected: list[Rejection] | None = None,
    shape: TableShape | None = None,
) -> tuple[list[Entry], list[str]]:
    """Read a list from the first sheet of an Excel workbook (``.xlsx``), or from ``shape.sheet``.

    The first row that is not empty is the header. Each row's line is its row number in the
    sheet, and its raw text the values of its cells joined by tabs; numbers and dates are read as
    their text, and a formula as the value last computed for it. Several institutions or
    countries in one cell are separated by ``shape.separator``, or by ``;`` or ``|``. Returns
    the entries and the headers of the columns that were ignored. A row that cannot be read
    raises, unless ``rejected`` is a list: then it goes there, with its reason.

    Examples
    --------
    >>> import io, openpyxl
    >>> workbook = openpyxl.Workbook()
    >>> workbook.active.append(["Project", "Institutions", "Countries", "Stars"])
    >>> workbook.active.append(["Jq", "Trinity College Dublin", "Ireland", 30000])
    >>> workbook.save(data := io.BytesIO())
    >>> entries, ignored = read_excel_table(data.getvalue(), "list.xlsx", list_id="demo")
    >>> entries[0].origin.line, entries[0].origin.text, ignored
    (2, 'Jq\\tTrinity College Dublin\\tIreland\\t30000', ['Stars'])
    """
    # Imported here: openpyxl takes a while to load, and only workbooks need it.
    from openpyxl import load_workbook

    shape = shape or TableShape()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        # openpyxl fails in many ways (zip, XML, missing parts) on what is not a whole workbook.
        raise SourceError(path, f"is not an Excel workbook osgraph can read ({error})") from None
    try:
        sheets = {sheet.title: sheet for sheet in workbook.worksheets}
        if not sheets:
            raise SourceError(path, "the workbook has no sheet")
        name = shape.sheet or next(iter(sheets))
        if name not in sheets:
            names = ", ".join(repr(title) for title in sheets)
            raise SourceError(path, f"has no sheet {name!r}: its sheets are {names}")
        sheet = sheets[name]
        # Read-only sheets trust the used range a workbook states, which some writers get wrong:
        # forgetting it reads every row and cell there is.
        sheet.reset_dimensions()
        return _sheet_table(
            sheet.iter_rows(min_row=1, values_only=True), path, list_id, rejected, shape
        )
    finally:
        workbook.close()


def _sheet_table(
    rows: Iterator[tuple[object, ...]],
    path: Path | str,
    list_id: str,
    rejected: list[Rejection] | None,
    shape: TableShape,
) -> tuple[list[Entry], list[str]]:
    """Read the rows of a sheet, as read_csv_table reads the records of a CSV file."""
    read_project, read_values = _cell_readers(shape.separator)
    header: list[str] | None = None
    columns: dict[Field, int] = {}
    entries: list[Entry] = []
    shared = _Shared()
    file_name = str(path)  # one string for every row's origin
    rows_read = 0
    for number, values in _sheet_rows(rows, path):
        record = [_cell_text(value) for value in values]
        # A sheet's rows end at their last cell with a value, not at the header's width.
        while record and not record[-1].strip():
            record.pop()
        if not record:
            continue
        if header is None:
            header = [_normalise_whitespace(value) for value in record]
            columns = _table_columns(header, shape, path, number, "")
            continue
        raw = "\t".join(record)
        record += [""] * (len(header) - len(record))
        rows_read += 1
        origin = Origin(list_id, file_name, number, raw)
        make = partial(
            _csv_entry,
            record,
            len(header),
            columns,
            origin,
            path,
            shared,
            read_project,
            read_values,
        )
        entry = _keep_or_reject(origin, rejected, make)
        if entry is not None:
            entries.append(entry)
    if header is None:
        raise SourceError(path, f"the sheet is empty: expected {_expected_headers()} columns")
    if not rows_read:
        raise SourceError(path, "the table has a header but no rows")
    return entries, _ignored_headers(header, columns)


def _sheet_rows(
    rows: Iterator[tuple[object, ...]], path: Path | str
) -> Iterator[tuple[int, tuple[object, ...]]]:
    """The rows of a sheet with their numbers, from 1 (openpyxl yields empty rows for gaps); a
    sheet openpyxl cannot read to its end raises a SourceError at the row it fails on."""
    number = 1
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as error:
            # A damaged sheet fails as its XML is parsed, row by row, in as many ways.
            raise SourceError(
                path, f"the sheet cannot be read from here on ({error})", line=number
            ) from None
        yield number, values
        number += 1


def _cell_text(value: object) -> str:
    """A cell's value as the text the list means by it: ``360``, not ``360.0``; a date without a
    time of midnight."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


class _Shared:
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
            values = self._cells[text] = read(text)
        return values


def _keep_or_reject(
    origin: Origin, rejected: list[Rejection] | None, make: Callable[[], Entry]
) -> Entry | None:
    """The entry ``make`` reads; or, when it cannot and ``rejected`` is a list, ``None`` with
    the row and its reason in ``rejected``."""
    try:
        return make()
    except SourceError as error:
        if rejected is None:
            raise
        reason = error.message if error.cell is None else f"cell {error.cell!r}: {error.message}"
        rejected.append(Rejection(origin, reason))
        return None


def _markdown_entry(
    cells: list[list[str]],
    width: int,
    columns: dict[Field, int],
    origin: Origin,
    path: Path | str,
    shared: _Shared,
) -> Entry:
    cleaned = [[_clean_value(piece) for piece in cell] for cell in cells]
    if not any(mention.name or mention.homepage for cell in cleaned for mention in cell):
        raise SourceError(path, _EMPTY_ROW, line=origin.line)
    if len(cells) != width:
        raise SourceError(path, _cell_count_message(len(cells), width), line=origin.line)
    return _entry_from_cells(cleaned, columns, origin, path, shared)


def _csv_entry(
    record: list[str],
    width: int,
    columns: dict[Field, int],
    origin: Origin,
    path: Path | str,
    shared: _Shared,
    read_project: _ReadCell,
    read_values: _ReadCell,
) -> Entry:
    """Make an entry of a row of a CSV, TSV or Excel table (its cells' text)."""
    if len(record) != width:
        raise SourceError(path, _cell_count_message(len(record), width), line=origin.line)
    homepage, project = columns.get("homepage"), columns["project"]
    cells = [
        _single_value(value)
        if position == homepage
        else read_project(value)
        if position == project
        else shared.cell(value, read_values)
        for position, value in enumerate(record)
    ]
    return _entry_from_cells(cells, columns, origin, path, shared)


_ReadCell = Callable[[str], tuple[Mention, ...]]


def _cell_readers(separator: str | None) -> tuple[_ReadCell, _ReadCell]:
    """How to read a project's cell, and a cell of institutions or countries.

    By default both are split at ``;`` or ``|`` (a project's cell that then holds several is
    refused). A separator a list names splits the cells of institutions and countries only: a
    project's name may hold it (``Model, Inc.``).
    """
    if separator is None:
        return _csv_values, _csv_values

    def values(cell: str) -> tuple[Mention, ...]:
        return tuple(Mention(_normalise_whitespace(piece)) for piece in cell.split(separator))

    return _single_value, values


def _csv_values(cell: str) -> tuple[Mention, ...]:
    return tuple(
        Mention(_normalise_whitespace(piece)) for piece in _CSV_VALUE_SEPARATOR.split(cell)
    )


def _single_value(cell: str) -> tuple[Mention, ...]:
    return (Mention(_normalise_whitespace(cell)),)


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter :class:`csv.Sniffer` finds in the first lines, or a comma."""
    try:
        return csv.Sniffer().sniff("".join(lines[:_SNIFFED_LINES]), _SNIFFED_DELIMITERS).delimiter
    except csv.Error:
        return ","


def _display_path(path: Path) -> str:
    """Name a file as the user would: relative to the working folder when it lies inside it."""
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return str(path)


def _read_text(path: Path, encoding: str | None = None) -> str:
    return _decode(_read_bytes(path), path, encoding)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceError(path, "no such file") from None
    except IsADirectoryError:
        raise SourceError(path, "is a folder, not a file") from None
    except OSError as error:
        raise SourceError(path, f"cannot be read: {error.strerror}") from None


def _decode(data: bytes, path: Path, encoding: str | None) -> str:
    try:
        return data.decode(encoding or "utf-8-sig")
    except LookupError:
        raise SourceError(path, f"{encoding!r} is not an encoding Python knows") from None
    except UnicodeDecodeError as error:
        # What comes before the byte decodes; its lines end at CR, LF or CRLF, as the reader's.
        before = data[: error.start].decode(encoding or "utf-8-sig", errors="replace")
        line = len(_LINE_END.findall(before)) + 1
        if encoding:
            raise SourceError(
                path,
                f"is not {encoding} (byte 0x{data[error.start]:02x} cannot be decoded)",
                line=line,
            ) from None
        raise SourceError(
            path,
            f"is not UTF-8 (byte 0x{data[error.start]:02x} cannot be decoded); name its "
            "encoding, for example --encoding gb18030 for a Chinese file, or convert it to UTF-8",
            line=line,
        ) from None


def _table(settings: dict[str, object], name: str, sidecar: Path) -> dict[str, object]:
    table = settings.get(name, {})
    if not isinstance(table, dict):
        raise SourceError(sidecar, f"[{name}] must be a table")
    return table


def _text(table: dict[str, object], key: str, sidecar: Path) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise SourceError(sidecar, f"{key} must be a non-empty string")
    return value.strip()


def _list_id_from_file_name(path: Path) -> str:
    return _normalise_whitespace(path.stem)


@cache
def _column_names() -> dict[str, Field]:
    """Map each known header, case-folded, to the field it names (from ``data/columns.toml``)."""
    settings = tomllib.loads(_resources.text("data", "columns.toml"))
    known: dict[str, Field] = {}
    for field_name in ("project", "institutions", "countries", "homepage"):
        for header in settings[field_name]:
            known[_header_key(header)] = field_name
    return known


def _header_key(header: str) -> str:
    return _normalise_whitespace(header).casefold()


def _recognise_columns(
    header: Sequence[str], named: Mapping[Field, str] | None = None
) -> dict[Field, int]:
    """The position of each field's column: the one ``named`` for it, or else the first whose
    header ``data/columns.toml`` knows for it. A named column absent from ``header`` is left
    out."""
    named = named or {}
    keys = [_header_key(name) for name in header]
    columns: dict[Field, int] = {}
    for field_name, wanted in named.items():
        if _header_key(wanted) in keys:
            columns[field_name] = keys.index(_header_key(wanted))
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


def _header_problem(
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
            f"expected {_expected_headers()} columns"
        )
    return None


def _table_columns(
    header: list[str], shape: TableShape, path: Path | str, line: int, guessed_delimiter: str
) -> dict[Field, int]:
    """The columns of a CSV, TSV or Excel table; raises, naming the header's line, when the
    header lacks one. A header read as one column was likely split at the wrong delimiter."""
    columns = _recognise_columns(header, shape.columns)
    problem = _header_problem(header, columns, shape.columns)
    if problem is None:
        return columns
    if guessed_delimiter and len(header) == 1:
        problem += (
            f" (read with the delimiter {guessed_delimiter!r}, guessed from the first lines: "
            "name another with --delimiter or the sidecar's [columns] delimiter)"
        )
    raise SourceError(path, problem, line=line)


def _ignored_headers(header: Sequence[str], columns: dict[Field, int]) -> list[str]:
    used = set(columns.values())
    return [name for position, name in enumerate(header) if position not in used]


def _expected_headers(named: Mapping[Field, str] | None = None) -> str:
    if not named:
        return "project/institutions/countries (成果/机构/国)"
    return "/".join(
        repr(named[name]) if name in named else name
        for name in _ALL_FIELDS
        if name in _REQUIRED_FIELDS or name in named
    )


_EMPTY_ROW = "the row is empty"


def _cell_count_message(found: int, expected: int) -> str:
    return f"the row has {found} cells where the header has {expected}"


def _is_delimiter_row(line: str) -> bool:
    if _DELIMITER_LINE.match(line) is None:  # quick: most lines are not
        return False
    cells = _split_plain_row(line)
    return bool(cells) and "-" in line and all(_DELIMITER_CELL.match(cell) for cell in cells)


def _strip_row_edges(line: str) -> str:
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|") and not stripped.endswith("\\|"):
        stripped = stripped[:-1]
    return stripped


def _split_plain_row(line: str) -> list[str]:
    """Split a header or delimiter row, where every ``|`` separates columns."""
    return _strip_row_edges(line).split("|")


def _split_row(line: str) -> list[list[str]]:
    """Split a body row into cells, and each cell into its values.

    A ``|`` with white space on either side separates columns; a bare one (``a|b``, or an
    escaped ``a\\|b``) separates the values within a cell.
    """
    body = _strip_row_edges(line)
    cells: list[list[str]] = [[]]
    start = 0
    for position, character in enumerate(body):
        if character != "|":
            continue
        before = body[position - 1] if position > 0 else " "
        after = body[position + 1] if position + 1 < len(body) else " "
        piece = body[start:position]
        if before.isspace() or after.isspace():
            cells[-1].append(piece)
            cells.append([])
        else:
            cells[-1].append(piece.removesuffix("\\"))
        start = position + 1
    cells[-1].append(body[start:])
    return cells


def _entry_from_cells(
    cells: Sequence[Sequence[Mention]],
    columns: dict[Field, int],
    origin: Origin,
    path: Path | str,
    shared: _Shared,
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
        countries=shared(tuple([mention.name for mention in countries])),
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


class _TextOnly(html.parser.HTMLParser):
    """Collects the text of an HTML fragment, with character references decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _strip_html(fragment: str) -> str:
    if "<" not in fragment and "&" not in fragment:
        return fragment
    parser = _TextOnly()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)


def _clean_value(piece: str) -> Mention:
    """Turn one value of a cell into a name and, when it is a link, the link's URL."""
    homepage = None
    link = _LINK.search(piece)
    if link is not None:
        homepage = link["url"] or None
        piece = piece[: link.start()] + link["text"] + piece[link.end() :]
    name = _normalise_whitespace(_strip_html(piece))
    emphasis = _EMPHASIS.match(name)
    if emphasis is not None:
        name = emphasis["inner"].strip()
    return Mention(name, homepage)


def _normalise_whitespace(text: str) -> str:
    # Most values are already normal: printable ASCII (NFC leaves it as it is) with single
    # spaces inside and none around.
    if text.isascii() and text.isprintable() and "  " not in text and text.strip() == text:
        return text
    return unicodedata.normalize("NFC", _WHITESPACE.sub(" ", text).strip())
