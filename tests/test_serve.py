"""The SPARQL endpoint, started for real on a free loopback port and asked with a real client."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph

from osgraph._serve import make_server

from .web import http

COUNT_PROJECTS = (
    "PREFIX osg: <https://w3id.org/osgraph/ontology#>\n"
    "SELECT (COUNT(?p) AS ?n) WHERE { ?p a osg:Project }"
)


def start(kg: Path, **settings: object) -> tuple[str, object]:
    server = make_server(kg, port=0, **settings)  # type: ignore[arg-type]
    # A short poll: shutdown() waits for the loop to look (every 0.5 s by default).
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    return f"http://{host}:{port}", server


@pytest.fixture(scope="module")
def endpoint(bundled_kg: Path) -> Iterator[str]:
    url, server = start(bundled_kg)
    yield url
    server.shutdown()  # type: ignore[attr-defined]
    server.server_close()  # type: ignore[attr-defined]


def count(response: httpx.Response) -> int:
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_it_listens_on_loopback_by_default(endpoint: str) -> None:
    assert endpoint.startswith("http://127.0.0.1:")


def test_get_and_post_answer_the_same(endpoint: str) -> None:
    by_get = http.get(f"{endpoint}/sparql", params={"query": COUNT_PROJECTS})
    by_form = http.post(f"{endpoint}/sparql", data={"query": COUNT_PROJECTS})
    by_body = http.post(
        f"{endpoint}/sparql",
        content=COUNT_PROJECTS,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert [r.status_code for r in (by_get, by_form, by_body)] == [200, 200, 200]
    assert count(by_get) == count(by_form) == count(by_body) == 101
    assert by_get.headers["content-type"] == "application/sparql-results+json"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("text/html, */*;q=0.8", "application/sparql-results+json"),
    ],
)
def test_results_follow_the_accept_header(endpoint: str, accept: str, media_type: str) -> None:
    response = http.get(
        f"{endpoint}/sparql", params={"query": COUNT_PROJECTS}, headers={"Accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert "101" in response.text


def test_csv_answers_match_the_named_query(endpoint: str) -> None:
    from osgraph._catalogue import named_queries

    text = named_queries()["projects-by-country"].text
    response = http.post(f"{endpoint}/sparql", data={"query": text}, headers={"Accept": "text/csv"})
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["country", "projects"]
    assert rows[1] == ["United States", "45"]


def test_a_graph_comes_back_as_turtle_or_ntriples(endpoint: str) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5"
    turtle = http.get(
        f"{endpoint}/sparql", params={"query": query}, headers={"Accept": "text/turtle"}
    )
    assert turtle.headers["content-type"] == "text/turtle"
    assert len(Graph().parse(data=turtle.text, format="turtle")) == 5
    nt = http.get(
        f"{endpoint}/sparql", params={"query": query}, headers={"Accept": "application/n-triples"}
    )
    assert nt.headers["content-type"] == "application/n-triples"
    assert len(Graph().parse(data=nt.text, format="nt")) == 5


@pytest.mark.parametrize(
    "send",
    [
        lambda url: http.get(f"{url}/sparql", params={"update": "DROP ALL"}),
        lambda url: http.post(f"{url}/sparql", data={"update": "DROP ALL"}),
        lambda url: http.post(
            f"{url}/sparql",
            content="DROP ALL",
            headers={"Content-Type": "application/sparql-update"},
        ),
        lambda url: http.post(f"{url}/sparql", data={"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}),
        lambda url: http.put(f"{url}/sparql", content="<a:b> <a:c> <a:d> ."),
    ],
    ids=["get-update", "form-update", "body-update", "update-as-query", "put"],
)
def test_updates_are_refused_and_change_nothing(endpoint: str, send: object) -> None:
    response = send(endpoint)  # type: ignore[operator]
    assert response.status_code == 403
    assert "read-only" in response.text
    assert count(http.get(f"{endpoint}/sparql", params={"query": COUNT_PROJECTS})) == 101


def test_a_syntax_error_is_a_400_with_its_position(endpoint: str) -> None:
    response = http.get(f"{endpoint}/sparql", params={"query": "SELECT ?x WHERE {\n ?x ?y\n"})
    assert response.status_code == 400
    assert "syntax error at line" in response.text


def test_missing_queries_and_pages(endpoint: str) -> None:
    assert http.get(f"{endpoint}/sparql", params={"query": ""}).status_code == 400
    assert http.get(f"{endpoint}/sparql", params={"default-graph-uri": "urn:x"}).status_code == 400
    assert http.get(f"{endpoint}/elsewhere").status_code == 404
    assert http.get(f"{endpoint}/assets/../serve.py").status_code == 404


def test_the_row_limit_cuts_and_says_so(bundled_kg: Path) -> None:
    url, server = start(bundled_kg, row_limit=5, workers=1)
    try:
        query = (
            "PREFIX osg: <https://w3id.org/osgraph/ontology#>\n"
            "SELECT ?c WHERE { ?c a osg:Contribution }"
        )
        response = http.get(f"{url}/sparql", params={"query": query})
        assert len(response.json()["results"]["bindings"]) == 5
        assert response.headers["x-osgraph-truncated"] == "true"
        small = http.get(f"{url}/sparql", params={"query": COUNT_PROJECTS})
        assert "x-osgraph-truncated" not in small.headers
    finally:
        server.shutdown()  # type: ignore[attr-defined]
        server.server_close()  # type: ignore[attr-defined]


def test_the_time_limit_abandons_a_long_query(tmp_path: Path) -> None:
    # 600 triples: a join of the graph with itself has 360,000 rows, some seconds in rdflib.
    kg = tmp_path / "small.ttl"
    kg.write_text("".join(f"<urn:s{i}> <urn:p> {i} .\n" for i in range(600)))
    url, server = start(kg, engine="rdflib", timeout=0.2, workers=1)
    try:
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
        response = http.get(f"{url}/sparql", params={"query": slow}, timeout=30)
        assert response.status_code == 503
        assert "longer than 0.2 s" in response.text
    finally:
        server.shutdown()  # type: ignore[attr-defined]
        server.server_close()  # type: ignore[attr-defined]


def test_the_page_and_its_assets_are_served_locally(endpoint: str) -> None:
    page = http.get(f"{endpoint}/")
    assert page.status_code == 200
    assert 'src="assets/yasgui/yasgui.min.js"' in page.text
    assert "http://" not in page.text.replace("http://www.w3.org", "")
    assert "https://" not in page.text
    for asset in ("yasgui/yasgui.min.js", "yasgui/yasgui.min.css"):
        assert http.get(f"{endpoint}/assets/{asset}").status_code == 200
    listing = http.get(f"{endpoint}/queries").json()
    assert "projects-by-country" in {q["name"] for q in listing["queries"]}
