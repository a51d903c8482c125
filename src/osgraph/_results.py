"""The answer to a query, whichever engine gave it, and how it is written: the W3C SPARQL 1.1
results formats (CSV, TSV, JSON, XML), Turtle for a graph, and a table for the terminal.

The results formats are written a row at a time (:func:`result_parts`), so that a million rows
reach a pipe as the engine finds them, and the answer held whole is written by the same code:
from the engine's own terms (a :class:`TermReader` reads them), each distinct term once, since
making rdflib's terms of a large answer costs more than writing it.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
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
        return b"".join(_select_parts(self.variables, self.rows, format, RDFLIB_TERMS))


Row = tuple[Identifier | None, ...]
"""One solution of a SELECT answer: a term, or None, for each of its variables."""


class Term(NamedTuple):
    """A term as the results formats write it: an IRI (``uri``), a blank node (``bnode``) or a
    literal, by its text; a literal's language, or else its datatype (none for a string)."""

    kind: TypingLiteral["uri", "bnode", "literal"]
    text: str
    language: str | None = None
    datatype: str | None = None


def rdflib_term(term: Identifier) -> Term:
    """An rdflib term as the results formats write it.

    Examples
    --------
    >>> rdflib_term(Literal("Kafka", lang="en"))
    Term(kind='literal', text='Kafka', language='en', datatype=None)
    """
    if isinstance(term, URIRef):
        return Term("uri", str(term))
    if isinstance(term, BNode):
        return Term("bnode", str(term))
    if isinstance(term, Literal):
        if term.language:
            return Term("literal", str(term), term.language)
        return Term("literal", str(term), None, str(term.datatype) if term.datatype else None)
    raise ValueError(f"{term!r} is not a term a results format holds")


@dataclass(frozen=True, slots=True)
class TermReader:
    """How the terms of an engine's rows are read: as the results formats write them
    (``term``), and as rdflib's terms (``identifier``), for a table and an answer held whole.

    ``exact`` says that terms are equal only when they are the same term, so that what is
    written of one can be kept for the next time it comes: an answer repeats its terms (an
    institution in every row of its projects). rdflib's literals are not: ``"a"@EN`` equals
    ``"a"@en``.
    """

    term: Callable[[Any], Term]
    identifier: Callable[[Any], Identifier]
    exact: bool


RDFLIB_TERMS = TermReader(rdflib_term, lambda term: term, exact=False)
"""The reader of rows of rdflib's terms."""


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
        """The rows not read yet, in rdflib's terms, each distinct term made once.

        Examples
        --------
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
        yield from _select_parts(answer.variables, answer.rows, format, answer.terms)
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
    variables: tuple[str, ...],
    rows: Iterable[Iterable[Any]],
    format: ResultFormat,
    terms: TermReader,
) -> Iterator[bytes]:
    head, column, row, separator, end = _WRITERS[format](variables)
    cells = [_cells(column(name), terms) for name in variables]
    yield head.encode("utf-8")
    batch: list[str] = []
    first = True
    for values in rows:
        written = row([cell(term) for cell, term in zip(cells, values, strict=True)])
        batch.append(written if first or not separator else separator + written)
        if first or len(batch) == _BATCH:
            yield "".join(batch).encode("utf-8")
            batch.clear()
            first = False
    yield ("".join(batch) + end).encode("utf-8")


def _cells(binding: Callable[[Term], str], terms: TermReader) -> Callable[[Any], str]:
    """What a format writes of each term of a variable's column (its ``binding``): nothing
    where it is unbound; each distinct term written once when the terms are exact."""
    read = terms.term

    def cell(term: Any) -> str:
        return "" if term is None else binding(read(term))

    if not terms.exact:
        return cell
    written: dict[Any, str] = {}

    def known(term: Any) -> str:
        found = written.get(term)
        if found is None:
            found = written[term] = cell(term)
        return found

    return known


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


Writer = tuple[str, Callable[[str], Callable[[Term], str]], Callable[[list[str]], str], str, str]
"""What a results format writes of an answer: its head, a variable's term (for each variable,
by its name), a row of those (an empty one where a variable is unbound), what separates rows,
its end."""

_XML_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"'
    ' xmlns:xml="http://www.w3.org/XML/1998/namespace">'
)


def _csv(variables: tuple[str, ...]) -> Writer:
    """SPARQL 1.1 CSV: lexical values, blank nodes as ``_:label``, lines ending in CRLF, each
    value quoted as Python's ``csv`` module quotes it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: Iterable[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    def value(term: Term) -> str:
        text = f"_:{term.text}" if term.kind == "bnode" else term.text
        return line((text,))[:-2] if text else ""

    def row(cells: list[str]) -> str:
        # A line of one empty value is written quoted, as ``csv`` writes it: an empty line
        # would be no row.
        return '""\r\n' if cells == [""] else ",".join(cells) + "\r\n"

    return line(variables), lambda name: value, row, "", ""


def _tsv(variables: tuple[str, ...]) -> Writer:
    """SPARQL 1.1 TSV: a header of ``?names``, then terms in Turtle syntax."""

    def row(cells: list[str]) -> str:
        return "\t".join(cells) + "\n"

    head = "\t".join(f"?{name}" for name in variables) + "\n"
    return head, lambda name: _tsv_term, row, "", ""


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})
"""What a TSV cell cannot hold raw: its line and cell separators, and a string's own quote."""


def _tsv_term(term: Term) -> str:
    """A term in Turtle syntax, on one line: a literal in quotes with its line breaks and tabs
    escaped (rdflib's ``n3()`` writes a long string, with raw line breaks, which no TSV reader
    takes); an IRI as rdflib's ``n3()`` writes it, refused where Turtle cannot hold it."""
    if term.kind == "uri":
        return URIRef(term.text).n3()
    if term.kind == "bnode":
        return f"_:{term.text}"
    text = f'"{term.text.translate(_TSV_ESCAPES)}"'
    if term.language:
        return f"{text}@{term.language}"
    return f"{text}^^{URIRef(term.datatype).n3()}" if term.datatype else text


def _json(variables: tuple[str, ...]) -> Writer:
    """SPARQL 1.1 JSON: the head first, so that it can be read before the last row."""

    # A row's object of bindings as json.dumps writes it, written a binding, and a string, at a
    # time: json.dumps of an object costs more than the row's other work.
    encode = json.JSONEncoder(ensure_ascii=False).encode

    def column(name: str) -> Callable[[Term], str]:
        key = f"{encode(name)}: "

        def binding(term: Term) -> str:
            found = f'{key}{{"type": "{term.kind}", "value": {encode(term.text)}'
            if term.language:
                return f'{found}, "xml:lang": {encode(term.language)}}}'
            if term.datatype:
                return f'{found}, "datatype": {encode(term.datatype)}}}'
            return found + "}"

        return binding

    def row(cells: list[str]) -> str:
        return "{" + ", ".join(filter(None, cells)) + "}"

    head = json.dumps({"vars": list(variables)}, ensure_ascii=False)
    return f'{{"head": {head}, "results": {{"bindings": [', column, row, ", ", "]}}"


def _xml(variables: tuple[str, ...]) -> Writer:
    """SPARQL 1.1 XML results, as rdflib writes them."""

    def column(name: str) -> Callable[[Term], str]:
        start = f"<binding name={quoteattr(name)}>"

        def binding(term: Term) -> str:
            if term.kind != "literal":
                return f"{start}<{term.kind}>{escape(term.text)}</{term.kind}></binding>"
            attribute = ""
            if term.language:
                attribute = f" xml:lang={quoteattr(term.language)}"
            elif term.datatype:
                attribute = f" datatype={quoteattr(term.datatype)}"
            return f"{start}<literal{attribute}>{escape(term.text)}</literal></binding>"

        return binding

    def row(cells: list[str]) -> str:
        return f"<result>{''.join(cells)}</result>"

    head = "".join(f"<variable name={quoteattr(name)}></variable>" for name in variables)
    return f"{_XML_HEAD}<head>{head}</head><results>", column, row, "", "</results></sparql>"


_WRITERS: dict[str, Callable[[tuple[str, ...]], Writer]] = {
    "csv": _csv,
    "tsv": _tsv,
    "json": _json,
    "xml": _xml,
}
