"""Fixtures shared by the test suite."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from osgraph import BuildResult, build, bundled_list


@pytest.fixture(scope="session")
def bundled() -> BuildResult:
    """The knowledge graph of the bundled list, built once for the session."""
    return build()


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
def bundled_kg(bundled: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled list's graph, written to a Turtle file as `osgraph build` writes it."""
    from osgraph import write_turtle

    return write_turtle(bundled.graph, tmp_path_factory.mktemp("kg") / "osgraph.ttl")
