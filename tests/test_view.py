"""The interactive view, opened from file:// in headless Chromium."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from PIL import Image

from osgraph import BuildOptions, build, write_turtle
from osgraph._build import build_file
from osgraph._catalogue import bind_parameters, load_query
from osgraph._engines import open_engine
from osgraph._network import SEPARATOR, collaboration_network
from osgraph._query import run_query
from osgraph._view import DEFAULT_MAX_NODES, PHYSICS_LIMIT, network_view, view_page

from .conftest import WriteFile, run_osgraph
from .pictures import colours, drawn

ROOT = Path(__file__).parent.parent


# The page's state that its controls change: which nodes are selected, hidden or dimmed, where
# the view looks, what the controls, the side panel and the legend show.
STATE = """() => ({
  selected: osgraphView.network.getSelectedNodes(),
  nodes: osgraphView.nodes.get().map((n) => [n.id, n.color, Boolean(n.hidden)]),
  view: [osgraphView.network.getScale(), osgraphView.network.getViewPosition()],
  controls: [...document.querySelectorAll("#controls input, #controls select")].map(
    (e) => (e.type === "radio" ? e.checked : e.value)),
  panel: document.querySelector("aside").innerHTML,
})"""


# Counts the moves of the view that searches start and those that end (a move started while
# another runs ends that one at once), so that a test can wait until every move has ended.
WATCH = """() => {
  window.moves = 0;
  window.moved = 0;
  const focus = osgraphView.network.focus.bind(osgraphView.network);
  osgraphView.network.focus = (...args) => { moves += 1; return focus(...args); };
  osgraphView.network.on("animationFinished", () => { moved += 1; });
}"""
# Every move has ended, and the view is centred on the node selected.
FOCUSED = """() => {
  const [id] = osgraphView.network.getSelectedNodes();
  if (id === undefined || moves === 0 || moved < moves) return false;
  const centre = osgraphView.network.getViewPosition();
  const node = osgraphView.network.getPosition(id);
  return Math.hypot(centre.x - node.x, centre.y - node.y) < 5;
}"""


class Opened:
    """A browser tab, shared by the module's tests, that opens pages from files, with every
    request, console error and dialog it made."""

    def __init__(self, browser: object) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
        self.requests: list[str] = []
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(m.text))
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))
        self.page.on(
            "dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss())
        )
        # The state of the bundled network's page once laid out, while the tab shows it.
        self.laid_out: object = None

    def open(self, path: Path) -> None:
        """Open the view in ``path`` in this tab (a new document, with nothing left of the
        page before)."""
        self.laid_out = None
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.osgraphView !== undefined")
        self.run(WATCH)

    def run(self, script: str) -> object:
        return self.page.evaluate(script)

    def settle(self) -> None:
        """Wait until the physics has laid the network out (the view then turns it off)."""
        self.page.wait_for_function("!osgraphView.network.physics.physicsEnabled")

    def search(self, text: str) -> None:
        """Search for ``text`` as a user does; wait until the view has moved to the node found."""
        self.settle()  # else the layout's last fit could move the view after the search's move
        self.page.fill("#search", text)
        self.page.press("#search", "Enter")
        self.page.wait_for_function(FOCUSED)


def write_view(network: nx.Graph, path: Path, kind: str = "bipartite") -> Path:
    path.write_bytes(view_page(network, kind, "test"))
    return path


@pytest.fixture(scope="module")
def bundled_network(bundled_kg: Path) -> nx.Graph:
    return collaboration_network(open_engine(bundled_kg), "bipartite")


@pytest.fixture(scope="module")
def tab(browser: object) -> Iterator[Opened]:
    """One tab for the module: a new document for each page costs the browser far less than
    a new tab."""
    opened = Opened(browser)
    yield opened
    opened.page.close()


@pytest.fixture(scope="module")
def bundled_view(bundled_network: nx.Graph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_view(bundled_network, tmp_path_factory.mktemp("view") / "view.html")


@pytest.fixture
def opened(tab: Opened, bundled_view: Path) -> Opened:
    """The bundled network's page, laid out: opened again only if the tab shows another page
    or an earlier test changed this one (each opening lays it out anew)."""
    if tab.laid_out is None or tab.run(STATE) != tab.laid_out:
        tab.open(bundled_view)
        tab.settle()
        tab.laid_out = tab.run(STATE)
    return tab


def test_the_view_works_offline_from_a_file(opened: Opened, bundled_network: nx.Graph) -> None:
    assert opened.requests and all(
        url.startswith(("file://", "data:")) for url in opened.requests
    ), [url for url in opened.requests if not url.startswith(("file://", "data:"))]
    assert opened.problems == []
    assert opened.run("osgraphView.nodes.length") == bundled_network.number_of_nodes()
    assert opened.run("osgraphView.edges.length") == bundled_network.number_of_edges()
    assert "United States" in opened.page.inner_text("#legend")
    assert "university" in opened.page.inner_text("#legend")


def legend_colours(view: Opened) -> set[tuple[int, int, int]]:
    """The colours the legend's swatches show, as RGB."""
    styles = view.run(
        "[...document.querySelectorAll('#legend .swatch')]"
        ".map((s) => getComputedStyle(s).backgroundColor)"
    )
    found = {tuple(int(n) for n in re.findall(r"\d+", style)) for style in styles}  # type: ignore[attr-defined]
    assert len(found) >= 10, found  # the palette's colours, and grey for the rest
    return found  # type: ignore[return-value]


def region(image: Image.Image, view: Opened, selector: str) -> Image.Image:
    """The part of a screenshot of ``view``'s page where the element ``selector`` is."""
    box = view.page.locator(selector).bounding_box()
    assert box is not None, selector
    x, y = round(box["x"]), round(box["y"])
    return image.crop((x, y, x + round(box["width"]), y + round(box["height"])))


@pytest.fixture(scope="module")
def make_run_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page ``make run`` writes of the bundled list, by the same commands (not validated:
    the page is the same), run in a folder of their own."""
    folder = tmp_path_factory.mktemp("make-run")
    assert run_osgraph("build", "--out", "build", "--no-validate", cwd=folder).returncode == 0
    assert run_osgraph("view", cwd=folder).returncode == 0
    return folder / "build" / "osgraph.html"


def test_the_readme_shows_the_page_make_run_writes(tab: Opened, make_run_page: Path) -> None:
    """docs/view.png is a screenshot of that page; when it changes, the test's own screenshot,
    build/view.png, is the new one to copy there."""
    tab.open(make_run_page)
    tab.settle()
    shot = ROOT / "build" / "view.png"
    shot.parent.mkdir(exist_ok=True)
    tab.page.screenshot(path=str(shot))
    image = Image.open(shot)
    assert image.size == (1400, 900)
    network, legend = (region(image, tab, s) for s in ("#network canvas", "#legend"))
    assert drawn(network) > 0.03  # nodes, edges and labels: not an empty canvas
    assert drawn(legend) > 0.03
    # Every colour the legend names is shown beside its name and on nodes of the network.
    meant = legend_colours(tab)
    assert meant <= colours(legend), meant - colours(legend)
    assert meant <= colours(network), meant - colours(network)
    # The README's picture is this page: its size, a network drawn, the same colours.
    shown = Image.open(ROOT / "docs" / "view.png")
    assert shown.size == image.size
    assert drawn(region(shown, tab, "#network canvas")) > 0.03
    assert meant <= colours(region(shown, tab, "#network canvas"))
    assert meant <= colours(region(shown, tab, "#legend"))


def test_the_view_saves_itself_as_png(opened: Opened, tmp_path: Path) -> None:
    with opened.page.expect_download() as download:
        opened.page.click("#save")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "osgraph-network.png"
    image = Image.open(saved)
    assert image.format == "PNG"
    # On white, not a transparent canvas: every pixel is opaque.
    assert image.convert("RGBA").getextrema()[3] == (255, 255)
    assert image.convert("RGB").getpixel((0, 0)) == (255, 255, 255)
    # The heading above the network as drawn, the legend on its right.
    width, height = opened.run(
        "(canvas => [canvas.width, canvas.height])(document.querySelector('#network canvas'))"
    )  # type: ignore[misc]
    assert image.width > width and image.height > height
    top = image.height - height
    heading, network, legend = (
        image.crop(box)
        for box in (
            (0, 0, image.width, top),
            (0, top, width, image.height),
            (width, top, *image.size),
        )
    )
    assert drawn(heading) > 0.01 and drawn(network) > 0.03 and drawn(legend) > 0.03
    meant = legend_colours(opened)
    assert meant <= colours(legend), meant - colours(legend)
    assert meant <= colours(network), meant - colours(network)


def test_filters_and_colours(opened: Opened, bundled_network: nx.Graph) -> None:
    opened.page.select_option("#country-filter", "Germany")
    visible = opened.run("osgraphView.nodes.get().filter(n => !n.hidden).map(n => n.id)")
    in_germany = {n for n, facts in bundled_network.nodes(data=True) if "Germany" in places(facts)}
    assert set(visible) == in_germany  # type: ignore[arg-type]
    opened.page.select_option("#country-filter", "")
    opened.page.select_option("#kind-filter", "university")
    universities = sum(1 for _, kind in bundled_network.nodes(data="kind") if kind == "university")
    assert opened.run("osgraphView.nodes.get().filter(n => !n.hidden).length") == universities
    opened.page.check("input[value=community]")
    assert opened.page.inner_text("#legend h3") == "Colour: community"
    # Putting the controls back shows every node again, coloured by country.
    opened.page.select_option("#kind-filter", "")
    opened.page.check("input[value=country]")
    assert opened.run("osgraphView.nodes.get().filter(n => !n.hidden).length") == len(
        bundled_network
    )
    assert opened.page.inner_text("#legend h3") == "Colour: country"
    assert opened.problems == []


def places(facts: dict) -> set[str]:
    """The countries and areas a node of a network is credited with."""
    joined = (facts.get("country"), facts.get("area"))
    return {place for text in joined if text for place in text.split(SEPARATOR)}


def test_filtering_by_a_country_shows_what_the_queries_answer(
    opened: Opened, bundled_kg: Path, bundled_network: nx.Graph
) -> None:
    engine = open_engine(bundled_kg, "oxigraph")
    text, named = load_query("projects-of")
    answer = run_query(engine, text, bind_parameters({"country": "CH"}, named)).as_dicts()
    projects = {row["project"] for row in answer}
    text, _ = load_query("contributions")
    credited = {
        row["institution"]
        for row in run_query(engine, text).as_dicts()
        if row["country"] == "Switzerland"
    }
    assert projects == {"Artemis", "Comprehensive-rust", "Hermes"}  # what the list says
    # The view's labels are placed again once it has moved: after the page's own handler.
    opened.run("() => osgraphView.network.once('animationFinished', () => { window.fitted = 1; })")
    opened.page.select_option("#country-filter", "Switzerland")
    visible = opened.run(
        "osgraphView.nodes.get().filter(n => !n.hidden).map(n => [n.id, n.label, n.shape])"
    )
    kinds = {label: bundled_network.nodes[node]["kind"] for node, label, _ in visible}  # type: ignore[attr-defined]
    assert {label for label, kind in kinds.items() if kind == "project"} == projects
    assert {label for label, kind in kinds.items() if kind != "project"} == credited
    # Google built projects elsewhere too: only the edge of its contribution in Switzerland shows.
    shown = opened.run(
        "osgraphView.edges.get().filter(e => !e.hidden && !osgraphView.nodes.get(e.from).hidden"
        " && !osgraphView.nodes.get(e.to).hidden).length"
    )
    assert shown == sum(
        1
        for a, b, facts in bundled_network.subgraph(n for n, *_ in visible).edges(data=True)  # type: ignore[attr-defined]
        if "Switzerland" in places(facts)
    )
    # The view zooms to what the filter keeps: it fills the canvas, every label readable.
    opened.page.wait_for_function("window.fitted === 1")
    assert opened.run(FITS) is True
    assert all(size >= 12 for _, size, _ in labels(opened))
    assert {label for label, _, _ in labels(opened)} == set(kinds)  # type: ignore[arg-type]
    opened.page.select_option("#country-filter", "")


# The nodes shown fill more than half the canvas's width or height, and all are inside it.
FITS = """() => {
  const canvas = document.querySelector("#network canvas");
  const shown = osgraphView.nodes.get().filter((n) => !n.hidden);
  const corners = shown.flatMap((n) => {
    const box = osgraphView.network.getBoundingBox(n.id);
    return [osgraphView.network.canvasToDOM({ x: box.left, y: box.top }),
      osgraphView.network.canvasToDOM({ x: box.right, y: box.bottom })];
  });
  const xs = corners.map((c) => c.x), ys = corners.map((c) => c.y);
  const inside = Math.min(...xs) >= 0 && Math.min(...ys) >= 0
    && Math.max(...xs) <= canvas.clientWidth && Math.max(...ys) <= canvas.clientHeight;
  const wide = (Math.max(...xs) - Math.min(...xs)) / canvas.clientWidth;
  const tall = (Math.max(...ys) - Math.min(...ys)) / canvas.clientHeight;
  return inside && Math.max(wide, tall) > 0.5;
}"""
# The labels drawn: each node's label, its height on screen in pixels, and its box on the
# canvas, for those vis-network draws (a label smaller than its drawThreshold is left out).
LABELS = """() => {
  const network = osgraphView.network;
  const [first] = osgraphView.nodes.getIds();
  const threshold = network.body.nodes[first].options.scaling.label.drawThreshold;
  return osgraphView.nodes.get().filter((n) => !n.hidden).map((n) => {
    const label = network.body.nodes[n.id].labelModule;
    const size = label.fontOptions.size * network.getScale();
    return [n.label, size, [label.size.left, label.size.top, label.size.width, label.size.height]];
  }).filter(([, size]) => size >= threshold - 1);
}"""


# The nodes drawn, by id: the box on the canvas their shape covers, as vis-network draws it
# (its size from its centre each way, and its border), and that of their label where it is
# drawn (as LABELS finds them; moved by its font's vadjust), as [left, top, width, height].
DRAWN = """() => {
  const network = osgraphView.network;
  const shown = osgraphView.nodes.get().filter((n) => !n.hidden)
    .map((n) => network.body.nodes[n.id]);
  const threshold = shown[0].options.scaling.label.drawThreshold;
  const drawn = shown.filter(
    (node) => node.labelModule.fontOptions.size * network.getScale() >= threshold - 1);
  return {
    shapes: shown.map((node) => {
      const reach = node.options.size + node.options.borderWidth;
      return [node.id, [node.x - reach, node.y - reach, 2 * reach, 2 * reach]];
    }),
    labels: drawn.map((node) => {
      const size = node.labelModule.size;  // where vis-network would draw it, but for vadjust
      const moved = node.labelModule.fontOptions.vadjust;
      return [node.id, [size.left, size.top + moved, size.width, size.height]];
    }),
  };
}"""


def labels(view: Opened) -> list[tuple[str, float, list[float]]]:
    return view.run(LABELS)  # type: ignore[return-value]


def apart(box: list[float], other: list[float]) -> bool:
    """Whether two boxes ``[left, top, width, height]`` do not overlap."""
    (x, y, w, h), (u, v, s, t) = box, other
    return x + w <= u or u + s <= x or y + h <= v or v + t <= y


def test_labels_are_readable_at_first_sight(opened: Opened) -> None:
    drawn_labels = labels(opened)
    assert len(drawn_labels) >= 40  # of the 196 nodes, those with room for their label
    assert all(size >= 12 for _, size, _ in drawn_labels)
    # No two overlap, and none covers a node but its own.
    drawn: dict[str, list[tuple[str, list[float]]]] = opened.run(DRAWN)  # type: ignore[assignment]
    assert len(drawn["labels"]) == len(drawn_labels) and len(drawn["shapes"]) == 196
    for index, (_, box) in enumerate(drawn["labels"]):
        assert all(apart(box, other) for _, other in drawn["labels"][index + 1 :])
    for node, box in drawn["labels"]:
        covered = [
            other for other, shape in drawn["shapes"] if other != node and not apart(box, shape)
        ]
        assert covered == [], (node, covered)
    # The institutions with the most projects are labelled first: all but one, whose
    # neighbours leave its label no room above or below it until the view zooms in.
    top = {"Alibaba Group", "Google", "Meta", "NVIDIA"}
    assert len(top & {label for label, _, _ in drawn_labels}) >= 3


def test_the_same_page_is_laid_out_the_same_on_every_load(tab: Opened, bundled_view: Path) -> None:
    laid_out = []
    for _ in range(2):
        tab.open(bundled_view)
        tab.settle()
        laid_out.append(tab.run("osgraphView.network.getPositions()"))
    first, second = laid_out
    assert len(first) == 196  # type: ignore[arg-type]
    assert first == second
    tab.laid_out = tab.run(STATE)  # the bundled page, laid out, for the tests after


def test_every_country_of_the_countries_network_has_a_colour(
    tab: Opened, bundled_kg: Path, tmp_path: Path
) -> None:
    network = collaboration_network(open_engine(bundled_kg), "countries", betweenness=False)
    tab.open(write_view(network, tmp_path / "countries.html", "countries"))
    colours = tab.run("Object.fromEntries(osgraphView.nodes.get().map(n => [n.label, n.color]))")
    assert len(colours) == 17  # type: ignore[arg-type]
    assert len(set(colours.values())) == 17, colours  # type: ignore[attr-defined]
    legend = tab.page.inner_text("#legend")
    for country in colours:  # type: ignore[attr-defined]
        assert f"{country} (1)" in legend
    assert "other" not in legend and "no country" not in legend
    assert tab.problems == []


PALETTE = 20
"""How many colours the page has for groups before the rest are "other"."""


def test_countries_beyond_the_palette_are_other_in_the_legend(
    tab: Opened, two_lists_kg: Path, tmp_path: Path
) -> None:
    network = collaboration_network(open_engine(two_lists_kg), "countries", betweenness=False)
    beyond = network.number_of_nodes() - PALETTE
    assert beyond > 0
    tab.open(write_view(network, tmp_path / "countries.html", "countries"))
    colours = tab.run("osgraphView.nodes.get().map(n => n.color)")
    assert len(set(colours)) == PALETTE + 1  # type: ignore[arg-type]
    grey = Counter(colours).most_common(1)[0]  # type: ignore[arg-type]
    assert grey[1] == beyond
    other = tab.page.locator("#legend li", has_text="other:")
    assert other.inner_text() == f"other: {beyond} more countries, {beyond} nodes"
    swatch = other.locator(".swatch").evaluate("s => getComputedStyle(s).backgroundColor")
    assert swatch == "rgb({}, {}, {})".format(*bytes.fromhex(grey[0][1:]))


def test_search_focuses_and_selects_the_node(opened: Opened, bundled_network: nx.Graph) -> None:
    tsinghua = next(
        n for n, label in bundled_network.nodes(data="label") if label == "Tsinghua University"
    )
    opened.search("tsinghua")
    assert opened.run("moves") == 1  # Enter on a new text fires two events: one search
    assert opened.run("osgraphView.network.getSelectedNodes()") == [tsinghua]
    centre = opened.run("osgraphView.network.getViewPosition()")
    node = opened.run(f"osgraphView.network.getPosition({tsinghua!r})")
    assert math.dist((centre["x"], centre["y"]), (node["x"], node["y"])) < 5  # type: ignore[index]
    assert opened.page.inner_text("#facts h2") == "Tsinghua University"
    assert "https://www.tsinghua.edu.cn" in opened.page.inner_text("#facts")
    dimmed = opened.run("osgraphView.nodes.get().filter(n => n.color === '#e6e6e6').length")
    assert dimmed == bundled_network.number_of_nodes() - 1 - bundled_network.degree(tsinghua)


def test_names_from_data_stay_text(tab: Opened, write_file: WriteFile, tmp_path: Path) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    source = write_file(
        "hostile.csv",
        f'project,institutions,countries\n"{hostile}","<script>alert(2)</script>;Meta",USA\n',
    )
    kg = write_turtle(build([source], BuildOptions(validate=False)).graph, tmp_path / "hostile.ttl")
    network = collaboration_network(open_engine(kg), "bipartite")
    # The reader refuses such a link; the view must not trust one either.
    for node, label in network.nodes(data="label"):
        if label == hostile:
            network.nodes[node]["homepage"] = "javascript:alert(3)"
    tab.open(write_view(network, tmp_path / "hostile.html"))
    tab.search(hostile)
    assert tab.page.inner_text("#facts h2") == hostile
    assert tab.run("document.querySelectorAll('img, #facts script').length") == 0
    assert tab.run("document.querySelectorAll('#facts a').length") == 0  # javascript: is no link
    assert tab.dialogs == [] and tab.problems == []


def test_a_large_network_is_laid_out_up_front(tab: Opened, tmp_path: Path) -> None:
    # One node over the limit: the smallest network that is laid out up front.
    large = nx.barabasi_albert_graph(PHYSICS_LIMIT + 1, 2, seed=1)
    network = nx.relabel_nodes(large, {n: f"urn:n{n}" for n in large})
    for node in network:
        network.nodes[node].update(label=node, kind="project", projects=1, community=0)
    tab.open(write_view(network, tmp_path / "large.html"))
    assert tab.run("osgraphView.nodes.length") == PHYSICS_LIMIT + 1
    assert tab.run("osgraphView.network.physics.physicsEnabled") is False
    assert tab.run("osgraphView.nodes.get().every(n => typeof n.x === 'number')") is True
    assert tab.problems == []


def test_the_same_network_gives_the_same_page(tmp_path: Path) -> None:
    # One node over the limit: the smallest network whose layout the page carries.
    large = nx.relabel_nodes(nx.barabasi_albert_graph(PHYSICS_LIMIT + 1, 2, seed=3), str)
    for node in large:
        large.nodes[node].update(label=node, kind="project", projects=1)
    assert view_page(large, "bipartite", "x") == view_page(large, "bipartite", "x")


@pytest.fixture(scope="module")
def large_kg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The graph of a synthetic list of 1,000 rows, whose network has some 1,100 nodes."""
    from bench.generate import generate_list

    folder = tmp_path_factory.mktemp("large")
    kg = folder / "osgraph.ttl"
    build_file([generate_list(1000, folder / "list.csv")], kg, BuildOptions(validate=False))
    return kg


@pytest.mark.slow  # a list of 1,000 rows through the command, and its whole network again
def test_a_large_network_is_shown_in_part_and_says_what_it_leaves_out(
    tab: Opened, large_kg: Path, tmp_path: Path
) -> None:
    page = tmp_path / "large.html"
    done = run_osgraph(
        "view", "--kg", str(large_kg), "--max-nodes", "450", "--out", str(page), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    whole = collaboration_network(open_engine(large_kg, "oxigraph"), "bipartite", betweenness=False)
    assert whole.number_of_nodes() > 1000
    shown = int(re.findall(r"it shows (\d+) \(--max-nodes\)", done.stdout)[0])
    assert PHYSICS_LIMIT < shown <= 450
    assert done.stdout == (
        f"Wrote {page}: {whole.number_of_nodes()} nodes, {whole.number_of_edges()} edges; "
        f"it shows {shown} (--max-nodes), and says what it leaves out.\n"
    )
    tab.open(page)
    assert tab.run("osgraphView.nodes.length") == shown
    note = tab.page.inner_text("#left-out")
    left = whole.number_of_nodes() - shown
    assert f"Left out: {left:,} nodes" in note
    for how in ("--max-nodes", "--country", "--network institutions", "--network countries"):
        assert how in note
    # Usable: laid out up front, and a search finds the institution with the most collaborators.
    assert tab.run("osgraphView.network.physics.physicsEnabled") is False
    top = max(
        (facts for _, facts in whole.nodes(data=True) if facts["kind"] != "project"),
        key=lambda facts: facts["collaborators"],
    )
    tab.search(top["label"])
    assert tab.page.inner_text("#facts h2") == top["label"]
    assert f"collaborators{top['collaborators']}" in tab.page.inner_text("#facts").replace("\t", "")
    assert len(labels(tab)) >= 10
    assert tab.problems == []


def test_the_view_of_one_country(
    bundled_kg: Path, bundled_network: nx.Graph, tmp_path: Path
) -> None:
    page = tmp_path / "switzerland.html"
    done = run_osgraph(
        "view",
        "--kg",
        str(bundled_kg),
        "--country",
        "switzerland",
        "--out",
        str(page),
        cwd=tmp_path,
    )
    credited = [
        n for n, facts in bundled_network.nodes(data=True) if "Switzerland" in places(facts)
    ]
    assert done.stdout.startswith(f"Wrote {page}: {len(credited)} nodes,")
    unknown = run_osgraph(
        "view", "--kg", str(bundled_kg), "--country", "Atlantis", "--out", str(page), cwd=tmp_path
    )
    assert unknown.returncode == 2
    assert "--country 'Atlantis': no node is credited there" in unknown.stderr


def test_the_readme_shows_what_view_prints(bundled_kg: Path, tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line, printed in re.findall(r"\$ (osgraph view.*)\n(Wrote .*)\n", readme):
        out = (
            tmp_path
            / "build"
            / Path(line.split("--out ")[1] if "--out" in line else "osgraph.html").name
        )
        arguments = line.split()[2:]
        if "--out" in arguments:
            del arguments[arguments.index("--out") : arguments.index("--out") + 2]
        done = run_osgraph(
            "view", "--kg", str(bundled_kg), *arguments, "--out", str(out), cwd=tmp_path
        )
        assert done.stdout.replace(str(tmp_path) + "/", "") == printed + "\n"


def test_each_step_of_a_view_is_told(bundled_kg: Path) -> None:
    told: list[tuple[str, int, int]] = []
    network_view(bundled_kg, steps=lambda step, done, total: told.append((step, done, total)))
    steps = ("reading", "network", "layout", "page")
    assert told == [(step, done, done) for step in steps for done in (0, 1)]


def test_the_help_and_the_readme_give_the_default_budget(tmp_path: Path) -> None:
    shown = run_osgraph("view", "--help", cwd=tmp_path, env={"COLUMNS": "200"}).stdout
    assert f"(default {DEFAULT_MAX_NODES})" in " ".join(shown.replace("│", " ").split())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`--max-nodes` nodes ({DEFAULT_MAX_NODES} unless told otherwise)" in readme
