"""The part of a large network that a view shows, read alone: the same part, facts and page as
the whole network gives."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from osgraph import _network_part
from osgraph._build import BuildOptions, build_file
from osgraph._engines import Engine, open_engine
from osgraph._network import collaboration_network
from osgraph._network_part import most_connected, network_part
from osgraph._view import network_view, view_page

KINDS = ("bipartite", "institutions")


@pytest.fixture(scope="module")
def large_kg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The graph of a synthetic list of 1,000 rows (some 1,100 nodes), with the Oxigraph store
    a build leaves beside it."""
    from bench.generate import generate_list

    folder = tmp_path_factory.mktemp("large")
    kg = folder / "osgraph.ttl"
    build_file([generate_list(1000, folder / "list.csv")], kg, BuildOptions(validate=False))
    return kg


def whole(engine: Engine, kind: str) -> nx.Graph:
    return collaboration_network(engine, kind, betweenness=False, communities=False)  # type: ignore[arg-type]


def assert_same_part(engine: Engine, kind: str, budget: int) -> None:
    network = whole(engine, kind)
    found = network_part(engine, kind, budget)  # type: ignore[arg-type]
    assert found is not None
    shape, part = found
    assert (shape.number_of_nodes(), shape.number_of_edges()) == (
        network.number_of_nodes(),
        network.number_of_edges(),
    )
    assert nx.number_connected_components(shape) == nx.number_connected_components(network)
    expected = most_connected(network, budget)
    assert list(part.nodes(data=True)) == list(expected.nodes(data=True))
    assert list(part.edges(data=True)) == list(expected.edges(data=True))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("budget", [10, 40])
def test_the_part_of_the_bundled_network_read_alone_is_the_part_of_the_whole(
    bundled_kg: Path, kind: str, budget: int
) -> None:
    assert_same_part(open_engine(bundled_kg), kind, budget)


@pytest.mark.parametrize("kind", KINDS)
def test_the_part_of_a_large_network_read_alone_from_the_store_is_the_part_of_the_whole(
    large_kg: Path, kind: str
) -> None:
    engine = open_engine(large_kg, "oxigraph")
    budget = {"bipartite": 450, "institutions": 60}[kind]
    assert_same_part(engine, kind, budget)


@pytest.mark.parametrize("kind", KINDS)
def test_the_view_of_a_large_network_is_the_page_of_the_part_of_the_whole(
    large_kg: Path, kind: str
) -> None:
    budget = {"bipartite": 450, "institutions": 60}[kind]
    network, part, page = network_view(large_kg, kind, max_nodes=budget)
    assert part.number_of_nodes() <= budget < network.number_of_nodes()
    expected = view_page(whole(open_engine(large_kg), kind), kind, str(large_kg), max_nodes=budget)
    assert page == expected


def test_a_network_within_the_budget_is_read_whole(bundled_kg: Path) -> None:
    engine = open_engine(bundled_kg)
    for kind in (*KINDS, "countries"):
        nodes = whole(engine, kind).number_of_nodes()
        assert network_part(engine, kind, nodes) is None  # type: ignore[arg-type]


@pytest.mark.process
def test_the_page_of_a_large_network_is_the_same_whatever_the_hash_seed(
    large_kg: Path, tmp_path: Path
) -> None:
    # A part of a few nodes of many is where networkx's subgraph follows the order of a set.
    pages = [tmp_path / f"{seed}.html" for seed in ("1", "2")]
    command = [sys.executable, "-m", "osgraph", "view", "--kg", str(large_kg), "--max-nodes", "300"]
    started = [
        subprocess.Popen(
            [*command, "--out", str(page)],
            cwd=tmp_path,
            env={**os.environ, "PYTHONHASHSEED": page.stem},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for page in pages
    ]
    written = [process.communicate(timeout=300) for process in started]
    assert [process.returncode for process in started] == [0, 0], [e for _, e in written]
    first, second = (page.read_bytes() for page in pages)
    assert b"Left out:" in first
    assert first == second


@pytest.mark.parametrize(("chunk", "chunks"), [(7, 1000), (7, 0)])
def test_the_facts_asked_in_blocks_or_all_at_once_are_the_same(
    bundled_kg: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, chunks: int
) -> None:
    # Blocks of a few IRIs each, or every node's facts read and those of the part kept.
    monkeypatch.setattr(_network_part, "CHUNK", chunk)
    monkeypatch.setattr(_network_part, "CHUNKS", chunks)
    for kind in KINDS:
        assert_same_part(open_engine(bundled_kg), kind, 40)
