"""The view of one country reads the nodes credited there alone: the same nodes, facts, edges
and page as filtering the whole network."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from osgraph._engines import Engine, open_engine
from osgraph._network import SEPARATOR, collaboration_network
from osgraph._network_part import country_part
from osgraph._view import _in_country, network_view, view_page

KINDS = ("bipartite", "institutions")


def whole(engine: Engine, kind: str) -> nx.Graph:
    return collaboration_network(engine, kind, betweenness=False, communities=False)  # type: ignore[arg-type]


def countries(network: nx.Graph) -> list[str]:
    """Every country and area the nodes of ``network`` are credited in."""
    joined = (
        facts.get(name) for _, facts in network.nodes(data=True) for name in ("country", "area")
    )
    return sorted({place for text in joined if text for place in text.split(SEPARATOR)})


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("graph", ["bundled_kg", "two_lists_kg"])
def test_the_nodes_of_a_country_read_alone_are_those_of_the_whole(
    request: pytest.FixtureRequest, graph: str, kind: str
) -> None:
    engine = open_engine(request.getfixturevalue(graph), "oxigraph")
    network = whole(engine, kind)
    named = countries(network)
    assert len(named) > 10
    for country in named:
        part = country_part(engine, kind, country.upper())  # type: ignore[arg-type]
        assert part is not None
        found, expected = _in_country(part, country), _in_country(network, country)
        assert list(found.nodes(data=True)) == list(expected.nodes(data=True)), country
        assert list(found.edges(data=True)) == list(expected.edges(data=True)), country


@pytest.mark.parametrize("kind", KINDS)
def test_the_view_of_a_country_is_the_page_of_the_whole_filtered(
    two_lists_kg: Path, kind: str
) -> None:
    for country in ("Switzerland", "china"):
        _, _, page = network_view(two_lists_kg, kind, country=country)
        network = _in_country(whole(open_engine(two_lists_kg), kind), country)
        assert page == view_page(network, kind, str(two_lists_kg))


def test_no_node_of_an_unknown_country_is_read(bundled_kg: Path) -> None:
    part = country_part(open_engine(bundled_kg, "oxigraph"), "bipartite", "Atlantis")
    assert part is not None and part.number_of_nodes() == 0
    assert country_part(open_engine(bundled_kg), "countries", "Switzerland") is None


@pytest.mark.process
def test_the_page_of_a_country_is_the_same_whatever_the_hash_seed(
    bundled_kg: Path, tmp_path: Path
) -> None:
    # A few nodes of many: where networkx's subgraph follows the order of a set.
    pages = [tmp_path / f"{seed}.html" for seed in ("1", "2")]
    command = [sys.executable, "-m", "osgraph", "view", "--kg", str(bundled_kg)]
    for page in pages:
        done = subprocess.run(
            [*command, "--country", "Switzerland", "--out", str(page)],
            cwd=tmp_path,
            env={**os.environ, "PYTHONHASHSEED": page.stem},
            capture_output=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    first, second = (page.read_bytes() for page in pages)
    assert first == second
