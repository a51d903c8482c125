"""The part of a large collaboration network that a view shows, read from the RDF graph by
SPARQL without reading the facts of the rest.

A page shows a few thousand nodes of a network that may have a hundred thousand. Reading every
label, link and country first, as :func:`osgraph._network.collaboration_network` does, took most
of the time of the view of a 100,000-row list from the store a build leaves. Here the network's
shape comes first (who built what: two IRIs a row), with the measures the choice ranks by; the
part is chosen from it (:func:`most_connected`); then only the facts of the part's nodes and
edges are asked, their IRIs bound in ``VALUES`` blocks.

The part, its facts and the order of its nodes and edges are those that :func:`most_connected`
takes from the whole network, so the page is the same; the shape keeps every node and edge, so
what a page says of the rest stays true.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable

import networkx as nx

from osgraph._engines import Engine
from osgraph._network import (
    NetworkKind,
    Places,
    add_collaborators,
    institution_facts,
    merge_facts,
    network_rows,
    place_names,
    places_by_project,
    project_facts,
    projection,
    row_key,
    shared_projects,
)

CHUNK = 500
"""The most IRIs one query binds: a few tens of kilobytes, well within what osgraph's guard and
an endpoint take."""
CHUNKS = 20
"""The most blocks of :data:`CHUNK` IRIs asked one after the other; more are read in one query."""


def network_part(
    engine: Engine, kind: NetworkKind, max_nodes: int
) -> tuple[nx.Graph[str], nx.Graph[str]] | None:
    """The shape of the ``kind`` network of the graph that ``engine`` answers for, and the part
    of it that matters most (:func:`most_connected`), in at most ``max_nodes`` nodes, with the
    facts and measures :func:`~osgraph._network.collaboration_network` gives them (without
    betweenness and communities). The shape has every node and edge, with ``kind``
    (``project`` for projects), ``projects`` and ``collaborators``, and no other fact. None
    when the network has no more than ``max_nodes`` nodes, or is the ``countries`` network (a
    few hundred at most): all of it is shown, and is read whole.

    Raises
    ------
    QueryError
        When ``engine`` cannot answer the network's queries.

    Examples
    --------
    >>> from osgraph import BuildOptions, build
    >>> from osgraph._engines import RdflibEngine
    >>> engine = RdflibEngine(build(options=BuildOptions(validate=False)).graph)
    >>> shape, part = network_part(engine, "institutions", 10)
    >>> shape.number_of_nodes(), part.number_of_nodes()
    (95, 10)
    >>> max(part.nodes.values(), key=lambda facts: facts["collaborators"])["label"]
    'Tsinghua University'
    """
    if kind == "countries":
        return None
    bipartite, network = _network_shape(engine, kind)
    if network.number_of_nodes() <= max_nodes:
        return None
    part = most_connected(network, max_nodes)
    _add_facts(engine, kind, bipartite, network, part)
    return network, part


def country_part(engine: Engine, kind: NetworkKind, country: str) -> nx.Graph[str] | None:
    """The nodes of the ``kind`` network of the graph that ``engine`` answers for that the lists
    credit in ``country`` (an English name, in any case), with the edges between them, their
    facts and measures as :func:`network_part` gives them; the facts of no other node are read.
    None for the ``countries`` network (a few hundred nodes at most), which is read whole.

    Raises
    ------
    QueryError
        When ``engine`` cannot answer the network's queries.

    Examples
    --------
    >>> from osgraph import BuildOptions, build
    >>> from osgraph._engines import RdflibEngine
    >>> engine = RdflibEngine(build(options=BuildOptions(validate=False)).graph)
    >>> part = country_part(engine, "bipartite", "switzerland")
    >>> sorted(label for _, label in part.nodes(data="label"))[:3]
    ['Artemis', 'Comprehensive-rust', 'ETH Zurich']
    """
    if kind == "countries":
        return None
    wanted = country.strip().casefold()
    places = sorted(
        str(row["place"])
        for row in network_rows(engine, "places")
        if str(row["label"]).casefold() == wanted
    )
    credited: set[str] = set()
    if places:
        for name, variable in (("projects-in", "project"), ("institutions-in", "institution")):
            rows = network_rows(engine, name, {"place": places})
            credited.update(str(row[variable]) for row in rows)
    bipartite, network = _network_shape(engine, kind)
    part = subnetwork(network, credited)
    _add_facts(engine, kind, bipartite, network, part)
    return part


def _network_shape(engine: Engine, kind: NetworkKind) -> tuple[nx.Graph[str], nx.Graph[str]]:
    """The bipartite shape (:func:`_shape`), and the ``kind`` network's, with ``collaborators``."""
    bipartite, side = _shape(engine)
    if kind == "bipartite":
        add_collaborators(bipartite, side)
        return bipartite, bipartite
    network = projection(bipartite, side, names=False)
    for node, degree in network.degree():
        network.nodes[node]["collaborators"] = degree
    return bipartite, network


def _add_facts(
    engine: Engine,
    kind: NetworkKind,
    bipartite: nx.Graph[str],
    network: nx.Graph[str],
    part: nx.Graph[str],
) -> None:
    """Give the nodes and edges of ``part`` of the ``kind`` ``network`` (whose bipartite shape
    is ``bipartite``) their facts, read from ``engine``, and their measures in ``network``."""
    # The measures of the nodes shown only, as the whole network has them: at a million rows,
    # those of every node took longer than reading the facts of the part.
    weighted = network.degree(part, weight="weight")
    for node, degree in network.degree(part):
        part.nodes[node].update(degree=degree, weighted_degree=weighted[node])
    projects = {node for node in part if bipartite.nodes[node].get("kind") == "project"}
    if kind == "institutions":  # the shared projects its edges name
        for a, b in part.edges():
            projects.update(nx.common_neighbors(bipartite, a, b))
    facts = _project_facts(engine, projects)
    institutions = [node for node in part if node not in projects]
    facts.update(_institution_facts(engine, institutions))
    for institution, places in _institution_places(engine, institutions).items():
        facts.setdefault(institution, {}).update(places)
    credited = _contribution_places(engine, projects) if kind == "bipartite" else {}
    for node in part:
        merge_facts(part, node, **facts.get(node, {}))
    labels = {node: facts.get(node, {}).get("label", node) for node in projects}
    for a, b, edge in part.edges(data=True):
        if kind == "bipartite":
            project, institution = (a, b) if a in projects else (b, a)
            edge["projects"] = str(labels[project])
            edge.update(credited.get((project, institution), Places()).facts())
        else:
            edge["projects"] = shared_projects(bipartite, a, b, labels)


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
        return subnetwork(network, set(sorted(network, key=rank)[:max_nodes]))
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
    return subnetwork(network, {*anchors[:kept], *chosen[:room]})


def subnetwork(network: nx.Graph[str], kept: set[str]) -> nx.Graph[str]:
    """The part of ``network`` on the nodes ``kept``, its nodes and edges in the network's
    order: networkx's own subgraph of a few nodes of many follows the order of their set,
    which changes with the hash seed of each Python process, and so would the page."""
    part: nx.Graph[str] = nx.Graph()
    part.graph.update(network.graph)
    nodes = network.nodes.items()
    part.add_nodes_from((node, dict(facts)) for node, facts in nodes if node in kept)
    edges = network.edges(part, data=True)
    part.add_edges_from((a, b, dict(facts)) for a, b, facts in edges if b in kept)
    return part


def _shape(engine: Engine) -> tuple[nx.Graph[str], set[str]]:
    """The bipartite network of projects and institutions, without facts, its nodes and edges
    in the order :func:`~osgraph._network.collaboration_network` adds them; and its
    institutions."""
    rows = network_rows(engine, "project-institution-pairs")
    pairs = sorted((str(row["project"]), str(row["institution"])) for row in rows)
    # Added at once, then given their facts: an edge and its nodes at a time took most of the
    # time of choosing the part of a million rows' network.
    network: nx.Graph[str] = nx.Graph()
    network.add_edges_from(pairs, weight=1)
    institutions = {institution for _, institution in pairs}
    for node, facts in network.nodes.items():
        if node in institutions:
            facts.update(bipartite=1, projects=len(network[node]))
        else:
            facts.update(kind="project", bipartite=0, projects=1)
    return network, institutions


def _rows_of(
    engine: Engine, name: str, variable: str, iris: Iterable[str]
) -> list[dict[str, str | None]]:
    """The rows of the network query ``name`` for the IRIs bound to ``variable``, in order:
    asked in blocks of :data:`CHUNK`, or all at once and kept where there are more than
    :data:`CHUNKS` blocks (the shared projects of a part of the institutions network may be
    nearly all of them)."""
    chosen = sorted(iris)
    if len(chosen) > CHUNK * CHUNKS:
        wanted = set(chosen)
        every = network_rows(engine, name, {variable: None})
        return sorted((row for row in every if str(row[variable]) in wanted), key=row_key)
    rows = [
        row
        for start in range(0, len(chosen), CHUNK)
        for row in network_rows(engine, name, {variable: chosen[start : start + CHUNK]})
    ]
    return sorted(rows, key=row_key)


def _project_facts(engine: Engine, projects: Iterable[str]) -> dict[str, dict[str, object]]:
    """The facts of ``projects``: each fact the first of its rows gives, as the whole network
    takes it from its rows in order."""
    found: nx.Graph[str] = nx.Graph()
    for row in _rows_of(engine, "project-facts", "project", projects):
        merge_facts(found, str(row["project"]), **project_facts(row))
    places = places_by_project(engine, _rows_of(engine, "project-places", "project", found))
    return {
        node: {**facts, **places.get(node, Places()).facts()}
        for node, facts in found.nodes(data=True)
    }


def _institution_facts(engine: Engine, institutions: Iterable[str]) -> dict[str, dict[str, object]]:
    """The facts of ``institutions`` but the places the lists credit them in."""
    found: nx.Graph[str] = nx.Graph()
    for row in _rows_of(engine, "institution-facts", "institution", institutions):
        merge_facts(found, str(row["institution"]), **institution_facts(row))
    return {node: dict(facts) for node, facts in found.nodes.items()}


def _institution_places(
    engine: Engine, institutions: Iterable[str]
) -> dict[str, dict[str, object]]:
    """The ``country`` and ``area`` of ``institutions``: every place the lists credit their
    contributions to."""
    rows = _rows_of(engine, "institution-places", "institution", institutions)
    names = place_names(engine, rows)
    found: dict[str, Places] = defaultdict(Places)
    for row in rows:
        found[str(row["institution"])].add_named(row, names)
    return {institution: dict(places.facts()) for institution, places in found.items()}


def _contribution_places(engine: Engine, projects: Iterable[str]) -> dict[tuple[str, str], Places]:
    """What the lists credit each contribution to ``projects`` with, by (project,
    institution)."""
    credited: dict[tuple[str, str], Places] = defaultdict(Places)
    rows = _rows_of(engine, "project-contributions", "project", projects)
    names = place_names(engine, rows)
    for row in rows:
        credited[str(row["project"]), str(row["institution"])].add_named(row, names)
    return credited
