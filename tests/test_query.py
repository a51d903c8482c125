"""Named queries, checked against facts read from the bundled list independently of osgraph's
reader, on both embedded engines; parameters, injection, errors, and the query command.

Each engine reads the bundled graph once for the module, for the queries asked here and for the
commands run in this process alike (:mod:`tests.read_once`); the tests of store folders, of
``auto`` and of a graph in memory open their graphs as a command does.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

import pycountry
import pytest
from rdflib import Graph

from osgraph import ConfigurationError, QueryError, named_queries, open_engine, run_query
from osgraph._catalogue import bind_parameters, load_query
from osgraph._engines import Engine, OxigraphEngine, RdflibEngine

from .conftest import as_text, invoke_osgraph, run_osgraph
from .independent import DATA, country_name, fold
from .read_once import EnginesOnce, read_once

ENGINES = ["rdflib", "oxigraph"]


@pytest.fixture(scope="module", autouse=True)
def engines(bundled_kg: Path) -> Iterator[EnginesOnce]:
    """The bundled graph in each engine, read once for the module."""
    with read_once(bundled_kg) as once:
        yield once


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest, engines: EnginesOnce, bundled_kg: Path) -> Engine:
    return engines(bundled_kg, request.param)


def ask(engine: Engine, name: str, **parameters: str) -> list[dict[str, str | None]]:
    text, named = load_query(name)
    return run_query(engine, text, bind_parameters(parameters, named)).as_dicts()


def test_projects_by_country(engine: Engine, rows: list) -> None:
    expected: dict[str, set[str]] = defaultdict(set)
    for project, _, countries in rows:
        for country in countries:
            expected[country_name(country)].add(project)
    answer = ask(engine, "projects-by-country")
    assert {r["country"]: int(r["projects"]) for r in answer} == {
        c: len(p) for c, p in expected.items()
    }
    counts = [int(r["projects"]) for r in answer]
    assert counts == sorted(counts, reverse=True)
    assert answer[0] == {"country": "United States", "projects": "45"}


def test_institutions_by_projects(engine: Engine, rows: list, canonical: dict) -> None:
    expected: dict[str, set[str]] = defaultdict(set)
    for project, institutions, _ in rows:
        for institution in institutions:
            expected[canonical[fold(institution)]].add(project)
    answer = ask(engine, "institutions-by-projects")
    assert {r["institution"]: int(r["projects"]) for r in answer} == {
        i: len(p) for i, p in expected.items()
    }
    by_name = {r["institution"]: r["country"] for r in answer}
    assert by_name["Google"] == "United States"  # based in, from the gazetteer
    assert by_name["Significant Gravitas"] == "United Kingdom"  # unknown base: the list's country


MISALIGNED = {
    "ArchProbe": {
        ("Microsoft", "US"),
        ("Tsinghua University", "CN"),
        ("University of California, Irvine", "US"),
    },
    "ChatGLM": {
        ("Tsinghua University", "CN"),
        ("Zhipu AI", "CN"),
        ("Beijing Academy of Artificial Intelligence", "CN"),
        ("Massachusetts Institute of Technology", "US"),
    },
    "GraphScope": {
        ("Alibaba Group", "CN"),
        ("University of Edinburgh", "GB"),
        ("Shenzhen Institute of Computing Sciences", "CN"),
    },
    "OmniObject3D": {
        ("The Chinese University of Hong Kong", "CN"),
        ("Shanghai AI Laboratory", "CN"),
        ("S-Lab, Nanyang Technological University", "SG"),
    },
}


def test_contributions(engine: Engine, rows: list, canonical: dict) -> None:
    expected = set()
    for project, institutions, countries in rows:
        names = [canonical[fold(i)] for i in institutions]
        if project in MISALIGNED:
            pairs = [(i, pycountry.countries.get(alpha_2=c)) for i, c in MISALIGNED[project]]
            expected |= {(project, i, getattr(c, "common_name", c.name)) for i, c in pairs}
        elif len(names) == len(countries):
            expected |= {
                (project, i, country_name(c)) for i, c in zip(names, countries, strict=True)
            }
        elif len(countries) == 1:
            expected |= {(project, i, country_name(countries[0])) for i in names}
        else:
            expected |= {(project, names[0], country_name(c)) for c in countries}
    answer = ask(engine, "contributions")  # in no set order
    assert sorted((r["project"], r["institution"], r["country"]) for r in answer) == sorted(
        expected
    )


def test_cross_border_projects(engine: Engine, rows: list) -> None:
    countries: dict[str, set[str]] = defaultdict(set)
    for project, _, listed in rows:
        countries[project] |= {country_name(c) for c in listed}
    expected = {p: c for p, c in countries.items() if len(c) >= 2}
    answer = ask(engine, "cross-border-projects")
    assert {r["project"]: set(r["countries"].split(", ")) for r in answer} == expected


def test_collaborations(engine: Engine, rows: list, canonical: dict) -> None:
    shared: Counter[tuple[str, str]] = Counter()
    projects: dict[str, set[str]] = defaultdict(set)
    for project, institutions, _ in rows:
        projects[project] |= {canonical[fold(i)] for i in institutions}
    for members in projects.values():
        for a, b in combinations(sorted(members), 2):
            shared[a, b] += 1
    answer = ask(engine, "collaborations")
    assert {
        tuple(sorted((r["institution_a"], r["institution_b"]))): int(r["projects"]) for r in answer
    } == shared
    assert len(answer) == len(shared)  # each pair once


def test_country_collaborations(engine: Engine, rows: list) -> None:
    shared: Counter[tuple[str, str]] = Counter()
    countries: dict[str, set[str]] = defaultdict(set)
    for project, _, listed in rows:
        countries[project] |= {country_name(c) for c in listed}
    for members in countries.values():
        for a, b in combinations(sorted(members), 2):
            shared[a, b] += 1
    answer = ask(engine, "country-collaborations")
    assert {
        tuple(sorted((r["country_a"], r["country_b"]))): int(r["projects"]) for r in answer
    } == shared


@pytest.mark.parametrize(
    ("name", "count", "names"),
    [
        ("collaborations", "projects", ["institution_a", "institution_b"]),
        ("country-collaborations", "projects", ["country_a", "country_b"]),
        ("institutions-by-projects", "projects", ["institution"]),
        ("unidentified-institutions", "projects", ["institution"]),
        ("projects-by-country", "projects", ["country"]),
        ("cross-border-projects", None, ["project"]),
    ],
)
def test_sorted_answers_come_most_first_then_by_name(
    engine: Engine, name: str, count: str | None, names: list[str]
) -> None:
    answer = ask(engine, name)
    order = [(-int(r[count]) if count else 0, *(r[n] for n in names)) for r in answer]
    assert len(set(order)) > 1
    assert order == sorted(order)


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"institution": "Tsinghua University"}, None),
        ({"institution": "MIT"}, ["ChatGLM"]),  # an alias
        ({"country": "CN"}, None),
        ({"country": "China"}, None),
        ({"country": "UK", "institution": "Google"}, ["Comprehensive-rust"]),
        (
            {"institution": "Chinese Academy of Sciences"},
            ["BUDDY MLIR", "BayLing", "DeePMD-kit", "OSTrack", "PiFlow"],
        ),
    ],
)
def test_projects_of(engine: Engine, rows: list, parameters: dict, expected: list | None) -> None:
    if expected is None:
        if "institution" in parameters:
            expected = sorted({p for p, i, _ in rows if parameters["institution"] in i})
        else:
            expected = sorted({p for p, _, c in rows if "China" in c})
    assert [r["project"] for r in ask(engine, "projects-of", **parameters)] == expected


def test_academia_industry(engine: Engine) -> None:
    answer = ask(engine, "academia-industry")
    assert {
        "project": "ArchProbe",
        "university": "Tsinghua University",
        "company": "Microsoft",
    } in answer
    assert all(r["university"] != r["company"] for r in answer)


def test_projects_by_parent(engine: Engine) -> None:
    answer = {
        r["organisation"]: (int(r["units"]), int(r["projects"]))
        for r in ask(engine, "projects-by-parent")
    }
    assert answer["Chinese Academy of Sciences"] == (4, 5)
    assert answer["Microsoft"][0] == 1


def test_projects_by_domain_and_unidentified_institutions(engine: Engine) -> None:
    domains = {r["domain"]: int(r["projects"]) for r in ask(engine, "projects-by-domain")}
    assert sum(domains.values()) == sum(
        1
        for e in tomllib.loads((DATA / "projects.toml").read_text(encoding="utf-8"))["project"]
        if e["domain"] != "unknown"
    )
    unidentified = {r["institution"] for r in ask(engine, "unidentified-institutions")}
    assert "Significant Gravitas" in unidentified
    assert "Tsinghua University" not in unidentified


def normalised(answer: list[dict[str, str | None]]) -> list[tuple]:
    """Rows with group-concatenated values sorted, since SPARQL leaves their order open."""
    return sorted(
        tuple(tuple(sorted(v.split(", "))) if v else () for v in row.values()) for row in answer
    )


@pytest.fixture(scope="module")
def two_lists_engines(two_lists_kg: Path) -> list[Engine]:
    """Both engines over the two lists' graph, loaded once for the module's queries."""
    return [open_engine(two_lists_kg, e) for e in ENGINES]


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_both_engines_give_the_same_answers(name: str, two_lists_engines: list[Engine]) -> None:
    parameters = {"institution": "Tsinghua University"} if named_queries()[name].needs else {}
    answers = [normalised(ask(e, name, **parameters)) for e in two_lists_engines]
    assert answers[0] == answers[1]
    assert answers[0], name


@pytest.mark.parametrize(
    "value", ['x" } ; DROP ALL ; #', "x' } UNION { ?p ?q ?r } #", "<http://x> } #", '\\" }']
)
def test_a_parameter_is_a_value_never_query_text(
    engine: Engine, bundled_kg: Path, value: str
) -> None:
    assert ask(engine, "projects-of", institution=value) == []
    assert len(ask(engine, "contributions")) == 128  # nothing was dropped or changed


@pytest.mark.parametrize("engine_name", ENGINES)
def test_a_syntax_error_gives_line_and_column(
    engines: EnginesOnce, bundled_kg: Path, engine_name: str
) -> None:
    with pytest.raises(QueryError, match=r"^syntax error at line [34], column \d+: .{1,200}$"):
        run_query(engines(bundled_kg, engine_name), "SELECT ?x\nWHERE {\n  ?x ?y \n")


def test_parameter_mistakes_are_explained() -> None:
    projects_of = named_queries()["projects-of"]
    with pytest.raises(QueryError, match="projects-of needs a value for institution or country"):
        bind_parameters({}, projects_of)
    with pytest.raises(
        QueryError, match=r"has no parameter colour \(its parameters: institution, country\)"
    ):
        bind_parameters({"colour": "red", "country": "CN"}, projects_of)


def test_an_unknown_query_name_lists_the_known_ones() -> None:
    with pytest.raises(
        QueryError, match=r"no named query 'nope'; the named queries are: .*projects-by-country"
    ):
        load_query("nope")


def test_every_named_query_says_what_it_answers() -> None:
    for query in named_queries().values():
        assert len(query.description) > 20, query.name


def test_auto_picks_the_builds_store_or_oxigraph_for_large_graphs(
    bundled_kg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert isinstance(open_engine(bundled_kg, "auto"), OxigraphEngine)  # the build's store
    alone = tmp_path / "osgraph.ttl"  # a graph without its store
    shutil.copy(bundled_kg, alone)
    assert isinstance(open_engine(alone, "auto"), RdflibEngine)
    monkeypatch.setattr("osgraph._engines.LARGE_GRAPH_BYTES", alone.stat().st_size)
    assert isinstance(open_engine(alone, "auto"), OxigraphEngine)


def test_an_oxigraph_folder_is_loaded_once_and_again_when_the_graph_changes(
    bundled_kg: Path, tmp_path: Path
) -> None:
    kg = tmp_path / "osgraph.ttl"
    shutil.copy(bundled_kg, kg)
    store = tmp_path / "store"
    first = open_engine(kg, "oxigraph", store)
    assert len(ask(first, "contributions")) == 128
    del first
    marker = (store / ".osgraph-source").read_text()
    again = open_engine(kg, "oxigraph", store)
    assert (store / ".osgraph-source").read_text() == marker
    assert len(ask(again, "contributions")) == 128
    del again
    kg.write_text("<http://a> <http://b> <http://c> .\n")
    changed = open_engine(kg, "oxigraph", store)
    assert ask(changed, "contributions") == []


def osgraph(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command in this process (typer's runner), which gives the exit code, standard
    output and standard error the `osgraph` process gives for these commands; an exception that
    escapes the command, which a user would see as a traceback, fails."""
    code, out, err = invoke_osgraph(args, stdin)
    return subprocess.CompletedProcess(["osgraph", *args], code, as_text(out), as_text(err))


def test_the_query_command_writes_every_format(bundled_kg: Path) -> None:
    kg = ["--kg", str(bundled_kg)]
    table = osgraph("query", "projects-by-country", *kg)
    assert table.returncode == 0, table.stderr
    assert re.search(r"United States\s+│\s+45", table.stdout) and table.stdout.endswith("17 rows\n")
    as_csv = list(
        csv.reader(io.StringIO(osgraph("query", "projects-by-country", "-f", "csv", *kg).stdout))
    )
    assert as_csv[0] == ["country", "projects"] and as_csv[1] == ["United States", "45"]
    as_json = json.loads(osgraph("query", "projects-by-country", "-f", "json", *kg).stdout)
    assert as_json["head"]["vars"] == ["country", "projects"]
    assert as_json["results"]["bindings"][0]["projects"]["value"] == "45"
    tsv = osgraph("query", "projects-by-country", "-f", "tsv", *kg).stdout.splitlines()
    assert tsv[0] == "?country\t?projects"
    assert tsv[1].startswith('"United States"@en\t')
    xml = osgraph("query", "projects-by-country", "-f", "xml", *kg).stdout
    assert "<sparql" in xml and "United States" in xml


def test_the_query_command_reads_a_file_or_standard_input(bundled_kg: Path, tmp_path: Path) -> None:
    text = "PREFIX osg: <https://w3id.org/osgraph/ontology#>\nASK { ?p osg:listedIn ?l }\n"
    (tmp_path / "ask.rq").write_text(text)
    assert osgraph("query", str(tmp_path / "ask.rq"), "--kg", str(bundled_kg)).stdout == "true\n"
    assert osgraph("query", "-", "--kg", str(bundled_kg), stdin=text).stdout == "true\n"


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["query", "nope"], "osgraph: error: no named query 'nope'", 1),
        (
            ["query", "projects-of"],
            "osgraph: error: projects-of needs a value for institution or country",
            1,
        ),
        (["query", "projects-by-country", "-f", "yaml"], "osgraph: error: --format 'yaml'", 2),
        (["query", "projects-by-country", "-p", "country"], "osgraph: error: --param 'country'", 2),
        (
            ["query", "projects-by-country", "--kg", "missing.ttl"],
            "osgraph: error: missing.ttl: no such graph; build one with `osgraph build`",
            3,
        ),
        (["query", "missing.rq"], "osgraph: error: missing.rq: no such file", 3),
    ],
)
def test_query_mistakes_exit_with_their_code_without_a_traceback(
    bundled_kg: Path, args: list[str], message: str, code: int
) -> None:
    """1: the query is wrong; 2: an option's value cannot be used; 3: a file cannot be read."""
    if "--kg" not in args:
        args = [*args, "--kg", str(bundled_kg)]
    result = osgraph(*args)
    assert result.returncode == code
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr


def test_queries_lists_every_named_query() -> None:
    listing = osgraph("queries").stdout
    for name in named_queries():
        assert f"\n{name}\n" in f"\n{listing}"
    assert "--param institution=" in listing


@pytest.fixture(scope="module")
def unaligned_kg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small graph with a row whose institutions could not be placed, and one that could."""
    from osgraph import build, write_turtle

    folder = tmp_path_factory.mktemp("unaligned")
    source = folder / "l.csv"
    source.write_text("project,institutions,countries\nQ,Zzz;Yyy;Xxx,UK|USA\nP,Meta;MIT,USA\n")
    return write_turtle(build([source]).graph, folder / "k.ttl")


@pytest.fixture(scope="module")
def unaligned_engines(unaligned_kg: Path) -> list[Engine]:
    return [open_engine(unaligned_kg, e) for e in ENGINES]


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_runs_where_rows_could_not_be_aligned(
    name: str, unaligned_engines: list[Engine]
) -> None:
    parameters = {"country": "USA"} if named_queries()[name].needs else {}
    answers = [normalised(ask(e, name, **parameters)) for e in unaligned_engines]
    assert answers[0] == answers[1]


@pytest.fixture(scope="module")
def graph_in_memory(bundled_kg: Path) -> Graph:
    """The bundled graph read into rdflib, for both engines (neither changes it)."""
    return Graph().parse(bundled_kg, format="turtle")


@pytest.mark.parametrize("engine_name", ENGINES)
def test_a_graph_in_memory_is_queried_without_a_file(
    engines: EnginesOnce, bundled_kg: Path, graph_in_memory: Graph, engine_name: str, tmp_path: Path
) -> None:
    graph = graph_in_memory
    in_memory = open_engine(graph, engine_name)  # type: ignore[arg-type]
    assert normalised(ask(in_memory, "contributions")) == normalised(
        ask(engines(bundled_kg, engine_name), "contributions")
    )
    with pytest.raises(ConfigurationError, match="a store folder keeps a graph file"):
        open_engine(graph, "oxigraph", tmp_path / "store")


def test_answer_query_is_the_query_command(bundled_kg: Path) -> None:
    from osgraph import answer_query

    for format in ["table", "tsv", "json"]:  # the runner reads \r\n as \n
        command = osgraph(
            "query", "projects-of", "-p", "country=CN", "-f", format, "--kg", str(bundled_kg)
        )
        answer = answer_query("projects-of", bundled_kg, parameters=["country=CN"], format=format)
        assert (answer if isinstance(answer, str) else answer.decode()) == command.stdout


def test_a_result_is_immutable_and_writes_no_table_as_csv() -> None:
    import dataclasses

    from osgraph import QueryResult

    result = QueryResult("ASK", boolean=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.boolean = False  # type: ignore[misc]
    with pytest.raises(ConfigurationError, match="'table' is not a SPARQL results format"):
        result.serialize("table")  # type: ignore[arg-type]


def test_a_table_fits_the_terminal_and_a_pipe_gets_whole_lines(bundled_kg: Path) -> None:
    def widest(env: dict[str, str]) -> int:
        result = run_osgraph(
            "query", "contributions", "--kg", str(bundled_kg), cwd=Path.cwd(), env=env
        )
        assert result.returncode == 0, result.stderr
        return max(len(line) for line in result.stdout.splitlines())

    assert widest({"COLUMNS": "60"}) <= 60
    # Standard output here is no terminal: rows are not wrapped to one.
    assert widest({}) > 60
