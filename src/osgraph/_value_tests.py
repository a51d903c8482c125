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
from collections.abc import Callable, Mapping
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


class TurtleTerms:
    """The terms of Turtle as :mod:`osgraph._turtle` writes them with ``prefixes``, read as
    :class:`Term` (or only as the key of a node); the IRIs read last are kept, as they recur.

    The key of a node names it in sets of millions (the instances of a class): in it, the
    longest namespace of ``prefixes`` that an IRI is in is a mark of two characters that no IRI
    holds (``\\0`` and one more), which makes the keys of a list's nodes a third shorter.

    Examples
    --------
    >>> terms = TurtleTerms({"ex": "https://example.org/"})
    >>> terms.key("ex:a"), terms.key('"a"'), terms.term('"ten"@en').language
    ('\\x00\\x01a', None, 'en')
    >>> terms.expand(terms.key("<https://example.org/a>")), terms.key("<https://else.org/a>")
    ('https://example.org/a', 'https://else.org/a')
    >>> nested = TurtleTerms({"ex": "https://example.org/", "exa": "https://example.org/a/"})
    >>> nested.key("ex:a\\\\/b") == nested.key("exa:b") == nested.key("<https://example.org/a/b>")
    True
    """

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self._prefixes = dict(prefixes)
        self._parsed: dict[str, Term] = {}
        self._keys: dict[str, str | None] = {}
        longest = sorted(set(self._prefixes.values()), key=len, reverse=True)
        self._marks = {namespace: f"\0{chr(1 + n)}" for n, namespace in enumerate(longest)}
        self._namespaces = {mark: namespace for namespace, mark in self._marks.items()}
        # The prefixes whose names no longer namespace may hold: their mark is the prefix's.
        self._marked = {
            prefix: self._marks[namespace]
            for prefix, namespace in self._prefixes.items()
            if not any(other.startswith(namespace) for other in longest if other != namespace)
        }

    def key(self, text: str) -> str | None:
        """The key of a node (its IRI, marked as :class:`TurtleTerms` says; ``_:`` and its
        label for a blank node), None for a literal; without making a term."""
        if text[0] == "<":
            return self.mark(text[1:-1])  # the IRIs written in full are those that seldom recur
        found = self._keys.get(text, _NOT_YET)
        if found is _NOT_YET:
            found = self._key(text)
            if len(self._keys) >= 1 << 16:
                self._keys.clear()
            self._keys[text] = found
        return found

    def subject_key(self, text: str) -> str:
        """The key of a subject (a node: Turtle has no literal subject), not kept: a subject
        is given once."""
        return self._key(text) or text

    def _key(self, text: str) -> str | None:
        first = text[0]
        if first == "<":
            return self.mark(text[1:-1])
        if first != '"':
            prefix, colon, local = text.partition(":")
            mark = self._marked.get(prefix) if colon else None
            if mark is not None:
                return mark + local.replace("\\", "")
        return self.term_key(self.parse(text))

    def term_key(self, term: Term) -> str | None:
        """The key of a node (None for a literal), from its term."""
        return None if term.kind == "L" else self.mark(node_key(term))

    def mark(self, name: str) -> str:
        """The key of the node :func:`node_key` names ``name``."""
        for namespace, mark in self._marks.items():
            if name.startswith(namespace):
                return mark + name[len(namespace) :]
        return name

    def expand(self, key: str) -> str:
        """What :func:`node_key` names the node of ``key``."""
        if key.startswith("\0"):
            return self._namespaces[key[:2]] + key[2:]
        return key

    def term(self, text: str) -> Term:
        """:meth:`parse`, of an IRI read lately kept."""
        term = self._parsed.get(text)
        if term is None:
            term = self.parse(text)
            if term.kind != "L":
                if len(self._parsed) >= 1 << 16:
                    self._parsed.clear()
                self._parsed[text] = term
        return term

    def parse(self, text: str) -> Term:
        """A Turtle term.

        Raises
        ------
        ValueError
            When ``text`` is no term that osgraph writes.
        """
        first = text[0]
        if first == "<":
            return _new(Term, ("I", text[1:-1], "", ""))
        if first == '"':
            if text[-1] == '"' and "\\" not in text:  # most are plain strings
                return _new(Term, ("L", text[1:-1], _STRING, ""))
            found = _LITERAL.fullmatch(text)
            if found is None:
                raise ValueError(f"not a Turtle literal: {text!r}")
            lexical, language, datatype = found.groups()
            if "\\" in lexical:
                lexical = _ESCAPE.sub(_unescape, lexical)
            if language:
                return Term("L", lexical, _LANG_STRING, language)
            return Term("L", lexical, self.parse(datatype).text if datatype else _STRING)
        prefix, colon, local = text.partition(":")
        namespace = self._prefixes.get(prefix) if colon else None
        if namespace is not None:
            return _new(Term, ("I", namespace + local.replace("\\", ""), "", ""))
        if text.startswith("_:"):
            return Term("B", text[2:])
        for pattern, datatype in _NUMBERS:
            if pattern.fullmatch(text):
                return Term("L", text, datatype)
        raise ValueError(f"not a Turtle term osgraph writes: {text!r}")


def node_key(term: Term) -> str:
    """What names a node among the instances of a class: its IRI, or ``_:`` and its label."""
    return term.text if term.kind == "I" else f"_:{term.text}"


def node_term(name: str) -> Term:
    """The term of the node that :func:`node_key` names ``name``."""
    return Term("B", name[2:]) if name.startswith("_:") else Term("I", name)


_NOT_YET = "\0"  # no key looked up yet: no key is that text
_new = tuple.__new__
_LANG_STRING = str(RDF.langString)
_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^(\S+))?', re.S)
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.S)
_CHARACTERS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f"}
_NUMBERS = (
    (re.compile(r"[+-]?[0-9]+"), _INTEGER),
    (re.compile(r"[+-]?[0-9]*\.[0-9]+"), str(XSD.decimal)),
    (re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+"), str(XSD.double)),
    (re.compile(r"true|false"), str(XSD.boolean)),
)


def _unescape(found: re.Match[str]) -> str:
    code = found[1]
    if len(code) > 1:
        return chr(int(code[1:], 16))
    return _CHARACTERS.get(code, code)


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
