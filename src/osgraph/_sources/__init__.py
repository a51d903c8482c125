"""Read lists of achievements into entries: markdown tables as published, CSV, TSV and Excel.

A list is a table with a project column, an institutions column and a countries column (the
headers each may use are in ``data/columns.toml``; a :class:`~osgraph._sources.columns.TableShape`
names others). Every row becomes an :class:`~osgraph._sources.entries.Entry` that remembers the
file, line and raw text it came from. :func:`read_source` reads a file by its ending, one module
per format::

    markdown    markdown tables as pages publish them (bare | between values, HTML, links)
    delimited   CSV and TSV, the delimiter found when it is not named
    excel       a sheet of an Excel workbook
    sidecar     the .toml beside a list: which list it is, how its table is laid out
    columns     which column holds which field (data/columns.toml, TableShape)
    cells       a row's cells made an entry, each value checked; rows refused, with why
    text        bytes read and decoded, lines split as an editor shows them
    entries     what reading gives: Entry, Mention, Origin, ListInfo, Source, Rejection

Nothing read is dropped without a word: a row is an entry, or is refused (under
``ErrorPolicy.LENIENT``, listed in ``Source.rejected``) with its reason; a line that looks like
a row but lies outside the list's tables, and a table that is not a list, are listed in
``Source.notices``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from osgraph import _resources
from osgraph._errors import ErrorPolicy, SourceError
from osgraph._sources.cells import Rejections
from osgraph._sources.columns import TableShape
from osgraph._sources.delimited import read_csv_table
from osgraph._sources.entries import Source
from osgraph._sources.excel import read_excel_table
from osgraph._sources.markdown import read_markdown_table
from osgraph._sources.sidecar import list_info, read_sidecar, sidecar_shape
from osgraph._sources.text import display_path, read_bytes, read_text

BUNDLED_LIST = "benchcouncil-open100-2022-2023.md"

_MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
_CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
_EXCEL_SUFFIXES = frozenset({".xlsx"})
_FORMATS = "markdown (.md), CSV (.csv, .txt), TSV (.tsv) and Excel (.xlsx) files"


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
    policy: ErrorPolicy = ErrorPolicy.STRICT,
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
    policy
        What to do with a row that cannot be read: stop with its error (``STRICT``), or leave
        it out and list it in ``Source.rejected`` with its reason (``LENIENT``).
    shape
        The table's columns, separator and delimiter (see
        :class:`~osgraph._sources.columns.TableShape`): what it names overrides the sidecar's
        ``[columns]``, which overrides ``data/columns.toml``.

    Raises
    ------
    ReadWriteError
        When the file or its sidecar is missing, a folder, or cannot be read.
    ConfigurationError
        When ``encoding`` is not an encoding Python knows.
    SourceError
        When the file cannot be decoded, holds no recognisable table, lacks a column ``shape``
        or its sidecar names, its sidecar is malformed, or (under ``STRICT``) a row or cell
        cannot be read; the message names the file, line and cell.

    Examples
    --------
    >>> source = read_source(bundled_list())
    >>> source.info.id, len(source.entries) > 50, source.rejected
    ('open100-2022-2023', True, ())
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _MARKDOWN_SUFFIXES | _CSV_SUFFIXES | _EXCEL_SUFFIXES:
        raise SourceError(path, f"osgraph reads {_FORMATS}")
    sidecar, settings = read_sidecar(path)
    info = list_info(path, sidecar, settings)
    shape = (shape or TableShape()).over(sidecar_shape(sidecar, settings))
    shown = display_path(path)
    rejections = Rejections(policy)
    # The bytes and text of a file are handed on as they are made, not held here: the CSV
    # reader lets go of the text once it has its lines (a large list would be held twice).
    if suffix in _EXCEL_SUFFIXES:
        entries, ignored = read_excel_table(
            read_bytes(path), shown, list_id=info.id, shape=shape, rejections=rejections
        )
    elif suffix in _CSV_SUFFIXES:
        if suffix == ".tsv":
            shape = replace(shape, delimiter="\t")
        entries, ignored = read_csv_table(
            read_text(path, encoding), shown, list_id=info.id, shape=shape, rejections=rejections
        )
    else:
        entries, ignored = read_markdown_table(
            read_text(path, encoding), shown, list_id=info.id, shape=shape, rejections=rejections
        )
    return Source(
        info=info,
        entries=tuple(entries),
        ignored_columns=tuple(ignored),
        rejected=tuple(rejections.rows),
        notices=tuple(rejections.notices),
    )
