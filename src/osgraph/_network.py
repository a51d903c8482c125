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
from collections.abc import Iterable, Mapping
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
    network = bipartite if kind == "bipartite" else projection(bipartite, side)
    if kind == "bipartite":
        add_collaborators(network, side)
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


def network_rows(
    engine: Engine, name: str, values: Mapping[str, Iterable[str] | None] | None = None
) -> list[dict[str, str | None]]:
    """The answer to the network query ``queries/network/NAME.rq``, with the IRIs of
    ``values`` (a variable's name and its IRIs) bound in the query's empty ``VALUES`` block of
    that variable, or that block left out where they are None (the variable is then free), and
    the kinds of institution in the block of ``?kind``.

    Raises
    ------
    QueryError
        When ``engine`` cannot answer.
    """
    text = _resources.text("queries", "network", f"{name}.rq")
    kinds: list[str] | None = [str(term) for term in INSTITUTION_KINDS.values()]
    bound = {"kind": kinds, **(values or {})}
    for variable, iris in bound.items():
        terms = None if iris is None else " ".join(f"<{iri}>" for iri in iris)
        block = "" if terms is None else f"VALUES ?{variable} {{ {terms} }}"
        text = text.replace(f"VALUES ?{variable} {{}}", block)
    if isinstance(engine, OxigraphEngine):
        return _oxigraph_rows(engine, text)
    return run_query(engine, text).as_dicts()


def _oxigraph_rows(engine: OxigraphEngine, text: str) -> list[dict[str, str | None]]:
    """The answer to one of the network's own queries, as :func:`network_rows` gives it, read from
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
    # One row per (project, institution) with the facts of each, asked once per node: a row
    # per edge with the labels and links of both made the network slow to read from disk.
    everything = {"project": None, "institution": None}
    of_project = first_rows(network_rows(engine, "project-facts", everything), "project")
    of_institution = first_rows(
        network_rows(engine, "institution-facts", everything), "institution"
    )
    pairs = [
        (str(row["project"]), str(row["institution"]))
        for row in network_rows(engine, "project-institution-pairs")
    ]
    rows = sorted(
        (
            {**of_project[project], **of_institution[institution]}
            for project, institution in pairs
            if project in of_project and institution in of_institution
        ),
        key=row_key,
    )
    project_places = places_by_project(
        engine, network_rows(engine, "project-places", {"project": None})
    )
    # What the lists credit each (project, institution) pair with, and so each institution.
    credited: dict[tuple[str, str], Places] = defaultdict(Places)
    contributions = network_rows(engine, "contribution-countries")
    names = place_names(engine, contributions)
    for row in contributions:
        credited[str(row["project"]), str(row["institution"])].add_named(row, names)
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
        facts = places_of.get(project, {})
        merge_facts(network, project, **project_facts(row), bipartite=0, projects=1, **facts)
        facts = places_of.get(institution, {})
        merge_facts(network, institution, **institution_facts(row), bipartite=1, **facts)
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


def project_facts(row: Mapping[str, str | None]) -> dict[str, object]:
    """A project's facts from a row of ``project-facts.rq``, in the order its node takes them."""
    return {
        "label": row["project_label"],
        "kind": "project",
        "domain": row["domain"],
        "homepage": row["project_link"],
    }


def institution_facts(row: Mapping[str, str | None]) -> dict[str, object]:
    """An institution's facts from a row of ``institution-facts.rq`` (its kind of institution,
    ``university``, ..., or ``institution`` when it is none of them), in the order its node
    takes them."""
    return {
        "label": row["institution_label"],
        "kind": _KINDS.get(str(row["kind"]), "institution"),
        "headquarters": row["headquarters"],
        "homepage": row["institution_link"],
    }


def add_collaborators(network: nx.Graph[str], side: set[str]) -> None:
    """Add ``collaborators`` to the institutions ``side`` of the bipartite ``network``: the
    other institutions that share a project with one (not its projects, its degree)."""
    for node in side:
        reached = {other for project in network[node] for other in network[project]}
        reached.discard(node)
        network.nodes[node]["collaborators"] = len(reached)


def _project_country_network(engine: Engine) -> tuple[nx.Graph[str], set[str]]:
    rows = sorted(network_rows(engine, "project-countries"), key=row_key)
    network: nx.Graph[str] = nx.Graph()
    countries: set[str] = set()
    for row in rows:
        project, country = str(row["project"]), str(row["country"])
        merge_facts(network, project, label=row["project_label"], kind="project", bipartite=0)
        merge_facts(
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

    def add_named(self, row: dict[str, str | None], names: dict[str, list[str]]) -> None:
        """Add the names (:func:`place_names`) of the ``country`` and ``area`` of ``row``."""
        self.countries.update(names.get(str(row["country"]), ()))
        self.areas.update(names.get(str(row["area"]), ()))

    def update(self, other: Places) -> None:
        self.countries |= other.countries
        self.areas |= other.areas

    def facts(self) -> dict[str, str]:
        """The ``country`` and ``area`` attributes: names in order, joined by :data:`SEPARATOR`
        (some countries' names hold a comma), left out when there are none."""
        facts = {"country": self.countries, "area": self.areas}
        return {name: SEPARATOR.join(sorted(names)) for name, names in facts.items() if names}


def places_by_project(engine: Engine, rows: list[dict[str, str | None]]) -> dict[str, Places]:
    """Where the lists place each project of ``rows`` (of ``project-places.rq``): every
    country and area of every row that lists it."""
    places: dict[str, Places] = defaultdict(Places)
    names = place_names(engine, rows)
    for row in rows:
        places[str(row["project"])].add_named(row, names)
    return places


def place_names(engine: Engine, rows: Iterable[dict[str, str | None]]) -> dict[str, list[str]]:
    """The English names of the countries and areas whose IRIs ``rows`` give as ``country``
    and ``area``: asked once each, where a name for each row made the network slow to read
    from a store on disk.

    Raises
    ------
    QueryError
        When ``engine`` cannot answer.
    """
    places = sorted({str(row[name]) for row in rows for name in ("country", "area") if row[name]})
    names: dict[str, list[str]] = defaultdict(list)
    for row in network_rows(engine, "place-labels", {"place": places}):
        names[str(row["place"])].append(str(row["label"]))
    return names


def projection(bipartite: nx.Graph[str], side: set[str], *, names: bool = True) -> nx.Graph[str]:
    """The weighted projection of ``bipartite`` onto ``side``, its nodes and edges in sorted
    order: networkx's own adds edges in the order of a set of names, which changes with the
    hash seed of each Python process, and so would the files written from it. Each edge's
    ``projects`` names the shared projects, unless ``names`` is false (:func:`shared_projects`
    names them later, for the edges kept).

    The weights are counted from each project's pairs of institutions, a few each: networkx's
    own compares the neighbours of every institution with those of each it reaches, which took
    minutes for the institutions of a 100,000-row list.

    Examples
    --------
    >>> built = nx.Graph([("p", "a"), ("p", "b"), ("q", "a"), ("q", "b"), ("q", "c")])
    >>> list(projection(built, {"a", "b", "c"}, names=False).edges(data="weight"))
    [('a', 'b', 2), ('a', 'c', 1), ('b', 'c', 1)]
    """
    weights: Counter[tuple[str, str]] = Counter()
    for project in bipartite:
        if project not in side:
            weights.update(itertools.combinations(sorted(bipartite[project]), 2))
    network: nx.Graph[str] = nx.Graph()
    network.add_nodes_from((node, bipartite.nodes[node]) for node in sorted(side))
    for (a, b), weight in sorted(weights.items()):
        network.add_edge(a, b, weight=weight)
        if names:
            network.edges[a, b]["projects"] = shared_projects(bipartite, a, b)
    return network


def shared_projects(
    bipartite: nx.Graph[str], a: str, b: str, labels: Mapping[str, object] | None = None
) -> str:
    """The labels of the projects ``a`` and ``b`` share in ``bipartite`` (or in ``labels``,
    when given), in order."""
    shared = nx.common_neighbors(bipartite, a, b)
    named = bipartite.nodes(data="label") if labels is None else labels
    return SEPARATOR.join(sorted(str(named[node]) for node in shared))


def row_key(row: dict[str, str | None]) -> tuple[str, ...]:
    return tuple(map(str, row.values()))


def first_rows(rows: Iterable[dict[str, str | None]], key: str) -> dict[str, dict[str, str | None]]:
    """The first of ``rows``, in order, for each node that ``key`` names: the one whose facts
    the network takes (a node's rows are each of its facts with each of its others, so the
    first has the first of each)."""
    first: dict[str, dict[str, str | None]] = {}
    for row in sorted(rows, key=row_key):
        first.setdefault(str(row[key]), row)
    return first


def merge_facts(network: nx.Graph[str], node: str, **facts: object) -> None:
    """Add ``node``, or add the facts it lacks (a row may repeat it with more to say)."""
    if node not in network:
        network.add_node(node)
    attributes = network.nodes[node]
    for name, value in facts.items():
        if value not in (None, "") and attributes.get(name) in (None, ""):
            attributes[name] = value


def _largest_first(groups: Iterable[set[str]]) -> list[set[str]]:
    return sorted(groups, key=lambda members: (-len(members), min(members)))
