"""Read a list from a sheet of an Excel workbook (``.xlsx``): the first row that is not empty is
the header, each row is numbered as the sheet numbers it, and cells are read as the text the list
means by them."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from osgraph._errors import SourceError
from osgraph._sources.cells import Rejections, Shared, cell_readers, record_entry
from osgraph._sources.columns import (
    Field,
    TableShape,
    expected_headers,
    ignored_headers,
    table_columns,
)
from osgraph._sources.entries import Entry, Origin
from osgraph._sources.text import normalise_whitespace


def read_excel_table(
    data: bytes,
    path: Path | str,
    *,
    list_id: str,
    shape: TableShape | None = None,
    rejections: Rejections | None = None,
) -> tuple[list[Entry], list[str]]:
    """Read a list from the first sheet of an Excel workbook (``.xlsx``), or from ``shape.sheet``.

    The first row that is not empty is the header. Each row's line is its row number in the
    sheet, and its raw text the values of its cells joined by tabs; numbers and dates are read as
    their text, and a formula as the value last computed for it. Several institutions or
    countries in one cell are separated by ``shape.separator``, or by ``;`` or ``|``. Returns
    the entries and the headers of the columns that were ignored. A row that cannot be read
    raises, unless ``rejections`` is lenient: then it goes to its ``rows``, with its reason.

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
    rejections = rejections if rejections is not None else Rejections()
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
            sheet.iter_rows(min_row=1, values_only=True), path, list_id, rejections, shape
        )
    finally:
        workbook.close()


def _sheet_table(
    rows: Iterator[tuple[object, ...]],
    path: Path | str,
    list_id: str,
    rejections: Rejections,
    shape: TableShape,
) -> tuple[list[Entry], list[str]]:
    """Read the rows of a sheet, as read_csv_table reads the records of a CSV file."""
    read_project, read_values = cell_readers(shape.separator)
    header: list[str] | None = None
    columns: dict[Field, int] = {}
    entries: list[Entry] = []
    shared = Shared()
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
            header = [normalise_whitespace(value) for value in record]
            columns = table_columns(header, shape, path, number, "")
            continue
        raw = "\t".join(record)
        record += [""] * (len(header) - len(record))
        rows_read += 1
        origin = Origin(list_id, file_name, number, raw)
        make = partial(
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
        entry = rejections.keep(origin, make)
        if entry is not None:
            entries.append(entry)
    if header is None:
        raise SourceError(path, f"the sheet is empty: expected {expected_headers()} columns")
    if not rows_read:
        raise SourceError(path, "the table has a header but no rows")
    return entries, ignored_headers(header, columns)


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
