"""The answer to a query, whichever engine gave it, and how it is written: the W3C SPARQL 1.1
results formats (CSV, TSV, JSON, XML), Turtle for a graph, and a table for the terminal.

The results formats are written a row at a time (:func:`result_parts`), so that a million rows
reach a pipe as the engine finds them, and the answer held whole is written by the same code
(:mod:`osgraph._result_formats`). That code reads the terms the engine gives (pyoxigraph's, for a
stream from Oxigraph): making rdflib's terms of a large answer costs more than writing it.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from typing import Literal as TypingLiteral

from rdflib import Graph, Literal
from rdflib.term import Identifier

from osgraph._errors import ConfigurationError, QueryError
from osgraph._messages import one_line
from osgraph._result_formats import RDFLIB_TERMS, TermReader, boolean, select_parts

ResultFormat = TypingLiteral["csv", "tsv", "json", "xml"]
RESULT_FORMATS: tuple[ResultFormat, ...] = ("csv", "tsv", "json", "xml")
"""The W3C SPARQL 1.1 results formats :meth:`QueryResult.serialize` writes."""


@dataclass(frozen=True, slots=True)
class QueryResult:
    """The answer to a query: rows of RDF terms (SELECT), a boolean (ASK) or a graph.

    Examples
    --------
    >>> from rdflib import Literal
    >>> answer = QueryResult("SELECT", ("name", "count"), ((Literal("a"), Literal(2)),))
    >>> answer.as_dicts()
    [{'name': 'a', 'count': '2'}]
    """

    kind: TypingLiteral["SELECT", "ASK", "CONSTRUCT"]
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Identifier | None, ...], ...] = ()
    boolean: bool | None = None
    graph: Graph | None = None

    def as_dicts(self) -> list[dict[str, str | None]]:
        """The rows as dictionaries of lexical values (``None`` where a variable is unbound)."""
        return [
            {
                name: (None if term is None else str(term))
                for name, term in zip(self.variables, row, strict=True)
            }
            for row in self.rows
        ]

    def serialize(self, format: ResultFormat) -> bytes:
        r"""Write the result in a W3C SPARQL 1.1 results format (``csv``, ``tsv``, ``json``,
        ``xml``); a graph is written as Turtle, whatever the format. The table for a terminal
        is :func:`format_table`'s.

        An ASK answer is the boolean of the JSON and XML formats. CSV and TSV have no boolean, so
        osgraph writes it as a table of one column, ``boolean``, and one row, ``true`` or
        ``false`` (TSV's header names it ``?boolean``, as TSV names variables).

        Raises
        ------
        ConfigurationError
            When ``format`` is not one of :data:`RESULT_FORMATS`.
        QueryError
            When a term cannot be written in the format (such as an IRI with a space in TSV).

        Examples
        --------
        >>> QueryResult("ASK", boolean=True).serialize("csv")
        b'boolean\r\ntrue\r\n'
        >>> QueryResult("ASK", boolean=False).serialize("tsv")
        b'?boolean\nfalse\n'
        >>> QueryResult("ASK", boolean=True).serialize("json")
        b'{"head": {}, "boolean": true}'
        >>> QueryResult("ASK", boolean=True).serialize("table")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        osgraph.ConfigurationError: 'table' is not a SPARQL results format: choose csv, ...
        """
        _check_format(format)
        try:
            return self._serialize(format)
        except Exception as error:  # a term that no format can hold, such as an IRI with a space
            raise _unwritable(error, format) from None

    def _serialize(self, format: ResultFormat) -> bytes:
        if self.kind == "CONSTRUCT":
            return _turtle(self)
        if self.kind == "ASK":
            return boolean(bool(self.boolean), format)
        return b"".join(select_parts(self.variables, self.rows, format, RDFLIB_TERMS))


Row = tuple[Identifier | None, ...]
"""One solution of a SELECT answer: a term, or None, for each of its variables."""


@dataclass(frozen=True, slots=True)
class RowStream:
    r"""The rows of a SELECT answer as the engine finds them, read once, in the engine's own
    terms, which ``terms`` reads.

    Examples
    --------
    >>> stream = RowStream(("n",), iter([(Literal(1),), (Literal(2),)]))
    >>> b"".join(result_parts(stream, "csv"))
    b'n\r\n1\r\n2\r\n'
    """

    variables: tuple[str, ...]
    rows: Iterator[Sequence[Any]]
    terms: TermReader = RDFLIB_TERMS

    def identifiers(self) -> Iterator[Row]:
        """The rows not read yet, in rdflib's terms (each distinct term made once, when the
        terms are exact): for a table, and an answer held whole.

        Examples
        --------
        >>> from rdflib import URIRef
        >>> rows = iter([(URIRef("https://example.org/a"),), (None,)])
        >>> list(RowStream(("x",), rows).identifiers())
        [(rdflib.term.URIRef('https://example.org/a'),), (None,)]
        """
        identifier = self.terms.identifier
        if not self.terms.exact:
            for values in self.rows:
                yield tuple(None if term is None else identifier(term) for term in values)
            return
        made: dict[Any, Identifier | None] = {None: None}

        def convert(term: Any) -> Identifier | None:
            found = made.get(term)
            if found is None and term is not None:
                found = made[term] = identifier(term)
            return found

        for values in self.rows:
            yield tuple(map(convert, values))

    def held(self) -> QueryResult:
        """The answer whole, its rows not read yet in rdflib's terms (:meth:`identifiers`)."""
        return QueryResult("SELECT", self.variables, tuple(self.identifiers()))


def result_parts(answer: QueryResult | RowStream, format: ResultFormat) -> Iterator[bytes]:
    r"""``answer`` in a SPARQL 1.1 results format, in parts: the head, then the rows a few at a
    time (the first on its own, at once), then the end. Together they are what
    :meth:`QueryResult.serialize` writes.

    Raises
    ------
    ConfigurationError
        When ``format`` is not one of :data:`RESULT_FORMATS`.
    QueryError
        When a term cannot be written in the format, or the engine fails while the rows are
        read: the parts before it have been given.

    Examples
    --------
    >>> from rdflib import URIRef
    >>> rows = RowStream(("x",), iter([(URIRef("https://example.org/a"),)]))
    >>> list(result_parts(rows, "tsv"))
    [b'?x\n', b'<https://example.org/a>\n', b'']
    """
    if isinstance(answer, QueryResult):
        yield answer.serialize(format)
        return
    _check_format(format)
    try:
        yield from select_parts(answer.variables, answer.rows, format, answer.terms)
    except QueryError:  # the engine's, while the rows were read
        raise
    except Exception as error:
        raise _unwritable(error, format) from None


def _check_format(format: str) -> None:
    if format not in RESULT_FORMATS:
        raise ConfigurationError(
            f"{format!r} is not a SPARQL results format: choose csv, tsv, json or xml "
            "(format_table writes a table)"
        )


def _unwritable(error: Exception, format: str) -> QueryError:
    reason = one_line(str(error))[:300] or type(error).__name__
    return QueryError(f"the answer cannot be written as {format}: {reason}")


def format_table(result: QueryResult) -> str:
    """Render a result as a readable terminal table (a graph as Turtle, a boolean as text).

    The table is as wide as the terminal that standard output is (or ``COLUMNS``), and 200
    characters when it is none, so that a file or a pipe gets whole lines.

    Examples
    --------
    >>> print(format_table(QueryResult("SELECT", ("n",), ((Literal(7),),))), end="")
    ┏━━━┓
    ┃ n ┃
    ┡━━━┩
    │ 7 │
    └───┘
    1 row
    """
    if result.kind == "ASK":
        return "true\n" if result.boolean else "false\n"
    if result.kind == "CONSTRUCT":
        return _turtle(result).decode("utf-8")
    cells, numeric = _table_cells(result)
    width = shutil.get_terminal_size((200, 24)).columns
    drawn = _drawn_table(result.variables, cells, numeric, width)
    if drawn is None:
        drawn = _rich_table(result.variables, cells, numeric, width)
    rows = len(result.rows)
    return drawn + f"{rows} row{'' if rows == 1 else 's'}\n"


def _table_cells(result: QueryResult) -> tuple[list[list[str]], list[bool]]:
    """A SELECT answer's cells as a table shows them, and which of its columns are numbers
    (aligned right)."""
    numeric = [
        bool(result.rows) and all(_is_number(row[column]) for row in result.rows)
        for column in range(len(result.variables))
    ]
    cells = [["" if term is None else _display(term) for term in row] for row in result.rows]
    return cells, numeric


def _rich_table(
    names: Sequence[str], cells: list[list[str]], numeric: list[bool], width: int
) -> str:
    """The table as rich draws it, its cells wrapped where a line would not fit ``width``."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    for name, right in zip(names, numeric, strict=True):
        table.add_column(name, justify="right" if right else "left")
    for row in cells:
        table.add_row(*(escape(cell) for cell in row))
    output = io.StringIO()
    Console(file=output, width=width, no_color=True, soft_wrap=False).print(table)
    return output.getvalue()


def _drawn_table(
    names: Sequence[str], cells: list[list[str]], numeric: list[bool], width: int
) -> str | None:
    """The table rich draws (its heavy-head box, cells padded by one space), drawn here when
    every line fits ``width`` whole and every cell is plain text: rich lays out some 3,000 rows
    a second, a minute for the contributions of 100,000 rows. None when a line would not fit
    (rich wraps it) or a cell's drawing is rich's to decide.

    Examples
    --------
    >>> print(_drawn_table(("name", "n"), [["Tsinghua", "7"]], [False, True], 80), end="")
    ┏━━━━━━━━━━┳━━━┓
    ┃ name     ┃ n ┃
    ┡━━━━━━━━━━╇━━━┩
    │ Tsinghua │ 7 │
    └──────────┴───┘
    """
    from rich.cells import get_character_cell_size

    sizes: dict[str, int] = {}

    def size(cell: str) -> int:
        """The cell's width, or -1 for text whose drawing rich decides: characters of no width
        (a joiner, a filler), space at either end, what its markup reads (brackets and
        backslashes, escaped)."""
        if cell != cell.strip() or "[" in cell or "\\" in cell:
            return -1
        if cell.isascii():
            return len(cell)
        if cell not in sizes:
            each = [get_character_cell_size(character) for character in cell]
            sizes[cell] = sum(each) if all(each) else -1
        return sizes[cell]

    widths = [0] * len(names)
    for row in [names, *cells]:
        for column, cell in enumerate(row):
            measured = size(cell)
            if measured < 0:
                return None
            widths[column] = max(widths[column], measured)
    if sum(widths) + 3 * len(widths) + 1 > width:
        return None

    def line(row: Sequence[str], edge: str, between: str) -> str:
        padded = (
            " " * (room - size(cell)) + cell if right else cell + " " * (room - size(cell))
            for cell, room, right in zip(row, widths, numeric, strict=True)
        )
        return edge + f" {between} ".join(padded).join("  ") + edge + "\n"

    def rule(left: str, fill: str, middle: str, right: str) -> str:
        return left + middle.join(fill * (room + 2) for room in widths) + right + "\n"

    drawn = [rule("┏", "━", "┳", "┓"), line(names, "┃", "┃"), rule("┡", "━", "╇", "┩")]
    drawn.extend(line(row, "│", "│") for row in cells)
    drawn.append(rule("└", "─", "┴", "┘"))
    return "".join(drawn)


def _turtle(result: QueryResult) -> bytes:
    """A CONSTRUCT or DESCRIBE answer's graph, in Turtle."""
    assert result.graph is not None
    return result.graph.serialize(format="turtle", encoding="utf-8")


def _display(term: Identifier) -> str:
    """A term as a table cell: its text, with what is not printable (new lines, escape
    sequences that would drive the terminal) written as Python escapes."""
    text = str(term)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text


def _is_number(term: Identifier | None) -> bool:
    return (
        isinstance(term, Literal)
        and isinstance(term.value, int | float)
        and not isinstance(term.value, bool)
    )
