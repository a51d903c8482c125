"""SHACL shapes compiled to SPARQL queries, and what those queries find in an Oxigraph store.

The queries are made from the shapes graph each time it is compiled, so a change of
``ontology/shapes.ttl`` is a change of what they check. Each is written the way Oxigraph runs it
fast on millions of triples: a count of values as ``GROUP BY ... HAVING``; a focus node without
a value, or a value without a class, as a ``MINUS`` (a ``FILTER NOT EXISTS`` is evaluated once
per node, and an ``OPTIONAL`` looks each one up); every check of one value (its kind, pattern,
length, ...) as an expression of one query per property, on each distinct value once. A SHACL
constraint the compiler does not know is an error that names it: no check is ever left out in
silence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from osgraph._errors import ConfigurationError

NOT_CHECKS = {SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group, SH.flags}
"""The SHACL terms of a shape that say something of its checks, or nothing a check needs."""

_NODE_KINDS: dict[Node, str] = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "!isLiteral({v})",
    SH.BlankNodeOrLiteral: "!isIRI({v})",
    SH.IRIOrLiteral: "!isBlank({v})",
}
RANGES: dict[Node, str] = {
    SH.minInclusive: ">=",
    SH.maxInclusive: "<=",
    SH.minExclusive: ">",
    SH.maxExclusive: "<",
}

# The datatypes whose casting function (as SPARQL names them) tells a well-formed literal from
# an ill-formed one ("x"^^xsd:integer), which SHACL's sh:datatype refuses.
CASTABLE = {
    XSD.string, XSD.boolean, XSD.decimal, XSD.integer, XSD.float, XSD.double, XSD.date,
    XSD.time, XSD.dateTime, XSD.duration, XSD.dayTimeDuration, XSD.yearMonthDuration,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check found: a focus node, a value (or none), and what it breaks."""

    severity: str
    focus: Any
    path: str
    component: str
    message: str | None
    value: Any


@dataclass(frozen=True, slots=True)
class _Check:
    """A query whose solutions are findings: ``?focus``, maybe ``?value``, and for a query of
    value checks one boolean ``?okN`` for each of ``components`` (false: broken)."""

    query: str
    severity: str
    path: str
    components: tuple[tuple[str, str], ...]
    """Each check's component and its message when the shapes give none of their own."""
    message: str | None
    per_value: bool = False
    """Whether the solutions bind ``?value`` and an ``?okN`` for each component."""
    probe: str | None = None
    """An ASK query false when the check can find nothing, which is run first: a graph that
    conforms is not joined with its focus nodes at all."""


Expression = Callable[[Graph, Node, Node, str], str]


def compile_shapes(shapes: Graph, classes: Callable[[URIRef], list[URIRef]]) -> list[_Check]:
    """The queries of every shape of ``shapes`` that has targets.

    ``classes`` gives a class and its subclasses in the data, for ``sh:targetClass`` and
    ``sh:class``.

    Raises
    ------
    ConfigurationError
        When a shape uses a SHACL term the compiler does not know.
    """
    checks: list[_Check] = []
    for shape in sorted(set(shapes.subjects(SH.targetClass, None)), key=str):
        if (shape, SH.deactivated, Literal(True)) in shapes:
            continue
        refuse_unknown(shapes, shape, NODE_TERMS)
        targets = sorted(
            {c for t in shapes.objects(shape, SH.targetClass) for c in classes(class_iri(t))}
        )
        # One class is a scan of its instances; more are made distinct, a node being an
        # instance of several (a university is an org:Organization too).
        focus = (
            f"?focus a {_term(targets[0])} ."
            if len(targets) == 1
            else "{ SELECT DISTINCT ?focus WHERE { VALUES ?class { "
            + " ".join(_term(target) for target in targets)
            + " } ?focus a ?class } }"
        )
        checks += _checks_of(shapes, shape, focus, None, classes)
        for member in sorted(shapes.objects(shape, SH.property), key=str):
            if (member, SH.deactivated, Literal(True)) in shapes:
                continue
            refuse_unknown(shapes, member, PROPERTY_TERMS)
            path = shapes.value(member, SH.path)
            if path is None:
                raise ConfigurationError(
                    f"the property shape {shape_name(shapes, member)} has no sh:path"
                )
            checks += _checks_of(shapes, member, focus, path, classes)
    return checks


def run_checks(store: Any, checks: list[_Check], name: Callable[[Any], str]) -> Iterator[Finding]:
    """What each check finds in ``store`` (a ``pyoxigraph.Store``); ``name`` names a focus node
    in the messages that name it."""
    for check in checks:
        if check.probe is not None and not store.query(check.probe):
            continue
        for solution in store.query(check.query):
            value = solution["value"] if check.per_value else None
            for index, (component, default) in enumerate(check.components):
                if check.per_value and solution[f"ok{index}"].value == "true":
                    continue
                yield Finding(
                    check.severity,
                    solution["focus"],
                    check.path,
                    component,
                    check.message or _named(default, solution["focus"], value, name),
                    value,
                )


def _named(message: str, focus: Any, value: Any, name: Callable[[Any], str]) -> str:
    message = message.replace("{focus}", name(focus))
    return message.replace("{value}", name(value)) if value is not None else message


def _checks_of(
    shapes: Graph,
    shape: Node,
    focus: str,
    path: Node | None,
    classes: Callable[[URIRef], list[URIRef]],
) -> list[_Check]:
    """The checks of one shape: of its focus nodes (``path`` None) or of their values."""
    severity = str(shapes.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
    message = shape_message(shapes, shape)
    shown = path_text(shapes, path) if path is not None else ""
    values = f"{focus} ?focus {_path_sparql(shapes, path)} ?value ." if path is not None else None
    shown_focus = "{focus}" + (f"->{shown}" if shown else "")
    checks = []
    tests: list[tuple[str, str, str]] = []
    for predicate, parameter in sorted(shapes.predicate_objects(shape), key=str):
        component = component_name(predicate)
        if predicate in VALUE_TESTS:
            test = VALUE_TESTS[predicate](shapes, shape, parameter, "?value")
            tests.append((test, component, default_message(shapes, predicate, parameter)))
        elif predicate == SH.minCount and path is not None:
            count = int(str(parameter))
            sparql_path = _path_sparql(shapes, path)
            # One value at least: the focus nodes left once those with a value are taken away
            # (MINUS: a hash of them, where OPTIONAL looks each focus node up; 3 times faster at
            # 100,000 rows). More: a count of each focus node's values, none counting as zero.
            valued = f"{{ ?focus {sparql_path} ?value }}"
            query = (
                f"SELECT ?focus WHERE {{ {focus} MINUS {valued} }}"
                if count == 1
                else f"SELECT ?focus WHERE {{ {focus} OPTIONAL {valued} }} GROUP BY ?focus "
                f"HAVING (COUNT(DISTINCT ?value) < {count})"
            )
            default = f"Less than {count} values on {shown_focus}"
            checks.append(_Check(query, severity, shown, ((component, default),), message))
        elif predicate == SH.maxCount and path is not None:
            count = int(str(parameter))
            # Counted over the path alone, and only the nodes with too many values joined with
            # the focus nodes: a scan of one index, not a look-up for every focus node.
            query = (
                f"SELECT ?focus WHERE {{ {{ SELECT ?focus WHERE {{ ?focus "
                f"{_path_sparql(shapes, path)} ?value }} GROUP BY ?focus "
                f"HAVING (COUNT(DISTINCT ?value) > {count}) }} {focus} }}"
            )
            default = f"More than {count} values on {shown_focus}"
            checks.append(_Check(query, severity, shown, ((component, default),), message))
        elif predicate == SH.uniqueLang and path is not None and parameter == Literal(True):
            query = (
                f"SELECT ?focus WHERE {{ {values} BIND(LCASE(LANG(?value)) AS ?lang) "
                'FILTER(?lang != "") } GROUP BY ?focus ?lang HAVING (COUNT(DISTINCT ?value) > 1)'
            )
            default = "More than one String shares the same Language"
            checks.append(_Check(query, severity, shown, ((component, default),), message))
        elif predicate == SH["class"]:
            kinds = " ".join(_term(known) for known in classes(class_iri(parameter)))
            # The values that are no instance of the class: each value once, the instances taken
            # away (MINUS, a hash); then the focus nodes of those alone.
            instances = f"MINUS {{ ?value a ?class VALUES ?class {{ {kinds} }} }}"
            default = default_message(shapes, predicate, parameter)
            found, probe = _of_values(shapes, focus, path, instances)
            query = f"SELECT DISTINCT ?focus ?value (false AS ?ok0) WHERE {{ {found} }}"
            once = ((component, default),)
            checks.append(_Check(query, severity, shown, once, message, True, probe))
    if tests:
        binds = " ".join(
            f"BIND(COALESCE({test}, false) AS ?ok{i})" for i, (test, *_) in enumerate(tests)
        )
        broken = " || ".join(f"!?ok{i}" for i in range(len(tests)))
        oks = " ".join(f"?ok{i}" for i in range(len(tests)))
        found, probe = _of_values(shapes, focus, path, f"{binds} FILTER({broken})", oks)
        query = f"SELECT DISTINCT ?focus ?value {oks} WHERE {{ {found} }}"
        components = tuple((component, default) for _, component, default in tests)
        checks.append(_Check(query, severity, shown, components, message, True, probe))
    return checks


def _of_values(
    shapes: Graph, focus: str, path: Node | None, broken: str, carried: str = ""
) -> tuple[str, str | None]:
    """A pattern of the focus nodes and values for which ``broken`` (a pattern on ``?value``
    alone) holds, and the ASK that says whether any value of the path breaks it at all.

    The values of a path are each tested once (a property of a hundred thousand subjects may
    have eighty values), and only those that fail are joined with their focus nodes; the value
    of a node shape is the focus node itself."""
    if path is None:
        return f"{focus} BIND(?focus AS ?value) {broken}", None
    sparql_path = _path_sparql(shapes, path)
    values = f"{{ SELECT DISTINCT ?value WHERE {{ ?any {sparql_path} ?value }} }} {broken}"
    return (
        f"{{ SELECT ?value {carried} WHERE {{ {values} }} }} ?focus {sparql_path} ?value . {focus}",
        f"ASK {{ {values} }}",
    )


def _conforms(shapes: Graph, shape: Node, parameter: Node, value: str) -> str:
    """An expression true when ``value`` conforms to the shape ``parameter`` (of sh:node or
    sh:not), which may only check a value itself, not follow a path from it."""
    refuse_unknown(shapes, parameter, set(VALUE_TESTS) | NOT_CHECKS | {RDF.type})
    tests = [
        f"COALESCE({VALUE_TESTS[predicate](shapes, parameter, known, value)}, false)"
        for predicate, known in sorted(shapes.predicate_objects(parameter), key=str)
        if predicate in VALUE_TESTS
    ]
    return "(" + (" && ".join(tests) or "true") + ")"


def _pattern(shapes: Graph, shape: Node, parameter: Node, value: str) -> str:
    flags = shapes.value(shape, SH.flags)
    return (
        f"(!isBlank({value}) && REGEX(STR({value}), {_term(parameter)}, "
        f"{_term(Literal(str(flags or '')))}))"
    )


def _datatype(shapes: Graph, shape: Node, parameter: Node, value: str) -> str:
    wellformed = f" && isLiteral({_term(parameter)}({value}))" if parameter in CASTABLE else ""
    return f"(isLiteral({value}) && DATATYPE({value}) = {_term(parameter)}{wellformed})"


def _length(operator: str) -> Expression:
    def test(shapes: Graph, shape: Node, parameter: Node, value: str) -> str:
        if operator == ">=" and int(str(parameter)) == 0:
            return "true"  # SHACL: a minimum length of 0 holds even for a blank node
        return f"(!isBlank({value}) && STRLEN(STR({value})) {operator} {int(str(parameter))})"

    return test


def _range(operator: str) -> Expression:
    def test(shapes: Graph, shape: Node, parameter: Node, value: str) -> str:
        return f"({value} {operator} {_term(parameter)})"

    return test


def _member(shapes: Graph, shape: Node, parameter: Node, value: str) -> str:
    members = [f"sameTerm({value}, {_term(item)})" for item in Collection(shapes, parameter)]
    return "(" + (" || ".join(members) or "false") + ")"


def _languages(shapes: Graph, shape: Node, parameter: Node, value: str) -> str:
    tags = [f"LANGMATCHES(LANG({value}), {_term(tag)})" for tag in Collection(shapes, parameter)]
    return f"(isLiteral({value}) && (" + (" || ".join(tags) or "false") + "))"


VALUE_TESTS: dict[Node, Expression] = {
    SH.nodeKind: lambda shapes, shape, kind, value: _NODE_KINDS[URIRef(str(kind))].format(v=value),
    SH.pattern: _pattern,
    SH.datatype: _datatype,
    SH.minLength: _length(">="),
    SH.maxLength: _length("<="),
    **{term: _range(operator) for term, operator in RANGES.items()},
    SH["in"]: _member,
    SH.languageIn: _languages,
    SH.node: _conforms,
    SH["not"]: lambda shapes, shape, inner, value: f"!{_conforms(shapes, shape, inner, value)}",
}
"""The checks of one value, each an expression true when the value passes."""

NODE_TERMS = (
    set(VALUE_TESTS) | NOT_CHECKS | {SH.targetClass, SH.property, SH["class"], SH.deactivated}
)
PROPERTY_TERMS = NODE_TERMS - {SH.targetClass, SH.property} | {
    SH.path, SH.minCount, SH.maxCount, SH.uniqueLang,
}  # fmt: skip


def component_name(predicate: Node) -> str:
    """The SHACL constraint component of a parameter, as results name it.

    Examples
    --------
    >>> component_name(SH.minCount)
    'MinCountConstraintComponent'
    """
    name = str(predicate).rsplit("#", 1)[-1]
    return name[0].upper() + name[1:] + "ConstraintComponent"


def refuse_unknown(shapes: Graph, shape: Node, known: set[Node]) -> None:
    """Raise when ``shape`` uses a SHACL term outside ``known`` (its own terms: others, such as
    rdfs:comment, check nothing), or is a class as well (an implicit target, not compiled)."""
    for predicate in shapes.predicates(shape, None):
        if str(predicate).startswith(str(SH)) and predicate not in known:
            term = str(predicate).rsplit("#", 1)[-1]
            raise ConfigurationError(
                f"the shape {shape_name(shapes, shape)} uses sh:{term}, which the fast "
                "validator does not check: validate with --engine pyshacl"
            )
    if (shape, RDF.type, RDFS.Class) in shapes:
        raise ConfigurationError(
            f"the shape {shape_name(shapes, shape)} is a class too, which the fast validator "
            "does not check: give it an sh:targetClass, or validate with --engine pyshacl"
        )


def shape_message(shapes: Graph, shape: Node) -> str | None:
    messages = sorted(
        (m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)),
        key=lambda m: (m.language or "", str(m)),
    )
    english = [m for m in messages if m.language in (None, "en")]
    return str((english or messages)[0]) if messages else None


def default_message(shapes: Graph, predicate: Node, parameter: Node) -> str:
    """What pyshacl says of a broken check when the shape has no sh:message of its own."""
    name = _short(shapes, parameter) if isinstance(parameter, URIRef) else str(parameter)
    if predicate == SH.node:
        return shape_message(shapes, parameter) or f"Value does not conform to Shape {name}."
    if predicate == SH["not"]:
        return f"Value must not conform to shape {name}"
    if predicate == SH["in"]:
        listed = [_short(shapes, item) for item in Collection(shapes, parameter)]
        return f"Value {{value}} not in list {listed}"
    if predicate == SH.languageIn:
        listed = [str(item) for item in Collection(shapes, parameter)]
        return f"String language is not in {listed}"
    return {
        SH.nodeKind: f"Value is not of Node Kind {name}",
        SH.pattern: f"Value does not match pattern '{name}'",
        SH.datatype: f"Value is not Literal with datatype {name}",
        SH.minLength: f"String length not >= {name}",
        SH.maxLength: f"String length not <= {name}",
        SH["class"]: f"Value does not have class {name}",
        **{term: f"Value is not {operator} {name}" for term, operator in RANGES.items()},
    }[predicate]


def _path_sparql(shapes: Graph, path: Node) -> str:
    return _path(shapes, path, _term)


def path_text(shapes: Graph, path: Node) -> str:
    """A path as a SPARQL property path of short names, such as ``osg:country|osg:area``."""
    text = _path(shapes, path, lambda iri: _short(shapes, iri))
    return text[1:-1] if text.startswith("(") and text.endswith(")") else text


def _path(shapes: Graph, path: Node, name: Callable[[URIRef], str]) -> str:
    if isinstance(path, URIRef):
        return name(path)
    if (path, RDF.first, None) in shapes:
        return "(" + "/".join(_path(shapes, p, name) for p in Collection(shapes, path)) + ")"
    for term, form in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = shapes.value(path, term)
        if inner is not None:
            return form.format(_path(shapes, inner, name))
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return (
            "(" + "|".join(_path(shapes, p, name) for p in Collection(shapes, alternatives)) + ")"
        )
    raise ConfigurationError(
        f"the path {shape_name(shapes, path)} is not a SHACL path osgraph knows"
    )


def _term(term: Node) -> str:
    """A term written in SPARQL; a literal's characters that would end or break it escaped."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        text = "".join(
            "\\" + c
            if c in '"\\'
            else f"\\u{ord(c):04X}"
            if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F
            else c
            for c in str(term)
        )
        if term.language:
            return f'"{text}"@{term.language}'
        datatype = term.datatype or XSD.string
        return f'"{text}"^^<{datatype}>'
    raise ConfigurationError(f"osgraph cannot write {term!r} in a query of the shapes")


def class_iri(term: Node) -> URIRef:
    if not isinstance(term, URIRef):
        raise ConfigurationError(f"sh:class {term!r}: a class is an IRI")
    return term


def _short(shapes: Graph, iri: Node) -> str:
    if not isinstance(iri, URIRef):
        return iri.n3()
    try:
        return shapes.namespace_manager.normalizeUri(iri)
    except Exception:  # rdflib refuses some IRIs as names: then the whole IRI
        return f"<{iri}>"


def shape_name(shapes: Graph, shape: Node) -> str:
    return _short(shapes, shape) if isinstance(shape, URIRef) else "[ ... ]"
