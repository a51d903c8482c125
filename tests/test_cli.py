"""The ``osgraph`` command, run as a user runs it: a real process, its output and exit code."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from osgraph import build

from .conftest import WriteFile

COMMANDS = ["build", "resolve"]


def osgraph(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("osgraph", path=str(Path(sys.executable).parent))
    assert executable, "the osgraph console script is not installed beside this Python"
    return subprocess.run(
        [executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_build_with_no_arguments_builds_the_bundled_list_into_build(tmp_path: Path) -> None:
    result = osgraph("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = tmp_path / "build" / "osgraph.ttl"
    assert written.is_file()
    assert isomorphic(Graph().parse(written), build().graph)
    summary = result.stdout
    assert "Read 102 rows from 1 list (open100-2022-2023)." in summary
    for label, count in [("projects", 101), ("institutions", 95), ("countries", 17)]:
        assert any(line.split() == [label, str(count)] for line in summary.splitlines()), label
    assert any(line.split() == ["unaligned", "rows", "0"] for line in summary.splitlines())
    assert "Service Weaver is listed 2 times" in summary
    assert result.stderr == ""


def test_build_is_byte_identical_from_different_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    osgraph("build", "--out", "out", cwd=tmp_path / "a")
    osgraph("build", "--out", str(tmp_path / "b" / "elsewhere"), cwd=tmp_path / "b")
    first = (tmp_path / "a" / "out" / "osgraph.ttl").read_bytes()
    second = (tmp_path / "b" / "elsewhere" / "osgraph.ttl").read_bytes()
    assert first == second


def test_build_reads_several_sources_and_takes_a_base(
    write_file: WriteFile, tmp_path: Path
) -> None:
    write_file("a.csv", "project,institutions,countries\nWhisper,OpenAI,USA\n")
    write_file("b.md", "| Project | Institution | Country |\n|-|-|-|\n| Burn | Burn | Canada |\n")
    result = osgraph("build", "a.csv", "b.md", "--base", "https://example.org/kg/", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Read 2 rows from 2 lists (a, b)." in result.stdout
    turtle = (tmp_path / "build" / "osgraph.ttl").read_text(encoding="utf-8")
    assert "<https://example.org/kg/project/>" in turtle


@pytest.mark.parametrize(
    ("args", "files", "message"),
    [
        (
            ["build", "bad.md"],
            {"bad.md": "| Project | Institution | Country |\n|-|-|-|\n| A | B |\n"},
            "osgraph: error: bad.md:3: the row has 2 cells where the header has 3\n",
        ),
        (
            ["build", "gbk.csv"],
            {"gbk.csv": "project,institutions,countries\n成果,机构,国\n".encode("gb18030")},
            "osgraph: error: gbk.csv:2: is not UTF-8",
        ),
    ],
)
def test_bad_input_exits_1_with_a_message_and_no_traceback(
    tmp_path: Path,
    write_file: WriteFile,
    args: list[str],
    files: dict[str, str | bytes],
    message: str,
) -> None:
    for name, content in files.items():
        write_file(name, content)
    result = osgraph(*args, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "build" / "osgraph.ttl").exists()


def test_a_missing_list_exits_3_as_a_file_that_cannot_be_read(tmp_path: Path) -> None:
    result = osgraph("build", "missing.md", cwd=tmp_path)
    assert result.returncode == 3
    assert result.stderr == "osgraph: error: missing.md: no such file\n"
    assert not (tmp_path / "build" / "osgraph.ttl").exists()


def test_a_value_osgraph_cannot_use_exits_2_like_any_wrong_command_line(tmp_path: Path) -> None:
    result = osgraph("build", "--base", "not-an-iri", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("osgraph: error: the base IRI 'not-an-iri'")
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "build" / "osgraph.ttl").exists()


def test_a_failed_build_leaves_the_previous_graph_whole(
    tmp_path: Path, write_file: WriteFile
) -> None:
    assert osgraph("build", cwd=tmp_path).returncode == 0
    before = (tmp_path / "build" / "osgraph.ttl").read_bytes()
    write_file("bad.csv", "project,institutions,countries\n,X,UK\n")
    assert osgraph("build", "bad.csv", cwd=tmp_path).returncode == 1
    assert (tmp_path / "build" / "osgraph.ttl").read_bytes() == before
    assert [p.name for p in (tmp_path / "build").iterdir()] == ["osgraph.ttl"]


def test_an_output_path_that_is_a_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file, not a folder")
    result = osgraph("build", "--out", "taken", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("osgraph: error: cannot write taken/osgraph.ttl")
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = osgraph("build", "--no-such-option", cwd=tmp_path)
    assert result.returncode == 2
    assert "No such option" in result.stderr


def test_help_names_every_command(tmp_path: Path) -> None:
    result = osgraph("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_useful_help(tmp_path: Path, command: str) -> None:
    result = osgraph(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "Usage: osgraph " + command in result.stdout
    assert len(result.stdout.splitlines()) > 8


def test_version(tmp_path: Path) -> None:
    result = osgraph("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("osgraph ")


def test_python_dash_m_runs_the_same_command(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "osgraph", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "build" in result.stdout


def test_a_build_reports_its_progress_and_the_time_of_each_stage(tmp_path: Path) -> None:
    from osgraph._build import BuildOptions, build_file

    told: list[tuple[str, int, int]] = []
    options = BuildOptions(validate=False, progress=lambda *report: told.append(report))
    summary = build_file(None, tmp_path / "k.ttl", options)
    stages = list(dict.fromkeys(stage for stage, _, _ in told))
    assert stages == ["read", "resolve", "write"] == [name for name, _ in summary.seconds]
    for stage in stages:
        reports = [(done, total) for name, done, total in told if name == stage]
        assert [done for done, _ in reports] == sorted(done for done, _ in reports)
        assert reports[-1][0] == reports[-1][1] > 0
    assert all(seconds >= 0 for _, seconds in summary.seconds)


def test_the_summary_says_how_long_each_stage_took(tmp_path: Path) -> None:
    result = osgraph("build", "--no-validate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    took = r"^Took [\d.]+ s \(read [\d.]+ s, resolve [\d.]+ s, write [\d.]+ s\)\.$"
    assert re.search(took, result.stdout, re.MULTILINE), result.stdout


def test_notices_of_a_kind_are_cut_short_unless_all_are_asked_for(
    tmp_path: Path, write_file: WriteFile
) -> None:
    rows = "".join(f"P{n},Unknown Institute {n},France\n" for n in range(25))
    source = write_file("many.csv", "project,institutions,countries\n" + rows)
    short = osgraph("build", str(source), "--no-validate", cwd=tmp_path)
    assert short.stdout.count("is neither in the gazetteer nor in ROR") == 10
    assert "... and 15 more unknown-institution notices (--all-notices prints them)" in short.stdout
    every = osgraph("build", str(source), "--no-validate", "--all-notices", cwd=tmp_path)
    assert every.stdout.count("is neither in the gazetteer nor in ROR") == 25
