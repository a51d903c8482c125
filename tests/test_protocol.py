"""The SPARQL 1.1 Protocol's rules for queries (https://www.w3.org/TR/sparql11-protocol/,
section 2.1), one by one, against a real ``osgraph serve`` in this process."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph

from osgraph._serve import EndpointServer, make_server

from .web import http

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
IN_GRAPHS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
TRIPLES = int(re.search(r"Wrote build/osgraph.ttl \((\d+) triples\)", README)[1])  # type: ignore[index]
"""The bundled graph's triples, as the README says `osgraph build` writes them."""


def start(kg: Path, **settings: object) -> tuple[str, EndpointServer]:
    server = make_server(kg, port=0, workers=1, **settings)  # type: ignore[arg-type]
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/sparql", server


@pytest.fixture(scope="module")
def sparql(bundled_kg: Path) -> Iterator[str]:
    url, server = start(bundled_kg)
    yield url
    server.shutdown()
    server.server_close()


def counted(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


# 2.1.1-2.1.3: the three ways to send a query.


def test_query_via_get(sparql: str) -> None:
    assert counted(http.get(sparql, params={"query": COUNT})) == TRIPLES


def test_query_via_url_encoded_post(sparql: str) -> None:
    assert counted(http.post(sparql, data={"query": COUNT})) == TRIPLES


def test_query_via_post_directly(sparql: str) -> None:
    direct = http.post(sparql, content=COUNT, headers={"Content-Type": "application/sparql-query"})
    assert counted(direct) == TRIPLES


# Exactly one query: two, or none, or a query and an update, is a malformed request.


@pytest.mark.parametrize(
    "send",
    [
        lambda url: http.get(url, params={"query": [COUNT, COUNT]}),
        lambda url: http.post(url, data={"query": [COUNT, COUNT]}),
        lambda url: http.post(url, params={"query": COUNT}, data={"query": COUNT}),
        lambda url: http.post(
            url,
            params={"query": COUNT},
            content=COUNT,
            headers={"Content-Type": "application/sparql-query"},
        ),
    ],
    ids=["get", "form", "form-and-url", "direct-and-url"],
)
def test_a_query_given_twice_is_400(sparql: str, send: object) -> None:
    response = send(sparql)  # type: ignore[operator]
    assert response.status_code == 400
    assert "twice" in response.text or "2 times" in response.text


@pytest.mark.parametrize(
    "send",
    [
        lambda url: http.get(url, params={"query": COUNT, "update": "DROP ALL"}),
        lambda url: http.post(url, data={"query": COUNT, "update": "DROP ALL"}),
    ],
    ids=["get", "form"],
)
def test_a_query_and_an_update_is_400(sparql: str, send: object) -> None:
    response = send(sparql)  # type: ignore[operator]
    assert response.status_code == 400
    assert "not both" in response.text
    assert counted(http.get(sparql, params={"query": COUNT})) == TRIPLES


@pytest.mark.parametrize(
    "send",
    [
        lambda url: http.get(url, params={"query": ""}),
        lambda url: http.get(url, params={"default-graph-uri": "urn:x"}),
        lambda url: http.post(url, data={"named-graph-uri": "urn:x"}),
        lambda url: http.post(
            url, content=" \n", headers={"Content-Type": "application/sparql-query"}
        ),
    ],
    ids=["empty", "get-without", "form-without", "empty-body"],
)
def test_a_request_without_a_query_is_400(sparql: str, send: object) -> None:
    response = send(sparql)  # type: ignore[operator]
    assert response.status_code == 400
    assert response.text.startswith("no query")


def test_a_malformed_query_is_400(sparql: str) -> None:
    response = http.post(sparql, data={"query": "SELECT ?x WHERE { ?x"})
    assert response.status_code == 400
    assert "syntax error" in response.text


def test_a_body_that_is_not_utf8_is_400(sparql: str) -> None:
    for content_type in ("application/sparql-query", "application/x-www-form-urlencoded"):
        response = http.post(
            sparql, content=b"query=ASK {} \xff", headers={"Content-Type": content_type}
        )
        assert response.status_code == 400
        assert "not UTF-8" in response.text


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", None])
def test_another_content_type_is_415(sparql: str, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = http.post(sparql, content=COUNT, headers=headers)
    assert response.status_code == 415
    assert "application/sparql-query" in response.text


# 2.1.4: default-graph-uri and named-graph-uri name the dataset, in place of the query's. The
# endpoint holds one default graph and no named graph, so the graphs they name are empty.


@pytest.mark.parametrize(
    "send",
    [
        lambda url, q, names: http.get(url, params={"query": q, **names}),
        lambda url, q, names: http.post(url, data={"query": q, **names}),
        lambda url, q, names: http.post(
            url, params=names, content=q, headers={"Content-Type": "application/sparql-query"}
        ),
    ],
    ids=["get", "form", "direct"],
)
def test_the_protocol_names_the_dataset(sparql: str, send: object) -> None:
    other = {"default-graph-uri": "https://example.org/another-graph"}
    assert counted(send(sparql, COUNT, other)) == 0  # type: ignore[operator]
    named = {"named-graph-uri": ["https://example.org/g1", "https://example.org/g2"]}
    assert counted(send(sparql, COUNT, named)) == 0  # type: ignore[operator]
    assert counted(send(sparql, IN_GRAPHS, named)) == 0  # type: ignore[operator]
    assert counted(send(sparql, COUNT, {})) == TRIPLES  # type: ignore[operator]


def test_rdflibs_engine_honours_the_dataset_too(bundled_kg: Path) -> None:
    url, server = start(bundled_kg, engine="rdflib")
    try:
        names = {"default-graph-uri": "https://example.org/g"}
        assert counted(http.get(url, params={"query": COUNT, **names})) == 0
        assert counted(http.get(url, params={"query": COUNT})) == TRIPLES
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("iri", ["not an iri", "relative/path", "<urn:x>", "http://a b"])
def test_a_graph_name_that_is_no_iri_is_400(sparql: str, iri: str) -> None:
    response = http.get(sparql, params={"query": COUNT, "named-graph-uri": iri})
    assert response.status_code == 400
    assert "named-graph-uri" in response.text and "is not an IRI" in response.text


# Content negotiation (2.1.6 and RFC 9110): the Accept header's weights choose the format.


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/sparql-results+json;q=0, text/*", "text/csv; charset=utf-8"),
        ("text/tab-separated-values, text/csv", "text/tab-separated-values; charset=utf-8"),
        ("*/*", "application/sparql-results+json"),
        ("image/png", "application/sparql-results+json"),
        (
            "text/csv;q=nonsense, application/sparql-results+xml;q=0.1",
            "application/sparql-results+xml",
        ),
    ],
)
def test_results_follow_the_accepts_weights(sparql: str, accept: str, media_type: str) -> None:
    response = http.get(sparql, params={"query": COUNT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert str(TRIPLES) in response.text


@pytest.mark.parametrize(
    ("accept", "media_type", "format"),
    [
        ("text/turtle;q=0.1, application/n-triples", "application/n-triples", "nt"),
        ("application/n-triples;q=0.4, text/turtle;q=0.5", "text/turtle", "turtle"),
        ("application/sparql-results+json", "text/turtle", "turtle"),
    ],
)
def test_graphs_follow_the_accepts_weights(
    sparql: str, accept: str, media_type: str, format: str
) -> None:
    query = "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3"
    response = http.get(sparql, params={"query": query}, headers={"Accept": accept})
    assert response.headers["content-type"] == media_type
    assert len(Graph().parse(data=response.text, format=format)) == 3


def test_the_service_description_follows_the_accept_header(sparql: str) -> None:
    turtle = http.get(sparql, headers={"Accept": "text/html"})
    assert turtle.headers["content-type"] == "text/turtle"
    ntriples = http.get(sparql, headers={"Accept": "application/n-triples"})
    assert ntriples.headers["content-type"] == "application/n-triples"
    assert set(Graph().parse(data=ntriples.text, format="nt")) == set(
        Graph().parse(data=turtle.text, format="turtle")
    )
    assert http.head(sparql).headers["content-length"] == turtle.headers["content-length"]
