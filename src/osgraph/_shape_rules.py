"""SHACL shapes compiled to the rules of :mod:`osgraph._shape_checks`: for each shape, the
predicates of its path, the counts, tests and classes of its values, and the words it reports
them in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from osgraph._errors import ConfigurationError
from osgraph._shape_queries import (
    VALUE_TESTS,
    class_iri,
    component_name,
    default_message,
    path_text,
    shape_message,
    shape_name,
)
from osgraph._value_tests import Test, value_test

Waiting = dict[str, str | list[str]]
"""The values of an sh:class not yet seen as instances, each with the focus nodes (one, or a
list) that have it: a value seen as an instance is taken out at once."""


@dataclass(frozen=True, slots=True, eq=False)
class Rule:
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
    least: int
    most: int
    """The numbers of values that meet every count: the counts are looked at one by one only
    when a number is not between them."""
    single: str
    """The one predicate of a path that is one predicate (not inverse), else empty."""
    valued: bool
    """Whether values are tested one by one or by language."""
    instances: set[str] | None
    """The instances of the one class of ``classes``, when it has no subclass."""
    tests: tuple[tuple[Test, str, str], ...]
    classes: tuple[tuple[tuple[set[str], ...], str, str, Waiting], ...]
    """The instances of each class and its subclasses, of which a value must be one (filled
    as the subjects are given)."""


def compile_rule(
    shapes: Graph,
    shape: Node,
    path: Node | None,
    classes: Callable[[URIRef], list[URIRef]],
    typed: dict[str, set[str]],
) -> Rule:
    """The rule of ``shape``: of its focus node when ``path`` is None, else of the values of
    ``path``; ``typed`` gathers the sets of instances of each class its values must be of.

    Raises
    ------
    ConfigurationError
        When the shape checks the values of an inverse path, or its path is not one the
        streamed checks follow.
    """
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
            default = default_message(shapes, predicate, parameter)
            kinds.append((known, component, default, Waiting()))
    if inverse and (tests or kinds or unique_lang):
        raise ConfigurationError(
            f"the shape {shape_name(shapes, shape)} checks the values of an inverse path, which "
            "the streamed checks do not: validate with --engine oxigraph"
        )
    severity = str(shapes.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
    message = shape_message(shapes, shape)
    return Rule(
        predicates, inverse, shown, severity, message, tuple(counts), unique_lang,
        max((c[0] for c in counts), default=0), min((c[1] for c in counts), default=1 << 62),
        predicates[0] if len(predicates) == 1 and not inverse else "", bool(tests or unique_lang),
        kinds[0][0][0] if len(kinds) == 1 and len(kinds[0][0]) == 1 else None,
        tuple(tests), tuple(kinds),
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
