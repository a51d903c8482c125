"""Time the interactive view of a large collaboration network in headless Chromium: the page
``osgraph view`` writes beside the page pyvis writes with its defaults, for the same network.

The network is the bipartite one (projects and the institutions that built them) of a
synthetic list (:mod:`bench.generate`) sized to give about the number of nodes asked for. What
is timed:

- ``osgraph view``: the command's wall time (load the graph, make the network by SPARQL, lay it
  out, write the page);
- each page, opened from a file: the time from navigation until it is usable. For osgraph's page,
  until the network is drawn with every node placed, and then how long a search takes to select
  a node; for pyvis's, until vis-network's physics reports ``stabilized`` (the layout is done),
  given up after ``timeout`` seconds.

Usage: python -m bench.view [NODES] [--timeout SECONDS]   (default: 5000 nodes, 300 s)
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.generate import generate_list
from bench.measure import measure

# Debian's Chromium, with the flags that keep it off the network (the tests use them too).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Both resolve with performance.now(): milliseconds since navigation began.
_DRAWN = """() => new Promise(
  done => requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now())))
)"""
_WATCH_PYVIS = """
window.__osgraphBench = {};
document.addEventListener("DOMContentLoaded", () => {
  const marks = window.__osgraphBench;
  network.once("stabilizationIterationsDone", () => { marks.iterationsDone = performance.now(); });
  network.once("stabilized", () => { marks.stabilized = performance.now(); });
});
"""


@dataclass(frozen=True)
class ViewTimings:
    """What :func:`time_views` measured; seconds, ``None`` where a page never got there."""

    nodes: int
    edges: int
    command: float
    page_bytes: int
    usable: float
    search: float
    pyvis_page_bytes: int
    pyvis_first_drawn: float | None
    pyvis_settled: float | None
    timeout: float


def time_views(
    nodes: int, work: Path, timeout: float = 300.0, browser: object | None = None
) -> ViewTimings:
    """Build a list whose bipartite network has about ``nodes`` nodes and time both views, in
    ``browser`` (a Playwright browser) or else in a Chromium launched for them."""
    from osgraph import BuildOptions, build, open_engine, write_turtle
    from osgraph._network import collaboration_network

    # A list of R rows names R projects and up to max(100, R/25) institutions (bench.generate).
    rows = nodes * 25 // 26 if nodes >= 2600 else nodes - 100
    source = generate_list(rows, work / "view-list.csv")
    kg = write_turtle(build([source], BuildOptions(validate=False)).graph, work / "osgraph.ttl")
    page = work / "view.html"
    command, _ = measure(
        [sys.executable, "-m", "osgraph", "view", "--kg", str(kg), "--out", str(page)]
    )
    network = collaboration_network(open_engine(kg), "bipartite", betweenness=False)
    pyvis_page = work / "pyvis.html"
    pyvis_page.write_text(_pyvis_defaults(network), encoding="utf-8")

    with _chromium(browser) as chromium:
        usable, search = _time_osgraph_page(chromium, page, network)
        first_drawn, settled = _time_pyvis_page(chromium, pyvis_page, timeout)
    return ViewTimings(
        nodes=network.number_of_nodes(),
        edges=network.number_of_edges(),
        command=command,
        page_bytes=page.stat().st_size,
        usable=usable,
        search=search,
        pyvis_page_bytes=pyvis_page.stat().st_size,
        pyvis_first_drawn=first_drawn,
        pyvis_settled=settled,
        timeout=timeout,
    )


@contextlib.contextmanager
def _chromium(browser: object | None) -> Iterator[object]:
    """``browser``, or else a headless Chromium launched for the block."""
    if browser is not None:
        yield browser
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _pyvis_defaults(network: object) -> str:
    """The page pyvis makes of ``network`` with its defaults (its script inlined, so that the
    page needs no network, as osgraph's does not)."""
    from pyvis.network import Network

    visual = Network(cdn_resources="in_line")
    visual.from_nx(network)
    html: str = visual.generate_html()
    return html


def _time_osgraph_page(browser: object, page_path: Path, network: object) -> tuple[float, float]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    try:
        page.goto(page_path.as_uri())
        page.wait_for_function("window.osgraphView !== undefined")
        # A small network is laid out by physics, which the view stops once it has settled.
        page.wait_for_function("!osgraphView.network.physics.physicsEnabled", timeout=0)
        usable = page.evaluate(_DRAWN) / 1000
        placed = page.evaluate(
            "Object.keys(osgraphView.network.getPositions()).length === osgraphView.nodes.length"
        )
        assert placed, "the view drew a network without every node placed"
        label = max(network.nodes(data="label"), key=lambda item: str(item[1]))[1]  # type: ignore[attr-defined]
        started = page.evaluate("performance.now()")
        page.fill("#search", str(label))
        page.press("#search", "Enter")
        page.wait_for_function("osgraphView.network.getSelectedNodes().length === 1")
        search = (page.evaluate("performance.now()") - started) / 1000
        return usable, search
    finally:
        page.close()


def _time_pyvis_page(
    browser: object, page_path: Path, timeout: float
) -> tuple[float | None, float | None]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    page.add_init_script(_WATCH_PYVIS)
    try:
        page.goto(page_path.as_uri(), timeout=timeout * 1000)
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        with contextlib.suppress(PlaywrightTimeout):  # then it did not settle: None below
            page.wait_for_function(
                "window.__osgraphBench.stabilized !== undefined", timeout=timeout * 1000
            )
        marks = page.evaluate("window.__osgraphBench")
        first = marks.get("iterationsDone")
        settled = marks.get("stabilized")
        return (
            first / 1000 if first is not None else None,
            settled / 1000 if settled is not None else None,
        )
    finally:
        page.close()


def report_lines(timings: ViewTimings) -> list[str]:
    """The Markdown of ``timings`` for ``bench/results.md``."""

    def seconds(value: float | None) -> str:
        return f"{value:.1f} s" if value is not None else f"not within {timings.timeout:.0f} s"

    return [
        f"The view of a network of {timings.nodes:,} nodes and {timings.edges:,} edges (the "
        "bipartite network of a synthetic list), opened from a file in headless Chromium:",
        "",
        "| page | written in | size | usable after | |",
        "| --- | ---: | ---: | ---: | --- |",
        f"| `osgraph view` | {timings.command:.1f} s | {timings.page_bytes / 2**20:.1f} MB "
        f"| {timings.usable:.1f} s | drawn, every node placed; a search then selects a node "
        f"in {timings.search:.2f} s |",
        f"| pyvis defaults | - | {timings.pyvis_page_bytes / 2**20:.1f} MB "
        f"| {seconds(timings.pyvis_settled)} | physics settled (`stabilized`); first drawn "
        f"after {seconds(timings.pyvis_first_drawn)} |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.view", description=" ".join(__doc__.split("\n\n", 1)[0].split())
    )
    parser.add_argument("nodes", type=int, nargs="?", default=5000)
    parser.add_argument("--timeout", type=float, default=300.0)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="osgraph-view-") as folder:
        timings = time_views(arguments.nodes, Path(folder), arguments.timeout)
    print("\n".join(report_lines(timings)))


if __name__ == "__main__":
    main()
