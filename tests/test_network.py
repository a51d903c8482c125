"""Collaboration networks made from the RDF graph: checked against the list, measured, exported."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import networkx as nx
import pytest

from osgraph._build import BuildOptions, build_file
from osgraph._catalogue import bind_parameters, load_query
from osgraph._engines import Engine, open_engine
from osgraph._network import (
    NETWORKS,
    SEPARATOR,
    collaboration_network,
    write_network,
)
from osgraph._network_part import most_connected
from osgraph._query import run_query

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
    # The list credits Google in Switzerland and in the United Kingdom for Comprehensive-rust:
    # the project is there, not where Google has its headquarters.
    rust, google = (
        next(n for n, label in network.nodes(data="label") if label == name)
        for name in ("Comprehensive-rust", "Google")
    )
    assert network.nodes[rust]["country"] == "Switzerland; United Kingdom"
    assert network.edges[rust, google]["country"] == "Switzerland; United Kingdom"
    assert network.nodes[google]["country"] == "Switzerland; United Kingdom; United States"
    assert network.nodes[google]["headquarters"] == "United States"


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


# ---------------------------------------------------------------------------------------------
# Every network credits what the list credits, as the named queries answer it.


def ask(engine: Engine, name: str, **parameters: str) -> list[dict[str, str | None]]:
    text, named = load_query(name)
    return run_query(engine, text, bind_parameters(parameters, named)).as_dicts()


def split(*joined: object) -> set[str]:
    """The names of attributes joined as the networks join them."""
    return {name for text in joined if text for name in str(text).split(SEPARATOR)}


@pytest.fixture(
    scope="module", params=["bundled list", "bundled and OpenDigger lists", "areas and unaligned"]
)
def credited(
    request: pytest.FixtureRequest, bundled_kg: Path, two_lists_kg: Path, areas_kg: Path
) -> tuple[Engine, dict[str, nx.Graph]]:
    """Oxigraph on the bundled list's graph, on that of the bundled list and a real list
    osgraph did not grow up with, and on that of a list with areas and an unaligned row; and
    every network it makes of the graph."""
    kg = {"bundled list": bundled_kg, "areas and unaligned": areas_kg}.get(
        request.param, two_lists_kg
    )
    engine = open_engine(kg, "oxigraph")
    made = {kind: collaboration_network(engine, kind, betweenness=False) for kind in NETWORKS}
    return engine, made


def test_every_network_credits_what_the_queries_answer(credited: tuple) -> None:
    engine, networks = credited
    by_country = {r["country"]: int(r["projects"]) for r in ask(engine, "projects-by-country")}
    # Each project's countries: the projects-of query of each country.
    countries_of: dict[str, set[str]] = defaultdict(set)
    for country in by_country:
        for row in ask(engine, "projects-of", country=str(country)):
            countries_of[str(row["project"])].add(str(country))
    contributions: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in ask(engine, "contributions"):
        contributions[str(row["project"]), str(row["institution"])].add(str(row["country"]))
    institution_places: dict[str, set[str]] = defaultdict(set)
    for (_, institution), places in contributions.items():
        institution_places[institution] |= places

    def check_institutions(network: nx.Graph) -> None:
        named = [f for _, f in network.nodes(data=True) if f["kind"] not in ("project", "country")]
        assert len({facts["label"] for facts in named}) == len(named)  # a name is one node
        for facts in named:
            places = split(facts.get("country"), facts.get("area"))
            assert places == institution_places.get(facts["label"], set()), facts["label"]

    def bipartite(network: nx.Graph) -> None:
        named = [f for _, f in network.nodes(data=True) if f["kind"] == "project"]
        projects = {facts["label"]: split(facts.get("country")) for facts in named}
        assert len(projects) == len(named)
        assert projects == {project: countries_of[project] for project in projects}
        assert set(countries_of) <= set(projects)
        check_institutions(network)
        for a, b, facts in network.edges(data=True):
            project, institution = sorted((a, b), key=lambda n: network.nodes[n]["bipartite"])
            pair = (network.nodes[project]["label"], network.nodes[institution]["label"])
            assert split(facts.get("country"), facts.get("area")) == contributions[pair], pair

    def institutions(network: nx.Graph) -> None:
        check_institutions(network)

    def countries(network: nx.Graph) -> None:
        assert dict(network.nodes(data="projects")) == {
            node: by_country[network.nodes[node]["label"]] for node in network
        }
        pairs = {
            tuple(sorted((str(r["country_a"]), str(r["country_b"])))): int(r["projects"])
            for r in ask(engine, "country-collaborations")
        }
        assert {labels(network, a, b): w for a, b, w in network.edges(data="weight")} == pairs

    checks = {"bipartite": bipartite, "institutions": institutions, "countries": countries}
    assert set(checks) == set(NETWORKS)
    for kind, check in checks.items():
        check(networks[kind])


@pytest.mark.process
def test_the_same_graph_gives_the_same_network_file_whatever_the_hash_seed(
    bundled_kg: Path, tmp_path: Path
) -> None:
    # Names hash differently in each Python process: two processes, each with its own seed,
    # at once.
    command = [sys.executable, "-m", "osgraph", "network", "--kg", str(bundled_kg)]
    command += ["--network", "institutions", "--format", "graphml"]
    started = [
        subprocess.Popen(
            command,
            cwd=tmp_path,
            env={**os.environ, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for seed in ("1", "2")
    ]
    written = [process.communicate(timeout=120) for process in started]
    assert [process.returncode for process in started] == [0, 0], [e for _, e in written]
    first, second = (out for out, _ in written)
    assert nx.read_graphml(io.BytesIO(first)).number_of_edges() > 0
    assert first == second


def test_areas_and_unaligned_rows_are_credited_as_the_list_states_them(areas_kg: Path) -> None:
    network = collaboration_network(open_engine(areas_kg), "bipartite", betweenness=False)
    facts = {label: network.nodes[node] for node, label in network.nodes(data="label")}
    assert "country" not in facts["Alpha"] and facts["Alpha"]["area"] == "Multinational"
    assert facts["Meta"]["country"] == "United States"
    assert facts["Meta"]["area"] == "European Union; Multinational"
    assert facts["Meta"]["headquarters"] == "United States"
    # The row names its countries, but not which institution is in which: the project is in
    # all three, and neither institution is credited in any.
    assert facts["Epsilon"]["country"] == "France; Germany; Italy"
    for unaligned in ("Zorblat Widgets", "Quuxly Labs"):
        assert "country" not in facts[unaligned] and "headquarters" not in facts[unaligned]


def test_collaborators_are_the_other_institutions_sharing_a_project(networks: dict) -> None:
    bipartite, institutions = networks["bipartite"], networks["institutions"]
    for node, facts in bipartite.nodes(data=True):
        if facts["kind"] == "project":
            assert "collaborators" not in facts
        else:
            # Two institutions that share a project are an edge of the institutions network.
            assert facts["collaborators"] == institutions.degree(node), facts["label"]
    meta = next(d for _, d in bipartite.nodes(data=True) if d["label"] == "Meta")
    assert meta["projects"] == 5 and meta["collaborators"] == 0
    for network in (institutions, networks["countries"]):
        assert all(
            facts["collaborators"] == network.degree(n) for n, facts in network.nodes.items()
        )


@pytest.fixture(scope="module")
def large_network(tmp_path_factory: pytest.TempPathFactory) -> nx.Graph:
    """The bipartite network of a synthetic list of 3,000 rows (some 3,100 nodes)."""
    from bench.generate import generate_list

    folder = tmp_path_factory.mktemp("large")
    kg = folder / "osgraph.ttl"
    build_file([generate_list(3000, folder / "list.csv")], kg, BuildOptions(validate=False))
    return collaboration_network(open_engine(kg), "bipartite", betweenness=False)


@pytest.mark.parametrize("budget", [60, 500, 3050])
def test_the_part_shown_of_a_large_network(large_network: nx.Graph, budget: int) -> None:
    part = most_connected(large_network, budget)
    assert 0.95 * budget <= part.number_of_nodes() <= budget
    assert all(part.nodes[n] == large_network.nodes[n] for n in part)
    shown = {n for n, kind in part.nodes(data="kind") if kind != "project"}

    def rank(node: str) -> tuple[int, int, str]:
        facts = large_network.nodes[node]
        return (-facts["collaborators"], -facts["projects"], node)

    # The institutions with the most collaborators, then projects...
    institutions = [n for n, kind in large_network.nodes(data="kind") if kind != "project"]
    assert set(sorted(institutions, key=rank)[: len(shown)]) == shown
    # ... and every set of them that built projects together, with one of its projects at least.
    together = {frozenset(large_network[p]) & shown for p in large_network if p not in shown} - {
        frozenset()
    }
    drawn = {frozenset(part[p]) for p in part if p not in shown}
    assert {s for s in together if len(s) > 1} <= drawn
    assert most_connected(large_network, budget).nodes == part.nodes  # the same every time


def test_a_network_within_the_budget_is_shown_whole(networks: dict) -> None:
    for network in networks.values():
        assert most_connected(network, network.number_of_nodes()) is network
    countries = networks["countries"]
    top = most_connected(countries, 3)
    assert len(top) == 3
    assert min(countries.degree(n) for n in top) >= max(
        countries.degree(n) for n in countries if n not in top
    )
