"""Collaboration networks, made from the RDF graph through SPARQL (so any engine or endpoint
serves), measured with networkx, and written for Gephi and friends.

Three networks:

- ``bipartite``: projects and the institutions that built them (the default: most institutions
  of a list share no project with another, so the projection alone is mostly isolated dots);
- ``institutions``: an edge between two institutions per shared project (weight: how many),
  the projection of the bipartite network onto its institutions;
- ``countries``: the same between the countries the lists credit.

Countries are the list's: a project's ``country`` is every country the rows that list it state
(what the named query ``projects-by-country`` counts), an institution's is every country the
lists credit its contributions to (the named query ``contributions``), and an edge between a
project and an institution carries the country of that contribution. Where an institution has
its headquarters, which the lists need not say, is its ``headquarters``. Areas that stand for no
single country (Multinational) are an ``area`` beside the ``country``.

Node attributes: ``label``, ``kind`` (``project``, ``country``, or the institution's kind:
``university``, ``company``, ... or ``institution`` when unknown), ``country``, ``area``,
``headquarters``, ``domain``, ``projects`` (how many projects), ``homepage``; measures:
``collaborators`` (of an institution or a country: how many others share a project with it),
``degree``, ``weighted_degree``, ``betweenness``, ``component`` (0 the largest) and
``community`` (Louvain, fixed seed; 0 the largest). Edges carry ``weight`` and ``projects`` (the
shared projects' names), and in the bipartite network ``country`` and ``area``. Several names
are joined by ``; `` (a country's name may hold a comma). Nodes and edges come in sorted order,
so that the same graph always gives the same files.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import networkx as nx

from osgraph import _resources
from osgraph._engines import Engine, OxigraphEngine
from osgraph._errors import ConfigurationError, QueryError
from osgraph._query import choose_engine, run_query
from osgraph._vocabulary import INSTITUTION_KINDS

NetworkKind = Literal["bipartite", "institutions", "countries"]
NetworkFormat = Literal["graphml", "gexf", "json"]
NETWORKS: tuple[NetworkKind, ...] = ("bipartite", "institutions", "countries")
FORMATS: tuple[NetworkFormat, ...] = ("graphml", "gexf", "json")
DEFAULT_NETWORK: NetworkKind = "bipartite"

LOUVAIN_SEED = 20231108
"""Louvain's seed, fixed so that communities, and the colours that show them, are stable."""

SEPARATOR = "; "
"""What joins several names in one attribute."""

BETWEENNESS_SAMPLE = 500
"""Above this many nodes, betweenness is estimated from this many sources (seeded)."""

_KINDS = {str(term): kind for kind, term in INSTITUTION_KINDS.items()}
# The institution query's placeholder for the kinds it asks for, bound from INSTITUTION_KINDS.
_KIND_VALUES = "VALUES ?kind {}"


def collaboration_network(
    engine: Engine,
    kind: NetworkKind = DEFAULT_NETWORK,
    *,
    betweenness: bool = True,
    communities: bool = True,
) -> nx.Graph[str]:
    """Make the ``kind`` network of the graph that ``engine`` answers for, with its measures.

    ``betweenness=False`` leaves betweenness out: on a network of thousands of nodes it takes
    longer than all the rest (the view does not show it). ``communities=False`` leaves out
    components and communities, which the view finds in the part it shows
    (:func:`add_communities`).

    Raises
    ------
    ConfigurationError
        When ``kind`` is not one of :data:`NETWORKS`.
    QueryError
        When ``engine`` cannot answer the network's queries.

    Examples
    --------
    >>> from osgraph import BuildOptions, build
    >>> from osgraph._engines import RdflibEngine
    >>> graph = build(options=BuildOptions(validate=False)).graph
    >>> network = collaboration_network(RdflibEngine(graph), "institutions")
    >>> network.number_of_nodes(), max(w for _, _, w in network.edges(data="weight"))
    (95, 2)
    """
    if kind not in NETWORKS:
        raise ConfigurationError(f"no network {kind!r}; choose one of {', '.join(NETWORKS)}")
    if kind == "countries":
        bipartite, side = _project_country_network(engine)
    else:
        bipartite, side = _project_institution_network(engine)
    network = bipartite if kind == "bipartite" else _projection(bipartite, side)
    if kind == "bipartite":
        _add_collaborators(network, side)
    else:
        for node, degree in network.degree():
            network.nodes[node]["collaborators"] = degree
    add_measures(network, betweenness=betweenness, communities=communities)
    return network


def add_measures(
    network: nx.Graph[str], *, betweenness: bool = True, communities: bool = True
) -> None:
    """Add degree, weighted degree, betweenness (unless told not to), component and community
    (unless told not to) to every node."""
    weighted = dict(network.degree(weight="weight"))
    for node, degree in network.degree():
        network.nodes[node]["degree"] = degree
        network.nodes[node]["weighted_degree"] = weighted[node]
    if betweenness:
        sample = BETWEENNESS_SAMPLE if network.number_of_nodes() > BETWEENNESS_SAMPLE else None
        centrality = nx.betweenness_centrality(network, k=sample, seed=LOUVAIN_SEED)
        for node, value in centrality.items():
            network.nodes[node]["betweenness"] = round(value, 6)
    if communities:
        add_communities(network)


def add_communities(network: nx.Graph[str]) -> None:
    """Add its component and its community (Louvain, seeded) to every node, numbered from
    the largest."""
    groups = nx.connected_components(network)
    for index, members in enumerate(_largest_first(groups)):
        for node in members:
            network.nodes[node]["component"] = index
    communities = nx.community.louvain_communities(network, weight="weight", seed=LOUVAIN_SEED)
    for index, members in enumerate(_largest_first(communities)):
        for node in members:
            network.nodes[node]["community"] = index


def write_network(network: nx.Graph[str], format: NetworkFormat) -> bytes:
    """The network as GraphML, GEXF (Gephi) or node-link JSON.

    Raises
    ------
    ConfigurationError
        When ``format`` is not one of :data:`FORMATS`.
    """
    if format == "graphml":
        return "\n".join(nx.generate_graphml(network)).encode("utf-8") + b"\n"
    if format == "gexf":
        return "\n".join(nx.generate_gexf(network)).encode("utf-8") + b"\n"
    if format == "json":
        data = nx.node_link_data(network, edges="edges")
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
    raise ConfigurationError(f"no network format {format!r}; choose one of {', '.join(FORMATS)}")


def network_kind(kind: str) -> NetworkKind:
    """``kind``, once it is known to be one of :data:`NETWORKS`.

    Raises
    ------
    ConfigurationError
        When it is not.

    Examples
    --------
    >>> network_kind("countries")
    'countries'
    """
    for known in NETWORKS:
        if kind == known:
            return known
    raise ConfigurationError(f"no network {kind!r}; choose one of {', '.join(NETWORKS)}")


def network_file(
    kg: Path | str,
    kind: str = DEFAULT_NETWORK,
    format: str = "graphml",
    *,
    endpoint: str | None = None,
    graph: str | None = None,
) -> bytes:
    """The ``kind`` network of the built graph ``kg``, or of the graph the SPARQL endpoint
    ``endpoint`` serves (its named graph ``graph``, when given), with its measures, written in
    ``format`` (see :func:`write_network`).

    Raises
    ------
    ConfigurationError
        When ``kind`` is none of :data:`NETWORKS` or ``format`` none of :data:`FORMATS`.
    QueryError
        When the graph cannot be read, or the endpoint cannot be asked.

    Examples
    --------
    >>> network_file("unread.ttl", format="png")
    Traceback (most recent call last):
    osgraph.ConfigurationError: --format 'png': choose one of graphml, gexf, json
    """
    chosen = next((known for known in FORMATS if format == known), None)
    if chosen is None:
        raise ConfigurationError(f"--format {format!r}: choose one of {', '.join(FORMATS)}")
    engine = choose_engine(kg, endpoint=endpoint, graph=graph)
    return write_network(collaboration_network(engine, network_kind(kind)), chosen)


def _rows(engine: Engine, name: str) -> list[dict[str, str | None]]:
    text = _resources.text("queries", "network", f"{name}.rq")
    if _KIND_VALUES in text:
        kinds = " ".join(f"<{term}>" for term in INSTITUTION_KINDS.values())
        text = text.replace(_KIND_VALUES, f"VALUES ?kind {{ {kinds} }}")
    if isinstance(engine, OxigraphEngine):
        return _oxigraph_rows(engine, text)
    return run_query(engine, text).as_dicts()


def _oxigraph_rows(engine: OxigraphEngine, text: str) -> list[dict[str, str | None]]:
    """The answer to one of the network's own queries, as :func:`_rows` gives it, read from
    Oxigraph's terms at once: making rdflib terms of them first, as other answers are made,
    took most of the time of the view of a 100,000-row list.

    Raises
    ------
    QueryError
        When the store cannot answer.
    """
    try:
        result = engine.store.query(text)
        names = [variable.value for variable in result.variables]
        return [
            {
                name: None if term is None else term.value
                for name, term in zip(names, solution, strict=True)
            }
            for solution in result
        ]
    except (OSError, RuntimeError, ValueError) as error:
        raise QueryError(f"the query failed: {error}") from None


def _project_institution_network(engine: Engine) -> tuple[nx.Graph[str], set[str]]:
    rows = sorted(_rows(engine, "project-institutions"), key=_row_key)
    project_places = _project_places(engine)
    # What the lists credit each (project, institution) pair with, and so each institution.
    credited: dict[tuple[str, str], Places] = defaultdict(Places)
    for row in _rows(engine, "contribution-countries"):
        pair = credited[str(row["project"]), str(row["institution"])]
        pair.add(row["country"], row["area"])
    institution_places: dict[str, Places] = defaultdict(Places)
    for (_, institution), places in credited.items():
        institution_places[institution].update(places)
    # Each node's places once: a node comes back in a row for each of its edges.
    places_of = {
        node: places.facts()
        for found in (project_places, institution_places)
        for node, places in found.items()
    }
    network: nx.Graph[str] = nx.Graph()
    institutions: set[str] = set()
    for row in rows:
        project, institution = str(row["project"]), str(row["institution"])
        _merge(
            network,
            project,
            label=row["project_label"],
            kind="project",
            domain=row["domain"],
            homepage=row["project_link"],
            bipartite=0,
            projects=1,
            **places_of.get(project, {}),
        )
        _merge(
            network,
            institution,
            label=row["institution_label"],
            kind=_KINDS.get(str(row["kind"]), "institution"),
            headquarters=row["headquarters"],
            homepage=row["institution_link"],
            bipartite=1,
            **places_of.get(institution, {}),
        )
        if not network.has_edge(project, institution):
            network.add_edge(
                project,
                institution,
                weight=1,
                projects=str(row["project_label"]),
                **credited.get((project, institution), Places()).facts(),
            )
        institutions.add(institution)
    for institution in institutions:
        network.nodes[institution]["projects"] = network.degree(institution)
    return network, institutions


def _add_collaborators(network: nx.Graph[str], side: set[str]) -> None:
    """Add ``collaborators`` to the institutions ``side`` of the bipartite ``network``: the
    other institutions that share a project with one (not its projects, its degree)."""
    for node in side:
        reached = {other for project in network[node] for other in network[project]}
        reached.discard(node)
        network.nodes[node]["collaborators"] = len(reached)


def most_connected(network: nx.Graph[str], max_nodes: int) -> nx.Graph[str]:
    """The part of ``network`` that matters most, in at most ``max_nodes`` nodes (all of it
    when it has no more).

    A k-core would not do: in the bipartite network a project has one to a few institutions,
    so its cores are either nearly all the projects that join two institutions or none. The
    part is rather the institutions (or, in a projection, the nodes) with the most
    collaborators, then the most projects: as many as leave room for one project of each set
    of them that built projects together, so that every collaboration between the institutions
    shown is drawn. Room left is given in rounds: a second project of each such set, a third,
    and so on; then the projects of one institution alone, a round of one for each institution
    at a time. Nodes come in the network's order, so the same network gives the same part.

    Examples
    --------
    >>> star = nx.star_graph(5)
    >>> sorted(most_connected(star, 3))
    [0, 1, 2]
    """
    if network.number_of_nodes() <= max_nodes:
        return network

    def rank(node: str) -> tuple[int, int, str]:
        facts = network.nodes[node]
        degree = network.degree(node)
        return (-facts.get("collaborators", degree), -facts.get("projects", degree), str(node))

    sides = {node: facts.get("bipartite") for node, facts in network.nodes.items()}
    anchors = sorted((node for node, side in sides.items() if side == 1), key=rank)
    if 0 not in sides.values():  # a projection: its nodes, ranked
        return network.subgraph(sorted(network, key=rank)[:max_nodes]).copy()
    # A project's institutions among those kept, by their place in the ranking, and the sets of
    # two or more of them with how many projects each.
    members: dict[str, tuple[int, ...]] = {}
    sets: Counter[tuple[int, ...]] = Counter()
    kept = shared = 0
    for place, anchor in enumerate(anchors):
        change: Counter[tuple[int, ...]] = Counter()
        for project in network[anchor]:
            before = members.get(project, ())
            change[before] -= 1
            change[(*before, place)] += 1
        more = sum((sets[s] + n > 0) - (sets[s] > 0) for s, n in change.items() if len(s) > 1 and n)
        if kept + 1 + shared + more > max_nodes:
            break
        kept += 1
        shared += more
        sets.update(change)
        for project in network[anchor]:
            members[project] = (*members.get(project, ()), place)
    by_set: dict[tuple[int, ...], list[str]] = defaultdict(list)
    for project in sorted(members):
        by_set[members[project]].append(project)
    room = max_nodes - kept
    chosen: list[str] = []
    # Projects of two or more of the institutions first, then those of one alone.
    for alone in (False, True):
        groups = [by_set[s] for s in sorted(by_set) if (len(s) == 1) == alone]
        for round_ in itertools.count():
            groups = [group for group in groups if len(group) > round_]
            if not groups or len(chosen) >= room:
                break
            chosen.extend(group[round_] for group in groups)
    return network.subgraph({*anchors[:kept], *chosen[:room]}).copy()


def _project_country_network(engine: Engine) -> tuple[nx.Graph[str], set[str]]:
    rows = sorted(_rows(engine, "project-countries"), key=_row_key)
    network: nx.Graph[str] = nx.Graph()
    countries: set[str] = set()
    for row in rows:
        project, country = str(row["project"]), str(row["country"])
        _merge(network, project, label=row["project_label"], kind="project", bipartite=0)
        _merge(
            network,
            country,
            label=row["country_label"],
            kind="country",
            country=row["country_label"],
            bipartite=1,
        )
        network.add_edge(project, country, weight=1, projects=str(row["project_label"]))
        countries.add(country)
    for country in countries:
        network.nodes[country]["projects"] = network.degree(country)
    return network, countries


class Places:
    """The countries and areas (no single country, such as Multinational) a list states for
    a project, an institution or a contribution."""

    def __init__(self) -> None:
        self.countries: set[str] = set()
        self.areas: set[str] = set()

    def add(self, country: str | None, area: str | None) -> None:
        if country:
            self.countries.add(country)
        if area:
            self.areas.add(area)

    def update(self, other: Places) -> None:
        self.countries |= other.countries
        self.areas |= other.areas

    def facts(self) -> dict[str, str]:
        """The ``country`` and ``area`` attributes: names in order, joined by :data:`SEPARATOR`
        (some countries' names hold a comma), left out when there are none."""
        facts = {"country": self.countries, "area": self.areas}
        return {name: SEPARATOR.join(sorted(names)) for name, names in facts.items() if names}


def _project_places(engine: Engine) -> dict[str, Places]:
    """Where the lists place each project: every country and area of every row that lists it."""
    places: dict[str, Places] = defaultdict(Places)
    for row in _rows(engine, "project-countries"):
        places[str(row["project"])].add(row["country_label"], None)
    for row in _rows(engine, "project-areas"):
        places[str(row["project"])].add(None, row["area"])
    return places


def _projection(bipartite: nx.Graph[str], side: set[str]) -> nx.Graph[str]:
    """The weighted projection of ``bipartite`` onto ``side``, its nodes and edges in sorted
    order: networkx's own adds edges in the order of a set of names, which changes with the
    hash seed of each Python process, and so would the files written from it."""
    projected = nx.bipartite.weighted_projected_graph(bipartite, sorted(side))
    network: nx.Graph[str] = nx.Graph()
    network.add_nodes_from((node, projected.nodes[node]) for node in sorted(projected))
    for a, b in sorted(tuple(sorted(edge)) for edge in projected.edges()):
        shared = nx.common_neighbors(bipartite, a, b)
        network.add_edge(a, b, weight=projected.edges[a, b]["weight"])
        network.edges[a, b]["projects"] = _names(bipartite, shared)
    return network


def _row_key(row: dict[str, str | None]) -> tuple[str, ...]:
    return tuple(map(str, row.values()))


def _merge(network: nx.Graph[str], node: str, **facts: object) -> None:
    """Add ``node``, or add the facts it lacks (a row may repeat it with more to say)."""
    if node not in network:
        network.add_node(node)
    attributes = network.nodes[node]
    for name, value in facts.items():
        if value not in (None, "") and attributes.get(name) in (None, ""):
            attributes[name] = value


def _names(network: nx.Graph[str], nodes: Iterable[str]) -> str:
    return SEPARATOR.join(sorted(str(network.nodes[node]["label"]) for node in nodes))


def _largest_first(groups: Iterable[set[str]]) -> list[set[str]]:
    return sorted(groups, key=lambda members: (-len(members), min(members)))
