"""Read a list from a markdown page, as real pages publish their tables (which a GFM table
parser gets wrong):

- a cell may hold several values separated by a *bare* ``|`` (no space on either side), as in
  ``Microsoft|Tsinghua University``. GFM would split that cell into extra columns; here only a
  ``|`` with white space beside it (or at the edge of the row) separates columns;
- cells may be wrapped in HTML (``<font style=...>``) and emphasis (``**``), which are dropped;
- a value may be a link ``[name](url)``: the name is the value, the URL its homepage;
- runs of white space inside names and around them collapse to one space;
- a blank line or an HTML comment between rows does not end a table, and a later table with the
  same headers is read as part of the list.
"""

from __future__ import annotations

import html.parser
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Literal

from osgraph._errors import SourceError
from osgraph._sources.cells import (
    EMPTY_ROW,
    Rejections,
    Shared,
    cell_count_message,
    entry_from_cells,
    raise_error,
)
from osgraph._sources.columns import (
    Field,
    TableShape,
    expected_headers,
    header_key,
    header_problem,
    ignored_headers,
    recognise_columns,
)
from osgraph._sources.entries import Entry, Mention, Origin, Rejection
from osgraph._sources.text import normalise_whitespace, split_lines

_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<url>[^)\s]*)(?:\s+\"[^\"]*\")?\)")
# \Z, not $: $ also matches before a final newline.
_EMPHASIS = re.compile(r"\A(\*\*|__)(?P<inner>.*)\1\Z", re.DOTALL)
_DELIMITER_CELL = re.compile(r"\A\s*:?-+:?\s*\Z")
_DELIMITER_LINE = re.compile(r"[\s|:-]*-[\s|:-]*\Z")


def read_markdown_table(
    text: str,
    path: Path | str,
    *,
    list_id: str,
    shape: TableShape | None = None,
    rejections: Rejections | None = None,
) -> tuple[list[Entry], list[str]]:
    """Read the table of a markdown text that has project, institutions and countries columns,
    and every later table with the same headers.

    Returns the entries and the headers of the columns that were ignored. A row that cannot be
    read raises, unless ``rejections`` is lenient: then it goes to its ``rows``, with its
    reason. Of ``shape``, only the columns it names apply: values in a cell are separated by a
    bare ``|``.

    A blank line or an HTML comment between rows does not end the table: a row after it is a
    row. Prose does, and a table after it is read when it has the first table's headers. What
    else looks like a row goes to ``rejections.notices``, with its line and why: a line outside
    any table, a line inside an HTML comment, and a table that is not a list (once, for all its
    rows). The rows of a later table with other headers of a list are refused.

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
    rejections = rejections if rejections is not None else Rejections()
    reader = _MarkdownReader(
        split_lines(text), path, list_id, shape.columns if shape else {}, rejections
    )
    entries, ignored = reader.read()
    rejections.notices.extend(reader.notices())
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
        return [fields.get(position, header_key(name)) for position, name in enumerate(self.header)]

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
        rejections: Rejections,
    ) -> None:
        self.lines = lines
        self.path = path
        self.list_id = list_id
        self.file_name = str(path)  # one string for every row's origin
        self.named = named
        self.rejections = rejections
        self.entries: list[Entry] = []
        self.shared = Shared()
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
                f"no table with {expected_headers(self.named)} columns"
                + (f" (tables found: {found})" if found else ""),
            )
        if not self.rows:
            raise SourceError(self.path, "the table has a header but no rows", line=self.first.line)
        return self.entries, ignored_headers(self.first.header, self.first.columns)

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
                f"no {expected_headers(self.named)} columns): {what}"
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
        return header_problem(names, recognise_columns(names, self.named), self.named) is None

    def _open(self, index: int) -> _MarkdownTable:
        header = [_clean_value(cell).name for cell in _split_plain_row(self.lines[index])]
        columns = recognise_columns(header, self.named)
        is_list = header_problem(header, columns, self.named) is None
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
            make: Callable[[], Entry] = partial(raise_error, problem)
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
        entry = self.rejections.keep(origin, make)
        if entry is not None:
            self.entries.append(entry)


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


def _markdown_entry(
    cells: list[list[str]],
    width: int,
    columns: dict[Field, int],
    origin: Origin,
    path: Path | str,
    shared: Shared,
) -> Entry:
    cleaned = [[_clean_value(piece) for piece in cell] for cell in cells]
    if not any(mention.name or mention.homepage for cell in cleaned for mention in cell):
        raise SourceError(path, EMPTY_ROW, line=origin.line)
    if len(cells) != width:
        raise SourceError(path, cell_count_message(len(cells), width), line=origin.line)
    return entry_from_cells(cleaned, columns, origin, path, shared)


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
    name = normalise_whitespace(_strip_html(piece))
    emphasis = _EMPHASIS.match(name)
    if emphasis is not None:
        name = emphasis["inner"].strip()
    return Mention(name, homepage)
