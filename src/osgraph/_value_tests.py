"""The SHACL checks of one value (its kind, pattern, datatype, length, range, list of allowed
values, language, and the shapes it must or must not conform to), as Python tests of a term,
true when the value passes: what the expressions of :data:`osgraph._shape_queries.VALUE_TESTS`
compute in SPARQL.
"""

from __future__ import annotations

import datetime
import logging
import operator
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from osgraph._shape_queries import CASTABLE, NOT_CHECKS, RANGES, VALUE_TESTS, refuse_unknown


class Term(NamedTuple):
    """An RDF term as the checks see it: ``kind`` is ``I`` (IRI), ``B`` (blank node) or ``L``
    (literal, with its datatype's IRI and its language)."""

    kind: str
    text: str
    datatype: str = ""
    language: str = ""


Test = Callable[[Term], bool]


def term_of(node: Node) -> Term:
    """An rdflib term as the checks see it."""
    if isinstance(node, Literal):
        datatype = node.datatype or (RDF.langString if node.language else XSD.string)
        return Term("L", str(node), str(datatype), node.language or "")
    return Term("B" if isinstance(node, BNode) else "I", str(node))


_STRING, _INTEGER = str(XSD.string), str(XSD.integer)
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")


def value_test(shapes: Graph, shape: Node, predicate: Node, parameter: Node) -> Test:
    """A test of one value, true when it passes (as the SPARQL expression of
    :data:`osgraph._shape_queries.VALUE_TESTS` is)."""
    if predicate == SH.nodeKind:
        kinds = _NODE_KINDS[URIRef(str(parameter))]
        return lambda value: value.kind in kinds
    if predicate == SH.pattern:
        flags = str(shapes.value(shape, SH.flags) or "")
        regex = re.compile(str(parameter), sum(_FLAGS[flag] for flag in flags))
        return lambda value: value.kind != "B" and regex.search(value.text) is not None
    if predicate == SH.datatype:
        datatype = str(parameter)
        if datatype == _STRING:
            return lambda value: value.kind == "L" and value.datatype == datatype
        castable = parameter in CASTABLE
        return lambda value: (
            value.kind == "L"
            and value.datatype == datatype
            and (not castable or _python(value) is not None)
        )
    if predicate in (SH.minLength, SH.maxLength):
        length = int(str(parameter))
        if predicate == SH.minLength:
            return lambda value: length == 0 or (value.kind != "B" and len(value.text) >= length)
        return lambda value: value.kind != "B" and len(value.text) <= length
    if predicate in RANGES:
        return _range(RANGES[predicate], term_of(parameter))
    if predicate == SH["in"]:
        members = {term_of(member) for member in Collection(shapes, parameter)}
        return lambda value: value in members
    if predicate == SH.languageIn:
        tags = [str(tag).lower() for tag in Collection(shapes, parameter)]
        return lambda value: value.kind == "L" and any(_matches(value.language, t) for t in tags)
    refuse_unknown(shapes, parameter, set(VALUE_TESTS) | NOT_CHECKS | {RDF.type})
    inner = [
        value_test(shapes, parameter, known, given)
        for known, given in sorted(shapes.predicate_objects(parameter), key=str)
        if known in VALUE_TESTS
    ]
    if predicate == SH.node:
        return lambda value: all(test(value) for test in inner)
    return lambda value: not all(test(value) for test in inner)  # sh:not


_NODE_KINDS = {
    SH.IRI: "I", SH.BlankNode: "B", SH.Literal: "L", SH.BlankNodeOrIRI: "BI",
    SH.BlankNodeOrLiteral: "BL", SH.IRIOrLiteral: "IL",
}  # fmt: skip
_FLAGS = {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE, "x": re.VERBOSE, "q": 0}


def _matches(language: str, tag: str) -> bool:
    """SPARQL's LANGMATCHES of a literal's language and a tag (lowercased)."""
    language = language.lower()
    if tag == "*":
        return bool(language)
    return language == tag or language.startswith(tag + "-")


_NUMERIC = {str(XSD[name]) for name in (
    "integer", "decimal", "float", "double", "long", "int", "short", "byte", "nonPositiveInteger",
    "negativeInteger", "nonNegativeInteger", "positiveInteger", "unsignedLong", "unsignedInt",
    "unsignedShort", "unsignedByte",
)}  # fmt: skip


def _python(value: Term) -> Any:
    """The value of a literal of a datatype SPARQL casts to (a number, a date, ...), or None
    when its lexical form is not one of that datatype."""
    text, datatype = value.text, value.datatype
    if datatype == _INTEGER:
        return int(text) if _INTEGER_TEXT.fullmatch(text) else None
    if datatype == _STRING:
        return text
    if datatype in _NUMERIC:
        try:
            return Decimal(text) if "e" not in text.lower() else float(text)
        except (InvalidOperation, ValueError):
            return None
    if datatype == str(XSD.date) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            return None
    logger = logging.getLogger("rdflib.term")
    was_disabled, logger.disabled = logger.disabled, True  # it logs each ill-typed literal
    try:
        literal = Literal(text, datatype=URIRef(datatype))
    finally:
        logger.disabled = was_disabled
    return None if literal.ill_typed else literal.value


def _range(sign: str, bound: Term) -> Test:
    limit = _python(bound)
    compare = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}[sign]
    numeric = bound.datatype in _NUMERIC

    def test(value: Term) -> bool:
        if value.kind != "L" or (value.datatype in _NUMERIC) != numeric:
            return False
        if not numeric and value.datatype != bound.datatype:
            return False
        given = _python(value)
        try:
            return given is not None and bool(compare(given, limit))
        except TypeError:
            return False

    return test
