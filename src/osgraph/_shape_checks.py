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

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from osgraph._errors import ConfigurationError
from osgraph._one_or_many import add_one, each
from osgraph._shape_queries import NODE_TERMS, PROPERTY_TERMS, Finding, class_iri, refuse_unknown
from osgraph._shape_rules import Rule, Waiting, compile_rule
from osgraph._value_tests import Term, TurtleTerms, node_key, node_term, term_of

Value = TypeVar("Value")

_TYPE, _LABEL, _SUBCLASS = str(RDF.type), str(RDFS.label), str(RDFS.subClassOf)


def _same(term: Term) -> Term:
    return term


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
        self._targets: dict[str, list[list[Rule]]] = {}
        self._typed: dict[str, set[str]] = {}
        for shape in sorted(set(shapes.subjects(SH.targetClass, None)), key=str):
            if (shape, SH.deactivated, Literal(True)) in shapes:
                continue
            refuse_unknown(shapes, shape, NODE_TERMS)
            rules = [compile_rule(shapes, shape, None, classes, self._typed)]
            for member in sorted(shapes.objects(shape, SH.property), key=str):
                if (member, SH.deactivated, Literal(True)) not in shapes:
                    refuse_unknown(shapes, member, PROPERTY_TERMS)
                    path = shapes.value(member, SH.path)
                    rules.append(compile_rule(shapes, member, path, classes, self._typed))
            targets = {
                str(c) for t in shapes.objects(shape, SH.targetClass) for c in classes(class_iri(t))
            }
            for target in targets:
                self._targets.setdefault(target, []).append(rules)
        every = [rule for shapes_ in self._targets.values() for rules in shapes_ for rule in rules]
        self._named = set(self._targets) | set(self._typed)
        self._inverse = {rule.predicates[0] for rule in every if rule.inverse}
        self._named_by: dict[str, Counter[str]] = {p: Counter() for p in self._inverse}
        """How many subjects name each node by each inverse path, until the node is a focus."""
        self._inverse_foci: dict[Rule, dict[str, int]] = {r: {} for r in every if r.inverse}
        """The focus nodes of each inverse path, with how many subjects named them: those that
        named one before it was seen leave ``_named_by`` for it then, which would otherwise hold
        a second copy of the key of every focus node (millions of contributions)."""
        self._foci_named_by: dict[str, list[dict[str, int]]] = {}
        """The focus nodes of the inverse paths of each predicate, whose counts go up at once
        when a subject names them after they were seen (the subjects that name a node most
        often come after it)."""
        for rule, foci in self._inverse_foci.items():
            self._foci_named_by.setdefault(rule.predicates[0], []).append(foci)
        self._classed_rules = [rule for rule in dict.fromkeys(every) if rule.classes]
        self._drains: dict[int, list[Waiting]] = {}
        """The values waiting to be an instance of a class, by the instances of the class."""
        for rule in self._classed_rules:
            for sets, _, _, waiting in rule.classes:
                for instances in sets:
                    self._drains.setdefault(id(instances), []).append(waiting)
        self._labels: dict[str, str] = {}
        self._found: list[tuple[Rule, Term, str | None, str, str, Term | None]] = []
        self._subclassed: set[tuple[str, str]] = set()
        self._terms = TurtleTerms(prefixes or {})
        self._expanded: dict[str, str] = {"a": _TYPE}
        self._read = {p for rule in every for p in rule.predicates} | {_TYPE, _LABEL, _SUBCLASS}
        """The predicates some check reads: the others are not looked at."""
        self._dispatch: dict[
            tuple[object, ...], tuple[list[set[str]], list[Rule], list[Waiting]]
        ] = {}

    def statement(self, subject: str, pairs: Sequence[tuple[str, str]]) -> None:
        """Check a subject and all its ``(predicate, object)`` pairs, written in Turtle with
        the prefixes given (as :class:`osgraph._turtle.TurtleWriter` takes them)."""
        expanded = self._expanded
        values: dict[str, list[str]] = {}
        for predicate, value in pairs:
            full = expanded.get(predicate)
            if full is None:
                full = self._terms.parse(predicate).text
                full = expanded[predicate] = full if full in self._read else ""
            if not full:
                continue
            found = values.get(full)
            if found is None:
                values[full] = [value]
            else:
                found.append(value)
        terms = self._terms
        self._subject(
            terms.parse(subject), terms.subject_key(subject), values, terms.term, terms.key
        )

    def graph(self, graph: Graph) -> None:
        """Check every subject of an rdflib graph."""
        for subject in set(graph.subjects()):
            values: dict[str, list[Term]] = {}
            for predicate, value in graph.predicate_objects(subject):
                values.setdefault(str(predicate), []).append(term_of(value))
            focus = term_of(subject)
            key = self._terms.mark(node_key(focus))
            self._subject(focus, key, values, _same, self._terms.term_key)

    def finish(self, name: Callable[[Term], str]) -> list[Finding]:
        """What the checks found, once every subject was checked; ``focus`` is the text that
        names the focus node (its least label, if any, and its IRI) and ``value`` a
        :class:`Term`; ``name`` names a node in the messages that name one.

        Raises
        ------
        ConfigurationError
            When the statements made a class the shapes name a superclass of another.
        """
        expand = self._terms.expand
        unknown = sorted(sup for sub, sup in self._subclassed if expand(sub) not in self._named)
        if set(unknown) & self._named:
            raise ConfigurationError(
                f"the graph makes a class a subclass of {min(set(unknown) & self._named)}, "
                "which the streamed checks were not told of: validate with --engine oxigraph"
            )

        def focus(key: str) -> Term:
            return node_term(expand(key))

        for rule in self._classed_rules:
            for sets, component, default, waiting in rule.classes:
                for value_key, foci in waiting.items():
                    if any(value_key in kind for kind in sets):
                        continue
                    for key in each(foci):
                        label = self._labels.get(key)
                        self._found.append(
                            (rule, focus(key), label, component, default, focus(value_key))
                        )
        for rule, seen in self._inverse_foci.items():
            for key, count in seen.items():  # every name, before the node was seen and after
                for least, most, component, default in rule.counts:
                    if not least <= count <= most:
                        found = (rule, focus(key), self._labels.get(key), component, default, None)
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
        self,
        focus: Term,
        key: str,
        values: Mapping[str, Sequence[Value]],
        term: Callable[[Value], Term],
        key_of: Callable[[Value], str | None],
    ) -> None:
        """Check one subject, whose key is ``key``; ``term`` makes a value a :class:`Term` and
        ``key_of`` gives the key of a value that may be an instance (None for a literal),
        without a term."""
        kinds = values.get(_TYPE, ())
        dispatch = self._dispatch.get(tuple(kinds))
        if dispatch is None:
            dispatch = self._dispatched(tuple(kinds), term)
        typed_sets, rules, drains = dispatch
        for typed in typed_sets:
            typed.add(key)
        for waiting in drains:
            if waiting:
                waiting.pop(key, None)
        if _SUBCLASS in values:
            self._subclassed |= {(key, term(known).text) for known in values[_SUBCLASS]}
        for predicate in self._inverse.intersection(values):
            named, seen = self._named_by[predicate], self._foci_named_by[predicate]
            for value_key in {key_of(v) for v in values[predicate]}:
                if value_key is None:  # a literal: no node to count
                    continue
                counted_now = False
                for foci in seen:
                    before = foci.get(value_key)
                    if before is not None:
                        foci[value_key] = before + 1
                        counted_now = True
                if not counted_now:
                    named[value_key] += 1
        label: str | None = _UNKNOWN
        counted: list[str] | None = None  # the inverse paths whose counts of the focus moved
        for rule in rules:
            single = rule.single
            if single:
                raw: Sequence[Value] | None = values.get(single)
                if raw is None:
                    if rule.least:
                        label = self._counted(rule, focus, 0, label, values, term)
                    continue  # no value: nothing more to check
                count = len(raw)
            elif rule.inverse:
                predicate = rule.predicates[0]
                foci = self._inverse_foci[rule]
                foci[key] = foci.get(key, 0) + self._named_by[predicate].get(key, 0)
                counted = [*(counted or ()), predicate]
                label = self._remember_label(key, label, values, term)
                continue
            elif rule.predicates:
                raw = [v for p in rule.predicates for v in values.get(p, ())]
                count = len(raw)
                if not count:
                    if rule.least:
                        label = self._counted(rule, focus, 0, label, values, term)
                    continue
            else:
                raw, count = None, 1
            if count > 1:  # each triple is given once: its objects are distinct terms
                raw = list(dict.fromkeys(raw))  # type: ignore[arg-type]
                count = len(raw)
            if count < rule.least or count > rule.most:
                label = self._counted(rule, focus, count, label, values, term)
            if rule.valued:
                label = self._tested(rule, focus, label, values, term, raw)
            instances = rule.instances
            if raw is None:  # the focus node is the value: a term already
                if rule.classes:
                    label = self._classed(
                        rule, focus, key, label, values, term, [focus], self._terms.term_key
                    )
            elif instances is not None:  # one class, with no subclass
                for value in raw:
                    value_key = key_of(value)
                    if value_key in instances:
                        continue
                    if value_key is None:  # a literal: the check of any class says so
                        label = self._classed(
                            rule, focus, key, label, values, term, [value], key_of
                        )
                    else:
                        add_one(rule.classes[0][3], value_key, key)  # maybe one later
                        label = self._remember_label(key, label, values, term)
            elif rule.classes:
                label = self._classed(rule, focus, key, label, values, term, raw, key_of)
        for predicate in counted or ():
            self._named_by[predicate].pop(key, None)

    def _counted(
        self,
        rule: Rule,
        focus: Term,
        count: int,
        label: str | None,
        values: Mapping[str, Sequence[Value]],
        term: Callable[[Value], Term],
    ) -> str | None:
        """Report each count of ``rule`` that ``count`` values do not meet."""
        for least, most, component, default in rule.counts:
            if count < least or count > most:
                label = _least_label(label, values, term)
                self._found.append((rule, focus, label, component, default, None))
        return label

    def _dispatched(
        self, kinds: tuple[Value, ...], term: Callable[[Value], Term]
    ) -> tuple[list[set[str]], list[Rule], list[Waiting]]:
        """The instances a subject of types ``kinds`` is one of, the rules it is checked by,
        and the values that wait for it to be an instance: the same for all subjects of the
        same types (kept for the first few of them)."""
        types = [term(kind).text for kind in kinds]
        typed = [self._typed[kind] for kind in dict.fromkeys(types) if kind in self._typed]
        shapes = [rules for kind in types for rules in self._targets.get(kind, ())]
        # a node of two classes of one shape is checked once
        rules = [
            rule for rules in {id(rules): rules for rules in shapes}.values() for rule in rules
        ]
        drains = [waiting for known in typed for waiting in self._drains.get(id(known), ())]
        if len(self._dispatch) < 1 << 10:
            self._dispatch[kinds] = (typed, rules, drains)
        return typed, rules, drains

    def _tested(
        self,
        rule: Rule,
        focus: Term,
        label: str | None,
        values: Mapping[str, Sequence[Value]],
        term: Callable[[Value], Term],
        raw: Sequence[Value] | None,
    ) -> str | None:
        """Run the tests of one value and the language check of ``rule`` on the focus node
        (no ``raw``) or on each distinct value of ``raw``; the focus node's label as known."""
        found = self._found
        terms = [focus] if raw is None else [term(v) for v in raw]
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
        return label

    def _classed(
        self,
        rule: Rule,
        focus: Term,
        key: str,
        label: str | None,
        values: Mapping[str, Sequence[Value]],
        term: Callable[[Value], Term],
        raw: Sequence[Any],
        key_of: Callable[[Any], str | None],
    ) -> str | None:
        """Check that each distinct value of ``raw`` is an instance of the classes of ``rule``,
        or remember it, to check at the end; the focus node's label as known."""
        for value in raw:
            value_key = key_of(value)
            for sets, component, default, waiting in rule.classes:
                if value_key is None:  # a literal: never an instance
                    label = _least_label(label, values, term)
                    self._found.append((rule, focus, label, component, default, term(value)))
                elif not (value_key in sets[0] or any(value_key in s for s in sets)):
                    add_one(waiting, value_key, key)  # maybe one later
                    label = self._remember_label(key, label, values, term)
        return label

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
