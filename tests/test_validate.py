"""SHACL validation: the graphs osgraph builds conform; broken graphs are caught and explained."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SH, XSD

from osgraph import (
    OSG,
    BuildOptions,
    BuildResult,
    ConfigurationError,
    NoticeKind,
    _build,
    build,
    write_turtle,
)
from osgraph._shape_checks import ShapeChecks
from osgraph._shape_queries import compile_shapes, run_checks
from osgraph._validate import (
    ValidationReport,
    checked_report,
    shape_checks,
    shapes,
    validate_by_subject,
    validate_file,
    validate_graph,
    validate_store,
)
from osgraph._vocabulary import new_graph

from .conftest import WriteFile, run_osgraph

BASE = "https://w3id.org/osgraph/id/"
WHISPER = URIRef(BASE + "project/whisper")
CONTRIBUTION = URIRef(BASE + "contribution/whisper/openai/US")
TSINGHUA = URIRef(BASE + "institution/tsinghua_university")
CHINA = URIRef(BASE + "country/CN")
ROW = URIRef(BASE + "list/open100-2022-2023/line/10")
OTHER = URIRef(BASE + "project/other")


def test_the_bundled_graph_conforms(bundled: BuildResult, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that validates (as ``osgraph build`` does by default) finds nothing in the
    bundled graph: no violation, no warning, so no warning among the build's notices."""
    reports: list[ValidationReport] = []

    def validate_and_keep(checks: ShapeChecks, base: str) -> ValidationReport:
        reports.append(checked_report(checks, base))
        return reports[-1]

    monkeypatch.setattr(_build, "checked_report", validate_and_keep)
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
    copy = new_graph()  # osgraph's prefixes, with which both engines name nodes in messages
    for triple in graph:
        copy.add(triple)
    return copy


PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
OSGSH_PROJECT = URIRef("https://w3id.org/osgraph/shapes#Project")

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
    "line as text": (
        lambda g: g.set((ROW, OSG.line, Literal("10"))),
        "a source row has exactly one line number, from 1",
    ),
    "ill-formed line": (
        lambda g: g.set((ROW, OSG.line, Literal("ten", datatype=XSD.integer))),
        "a source row has exactly one line number, from 1",
    ),
    "project of a contribution not a project": (
        lambda g: g.set((CONTRIBUTION, OSG.project, TSINGHUA)),
        "a contribution has exactly one project",
    ),
    "homepage as text": (
        lambda g: g.add((WHISPER, OSG.homepage, Literal("https://openai.com/research/whisper"))),
        "Value is not of Node Kind sh:IRI",
    ),
    "homepage with a space": (
        lambda g: g.add((WHISPER, OSG.homepage, URIRef("https://openai.com/a b"))),
        "an IRI holds no space",
    ),
    "unknown alignment": (
        lambda g: g.set((CONTRIBUTION, OSG.alignment, URIRef(f"{OSG}ByGuessing"))),
        "not in list",
    ),
    "French name": (
        lambda g: g.add((CHINA, RDFS.label, Literal("Chine", lang="fr"))),
        "a country has one English and one Chinese name",
    ),
    "two English names": (
        lambda g: g.add((CHINA, RDFS.label, Literal("PRC", lang="en"))),
        "a country has one English and one Chinese name",
    ),
    "long ROR": (
        lambda g: g.set((TSINGHUA, OSG.ror, URIRef("https://ror.org/03cve4549000000000"))),
        "a ROR id is https://ror.org/ and nine characters",
    ),
    "two domains": (
        lambda g: g.add((WHISPER, OSG.domain, URIRef(BASE + "domain/x"))),
        "osg:domain: More than 1 values on",
    ),
    "credited in a project": (
        lambda g: g.add((TSINGHUA, OSG.creditedInCountry, WHISPER)),
        "osg:creditedInCountry: Value does not have class osg:Country",
    ),
}
"""Between them, every kind of constraint ``ontology/shapes.ttl`` uses is broken at least once
(:func:`test_every_constraint_of_the_shapes_is_broken_by_a_breakage` sees to it)."""


def in_store(graph: Graph) -> object:
    """An Oxigraph store of ``graph``, its IRIs taken as they are (as ``osgraph validate``
    takes those of a file), malformed ones included."""
    import pyoxigraph as ox

    def term(node: object) -> str:  # rdflib refuses to write a malformed IRI
        return f"<{node}>" if isinstance(node, URIRef) else node.n3()  # type: ignore[attr-defined]

    lines = "".join(f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in graph)
    store = ox.Store()
    store.load(lines, ox.RdfFormat.N_TRIPLES, lenient=True)
    return store


def found(report: ValidationReport) -> set[tuple[str, str, str, str]]:
    """What a report found, engine aside: each result's severity, focus node (its IRI, not
    the label, of which pyshacl picks any), path and constraint component."""
    return {(r.severity, r.focus.rsplit("<", 1)[1], r.path, r.component) for r in report.results}


def by_statements(graph: Graph, first: Sequence[URIRef] = ()) -> ValidationReport:
    """The checks a build runs as it writes, given each subject's statements as Turtle terms
    (full IRIs, literals with their datatype or language), as the writer gives them: the
    subjects ``first`` in their order, then the others."""

    def term(node: object) -> str:  # rdflib refuses to write a malformed IRI
        return f"<{node}>" if isinstance(node, URIRef) else node.n3()  # type: ignore[attr-defined]

    checks = shape_checks()
    for subject in dict.fromkeys([*first, *graph.subjects()]):
        checks.statement(
            term(subject), [(term(p), term(o)) for p, o in graph.predicate_objects(subject)]
        )
    return checked_report(checks)


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_broken_graph_is_caught_and_explained_alike_by_every_engine(
    piece: Graph, breakage: str
) -> None:
    """The queries the shapes compile to, and the checks of one subject at a time a build runs,
    find what pyshacl finds, and say it in its words."""
    graph = copy_of(piece)
    change, message = BREAKAGES[breakage]
    change(graph)
    report = validate_graph(graph)
    assert not report.conforms
    assert any(message in str(violation) for violation in report.violations), report.describe()
    for fast in (validate_store(in_store(graph)), validate_by_subject(graph), by_statements(graph)):
        assert found(fast) == found(report), f"{fast.describe()}\n{report.describe()}"
        assert said(fast) == said(report)


@pytest.mark.parametrize(
    "order",
    [
        (CONTRIBUTION, WHISPER, OTHER),
        (WHISPER, OTHER, CONTRIBUTION),
        (WHISPER, CONTRIBUTION, OTHER),
    ],
)
def test_the_projects_that_name_a_contribution_are_counted_in_any_order(
    piece: Graph, order: tuple[URIRef, ...]
) -> None:
    """The projects that name a contribution (a path the shapes take backwards) are counted
    whether the streamed checks are told of them before the contribution, after it, or some
    before and some after: two projects are one too many, and one is not."""
    graph = copy_of(piece)
    graph.add((OTHER, OSG.contribution, CONTRIBUTION))
    report = validate_graph(graph)
    assert [v.focus.rsplit("<", 1)[1] for v in report.violations] == [f"{CONTRIBUTION}>"]
    assert found(by_statements(graph, order)) == found(report)
    graph.remove((OTHER, OSG.contribution, CONTRIBUTION))
    assert by_statements(graph, order).conforms


def test_a_project_that_waits_for_values_is_named_by_its_label_when_one_never_comes(
    piece: Graph,
) -> None:
    """The streamed checks keep the label of a node that has values not yet seen as instances
    while any is still awaited: a project told of first, whose institutions and contributions
    come after it and whose domain never does, is named by its label, as the queries name it."""
    graph = copy_of(piece)
    BREAKAGES["two domains"][0](graph)
    streamed = by_statements(graph, [WHISPER])
    queried = validate_store(in_store(graph))
    assert [r.focus for r in streamed.results] == [r.focus for r in queried.results]
    assert {r.focus for r in streamed.results} == {f"Whisper <{WHISPER}>"}


def said(report: ValidationReport) -> set[tuple[str, str, str, str | None]]:
    """Each result's focus IRI, path, message and value; but for a length, of which pyshacl
    writes the number as Python writes an rdflib literal (``Literal("2", datatype=...)``), and a
    list of values, which it writes in any order."""
    return {
        (r.focus.rsplit("<", 1)[1], r.path, r.message, r.value)
        for r in report.results
        if "Length" not in r.component and r.component != "InConstraintComponent"
    }


def test_every_constraint_of_the_shapes_is_broken_by_a_breakage(piece: Graph) -> None:
    """Each SHACL constraint component of ontology/shapes.ttl fails in some breakage (sh:not
    inside sh:node: its failure is the node's), so that the engines are compared on all."""
    used = {
        str(p).rsplit("#", 1)[-1][0].upper() + str(p).rsplit("#", 1)[-1][1:]
        for p in shapes().predicates()
        if str(p).startswith(str(SH))
    }
    components = {
        "MinCount", "MaxCount", "Datatype", "MinLength", "MaxLength", "Class", "NodeKind",
        "Pattern", "Node", "In", "MinInclusive", "LanguageIn", "UniqueLang",
    }  # fmt: skip
    assert components | {"Not"} <= used  # the list above is that of the shapes, not shorter
    broken = set()
    for change, _ in BREAKAGES.values():
        graph = copy_of(piece)
        change(graph)
        broken |= {
            r.component.removesuffix("ConstraintComponent") for r in validate_graph(graph).results
        }
    assert components <= broken
    assert used - components - broken <= {
        "TargetClass", "Property", "Path", "AlternativePath", "InversePath", "Message",
        "Severity", "Name", "Not",
    }  # fmt: skip


def test_a_constraint_the_compiler_does_not_know_is_an_error_that_names_it() -> None:
    graph = shapes()
    graph.add((OSGSH_PROJECT, SH.hasValue, Literal("x")))
    with pytest.raises(ConfigurationError, match=r"osgsh:Project uses sh:hasValue"):
        compile_shapes(graph, lambda known: [known])
    with pytest.raises(ConfigurationError, match=r"osgsh:Project uses sh:hasValue"):
        ShapeChecks(graph)


def test_a_path_the_streamed_checks_do_not_follow_is_an_error_that_names_it() -> None:
    """A sequence path (the label of a project's institution) is one the SPARQL queries follow,
    and the checks of one subject at a time cannot: they refuse it, naming the shape."""
    graph = shapes()
    rule = next(
        node
        for node in graph.objects(OSGSH_PROJECT, SH.property)
        if graph.value(node, SH.path) == OSG.developedBy
    )
    sequence = Graph().parse(data=f"<x:s> <x:p> ( <{OSG.developedBy}> <{RDFS.label}> ) .")
    path = sequence.value(URIRef("x:s"), URIRef("x:p"))
    for triple in sequence.triples((None, None, None)):
        graph.add(triple)
    graph.set((rule, SH.path, path))
    assert compile_shapes(graph, lambda known: [known])  # SPARQL follows it
    with pytest.raises(ConfigurationError, match=r"the path of the shape .* is not one"):
        ShapeChecks(graph)


def test_a_subclass_the_streamed_checks_were_not_told_of_is_an_error(piece: Graph) -> None:
    """A graph that makes a class a subclass of one the shapes name changes what the shapes
    target; checks given it one subject at a time learn it too late, and say so."""
    graph = copy_of(piece)
    graph.add((URIRef(f"{OSG}Startup"), RDFS.subClassOf, OSG.Institution))
    assert validate_by_subject(graph).conforms  # told of the subclasses before the subjects
    checks = shape_checks()
    checks.graph(graph)
    with pytest.raises(ConfigurationError, match=r"subclass of https://w3id\.org/osgraph/"):
        checked_report(checks)


def test_a_change_of_the_shapes_is_a_change_of_the_queries(piece: Graph) -> None:
    """A constraint added to the shapes graph is checked, with no code of its own."""
    graph = shapes()
    rule = next(
        node
        for node in graph.objects(OSGSH_PROJECT, SH.property)
        if graph.value(node, SH.path) == OSG.domain
    )
    graph.add((rule, SH.maxCount, Literal(0)))
    store = in_store(piece)
    findings = list(run_checks(store, compile_shapes(graph, lambda known: [known]), str))
    assert [(f.component, f.path) for f in findings] == [
        ("MaxCountConstraintComponent", "osg:domain")
    ]
    assert validate_store(store).results == ()  # the shapes that ship have no such rule
    checks = ShapeChecks(graph)
    checks.graph(piece)
    assert [(f.component, f.path) for f in checks.finish(str)] == [
        ("MaxCountConstraintComponent", "osg:domain")
    ]


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


@pytest.mark.parametrize("engine", [[], ["--engine", "oxigraph"], ["--engine", "pyshacl"]])
def test_the_validate_command(bundled_kg: Path, tmp_path: Path, engine: list[str]) -> None:
    good = run_osgraph("validate", str(bundled_kg), *engine, cwd=tmp_path)
    assert good.returncode == 0
    assert good.stdout == "The graph conforms to osgraph's shapes.\n"
    broken = tmp_path / "broken.ttl"
    broken.write_text(f"<{BASE}project/x> a <{OSG.Project}> .\n")
    bad = run_osgraph("validate", str(broken), *engine, cwd=tmp_path)
    assert bad.returncode == 1
    assert bad.stdout.startswith("The graph violates osgraph's shapes 5 times, with 1 warning:")
    assert "osg:listedIn: a project is listed in at least one list edition" in bad.stdout
    assert "osg:country|osg:area: a project is credited to at least one country" in bad.stdout
    missing = run_osgraph("validate", "nope.ttl", *engine, cwd=tmp_path)
    assert missing.returncode == 3 and missing.stderr.startswith(
        "osgraph: error: nope.ttl: no such file"
    )


def test_an_unknown_validation_engine_is_a_usage_error(bundled_kg: Path, tmp_path: Path) -> None:
    wrong = run_osgraph("validate", str(bundled_kg), "--engine", "rudof", cwd=tmp_path)
    assert wrong.returncode == 2
    assert "--engine 'rudof': choose oxigraph or pyshacl" in wrong.stderr


def test_every_format_export_writes_is_read_and_checked(tmp_path: Path) -> None:
    from osgraph import build_file
    from osgraph._export import GRAPH_FORMATS, export_graph

    # A small graph of two lists: TriG divides it among them.
    case = Path(__file__).parent / "cases" / "two-editions" / "input"
    kg = tmp_path / "osgraph.ttl"
    build_file(sorted(case.glob("*.csv")), kg, BuildOptions(validate=False, store=False))
    for format in GRAPH_FORMATS:
        path = tmp_path / f"export.{'rdf' if format == 'xml' else format}"
        path.write_bytes(export_graph(kg, format))
        assert validate_file(path).conforms, format
    # TriG's named graphs are one graph to the shapes, with either engine; a project that
    # lost its lists is found in it.
    trig = (tmp_path / "export.trig").read_text(encoding="utf-8")
    assert trig.count(" {\n") >= 2
    assert validate_file(tmp_path / "export.trig", engine="pyshacl").conforms
    broken = tmp_path / "broken.trig"
    broken.write_text(re.sub(r"osg:listedIn [^;]*;", "", trig), encoding="utf-8")
    assert not validate_file(broken).conforms
    assert not validate_file(broken, engine="pyshacl").conforms
