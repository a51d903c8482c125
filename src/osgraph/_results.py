"""The answer to a query, whichever engine gave it, and how it is written: the W3C SPARQL 1.1
results formats (CSV, TSV, JSON, XML), Turtle for a graph, and a table for the terminal."""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from typing import Literal as TypingLiteral

from rdflib import Graph, Literal, Variable
from rdflib.query import Result
from rdflib.term import Identifier

from osgraph._errors import ConfigurationError, QueryError
from osgraph._messages import one_line

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
        if format not in RESULT_FORMATS:
            raise ConfigurationError(
                f"{format!r} is not a SPARQL results format: choose csv, tsv, json or xml "
                "(format_table writes a table)"
            )
        try:
            return self._serialize(format)
        except Exception as error:  # a term that no format can hold, such as an IRI with a space
            reason = one_line(str(error))[:300] or type(error).__name__
            raise QueryError(f"the answer cannot be written as {format}: {reason}") from None

    def _serialize(self, format: ResultFormat) -> bytes:
        if self.kind == "CONSTRUCT":
            return _turtle(self)
        if self.kind == "ASK" and format != "json" and format != "xml":
            answer = "true" if self.boolean else "false"
            if format == "tsv":
                return f"?boolean\n{answer}\n".encode()
            return f"boolean\r\n{answer}\r\n".encode()
        if format == "tsv":
            return _tsv(self).encode("utf-8")
        result = Result(self.kind)
        if self.kind == "ASK":
            result.askAnswer = bool(self.boolean)
        else:
            result.vars = [Variable(name) for name in self.variables]
            result.bindings = [
                {
                    Variable(name): term
                    for name, term in zip(self.variables, row, strict=True)
                    if term is not None
                }
                for row in self.rows
            ]
        serialized = result.serialize(format=format, encoding="utf-8")
        assert isinstance(serialized, bytes)
        return serialized


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
    from rich.console import Console
    from rich.table import Table

    if result.kind == "ASK":
        return "true\n" if result.boolean else "false\n"
    if result.kind == "CONSTRUCT":
        return _turtle(result).decode("utf-8")
    table = Table(show_lines=False, header_style="bold")
    for name in result.variables:
        numeric = bool(result.rows) and all(
            _is_number(row[result.variables.index(name)]) for row in result.rows
        )
        table.add_column(name, justify="right" if numeric else "left")
    for row in result.rows:
        table.add_row(*("" if term is None else _display(term) for term in row))
    output = io.StringIO()
    width = shutil.get_terminal_size((200, 24)).columns
    Console(file=output, width=width, no_color=True, soft_wrap=False).print(table)
    rows = len(result.rows)
    return output.getvalue() + f"{rows} row{'' if rows == 1 else 's'}\n"


def _turtle(result: QueryResult) -> bytes:
    """A CONSTRUCT or DESCRIBE answer's graph, in Turtle."""
    assert result.graph is not None
    return result.graph.serialize(format="turtle", encoding="utf-8")


def _display(term: Identifier) -> str:
    """A term as a table cell: its text, with what is not printable (new lines, escape
    sequences that would drive the terminal) written as Python escapes."""
    from rich.markup import escape

    text = str(term)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return escape(text)


def _is_number(term: Identifier | None) -> bool:
    return (
        isinstance(term, Literal)
        and isinstance(term.value, int | float)
        and not isinstance(term.value, bool)
    )


def _tsv(result: QueryResult) -> str:
    """The SPARQL 1.1 TSV results format of a SELECT answer: a header of ``?names``, then terms
    in Turtle syntax."""
    lines = ["\t".join(f"?{name}" for name in result.variables)]
    lines += ["\t".join("" if term is None else term.n3() for term in row) for row in result.rows]
    return "\n".join(lines) + "\n"
