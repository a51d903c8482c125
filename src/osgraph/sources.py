"""Read lists of achievements into entries: markdown tables as published, and CSV.

A list is a table with a project column, an institutions column and a countries column (the
headers each may use are in ``data/columns.toml``). Every row becomes an :class:`Entry` that
remembers the file, line and raw text it came from.

Markdown tables are read as real pages publish them, which a GFM table parser gets wrong:

- a cell may hold several values separated by a *bare* ``|`` (no space on either side), as in
  ``Microsoft|Tsinghua University``. GFM would split that cell into extra columns; here only a
  ``|`` with white space beside it (or at the edge of the row) separates columns;
- cells may be wrapped in HTML (``<font style=...>``) and emphasis (``**``), which are dropped;
- a value may be a link ``[name](url)``: the name is the value, the URL its homepage;
- runs of white space inside names and around them collapse to one space.

A sidecar file beside the source, of the same name ending in ``.toml``, says which edition of
which list series the file is (see ``data/README.md``).
"""

from __future__ import annotations

import csv
import datetime as dt
import html.parser
import re
import tomllib
import unicodedata
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal, TypeVar

from osgraph.errors import OsgraphError, SourceError
from osgraph.iri import is_web_address

BUNDLED_LIST = "benchcouncil-open100-2022-2023.md"

Field = Literal["project", "institutions", "countries", "homepage"]
_REQUIRED_FIELDS: tuple[Field, ...] = ("project", "institutions", "countries")

_MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
_CSV_SUFFIXES = frozenset({".csv"})

_WHITESPACE = re.compile(r"\s+")
_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<url>[^)\s]*)(?:\s+\"[^\"]*\")?\)")
_EMPHASIS = re.compile(r"^(\*\*|__)(?P<inner>.*)\1$")
_DELIMITER_CELL = re.compile(r"^\s*:?-+:?\s*$")
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
    when read leniently) and the columns it ignored."""

    info: ListInfo
    entries: tuple[Entry, ...]
    ignored_columns: tuple[str, ...] = ()
    rejected: tuple[Rejection, ...] = ()


def bundled_list() -> Path:
    """Return the path of the list that ships with osgraph (BenchCouncil Open100 2022-2023).

    Examples
    --------
    >>> bundled_list().name
    'benchcouncil-open100-2022-2023.md'
    """
    resource = resources.files("osgraph") / "data" / BUNDLED_LIST
    if not isinstance(resource, Path):
        raise OsgraphError("osgraph's bundled data can only be read from an installation on disk")
    return resource


def read_source(path: Path | str, *, encoding: str | None = None, lenient: bool = False) -> Source:
    """Read a list from a markdown (``.md``) or CSV (``.csv``) file, with its sidecar if any.

    ``encoding`` names the file's encoding (default: UTF-8). With ``lenient``, a row that cannot
    be read is left out and listed in ``Source.rejected`` with its reason, instead of stopping.

    Raises
    ------
    SourceError
        When the file is missing, cannot be decoded, holds no recognisable table, or (unless
        ``lenient``) a row or cell cannot be read; the message names the file, line and cell.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _MARKDOWN_SUFFIXES | _CSV_SUFFIXES:
        raise SourceError(path, "osgraph reads markdown (.md) and CSV (.csv) files")
    text = _read_text(path, encoding)
    info = read_list_info(path)
    shown = _display_path(path)
    rejected: list[Rejection] | None = [] if lenient else None
    read = read_csv_table if suffix in _CSV_SUFFIXES else read_markdown_table
    entries, ignored = read(text, shown, list_id=info.id, rejected=rejected)
    return Source(
        info=info,
        entries=tuple(entries),
        ignored_columns=tuple(ignored),
        rejected=tuple(rejected or ()),
    )


def read_list_info(path: Path) -> ListInfo:
    """Describe the list in ``path`` from its sidecar ``.toml``, or from its file name alone."""
    sidecar = path.with_suffix(".toml")
    if not sidecar.is_file():
        return ListInfo(id=_list_id_from_file_name(path), file_name=path.name)
    try:
        settings = tomllib.loads(_read_text(sidecar))
    except tomllib.TOMLDecodeError as error:
        raise SourceError(sidecar, f"not valid TOML: {error}") from None
    listing = _table(settings, "list", sidecar)
    series = _table(settings, "series", sidecar)
    issued = listing.get("issued")
    if issued is not None and not isinstance(issued, dt.date):
        raise SourceError(sidecar, "[list] issued must be a date such as 2023-11-08")
    title = listing.get("title", {})
    if not isinstance(title, dict):
        raise SourceError(sidecar, '[list] title must be a table of languages: en = "..."')
    return ListInfo(
        id=_text(listing, "id", sidecar) or _list_id_from_file_name(path),
        file_name=path.name,
        title={str(lang): str(text) for lang, text in sorted(title.items())},
        period=_text(listing, "period", sidecar),
        issued=issued,
        landing_page=_text(listing, "landing_page", sidecar),
        report=_text(listing, "report", sidecar),
        language=_text(listing, "language", sidecar),
        series_id=_text(series, "id", sidecar),
        series_title=_text(series, "title", sidecar),
        publisher=_text(series, "publisher", sidecar),
    )


def read_markdown_table(
    text: str, path: Path | str, *, list_id: str, rejected: list[Rejection] | None = None
) -> tuple[list[Entry], list[str]]:
    """Read the first table of a markdown text that has project, institutions and countries columns.

    Returns the entries and the headers of the columns that were ignored. A row that cannot be
    read raises, unless ``rejected`` is a list: then it goes there, with its reason.

    Examples
    --------
    >>> page = '''Prose before the table.
    ...
    ... | Project | Institution | Country |
    ... | --- | --- | --- |
    ... | <font>ChatGLM</font> | Tsinghua University|Zhipu.AI | China |
    ... '''
    >>> entries, ignored = read_markdown_table(page, "list.md", list_id="demo")
    >>> [m.name for m in entries[0].institutions], entries[0].countries, entries[0].origin.line
    (['Tsinghua University', 'Zhipu.AI'], ('China',), 5)
    """
    lines = text.splitlines()
    unrecognised_headers: list[str] = []
    file_name = str(path)  # one string for every row's origin
    for index, line in enumerate(lines):
        if index == 0 or not _is_delimiter_row(line) or "|" not in lines[index - 1]:
            continue
        header = [_clean_value(cell).name for cell in _split_plain_row(lines[index - 1])]
        if len(header) != len(_split_plain_row(line)):
            continue
        columns = _recognise_columns(header)
        if not all(name in columns for name in _REQUIRED_FIELDS):
            unrecognised_headers.append(" | ".join(header))
            continue
        entries = []
        shared = _Shared()
        rows = 0
        for number, raw, cells in _markdown_rows(lines, index + 1):
            rows += 1
            origin = Origin(list_id, file_name, number, raw)
            entry = _keep_or_reject(
                origin,
                rejected,
                lambda: _markdown_entry(cells, len(header), columns, origin, path, shared),  # noqa: B023
            )
            if entry is not None:
                entries.append(entry)
        if not rows:
            raise SourceError(path, "the table has a header but no rows", line=index)
        return entries, _ignored_headers(header, columns)
    found = f" (tables found: {'; '.join(unrecognised_headers)})" if unrecognised_headers else ""
    raise SourceError(path, f"no table with {_expected_headers()} columns{found}")


def read_csv_table(
    text: str, path: Path | str, *, list_id: str, rejected: list[Rejection] | None = None
) -> tuple[list[Entry], list[str]]:
    """Read a CSV list: columns project, institutions, countries and optionally homepage.

    Several institutions or countries in one cell are separated by ``;`` or ``|``. Returns the
    entries and the headers of the columns that were ignored. A row that cannot be read raises,
    unless ``rejected`` is a list: then it goes there, with its reason.

    Examples
    --------
    >>> table = (
    ...     "project,institutions,countries\\n"
    ...     'GraphScope,"Alibaba Group; University of Edinburgh",China|UK\\n'
    ... )
    >>> entries, _ = read_csv_table(table, "list.csv", list_id="demo")
    >>> [m.name for m in entries[0].institutions], entries[0].countries
    (['Alibaba Group', 'University of Edinburgh'], ('China', 'UK'))
    """
    lines = text.splitlines(keepends=True)
    reader = csv.reader(lines)
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
            raise SourceError(path, f"not valid CSV: {error}", line=reader.line_num) from None
        if not "".join(record).strip():
            continue
        if header is None:
            header = [_normalise_whitespace(value) for value in record]
            columns = _recognise_columns(header)
            missing = [name for name in _REQUIRED_FIELDS if name not in columns]
            if missing:
                raise SourceError(
                    path,
                    f"the header {', '.join(header)!s} lacks {', '.join(missing)}: "
                    f"expected {_expected_headers()} columns",
                    line=first_line,
                )
            continue
        raw = "".join(lines[first_line - 1 : reader.line_num]).rstrip("\r\n")
        rows += 1
        origin = Origin(list_id, file_name, first_line, raw)
        entry = _keep_or_reject(
            origin,
            rejected,
            lambda: _csv_entry(record, len(header or ()), columns, origin, path, shared),  # noqa: B023
        )
        if entry is not None:
            entries.append(entry)
    if header is None:
        raise SourceError(path, f"the file is empty: expected {_expected_headers()} columns")
    if not rows:
        raise SourceError(path, "the table has a header but no rows")
    return entries, _ignored_headers(header, columns)


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
    if len(cells) != width:
        raise SourceError(path, _cell_count_message(len(cells), width), line=origin.line)
    cleaned = [[_clean_value(piece) for piece in cell] for cell in cells]
    return _entry_from_cells(cleaned, columns, origin, path, shared)


def _csv_entry(
    record: list[str],
    width: int,
    columns: dict[Field, int],
    origin: Origin,
    path: Path | str,
    shared: _Shared,
) -> Entry:
    if len(record) != width:
        raise SourceError(path, _cell_count_message(len(record), width), line=origin.line)
    homepage, project = columns.get("homepage"), columns["project"]
    cells = [
        (Mention(_normalise_whitespace(value)),)
        if position == homepage
        else _csv_values(value)
        if position == project
        else shared.cell(value, _csv_values)
        for position, value in enumerate(record)
    ]
    return _entry_from_cells(cells, columns, origin, path, shared)


def _csv_values(cell: str) -> tuple[Mention, ...]:
    return tuple(
        Mention(_normalise_whitespace(piece)) for piece in _CSV_VALUE_SEPARATOR.split(cell)
    )


def _display_path(path: Path) -> str:
    """Name a file as the user would: relative to the working folder when it lies inside it."""
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return str(path)


def _read_text(path: Path, encoding: str | None = None) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(path, "no such file") from None
    except IsADirectoryError:
        raise SourceError(path, "is a folder, not a file") from None
    except OSError as error:
        raise SourceError(path, f"cannot be read: {error.strerror}") from None
    try:
        return data.decode(encoding or "utf-8-sig")
    except LookupError:
        raise SourceError(path, f"{encoding!r} is not an encoding Python knows") from None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
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
    settings = tomllib.loads((resources.files("osgraph") / "data" / "columns.toml").read_text())
    known: dict[str, Field] = {}
    for field_name in ("project", "institutions", "countries", "homepage"):
        for header in settings[field_name]:
            known[_header_key(header)] = field_name
    return known


def _header_key(header: str) -> str:
    return _normalise_whitespace(header).casefold()


def _recognise_columns(header: Sequence[str]) -> dict[Field, int]:
    known = _column_names()
    columns: dict[Field, int] = {}
    for position, name in enumerate(header):
        field_name = known.get(_header_key(name))
        if field_name is not None and field_name not in columns:
            columns[field_name] = position
    return columns


def _ignored_headers(header: Sequence[str], columns: dict[Field, int]) -> list[str]:
    used = set(columns.values())
    return [name for position, name in enumerate(header) if position not in used]


def _expected_headers() -> str:
    return "project/institutions/countries (成果/机构/国)"


def _cell_count_message(found: int, expected: int) -> str:
    return f"the row has {found} cells where the header has {expected}"


def _is_delimiter_row(line: str) -> bool:
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


def _markdown_rows(lines: list[str], first: int) -> Iterator[tuple[int, str, list[list[str]]]]:
    """Yield (line number, raw line, cells) for each body row, until the table ends."""
    for index in range(first, len(lines)):
        raw = lines[index]
        if not raw.strip() or "|" not in raw:
            return
        yield index + 1, raw, _split_row(raw)


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
