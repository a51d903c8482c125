"""Push against stores that misbehave, played by HTTP servers the tests start on 127.0.0.1:
only a 2xx answer is success, a store that never answers is given up on in time, and no
message ever shows a password."""

from __future__ import annotations

import base64
import hashlib
import http.server
import subprocess
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from osgraph import OsgraphError
from osgraph._push import push_graph, without_credentials

from .conftest import run_osgraph

KEPT = 1 << 20
"""The largest body a store the test plays keeps whole."""
SECRET = "s3cr3t-Pa55"
TOKEN = base64.b64encode(f"alice:{SECRET}".encode()).decode()


@dataclass
class Store:
    """What a store the test plays was asked."""

    url: str
    requests: list[dict[str, str]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    large: list[str] = field(default_factory=list)
    """The SHA-256 of each body over :data:`KEPT` bytes (kept in ``bodies`` as ``b""``)."""
    queries: list[dict[str, str]] = field(default_factory=list)
    """The requests to the store's SPARQL endpoint (POST), with their body as ``body``."""
    release: threading.Event = field(default_factory=threading.Event)


Answer = Callable[[Store, http.server.BaseHTTPRequestHandler], None]


@contextmanager
def store(answer: Answer) -> Iterator[Store]:
    """An HTTP server on a free port of 127.0.0.1 that reads each request whole, records it,
    and lets ``answer`` reply (or not)."""
    played = Store("")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_PUT(self) -> None:
            played.requests.append({"path": self.path, **dict(self.headers.items())})
            played.bodies.append(self._body())
            answer(played, self)

        def do_POST(self) -> None:
            body = self._body().decode("utf-8", "replace")
            played.queries.append({"path": self.path, **dict(self.headers.items()), "body": body})
            answer(played, self)

        def _body(self) -> bytes:
            if "chunked" in self.headers.get("Transfer-Encoding", ""):
                chunks = []
                while size := int(self.rfile.readline().split(b";")[0], 16):
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                self.rfile.readline()
                return b"".join(chunks)
            left = int(self.headers.get("Content-Length", 0))
            if left <= KEPT:
                return self.rfile.read(left)
            # A large body is read a part at a time and kept as its size and hash: the store
            # takes no more memory than the push is allowed to.
            digest = hashlib.sha256()
            while left:
                part = self.rfile.read(min(left, 1 << 16))
                digest.update(part)
                left -= len(part)
            played.large.append(digest.hexdigest())
            return b""

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    played.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield played
    finally:
        played.release.set()
        server.shutdown()
        server.server_close()


def reply(status: int, body: bytes = b"", **headers: str) -> Answer:
    def answer(_: Store, handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


def hang(played: Store, _: http.server.BaseHTTPRequestHandler) -> None:
    played.release.wait(timeout=60)  # never answers, until the test ends


def echo(played: Store, handler: http.server.BaseHTTPRequestHandler) -> None:
    """A store that refuses and echoes back what it was sent: the request line, the headers
    (Authorization included) and a terminal escape."""
    lines = [
        f"{handler.command} {handler.path}",
        *[f"{k}: {v}" for k, v in handler.headers.items()],
    ]
    reply(500, ("\n".join(lines) + "\n\x1b[2J").encode())(played, handler)


@pytest.fixture
def kg(tmp_path: Path) -> Path:
    graph = tmp_path / "osgraph.ttl"
    graph.write_text("<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n")
    return graph


def with_credentials(url: str) -> str:
    return url.replace("http://", f"http://alice:{SECRET}@")


def osgraph_push(
    kg: Path, endpoint: str, *options: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_osgraph(
        "push", "--endpoint", endpoint, "--kg", str(kg), *options, cwd=kg.parent, env=env
    )


def assert_secret_kept(text: str) -> None:
    assert SECRET not in text and TOKEN not in text and "alice:" not in text, text


# --- only 2xx is success -----------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 201, 204])
def test_a_2xx_answer_is_success(kg: Path, status: int) -> None:
    with store(reply(status)) as played:
        assert push_graph(kg, f"{played.url}/store").status == status
    assert played.bodies == [kg.read_bytes()]
    assert (
        played.requests[0]["path"] == "/store?graph=https%3A%2F%2Fw3id.org%2Fosgraph%2Fid%2Fgraph"
    )


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_stored_nothing_and_says_where_it_points(kg: Path, status: int) -> None:
    location = "https://elsewhere.example/store?graph=x"
    with (
        store(reply(status, Location=location)) as played,
        pytest.raises(OsgraphError) as caught,
    ):
        push_graph(kg, f"{played.url}/store")
    message = str(caught.value)
    assert f"answered {status}, a redirect to {location}: nothing was stored" in message
    assert len(played.requests) == 1  # not followed
    assert "\n" not in message


def test_a_relative_redirect_or_one_without_a_location_is_named(kg: Path) -> None:
    with store(reply(308, Location="/elsewhere")) as played, pytest.raises(OsgraphError) as caught:
        push_graph(kg, f"{played.url}/store")
    assert f"a redirect to {played.url}/elsewhere" in str(caught.value)
    with store(reply(304)) as played, pytest.raises(OsgraphError, match="with no Location"):
        push_graph(kg, f"{played.url}/store")


def test_the_push_command_exits_3_on_a_redirect(kg: Path) -> None:
    with store(reply(301, Location="http://bob:hunter2@elsewhere.example/")) as played:
        run = osgraph_push(kg, with_credentials(f"{played.url}/store"))
    assert run.returncode == 3 and run.stdout == ""
    assert run.stderr == (
        f"osgraph: error: {played.url}/store answered 301, a redirect to "
        "http://elsewhere.example/: nothing was stored; if that is the store, push to it with "
        "--endpoint\n"
    )
    assert "hunter2" not in run.stderr
    assert_secret_kept(run.stderr)


@pytest.mark.parametrize("status", [400, 404, 500])
def test_an_error_answer_is_a_one_line_refusal(kg: Path, status: int) -> None:
    body = b"line one\nline two \x1b[31m red"
    with store(reply(status, body)) as played, pytest.raises(OsgraphError) as caught:
        push_graph(kg, f"{played.url}/store")
    assert str(caught.value) == (
        f"{played.url}/store refused the graph ({status}): line one line two \\x1b[31m red"
    )


# --- a store that never answers ----------------------------------------------------------------


def test_a_store_that_never_answers_is_given_up_on_after_the_timeout(kg: Path) -> None:
    with store(hang) as played:
        with pytest.raises(OsgraphError) as caught:
            push_graph(kg, f"{played.url}/store", timeout=0.25)
        # The store is still holding the request, never answered: the push gave up on it.
        assert not played.release.is_set()
        assert str(caught.value) == (
            f"cannot push to {played.url}/store: the store did not answer within 0.25 s (--timeout)"
        )
        run = osgraph_push(kg, f"{played.url}/store", "--timeout", "0.25")
    assert run.returncode == 3
    assert run.stderr.startswith("osgraph: error: cannot push to") and "within 0.25 s" in run.stderr


def test_a_timeout_that_is_not_a_positive_number_is_a_usage_error(kg: Path) -> None:
    for value in ("0", "nan"):
        run = osgraph_push(kg, "http://127.0.0.1:9/store", "--timeout", value)
        assert run.returncode == 2 and "--timeout" in run.stderr, run.stderr
    for value in (0, -1, float("nan"), float("inf")):
        with pytest.raises(OsgraphError, match="above 0"):
            push_graph(kg, "http://127.0.0.1:9/store", timeout=value)


# --- credentials are sent, never shown ----------------------------------------------------------


def test_credentials_in_the_url_are_sent_and_never_printed(kg: Path) -> None:
    with store(echo) as played, pytest.raises(OsgraphError) as caught:
        push_graph(kg, with_credentials(f"{played.url}/store"))
    assert played.requests[0]["Authorization"] == f"Basic {TOKEN}"
    assert_secret_kept(str(caught.value))
    assert "Authorization: ***" in str(caught.value) or "Basic ***" in str(caught.value)
    assert "\x1b" not in str(caught.value) and "\n" not in str(caught.value)
    with store(reply(204)) as played:
        run = osgraph_push(kg, with_credentials(f"{played.url}/store"))
    assert played.requests[0]["Authorization"] == f"Basic {TOKEN}"
    assert run.returncode == 0, run.stderr
    assert run.stdout == (
        f"Pushed {kg} to {played.url}/store as <https://w3id.org/osgraph/id/graph> (204).\n"
        "Query it at the store's SPARQL endpoint, with --graph https://w3id.org/osgraph/id/graph.\n"
    )
    assert_secret_kept(run.stdout + run.stderr)
    # Asked whether it answers from the graph, the store's query endpoint got no credentials.
    assert [query["path"] for query in played.queries] == ["/query"]
    assert "Authorization" not in played.queries[0]


def test_a_password_from_the_environment_is_never_printed(kg: Path) -> None:
    with store(echo) as played:
        run = osgraph_push(
            kg, f"{played.url}/store", "--user", "alice", env={"OSGRAPH_PASSWORD": SECRET}
        )
    assert played.requests[0]["Authorization"] == f"Basic {TOKEN}"
    assert run.returncode == 3 and run.stderr.count("\n") == 1
    assert "refused the graph (500)" in run.stderr
    assert_secret_kept(run.stdout + run.stderr)


def test_digest_authentication_sends_the_graph_again_whole(kg: Path) -> None:
    def challenge(played: Store, handler: http.server.BaseHTTPRequestHandler) -> None:
        if "Authorization" in handler.headers:
            echo(played, handler)
        else:
            reply(401, WWW_Authenticate='Digest realm="store", nonce="n0", qop="auth"')(
                played, handler
            )

    with store(challenge) as played, pytest.raises(OsgraphError, match=r"\(500\)") as caught:
        push_graph(kg, f"{played.url}/store", user="alice", password=SECRET, digest=True)
    assert played.bodies == [kg.read_bytes()] * 2  # the answer to the challenge holds it all
    assert played.requests[1]["Authorization"].startswith('Digest username="alice"')
    assert SECRET not in str(caught.value)


def test_a_push_names_the_query_endpoint_that_answers_from_the_graph(kg: Path) -> None:
    found = b'{"head": {"vars": ["project"]}, "results": {"bindings": [{"project": ' + (
        b'{"type": "uri", "value": "https://example.org/p"}}]}}'
    )

    def sparql(played: Store, handler: http.server.BaseHTTPRequestHandler) -> None:
        if handler.command == "PUT":
            reply(201)(played, handler)
        else:
            reply(200, found, Content_Type="application/sparql-results+json")(played, handler)

    with store(sparql) as played:
        run = osgraph_push(kg, f"{played.url}/store", "--named-graph", "urn:x:a&b")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[1] == (
        f"Query it with: osgraph query projects-by-country --endpoint {played.url}/query "
        "--graph 'urn:x:a&b'"
    )
    assert "default-graph-uri=urn%3Ax%3Aa%26b" in played.queries[0]["body"]


@pytest.mark.slow
def test_a_large_graph_is_streamed_twice_for_digest_in_bounded_memory(tmp_path: Path) -> None:
    large = tmp_path / "large.ttl"
    line = b"<https://example.org/s> <https://example.org/p> " + b'"%s" .\n' % (b"x" * 200)
    with large.open("wb") as out:
        for _ in range((32 << 20) // len(line)):  # 32 MiB
            out.write(line)

    def challenge(played: Store, handler: http.server.BaseHTTPRequestHandler) -> None:
        if "Authorization" in handler.headers:
            reply(201)(played, handler)
        else:
            reply(401, WWW_Authenticate='Digest realm="store", nonce="n0", qop="auth"')(
                played, handler
            )

    with store(challenge) as played:
        tracemalloc.start()
        try:
            pushed = push_graph(
                large, f"{played.url}/store", user="alice", password="pw", digest=True
            )
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert pushed.status == 201
    whole = hashlib.sha256(large.read_bytes()).hexdigest()
    assert played.large == [whole, whole]  # the graph, whole, in each of the two requests
    assert peak < 8 << 20, f"{peak / 2**20:.1f} MiB held for a 32 MiB graph"


def test_an_unreachable_store_with_credentials_is_named_without_them(kg: Path) -> None:
    with store(reply(204)) as played:
        url = played.url
    with pytest.raises(OsgraphError) as caught:
        push_graph(kg, with_credentials(f"{url}/store"), timeout=2)
    assert str(caught.value).startswith(f"cannot push to {url}/store: ")
    assert_secret_kept(str(caught.value))


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        (f"ftp://alice:{SECRET}@127.0.0.1/store", "is not an http(s) URL"),
        ("not a url", "is not an http(s) URL"),
        (f"http://alice:{SECRET}@[::1/store", "is not a URL"),
    ],
)
def test_an_endpoint_that_is_not_an_http_url_is_refused(
    kg: Path, endpoint: str, message: str
) -> None:
    with pytest.raises(OsgraphError, match=message.replace("(", r"\(").replace(")", r"\)")) as e:
        push_graph(kg, endpoint)
    assert_secret_kept(str(e.value))


def test_a_named_graph_that_is_not_an_iri_is_refused(kg: Path) -> None:
    with pytest.raises(OsgraphError, match=r"--named-graph .* is not an IRI"):
        push_graph(kg, "http://127.0.0.1:9/store", named_graph="https://example.org/g> <x")


def test_credentials_are_taken_out_of_any_text() -> None:
    assert without_credentials(f"see http://alice:{SECRET}@h.example/x and https://b@c/") == (
        "see http://h.example/x and https://c/"
    )
