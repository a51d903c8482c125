"""Push to a real Oxigraph server, started for the module on a free loopback port
(tests/stores.py): a push replaces the named graph, whole or not at all. That named queries
answer there as on the embedded store, on Oxigraph and on Virtuoso, is tests/test_stores.py's."""

from __future__ import annotations

from pathlib import Path

import pytest

from osgraph import OsgraphError
from osgraph._push import push_graph

from . import stores
from .stores import Store, free_port
from .web import http

oxigraph_server = stores.oxigraph_server
"""The Oxigraph server of tests/stores.py, as a fixture of this module."""

GRAPH = "https://example.org/graphs/open100"


def triples_in(store: Store, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    answer = http.get(
        store.sparql,
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    )
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def test_a_push_replaces_the_named_graph(
    oxigraph_server: Store, bundled_kg: Path, tmp_path: Path
) -> None:
    push_graph(bundled_kg, oxigraph_server.store, named_graph=GRAPH)
    before = triples_in(oxigraph_server, GRAPH)
    push_graph(bundled_kg, oxigraph_server.store, named_graph=GRAPH)
    assert triples_in(oxigraph_server, GRAPH) == before  # replaced, not added to
    small = tmp_path / "small.ttl"
    small.write_text("<urn:a> <urn:b> <urn:c> .\n")
    push_graph(small, oxigraph_server.store, named_graph=GRAPH)
    assert triples_in(oxigraph_server, GRAPH) == 1


def test_a_refused_push_leaves_the_old_graph_whole(
    oxigraph_server: Store, bundled_kg: Path, tmp_path: Path
) -> None:
    push_graph(bundled_kg, oxigraph_server.store, named_graph=GRAPH)
    before = triples_in(oxigraph_server, GRAPH)
    broken = tmp_path / "broken.ttl"
    broken.write_text(bundled_kg.read_text(encoding="utf-8")[:5000] + "\n<unterminated ;;; .\n")
    with pytest.raises(OsgraphError, match=r"refused the graph \(400\)"):
        push_graph(broken, oxigraph_server.store, named_graph=GRAPH)
    assert triples_in(oxigraph_server, GRAPH) == before


def test_an_unreachable_store_is_a_clean_error(bundled_kg: Path) -> None:
    with pytest.raises(OsgraphError, match=r"cannot push to http://127\.0\.0\.1:"):
        push_graph(bundled_kg, f"http://127.0.0.1:{free_port()}/store", timeout=5)
