"""The interactive view of a collaboration network: one HTML file that works offline.

pyvis turns the networkx graph into vis-network's nodes, edges and options; osgraph owns the
page: its template (``templates/view.html``, ``view.js``, ``view.css``), with vis-network's
script and style (from pyvis's own package data) inlined, so that the file needs no other
host. Every text from data reaches the page as JSON and is set as DOM text by ``view.js``; the
heading goes through Jinja's autoescaping.

Graphs up to :data:`PHYSICS_LIMIT` nodes are laid out by vis-network's physics, which stops once
they settle; larger ones get positions computed up front (igraph's Fruchterman-Reingold, from
seeded positions) and no physics, so that they are usable at once. Both layouts are seeded: the
same network is drawn the same on every load.

The country filter and the colours go by the countries (and areas) the lists credit a node
with, never by an institution's headquarters, which the panel shows apart.
"""

from __future__ import annotations

import json
import random
import re
from importlib import resources
from pathlib import Path

import networkx as nx
from jinja2 import Template
from markupsafe import Markup
from pyvis.network import Network

from osgraph import _resources
from osgraph._network import DEFAULT_NETWORK, SEPARATOR, collaboration_network, network_kind
from osgraph._query import choose_engine
from osgraph._vocabulary import INSTITUTION_KINDS

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
    "community",
)
_EDGE_FACTS = ("from", "to", "weight", "projects", "places")

# vis-network shapes that draw the label below the node: one for each kind of institution, in
# the order of INSTITUTION_KINDS, and those of the other kinds of node.
_INSTITUTION_SHAPES = ("triangle", "square", "diamond", "star", "hexagon", "triangleDown")
_SHAPES = {
    "project": "dot",
    **dict(zip(INSTITUTION_KINDS, _INSTITUTION_SHAPES, strict=True)),
    "institution": "dot",
    "country": "star",
}


def render_view(network: nx.Graph[str], *, title: str, summary: str = "") -> bytes:
    """Render ``network`` as one self-contained HTML page.

    Examples
    --------
    >>> graph = nx.Graph()
    >>> graph.add_node("a", label="<img src=x onerror=alert(1)>", kind="project", projects=1)
    >>> page = render_view(graph, title="<b>t</b>").decode()
    >>> "<img src=x" in page, "&lt;b&gt;t&lt;/b&gt;" in page
    (False, True)
    """
    visual = Network(height="100%", width="100%", cdn_resources="local")
    large = network.number_of_nodes() > PHYSICS_LIMIT
    positions = _layout(network) if large else {}
    for node, attributes in network.nodes(data=True):
        facts: dict[str, object] = {name: attributes.get(name) for name in _FACTS}
        facts["places"] = _places(attributes)
        if node in positions:
            facts["x"], facts["y"] = positions[node]
        visual.add_node(str(node), label=str(attributes.get("label", node)), **facts)
    # pyvis's add_edge looks for a duplicate among all earlier edges, which makes large networks
    # quadratic; networkx's edges are unique already, so they go straight into pyvis's list.
    visual.edges.extend(
        {
            "from": str(a),
            "to": str(b),
            "weight": attributes.get("weight", 1),
            "projects": attributes.get("projects", ""),
            "places": _places(attributes),
        }
        for a, b, attributes in network.edges(data=True)
    )
    visual.set_options(json.dumps(_options(large)))
    nodes, edges, _, _, _, options = visual.get_network_data()
    data = {
        "nodes": [_node_data(node) for node in nodes],
        "edges": [{name: e[name] for name in _EDGE_FACTS} for e in edges],
        "options": json.loads(options),
        "shapes": _SHAPES,
    }
    template = Template(_template("view.html"), autoescape=True)
    page: str = template.render(
        title=title,
        summary=summary,
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


def view_page(network: nx.Graph[str], kind: str, source: str) -> bytes:
    """The page of a ``kind`` network (see :mod:`osgraph._network`) made from ``source``, with
    a heading and a one-line summary of its size."""
    components = nx.number_connected_components(network) if network else 0
    summary = (
        f"{network.number_of_nodes()} nodes, {network.number_of_edges()} edges, "
        f"{components} connected components · from {source}"
    )
    return render_view(network, title=f"osgraph · {TITLES.get(kind, kind)}", summary=summary)


def network_view(
    kg: Path | str,
    kind: str = DEFAULT_NETWORK,
    *,
    endpoint: str | None = None,
    graph: str | None = None,
) -> tuple[nx.Graph[str], bytes]:
    """The ``kind`` network of the built graph ``kg``, or of the graph the SPARQL endpoint
    ``endpoint`` serves (its named graph ``graph``, when given), and its :func:`view_page`.

    Raises
    ------
    ConfigurationError
        When ``kind`` is none of :data:`osgraph._network.NETWORKS`.
    QueryError
        When the graph cannot be read, or the endpoint cannot be asked.
    """
    engine = choose_engine(kg, endpoint=endpoint, graph=graph)
    network = collaboration_network(engine, network_kind(kind), betweenness=False)
    return network, view_page(network, kind, endpoint or str(kg))


def _node_data(node: dict[str, object]) -> dict[str, object]:
    keep = ("id", "label", "x", "y", "places", *_FACTS)
    return {name: node[name] for name in keep if name in node}


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
        "nodes": {"font": {"size": 12, "face": "system-ui, sans-serif"}, "borderWidth": 1},
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
