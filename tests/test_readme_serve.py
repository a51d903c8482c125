"""The README's endpoint examples answer what the README shows, from the graph `osgraph build`
writes."""

from __future__ import annotations

import re
import shlex
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from osgraph import BuildOptions, build_file
from osgraph._serve import make_server

from .web import http

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
SHOWN_AT = "127.0.0.1:7878"
"""The address the README's examples ask."""


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``osgraph serve`` on the graph ``osgraph build`` writes of the bundled list."""
    kg = tmp_path_factory.mktemp("readme") / "build" / "osgraph.ttl"
    build_file(None, kg, BuildOptions(validate=False))  # the bundled list, as in the README
    server = make_server(kg, port=0, workers=1)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def block(opening: str) -> list[str]:
    """The lines of the README's console block that starts with ``opening``."""
    return README.split(f"```console\n{opening}\n", 1)[1].split("```", 1)[0].splitlines()


def test_the_curl_example_gives_the_answer_shown(endpoint: str) -> None:
    announced, command, *shown = block("$ osgraph serve")
    assert announced.startswith(f"Serving build/osgraph.ttl at http://{SHOWN_AT}/")
    words = shlex.split(command.removeprefix("$ "))
    assert words[0] == "curl" and words[-1] == f"http://{SHOWN_AT}/sparql"
    accept = words[words.index("-H") + 1].removeprefix("Accept: ")
    query = words[words.index("--data-urlencode") + 1].removeprefix("query=")
    answer = http.post(
        f"{endpoint}/sparql", data={"query": query}, headers={"Accept": accept}, timeout=60
    )
    assert answer.status_code == 200
    assert answer.text.splitlines() == shown
    triples = re.search(r"Wrote build/osgraph.ttl \((\d+) triples\)", README)
    assert triples is not None and shown[-1] == triples[1]


def test_the_service_description_is_the_one_shown(endpoint: str) -> None:
    # curl sends the host it was given, which the description names the endpoint by.
    shown = block(f"$ curl http://{SHOWN_AT}/sparql")
    end = shown.index(f"$ curl -s http://{SHOWN_AT}/.well-known/void | head -n 30")
    answer = http.get(f"{endpoint}/sparql", headers={"Host": SHOWN_AT})
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/turtle"
    assert answer.text.splitlines() == shown[:end]
    void = http.get(f"{endpoint}/.well-known/void", headers={"Host": SHOWN_AT})
    assert void.status_code == 200
    assert void.text.splitlines()[:30] == shown[end + 1 :]
