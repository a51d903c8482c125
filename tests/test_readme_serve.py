"""The README's endpoint example answers what the README shows, from the graph `osgraph build`
writes."""

from __future__ import annotations

import re
import shlex
import threading
from pathlib import Path

import httpx

from osgraph import BuildOptions, build_file
from osgraph._serve import make_server

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_the_curl_example_gives_the_answer_shown(tmp_path: Path) -> None:
    block = README.split("```console\n$ osgraph serve\n", 1)[1].split("```", 1)[0]
    announced, command, *shown = block.splitlines()
    assert announced.startswith("Serving build/osgraph.ttl at http://127.0.0.1:7878/")
    words = shlex.split(command.removeprefix("$ "))
    assert words[0] == "curl" and words[-1] == "http://127.0.0.1:7878/sparql"
    accept = words[words.index("-H") + 1].removeprefix("Accept: ")
    query = words[words.index("--data-urlencode") + 1].removeprefix("query=")

    kg = tmp_path / "build" / "osgraph.ttl"
    build_file(None, kg, BuildOptions(validate=False))  # the bundled list, as in the README
    server = make_server(kg, port=0, workers=1)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        answer = httpx.post(url, data={"query": query}, headers={"Accept": accept}, timeout=60)
    finally:
        server.shutdown()
        server.server_close()
    assert answer.status_code == 200
    assert answer.text.splitlines() == shown
    triples = re.search(r"Wrote build/osgraph.ttl \((\d+) triples\)", README)
    assert triples is not None and shown[-1] == triples[1]
