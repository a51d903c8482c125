"""The README documents every command and option, and the output it shows is what they print.

(The README's Python example runs as a doctest: see ``testpaths`` in pyproject.toml.)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.core
import typer.main

from osgraph._cli import app

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMAND = typer.main.get_command(app)
assert isinstance(COMMAND, typer.core.TyperGroup)
SUBCOMMANDS = sorted(COMMAND.commands.items())


def test_readme_shows_the_two_set_up_commands() -> None:
    assert "make run" in README
    assert "make test" in README


@pytest.mark.parametrize(("name", "command"), SUBCOMMANDS, ids=[name for name, _ in SUBCOMMANDS])
def test_every_command_and_option_is_in_the_readme(
    name: str, command: typer.core.TyperCommand
) -> None:
    assert f"osgraph {name}" in README
    for parameter in command.params:
        if isinstance(parameter, typer.core.TyperOption):
            assert any(option in README for option in parameter.opts if option != "--help"), (
                f"osgraph {name} {parameter.opts[0]} is not in README.md"
            )


@pytest.mark.parametrize(
    "marker", re.findall(r"<!-- output: (.+?) -->", README), ids=lambda marker: marker
)
def test_output_shown_in_the_readme_is_real(marker: str, tmp_path: Path) -> None:
    block = README.split(f"<!-- output: {marker} -->\n```console\n", 1)[1].split("```", 1)[0]
    command_line, *shown = block.splitlines()
    assert command_line == f"$ {marker}"
    executable = shutil.which("osgraph", path=str(Path(sys.executable).parent))
    assert executable is not None
    # Run from the checkout, as the README does, but write into the test's own folder.
    result = subprocess.run(
        [executable, *marker.split()[1:], "--out", str(tmp_path / "build")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    printed = result.stdout.replace(str(tmp_path / "build"), "build").splitlines()
    assert without_timings(printed) == without_timings(shown)


def without_timings(lines: list[str]) -> list[str]:
    """The lines, with the seconds of a build's stages (never twice the same) left out."""
    return [
        re.sub(r"\d+\.\d s", "… s", line) if line.startswith("Took ") else line for line in lines
    ]


@pytest.mark.parametrize(
    "block",
    re.findall(r"<!-- sparql -->\n```console\n(.*?)```", README, flags=re.DOTALL),
    ids=lambda block: block.splitlines()[-1],
)
def test_sparql_examples_in_the_readme_give_the_answers_shown(block: str, bundled_kg: Path) -> None:
    command_line, rest = block.split("\n", 1)
    assert command_line == "$ osgraph query --format csv - <<'EOF'"
    query, shown = rest.split("EOF\n", 1)
    result = subprocess.run(
        [sys.executable, "-m", "osgraph", "query", "--format", "csv", "--kg", str(bundled_kg), "-"],
        input=query,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines() == shown.splitlines()
    assert len(shown.splitlines()) > 1
