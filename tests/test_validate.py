"""SHACL validation: the graphs osgraph builds conform; broken graphs are caught and explained."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from osgraph import OSG, BuildOptions, BuildResult, NoticeKind, _build, build, write_turtle
from osgraph._validate import ValidationReport, validate_file, validate_graph

from .conftest import WriteFile, run_osgraph

BASE = "https://w3id.org/osgraph/id/"
WHISPER = URIRef(BASE + "project/whisper")
CONTRIBUTION = URIRef(BASE + "contribution/whisper/openai/US")
TSINGHUA = URIRef(BASE + "institution/tsinghua_university")
CHINA = URIRef(BASE + "country/CN")
ROW = URIRef(BASE + "list/open100-2022-2023/line/10")


def test_the_bundled_graph_conforms(bundled: BuildResult, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that validates (as ``osgraph build`` does by default) finds nothing in the
    bundled graph: no violation, no warning, so no warning among the build's notices."""
    reports: list[ValidationReport] = []

    def validate_and_keep(graph: Graph, base: str) -> ValidationReport:
        reports.append(validate_graph(graph, base))
        return reports[-1]

    monkeypatch.setattr(_build, "validate_graph", validate_and_keep)
    validated = build(options=BuildOptions(validate=True))
    (report,) = reports
    assert report.conforms and report.results == ()
    assert not [n for n in validated.summary.notices if n.kind is NoticeKind.SHAPE_WARNING]
    assert [stage for stage, _ in validated.summary.seconds][-1] == "validate"
    assert set(validated.graph) == set(bundled.graph)


@pytest.fixture(scope="module")
def piece(bundled: BuildResult) -> Graph:
    """The part of the bundled graph the breakages below change: what Whisper, Tsinghua
    University, China and the row at line 10 lead to (their contributions, institutions,
    countries, rows, list, ...). It conforms, so that what a breakage makes the shapes find is
    that breakage's doing; and it is small, so that each check takes a fraction of the time."""
    seeds = [WHISPER, TSINGHUA, CHINA, ROW]
    graph, seen = Graph(), set()
    while seeds:
        node = seeds.pop()
        if node in seen:
            continue
        seen.add(node)
        for predicate, value in bundled.graph.predicate_objects(node):
            graph.add((node, predicate, value))
            if isinstance(value, URIRef):
                seeds.append(value)
    assert (CONTRIBUTION, OSG.institution, None) in graph
    report = validate_graph(graph)
    assert report.conforms and report.results == (), report.describe()
    return graph


def copy_of(graph: Graph) -> Graph:
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    return copy


PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

# How to break a graph, and what the report must then say.
BREAKAGES: dict[str, tuple[Callable[[Graph], object], str]] = {
    "two names": (
        lambda g: g.add((WHISPER, RDFS.label, Literal("Whisper 2"))),
        "a project has exactly one non-empty name",
    ),
    "no source row": (
        lambda g: g.remove((WHISPER, PROV_DERIVED, None)),
        "a project comes from at least one source row",
    ),
    "two countries": (
        lambda g: g.add((CONTRIBUTION, OSG.inCountry, CHINA)),
        "a contribution has exactly one country",
    ),
    "no institution": (
        lambda g: g.remove((CONTRIBUTION, OSG.institution, None)),
        "a contribution has exactly one institution",
    ),
    "bad ROR": (
        lambda g: g.set((TSINGHUA, OSG.ror, URIRef("https://ror.org/1234"))),
        "a ROR id is https://ror.org/ and nine characters",
    ),
    "bad code": (
        lambda g: g.set((CHINA, OSG.alpha2, Literal("china"))),
        "does not match pattern",
    ),
    "empty name": (
        lambda g: g.set((TSINGHUA, RDFS.label, Literal(""))),
        "an institution has exactly one non-empty name",
    ),
    "line zero": (
        lambda g: g.set((ROW, OSG.line, Literal(0))),
        "a source row has exactly one line number, from 1",
    ),
    "IRI off base": (
        lambda g: g.add((URIRef("https://elsewhere.org/p"), RDF_TYPE, OSG.Project)),
        "Value does not match pattern",
    ),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_broken_graph_is_caught_and_explained(piece: Graph, breakage: str) -> None:
    graph = copy_of(piece)
    change, message = BREAKAGES[breakage]
    change(graph)
    report = validate_graph(graph)
    assert not report.conforms
    assert any(message in str(violation) for violation in report.violations), report.describe()


def test_a_project_that_could_not_be_aligned_is_a_warning_not_a_failure(
    write_file: WriteFile,
) -> None:
    source = write_file("l.csv", "project,institutions,countries\nQ,Zzz;Yyy;Xxx,UK|USA\n")
    result = build([source])
    warnings = [str(n) for n in result.summary.notices if n.kind is NoticeKind.SHAPE_WARNING]
    assert len(warnings) == 1 and "a project has no contribution" in warnings[0]


def test_a_graph_under_another_base_validates_against_that_base(
    write_file: WriteFile, tmp_path: Path
) -> None:
    source = write_file("l.csv", "project,institutions,countries\nP,Meta,USA\n")
    result = build([source], BuildOptions(base="https://example.org/kg/"))
    assert validate_graph(result.graph, "https://example.org/kg/").conforms
    assert not validate_graph(result.graph).conforms  # the default base's patterns do not fit
    path = write_turtle(result.graph, tmp_path / "other.ttl")
    assert validate_file(path).conforms  # the base is read from the graph


def test_the_validate_command(bundled_kg: Path, tmp_path: Path) -> None:
    good = run_osgraph("validate", str(bundled_kg), cwd=tmp_path)
    assert good.returncode == 0
    assert good.stdout == "The graph conforms to osgraph's shapes.\n"
    broken = tmp_path / "broken.ttl"
    broken.write_text(f"<{BASE}project/x> a <{OSG.Project}> .\n")
    bad = run_osgraph("validate", str(broken), cwd=tmp_path)
    assert bad.returncode == 1
    assert bad.stdout.startswith("The graph violates osgraph's shapes 5 times, with 1 warning:")
    assert "osg:listedIn: a project is listed in at least one list edition" in bad.stdout
    missing = run_osgraph("validate", "nope.ttl", cwd=tmp_path)
    assert missing.returncode == 3 and missing.stderr.startswith(
        "osgraph: error: nope.ttl: no such file"
    )
