"""Push to a real Oxigraph server, started by the test on a free loopback port, then query it
through --endpoint and compare with the embedded answers."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from osgraph import OsgraphError, named_queries, open_engine, run_query
from osgraph._catalogue import bind_parameters
from osgraph._push import push_graph
from osgraph._remote import RemoteEngine

from .conftest import run_osgraph

GRAPH = "https://example.org/graphs/open100"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    executable = shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    assert executable, "the oxigraph server (PyPI package oxigraph) is a test dependency"
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen(
        [executable, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=1)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"oxigraph did not start: {process.stderr.read()!r}") from None  # type: ignore[union-attr]
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)
    process.stderr.close()  # type: ignore[union-attr]


def triples_in(url: str, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    answer = httpx.get(
        f"{url}/query",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    )
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def normalised(rows: list[dict[str, str | None]]) -> list[tuple]:
    return sorted(
        tuple(tuple(sorted(v.split(", "))) if v else () for v in row.values()) for row in rows
    )


def test_push_then_every_named_query_answers_as_embedded(
    oxigraph_server: str, two_lists_kg: Path
) -> None:
    push_graph(two_lists_kg, f"{oxigraph_server}/store", named_graph=GRAPH)
    remote = RemoteEngine(f"{oxigraph_server}/query", default_graph=GRAPH)
    embedded = open_engine(two_lists_kg, "oxigraph")
    for name, query in named_queries().items():
        parameters = {"institution": "Chinese Academy of Sciences"} if query.needs else {}
        bindings = bind_parameters(parameters, query)
        there = run_query(remote, query.text, bindings).as_dicts()
        here = run_query(embedded, query.text, bindings).as_dicts()
        assert normalised(there) == normalised(here), name
        assert here, name


def test_a_push_replaces_the_named_graph(
    oxigraph_server: str, bundled_kg: Path, tmp_path: Path
) -> None:
    push_graph(bundled_kg, f"{oxigraph_server}/store", named_graph=GRAPH)
    before = triples_in(oxigraph_server, GRAPH)
    push_graph(bundled_kg, f"{oxigraph_server}/store", named_graph=GRAPH)
    assert triples_in(oxigraph_server, GRAPH) == before  # replaced, not added to
    small = tmp_path / "small.ttl"
    small.write_text("<urn:a> <urn:b> <urn:c> .\n")
    push_graph(small, f"{oxigraph_server}/store", named_graph=GRAPH)
    assert triples_in(oxigraph_server, GRAPH) == 1


def test_a_refused_push_leaves_the_old_graph_whole(
    oxigraph_server: str, bundled_kg: Path, tmp_path: Path
) -> None:
    push_graph(bundled_kg, f"{oxigraph_server}/store", named_graph=GRAPH)
    before = triples_in(oxigraph_server, GRAPH)
    broken = tmp_path / "broken.ttl"
    broken.write_text(bundled_kg.read_text(encoding="utf-8")[:5000] + "\n<unterminated ;;; .\n")
    with pytest.raises(OsgraphError, match=r"refused the graph \(400\)"):
        push_graph(broken, f"{oxigraph_server}/store", named_graph=GRAPH)
    assert triples_in(oxigraph_server, GRAPH) == before


def test_push_and_query_through_the_command(
    oxigraph_server: str, bundled_kg: Path, tmp_path: Path
) -> None:
    store, sparql = f"{oxigraph_server}/store", f"{oxigraph_server}/query"
    push = ["push", "--endpoint", store, "--kg", str(bundled_kg), "--named-graph", GRAPH]
    pushed = run_osgraph(*push, cwd=tmp_path)
    assert pushed.returncode == 0, pushed.stderr
    assert pushed.stdout.startswith(f"Pushed {bundled_kg} to {oxigraph_server}/store as <{GRAPH}>")
    query = ["query", "projects-by-country", "-f", "csv", "--endpoint", sparql, "--graph", GRAPH]
    answer = run_osgraph(*query, cwd=tmp_path)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.splitlines()[1] == "United States,45"


def test_an_unreachable_store_is_a_clean_error(bundled_kg: Path) -> None:
    with pytest.raises(OsgraphError, match=r"cannot push to http://127\.0\.0\.1:"):
        push_graph(bundled_kg, f"http://127.0.0.1:{free_port()}/store", timeout=5)
