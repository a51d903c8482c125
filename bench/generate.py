"""Deterministic synthetic lists for the benchmark, in osgraph's CSV format.

Each row is a project built by one to three institutions, drawn with Zipf-like reuse from a pool
of institutions (one in every 25 rows, at least 100), each based in one of 80 countries; the
countries cell names each institution's country in the same order. The same size and seed always
give the same bytes.

Usage: python -m bench.generate ROWS OUT.csv [--seed N]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
from pathlib import Path

import pycountry

COUNTRIES = sorted(country.name for country in pycountry.countries if "," not in country.name)[:80]


def generate_list(rows: int, out: Path, seed: int = 2023) -> Path:
    """Write a ``rows``-row list to ``out`` and return it."""
    chooser = random.Random(seed)
    pool = max(100, rows // 25)
    countries = [chooser.choice(COUNTRIES) for _ in range(pool)]
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(pool)))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["project", "institutions", "countries"])
        for row in range(rows):
            count = chooser.choice((1, 1, 1, 2, 2, 3))
            picked = dict.fromkeys(chooser.choices(range(pool), cum_weights=cumulative, k=count))
            writer.writerow(
                [
                    f"Project {row:07d}",
                    "; ".join(f"Institution {index:06d}" for index in picked),
                    "; ".join(countries[index] for index in picked),
                ]
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=2023)
    arguments = parser.parse_args()
    generate_list(arguments.rows, arguments.out, arguments.seed)


if __name__ == "__main__":
    main()
