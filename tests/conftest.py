"""Fixtures shared by the test suite."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from osgraph import BuildOptions, BuildResult, build, bundled_list
from osgraph._cli import app


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that asks for the ``browser`` fixture is a ``browser`` test, so that
    ``-m "not browser"`` leaves out exactly the tests that need Chromium."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def run_osgraph(
    *args: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``osgraph ARGS`` in this process (typer's runner) in the folder ``cwd``, with the
    variables ``env`` added to the environment: the exit code, standard output and standard
    error the ``osgraph`` process gives, without the second or so a process spends starting.
    An exception that escapes the command, which a user would see as a traceback, fails."""
    with contextlib.chdir(cwd):
        result = CliRunner().invoke(app, list(args), input=stdin, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"osgraph {' '.join(args)} raised") from result.exception
    return subprocess.CompletedProcess(
        ["osgraph", *args], result.exit_code, result.stdout, result.stderr
    )


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
