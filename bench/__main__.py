"""Time ``osgraph build`` on synthetic lists of growing size and write ``bench/results.md``.

Each size is generated once (see :mod:`bench.generate`), then built in a fresh process, with and
without SHACL validation, so that the wall time and the peak resident memory are the build's
alone. The machine it ran on heads the table.

Usage: python -m bench [ROWS ...]   (default: 1000 10000)
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.generate import generate_list

RESULTS = Path(__file__).parent / "results.md"


def time_build(source: Path, out: Path, *, validate: bool) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of ``osgraph build`` of ``source``, in a new process."""
    command = [sys.executable, "-m", "osgraph", "build", str(source), "--out", str(out)]
    if not validate:
        command.append("--no-validate")
    started = time.perf_counter()
    # A process per run: ru_maxrss of the children is then the build's peak, not ours.
    runner = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
        "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", runner, *command], capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - started
    kilobytes = int(done.stdout.strip())
    return wall, kilobytes * 1024 if platform.system() == "Linux" else kilobytes


def count_triples(turtle: Path) -> int:
    """The number of triples in a Turtle file (parsed by Oxigraph, which is quick)."""
    import pyoxigraph

    return sum(1 for _ in pyoxigraph.parse(path=str(turtle), format=pyoxigraph.RdfFormat.TURTLE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="*", default=[1000, 10000])
    sizes = parser.parse_args().rows
    lines = [
        "# osgraph build benchmark",
        "",
        f"`python -m bench {' '.join(map(str, sizes))}` on {platform.platform()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}.",
        "",
        "| rows | validation | wall | rows/s | triples | triples/s | peak RSS |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    with tempfile.TemporaryDirectory(prefix="osgraph-bench-") as folder:
        for rows in sizes:
            source = generate_list(rows, Path(folder) / f"list-{rows}.csv")
            for validate in (False, True):
                out = Path(folder) / f"out-{rows}-{validate}"
                print(f"building {rows} rows, validation {'on' if validate else 'off'}...")
                wall, peak = time_build(source, out, validate=validate)
                triples = count_triples(out / "osgraph.ttl")
                lines.append(
                    f"| {rows:,} | {'on' if validate else 'off'} | {wall:.1f} s "
                    f"| {rows / wall:,.0f} | {triples:,} | {triples / wall:,.0f} "
                    f"| {peak / 2**20:,.0f} MB |"
                )
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
