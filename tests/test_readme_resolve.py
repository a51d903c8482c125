"""The README's example of `osgraph resolve` shows what the command prints."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from osgraph._cli import app

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_the_resolve_example_is_what_the_command_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    block = README.split("<!-- resolve example -->\n```console\n", 1)[1].split("```", 1)[0]
    listing, rest = block.split("$ osgraph resolve my-list.csv --draft draft.toml\n", 1)
    printed = rest.split("$ osgraph resolve\n", 1)[0]
    (tmp_path / "my-list.csv").write_text(
        listing.removeprefix("$ cat my-list.csv\n"), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["resolve", "my-list.csv", "--draft", "draft.toml"])
    assert result.exit_code == 1
    assert result.output == printed
    drafts = tomllib.loads((tmp_path / "draft.toml").read_text(encoding="utf-8"))["institution"]
    assert [entry["name"] for entry in drafts] == ["Tsinghua Univ"]
