"""The benchmark's synthetic lists are deterministic and osgraph reads every row of them."""

from __future__ import annotations

import csv
from pathlib import Path

from bench.generate import generate_list

from osgraph import build


def test_a_synthetic_list_is_the_same_every_time_and_builds_whole(tmp_path: Path) -> None:
    first = generate_list(300, tmp_path / "a.csv")
    second = generate_list(300, tmp_path / "b.csv")
    assert first.read_bytes() == second.read_bytes()
    assert generate_list(300, tmp_path / "c.csv", seed=1).read_bytes() != first.read_bytes()

    with first.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 300
    institutions = {name for row in rows for name in row["institutions"].split("; ")}
    contributions = sum(len(row["institutions"].split("; ")) for row in rows)

    summary = build([first], validate=False).summary
    assert (summary.rows_read, summary.rows_rejected, summary.projects) == (300, 0, 300)
    assert summary.institutions == len(institutions)
    assert summary.contributions == contributions
    assert summary.unaligned_rows == 0
