"""Build synthetic lists with osgraph and with the tools a user would pick instead, side by side,
and write the results to ``bench/results.md``.

For each size, one list is generated (see :mod:`bench.generate`) with its flat form, then built
by every tool in turn, run after run, each in a process of its own so that its wall time and
peak resident memory are its own:

- ``osgraph``: ``osgraph build LIST.csv --no-validate`` (and with validation, for the sizes up
  to ``--validate-up-to``): reads the list as published, resolves it and writes Turtle;
- ``morph-kgc``: Morph-KGC's CLI mapping the flat form with ``bench/mapping.rml.ttl`` to
  N-Triples (it cannot write Turtle), from a virtual environment of its own in
  ``bench/.venvs`` (it pins rdflib and pyoxigraph versions osgraph does not use);
- ``pyoxigraph`` and ``rdflib``: :mod:`bench.baselines`, the same mapping written by hand
  (sizes up to ``--baselines-up-to``: rdflib holds every triple as Python objects).

Every output is parsed back (by Oxigraph) to count its triples. Then the Turtle osgraph wrote
for the largest size is loaded into Oxigraph and every named query is run on it, and
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

from bench.generate import generate_list

HERE = Path(__file__).parent
RESULTS = HERE / "results.md"
VENVS = HERE / ".venvs"
MORPH_KGC = "morph-kgc==2.10.0"


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


def measure(command: Sequence[str], cwd: Path | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of ``command``, run in a process of its own."""
    # A runner process per run: ru_maxrss of its children is then the command's peak alone.
    runner = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
        "stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", runner, *command], capture_output=True, text=True, cwd=cwd
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    kilobytes = int(done.stdout.strip())
    return wall, kilobytes * 1024 if platform.system() == "Linux" else kilobytes


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


def tools(validate_up_to: int, baselines_up_to: int) -> list[Tool]:
    morph_python = peer_python("morph-kgc", MORPH_KGC)

    def osgraph(validate: bool) -> Callable[[Path, Path], Run]:
        def command(work: Path, out: Path) -> Run:
            flags = [] if validate else ["--no-validate"]
            return Run(osgraph_build(work, out, *flags), out / "osgraph.ttl")

        return command

    def morph_kgc(work: Path, out: Path) -> Run:
        config = out / "morph-kgc.ini"
        out.mkdir(parents=True, exist_ok=True)
        config.write_text(
            "[CONFIGURATION]\n"
            f"output_file = {out / 'morph-kgc.nt'}\n"
            "output_format = N-TRIPLES\n"
            "logging_level = WARNING\n\n"
            "[DataSource1]\n"
            f"mappings = {HERE / 'mapping.rml.ttl'}\n",
            encoding="utf-8",
        )
        # The mapping names its tables relative to the folder Morph-KGC runs in.
        return Run(
            [str(morph_python), "-m", "morph_kgc", str(config)],
            out / "morph-kgc.nt",
            work / "flat",
        )

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
        Tool("osgraph", osgraph(validate=False)),
        Tool("osgraph, validated", osgraph(validate=True), validate_up_to),
        Tool("morph-kgc", morph_kgc),
        Tool("pyoxigraph", baseline("pyoxigraph"), baselines_up_to),
        Tool("rdflib", baseline("rdflib"), baselines_up_to),
    ]


def osgraph_build(work: Path, out: Path, *flags: str) -> list[str]:
    """The command that builds the list of ``work`` into ``out``."""
    source = next(work.glob("list-*.csv"))
    return [sys.executable, "-m", "osgraph", "build", str(source), "-o", str(out), *flags]


def run_builds(
    sizes: Sequence[int], runs: int, peers: Sequence[Tool], work_root: Path
) -> dict[tuple[int, str], Timing]:
    timings: dict[tuple[int, str], Timing] = {}
    for rows in sizes:
        work = work_root / str(rows)
        print(f"generating {rows:,} rows...", flush=True)
        generate_list(rows, work / f"list-{rows}.csv", flat=work / "flat")
        chosen = [tool for tool in peers if tool.up_to is None or rows <= tool.up_to]
        for run in range(runs):
            for tool in chosen:  # in alternation: a slow moment of the machine hits every tool
                out = work / "out" / tool.name.replace(", ", "-")
                to_run = tool.command(work, out)
                print(f"  run {run + 1}/{runs}: {tool.name}...", flush=True)
                wall, peak = measure(to_run.command, cwd=to_run.cwd)
                timing = timings.setdefault((rows, tool.name), Timing())
                timing.walls.append(wall)
                timing.peaks.append(peak)
                if not timing.triples:
                    timing.triples = count_triples(to_run.output)
                to_run.output.unlink()
    return timings


def time_queries(kg: Path) -> tuple[float, list[tuple[str, float, int]]]:
    """Seconds to load ``kg`` into Oxigraph, and each named query's seconds and answer rows."""
    from rdflib import Literal

    from osgraph.query import OxigraphEngine, bind_parameters, named_queries, run_query

    started = time.perf_counter()
    engine = OxigraphEngine.load(kg, None)
    loaded = time.perf_counter() - started
    answers = []
    for name, named in named_queries().items():
        given = dict.fromkeys(named.needs[:1], "Institution 000000")
        bindings = bind_parameters(given, named)
        started = time.perf_counter()
        result = run_query(engine, named.text, bindings)
        answers.append((name, time.perf_counter() - started, len(result.rows)))
        assert all(isinstance(term, Literal) for term in bindings.values())
    return loaded, answers


def time_commands() -> list[tuple[str, float]]:
    """Median wall seconds of ``osgraph --help`` (of 5) and of the bundled build (of 3)."""
    with tempfile.TemporaryDirectory() as folder:
        cases = [
            ("osgraph --help", [sys.executable, "-m", "osgraph", "--help"], 5),
            (
                "osgraph build (bundled list)",
                [sys.executable, "-m", "osgraph", "build", "-o", folder],
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
    queries: tuple[float, list[tuple[str, float, int]]] | None,
    commands: list[tuple[str, float]],
) -> str:
    lines = [
        "# osgraph benchmark",
        "",
        f"`python -m bench {' '.join(map(str, arguments.rows))} --runs {arguments.runs}` on "
        f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}. Wall time is the median of the runs; peak RSS the "
        "largest. Ratio: wall time over Morph-KGC's on the same list (below 1 is faster).",
        "",
        "| rows | tool | wall | triples | triples/s | peak RSS | ratio to Morph-KGC |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for (rows, name), timing in timings.items():
        reference = timings.get((rows, "morph-kgc"))
        ratio = f"{timing.wall / reference.wall:.2f}" if reference else "-"
        lines.append(
            f"| {rows:,} | {name} | {timing.wall:.1f} s | {timing.triples:,} "
            f"| {timing.triples / timing.wall:,.0f} | {max(timing.peaks) / 2**20:,.0f} MB "
            f"| {ratio} |"
        )
    if queries:
        loaded, answers = queries
        largest = max(arguments.rows)
        lines += [
            "",
            f"Named queries on the graph of {largest:,} rows, with Oxigraph (loading the Turtle: "
            f"{loaded:.1f} s):",
            "",
            "| query | seconds | rows |",
            "| --- | ---: | ---: |",
        ]
        lines += [f"| {name} | {seconds:.2f} | {rows:,} |" for name, seconds, rows in answers]
    lines += ["", "| command | wall |", "| --- | ---: |"]
    lines += [f"| `{label}` | {seconds:.2f} s |" for label, seconds in commands]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--validate-up-to", type=int, default=10_000)
    parser.add_argument("--baselines-up-to", type=int, default=100_000)
    arguments = parser.parse_args()
    peers = tools(arguments.validate_up_to, arguments.baselines_up_to)
    with tempfile.TemporaryDirectory(prefix="osgraph-bench-") as folder:
        timings = run_builds(arguments.rows, arguments.runs, peers, Path(folder))
        largest = max(arguments.rows)
        work = Path(folder) / str(largest)
        print(f"building {largest:,} rows once more, to query it...", flush=True)
        kg = work / "osgraph.ttl"
        subprocess.run(
            osgraph_build(work, work, "--no-validate"), check=True, stdout=subprocess.DEVNULL
        )
        queries = time_queries(kg)
    commands = time_commands()
    text = report(arguments, timings, queries, commands)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
