"""The README documents every command and option, and the output it shows is what they print;
every command's help names its options and says what it does.

(The README's Python example runs as a doctest: see ``testpaths`` in pyproject.toml.)
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
import typer.core
import typer.main
from typer.testing import CliRunner

import osgraph._errors
from osgraph._cli import app

from .conftest import run_osgraph

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


Command = typer.core.TyperCommand | typer.core.TyperGroup


def commands(group: typer.core.TyperGroup, path: tuple[str, ...] = ()) -> list[tuple[str, Command]]:
    """Every command of ``group``, and of its groups, by its words (``gazetteer import-ror``)."""
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((" ".join((*path, name)), command))
        if isinstance(command, typer.core.TyperGroup):
            found += commands(command, (*path, name))
    return found


ROOT_COMMAND = typer.main.get_command(app)
assert isinstance(ROOT_COMMAND, typer.core.TyperGroup)
COMMANDS = commands(ROOT_COMMAND)
NAMES = [name for name, _ in COMMANDS]
SECTIONS = re.split(r"^#{2,3} ", README, flags=re.MULTILINE)


def whole(option: str) -> re.Pattern[str]:
    """``option`` as a whole word: ``--out`` is not in ``--output``, ``-o`` not in ``-of``."""
    return re.compile(rf"(?<![\w-]){re.escape(option)}(?![\w-])")


def options(command: Command) -> list[typer.core.TyperOption]:
    return [p for p in command.params if isinstance(p, typer.core.TyperOption)]


def test_there_is_a_command_for_each_stage() -> None:
    assert len(COMMANDS) == 14
    assert {"build", "resolve", "gazetteer import-ror", "query", "serve", "view"} <= set(NAMES)


def test_readme_shows_the_two_set_up_commands() -> None:
    assert "make run" in README
    assert "make test" in README


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=NAMES)
def test_every_option_is_in_the_readme_where_its_command_is(name: str, command: Command) -> None:
    """Each long option, as a whole word, in a section of the README that shows the command."""
    sections = [section for section in SECTIONS if whole(f"osgraph {name}").search(section)]
    assert sections, f"osgraph {name} is not in README.md"
    for option in options(command):
        for long in (o for o in [*option.opts, *option.secondary_opts] if o.startswith("--")):
            assert any(whole(long).search(section) for section in sections), (
                f"osgraph {name} {long} is not in a section of README.md on osgraph {name}"
            )


def test_the_option_check_sees_a_missing_option() -> None:
    assert not whole("--network").search("--networks, -n, --net work, --network-kind")
    assert not whole("-f").search("--format -fx")
    assert whole("-f").search("(`-f`)") and whole("--format").search("--format csv")


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=NAMES)
def test_each_command_has_useful_help(name: str, command: Command) -> None:
    result = CliRunner().invoke(app, [*name.split(), "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: osgraph {name} ")
    words = " ".join(result.stdout.split())
    callback = command.callback
    doc = inspect.getdoc(callback) if callback is not None else command.help
    if isinstance(command, typer.core.TyperGroup):  # a group's help is its Typer's help=
        doc = command.help
    assert doc, f"osgraph {name} says nothing of what it does"
    first_line = " ".join(doc.splitlines()[0].split())
    assert first_line in words, (first_line, result.stdout)
    for option in options(command):
        for flag in [*option.opts, *option.secondary_opts]:
            assert whole(flag).search(result.stdout), f"osgraph {name} --help lacks {flag}"


def test_the_readme_gives_the_exit_codes_of_osgraph_errors() -> None:
    documented = re.findall(r"^- (\d): (.+?)(?=^- |\Z)", osgraph._errors.__doc__ or "", re.M | re.S)
    table = dict(re.findall(r"^\| `(\d)` \| (.+?) \|$", README, flags=re.MULTILINE))
    assert [code for code, _ in documented] == ["0", "1", "2", "3"] == sorted(table)
    for code, meaning in documented:
        assert table[code] == " ".join(meaning.split()).rstrip(";."), code


def run(*args: str) -> tuple[int, str]:
    """The exit code and standard output of the command, run in this process."""
    result = run_osgraph(*args, cwd=Path.cwd())
    return result.returncode, result.stdout


@pytest.mark.parametrize(
    "marker", re.findall(r"<!-- output: (.+?) -->", README), ids=lambda marker: marker
)
def test_output_shown_in_the_readme_is_real(
    marker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    block = README.split(f"<!-- output: {marker} -->\n```console\n", 1)[1].split("```", 1)[0]
    command_line, *shown = block.splitlines()
    assert command_line == f"$ {marker}"
    # Run from the checkout, as the README does, but write into the test's own folder.
    monkeypatch.chdir(ROOT)
    code, printed = run(*marker.split()[1:], "--out", str(tmp_path / "build"))
    assert code == 0
    lines = printed.replace(str(tmp_path / "build"), "build").splitlines()
    assert without_timings(lines) == without_timings(shown)


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
    result = CliRunner().invoke(
        app, ["query", "--format", "csv", "--kg", str(bundled_kg), "-"], input=query
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == shown.splitlines()
    assert len(shown.splitlines()) > 1


def test_the_turtle_shown_in_the_readme_is_what_the_build_writes(bundled_kg: Path) -> None:
    written = bundled_kg.read_text(encoding="utf-8")
    (excerpt,) = re.findall(r"```turtle\n(.*?)```", README, flags=re.DOTALL)
    statements = excerpt.strip().split("\n\n")
    assert len(statements) > 1
    for statement in statements:
        assert f"\n{statement}\n" in written, statement
