"""The interactive view of a collaboration network: one HTML file that works offline.

The page is osgraph's: its template (``templates/view.html``, ``view.js``, ``view.css``) draws
the network's nodes and edges with vis-network, whose script and style (from pyvis's package
data) are inlined, so that the file needs no other host. The nodes and edges go straight into
the page's data: pyvis's own ``add_node`` looks for a duplicate among all earlier nodes, which
made the view of a 100,000-row list take ten minutes. Every text from data reaches the page as
JSON and is set as DOM text by ``view.js``; the heading goes through Jinja's autoescaping.

Graphs up to :data:`PHYSICS_LIMIT` nodes are laid out by vis-network's physics, which stops once
they settle; larger ones get positions computed up front (igraph's Fruchterman-Reingold, from
seeded positions) and no physics, so that they are usable at once. Both layouts are seeded: the
same network is drawn the same on every load.

A network of more than ``max_nodes`` nodes (:data:`DEFAULT_MAX_NODES`) is shown in part: the
part that matters most (:func:`osgraph._network_part.most_connected`), and the page says what is
left out and how to see it. Only the facts of that part are read from the graph, after the
network's bare shape (:func:`osgraph._network_part.network_part`).

The country filter and the colours go by the countries (and areas) the lists credit a node
with, never by an institution's headquarters, which the panel shows apart.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import networkx as nx
from jinja2 import Template
from markupsafe import Markup

from osgraph import _resources
from osgraph._errors import ConfigurationError
from osgraph._network import (
    DEFAULT_NETWORK,
    SEPARATOR,
    add_communities,
    collaboration_network,
    network_kind,
)
from osgraph._network_part import country_part, most_connected, network_part, subnetwork
from osgraph._query import choose_engine
from osgraph._vocabulary import INSTITUTION_KINDS

Steps = Callable[[str, int, int], None]
"""Told of each step of a view as it starts (``step, 0, 0``) and ends (``step, 1, 1``)."""

DEFAULT_MAX_NODES = 2000
"""The most nodes a view shows unless told otherwise. Pages of the part of a 100,000-row list's
network, in headless Chromium on two shared cores: 2,000 nodes are usable after 2 to 3 s, a
search selects a node in about 1 s and the view is drawn again in under 50 ms as it moves; 3,000
took up to 4 s, searches 1.5 s and up to 60 ms a frame, 5,000 up to 5 s, 2.3 s and 100 ms."""

PHYSICS_LIMIT = 400
"""Above this many nodes, positions are computed up front and physics is off."""

LAYOUT_SEED = 20231108
"""Seeds every layout, the one computed here and the one the page's physics makes, so that the
same network is drawn the same on every load."""
_LAYOUT_SCALE = 120.0  # vis-network units per node at unit density

_FACTS = (
    "kind",
    "country",
    "area",
    "headquarters",
    "domain",
    "projects",
    "homepage",
    "degree",
    "collaborators",
    "community",
)

# vis-network shapes that draw the label below the node: one for each kind of institution, in
# the order of INSTITUTION_KINDS, and those of the other kinds of node.
_INSTITUTION_SHAPES = ("triangle", "square", "diamond", "star", "hexagon", "triangleDown")
_SHAPES = {
    "project": "dot",
    **dict(zip(INSTITUTION_KINDS, _INSTITUTION_SHAPES, strict=True)),
    "institution": "dot",
    "country": "star",
}


def render_view(
    network: nx.Graph[str],
    *,
    title: str,
    summary: str = "",
    left_out: str = "",
    steps: Steps | None = None,
) -> bytes:
    """Render ``network`` as one self-contained HTML page, saying ``left_out`` (what of a larger
    network it does not show) under its heading.

    Examples
    --------
    >>> graph = nx.Graph()
    >>> graph.add_node("a", label="<img src=x onerror=alert(1)>", kind="project", projects=1)
    >>> page = render_view(graph, title="<b>t</b>").decode()
    >>> "<img src=x" in page, "&lt;b&gt;t&lt;/b&gt;" in page
    (False, True)
    """
    large = network.number_of_nodes() > PHYSICS_LIMIT
    with _step(steps, "layout"):
        positions = _layout(network) if large else {}
    with _step(steps, "page"):
        data = {
            "nodes": [
                _node_data(node, facts, positions) for node, facts in network.nodes(data=True)
            ],
            "edges": [
                {
                    "from": str(a),
                    "to": str(b),
                    "weight": facts.get("weight", 1),
                    "projects": facts.get("projects", ""),
                    "places": _places(facts),
                }
                for a, b, facts in network.edges(data=True)
            ],
            "options": _options(large),
            "shapes": _SHAPES,
        }
        template = Template(_template("view.html"), autoescape=True)
        page: str = template.render(
            title=title,
            summary=summary,
            left_out=left_out,
            data=Markup(_script_safe_json(data)),
            vis_js=Markup(_inline_safe(_vis_asset("vis-network.min.js"), "script")),
            vis_css=Markup(_inline_safe(_vis_asset("vis-network.css"), "style")),
            view_js=Markup(_inline_safe(_template("view.js"), "script")),
            view_css=Markup(_inline_safe(_template("view.css"), "style")),
        )
    return page.encode("utf-8")


TITLES = {
    "bipartite": "Projects and the institutions that built them",
    "institutions": "Institutions that built projects together",
    "countries": "Countries credited with the same projects",
}


def view_page(
    network: nx.Graph[str],
    kind: str,
    source: str,
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
    steps: Steps | None = None,
) -> bytes:
    """The page of a ``kind`` network (see :mod:`osgraph._network`) made from ``source``, with
    a heading and a one-line summary of its size: all of it, or, above ``max_nodes`` nodes,
    the part that matters most and what is left out."""
    return _view_of(network, kind, source, max_nodes=max_nodes, steps=steps)[1]


def _view_of(
    network: nx.Graph[str],
    kind: str,
    source: str,
    *,
    max_nodes: int,
    steps: Steps | None,
    part: nx.Graph[str] | None = None,
) -> tuple[nx.Graph[str], bytes]:
    """The part of ``network`` that :func:`view_page` shows, and the page; ``part`` is that
    part when it is already chosen."""
    part = most_connected(network, max_nodes) if part is None else part
    add_communities(part)  # those of the part shown, which the colours show
    components = nx.number_connected_components(network) if network else 0
    summary = (
        f"{network.number_of_nodes():,} nodes, {network.number_of_edges():,} edges, "
        f"{components:,} connected components · from {source}"
    )
    left_out = _left_out(network, part, kind) if part is not network else ""
    page = render_view(
        part,
        title=f"osgraph · {TITLES.get(kind, kind)}",
        summary=summary,
        left_out=left_out,
        steps=steps,
    )
    return part, page


def network_view(
    kg: Path | str,
    kind: str = DEFAULT_NETWORK,
    *,
    endpoint: str | None = None,
    graph: str | None = None,
    max_nodes: int | None = None,
    country: str | None = None,
    steps: Steps | None = None,
) -> tuple[nx.Graph[str], nx.Graph[str], bytes]:
    """The ``kind`` network of the built graph ``kg``, or of the graph the SPARQL endpoint
    ``endpoint`` serves (its named graph ``graph``, when given), the part of it that its
    :func:`view_page` shows, and that page. The page shows at most ``max_nodes`` nodes
    (:data:`DEFAULT_MAX_NODES`); only those credited in ``country`` (a name as the page's
    country filter lists it), when given. ``steps`` is told of each step. Of a network larger
    than the page, only the part shown is read with its facts; the network is then its shape
    (:func:`osgraph._network_part.network_part`). Of one country's, only the nodes credited
    there (:func:`osgraph._network_part.country_part`).

    Raises
    ------
    ConfigurationError
        When ``kind`` is none of :data:`osgraph._network.NETWORKS`, ``max_nodes`` is less
        than one, or no node is credited in ``country``.
    QueryError
        When the graph cannot be read, or the endpoint cannot be asked.
    """
    max_nodes = DEFAULT_MAX_NODES if max_nodes is None else max_nodes
    if max_nodes < 1:
        raise ConfigurationError(f"--max-nodes {max_nodes}: a view shows one node at least")
    chosen = network_kind(kind)
    with _step(steps, "reading"):
        engine = choose_engine(kg, endpoint=endpoint, graph=graph)
    with _step(steps, "network"):
        # Of a large network, the facts of the part shown only; of one country's, those of the
        # nodes credited there.
        found = network_part(engine, chosen, max_nodes) if country is None else None
        credited = None if country is None else country_part(engine, chosen, country)
        if found is None:
            # Communities are found in the part the page shows, not in all of a large network.
            network = (
                collaboration_network(engine, chosen, betweenness=False, communities=False)
                if credited is None
                else credited
            )
            if country is not None:
                network = _in_country(network, country)
            part = None
        else:
            network, part = found
    part, page = _view_of(
        network, kind, endpoint or str(kg), max_nodes=max_nodes, steps=steps, part=part
    )
    return network, part, page


def _in_country(network: nx.Graph[str], country: str) -> nx.Graph[str]:
    """The part of ``network`` credited in ``country``, as the page's country filter shows it:
    its nodes, and the edges of contributions credited there (or in no country).

    Examples
    --------
    >>> graph = nx.Graph([("p", "i")])
    >>> graph.nodes["p"].update(country="Peru")
    >>> graph.nodes["i"].update(country="Chile; Peru")
    >>> sorted(_in_country(graph, "peru")), list(_in_country(graph, "Chile"))
    (['i', 'p'], ['i'])
    """
    wanted = country.strip().casefold()

    def credited(facts: dict[str, object]) -> bool:
        return wanted in {place.casefold() for place in _places(facts)}

    nodes = [node for node, facts in network.nodes(data=True) if credited(facts)]
    if not nodes:
        raise ConfigurationError(
            f"--country {country!r}: no node is credited there; the page's country filter and "
            "`osgraph query projects-by-country` name the countries of the graph"
        )
    part = subnetwork(network, set(nodes))
    part.remove_edges_from(
        [(a, b) for a, b, facts in part.edges(data=True) if _places(facts) and not credited(facts)]
    )
    return part


_OTHERS = {"bipartite": "institutions", "institutions": "institutions", "countries": "countries"}


def _left_out(network: nx.Graph[str], part: nx.Graph[str], kind: str) -> str:
    """What the page of ``part`` says of the rest of ``network``, and how to see it."""

    def count(graph: nx.Graph[str], projects: bool) -> int:
        return sum((facts.get("kind") == "project") == projects for facts in graph.nodes.values())

    others = _OTHERS.get(kind, "nodes")
    shown = (
        f"the {count(part, False):,} {others} with the most collaborators "
        f"(of {count(network, False):,})"
    )
    if kind == "bipartite":
        shown += (
            f" and {count(part, True):,} of the {count(network, True):,} projects: one for each "
            "set of them that built projects together, then more as room allows"
        )
    hidden = network.number_of_nodes() - part.number_of_nodes()
    return (
        f"Shown: {shown}. Left out: {hidden:,} nodes and "
        f"{network.number_of_edges() - part.number_of_edges():,} edges; search and filters "
        f"find only what is shown. To see more: osgraph view --max-nodes with a larger number "
        f"(larger pages are slower to open, to search and to move), osgraph view --country for one "
        f"country's part, or the smaller networks: --network institutions or --network countries."
    )


@contextmanager
def _step(steps: Steps | None, name: str) -> Iterator[None]:
    if steps is not None:
        steps(name, 0, 0)
    yield
    if steps is not None:
        steps(name, 1, 1)


def _node_data(
    node: str, facts: dict[str, object], positions: dict[str, tuple[float, float]]
) -> dict[str, object]:
    data: dict[str, object] = {"id": str(node), "label": str(facts.get("label", node))}
    data.update((name, facts[name]) for name in _FACTS if facts.get(name) is not None)
    data["places"] = _places(facts)
    if node in positions:
        data["x"], data["y"] = positions[node]
    return data


def _places(attributes: dict[str, object]) -> list[str]:
    """The countries and areas the lists credit a node or an edge with, which the view filters
    and colours by (never the headquarters)."""
    joined = (attributes.get(name) for name in ("country", "area"))
    return sorted({place for text in joined if text for place in str(text).split(SEPARATOR)})


def _options(large: bool) -> dict[str, object]:
    options: dict[str, object] = {
        # vis-network places nodes at random before its physics moves them: seeded, the same
        # network is laid out the same on every load.
        "layout": {"randomSeed": LAYOUT_SEED},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": large},
        # view.js sets each label's size once the network fits the view; a label smaller on
        # screen than drawThreshold pixels is not drawn, one larger than maxVisible not larger.
        "nodes": {
            "font": {"size": 14, "face": "system-ui, sans-serif"},
            "borderWidth": 1,
            "scaling": {"label": {"drawThreshold": 12, "maxVisible": 20}},
        },
        "edges": {"smooth": False, "scaling": {"min": 1, "max": 6}},
    }
    if large:
        options["physics"] = {"enabled": False}
    else:
        options["physics"] = {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "stabilization": {"enabled": True, "iterations": 400},
        }
    return options


def _layout(network: nx.Graph[str]) -> dict[str, tuple[float, float]]:
    """Positions for a large network, computed once, in vis-network's units.

    igraph's Fruchterman-Reingold layout, grid-accelerated for large graphs, lays out 5,000
    nodes in about a second (networkx's spring layout takes some 40 s). It starts from seeded
    random positions, so the same network always gets the same layout.
    """
    import igraph

    nodes = list(network)
    index = {node: position for position, node in enumerate(nodes)}
    graph = igraph.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b in network.edges()])
    # Spread as igraph spreads its own start: all in a small square would put every node in one
    # cell of the grid that keeps large layouts fast.
    spread = len(nodes) ** 0.5
    draw = random.Random(LAYOUT_SEED)
    start = [[draw.uniform(-spread, spread), draw.uniform(-spread, spread)] for _ in nodes]
    # igraph draws on its process-wide random generator even from given start positions: seed
    # it for this layout only, then give the default back.
    igraph.set_random_number_generator(random.Random(LAYOUT_SEED))
    try:
        layout = graph.layout_fruchterman_reingold(seed=start, niter=500, grid="auto")
    finally:
        igraph.set_random_number_generator(random)
    xs, ys = zip(*layout.coords, strict=True)
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = _LAYOUT_SCALE * max(1.0, len(nodes) ** 0.5) / span
    return {
        node: (round(x * scale, 1), round(y * scale, 1))
        for node, (x, y) in zip(nodes, layout.coords, strict=True)
    }


def _template(name: str) -> str:
    return _resources.text("templates", name)


def _vis_asset(name: str) -> str:
    return (resources.files("pyvis") / "lib" / "vis-9.1.2" / name).read_text(encoding="utf-8")


def _inline_safe(text: str, element: str) -> str:
    """Code that cannot end the ``<script>`` or ``<style>`` element it is inlined in: only
    ``</script`` (``</style``) ends one, and ``<\\/`` means the same in a string there."""
    return re.sub(rf"</({element})", r"<\\/\1", text, flags=re.IGNORECASE)


def _script_safe_json(data: object) -> str:
    """JSON for a ``<script type="application/json">`` element: no character of it can end the
    element or start markup (``<``, ``>`` and ``&`` are written as escapes)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for character, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(character, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
