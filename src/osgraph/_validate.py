"""Check graphs against the SHACL shapes of ``ontology/shapes.ttl``: with the shapes compiled to
SPARQL queries over an Oxigraph store (:mod:`osgraph._shape_queries`, the default, fast enough to
stay on for millions of triples), or with pyshacl, a SHACL engine of its own.

A violation means the graph is not what osgraph promises (a project without a name, a
contribution with two countries, an identifier that is not one, ...): ``osgraph build`` refuses
to write such a graph. A warning (a project whose rows could not be aligned has no
contribution) is reported and does not stop anything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD, NamespaceManager
from rdflib.term import Node

from osgraph import _resources
from osgraph._errors import ConfigurationError, OsgraphError, ReadWriteError
from osgraph._messages import one_line, printable
from osgraph._shape_checks import ShapeChecks
from osgraph._shape_queries import Finding, compile_shapes, path_text, run_checks
from osgraph._value_tests import Term
from osgraph._vocabulary import DEFAULT_BASE, OSG, new_graph

_FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".rdf": "xml",
    ".xml": "xml",
    ".trig": "trig",
}


@dataclass(frozen=True, slots=True)
class ShapeResult:
    """One thing the shapes found: how bad, where (node and property), and what."""

    severity: str
    focus: str
    path: str
    """The property path, in SPARQL's syntax; empty for a check of the focus node itself."""
    message: str
    value: str | None
    component: str = ""
    """The SHACL constraint component broken, such as ``MinCountConstraintComponent``."""

    def __str__(self) -> str:
        # Labels and values come from the graph: what a terminal would act on is escaped.
        value = f" (value: {printable(self.value)})" if self.value is not None else ""
        path = f" {self.path}:" if self.path else ""
        return printable(f"{self.severity}: {self.focus}:{path} {self.message}") + value


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """What the shapes found in a graph."""

    results: tuple[ShapeResult, ...]

    @property
    def violations(self) -> tuple[ShapeResult, ...]:
        return tuple(r for r in self.results if r.severity == "Violation")

    @property
    def warnings(self) -> tuple[ShapeResult, ...]:
        return tuple(r for r in self.results if r.severity != "Violation")

    @property
    def conforms(self) -> bool:
        """Whether the graph has no violation (warnings allowed)."""
        return not self.violations

    def __str__(self) -> str:
        return self.describe()

    def describe(self, limit: int = 25) -> str:
        """The report in words, at most ``limit`` findings (and how many more there are)."""
        if not self.results:
            return "The graph conforms to osgraph's shapes."
        head = (
            f"The graph violates osgraph's shapes {_times(len(self.violations))}"
            if self.violations
            else "The graph conforms to osgraph's shapes"
        )
        warned = ""
        if self.warnings:
            warned = f", with {len(self.warnings)} warning{'' if len(self.warnings) == 1 else 's'}"
        lines = [f"{head}{warned}:"] + [f"  - {result}" for result in self.results[:limit]]
        if len(self.results) > limit:
            lines.append(f"  ... and {len(self.results) - limit} more")
        return "\n".join(lines)


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def validate_graph(graph: Graph, base: str = DEFAULT_BASE) -> ValidationReport:
    """Check ``graph``, built under ``base``, against osgraph's shapes.

    Examples
    --------
    >>> from osgraph import BuildOptions, build
    >>> graph = build(options=BuildOptions(validate=False)).graph  # validated here, not twice
    >>> report = validate_graph(graph)
    >>> report.conforms, len(report.violations)
    (True, 0)
    """
    import pyshacl

    shacl = shapes(base)
    _, results, _ = pyshacl.validate(
        graph, shacl_graph=shacl, inference="none", allow_warnings=True
    )
    assert isinstance(results, Graph)
    # A result of a shape another shape refers to (sh:node) is a detail of that one's result,
    # not a finding of its own.
    details = set(results.objects(None, SH.detail))
    return _report(
        _result(results, shacl, graph, node)
        for node in results.subjects(RDF.type, SH.ValidationResult)
        if node not in details
    )


def validate_store(store: Any, base: str = DEFAULT_BASE) -> ValidationReport:
    """Check the graph in ``store`` (a ``pyoxigraph.Store``), built under ``base``, against
    osgraph's shapes compiled to SPARQL queries: what pyshacl finds, found in a fraction of the
    time, and reported in the same words.

    Raises
    ------
    ConfigurationError
        When the shapes use a SHACL constraint the compiler does not know (the message names
        it: pyshacl checks it, through :func:`validate_graph`).
    OsgraphError
        When the store cannot answer the queries.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> store = ox.Store()
    >>> country = "<https://w3id.org/osgraph/id/country/XX>"
    >>> kind = "<https://w3id.org/osgraph/ontology#Country>"
    >>> store.load(f"{country} a {kind} .", ox.RdfFormat.TURTLE)
    >>> [r.component for r in validate_store(store).violations]
    ['MinCountConstraintComponent', 'MinCountConstraintComponent', 'MinCountConstraintComponent']
    """
    import pyoxigraph as ox

    shacl = shapes(base)
    names = new_graph(base).namespace_manager
    label = ox.NamedNode(str(RDFS.label))
    labels: dict[Any, str | None] = {}

    def classes(known: URIRef) -> list[URIRef]:
        query = f"SELECT ?c WHERE {{ ?c <{RDFS.subClassOf}>+ <{known}> }}"
        return [known, *(URIRef(found["c"].value) for found in store.query(query))]

    def focus_text(focus: Any) -> str:
        if focus not in labels:  # the least label, where pyshacl takes any one of them
            names = [quad.object.value for quad in store.quads_for_pattern(focus, label, None)]
            labels[focus] = min(names) if names else None
        name = labels[focus]
        return f"{name} <{focus.value}>" if name is not None else f"<{focus.value}>"

    try:
        checks = compile_shapes(shacl, classes)
        return _report(
            ShapeResult(
                severity=found.severity,
                focus=focus_text(found.focus),
                path=found.path,
                message=found.message or "does not conform",
                value=None if found.value is None else found.value.value,
                component=found.component,
            )
            for found in run_checks(store, checks, lambda node: _short(names, node))
        )
    except (OSError, RuntimeError, SyntaxError, ValueError) as error:
        raise OsgraphError(f"the shapes could not be checked: {one_line(str(error))}") from None


def shape_checks(base: str = DEFAULT_BASE, prefixes: dict[str, str] | None = None) -> ShapeChecks:
    """osgraph's shapes for a graph built under ``base``, compiled to checks of one subject at
    a time (see :class:`osgraph._shape_checks.ShapeChecks`), which read Turtle terms written
    with ``prefixes``; :func:`checked_report` says what they found.

    Raises
    ------
    ConfigurationError
        When the shapes use a SHACL constraint or path the checks do not know.
    """
    return ShapeChecks(shapes(base), prefixes=prefixes)


def checked_report(checks: ShapeChecks, base: str = DEFAULT_BASE) -> ValidationReport:
    """What ``checks`` found in the subjects they were given, in the words of
    :func:`validate_store`.

    Raises
    ------
    ConfigurationError
        When the subjects made a class the shapes name a superclass of another.
    """
    names = new_graph(base).namespace_manager

    def name(term: Term) -> str:
        if term.kind == "I":
            try:
                return names.normalizeUri(URIRef(term.text))
            except Exception:  # rdflib refuses some IRIs as names
                return f"<{term.text}>"
        if term.kind == "B":
            return f"_:{term.text}"
        if term.language:
            return f'"{term.text}"@{term.language}'
        datatype = "" if term.datatype == str(XSD.string) else f"^^<{term.datatype}>"
        return f'"{term.text}"{datatype}'

    return _report(_shape_result(found) for found in checks.finish(name))


def validate_by_subject(graph: Graph, base: str = DEFAULT_BASE) -> ValidationReport:
    """Check ``graph`` with the checks of one subject at a time that a build runs as it writes
    (:func:`shape_checks`): what :func:`validate_store` finds.

    Examples
    --------
    >>> from osgraph import BuildOptions, build
    >>> graph = build(options=BuildOptions(validate=False)).graph
    >>> validate_by_subject(graph).results
    ()
    """

    def classes(known: URIRef) -> list[URIRef]:
        return [URIRef(str(c)) for c in graph.transitive_subjects(RDFS.subClassOf, known)]

    checks = ShapeChecks(shapes(base), classes)
    checks.graph(graph)
    return checked_report(checks, base)


def _shape_result(found: Finding) -> ShapeResult:
    return ShapeResult(
        severity=found.severity,
        focus=found.focus,
        path=found.path,
        message=found.message or "does not conform",
        value=None if found.value is None else found.value.text,
        component=found.component,
    )


def _short(names: NamespaceManager, node: Any) -> str:
    """A node as pyshacl names it in its messages: a prefixed name where a prefix fits."""
    try:
        return names.normalizeUri(URIRef(node.value))
    except Exception:  # rdflib refuses some IRIs as names, and blank nodes have none
        return str(node)


def _report(found: Iterable[ShapeResult]) -> ValidationReport:
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    return ValidationReport(
        tuple(
            sorted(
                found,
                key=lambda r: (order.get(r.severity, 3), r.focus, r.path, r.message, r.value or ""),
            )
        )
    )


ENGINES = ("oxigraph", "pyshacl")
"""What checks a graph: the shapes compiled to SPARQL over Oxigraph, or pyshacl."""


def validate_file(path: Path | str, engine: str = "oxigraph") -> ValidationReport:
    """Read an RDF file (Turtle, N-Triples, JSON-LD, RDF/XML or TriG, by its ending) and check
    it, with the shapes compiled to queries over Oxigraph (:func:`validate_store`) or with
    pyshacl (:func:`validate_graph`). A TriG file's graphs are checked as one graph, the one
    ``osgraph export --format trig`` divided among its lists.

    The base IRI is the one its projects' IRIs were minted under, or osgraph's default.

    The file is read as untrusted: nothing it names is fetched (a JSON-LD ``@context`` or
    ``@import`` that is not written in the file itself is refused, not fetched), and an RDF/XML
    file that declares entities (``<!ENTITY ...>``, which can expand a kilobyte into gigabytes)
    or an external DTD is refused before it is parsed.

    Raises
    ------
    ConfigurationError
        When ``engine`` is neither ``oxigraph`` nor ``pyshacl``.
    ReadWriteError
        When the file is missing.
    OsgraphError
        When the file is not readable as RDF, or is refused as above.
    """
    if engine not in ENGINES:
        raise ConfigurationError(f"--engine {engine!r}: choose oxigraph or pyshacl")
    path = Path(path)
    if not path.is_file():
        raise ReadWriteError(f"{printable(str(path))}: no such file")
    format = _FORMATS.get(path.suffix.lower(), "turtle")
    try:
        if format == "xml":
            _refuse_entities(path)
        elif format == "json-ld":
            _refuse_remote_contexts(path)
        if engine == "oxigraph":
            store = _read_store(path, format)
        else:
            graph = new_graph()  # osgraph's prefixes, so that the report names values briefly
            if format == "trig":
                from rdflib import Dataset

                dataset = Dataset()
                dataset.parse(path, format="trig")
                for subject, predicate, value, _ in dataset.quads():
                    graph.add((subject, predicate, value))
            else:
                graph.parse(path, format=format)
    except OsgraphError:
        raise
    except Exception as error:  # the parsers raise many kinds of errors
        raise OsgraphError(
            f"{printable(str(path))}: not readable as RDF: {one_line(str(error))}"
        ) from None
    if engine == "oxigraph":
        return validate_store(store, _base_of_store(store))
    return validate_graph(graph, _base_of(graph))


def _read_store(path: Path, format: str) -> Any:
    """The file in a new Oxigraph store in memory. Its IRIs are taken as they are written, so
    that the shapes (osgsh:WellFormedIri) report the malformed ones, as they do in rdflib."""
    import pyoxigraph as ox

    formats = {
        "turtle": ox.RdfFormat.TURTLE,
        "nt": ox.RdfFormat.N_TRIPLES,
        "json-ld": ox.RdfFormat.JSON_LD,
        "xml": ox.RdfFormat.RDF_XML,
        "trig": ox.RdfFormat.TRIG,
    }
    store = ox.Store()
    if format == "trig":  # its graphs, as one: the queries of the shapes ask the default graph
        quads = ox.parse(path=str(path), format=formats[format], lenient=True)
        store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    else:
        store.load(path=str(path), format=formats[format], lenient=True)
    return store


def _refuse_entities(path: Path) -> None:
    """Read an XML file with expat, only to refuse it if it declares an entity or names an
    external DTD (what the RDF/XML parser would expand or fetch)."""
    import xml.parsers.expat

    def refuse(message: str) -> OsgraphError:
        return OsgraphError(f"{printable(str(path))}: {message}; osgraph does not read such XML")

    def entity(name: str, *_: object) -> None:
        raise refuse(f"declares the entity {name!r}, which could expand without end")

    def doctype(name: str, system: str | None, public: str | None, *_: object) -> None:
        if system or public:
            raise refuse(f"names an external DTD ({one_line(system or public or '')!r})")

    def external(*_: object) -> int:
        raise refuse("refers to an external entity")

    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.StartDoctypeDeclHandler = doctype
    parser.ExternalEntityRefHandler = external
    with path.open("rb") as file:
        parser.ParseFile(file)


def _refuse_remote_contexts(path: Path) -> None:
    """Refuse a JSON-LD file whose ``@context`` (anywhere) is not written in the file itself:
    a URL, or a file name, which the JSON-LD parser would fetch; and any ``@import``."""
    try:
        document = json.loads(path.read_bytes())
    except ValueError as error:
        raise OsgraphError(
            f"{printable(str(path))}: not readable as JSON-LD: {one_line(str(error))}"
        ) from None
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, list):
            pending += value
        elif isinstance(value, dict):
            for key, item in value.items():
                named = _fetched(key, item)
                if named is not None:
                    raise OsgraphError(
                        f"{printable(str(path))}: its {key} refers to {one_line(named)!r}, "
                        "which osgraph does not fetch: write the context in the file"
                    )
                pending.append(item)


def _fetched(key: str, value: object) -> str | None:
    """What a JSON-LD parser would fetch for ``key: value``: a ``@context`` given by its
    address (a string, alone or in a list), or an ``@import``."""
    if key == "@import":
        return str(value)
    if key == "@context":
        for part in value if isinstance(value, list) else [value]:
            if isinstance(part, str):
                return part
    return None


def shapes(base: str = DEFAULT_BASE) -> Graph:
    """The shapes graph, its base-IRI patterns written for ``base``."""
    text = _resources.text("ontology", "shapes.ttl")
    graph = Graph().parse(data=text, format="turtle")
    if base != DEFAULT_BASE:
        default = "^" + regex_text(DEFAULT_BASE)
        for node, pattern in list(graph.subject_objects(SH.pattern)):
            value = str(pattern)
            if value.startswith(default):
                rest = value[len(default) :]
                graph.set((node, SH.pattern, Literal("^" + regex_text(base) + rest)))
    return graph


_REGEX_SPECIAL = re.compile(r"[\\|.?*+(){}\[\]^$]")


def regex_text(text: str) -> str:
    """A regular expression that matches ``text``, in the syntax both XPath (which SHACL's
    ``sh:pattern`` names) and Python read: only the characters special to them are escaped
    (``re.escape`` escapes others too, such as ``#``, which XPath refuses to see escaped).

    Examples
    --------
    >>> regex_text("https://example.org/kg#")
    'https://example\\\\.org/kg#'
    """
    return _REGEX_SPECIAL.sub(lambda found: "\\" + found[0], text)


def _base_of(graph: Graph) -> str:
    return _base_of_projects(str(project) for project in graph.subjects(RDF.type, OSG.Project))


def _base_of_store(store: Any) -> str:
    query = f"SELECT ?project WHERE {{ ?project a <{OSG.Project}> }}"
    return _base_of_projects(solution["project"].value for solution in store.query(query))


def _base_of_projects(projects: Iterable[str]) -> str:
    for project in projects:
        match = re.match(r"^(.*)project/[^/]+$", project)
        if match:
            return match[1]
    return DEFAULT_BASE


def _result(results: Graph, shacl: Graph, data: Graph, node: Node) -> ShapeResult:
    severity = str(results.value(node, SH.resultSeverity)).rsplit("#", 1)[-1]
    focus = results.value(node, SH.focusNode)
    path = results.value(node, SH.resultPath)
    message = results.value(node, SH.resultMessage)
    detail = results.value(node, SH.detail)
    if detail is not None and str(message).startswith("Value does not conform to Shape"):
        message = results.value(detail, SH.resultMessage) or message  # what the shape says
    value = results.value(node, SH.value)
    label = data.value(focus, RDFS.label) if isinstance(focus, URIRef) else None
    where = f"{label!s} <{focus}>" if label is not None else f"<{focus}>"
    component = str(results.value(node, SH.sourceConstraintComponent)).rsplit("#", 1)[-1]
    return ShapeResult(
        severity=severity,
        focus=where,
        path=""
        if path is None
        else path_text(shacl if (path, None, None) in shacl else results, path),
        message=str(message) if message is not None else "does not conform",
        value=None if value is None else str(value),
        component=component,
    )
