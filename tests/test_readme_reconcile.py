"""The README's reconciliation examples answer what the README shows, from a real
`osgraph serve` of the graph `osgraph build` writes for the bundled list."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_osgraph
from tests.test_reconcile import serving

from .web import http

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
BLOCK = README.split("<!-- reconcile example -->\n```console\n", 1)[1].split("```", 1)[0]
SHOWN_AT = "http://127.0.0.1:7878/reconcile"


def examples() -> list[tuple[list[str], str]]:
    """Each command of the example (its words before the pipe) and the output shown."""
    parts = re.split(r"^\$ (.*)\n", BLOCK, flags=re.MULTILINE)[1:]
    found = []
    for command, shown in zip(parts[::2], parts[1::2], strict=True):
        request, _, formatter = command.partition(" | ")
        assert formatter == "python3 -m json.tool --no-ensure-ascii"
        found.append((shlex.split(request), shown))
    return found


@pytest.fixture(scope="module")
def endpoint(bundled_kg: Path) -> Iterator[str]:
    yield from serving(bundled_kg)


@pytest.mark.parametrize(("words", "shown"), examples(), ids=["manifest", "queries"])
def test_the_curl_examples_give_the_answers_shown(
    endpoint: str, words: list[str], shown: str
) -> None:
    assert words[:2] == ["curl", "-s"] and words[-1] == SHOWN_AT
    # The manifest's view template names the host the client asked, as curl would.
    headers = {"Host": "127.0.0.1:7878"}
    if "--data-urlencode" in words:
        field, _, value = words[words.index("--data-urlencode") + 1].partition("=")
        answer = http.post(endpoint, data={field: value}, headers=headers, timeout=60)
    else:
        answer = http.get(endpoint, headers=headers, timeout=60)
    assert answer.status_code == 200
    # python3 -m json.tool indents by four spaces, and keeps the order of the keys.
    assert json.dumps(answer.json(), indent=4, ensure_ascii=False) + "\n" == shown


@pytest.fixture(scope="module")
def two_lists_endpoint(two_lists_kg: Path) -> Iterator[str]:
    yield from serving(two_lists_kg)


def test_the_resolve_service_example_is_what_the_command_prints(
    two_lists_endpoint: str, tmp_path: Path
) -> None:
    block = README.split("<!-- resolve service example -->\n```console\n", 1)[1].split("```")[0]
    listing, rest = block.split("$ osgraph resolve ", 1)
    command, rest = rest.split("\n", 1)
    printed, tail = rest.split("$ tail -3 draft.toml\n")
    (tmp_path / "pingcap.csv").write_text(
        listing.removeprefix("$ cat pingcap.csv\n"), encoding="utf-8"
    )
    url, words = two_lists_endpoint, command.split()
    words[words.index(SHOWN_AT)] = url
    result = run_osgraph("resolve", *words, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.replace(url, SHOWN_AT) == printed
    draft = (tmp_path / "draft.toml").read_text(encoding="utf-8").replace(url, SHOWN_AT)
    assert draft.splitlines()[-3:] == tail.splitlines()
