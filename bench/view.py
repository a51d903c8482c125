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

With ``--rows``, the view of lists of those sizes is timed as a user makes it (``osgraph build``
then ``osgraph view``, which shows at most its default ``--max-nodes`` of a larger network), its
ratio to the build, and pyvis's page of the whole network (written in a process of its own,
given ``timeout`` seconds to be written and as long to settle).

Usage: python -m bench.view [NODES] [--timeout SECONDS] [--rows ROWS ...]
(default: 5000 nodes, 300 s)
"""

from __future__ import annotations

import argparse
import contextlib
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
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
        usable, search, _, _ = _time_osgraph_page(chromium, page)
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


@dataclass(frozen=True)
class ListViewTimings:
    """The view of a synthetic list of ``rows`` rows, as a user makes it: ``osgraph build`` then
    ``osgraph view`` (seconds, bytes), opened in headless Chromium, beside the page pyvis writes
    of the same whole network with its defaults (``None`` where it did not get there)."""

    rows: int
    nodes: int
    shown: int
    build: float
    command: float
    peak: int
    page_bytes: int
    usable: float
    search: float
    pyvis_written: float | None
    pyvis_settled: float | None
    timeout: float


def time_list_view(
    rows: int, work: Path, timeout: float = 300.0, browser: object | None = None
) -> ListViewTimings:
    """Build a synthetic list of ``rows`` rows and time its view, and pyvis's page of the same
    network (written within ``timeout`` seconds, then given as long to settle)."""
    source = generate_list(rows, work / f"view-list-{rows}.csv")
    out = work / f"view-{rows}"
    built, _ = measure(
        [sys.executable, "-m", "osgraph", "build", str(source), "--no-validate", "-o", str(out)]
    )
    kg = out / "osgraph.ttl"
    page = work / f"view-{rows}.html"
    command = [sys.executable, "-m", "osgraph", "view", "--kg", str(kg), "--out", str(page)]
    wall, peak = measure(command)
    nodes, shown = _counts(page.read_text(encoding="utf-8"))
    pyvis_page = work / f"pyvis-{rows}.html"
    written = _write_pyvis_page(kg, pyvis_page, timeout)
    with _chromium(browser) as chromium:
        usable, search, _, _ = _time_osgraph_page(chromium, page)
        settled = _time_pyvis_page(chromium, pyvis_page, timeout)[1] if written else None
    return ListViewTimings(
        rows=rows,
        nodes=nodes,
        shown=shown,
        build=built,
        command=wall,
        peak=peak,
        page_bytes=page.stat().st_size,
        usable=usable,
        search=search,
        pyvis_written=written,
        pyvis_settled=settled,
        timeout=timeout,
    )


@dataclass(frozen=True)
class SweepPoint:
    """The page of one ``--max-nodes`` budget: ``osgraph view``'s time and peak memory, the
    page's size and the nodes it shows, and in headless Chromium the time until usable, the
    time a search takes, and the median time to draw one frame again after a zoom (how much each
    move lags)."""

    budget: int
    shown: int
    command: float
    peak: int
    page_bytes: int
    usable: float
    search: float
    frame: float


# Five synchronous redraws of vis-network after zooming in and out, the median in milliseconds.
_FRAME = """() => {
  const network = osgraphView.network;
  const times = [];
  for (let i = 0; i < 5; i++) {
    network.moveTo({ scale: network.getScale() * (i % 2 ? 0.8 : 1.25) });
    const started = performance.now();
    network.renderer._redraw();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[2];
}"""


def sweep_max_nodes(
    kg: Path, budgets: Sequence[int], work: Path, browser: object | None = None
) -> list[SweepPoint]:
    """Write the bipartite view of ``kg`` at each of ``budgets`` nodes (``--max-nodes``) and time
    each page: how the default ``--max-nodes`` is chosen."""
    points = []
    with _chromium(browser) as chromium:
        for budget in budgets:
            page = work / f"sweep-{budget}.html"
            command = [sys.executable, "-m", "osgraph", "view", "--kg", str(kg)]
            wall, peak = measure([*command, "--max-nodes", str(budget), "--out", str(page)])
            usable, search, frame, shown = _time_osgraph_page(chromium, page)
            points.append(
                SweepPoint(budget, shown, wall, peak, page.stat().st_size, usable, search, frame)
            )
    return points


def sweep_report_lines(rows: int, points: Sequence[SweepPoint]) -> list[str]:
    """The Markdown of a sweep of ``--max-nodes`` on the view of a list of ``rows`` rows."""
    lines = [
        f"The view of the {rows:,}-row list at each `--max-nodes` (the default is chosen from "
        "this), opened from a file in headless Chromium at 1400x900; a frame is the median "
        "time to draw the network again after a zoom:",
        "",
        "| `--max-nodes` | shown | `osgraph view` | peak RSS | page | usable after | search "
        "| frame |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for p in points:
        lines.append(
            f"| {p.budget:,} | {p.shown:,} | {p.command:.1f} s | {p.peak / 2**20:,.0f} MB "
            f"| {p.page_bytes / 2**20:.1f} MB | {p.usable:.1f} s | {p.search:.2f} s "
            f"| {p.frame * 1000:.0f} ms |"
        )
    return lines


def _counts(page: str) -> tuple[int, int]:
    """The nodes of the network and those the page shows, as the page says them."""
    nodes = int(re.findall(r'<p id="summary">([\d,]+) nodes', page)[0].replace(",", ""))
    left = re.findall(r"Left out: ([\d,]+) nodes", page)
    return nodes, nodes - int(left[0].replace(",", "")) if left else nodes


def _write_pyvis_page(kg: Path, page: Path, timeout: float) -> float | None:
    """Seconds pyvis takes to write its page of ``kg``'s bipartite network with its defaults
    (in a process of its own, stopped after ``timeout``), or None when it did not finish."""
    started = time.perf_counter()
    try:
        subprocess.run(
            [sys.executable, "-m", "bench.view", "--pyvis", str(kg), str(page)],
            check=True,
            timeout=timeout,
            capture_output=True,
        )
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - started


def list_report_lines(timings: Sequence[ListViewTimings]) -> list[str]:
    """The Markdown of ``timings`` for ``bench/results.md``."""

    def seconds(value: float | None, what: str) -> str:
        return (
            f"{value:.1f} s"
            if value is not None
            else f"not {what} within {timings[0].timeout:.0f} s"
        )

    lines = [
        "The view of synthetic lists as a user makes it (`osgraph build --no-validate`, then "
        "`osgraph view` with its default `--max-nodes`), opened from a file in headless "
        "Chromium, beside the page pyvis writes of the whole network with its defaults:",
        "",
        "| rows | nodes (shown) | build | `osgraph view` | ratio | peak RSS | page | usable after "
        "| search | pyvis page written | pyvis settled |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for t in timings:
        lines.append(
            f"| {t.rows:,} | {t.nodes:,} ({t.shown:,}) | {t.build:.1f} s | {t.command:.1f} s "
            f"| {t.command / t.build:.1f} | {t.peak / 2**20:,.0f} MB "
            f"| {t.page_bytes / 2**20:.1f} MB "
            f"| {t.usable:.1f} s | {t.search:.2f} s | {seconds(t.pyvis_written, 'written')} "
            f"| {seconds(t.pyvis_settled, 'settled') if t.pyvis_written else '-'} |"
        )
    return lines


def _time_osgraph_page(browser: object, page_path: Path) -> tuple[float, float, float, int]:
    """Seconds until the page is usable, seconds a search takes to select a node, seconds to
    draw a frame again after a zoom, and the nodes shown."""
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
        frame = float(page.evaluate(_FRAME)) / 1000
        shown = int(page.evaluate("osgraphView.nodes.length"))
        label = page.evaluate(
            "osgraphView.nodes.get().map((n) => n.label).reduce((a, b) => (b > a ? b : a))"
        )
        started = page.evaluate("performance.now()")
        page.fill("#search", str(label))
        page.press("#search", "Enter")
        page.wait_for_function("osgraphView.network.getSelectedNodes().length === 1")
        search = (page.evaluate("performance.now()") - started) / 1000
        return usable, search, frame, shown
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
    parser.add_argument(
        "--rows", type=int, nargs="*", default=[], help="time the views of lists of these sizes"
    )
    parser.add_argument("--pyvis", nargs=2, metavar=("KG", "PAGE"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.pyvis:  # the page pyvis writes, timed by _write_pyvis_page
        from osgraph import open_engine
        from osgraph._network import collaboration_network

        kg, page = map(Path, arguments.pyvis)
        network = collaboration_network(open_engine(kg), "bipartite", betweenness=False)
        page.write_text(_pyvis_defaults(network), encoding="utf-8")
        return
    if arguments.rows:
        with tempfile.TemporaryDirectory(prefix="osgraph-view-") as folder:
            measured = [
                time_list_view(rows, Path(folder), arguments.timeout) for rows in arguments.rows
            ]
        print("\n".join(list_report_lines(measured)))
        return
    with tempfile.TemporaryDirectory(prefix="osgraph-view-") as folder:
        timings = time_views(arguments.nodes, Path(folder), arguments.timeout)
    print("\n".join(report_lines(timings)))


if __name__ == "__main__":
    main()
