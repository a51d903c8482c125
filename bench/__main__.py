"""Build synthetic lists with osgraph and with the tools a user would pick instead, side by side,
and write the results to ``bench/results.md``.

For each size, one list is generated (see :mod:`bench.generate`) with its flat form, then built
by every tool in turn, run after run, each in a process of its own so that its wall time and
peak resident memory are its own:

- ``osgraph``: ``osgraph build LIST.csv --no-validate --no-store``: reads the list as
  published, resolves it and writes Turtle, and nothing else;
- ``osgraph, store``: the same, and the Oxigraph store the commands after the build open;
- ``osgraph, validated``: the Turtle, validated against ``ontology/shapes.ttl``, no store;
- ``osgraph, as run``: ``osgraph build LIST.csv`` as a user runs it, validated, with its store
  (both validated ones for the sizes up to ``--validate-up-to``);
- ``morph-kgc``: Morph-KGC's CLI mapping the flat form with ``bench/mapping.rml.ttl`` (the
  graph osgraph writes) to N-Triples (it cannot write Turtle), from a virtual environment of its
  own in ``bench/.venvs`` (it pins rdflib and pyoxigraph versions osgraph does not use);
- ``morph-kgc, minimal``: the same with ``bench/mapping-minimal.rml.ttl``, the list's facts
  alone (who built which project, where), as a user who maps a list by hand would start;
- ``pyoxigraph`` and ``rdflib``: :mod:`bench.baselines`, the same mapping written by hand
  (sizes up to ``--pyoxigraph-up-to`` and ``--rdflib-up-to``: both hold every triple in
  memory, and rdflib's Turtle serializer takes a quarter of an hour on 100,000 rows).

Every output is parsed back (by Oxigraph) to count its triples. On the graph and store
``osgraph, store`` left for each size (up to ``--queries-up-to``), every named query is run as a
user runs it, ``osgraph query NAME --format csv`` in a process of its own, beside the time a
command takes to open the store (``osgraph query`` of an ``ASK``) and to load the Turtle into
Oxigraph in memory instead. The view of a network of ``--view-nodes`` nodes, and the view of
each size's list as a user makes it (its ratio to the build), are timed in headless Chromium
beside pyvis's defaults (:mod:`bench.view`), and the view of the ``--sweep-rows`` list at each
``--sweep-nodes`` budget, from which the default ``--max-nodes`` is chosen; and
``osgraph --help`` and the build of the bundled list are timed.

Usage: python -m bench [ROWS ...] [--runs N]   (default: 10000 100000 1000000, 3 runs)
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.generate import generate_list, generate_named_list
from bench.measure import measure
from bench.view import (
    ListViewTimings,
    SweepPoint,
    ViewTimings,
    list_report_lines,
    report_lines,
    sweep_max_nodes,
    sweep_report_lines,
    time_list_view,
    time_views,
)

HERE = Path(__file__).parent
RESULTS = HERE / "results.md"
VENVS = HERE / ".venvs"
MORPH_KGC = "morph-kgc==2.10.0"
MORPH_KGC_TOOLS = ("morph-kgc", "morph-kgc, minimal")
STORE_TOOL = "osgraph, store"
"""The build whose graph and store the named queries are timed on."""


@dataclass
class Timing:
    """The runs of one tool on one size."""

    walls: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)
    triples: int = 0

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)


@dataclass(frozen=True)
class Run:
    command: list[str]
    output: Path
    cwd: Path = HERE.parent


@dataclass(frozen=True)
class Tool:
    name: str
    command: Callable[[Path, Path], Run]
    """Given the work folder of a size and an output folder: what to run."""
    up_to: int | None = None


def count_triples(path: Path) -> int:
    """The number of triples in a Turtle or N-Triples file, parsed by Oxigraph."""
    import pyoxigraph as ox

    found = ox.RdfFormat.N_TRIPLES if path.suffix == ".nt" else ox.RdfFormat.TURTLE
    return sum(1 for _ in ox.parse(path=str(path), format=found))


def peer_python(name: str, requirement: str) -> Path:
    """The Python of a virtual environment of its own for a peer, made when first needed."""
    folder = VENVS / name
    python = folder / "bin" / "python"
    if not python.exists():
        print(f"installing {requirement} into {folder.relative_to(HERE.parent)}...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", requirement], check=True)
    return python


def tools(validate_up_to: int, pyoxigraph_up_to: int, rdflib_up_to: int) -> list[Tool]:
    morph_python = peer_python("morph-kgc", MORPH_KGC)

    def osgraph(*flags: str) -> Callable[[Path, Path], Run]:
        def command(work: Path, out: Path) -> Run:
            return Run(osgraph_build(work, out, *flags), out / "osgraph.ttl")

        return command

    def morph_kgc(mapping: str) -> Callable[[Path, Path], Run]:
        def command(work: Path, out: Path) -> Run:
            config = out / "morph-kgc.ini"
            out.mkdir(parents=True, exist_ok=True)
            config.write_text(
                "[CONFIGURATION]\n"
                f"output_file = {out / 'morph-kgc.nt'}\n"
                "output_format = N-TRIPLES\n"
                "logging_level = WARNING\n\n"
                "[DataSource1]\n"
                f"mappings = {HERE / mapping}\n",
                encoding="utf-8",
            )
            # The mapping names its tables relative to the folder Morph-KGC runs in.
            return Run(
                [str(morph_python), "-m", "morph_kgc", str(config)],
                out / "morph-kgc.nt",
                work / "flat",
            )

        return command

    def baseline(library: str) -> Callable[[Path, Path], Run]:
        def command(work: Path, out: Path) -> Run:
            out.mkdir(parents=True, exist_ok=True)
            target = out / f"{library}.ttl"
            flat = str(work / "flat")
            return Run(
                [sys.executable, "-m", "bench.baselines", library, flat, str(target)], target
            )

        return command

    return [
        Tool("osgraph", osgraph("--no-validate", "--no-store")),
        Tool(STORE_TOOL, osgraph("--no-validate")),
        Tool("osgraph, validated", osgraph("--no-store"), validate_up_to),
        Tool("osgraph, as run", osgraph(), validate_up_to),
        Tool(MORPH_KGC_TOOLS[0], morph_kgc("mapping.rml.ttl")),
        Tool(MORPH_KGC_TOOLS[1], morph_kgc("mapping-minimal.rml.ttl")),
        Tool("pyoxigraph", baseline("pyoxigraph"), pyoxigraph_up_to),
        Tool("rdflib", baseline("rdflib"), rdflib_up_to),
    ]


def osgraph_build(work: Path, out: Path, *flags: str) -> list[str]:
    """The command that builds the list of ``work`` into ``out``."""
    source = next(work.glob("list-*.csv"))
    return [sys.executable, "-m", "osgraph", "build", str(source), "-o", str(out), *flags]


@dataclass(frozen=True)
class Queries:
    """The named queries timed on one size's graph, as a user runs them."""

    opening: float
    """Seconds of ``osgraph query`` of an ``ASK``: starting the command and opening the store."""
    loading: float
    """Seconds to load the Turtle into Oxigraph in memory, which the store saves."""
    answers: list[tuple[str, float | None, int, int]]
    """Each named query's seconds (None: not done within the time given), peak RSS (bytes) and
    answer rows."""


def run_builds(
    sizes: Sequence[int],
    runs: int,
    peers: Sequence[Tool],
    work_root: Path,
    queries_up_to: int,
    query_timeout: float,
) -> tuple[dict[tuple[int, str], Timing], dict[int, Queries]]:
    """Build every size with every tool, ``runs`` times in alternation; then query the graph
    and store osgraph built of each size up to ``queries_up_to``."""
    timings: dict[tuple[int, str], Timing] = {}
    queries: dict[int, Queries] = {}
    for rows in sizes:
        work = work_root / str(rows)
        print(f"generating {rows:,} rows...", flush=True)
        generate_list(rows, work / f"list-{rows}.csv", flat=work / "flat")
        chosen = [tool for tool in peers if tool.up_to is None or rows <= tool.up_to]
        for run in range(runs):
            for tool in chosen:  # in alternation: a slow moment of the machine hits every tool
                out = work / "out" / tool.name.replace(", ", "-").replace(" ", "-")
                to_run = tool.command(work, out)
                print(f"  run {run + 1}/{runs}: {tool.name}...", flush=True)
                wall, peak = measure(to_run.command, cwd=to_run.cwd)
                timing = timings.setdefault((rows, tool.name), Timing())
                timing.walls.append(wall)
                timing.peaks.append(peak)
                if not timing.triples:
                    timing.triples = count_triples(to_run.output)
                if tool.name == STORE_TOOL and run == runs - 1 and rows <= queries_up_to:
                    print("  querying osgraph's graph...", flush=True)
                    queries[rows] = time_queries(to_run.output, query_timeout)
                to_run.output.unlink()
    return timings, queries


def time_queries(kg: Path, timeout: float) -> Queries:
    """Each named query on ``kg`` and the store its build left, as ``osgraph query`` runs it
    from the command line (given up after ``timeout`` seconds); the time to open the store, and
    to load ``kg`` in memory instead."""
    from osgraph._catalogue import named_queries
    from osgraph._engines import OxigraphEngine

    osgraph = [sys.executable, "-m", "osgraph", "query"]
    ask = kg.with_name("ask.rq")
    ask.write_text("ASK { ?s ?p ?o }\n", encoding="utf-8")
    opening = statistics.median(measure([*osgraph, str(ask), "--kg", str(kg)])[0] for _ in range(3))
    started = time.perf_counter()
    OxigraphEngine.load(kg, None)
    loaded = time.perf_counter() - started
    answers: list[tuple[str, float | None, int, int]] = []
    answer = kg.with_name("answer.csv")
    for name, named in named_queries().items():
        given = [f"{needed}=Institution 000000" for needed in named.needs[:1]]
        parameters = [part for pair in given for part in ("--param", pair)]
        command = [*osgraph, name, "--kg", str(kg), "--format", "csv", *parameters]
        try:
            wall, peak = measure(command, stdout=answer, timeout=timeout)
        except TimeoutError:
            answers.append((name, None, 0, 0))
            continue
        with answer.open("rb") as lines:
            rows = sum(1 for _ in lines) - 1  # the header; synthetic names hold no line break
        answers.append((name, wall, peak, rows))
    return Queries(opening, loaded, answers)


def time_commands() -> list[tuple[str, float]]:
    """Median wall seconds of ``osgraph --help`` (of 5), of the bundled build (of 3), and of
    the unvalidated build (of 3) of 1,000 rows whose names only ISO 3166, CLDR and ROR know:
    resolving them should cost at most three builds of the bundled list."""
    with tempfile.TemporaryDirectory() as folder:
        named = generate_named_list(1000, Path(folder) / "named-1000.csv")
        cases = [
            ("osgraph --help", [sys.executable, "-m", "osgraph", "--help"], 5),
            (
                "osgraph build (bundled list)",
                [sys.executable, "-m", "osgraph", "build", "-o", folder],
                3,
            ),
            (
                "osgraph build --no-validate (1,000 rows named as ROR, ISO and CLDR name them)",
                [
                    sys.executable,
                    "-m",
                    "osgraph",
                    "build",
                    str(named),
                    "-o",
                    folder,
                    "--no-validate",
                ],
                3,
            ),
        ]
        return [
            (label, statistics.median(measure(command)[0] for _ in range(times)))
            for label, command, times in cases
        ]


def report(
    arguments: argparse.Namespace,
    timings: dict[tuple[int, str], Timing],
    queries: dict[int, Queries],
    view: ViewTimings | None,
    commands: list[tuple[str, float]],
    list_views: Sequence[ListViewTimings] = (),
    sweep: tuple[int, Sequence[SweepPoint]] | None = None,
) -> str:
    lines = [
        "# osgraph benchmark",
        "",
        f"`python -m bench {' '.join(map(str, arguments.rows))} --runs {arguments.runs}` on "
        f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}. Wall time is the median of the runs; peak RSS the "
        "largest. Ratios: wall time over Morph-KGC's on the same list, with the mapping of "
        "osgraph's graph and with the minimal one (below 1 is faster).",
        "",
        "| rows | tool | wall | triples | triples/s | peak RSS | ratio to Morph-KGC "
        "| ratio to Morph-KGC, minimal |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for (rows, name), timing in timings.items():
        ratios = [
            f"{timing.wall / reference.wall:.2f}" if reference else "-"
            for reference in (timings.get((rows, peer)) for peer in MORPH_KGC_TOOLS)
        ]
        lines.append(
            f"| {rows:,} | {name} | {timing.wall:.1f} s | {timing.triples:,} "
            f"| {timing.triples / timing.wall:,.0f} | {max(timing.peaks) / 2**20:,.0f} MB "
            f"| {' | '.join(ratios)} |"
        )
    if queries:
        sizes = sorted(queries)
        lines += [
            "",
            "Named queries as a user runs them right after `osgraph build`: `osgraph query NAME "
            "--format csv` in a process of its own, answered from the Oxigraph store the build "
            "left (seconds, peak RSS; answer rows in brackets):",
            "",
            "| query | " + " | ".join(f"{rows:,} rows" for rows in sizes) + " |",
            "| --- |" + " ---: |" * len(sizes),
            "| *`osgraph query` of an ASK: start and open the store* | "
            + " | ".join(f"{queries[rows].opening:.2f}" for rows in sizes)
            + " |",
            "| *loading the Turtle in memory instead* | "
            + " | ".join(f"{queries[rows].loading:.1f}" for rows in sizes)
            + " |",
        ]
        for index, (name, *_) in enumerate(queries[sizes[0]].answers):
            cells = [queries[rows].answers[index] for rows in sizes]
            lines.append(
                f"| {name} | "
                + " | ".join(
                    f"over {arguments.query_timeout:g} s"
                    if seconds is None
                    else f"{seconds:.2f} s, {peak / 2**20:,.0f} MB ({answer:,})"
                    for _, seconds, peak, answer in cells
                )
                + " |"
            )
    if view:
        lines += ["", *report_lines(view)]
    if list_views:
        lines += ["", *list_report_lines(list_views)]
    if sweep:
        lines += ["", *sweep_report_lines(*sweep)]
    lines += ["", "| command | wall |", "| --- | ---: |"]
    lines += [f"| `{label}` | {seconds:.2f} s |" for label, seconds in commands]
    if len(commands) > 2:
        lines += [
            "",
            f"Resolving 1,000 rows of names osgraph's gazetteer does not have costs "
            f"{commands[2][1] / commands[1][1]:.1f} times the build of the bundled list.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=" ".join(__doc__.split("\n\n", 1)[0].split()),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "rows", type=int, nargs="*", default=[10_000, 100_000, 1_000_000], help="list sizes"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of each tool on each size")
    parser.add_argument(
        "--validate-up-to",
        type=int,
        default=1_000_000,
        help="sizes osgraph also builds validated",
    )
    parser.add_argument(
        "--pyoxigraph-up-to", type=int, default=100_000, help="sizes of the pyoxigraph baseline"
    )
    parser.add_argument(
        "--rdflib-up-to", type=int, default=10_000, help="sizes of the rdflib baseline"
    )
    parser.add_argument(
        "--queries-up-to", type=int, default=1_000_000, help="sizes whose graph is queried"
    )
    parser.add_argument(
        "--query-timeout", type=float, default=600.0, help="seconds a named query is given"
    )
    parser.add_argument(
        "--view-nodes", type=int, default=5000, help="nodes of the view timed (0: none)"
    )
    parser.add_argument(
        "--view-rows",
        type=int,
        nargs="*",
        help="sizes of the lists whose view is timed (default: the sizes built)",
    )
    parser.add_argument(
        "--sweep-rows",
        type=int,
        default=100_000,
        help="size of the list whose view is also timed at each --sweep-nodes (one of the "
        "sizes whose view is timed)",
    )
    parser.add_argument(
        "--sweep-nodes",
        type=int,
        nargs="*",
        default=[500, 1000, 2000, 3000, 5000, 8000],
        help="the --max-nodes of each page of the sweep",
    )
    parser.add_argument(
        "--pyvis-timeout", type=float, default=300.0, help="seconds to wait for pyvis's page"
    )
    arguments = parser.parse_args()
    peers = tools(arguments.validate_up_to, arguments.pyoxigraph_up_to, arguments.rdflib_up_to)
    with tempfile.TemporaryDirectory(prefix="osgraph-bench-") as folder:
        timings, queries = run_builds(
            arguments.rows,
            arguments.runs,
            peers,
            Path(folder),
            arguments.queries_up_to,
            arguments.query_timeout,
        )
        view = None
        if arguments.view_nodes:
            print(f"timing the view of {arguments.view_nodes:,} nodes...", flush=True)
            view_work = Path(folder) / "view"
            view_work.mkdir()
            view = time_views(arguments.view_nodes, view_work, arguments.pyvis_timeout)
        list_views = []
        for rows in arguments.rows if arguments.view_rows is None else arguments.view_rows:
            print(f"timing the view of a list of {rows:,} rows...", flush=True)
            list_views.append(time_list_view(rows, Path(folder), arguments.pyvis_timeout))
        sweep = None
        if arguments.sweep_nodes and arguments.sweep_rows in {t.rows for t in list_views}:
            print(f"timing the view of {arguments.sweep_rows:,} rows at each size...", flush=True)
            kg = Path(folder) / f"view-{arguments.sweep_rows}" / "osgraph.ttl"
            points = sweep_max_nodes(kg, arguments.sweep_nodes, Path(folder))
            sweep = (arguments.sweep_rows, points)
    commands = time_commands()
    text = report(arguments, timings, queries, view, commands, list_views, sweep)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
