"""The Oxigraph store `osgraph build` leaves next to the graph: the same answers as the Turtle,
never answers of a graph edited since, and none at all with --no-store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from osgraph import open_engine
from osgraph._catalogue import bind_parameters, named_queries
from osgraph._engines import OxigraphEngine, RdflibEngine
from osgraph._query import run_query
from osgraph._store_folder import STORE_MARKER, built_store, holds, mark_store

from .conftest import run_osgraph


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled list's graph and its store, as `osgraph build` leaves them."""
    folder = tmp_path_factory.mktemp("built")
    assert run_osgraph("build", "--out", "build", cwd=folder).returncode == 0
    return folder / "build" / "osgraph.ttl"


def answers(engine: object, name: str) -> list[tuple[object, ...]]:
    """The rows of a named query, in an order of their own; the parts of a GROUP_CONCAT too, as
    SPARQL leaves their order to the engine."""
    named = named_queries()[name]
    given = dict.fromkeys(named.needs[:1], "Tsinghua University")
    result = run_query(engine, named.text, bind_parameters(given, named))  # type: ignore[arg-type]
    rows = [
        tuple(tuple(sorted(str(cell).split(", "))) if cell is not None else None for cell in row)
        for row in result.rows
    ]
    return sorted(rows, key=repr)


def test_the_store_answers_every_named_query_as_the_turtle_does(built: Path) -> None:
    store = open_engine(built)  # a small graph: without its store, rdflib would answer
    assert isinstance(store, OxigraphEngine)
    turtle = OxigraphEngine.load(built, None)
    for name in named_queries():
        assert answers(store, name) == answers(turtle, name), name
    assert answers(store, "projects-by-country")  # the queries found something to compare


def test_a_graph_edited_after_the_build_is_not_answered_from_its_store(
    built: Path, tmp_path: Path
) -> None:
    kg = tmp_path / "osgraph.ttl"
    kg.write_bytes(built.read_bytes())
    built_store(built).rename(built_store(kg))  # the build's store, beside its graph
    try:
        assert isinstance(open_engine(kg, "oxigraph"), OxigraphEngine)
        with kg.open("a", encoding="utf-8") as file:
            file.write(
                "<https://w3id.org/osgraph/id/project/new> a osg:Project ; "
                'rdfs:label "New" ; osg:country country:CN .\n'
            )
        assert isinstance(open_engine(kg), RdflibEngine)  # the Turtle, as without a store
        for engine in ("oxigraph", "rdflib"):
            table = dict(answers(open_engine(kg, engine), "projects-by-country"))  # type: ignore[arg-type]
            assert table[("China",)] == ("41",), engine
    finally:
        built_store(kg).rename(built_store(built))


def test_a_store_knows_its_graph_by_its_state_only_once_that_has_settled(
    built: Path, tmp_path: Path
) -> None:
    """The Turtle's size, time and file number stand for its bytes (no hash) only when the
    marker was written more than a tick after the Turtle last changed; an edit within that
    tick, or one that changes the time, is found by the hash."""
    kg = tmp_path / "osgraph.ttl"
    kg.write_bytes(built.read_bytes())
    marker = tmp_path / STORE_MARKER
    mark_store(tmp_path, kg)
    assert holds(marker, kg)
    written = kg.stat().st_mtime_ns

    def edit_keeping_size_and_time() -> None:
        text = kg.read_bytes()
        kg.write_bytes(text.replace(b'"China"@en', b'"Chinb"@en', 1))
        assert len(kg.read_bytes()) == len(text)
        os.utime(kg, ns=(written, written))

    edit_keeping_size_and_time()
    assert not holds(marker, kg)  # marked within the tick of the Turtle's time: hashed
    kg.write_bytes(built.read_bytes())
    mark_store(tmp_path, kg)
    written = kg.stat().st_mtime_ns
    settled = written + 3_000_000_000
    os.utime(marker, ns=(settled, settled))
    assert holds(marker, kg)
    os.utime(kg, ns=(written + 1, written + 1))
    assert holds(marker, kg)  # another time, the same bytes: found by the hash
    os.utime(kg, ns=(written, written))
    edit_keeping_size_and_time()
    assert holds(marker, kg)  # the state is taken for the bytes: no hash of a settled Turtle
    os.utime(kg, ns=(written + 1, written + 1))
    assert not holds(marker, kg)


def test_no_store_writes_only_the_graph_and_the_same_bytes(built: Path, tmp_path: Path) -> None:
    assert run_osgraph("build", "--out", "out", cwd=tmp_path).returncode == 0
    assert (tmp_path / "out" / "osgraph.oxigraph" / STORE_MARKER).is_file()
    assert run_osgraph("build", "--out", "out", "--no-store", cwd=tmp_path).returncode == 0
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["osgraph.ttl"]
    assert (tmp_path / "out" / "osgraph.ttl").read_bytes() == built.read_bytes()


def test_a_folder_in_the_way_of_the_store_is_left_alone(tmp_path: Path) -> None:
    mine = tmp_path / "out" / "osgraph.oxigraph"
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("mine\n")
    refused = run_osgraph("build", "--out", "out", cwd=tmp_path)
    assert refused.returncode == 2
    assert "holds files that are not an osgraph store" in refused.stderr
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["osgraph.oxigraph"]
    assert (mine / "notes.txt").read_text() == "mine\n"


def test_a_build_leaves_only_the_graph_and_its_store_and_clears_what_a_killed_one_left(
    tmp_path: Path,
) -> None:
    """The store is loaded in a folder of its own (and through a named pipe in it), which the
    build moves into place or removes; one that a build's vanished process left is removed by
    the next build of the same graph, and one of a process still running is left to it."""
    import subprocess
    import sys

    out = tmp_path / "out"
    out.mkdir()
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    killed = out / f".osgraph.ttl.store-{ended.stdout.strip()}-x1"
    running = out / f".osgraph.ttl.store-{os.getpid()}-x2"
    for folder in (killed, running):
        folder.mkdir()
        (folder / "store").mkdir()
    assert run_osgraph("build", "--out", "out", cwd=tmp_path).returncode == 0
    assert sorted(path.name for path in out.iterdir()) == sorted(
        ["osgraph.ttl", "osgraph.oxigraph", running.name]
    )


def test_a_store_loaded_in_parts_holds_the_graph_of_the_turtle(
    bundled_kg: Path, tmp_path: Path
) -> None:
    """The store is bulk-loaded in parts that each begin with the prefixes and end where a
    statement ends: all of them together hold every triple of the Turtle, and no other."""
    import pyoxigraph as ox

    from osgraph._store_load import store_load

    text = bundled_kg.read_text(encoding="utf-8")
    part = 1 << 12
    assert len(text) > 8 * part  # so that there are several parts
    out = tmp_path / "osgraph.ttl"
    with store_load(out, part) as load, out.open("w", encoding="utf-8") as file:
        load.tee(file)
        statement: list[str] = []
        for line in text.splitlines(keepends=True):  # as the writer writes: one call each
            statement.append(line)
            if line.startswith("@prefix ") or line == "\n" or line.endswith(" .\n"):
                load.write("".join(statement))
                statement = []
        load.finish()
        stored = ox.Store.read_only(str(load.folder))
        whole = ox.Store()
        whole.load(path=str(bundled_kg), format=ox.RdfFormat.TURTLE)
        assert set(stored) == set(whole) and len(whole) > 1000
