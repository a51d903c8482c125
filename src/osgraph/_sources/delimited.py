"""Read a list from a CSV or TSV file: columns separated by one delimiter (named, or found by
:class:`csv.Sniffer`), several institutions or countries in a cell by a separator, and quoted
cells that span lines, or never close, named at the lines they take in.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from osgraph._errors import SourceError
from osgraph._sources.cells import (
    EMPTY_ROW,
    Rejections,
    Shared,
    cell_readers,
    raise_error,
    record_entry,
)
from osgraph._sources.columns import (
    Field,
    TableShape,
    expected_headers,
    ignored_headers,
    table_columns,
)
from osgraph._sources.entries import Entry, Origin, Rejection
from osgraph._sources.text import normalise_whitespace, split_lines

# Left free, csv.Sniffer may split at a letter, or at the spaces inside names.
_SNIFFED_DELIMITERS = ",;\t|"
_SNIFFED_LINES = 20


def read_csv_table(
    text: str,
    path: Path | str,
    *,
    list_id: str,
    shape: TableShape | None = None,
    rejections: Rejections | None = None,
) -> tuple[list[Entry], list[str]]:
    """Read a CSV list: columns project, institutions, countries and optionally homepage.

    Columns are separated by ``shape.delimiter``, or by the delimiter :class:`csv.Sniffer`
    finds in the first lines (a comma when it finds none). Several institutions or countries in
    one cell are separated by ``shape.separator``, or by ``;`` or ``|``. Returns the entries and
    the headers of the columns that were ignored. A row that cannot be read raises, unless
    ``rejections`` is lenient: then it goes to its ``rows``, with its reason.

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
    rejections = rejections if rejections is not None else Rejections()
    lines = split_lines(text, keepends=True)
    del text  # the lines hold what it holds, and are let go of as they are read (below)
    delimiter = shape.delimiter or _sniff_delimiter(lines)
    reader = csv.reader(lines, delimiter=delimiter)
    read_project, read_values = cell_readers(shape.separator)
    header: list[str] | None = None
    columns: dict[Field, int] = {}
    entries: list[Entry] = []
    shared = Shared()
    file_name = str(path)  # one string for every row's origin
    rows = 0
    kept = 0  # the lines before this one are read and let go of: their rows have their text
    while True:
        first_line = reader.line_num + 1
        for number in range(kept, first_line - 1):
            lines[number] = ""
        kept = first_line - 1
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
            if header is None or rejections.strict:
                raise quote.error(path) from None
            rows += quote.reject(lines, list_id, file_name, first_line, rejections.rows)
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
            header = [normalise_whitespace(value) for value in record]
            guessed = shape.delimiter is None
            columns = table_columns(header, shape, path, first_line, delimiter if guessed else "")
            continue
        if quote is not None:
            if rejections.strict:
                raise quote.error(path)
            rows += quote.reject(lines, list_id, file_name, first_line, rejections.rows)
            continue
        rows += 1
        origin = Origin(list_id, file_name, first_line, raw)
        if not "".join(record).strip():  # a row of separators and blanks
            empty = SourceError(path, EMPTY_ROW, line=first_line)
            rejections.keep(origin, partial(raise_error, empty))
            continue
        make: Callable[[], Entry] = partial(
            record_entry,
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
        entry = rejections.keep(origin, make)
        if entry is not None:
            entries.append(entry)
    if header is None:
        raise SourceError(path, f"the file is empty: expected {expected_headers()} columns")
    if not rows:
        raise SourceError(path, "the table has a header but no rows")
    return entries, ignored_headers(header, columns)


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


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter :class:`csv.Sniffer` finds in the first lines, or a comma."""
    try:
        return csv.Sniffer().sniff("".join(lines[:_SNIFFED_LINES]), _SNIFFED_DELIMITERS).delimiter
    except csv.Error:
        return ","
