"""Fixtures shared by the test suite."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from osgraph import BuildOptions, BuildResult, build, bundled_list
from osgraph._cli import app


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that asks for the ``browser`` fixture is a ``browser`` test, so that
    ``-m "not browser"`` leaves out exactly the tests that need Chromium."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


COMMAND = typer.main.get_command(app)
"""The click command typer makes of osgraph's commands, made once: typer's runner makes it again
for every call (some 40 ms of CPU), which the suite's hundreds of in-process commands spent."""


def invoke_osgraph(
    args: Sequence[str], stdin: str | None = None, env: dict[str, str] | None = None
) -> tuple[int, bytes, bytes]:
    """Run ``osgraph ARGS`` in this process as typer's runner does (the same isolation of the
    standard streams and of ``env``, the same exit code), with :data:`COMMAND`: exit code,
    standard output and standard error as written. An exception that escapes the command, which
    a user would see as a traceback, is raised here and fails the test."""
    runner = CliRunner()
    with runner.isolation(input=stdin, env=env) as (out, err, _):
        try:
            COMMAND.main(args=list(args), prog_name=runner.get_default_prog_name(COMMAND))
            code = 0
        except SystemExit as done:
            code = 0 if done.code is None else done.code
            if not isinstance(code, int):  # sys.exit("message"), as the runner reports it
                sys.stdout.write(f"{code}\n")
                code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        return code, out.getvalue(), err.getvalue()


def run_osgraph(
    *args: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``osgraph ARGS`` in this process (:func:`invoke_osgraph`) in the folder ``cwd``, with
    the variables ``env`` added to the environment: the exit code, standard output and standard
    error the ``osgraph`` process gives (as text, lines ended by \\n as typer's runner gives
    them), without the second or so a process spends starting."""
    with contextlib.chdir(cwd):
        code, out, err = invoke_osgraph(args, stdin, env)
    return subprocess.CompletedProcess(["osgraph", *args], code, as_text(out), as_text(err))


def as_text(written: bytes) -> str:
    """What typer's runner gives as a stream's text."""
    return written.decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.fixture(scope="session")
def bundled() -> BuildResult:
    """The knowledge graph of the bundled list, built once for the session without checking it
    against the shapes (the tests of validation check it, and ask for it themselves)."""
    return build(options=BuildOptions(validate=False))


@pytest.fixture(scope="session")
def bundled_lines() -> list[str]:
    """The lines of the bundled list file, as published."""
    return bundled_list().read_text(encoding="utf-8").splitlines()


WriteFile = Callable[..., Path]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """Write a small source file into the test's folder and return its path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def bundled_kg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled list's graph, in the file `osgraph build` writes (the same call)."""
    from osgraph._build import build_file

    out = tmp_path_factory.mktemp("kg") / "osgraph.ttl"
    build_file(None, out, BuildOptions(validate=False))
    return out


SHARED_LISTS = Path(__file__).parents[2] / "shared" / "lists"


@pytest.fixture(scope="session")
def two_lists_kg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The graph of the bundled list and of OpenDigger's companies together (a real list that
    credits some of the same projects differently), written as `osgraph build` writes it."""
    from osgraph._build import BuildOptions, build_file

    out = tmp_path_factory.mktemp("two-lists") / "osgraph.ttl"
    lists = [bundled_list(), SHARED_LISTS / "opendigger-companies.csv"]
    build_file(lists, out, BuildOptions(validate=False))
    return out


# Areas where a country belongs, in a row of one country for all and in a row of one institution;
# and a row whose institutions and countries do not line up, so that it credits no institution.
AREAS = """project,institutions,countries
Alpha,Google;Meta,Multinational
Beta,ETH Zurich;Google,Switzerland;United States
Gamma,Tsinghua University;Alibaba;Meta,China;United States
Delta,Meta,European Union
Epsilon,Zorblat Widgets;Quuxly Labs,France;Germany;Italy
"""


@pytest.fixture(scope="session")
def areas_kg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small list with areas, rows of one country for all and of one institution, and a row
    that credits no institution, written as `osgraph build` writes it."""
    from osgraph._build import build_file

    folder = tmp_path_factory.mktemp("areas")
    (folder / "areas.csv").write_text(AREAS, encoding="utf-8")
    build_file([folder / "areas.csv"], folder / "osgraph.ttl", BuildOptions(validate=False))
    return folder / "osgraph.ttl"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright (no browser download). Outside CI, a
    machine without Chromium skips the browser tests; in CI, a missing Chromium fails them."""
    import os

    from bench.view import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.is_file():
        if os.environ.get("CI"):
            pytest.fail("CI needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)")
        pytest.skip("no Chromium at /usr/bin/chromium (apt-get install chromium) to run it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def rows() -> list[tuple[str, list[str], list[str]]]:
    """Every row of the bundled list, read independently of osgraph's reader."""
    from .independent import list_rows

    found = list_rows()
    assert len(found) == 102
    return found


@pytest.fixture(scope="session")
def canonical() -> dict[str, str]:
    """Any spelling of an institution → its canonical name, read from data/ directly."""
    from .independent import canonical_names

    return canonical_names()
