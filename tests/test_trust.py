"""Trust: bad input is reported row by row, nothing read is lost, nothing is half-written, and
no string from data ever becomes code or a path."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, RDFS

from osgraph import OSG, BuildOptions, ErrorPolicy, SourceError, build, name_key
from osgraph._build import build_sources
from osgraph._gazetteer import load_gazetteer
from osgraph._sources.entries import Entry, ListInfo, Mention, Origin, Source
from osgraph._sources.markdown import read_markdown_table
from osgraph._validate import validate_graph

from .conftest import WriteFile, run_osgraph


def test_a_gb18030_file_reads_when_its_encoding_is_named(
    write_file: WriteFile, tmp_path: Path
) -> None:
    source = write_file(
        "gb.csv",
        "project,institutions,countries\n悟道,北京智源人工智能研究院,China\n".encode("gb18030"),
    )
    refused = run_osgraph("build", "gb.csv", cwd=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.startswith("osgraph: error: gb.csv:2: is not UTF-8")
    assert "--encoding gb18030" in refused.stderr
    result = build([source], BuildOptions(encoding="gb18030"))
    labels = {str(o) for o in result.graph.objects(None, RDFS.label)}
    assert {"悟道", "北京智源人工智能研究院"} <= labels


MESSY = (
    "project,institutions,countries\n"
    "A,Meta,USA\n"  # kept
    "B,,USA\n"  # empty institution
    "C,X,Atlantis\n"  # unknown country
    "D,Y\n"  # too few cells
    "E,Z,UK\n"  # kept
    "F,[bad](javascript:x),UK\n"  # kept: a CSV value is text, not a link
)


def test_lenient_accounts_for_every_row(write_file: WriteFile) -> None:
    result = build([write_file("messy.csv", MESSY)], BuildOptions(policy=ErrorPolicy.LENIENT))
    summary = result.summary
    rows_in_graph = len(set(result.graph.subjects(RDF.type, OSG.SourceRow)))
    assert summary.rows_read == 6 == rows_in_graph + summary.rows_rejected
    rejected = sorted(
        (n.origins[0].line, n.message) for n in summary.notices if n.kind == "rejected"
    )
    assert [line for line, _ in rejected] == [3, 4, 5]
    assert rejected[0][1] == "cell 'institutions': is empty"
    assert rejected[1][1].startswith("cell 'countries': 'Atlantis' is not a country")
    assert rejected[2][1] == "the row has 2 cells where the header has 3"


def test_strict_stops_at_the_first_bad_row(write_file: WriteFile, tmp_path: Path) -> None:
    write_file("messy.csv", MESSY)
    result = run_osgraph("build", "messy.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "osgraph: error: messy.csv:3: cell 'institutions': is empty\n"
    assert not (tmp_path / "build").exists()


def test_a_project_listed_with_conflicting_institutions(write_file: WriteFile) -> None:
    source = write_file(
        "c.csv", "project,institutions,countries\nA,Meta,USA\nB,Meta,USA\nA,Google,USA\n"
    )
    with pytest.raises(
        SourceError,
        match=r"c\.csv:2: cell 'institutions': A is listed at lines 2, 4 with different",
    ):
        build([source])
    kept = build([source], BuildOptions(policy=ErrorPolicy.LENIENT))
    project = next(kept.graph.subjects(RDFS.label, Literal("A")))
    names = {
        str(kept.graph.value(i, RDFS.label)) for i in kept.graph.objects(project, OSG.developedBy)
    }
    assert names == {"Meta", "Google"}  # both kept, nothing overwritten
    assert [n.kind for n in kept.summary.notices].count("conflicting-rows") == 1


# `osgraph build` in a process that kills itself (SIGKILL: nothing runs after it) at a known
# moment of writing the graph: after the first piece of Turtle is written to the temporary file,
# or once the whole graph is in it and only the rename is left.
KILLED_WHILE = {
    "writing": """
import os, signal
from pathlib import Path
opened = Path.open
def open_and_kill_after_a_write(path, *args, **kwargs):
    file = opened(path, *args, **kwargs)
    if path.name.endswith(".tmp"):
        def write_then_die(text):
            type(file).write(file, text)
            file.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        file.write = write_then_die
    return file
Path.open = open_and_kill_after_a_write
""",
    "renaming": """
import os, signal
from pathlib import Path
Path.replace = lambda path, target: os.kill(os.getpid(), signal.SIGKILL)
""",
}


@pytest.mark.process
@pytest.mark.parametrize("moment", sorted(KILLED_WHILE))
def test_a_killed_build_leaves_the_previous_graph_whole(
    moment: str, write_file: WriteFile, tmp_path: Path
) -> None:
    write_file("old.csv", "project,institutions,countries\nOld,Meta,USA\n")
    write_file("new.csv", "project,institutions,countries\nNew,Google,USA\nNewer,ETH Zurich,CH\n")
    assert run_osgraph("build", "old.csv", "--no-validate", cwd=tmp_path).returncode == 0
    graph = tmp_path / "build" / "osgraph.ttl"
    before = graph.read_bytes()

    code = KILLED_WHILE[moment] + "from osgraph._cli import main\nmain()\n"
    command = [sys.executable, "-c", code, "build", "new.csv", "--no-validate"]
    killed = subprocess.run(command, cwd=tmp_path, capture_output=True, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert graph.read_bytes() == before  # the previous graph, byte for byte
    (left,) = (tmp_path / "build").glob(".osgraph.ttl.*.tmp")  # what the killed build wrote
    written = left.read_bytes()

    assert run_osgraph("build", "new.csv", "--no-validate", cwd=tmp_path).returncode == 0
    new = graph.read_bytes()
    assert new != before
    if moment == "writing":
        assert written and len(written) < len(new) and new.startswith(written)
    else:
        assert written == new  # the whole new graph was written, and still not put in place


def test_names_from_data_never_become_paths(write_file: WriteFile, tmp_path: Path) -> None:
    source = write_file(
        "l.csv", "project,institutions,countries\n../../evil,../x;/etc/passwd,USA\n"
    )
    write_file("l.toml", '[list]\nid = "../../../escape"\n')
    assert run_osgraph("build", "l.csv", "--out", "out", cwd=tmp_path).returncode == 0
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    store = [path for path in written if path.startswith("out/osgraph.oxigraph/")]
    assert store and [path for path in written if path not in store] == [
        "l.csv",
        "l.toml",
        "out/osgraph.ttl",
    ]
    iris = {str(s) for s in build([source]).graph.subjects()}
    assert all("/../" not in iri and not iri.endswith("/..") for iri in iris)


# --- properties -------------------------------------------------------------------------------

COUNTRIES = ["USA", "China", "UK", "Germany", "Switzerland", "India", "Japan", "CN", "Brazil"]
names = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30)
    .map(lambda text: " ".join(text.split()))
    .filter(bool),
    # Spellings of two names, each folding to one: rows that repeat a project or an institution
    # in another case or a full-width form come up in most examples, not by chance alone.
    st.sampled_from(
        ["Zhipu.AI", "ZHIPU.AI", "\uff5a\uff48\uff49\uff50\uff55.ai", "Straße", "STRASSE"]
    ),
)
entries = st.lists(
    st.tuples(names, st.lists(names, min_size=1, max_size=3), st.sampled_from(COUNTRIES)),
    min_size=1,
    max_size=12,
)


@pytest.fixture(scope="module")
def empty_gazetteer(tmp_path_factory: pytest.TempPathFactory) -> object:
    folder = tmp_path_factory.mktemp("gazetteer")
    (folder / "institutions.toml").write_text("")
    (folder / "projects.toml").write_text("")
    return load_gazetteer(folder / "institutions.toml", folder / "projects.toml")


# Each example builds, validates and round-trips a graph of up to 12 rows (a quarter of a second
# or more), so 30 examples rather than hypothesis's 100: the names drawn cover any Unicode text,
# and the folding spellings in `names` make repeated names common in every run. No deadline:
# a build's time varies with the machine's load, and tests never time things.
@pytest.mark.slow
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=entries)
def test_any_entries_all_reach_the_graph_and_round_trip(
    rows: list, empty_gazetteer: object
) -> None:
    read = tuple(
        Entry(
            Mention(project),
            tuple(Mention(i) for i in institutions),
            (country,),
            Origin("l", "l.csv", line, project),
        )
        for line, (project, institutions, country) in enumerate(rows, start=2)
    )
    source = Source(ListInfo("l", "l.csv"), read)
    # Lenient: two rows may name one project with different institutions; both are kept.
    # Validated once, below, where the report is looked at.
    options = BuildOptions(
        gazetteer=empty_gazetteer,  # type: ignore[arg-type]
        policy=ErrorPolicy.LENIENT,
        validate=False,
    )
    result = build_sources([source], options)
    graph = result.graph
    projects = set(graph.subjects(RDF.type, OSG.Project))
    institutions = set(graph.subjects(RDF.type, OSG.Institution))
    # Every entry is in the graph, one node per distinct name (case and spaces folded).
    assert {name_key(str(graph.value(p, RDFS.label))) for p in projects} == {
        name_key(p) for p, _, _ in rows
    }
    assert len(projects) == len({name_key(p) for p, _, _ in rows})
    assert len(institutions) == len({name_key(i) for _, group, _ in rows for i in group})
    assert len(set(graph.subjects(RDF.type, OSG.SourceRow))) == len(rows)
    # The graph conforms, and its Turtle and N-Triples parse back to the same triples (every
    # node is named, so the same triples is the same graph: no isomorphism to search for).
    assert validate_graph(graph).conforms
    assert not any(isinstance(term, BNode) for triple in graph for term in triple)
    for fmt in ("turtle", "nt"):
        assert set(Graph().parse(data=graph.serialize(format=fmt), format=fmt)) == set(graph)


@settings(max_examples=200, deadline=None)
@given(text=st.text(st.characters(exclude_categories=("Cs",)), max_size=400))
def test_the_markdown_reader_reads_any_text_or_explains(text: str) -> None:
    try:
        found, _ = read_markdown_table(text, "any.md", list_id="any")
    except SourceError as error:
        assert str(error).startswith("any.md")
    else:
        assert all(entry.project.name and entry.institutions and entry.countries for entry in found)


# What ends a line (str.splitlines) ends a table row: a cell cannot hold it.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
CELL_TEXT = st.text(st.characters(exclude_characters=LINE_BREAKS), max_size=12)


@settings(max_examples=200, deadline=None)
@given(cells=st.lists(st.lists(CELL_TEXT, min_size=3, max_size=3), min_size=1, max_size=6))
def test_the_markdown_reader_on_tables_of_any_cells(cells: list) -> None:
    table = "| project | institutions | countries |\n|---|---|---|\n" + "".join(
        "| " + " | ".join(row) + " |\n" for row in cells
    )
    try:
        found, _ = read_markdown_table(table, "any.md", list_id="any")
    except SourceError as error:
        assert error.line is not None and error.line >= 3
    else:
        assert len(found) == len(cells)
