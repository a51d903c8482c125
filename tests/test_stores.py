"""Push to real triple stores the tests start (tests/stores.py), the Oxigraph server and Debian's
Virtuoso, then query them through the command: every named query answers there as the embedded
store answers it, a push says how to query what it pushed, and a query without --graph finds
osgraph's graph or says why it cannot."""

from __future__ import annotations

import io
import re
import shlex
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import XSD, Literal, Variable
from rdflib.query import Result
from rdflib.term import Identifier

from osgraph import named_queries
from osgraph._push import DEFAULT_NAMED_GRAPH

from .conftest import run_osgraph
from .read_once import read_once
from .stores import Store, oxigraph_server, virtuoso_server

pytestmark = pytest.mark.process

FIXTURES = {"oxigraph": oxigraph_server, "virtuoso": virtuoso_server}
ANOTHER_GRAPH = "https://example.org/graphs/another"
QUERIES = named_queries()
PARAMETERS = {"projects-of": ["-p", "institution=Chinese Academy of Sciences"]}


@pytest.fixture(scope="module", params=sorted(FIXTURES))
def store(request: pytest.FixtureRequest) -> Store:
    """Each store in turn, started once for the module."""
    started: Store = request.getfixturevalue(FIXTURES[request.param].__name__)
    return started


@pytest.fixture(scope="module", autouse=True)
def graph_read_once(two_lists_kg: Path) -> Iterator[None]:
    """The embedded answers read the graph once per engine for the module."""
    with read_once(two_lists_kg):
        yield


def osgraph(store: Store, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"OSGRAPH_PASSWORD": store.password} if store.password else None
    return run_osgraph(*args, cwd=cwd, env=env)


@dataclass(frozen=True)
class Session:
    """What a user sees, in this order, on a store the tests just started."""

    empty: subprocess.CompletedProcess[str]
    """``query`` without ``--graph``, before anything is pushed."""
    readme: list[tuple[list[str], list[str]]]
    """The README's commands for this store, run as shown: the lines the README shows after
    them, and the lines they wrote, with the store's address as the README writes it."""
    pushed: subprocess.CompletedProcess[str]
    """``push`` of the two lists' graph to the default named graph, replacing the bundled one."""
    as_told: subprocess.CompletedProcess[str]
    """The ``query`` line the push printed, run as printed (in CSV)."""
    no_graph: subprocess.CompletedProcess[str]
    """``query`` without ``--graph``, after the push."""
    two_graphs: subprocess.CompletedProcess[str]
    """``query`` without ``--graph``, once the same graph is pushed to a second named graph."""
    embedded: subprocess.CompletedProcess[str]
    """The same query on the embedded store."""


@pytest.fixture(scope="module")
def session(
    store: Store, bundled_kg: Path, two_lists_kg: Path, tmp_path_factory: pytest.TempPathFactory
) -> Session:
    cwd = tmp_path_factory.mktemp(f"session-{store.name}")
    query = ["query", "projects-by-country", "--format", "csv"]
    empty = osgraph(store, *query, "--endpoint", store.sparql, cwd=cwd)
    (cwd / "build").mkdir()
    shutil.copy(bundled_kg, cwd / "build" / "osgraph.ttl")
    readme = [
        (shown, as_readme_writes(store, run_readme_line(store, command, cwd)))
        for command, shown in readme_commands(store)
    ]
    push = ["push", "--kg", str(two_lists_kg), *store.push_options]
    pushed = osgraph(store, *push, "--endpoint", store.store, cwd=cwd)
    assert pushed.returncode == 0, pushed.stderr
    told = pushed.stdout.splitlines()[-1].removeprefix("Query it with: ")
    assert told.startswith("osgraph query "), pushed.stdout
    as_told = osgraph(store, *shlex.split(told)[1:], "--format", "csv", cwd=cwd)
    no_graph = osgraph(store, *query, "--endpoint", store.sparql, cwd=cwd)
    again = osgraph(
        store, *push, "--endpoint", store.store, "--named-graph", ANOTHER_GRAPH, cwd=cwd
    )
    assert again.returncode == 0, again.stderr
    two_graphs = osgraph(store, *query, "--endpoint", store.sparql, cwd=cwd)
    embedded = osgraph(store, *query, "--engine", "oxigraph", "--kg", str(two_lists_kg), cwd=cwd)
    assert embedded.returncode == 0 and embedded.stdout.count("\n") > 10, embedded.stderr
    return Session(empty, readme, pushed, as_told, no_graph, two_graphs, embedded)


README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
README_PORTS = {"oxigraph": "7878", "virtuoso": "8890"}


def readme_commands(store: Store) -> list[tuple[str, list[str]]]:
    """Each command the README's store examples run on ``store`` (known by its usual port),
    with the lines it shows after it."""
    commands = []
    for block in README.split("<!-- store -->\n```console\n")[1:]:
        lines = block.split("```", 1)[0].splitlines()
        if f"localhost:{README_PORTS[store.name]}/" not in lines[0]:
            continue
        starts = [i for i, line in enumerate(lines) if line.startswith("$ ")]
        for start, end in zip(starts, [*starts[1:], len(lines)], strict=True):
            commands.append((lines[start].removeprefix("$ "), lines[start + 1 : end]))
    assert commands, f"the README shows no push to {store.name}"
    return commands


def run_readme_line(store: Store, command: str, cwd: Path) -> list[str]:
    """The lines ``command``, a README line, writes when run on ``store``: standard error's
    (a notice comes before the answer) then standard output's."""
    words = shlex.split(command.replace(f"http://localhost:{README_PORTS[store.name]}", store.base))
    env = {}
    while "=" in words[0]:
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    assert words[0] == "osgraph", command
    ran = run_osgraph(*words[1:], cwd=cwd, env=env)
    assert ran.returncode == 0, ran.stderr
    return ran.stderr.splitlines() + ran.stdout.splitlines()


def as_readme_writes(store: Store, lines: list[str]) -> list[str]:
    return [
        line.replace(store.base, f"http://localhost:{README_PORTS[store.name]}") for line in lines
    ]


def test_the_readme_shows_what_push_and_query_print(session: Session) -> None:
    for shown, written in session.readme:
        if shown[-1:] == ["..."]:  # the first lines of a longer answer
            shown, written = shown[:-1], written[: len(shown) - 1]
        assert written == shown


def test_a_push_says_how_to_query_what_it_pushed(
    session: Session, store: Store, two_lists_kg: Path
) -> None:
    assert session.pushed.returncode == 0, session.pushed.stderr
    status = re.escape(f"{DEFAULT_NAMED_GRAPH}>") + r" \((200|201|204)\)\."
    first, told = session.pushed.stdout.splitlines()
    assert re.fullmatch(
        f"Pushed {re.escape(f'{two_lists_kg} to {store.store} as <')}{status}", first
    )
    assert told == (
        f"Query it with: osgraph query projects-by-country --endpoint {store.sparql} "
        f"--graph {DEFAULT_NAMED_GRAPH}"
    )
    assert session.as_told.returncode == 0, session.as_told.stderr
    assert session.as_told.stdout == session.embedded.stdout
    assert session.as_told.stderr == ""


def test_a_store_without_osgraph_data_is_an_error_not_an_empty_answer(
    session: Session, store: Store
) -> None:
    assert session.empty.returncode == 2 and session.empty.stdout == ""
    assert session.empty.stderr == (
        f"osgraph: error: the default graph of {store.sparql} holds no osgraph data, nor does "
        "any of its named graphs: push a graph there with `osgraph push`, or ask another "
        "--endpoint\n"
    )


def test_a_query_without_graph_finds_the_graph_pushed(session: Session, store: Store) -> None:
    assert session.no_graph.returncode == 0, session.no_graph.stderr
    assert session.no_graph.stdout == session.embedded.stdout
    if store.name == "virtuoso":
        # Virtuoso's default graph is the union of its graphs: the graph pushed is in it.
        assert session.no_graph.stderr == ""
    else:
        assert session.no_graph.stderr == (
            f"osgraph: the default graph of {store.sparql} holds no osgraph data: this is the "
            f"answer of its named graph <{DEFAULT_NAMED_GRAPH}> (--graph {DEFAULT_NAMED_GRAPH})\n"
        )


def test_a_query_without_graph_names_the_graphs_to_choose_from(
    session: Session, store: Store
) -> None:
    if store.name == "virtuoso":
        # Virtuoso's default graph is the union of its graphs, here two copies of one graph: each
        # fact matched twice, so most named queries would repeat their rows (seven of twelve did
        # on the two lists' graph): their answers are refused.
        assert session.two_graphs.returncode == 2 and session.two_graphs.stdout == ""
        assert session.two_graphs.stderr == (
            f"osgraph: error: the default graph of {store.sparql} holds osgraph data more than "
            f"once (the union of the named graphs that hold it: <{ANOTHER_GRAPH}>, "
            f"<{DEFAULT_NAMED_GRAPH}>), so answers would repeat rows; choose one graph with "
            "--graph, or push one graph built of every list\n"
        )
        return
    assert session.two_graphs.returncode == 2 and session.two_graphs.stdout == ""
    assert session.two_graphs.stderr == (
        f"osgraph: error: the default graph of {store.sparql} holds no osgraph data; the named "
        f"graphs that do: <{ANOTHER_GRAPH}>, <{DEFAULT_NAMED_GRAPH}>; choose one with --graph\n"
    )


Rows = tuple[list[str], list[dict[str, object]]]
"""The variables of an answer, and its rows."""


def rows(answer: subprocess.CompletedProcess[str]) -> Rows:
    """The variables and rows of a JSON answer, each term as :func:`comparable` makes it."""
    assert answer.returncode == 0, answer.stderr
    result = Result.parse(io.StringIO(answer.stdout), format="json")
    names = [str(v) for v in result.vars or ()]
    return names, [
        {name: comparable(binding.get(Variable(name))) for name in names}
        for binding in result.bindings
    ]


def comparable(term: Identifier | None) -> object:
    """A term as two SPARQL 1.1 stores may each rightly answer it.

    Only what the standards leave open is made the same: the order of the parts GROUP_CONCAT
    joins is not specified (SPARQL 1.1 Query, 18.5.1.7), so the parts (every named query joins
    with ", ") are compared sorted; and a simple literal is an xsd:string (RDF 1.1 Concepts,
    3.3), which a store may write either way. Language tags and every other datatype must be
    the same.
    """
    if not isinstance(term, Literal):
        return term
    datatype = None if term.datatype == XSD.string else term.datatype
    return tuple(sorted(str(term).split(", "))), term.language, datatype


@pytest.fixture(scope="module")
def embedded(two_lists_kg: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rows]:
    """The embedded store's answer to each named query, asked once for both stores."""
    cwd = tmp_path_factory.mktemp("embedded")
    answers = {}
    for name in QUERIES:
        ask = ["query", name, "--format", "json", "--engine", "oxigraph", "--kg", str(two_lists_kg)]
        answers[name] = rows(run_osgraph(*ask, *PARAMETERS.get(name, []), cwd=cwd))
    return answers


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_named_query_answers_as_the_embedded_store(
    session: Session, store: Store, embedded: dict[str, Rows], tmp_path: Path, name: str
) -> None:
    ask = ["query", name, "--format", "json", *PARAMETERS.get(name, [])]
    remote = [*ask, "--endpoint", store.sparql, "--graph", DEFAULT_NAMED_GRAPH]
    there_names, there = rows(osgraph(store, *remote, cwd=tmp_path))
    here_names, here = embedded[name]
    assert here, f"{name} answers nothing on the graph: the comparison would prove nothing"
    assert there_names == here_names
    assert Counter(map(repr, there)) == Counter(map(repr, here))
    order_by = [line for line in QUERIES[name].text.splitlines() if line.startswith("ORDER BY")]
    if not order_by:  # rows in no set order: the same rows are the same answer
        return
    # Rows that tie on the ORDER BY keys may come in any order: the keys must come in one. A key
    # the query makes of a column ("#" and the column) stands for the column.
    made = re.findall(r'BIND\(CONCAT\("#", \?(\w+)\) AS \?(\w+)\)', QUERIES[name].text)
    columns = {key: column for column, key in made}
    order = [columns.get(key, key) for key in re.findall(r"\?(\w+)", order_by[-1])]
    keys = [key for key in order if key in here_names]
    assert keys, name
    assert [[row[key] for key in keys] for row in there] == [
        [row[key] for key in keys] for row in here
    ]


def test_an_ask_query_answers_a_boolean(session: Session, store: Store, tmp_path: Path) -> None:
    ask = "PREFIX osg: <https://w3id.org/osgraph/ontology#>\nASK WHERE { ?p a osg:Project }\n"
    where = ["--endpoint", store.sparql, "--graph"]
    for graph, answer in [(DEFAULT_NAMED_GRAPH, "true"), ("https://example.org/none", "false")]:
        ran = run_osgraph("query", "-", "--format", "csv", *where, graph, cwd=tmp_path, stdin=ask)
        assert (ran.returncode, ran.stdout.splitlines()) == (0, ["boolean", answer]), ran.stderr
