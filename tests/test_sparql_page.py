"""The endpoint's query page in a real browser, and the route it runs named queries by: plain
values, parameters bound by the endpoint, descriptions shown, and no host asked but the
endpoint."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Dialog, Page
from rdflib import Graph

from osgraph import answer_query
from osgraph._catalogue import named_queries

from .test_protocol import start
from .web import http

HOSTILE = ('x" } ; DROP ALL ; #', "<script>alert(1)</script>")

ROWS = """() => Array.from(document.querySelectorAll(".yasr table tbody tr"))
    .filter((row) => !row.querySelector("td.dt-empty, td.dataTables_empty"))
    .map((row) => Array.from(row.querySelectorAll("td"), (cell) => cell.innerText))"""
"""The cells of the results table as the reader sees them, row by row."""


@contextlib.contextmanager
def serving(kg: Path, **settings: object) -> Iterator[str]:
    """The address of the page of a real `osgraph serve` of ``kg`` with one engine (the page
    asks one query at a time), started for as long as the context lasts."""
    sparql, server = start(kg, **settings)
    try:
        yield sparql.removesuffix("sparql")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def endpoint(bundled_kg: Path) -> Iterator[str]:
    with serving(bundled_kg) as base:
        yield base


@pytest.fixture(scope="module")
def graph(bundled_kg: Path) -> Graph:
    """The served file, read once for the module's expected answers."""
    return Graph().parse(bundled_kg)


def expected(graph: Graph, name: str, *parameters: str) -> list[list[str]]:
    """The rows `osgraph query NAME --param ...` gives, as CSV cells, without the header."""
    answer = answer_query(name, graph, parameters=parameters, format="csv")
    assert isinstance(answer, bytes)
    return list(csv.reader(io.StringIO(answer.decode("utf-8"))))[1:]


@dataclass
class Tab:
    """One browser tab for the module, with what it asked for and what went wrong in it."""

    page: Page
    requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def run(self, click: str) -> list[list[str]]:
        """Click ``click`` and return the table's rows once the results are drawn, all of
        them on one page."""
        page = self.page
        page.evaluate(
            "window.drawn = false;"
            "yasgui.getTab().getYasr().once('drawn', () => { window.drawn = true; })"
        )
        page.click(click)
        page.wait_for_function("window.drawn", timeout=15_000)
        if page.locator(".yasr .tableSizer").count():
            page.select_option(".yasr .tableSizer", "-1")
        rows: list[list[str]] = page.evaluate(ROWS)
        return rows

    def elsewhere(self, base: str) -> list[str]:
        return [url for url in self.requests if not url.startswith(base)]


@pytest.fixture(scope="module")
def tab(browser: object) -> Iterator[Tab]:
    page: Page = browser.new_page()  # type: ignore[attr-defined]
    opened = Tab(page)
    # Each test starts from the page a new reader sees, not from what YASGUI kept of the last.
    page.add_init_script("window.localStorage.clear()")
    page.on("request", lambda request: opened.requests.append(request.url))

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            opened.problems.append(message.text)

    def dialog(shown: Dialog) -> None:  # an alert() a value managed to run
        opened.problems.append(f"a dialog: {shown.message}")
        shown.dismiss()

    page.on("console", console)
    page.on("dialog", dialog)
    page.on("pageerror", lambda error: opened.problems.append(str(error)))
    yield opened
    page.close()


@pytest.fixture
def opened(tab: Tab, endpoint: str) -> Tab:
    """The query page, loaded afresh, with its named queries listed."""
    tab.requests.clear()
    tab.problems.clear()
    tab.page.goto(endpoint)
    tab.page.wait_for_function("document.querySelectorAll('#queries option').length > 5")
    return tab


def test_results_show_plain_values(opened: Tab, endpoint: str, graph: Graph) -> None:
    page = opened.page
    page.select_option("#queries", "projects-by-country")
    assert "COUNT(DISTINCT ?project)" in page.evaluate("yasgui.getTab().getQuery()")
    shown = opened.run(".yasqe_queryButton")
    assert shown == expected(graph, "projects-by-country")
    assert ["United States", "45"] in shown
    table = page.inner_text(".yasr table")
    assert "^^" not in table and "XMLSchema" not in table and "@en" not in table
    assert opened.elsewhere(endpoint) == [] and opened.problems == []
    page.screenshot(path=str(Path(__file__).parent.parent / "build" / "sparql-page.png"))


def test_each_named_query_shows_its_description(opened: Tab) -> None:
    page = opened.page
    for query in named_queries().values():
        page.select_option("#queries", query.name)
        assert page.inner_text("#description") == query.description
        assert page.is_visible("#description")
        assert page.is_visible("#parameters") == bool(query.parameters)


def test_a_named_query_runs_with_its_parameters(opened: Tab, endpoint: str, graph: Graph) -> None:
    page = opened.page
    page.select_option("#queries", "projects-of")
    for name, help in named_queries()["projects-of"].parameters.items():
        assert page.inner_text(f"#help-{name}") == help
        assert page.is_visible(f"#parameter-{name}")
    page.fill("#parameter-country", "CH")
    shown = opened.run("#run")
    assert shown == expected(graph, "projects-of", "country=CH")
    assert shown, "the bundled list has projects in Switzerland"
    # The values went to the endpoint as parameters; the query's text stayed as it was.
    assert any("/queries/projects-of?country=CH" in url for url in opened.requests)
    assert page.evaluate("yasgui.getTab().getQuery()") == named_queries()["projects-of"].text
    assert opened.elsewhere(endpoint) == [] and opened.problems == []


def test_hostile_values_are_text_that_matches_nothing(opened: Tab, endpoint: str) -> None:
    page = opened.page
    page.select_option("#queries", "projects-of")
    page.fill("#parameter-country", HOSTILE[0])
    assert opened.run("#run") == []
    assert page.inner_text("#ran") == f"projects-of, country = {HOSTILE[0]}"
    assert opened.problems == []

    # A value written as an IRI is refused for a name: the refusal is shown, as text.
    page.fill("#parameter-country", HOSTILE[1])
    assert opened.run("#run") == []
    assert HOSTILE[1] in page.inner_text(".yasr .errorResult")
    assert not page.is_visible(".yasr_tryQuery")  # it would run the editor's text instead
    assert page.inner_text("#ran") == f"projects-of, country = {HOSTILE[1]}"
    assert page.locator("script").count() == 2
    assert [problem for problem in opened.problems if "400 (Bad Request)" not in problem] == []
    assert opened.elsewhere(endpoint) == []


def named(endpoint: str, name: str, **headers: str) -> httpx.Response:
    return http.get(f"{endpoint}queries/{name}", headers=headers, timeout=30)


def test_the_named_query_route_answers_sparql_json(endpoint: str, graph: Graph) -> None:
    response = named(endpoint, "projects-of?country=CH&institution=")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    answer = response.json()
    assert answer["head"]["vars"] == ["project"]
    projects = [[row["project"]["value"]] for row in answer["results"]["bindings"]]
    assert projects == expected(graph, "projects-of", "country=CH")

    as_csv = named(endpoint, "projects-of?institution=Google", Accept="text/csv")
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.text)))[1:]
    assert rows == expected(graph, "projects-of", "institution=Google") != []

    without = named(endpoint, "projects-by-country")
    direct = http.post(
        f"{endpoint}sparql", data={"query": named_queries()["projects-by-country"].text}
    )
    assert without.status_code == 200 and without.json() == direct.json()


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("no-such-query", 404, "no named query 'no-such-query'"),
        ("..%2F..%2Fpyproject.toml", 404, "no named query '../../pyproject.toml'"),
        ("projects-of?city=Zurich", 400, "projects-of has no parameter city"),
        ("projects-of", 400, "projects-of needs a value for institution or country"),
        ("projects-of?country=CH&country=CN", 400, "not country more than once"),
        ("projects-of?country=%FF", 400, "not UTF-8"),
        ("projects-of?country=%3Chttps://w3id.org/osgraph/id/country/CH%3E", 400, "as a name"),
    ],
)
def test_the_named_query_route_refuses_with_a_reason(
    endpoint: str, path: str, status: int, says: str
) -> None:
    response = named(endpoint, path)
    assert response.status_code == status
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert says in response.text


def test_hostile_parameters_stay_data(endpoint: str) -> None:
    before = named(endpoint, "projects-by-country").json()
    injected = http.get(
        f"{endpoint}queries/projects-of", params={"institution": HOSTILE[0]}, timeout=30
    )
    assert injected.status_code == 200 and injected.json()["results"]["bindings"] == []
    refused = http.get(f"{endpoint}queries/projects-of", params={"country": HOSTILE[1]})
    assert refused.status_code == 400
    assert refused.headers["x-content-type-options"] == "nosniff"
    assert named(endpoint, "projects-by-country").json() == before


@pytest.mark.slow  # a second endpoint, with its own engine process
def test_the_named_query_route_keeps_the_endpoint_limits(bundled_kg: Path) -> None:
    with serving(bundled_kg, row_limit=1) as base:
        response = named(base, "projects-of?country=CN")
    assert len(response.json()["results"]["bindings"]) == 1
    assert response.headers["x-osgraph-truncated"] == "true"
