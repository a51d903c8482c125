"""The W3C SPARQL 1.1 results formats (CSV, TSV, JSON, XML), written a row at a time from
whichever terms an engine gives: a :class:`TermReader` says how they are read. Each distinct
term of an answer whose terms are exact is written once and kept, for the answers repeat them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast
from typing import Literal as TypingLiteral
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier


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


_BATCH = 512
"""Rows written together after the first: one write per row would cost a system call each."""


def select_parts(
    variables: tuple[str, ...],
    rows: Iterable[Sequence[Any]],
    format: str,
    terms: TermReader,
) -> Iterator[bytes]:
    r"""A SELECT answer's ``rows``, whose terms ``terms`` reads, in ``format`` (``csv``,
    ``tsv``, ``json`` or ``xml``), in parts: the head, the first row on its own, then the rows
    a batch at a time, then the end.

    Examples
    --------
    >>> b"".join(select_parts(("n",), [(Literal(1),), (None,)], "tsv", RDFLIB_TERMS))
    b'?n\n"1"^^<http://www.w3.org/2001/XMLSchema#integer>\n\n'
    """
    head, column, row, separator, end = _WRITERS[format](variables)
    bindings = [column(name) for name in variables]
    cells = _known_cells(bindings, terms.term) if terms.exact else _cells(bindings, terms.term)
    yield head.encode("utf-8")
    batch: list[str] = []
    first = True
    for values in rows:
        written = row(cells(values))
        batch.append(written if first or not separator else separator + written)
        if first or len(batch) == _BATCH:
            yield "".join(batch).encode("utf-8")
            batch.clear()
            first = False
    yield ("".join(batch) + end).encode("utf-8")


Cells = Callable[[Sequence[Any]], list[str]]
"""What a format writes of each term of a row: nothing where a variable is unbound."""


def _cells(bindings: list[Callable[[Term], str]], read: Callable[[Any], Term]) -> Cells:
    """The cells of a row, each term read and written (by its column's ``binding``) afresh."""

    def cells(values: Sequence[Any]) -> list[str]:
        return [
            "" if term is None else binding(read(term))
            for binding, term in zip(bindings, values, strict=True)
        ]

    return cells


def _known_cells(bindings: list[Callable[[Term], str]], read: Callable[[Any], Term]) -> Cells:
    """The cells of a row of exact terms, each distinct term of a column written once and then
    looked up: by ``dict.get`` mapped over the row, which calls no Python function for a term
    written before (a call per cell cost more than the rest of a large answer's writing)."""
    written: list[dict[Any, str]] = [{None: ""} for _ in bindings]

    def cells(values: Sequence[Any]) -> list[str]:
        if len(values) != len(written):
            raise ValueError(f"a row of {len(values)} terms for {len(written)} variables")
        found = list(map(dict.get, written, values))
        if None in found:
            for index, term in enumerate(values):
                if found[index] is None:
                    found[index] = written[index][term] = bindings[index](read(term))
        return cast(list[str], found)  # every cell not written before is now

    return cells


def boolean(answer: bool, format: str) -> bytes:
    """An ASK answer: the boolean of JSON and XML, a table of one column in CSV and TSV."""
    text = "true" if answer else "false"
    if format == "json":
        return json.dumps({"head": {}, "boolean": answer}).encode()
    if format == "xml":
        return f"{_XML_HEAD}<head></head><boolean>{text}</boolean></sparql>".encode()
    if format == "tsv":
        return f"?boolean\n{text}\n".encode()
    return f"boolean\r\n{text}\r\n".encode()


Writer = tuple[str, Callable[[str], Callable[[Term], str]], Callable[[list[str]], str], str, str]
"""What a results format writes of an answer: its head, a variable's term (for each variable,
by its name), a row of those (an empty one where a variable is unbound), what separates rows,
its end."""

_XML_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"'
    ' xmlns:xml="http://www.w3.org/XML/1998/namespace">'
)


_CSV_QUOTED = re.compile('[,"\r\n]')
"""What makes ``csv`` quote a value (its delimiter, its quote, a line break)."""


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
        # ``csv`` quotes only a value that holds a comma, a quote or a line break: any other
        # is written as it is, without the cost of a line of its own.
        return line((text,))[:-2] if _CSV_QUOTED.search(text) else text

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
