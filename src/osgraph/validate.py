"""Check graphs against the SHACL shapes of ``ontology/shapes.ttl``, with pyshacl.

A violation means the graph is not what osgraph promises (a project without a name, a
contribution with two countries, an identifier that is not one, ...): ``osgraph build`` refuses
to write such a graph. A warning (a project whose rows could not be aligned has no
contribution) is reported and does not stop anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from osgraph.errors import OsgraphError
from osgraph.namespaces import DEFAULT_BASE

_FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml", ".xml": "xml"}


class ValidationError(OsgraphError):
    """A graph violates osgraph's shapes; the message is the readable report."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        super().__init__(str(report))


@dataclass(frozen=True, slots=True)
class ShapeResult:
    """One thing the shapes found: how bad, where (node and property), and what."""

    severity: str
    focus: str
    path: str
    message: str
    value: str | None

    def __str__(self) -> str:
        value = f" (value: {self.value})" if self.value is not None else ""
        return f"{self.severity}: {self.focus}: {self.path}: {self.message}{value}"


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
    >>> from osgraph import build
    >>> report = validate_graph(build().graph)
    >>> report.conforms, len(report.violations)
    (True, 0)
    """
    import pyshacl

    _, results, _ = pyshacl.validate(
        graph, shacl_graph=shapes(base), inference="none", allow_warnings=True
    )
    assert isinstance(results, Graph)
    found = [
        _result(results, graph, node) for node in results.subjects(RDF.type, SH.ValidationResult)
    ]
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    found.sort(key=lambda r: (order.get(r.severity, 3), r.focus, r.path, r.message))
    return ValidationReport(tuple(found))


def validate_file(path: Path | str) -> ValidationReport:
    """Read an RDF file (Turtle, N-Triples, JSON-LD or RDF/XML, by its ending) and check it.

    The base IRI is the one its projects' IRIs were minted under, or osgraph's default.

    Raises
    ------
    OsgraphError
        When the file is missing or not readable as RDF.
    """
    path = Path(path)
    if not path.is_file():
        raise OsgraphError(f"{path}: no such file")
    from osgraph.graph import new_graph

    graph = new_graph()  # osgraph's prefixes, so that the report names properties briefly
    try:
        graph.parse(path, format=_FORMATS.get(path.suffix.lower(), "turtle"))
    except Exception as error:  # rdflib's parsers raise many kinds of errors
        raise OsgraphError(f"{path}: not readable as RDF: {error}") from None
    return validate_graph(graph, _base_of(graph))


def shapes(base: str = DEFAULT_BASE) -> Graph:
    """The shapes graph, its base-IRI patterns written for ``base``."""
    text = (resources.files("osgraph") / "ontology" / "shapes.ttl").read_text(encoding="utf-8")
    graph = Graph().parse(data=text, format="turtle")
    if base != DEFAULT_BASE:
        for node, pattern in list(graph.subject_objects(SH.pattern)):
            value = str(pattern)
            if value.startswith("^" + DEFAULT_BASE):
                rest = value[len(DEFAULT_BASE) + 1 :]
                graph.set((node, SH.pattern, Literal("^" + re.escape(base) + rest)))
    return graph


def _base_of(graph: Graph) -> str:
    from osgraph.namespaces import OSG

    for project in graph.subjects(RDF.type, OSG.Project):
        match = re.match(r"^(.*)project/[^/]+$", str(project))
        if match:
            return match[1]
    return DEFAULT_BASE


def _result(results: Graph, data: Graph, node: Node) -> ShapeResult:
    severity = str(results.value(node, SH.resultSeverity)).rsplit("#", 1)[-1]
    focus = results.value(node, SH.focusNode)
    path = results.value(node, SH.resultPath)
    message = results.value(node, SH.resultMessage)
    value = results.value(node, SH.value)
    label = data.value(focus, RDFS.label) if isinstance(focus, URIRef) else None
    where = f"{label!s} <{focus}>" if label is not None else f"<{focus}>"
    path_name = data.namespace_manager.normalizeUri(path) if isinstance(path, URIRef) else str(path)
    return ShapeResult(
        severity=severity,
        focus=where,
        path=path_name,
        message=str(message) if message is not None else "does not conform",
        value=None if value is None else str(value),
    )
