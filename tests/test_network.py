"""Collaboration networks made from the RDF graph: checked against the list, measured, exported."""

from __future__ import annotations

import io
import json
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import networkx as nx
import pytest

from osgraph._engines import Engine, open_engine
from osgraph._network import collaboration_network, write_network

from .conftest import run_osgraph
from .independent import country_name, fold

ENGINES = ("rdflib", "oxigraph")


@pytest.fixture(scope="module")
def made(bundled_kg: Path) -> dict[str, tuple[Engine, dict[str, nx.Graph]]]:
    """Each engine over the bundled graph, and the networks it makes of it, made once for the
    module: for the tests of each engine and for those that compare the two."""
    made = {}
    for name in ENGINES:
        engine = open_engine(bundled_kg, name)
        networks = {
            kind: collaboration_network(engine, kind)
            for kind in ("bipartite", "institutions", "countries")
        }
        made[name] = (engine, networks)
    return made


@pytest.fixture(params=ENGINES)
def networks(request: pytest.FixtureRequest, made: dict) -> dict[str, nx.Graph]:
    return made[request.param][1]  # type: ignore[no-any-return]


def labels(network: nx.Graph, a: str, b: str) -> tuple[str, str]:
    return tuple(sorted((network.nodes[a]["label"], network.nodes[b]["label"])))  # type: ignore[return-value]


def test_institutions_share_an_edge_per_shared_project(
    networks: dict, rows: list, canonical: dict
) -> None:
    network = networks["institutions"]
    members: dict[str, set[str]] = defaultdict(set)
    for project, institutions, _ in rows:
        members[project] |= {canonical[fold(i)] for i in institutions}
    shared: dict[tuple[str, str], set[str]] = defaultdict(set)
    for project, group in members.items():
        for pair in combinations(sorted(group), 2):
            shared[pair].add(project)
    assert network.number_of_nodes() == 95
    edges = {labels(network, a, b): d for a, b, d in network.edges(data=True)}
    assert set(edges) == set(shared)
    for pair, projects in shared.items():
        assert edges[pair]["weight"] == len(projects)
        assert edges[pair]["projects"] == "; ".join(sorted(projects))


def test_countries_share_an_edge_per_shared_project(networks: dict, rows: list) -> None:
    network = networks["countries"]
    countries: dict[str, set[str]] = defaultdict(set)
    for project, _, listed in rows:
        countries[project] |= {country_name(c) for c in listed}
    shared: Counter[tuple[str, str]] = Counter()
    for group in countries.values():
        for pair in combinations(sorted(group), 2):
            shared[pair] += 1
    assert network.number_of_nodes() == 17
    assert {labels(network, a, b): w for a, b, w in network.edges(data="weight")} == shared


def test_the_bipartite_network_is_who_built_what(
    networks: dict, rows: list, canonical: dict
) -> None:
    network = networks["bipartite"]
    built = {(p, canonical[fold(i)]) for p, institutions, _ in rows for i in institutions}
    assert {labels(network, a, b) for a, b in network.edges()} == {
        tuple(sorted(pair)) for pair in built
    }
    assert nx.is_bipartite(network)
    kinds = Counter(kind for _, kind in network.nodes(data="kind"))
    assert kinds["project"] == 101 and sum(kinds.values()) == 196
    tsinghua = next(d for _, d in network.nodes(data=True) if d["label"] == "Tsinghua University")
    assert tsinghua["kind"] == "university" and tsinghua["country"] == "China"
    assert tsinghua["projects"] == 4 and tsinghua["homepage"] == "https://www.tsinghua.edu.cn"
    whisper = next(d for _, d in network.nodes(data=True) if d["label"] == "Whisper")
    assert whisper["domain"] == "speech and audio"


def test_every_node_is_measured(networks: dict) -> None:
    for network in networks.values():
        for _, attributes in network.nodes(data=True):
            for measure in ("degree", "weighted_degree", "betweenness", "component", "community"):
                assert measure in attributes
        largest = max(nx.connected_components(network), key=len)
        assert {network.nodes[n]["component"] for n in largest} == {0}


def test_communities_are_stable(made: dict) -> None:
    first, second = (made[engine][1]["bipartite"] for engine in ENGINES)
    assert dict(first.nodes(data="community")) == dict(second.nodes(data="community"))


@pytest.mark.parametrize(
    ("format", "read"),
    [
        ("graphml", lambda data: nx.read_graphml(io.BytesIO(data))),
        ("gexf", lambda data: nx.read_gexf(io.BytesIO(data))),
        ("json", lambda data: nx.node_link_graph(json.loads(data), edges="edges")),
    ],
)
def test_exports_read_back(networks: dict, format: str, read: object) -> None:
    network = networks["institutions"]
    back = read(write_network(network, format))  # type: ignore[operator]
    assert back.number_of_nodes() == network.number_of_nodes()
    assert back.number_of_edges() == network.number_of_edges()
    node = next(iter(network.nodes))
    assert back.nodes[node]["label"] == network.nodes[node]["label"]


def test_the_network_command_writes_to_a_file_or_standard_output(
    bundled_kg: Path, tmp_path: Path
) -> None:
    out = tmp_path / "n.gexf"
    command = ["network", "--kg", str(bundled_kg), "-n", "countries", "-f", "gexf"]
    written = run_osgraph(*command, "--out", str(out), cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert nx.read_gexf(out).number_of_nodes() == 17
    printed = run_osgraph("network", "--kg", str(bundled_kg), "-f", "json", cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout)["nodes"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_network_without_betweenness_has_every_other_measure(made: dict, engine: str) -> None:
    opened, networks = made[engine]
    network = collaboration_network(opened, "institutions", betweenness=False)
    full = networks["institutions"]
    assert nx.utils.graphs_equal(network, full) is False  # the full one has betweenness
    for node, facts in network.nodes(data=True):
        assert "betweenness" not in facts
        assert facts == {k: v for k, v in full.nodes[node].items() if k != "betweenness"}
    assert list(network.edges(data=True)) == list(full.edges(data=True))
