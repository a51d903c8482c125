"""The interactive view, opened from file:// in headless Chromium."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from osgraph import build, write_turtle
from osgraph._engines import open_engine
from osgraph._network import collaboration_network
from osgraph._view import PHYSICS_LIMIT, view_page

from .conftest import WriteFile

ROOT = Path(__file__).parent.parent


class Opened:
    """A page opened from a file, with every request, console error and dialog it made."""

    def __init__(self, browser: object, path: Path) -> None:
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
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.osgraphView !== undefined")

    def run(self, script: str) -> object:
        return self.page.evaluate(script)


def write_view(network: nx.Graph, path: Path, kind: str = "bipartite") -> Path:
    path.write_bytes(view_page(network, kind, "test"))
    return path


@pytest.fixture(scope="module")
def bundled_network(bundled_kg: Path) -> nx.Graph:
    return collaboration_network(open_engine(bundled_kg), "bipartite")


@pytest.fixture
def opened(browser: object, bundled_network: nx.Graph, tmp_path: Path) -> Iterator[Opened]:
    view = Opened(browser, write_view(bundled_network, tmp_path / "view.html"))
    yield view
    view.page.close()


def test_the_view_works_offline_from_a_file(opened: Opened, bundled_network: nx.Graph) -> None:
    opened.page.wait_for_timeout(500)
    assert opened.requests and all(
        url.startswith(("file://", "data:")) for url in opened.requests
    ), [url for url in opened.requests if not url.startswith(("file://", "data:"))]
    assert opened.problems == []
    assert opened.run("osgraphView.nodes.length") == bundled_network.number_of_nodes()
    assert opened.run("osgraphView.edges.length") == bundled_network.number_of_edges()
    assert "United States" in opened.page.inner_text("#legend")
    assert "university" in opened.page.inner_text("#legend")


def test_search_focuses_and_selects_the_node(opened: Opened, bundled_network: nx.Graph) -> None:
    tsinghua = next(
        n for n, label in bundled_network.nodes(data="label") if label == "Tsinghua University"
    )
    opened.page.fill("#search", "tsinghua")
    opened.page.press("#search", "Enter")
    opened.page.wait_for_timeout(800)
    assert opened.run("osgraphView.network.getSelectedNodes()") == [tsinghua]
    centre = opened.run("osgraphView.network.getViewPosition()")
    node = opened.run(f"osgraphView.network.getPosition({tsinghua!r})")
    assert math.dist((centre["x"], centre["y"]), (node["x"], node["y"])) < 5  # type: ignore[index]
    assert opened.page.inner_text("#facts h2") == "Tsinghua University"
    assert "https://www.tsinghua.edu.cn" in opened.page.inner_text("#facts")
    dimmed = opened.run("osgraphView.nodes.get().filter(n => n.color === '#e6e6e6').length")
    assert dimmed == bundled_network.number_of_nodes() - 1 - bundled_network.degree(tsinghua)


def test_filters_and_colours(opened: Opened, bundled_network: nx.Graph) -> None:
    opened.page.select_option("#country-filter", "Germany")
    visible = opened.run("osgraphView.nodes.get().filter(n => !n.hidden).map(n => n.id)")
    in_germany = {
        n
        for n, country in bundled_network.nodes(data="country")
        if "Germany" in (country or "").split(", ")
    }
    assert set(visible) == in_germany  # type: ignore[arg-type]
    opened.page.select_option("#country-filter", "")
    opened.page.select_option("#kind-filter", "university")
    universities = sum(1 for _, kind in bundled_network.nodes(data="kind") if kind == "university")
    assert opened.run("osgraphView.nodes.get().filter(n => !n.hidden).length") == universities
    opened.page.check("input[value=community]")
    assert opened.page.inner_text("#legend h3") == "Colour: community"
    assert opened.problems == []


def test_names_from_data_stay_text(browser: object, write_file: WriteFile, tmp_path: Path) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    source = write_file(
        "hostile.csv",
        f'project,institutions,countries\n"{hostile}","<script>alert(2)</script>;Meta",USA\n',
    )
    kg = write_turtle(build([source]).graph, tmp_path / "hostile.ttl")
    network = collaboration_network(open_engine(kg), "bipartite")
    # The reader refuses such a link; the view must not trust one either.
    for node, label in network.nodes(data="label"):
        if label == hostile:
            network.nodes[node]["homepage"] = "javascript:alert(3)"
    view = Opened(browser, write_view(network, tmp_path / "hostile.html"))
    try:
        view.page.fill("#search", hostile)
        view.page.press("#search", "Enter")
        view.page.wait_for_timeout(500)
        assert view.page.inner_text("#facts h2") == hostile
        assert view.run("document.querySelectorAll('img, #facts script').length") == 0
        assert (
            view.run("document.querySelectorAll('#facts a').length") == 0
        )  # javascript: is no link
        assert view.dialogs == [] and view.problems == []
    finally:
        view.page.close()


def test_a_large_network_is_laid_out_up_front(browser: object, tmp_path: Path) -> None:
    large = nx.barabasi_albert_graph(PHYSICS_LIMIT * 3, 2, seed=1)
    network = nx.relabel_nodes(large, {n: f"urn:n{n}" for n in large})
    for node in network:
        network.nodes[node].update(label=node, kind="project", projects=1, community=0)
    view = Opened(browser, write_view(network, tmp_path / "large.html"))
    try:
        assert view.run("osgraphView.network.physics.physicsEnabled") is False
        assert view.run("osgraphView.nodes.get().every(n => typeof n.x === 'number')") is True
        assert view.problems == []
    finally:
        view.page.close()


def test_the_view_saves_itself_as_png(opened: Opened, tmp_path: Path) -> None:
    with opened.page.expect_download() as download:
        opened.page.click("#save")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "osgraph-network.png"
    assert saved.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_the_same_network_gives_the_same_page(tmp_path: Path) -> None:
    large = nx.relabel_nodes(nx.barabasi_albert_graph(PHYSICS_LIMIT + 100, 2, seed=3), str)
    for node in large:
        large.nodes[node].update(label=node, kind="project", projects=1)
    assert view_page(large, "bipartite", "x") == view_page(large, "bipartite", "x")


def test_a_screenshot_for_the_readme(opened: Opened) -> None:
    opened.page.wait_for_timeout(3000)  # let the physics settle
    shot = ROOT / "build" / "view.png"
    shot.parent.mkdir(exist_ok=True)
    opened.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
