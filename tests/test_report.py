"""The one-page report: its numbers are the graph's, it needs no other host, names stay text.

The bundled graph's report is made once for the module, by the command."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from osgraph import build, open_engine, write_turtle
from osgraph._report import render_report

from .conftest import WriteFile, run_osgraph


@pytest.fixture(scope="module")
def reported(
    bundled_kg: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`osgraph report` on the bundled graph: what it said, and the folder it wrote to."""
    out = tmp_path_factory.mktemp("report")
    return run_osgraph("report", "--kg", str(bundled_kg), "--out", str(out), cwd=out), out


def test_the_report_shows_the_graphs_numbers(
    reported: tuple[subprocess.CompletedProcess[str], Path], rows: list
) -> None:
    page = (reported[1] / "report.html").read_text(encoding="utf-8")
    counts = {name: value for value, name in re.findall(r"<li><b>(\d+)</b>(\w+)</li>", page)}
    assert counts == {
        "lists": "1", "rows": "102", "projects": "101", "institutions": "95",
        "countries": "17", "contributions": "128",
    }  # fmt: skip
    assert len(rows) == int(counts["rows"])
    bars = re.findall(r'<td class="name">([^<]+)</td><td class="value">(\d+)</td>', page)
    assert ("United States", "45") in bars and ("China", "40") in bars
    assert ("Alibaba Group", "6") in bars
    assert "<td>ArchProbe</td><td>Tsinghua University</td><td>Microsoft</td>" in page
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_names_in_the_report_stay_text(write_file: WriteFile, tmp_path: Path) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    source = write_file(
        "h.csv", f'project,institutions,countries\n"{hostile}",Zzz;Yyy;Xxx,UK|USA\n'
    )
    kg = write_turtle(build([source]).graph, tmp_path / "h.ttl")
    page = render_report(open_engine(kg), "test").decode()
    assert hostile not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # listed among the unaligned rows


def test_the_report_command(reported: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    done, out = reported
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"Wrote {out / 'report.html'}.\n"
    assert "Projects per country" in (out / "report.html").read_text()
