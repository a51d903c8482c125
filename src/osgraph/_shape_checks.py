"""SHACL shapes compiled to checks of one subject at a time, run on the statements as they are
written: the validation of a build, with no store to load and no graph to scan again.

A subject's statements are given once, whole (its types, values and labels); what only the
whole graph can tell is remembered and checked at the end: whether a value of an ``sh:class``
is an instance of the class (the instance may be written later), and how many subjects name a
focus node by an inverse path. The checks find what the queries of
:mod:`osgraph._shape_queries` find, in the same words. A SHACL constraint or path the compiler
does not know is an error that names it: no check is ever left out in silence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from osgraph._errors import ConfigurationError
from osgraph._shape_queries import (
    NODE_TERMS,
    PROPERTY_TERMS,
    VALUE_TESTS,
    Finding,
    class_iri,
    component_name,
    default_message,
    path_text,
    refuse_unknown,
    shape_message,
    shape_name,
)
from osgraph._value_tests import Term, Test, term_of, value_test

Value = TypeVar("Value")

_TYPE, _LABEL, _SUBCLASS = str(RDF.type), str(RDFS.label), str(RDFS.subClassOf)
_STRING, _LANG_STRING, _INTEGER = str(XSD.string), str(RDF.langString), str(XSD.integer)


@dataclass(frozen=True, slots=True, eq=False)
class _Rule:
    """The checks of one shape: of its focus node (no ``predicates``) or of the values of its
    path (the union of ``predicates``, or the subjects that name the focus node by one of them
    when ``inverse``)."""

    predicates: tuple[str, ...]
    inverse: bool
    shown: str
    severity: str
    message: str | None
    counts: tuple[tuple[int, int, str, str], ...]
    """Each ``(least, most, component, default message)`` number of distinct values."""
    unique_lang: tuple[str, str] | None
    needed: bool
    """Whether the path must have a value (an ``sh:minCount`` above 0)."""
    tests: tuple[tuple[Test, str, str], ...]
    classes: tuple[tuple[tuple[set[str], ...], str, str], ...]
    """The instances of each class and its subclasses, of which a value must be one (filled
    as the subjects are given)."""


class ShapeChecks:
    """The shapes of a shapes graph, checked on subjects one at a time.

    ``classes`` gives a class and its subclasses in the data (see
    :func:`osgraph._shape_queries.compile_shapes`); a statement that makes another class a
    subclass of a class the shapes name, seen while checking, is an error at :meth:`finish`.
    ``prefixes`` are those of the Turtle terms given to :meth:`statement`.

    Raises
    ------
    ConfigurationError
        When a shape uses a SHACL term or path the checks do not know.
    """

    def __init__(
        self,
        shapes: Graph,
        classes: Callable[[URIRef], list[URIRef]] = lambda known: [known],
        prefixes: Mapping[str, str] | None = None,
    ) -> None:
        self._targets: dict[str, list[list[_Rule]]] = {}
        self._typed: dict[str, set[str]] = {}
        for shape in sorted(set(shapes.subjects(SH.targetClass, None)), key=str):
            if (shape, SH.deactivated, Literal(True)) in shapes:
                continue
            refuse_unknown(shapes, shape, NODE_TERMS)
            rules = [_rule(shapes, shape, None, classes, self._typed)]
            for member in sorted(shapes.objects(shape, SH.property), key=str):
                if (member, SH.deactivated, Literal(True)) not in shapes:
                    refuse_unknown(shapes, member, PROPERTY_TERMS)
                    path = shapes.value(member, SH.path)
                    rules.append(_rule(shapes, member, path, classes, self._typed))
            targets = {
                str(c) for t in shapes.objects(shape, SH.targetClass) for c in classes(class_iri(t))
            }
            for target in targets:
                self._targets.setdefault(target, []).append(rules)
        every = [rule for shapes_ in self._targets.values() for rules in shapes_ for rule in rules]
        self._named = set(self._targets) | set(self._typed)
        self._inverse = {rule.predicates[0] for rule in every if rule.inverse}
        self._named_by: dict[str, Counter[str]] = {p: Counter() for p in self._inverse}
        self._inverse_foci: dict[_Rule, list[str]] = {r: [] for r in every if r.inverse}
        self._pending: list[tuple[str, _Rule, int, str]] = []
        """The values of an sh:class not yet seen as instances, by focus node, rule and class."""
        self._labels: dict[str, str] = {}
        self._found: list[tuple[_Rule, Term, str | None, str, str, Term | None]] = []
        self._subclassed: set[tuple[str, str]] = set()
        self._prefixes = dict(prefixes or {})
        self._expanded: dict[str, str] = {"a": _TYPE}
        self._read = {p for rule in every for p in rule.predicates} | {_TYPE, _LABEL, _SUBCLASS}
        """The predicates some check reads: the others are not looked at."""
        self._parsed: dict[str, Term] = {}

    def statement(self, subject: str, pairs: Sequence[tuple[str, str]]) -> None:
        """Check a subject and all its ``(predicate, object)`` pairs, written in Turtle with
        the prefixes given (as :class:`osgraph._turtle.TurtleWriter` takes them)."""
        expanded = self._expanded
        values: dict[str, list[str]] = {}
        for predicate, value in pairs:
            full = expanded.get(predicate)
            if full is None:
                full = self._parse(predicate).text
                full = expanded[predicate] = full if full in self._read else ""
            if not full:
                continue
            found = values.get(full)
            if found is None:
                values[full] = [value]
            else:
                found.append(value)
        self._subject(self._parse(subject), values, self._term)

    def graph(self, graph: Graph) -> None:
        """Check every subject of an rdflib graph."""
        for subject in set(graph.subjects()):
            values: dict[str, list[Term]] = {}
            for predicate, value in graph.predicate_objects(subject):
                values.setdefault(str(predicate), []).append(term_of(value))
            self._subject(term_of(subject), values, lambda term: term)

    def finish(self, name: Callable[[Term], str]) -> list[Finding]:
        """What the checks found, once every subject was checked; ``focus`` is the text that
        names the focus node (its least label, if any, and its IRI) and ``value`` a
        :class:`Term`; ``name`` names a node in the messages that name one.

        Raises
        ------
        ConfigurationError
            When the statements made a class the shapes name a superclass of another.
        """
        unknown = sorted(sup for sub, sup in self._subclassed if sub not in self._named)
        if set(unknown) & self._named:
            raise ConfigurationError(
                f"the graph makes a class a subclass of {min(set(unknown) & self._named)}, "
                "which the streamed checks were not told of: validate with --engine oxigraph"
            )
        for key, rule, index, value_key in self._pending:
            sets, component, default = rule.classes[index]
            if not any(value_key in kind for kind in sets):
                label = self._labels.get(key)
                self._found.append(
                    (rule, _focus(key), label, component, default, _focus(value_key))
                )
        for rule, foci in self._inverse_foci.items():
            named = self._named_by[rule.predicates[0]]
            for key in foci:
                for least, most, component, default in rule.counts:
                    if not least <= named.get(key, 0) <= most:
                        found = (rule, _focus(key), self._labels.get(key), component, default, None)
                        self._found.append(found)
        return [
            Finding(
                rule.severity,
                f"{label} <{focus.text}>" if label is not None else f"<{focus.text}>",
                rule.shown,
                component,
                rule.message or _named(default, focus, value, name),
                value,
            )
            for rule, focus, label, component, default, value in self._found
        ]

    def _subject(
        self, focus: Term, values: Mapping[str, Sequence[Value]], term: Callable[[Value], Term]
    ) -> None:
        key = _key(focus)
        types = [term(kind).text for kind in values.get(_TYPE, ())]
        for kind in types:
            typed = self._typed.get(kind)
            if typed is not None:
                typed.add(key)
        if _SUBCLASS in values:
            self._subclassed |= {(key, term(known).text) for known in values[_SUBCLASS]}
        for predicate in self._inverse.intersection(values):
            self._named_by[predicate].update({_key(term(v)) for v in values[predicate]})
        shapes = [rules for kind in types for rules in self._targets.get(kind, ())]
        if len(shapes) > 1:  # a node of two classes of one shape is checked once
            shapes = list({id(rules): rules for rules in shapes}.values())
        found, pending = self._found, self._pending
        label: str | None = _UNKNOWN
        for rules in shapes:
            for rule in rules:
                predicates = rule.predicates
                if rule.inverse:
                    self._inverse_foci[rule].append(key)
                    label = self._remember_label(key, label, values, term)
                    continue
                if not predicates:
                    raw: Sequence[Value] | None = None
                    count = 1
                else:
                    raw = (
                        values.get(predicates[0], ())
                        if len(predicates) == 1
                        else [v for p in predicates for v in values.get(p, ())]
                    )
                    count = len(raw)
                    if count > 1:  # each triple is given once: its objects are distinct terms
                        count = len(set(raw))
                    elif count == 0 and not rule.needed:
                        continue  # no value, and none needed: nothing to check
                for least, most, component, default in rule.counts:
                    if count < least or count > most:
                        label = _least_label(label, values, term)
                        found.append((rule, focus, label, component, default, None))
                if not (rule.tests or rule.classes or rule.unique_lang):
                    continue
                if raw is None:
                    terms = [focus]
                elif len(raw) == 1:
                    terms = [term(raw[0])]
                else:
                    terms = [term(v) for v in set(raw)]
                if rule.unique_lang is not None:
                    languages = Counter(t.language.lower() for t in terms if t.language)
                    for _ in (language for language, count in languages.items() if count > 1):
                        label = _least_label(label, values, term)
                        found.append((rule, focus, label, *rule.unique_lang, None))
                for value in terms:
                    for test, component, default in rule.tests:
                        if not test(value):
                            label = _least_label(label, values, term)
                            found.append((rule, focus, label, component, default, value))
                    if not rule.classes:
                        continue
                    value_key = value.text if value.kind == "I" else f"_:{value.text}"
                    for index, (sets, component, default) in enumerate(rule.classes):
                        if value.kind == "L":  # never an instance
                            label = _least_label(label, values, term)
                            found.append((rule, focus, label, component, default, value))
                        elif not (value_key in sets[0] or any(value_key in s for s in sets)):
                            pending.append((key, rule, index, value_key))  # maybe one later
                            label = self._remember_label(key, label, values, term)

    def _remember_label(
        self,
        key: str,
        label: str | None,
        values: Mapping[str, Sequence[Value]],
        term: Callable[[Value], Term],
    ) -> str | None:
        """The focus node's label, kept for the checks made at the end."""
        label = _least_label(label, values, term)
        if label is not None:
            self._labels[key] = label
        return label

    def _term(self, text: str) -> Term:
        term = self._parsed.get(text)
        if term is None:
            term = self._parse(text)
            if term.kind != "L":  # the IRIs that recur, those of the last ones seen
                if len(self._parsed) >= 1 << 16:
                    self._parsed.clear()
                self._parsed[text] = term
        return term

    def _parse(self, text: str) -> Term:
        """A Turtle term as :mod:`osgraph._turtle` writes it."""
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
            return Term("L", lexical, self._parse(datatype).text if datatype else _STRING)
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


def _named(message: str, focus: Term, value: Term | None, name: Callable[[Term], str]) -> str:
    message = message.replace("{focus}", name(focus))
    return message.replace("{value}", name(value)) if value is not None else message


_UNKNOWN = "\0"  # a label not yet looked up: no label is that text


def _least_label(
    label: str | None, values: Mapping[str, Sequence[Value]], term: Callable[[Value], Term]
) -> str | None:
    """``label``, unless it is not yet known: then the least label of ``values``, if any (one
    label of a node names it, the same each time)."""
    if label != _UNKNOWN:
        return label
    labels = [term(value).text for value in values.get(_LABEL, ())]
    return min(labels) if labels else None


def _key(term: Term) -> str:
    return term.text if term.kind == "I" else f"_:{term.text}"


def _focus(key: str) -> Term:
    return Term("B", key[2:]) if key.startswith("_:") else Term("I", key)


_new = tuple.__new__
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


def _rule(
    shapes: Graph,
    shape: Node,
    path: Node | None,
    classes: Callable[[URIRef], list[URIRef]],
    typed: dict[str, set[str]],
) -> _Rule:
    predicates, inverse = _path_predicates(shapes, shape, path) if path is not None else ((), False)
    shown = path_text(shapes, path) if path is not None else ""
    shown_focus = "{focus}" + (f"->{shown}" if shown else "")
    counts, tests, kinds = [], [], []
    unique_lang = None
    for predicate, parameter in sorted(shapes.predicate_objects(shape), key=str):
        component = component_name(predicate)
        if predicate in VALUE_TESTS:
            default = default_message(shapes, predicate, parameter)
            tests.append((value_test(shapes, shape, predicate, parameter), component, default))
        elif predicate == SH.minCount and path is not None:
            count = int(str(parameter))
            counts.append((count, 1 << 62, component, f"Less than {count} values on {shown_focus}"))
        elif predicate == SH.maxCount and path is not None:
            count = int(str(parameter))
            counts.append((0, count, component, f"More than {count} values on {shown_focus}"))
        elif predicate == SH.uniqueLang and path is not None and parameter == Literal(True):
            unique_lang = (component, "More than one String shares the same Language")
        elif predicate == SH["class"]:
            known = tuple(typed.setdefault(str(c), set()) for c in classes(class_iri(parameter)))
            kinds.append((known, component, default_message(shapes, predicate, parameter)))
    if inverse and (tests or kinds or unique_lang):
        raise ConfigurationError(
            f"the shape {shape_name(shapes, shape)} checks the values of an inverse path, which "
            "the streamed checks do not: validate with --engine oxigraph"
        )
    severity = str(shapes.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
    message = shape_message(shapes, shape)
    return _Rule(
        predicates, inverse, shown, severity, message, tuple(counts), unique_lang,
        any(least > 0 for least, *_ in counts), tuple(tests), tuple(kinds),
    )  # fmt: skip


def _path_predicates(shapes: Graph, shape: Node, path: Node) -> tuple[tuple[str, ...], bool]:
    """A predicate, an alternative of predicates, or the inverse of a predicate."""
    if isinstance(path, URIRef):
        return (str(path),), False
    inverse = shapes.value(path, SH.inversePath)
    if isinstance(inverse, URIRef):
        return (str(inverse),), True
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        members = list(Collection(shapes, alternatives))
        if all(isinstance(member, URIRef) for member in members):
            return tuple(str(member) for member in members), False
    raise ConfigurationError(
        f"the path of the shape {shape_name(shapes, shape)} is not one the streamed checks "
        "follow (a property, an alternative of properties, or an inverse): validate with "
        "--engine oxigraph"
    )
