"""The answer to a query, whichever engine gave it, and how it is written: the W3C SPARQL 1.1
results formats (CSV, TSV, JSON, XML), Turtle for a graph, and a table for the terminal.

The results formats are written a row at a time (:func:`result_parts`), so that a million rows
reach a pipe as the engine finds them, and the answer held whole is written by the same code.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal as TypingLiteral
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef
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
        _check_format(format)
        try:
            return self._serialize(format)
        except Exception as error:  # a term that no format can hold, such as an IRI with a space
            raise _unwritable(error, format) from None

    def _serialize(self, format: ResultFormat) -> bytes:
        if self.kind == "CONSTRUCT":
            return _turtle(self)
        if self.kind == "ASK":
            return _boolean(bool(self.boolean), format)
        return b"".join(_select_parts(self.variables, self.rows, format))


Row = tuple[Identifier | None, ...]
"""One solution of a SELECT answer: a term, or None, for each of its variables."""


@dataclass(frozen=True, slots=True)
class RowStream:
    r"""The rows of a SELECT answer as the engine finds them, read once.

    Examples
    --------
    >>> stream = RowStream(("n",), iter([(Literal(1),), (Literal(2),)]))
    >>> b"".join(result_parts(stream, "csv"))
    b'n\r\n1\r\n2\r\n'
    """

    variables: tuple[str, ...]
    rows: Iterator[Row]


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
    >>> rows = RowStream(("x",), iter([(URIRef("https://example.org/a"),)]))
    >>> list(result_parts(rows, "tsv"))
    [b'?x\n', b'<https://example.org/a>\n', b'']
    """
    if isinstance(answer, QueryResult):
        yield answer.serialize(format)
        return
    _check_format(format)
    try:
        yield from _select_parts(answer.variables, answer.rows, format)
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


_BATCH = 512
"""Rows written together after the first: one write per row would cost a system call each."""


def _select_parts(
    variables: tuple[str, ...], rows: Iterable[Row], format: ResultFormat
) -> Iterator[bytes]:
    head, row, separator, end = _WRITERS[format](variables)
    yield head.encode("utf-8")
    batch: list[str] = []
    first = True
    for values in rows:
        batch.append(row(values) if first or not separator else separator + row(values))
        if first or len(batch) == _BATCH:
            yield "".join(batch).encode("utf-8")
            batch.clear()
            first = False
    yield ("".join(batch) + end).encode("utf-8")


def _boolean(answer: bool, format: ResultFormat) -> bytes:
    """An ASK answer: the boolean of JSON and XML, a table of one column in CSV and TSV."""
    text = "true" if answer else "false"
    if format == "json":
        return json.dumps({"head": {}, "boolean": answer}).encode()
    if format == "xml":
        return f"{_XML_HEAD}<head></head><boolean>{text}</boolean></sparql>".encode()
    if format == "tsv":
        return f"?boolean\n{text}\n".encode()
    return f"boolean\r\n{text}\r\n".encode()


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


Writer = tuple[str, Callable[[Row], str], str, str]
"""What a results format writes of an answer: its head, a row, what separates rows, its end."""

_XML_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"'
    ' xmlns:xml="http://www.w3.org/XML/1998/namespace">'
)


def _csv(variables: tuple[str, ...]) -> Writer:
    """SPARQL 1.1 CSV: lexical values, blank nodes as ``_:label``, lines ending in CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: Iterable[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    def value(term: Identifier | None) -> str:
        if term is None:
            return ""
        return f"_:{term}" if isinstance(term, BNode) else str(term)

    return line(variables), lambda row: line(map(value, row)), "", ""


def _tsv(variables: tuple[str, ...]) -> Writer:
    """SPARQL 1.1 TSV: a header of ``?names``, then terms in Turtle syntax."""

    def row(values: Row) -> str:
        return "\t".join("" if term is None else _tsv_term(term) for term in values) + "\n"

    return "\t".join(f"?{name}" for name in variables) + "\n", row, "", ""


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})
"""What a TSV cell cannot hold raw: its line and cell separators, and a string's own quote."""


def _tsv_term(term: Identifier) -> str:
    """A term in Turtle syntax, on one line: a literal in quotes with its line breaks and tabs
    escaped (rdflib's ``n3()`` writes a long string, with raw line breaks, which no TSV reader
    takes)."""
    if not isinstance(term, Literal):
        return term.n3()
    text = f'"{str(term).translate(_TSV_ESCAPES)}"'
    if term.language:
        return f"{text}@{term.language}"
    return f"{text}^^{term.datatype.n3()}" if term.datatype else text


def _json(variables: tuple[str, ...]) -> Writer:
    """SPARQL 1.1 JSON: the head first, so that it can be read before the last row."""

    def term_json(term: Identifier) -> dict[str, str]:
        if isinstance(term, URIRef):
            return {"type": "uri", "value": str(term)}
        if isinstance(term, BNode):
            return {"type": "bnode", "value": str(term)}
        assert isinstance(term, Literal)
        found = {"type": "literal", "value": str(term)}
        if term.language:
            found["xml:lang"] = term.language
        elif term.datatype:
            found["datatype"] = str(term.datatype)
        return found

    def row(values: Row) -> str:
        binding = {
            name: term_json(term)
            for name, term in zip(variables, values, strict=True)
            if term is not None
        }
        return json.dumps(binding, ensure_ascii=False, allow_nan=False)

    head = json.dumps({"vars": list(variables)}, ensure_ascii=False)
    return f'{{"head": {head}, "results": {{"bindings": [', row, ", ", "]}}"


def _xml(variables: tuple[str, ...]) -> Writer:
    """SPARQL 1.1 XML results, as rdflib writes them."""

    def binding(name: str, term: Identifier) -> str:
        if isinstance(term, URIRef):
            value = f"<uri>{escape(str(term))}</uri>"
        elif isinstance(term, BNode):
            value = f"<bnode>{escape(str(term))}</bnode>"
        else:
            assert isinstance(term, Literal)
            attribute = ""
            if term.language:
                attribute = f" xml:lang={quoteattr(term.language)}"
            elif term.datatype:
                attribute = f" datatype={quoteattr(str(term.datatype))}"
            value = f"<literal{attribute}>{escape(str(term))}</literal>"
        return f"<binding name={quoteattr(name)}>{value}</binding>"

    def row(values: Row) -> str:
        inside = "".join(
            binding(name, term)
            for name, term in zip(variables, values, strict=True)
            if term is not None
        )
        return f"<result>{inside}</result>"

    head = "".join(f"<variable name={quoteattr(name)}></variable>" for name in variables)
    return f"{_XML_HEAD}<head>{head}</head><results>", row, "", "</results></sparql>"


_WRITERS: dict[str, Callable[[tuple[str, ...]], Writer]] = {
    "csv": _csv,
    "tsv": _tsv,
    "json": _json,
    "xml": _xml,
}
