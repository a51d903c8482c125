"""The ``osgraph`` command: its output and exit codes, run in this process as typer's runner
runs it; a real process where the test is about one (the folder it runs in, ``python -m``, the
installed console script)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from osgraph import BuildResult
from osgraph._cli import app

from .conftest import WriteFile, run_osgraph


def osgraph(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the command in this process, in the test's folder (see :func:`run_osgraph`)."""
    return run_osgraph(*args, cwd=Path.cwd())


def console_script(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed ``osgraph`` console script in ``cwd``."""
    executable = shutil.which("osgraph", path=str(Path(sys.executable).parent))
    assert executable, "the osgraph console script is not installed beside this Python"
    return subprocess.run(
        [executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test runs in its own folder, where the command writes build/."""
    monkeypatch.chdir(tmp_path)


def test_build_with_no_arguments_builds_the_bundled_list_into_build(
    tmp_path: Path, bundled: BuildResult
) -> None:
    result = osgraph("build")
    assert result.returncode == 0, result.stderr
    written = tmp_path / "build" / "osgraph.ttl"
    assert written.is_file()
    # Every node is named: the same triples, not merely an isomorphic graph.
    assert set(Graph().parse(written)) == set(bundled.graph)
    summary = result.stdout
    assert "Read 102 rows from 1 list (open100-2022-2023)." in summary
    for label, count in [("projects", 101), ("institutions", 95), ("countries", 17)]:
        assert any(line.split() == [label, str(count)] for line in summary.splitlines()), label
    assert any(line.split() == ["unaligned", "rows", "0"] for line in summary.splitlines())
    assert "Service Weaver is listed 2 times" in summary
    assert result.stderr == ""


def python_m_osgraph(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m osgraph`` in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "osgraph", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.process
def test_build_is_byte_identical_from_different_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    # A new process in one folder, this one in another: nothing either has cached from a
    # folder can carry over. Validation writes nothing: the bytes are the same without it.
    built = python_m_osgraph("build", "--out", "out", "--no-validate", cwd=tmp_path / "a")
    assert built.returncode == 0, built.stderr
    elsewhere = str(tmp_path / "b" / "elsewhere")
    built = run_osgraph("build", "--out", elsewhere, "--no-validate", cwd=tmp_path / "b")
    assert built.returncode == 0, built.stderr
    first = (tmp_path / "a" / "out" / "osgraph.ttl").read_bytes()
    second = (tmp_path / "b" / "elsewhere" / "osgraph.ttl").read_bytes()
    assert first == second


def test_build_reads_several_sources_and_takes_a_base(
    write_file: WriteFile, tmp_path: Path
) -> None:
    write_file("a.csv", "project,institutions,countries\nWhisper,OpenAI,USA\n")
    write_file("b.md", "| Project | Institution | Country |\n|-|-|-|\n| Burn | Burn | Canada |\n")
    result = osgraph("build", "a.csv", "b.md", "--base", "https://example.org/kg/")
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
    result = osgraph(*args)
    assert result.returncode == 1
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "build" / "osgraph.ttl").exists()


def test_a_missing_list_exits_3_as_a_file_that_cannot_be_read(tmp_path: Path) -> None:
    result = osgraph("build", "missing.md")
    assert result.returncode == 3
    assert result.stderr == "osgraph: error: missing.md: no such file\n"
    assert not (tmp_path / "build" / "osgraph.ttl").exists()


def test_a_value_osgraph_cannot_use_exits_2_like_any_wrong_command_line(tmp_path: Path) -> None:
    result = osgraph("build", "--base", "not-an-iri")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("osgraph: error: the base IRI 'not-an-iri'")
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "build" / "osgraph.ttl").exists()


def test_a_failed_build_leaves_the_previous_graph_whole(
    tmp_path: Path, write_file: WriteFile
) -> None:
    write_file("good.csv", "project,institutions,countries\nWhisper,OpenAI,USA\n")
    assert osgraph("build", "good.csv").returncode == 0
    before = (tmp_path / "build" / "osgraph.ttl").read_bytes()
    write_file("bad.csv", "project,institutions,countries\n,X,UK\n")
    assert osgraph("build", "bad.csv").returncode == 1
    assert (tmp_path / "build" / "osgraph.ttl").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "build").iterdir()) == [
        "osgraph.oxigraph",  # the store of the previous graph, whole too
        "osgraph.ttl",
    ]


def test_an_output_path_that_is_a_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file, not a folder")
    result = osgraph("build", "--out", "taken")
    assert result.returncode == 3
    assert result.stderr.startswith("osgraph: error: cannot write taken/osgraph.ttl")
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = osgraph("build", "--no-such-option")
    assert result.returncode == 2
    assert "No such option" in result.stderr


def test_help_names_every_command() -> None:
    import typer.core
    import typer.main

    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    result = osgraph("--help")
    assert result.returncode == 0
    for command in group.commands:
        assert re.search(rf"^  {command} ", result.stdout, re.MULTILINE), command


@pytest.mark.process
def test_the_installed_console_script_runs_the_command(tmp_path: Path) -> None:
    result = console_script("--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"osgraph \S+\n", result.stdout)


@pytest.mark.process
def test_python_dash_m_runs_the_same_command(tmp_path: Path) -> None:
    result = python_m_osgraph("--help", cwd=tmp_path)
    assert result.returncode == 0
    usage, *rest = result.stdout.splitlines()
    assert usage.startswith("Usage: python -m osgraph [OPTIONS] COMMAND")
    listed = re.compile(r"^  (\S+)  ", re.MULTILINE)
    commands = listed.findall("\n".join(rest))
    assert "build" in commands and commands == listed.findall(osgraph("--help").stdout)


def test_a_build_reports_its_progress_and_the_time_of_each_stage(tmp_path: Path) -> None:
    from osgraph._build import BuildOptions, build_file

    told: list[tuple[str, int, int]] = []
    options = BuildOptions(validate=False, progress=lambda *report: told.append(report))
    summary = build_file(None, tmp_path / "k.ttl", options)
    stages = list(dict.fromkeys(stage for stage, _, _ in told))
    assert stages == ["read", "resolve", "write"]  # loading the store reports no progress
    assert [name for name, _ in summary.seconds] == ["read", "resolve", "write", "store"]
    for stage in stages:
        reports = [(done, total) for name, done, total in told if name == stage]
        assert [done for done, _ in reports] == sorted(done for done, _ in reports)
        assert reports[-1][0] == reports[-1][1] > 0
    assert all(seconds >= 0 for _, seconds in summary.seconds)


def test_the_summary_says_how_long_each_stage_took(tmp_path: Path) -> None:
    result = osgraph("build", "--no-validate")
    assert result.returncode == 0, result.stderr
    took = r"^Took [\d.]+ s \(read [\d.]+ s, resolve [\d.]+ s, write [\d.]+ s, store [\d.]+ s\)\.$"
    assert re.search(took, result.stdout, re.MULTILINE), result.stdout


def test_notices_of_a_kind_are_cut_short_unless_all_are_asked_for(
    tmp_path: Path, write_file: WriteFile
) -> None:
    rows = "".join(f"P{n},Unknown Institute {n},France\n" for n in range(25))
    source = write_file("many.csv", "project,institutions,countries\n" + rows)
    short = osgraph("build", str(source), "--no-validate")
    assert short.stdout.count("is neither in the gazetteer nor in ROR") == 10
    assert "... and 15 more unknown-institution notices (--all-notices prints them)" in short.stdout
    every = osgraph("build", str(source), "--no-validate", "--all-notices")
    assert every.stdout.count("is neither in the gazetteer nor in ROR") == 25


def test_the_defaults_of_serve_and_network_are_the_librarys() -> None:
    """The command line cannot import osgraph._serve or osgraph._network for their defaults (it
    would load rdflib and networkx for --help): it states them, and they must agree."""
    import inspect

    from osgraph import _cli, _network, _serve

    serve = {name: p.default for name, p in inspect.signature(_cli.serve).parameters.items()}
    assert serve["host"] == _serve.DEFAULT_HOST and serve["port"] == _serve.DEFAULT_PORT
    assert serve["timeout"] == _serve.DEFAULT_TIMEOUT
    assert serve["row_limit"] == _serve.DEFAULT_ROW_LIMIT
    assert serve["workers"] == _serve.DEFAULT_WORKERS
    assert serve["memory_limit"] * 2**20 == _serve.DEFAULT_MEMORY_LIMIT
    for command in (_cli.network, _cli.view):
        kind = inspect.signature(command).parameters["kind"].default
        assert kind == _network.DEFAULT_NETWORK
    assert inspect.signature(_cli.network).parameters["format"].default == _network.FORMATS[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["network", "-f", "png"], "--format 'png': choose one of graphml, gexf, json"),
        (["network", "-n", "cities"], "no network 'cities'; choose one of bipartite,"),
        (["view", "-n", "cities"], "no network 'cities'; choose one of bipartite,"),
        (["serve", "--port", "99999"], "the port must be from 0 to 65535, not 99999"),
        (["push", "--endpoint", "http://127.0.0.1:9/", "--timeout", "nan"], "--timeout nan:"),
    ],
)
def test_a_value_a_command_cannot_use_exits_2(
    bundled_kg: Path, args: list[str], message: str
) -> None:
    result = osgraph(*args, "--kg", str(bundled_kg))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"osgraph: error: {message}" + result.stderr.split(message, 1)[1]


def test_view_says_what_it_wrote(bundled_kg: Path, tmp_path: Path) -> None:
    result = osgraph("view", "--kg", str(bundled_kg), "--out", "view.html")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "Wrote view.html: 196 nodes, 126 edges.\n"
    assert (tmp_path / "view.html").read_bytes().startswith(b"<!doctype html>")


def test_queries_lists_each_query_with_its_parameters() -> None:
    from osgraph import named_queries

    result = osgraph("queries")
    assert result.returncode == 0
    names = [line for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert names == list(named_queries())
    assert "    --param country=...  " in result.stdout
