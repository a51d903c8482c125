"""The endpoint under attack: what one client sends cannot crash it, lock others out, reach
other hosts or take its memory (a real ``osgraph serve`` and real servers in-process; the tests
marked ``process`` are about the engine processes behind them)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from osgraph._serve import EndpointServer, make_server

from .conftest import run_osgraph
from .web import http

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def start(kg: Path, **settings: object) -> tuple[str, EndpointServer]:
    server = make_server(kg, port=0, **settings)  # type: ignore[arg-type]
    # A short poll: shutdown() waits for the loop to look (every 0.5 s by default).
    serve = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    serve.start()
    host, port = server.server_address[:2]
    return f"http://{host}:{port}", server


def stop(server: EndpointServer) -> None:
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def endpoint(bundled_kg: Path) -> Iterator[str]:
    url, server = start(bundled_kg, timeout=2.0, row_limit=10, idle_seconds=0.5)
    yield url
    stop(server)


class Recorder(BaseHTTPRequestHandler):
    """A local host that records every request it gets."""

    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Recorder.seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        body = b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}'
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[str]:
    Recorder.seen = []
    server = HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


def answers(url: str) -> bool:
    response = http.get(f"{url}/sparql", params={"query": COUNT}, timeout=10)
    return (
        response.status_code == 200
        and int(response.json()["results"]["bindings"][0]["n"]["value"]) > 0
    )


def wait_until_it_answers(url: str) -> None:
    """Wait for a fresh engine to answer, at most 15 s."""
    deadline = time.monotonic() + 15
    while not answers(url):
        assert time.monotonic() < deadline, "the endpoint did not answer again"
        time.sleep(0.2)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
        "SELECT * WHERE { " + " ".join(f"?s{i} ?p ?o ." for i in range(10_000)) + " }",
        "SELECT * WHERE { FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }",
        "SELECT * WHERE { ?s ?p " + "[ ?p " * 2000 + "1" + " ]" * 2000 + " }",
        "SELECT * WHERE { ?s ?p ?o } # " + "x" * 200_000,
    ],
    ids=["nested-groups", "10k-patterns", "nested-expressions", "nested-blank-nodes", "huge"],
)
def test_a_query_that_would_overflow_an_engine_is_refused(endpoint: str, query: str) -> None:
    response = http.post(
        f"{endpoint}/sparql",
        content=query.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=10,
    )
    assert response.status_code in (400, 413), response.text
    assert answers(endpoint)


@pytest.mark.parametrize("form", ["SERVICE", "service", "SERVICE SILENT"])
def test_service_never_reaches_another_host(endpoint: str, listener: str, form: str) -> None:
    query = f"SELECT * WHERE {{ {form} <{listener}> {{ ?s ?p ?o }} }}"
    for response in (
        http.get(f"{endpoint}/sparql", params={"query": query}, timeout=10),
        http.post(f"{endpoint}/sparql", data={"query": query}, timeout=10),
    ):
        assert response.status_code == 400
        assert "SERVICE" in response.text
    assert Recorder.seen == []


def test_a_form_post_from_another_site_is_refused(endpoint: str, listener: str) -> None:
    evil = http.post(
        f"{endpoint}/sparql",
        data={"query": COUNT},
        headers={"Origin": "http://evil.example"},
        timeout=10,
    )
    assert evil.status_code == 403
    assert "access-control-allow-origin" not in evil.headers
    host = endpoint.removeprefix("http://")
    own = http.post(
        f"{endpoint}/sparql", data={"query": COUNT}, headers={"Origin": endpoint}, timeout=10
    )
    assert own.status_code == 200, host


@pytest.mark.process
def test_endless_queries_do_not_lock_others_out(endpoint: str) -> None:
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        slow = list(
            pool.map(
                lambda _: http.get(f"{endpoint}/sparql", params={"query": ENDLESS}, timeout=30),
                range(4),
            )
        )
    assert {response.status_code for response in slow} <= {503}
    # Each endless query was stopped at the time limit, and fresh engines answer again.
    deadline = time.monotonic() + 15
    while not answers(endpoint):
        assert time.monotonic() < deadline, "the endpoint did not answer again"
        time.sleep(0.2)
    assert time.monotonic() - started < 25


def test_rows_are_cut_while_the_engine_makes_them(endpoint: str) -> None:
    # The graph joined with itself four times has about 10^13 rows: only 10 are ever read.
    everything = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    response = http.get(f"{endpoint}/sparql", params={"query": everything}, timeout=10)
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 10
    assert response.headers["x-osgraph-truncated"] == "true"
    graph = http.get(
        f"{endpoint}/sparql",
        params={"query": "CONSTRUCT { ?a ?b ?c } WHERE { ?a ?b ?c . ?d ?e ?f }"},
        headers={"Accept": "application/n-triples"},
        timeout=10,
    )
    assert graph.status_code == 200
    assert len(graph.text.strip().splitlines()) == 10
    assert graph.headers["x-osgraph-truncated"] == "true"


@pytest.mark.process
def test_an_engine_that_dies_is_replaced(bundled_kg: Path) -> None:
    url, server = start(bundled_kg, timeout=20.0, workers=1)
    try:
        (process,) = server.pool._all
        killer = threading.Timer(0.5, os.kill, (process.process.pid, signal.SIGKILL))
        killer.start()
        response = http.get(f"{url}/sparql", params={"query": ENDLESS}, timeout=30)
        assert response.status_code == 500
        assert "restarted" in response.text
        wait_until_it_answers(url)
    finally:
        stop(server)


@pytest.mark.process
def test_an_engine_past_its_memory_limit_is_stopped(tmp_path: Path) -> None:
    kg = tmp_path / "small.ttl"
    kg.write_text("".join(f'<urn:s{i}> <urn:p> "{"x" * 200}{i}" .\n' for i in range(2000)))
    url, server = start(kg, timeout=30.0, workers=1, memory_limit=400 * 2**20)
    try:
        # Sorting the join of 2,000 long strings with themselves holds millions of them.
        greedy = "SELECT ?o ?p WHERE { ?s ?x ?o . ?t ?y ?p } ORDER BY ?o ?p LIMIT 1"
        response = http.get(f"{url}/sparql", params={"query": greedy}, timeout=60)
        assert response.status_code in (500, 503), response.text
        wait_until_it_answers(url)
    finally:
        stop(server)


def test_a_client_that_sends_nothing_is_let_go(endpoint: str) -> None:
    host, port = endpoint.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as stalled:
        stalled.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\n")  # never finished
        assert answers(endpoint)  # others are served meanwhile
        started = time.monotonic()
        assert stalled.recv(1024) == b""  # closed by the server
        assert time.monotonic() - started < 5


def test_bodies_are_bounded_and_lengths_checked(endpoint: str) -> None:
    host, port = endpoint.removeprefix("http://").split(":")
    for length, status in ((b"abc", b"400"), (b"2000000", b"413"), (b"-5", b"400")):
        with socket.create_connection((host, int(port)), timeout=5) as client:
            client.sendall(
                b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                b"Content-Length: " + length + b"\r\n\r\nSELECT"
            )
            reply = client.recv(4096)
            assert reply.split(b" ")[1] == status, reply
    assert answers(endpoint)


def test_head_answers_like_get_without_a_body(endpoint: str) -> None:
    for path in ("/", "/queries", f"/sparql?query={COUNT}"):
        head = http.head(f"{endpoint}{path}", timeout=10)
        assert head.status_code == 200
        assert head.content == b""
        assert int(head.headers["content-length"]) > 0


@pytest.mark.parametrize(
    "accept", ["text/csv", "text/tab-separated-values", "application/sparql-results+xml", ""]
)
def test_ask_answers_in_every_format(endpoint: str, accept: str) -> None:
    response = http.get(
        f"{endpoint}/sparql",
        params={"query": "ASK { ?s ?p ?o }"},
        headers={"Accept": accept},
        timeout=10,
    )
    assert response.status_code == 200
    assert "true" in response.text


@pytest.mark.parametrize(
    "option", [["--row-limit", "-1"], ["--timeout", "0"], ["--port", "99999"], ["--workers", "0"]]
)
def test_bad_limits_are_refused_on_the_command_line(
    bundled_kg: Path, tmp_path: Path, option: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def served(*_: object) -> None:
        raise AssertionError("the endpoint started serving")

    # In this process: an endpoint that started anyway fails rather than serves for ever.
    monkeypatch.setattr(EndpointServer, "serve_forever", served)
    done = run_osgraph("serve", "--kg", str(bundled_kg), *option, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.process
def test_the_real_server_survives_what_would_crash_an_engine(bundled_kg: Path) -> None:
    executable = shutil.which("osgraph", path=str(Path(sys.executable).parent))
    assert executable is not None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [executable, "serve", "--kg", str(bundled_kg), "--port", str(port), "--timeout", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("Serving")
        deep = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
        assert http.get(f"{url}/sparql", params={"query": deep}, timeout=10).status_code == 400
        assert http.get(f"{url}/sparql", params={"query": ENDLESS}, timeout=30).status_code == 503
        assert answers(url)
        assert process.poll() is None
    finally:
        process.terminate()
        process.communicate(timeout=10)
