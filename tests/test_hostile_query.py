"""`osgraph query` (and the commands that query: network, report, view) against hostile input:
every engine, parameter, store, endpoint or output error is a one-line message and a documented
exit code (0 done, 1 refused, 2 command line wrong, 3 cannot read or write), never a traceback.

Endpoints and SERVICE targets are real HTTP listeners on 127.0.0.1, started by the tests. Most
cases run the command in this process (typer's runner gives the same exit code, standard output
and standard error); the real `osgraph` process runs where the process is the point: a query that
could crash it, a full or closed standard output, a pipe whose reader has gone, bytes on its real
standard streams and arguments, and a SERVICE host that never answers while the process exits.

In this process, each engine reads the bundled graph's file once for the module rather than once
per command (:func:`graph_read_once`): these cases are about what a command does with a query, a
parameter, an endpoint or its output, not about reading the graph, which the --store-dir cases
and the real processes still read every time.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TextIO

import pytest
from rdflib.query import Result

from .conftest import COMMAND, invoke_osgraph
from .read_once import read_once

ENGINES = ["rdflib", "oxigraph"]
PREFIXES = (
    "PREFIX osg: <https://w3id.org/osgraph/ontology#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
)


# --- running osgraph ----------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def graph_read_once(bundled_kg: Path) -> Iterator[None]:
    """Commands in this process read the bundled graph once per engine for the module."""
    with read_once(bundled_kg):
        yield


OXIGRAPH = ["--engine", "oxigraph"]
"""For a real process whose engine is not the point: Oxigraph reads the graph in a tenth of the
time rdflib takes."""


def executable() -> str:
    found = shutil.which("osgraph", path=str(Path(sys.executable).parent))
    assert found, "the osgraph console script is not installed beside this Python"
    return found


def osgraph(
    *args: str, stdin: str | bytes | None = None, timeout: float = 120, **options: object
) -> subprocess.CompletedProcess[bytes]:
    """Run the real `osgraph` process; output as bytes."""
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [executable(), *args],
        input=stdin.encode() if isinstance(stdin, str) else stdin,
        capture_output="stdout" not in options,
        stderr=subprocess.PIPE if "stdout" in options else None,
        timeout=timeout,
        check=False,
        **options,
    )


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Run the command in this process (typer's runner): exit code, output, error output.
    An exception that escapes the command, which a user would see as a traceback, fails."""
    code, out, err = invoke_osgraph(args, stdin)
    # The bytes, as written: the runner's text turns CSV's \r\n into \n.
    return code, out.decode(), err.decode()


def invoke_into(stdout: TextIO, *args: str, stdin: str = "") -> tuple[int, str]:
    """Run the command in this process with ``stdout`` (a real file, which typer's runner cannot
    give) as its standard output: exit code and error output. An exception that escapes the
    command fails."""
    written = io.BytesIO()
    error = io.TextIOWrapper(written, encoding="utf-8")
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8")
    sys.stdout, sys.stderr = stdout, error
    try:
        COMMAND.main(list(args), prog_name="osgraph")
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    error.flush()
    return code, written.getvalue().decode()


def assert_refused(code: int, stderr: str, *fragments: str, exit_code: int = 1) -> None:
    """Exit code ``exit_code`` and a single line on standard error that says why."""
    assert code == exit_code, stderr
    assert "Traceback" not in stderr
    assert stderr.startswith("osgraph: error: "), stderr
    assert stderr.endswith("\n") and stderr.count("\n") == 1, repr(stderr)
    assert stderr[:-1].isprintable(), repr(stderr)
    for fragment in fragments:
        assert fragment in stderr, stderr


# --- a SPARQL endpoint that misbehaves on demand ---------------------------------------------


class Listener:
    """An HTTP server on a free loopback port; ``hits`` lists every request it got."""

    def __init__(self) -> None:
        self.hits: list[tuple[str, str]] = []
        self.release = threading.Event()
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.answer()

            def do_POST(self) -> None:
                self.answer()

            def answer(self) -> None:
                listener.hits.append((self.command, self.path))
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                route = ROUTES.get(self.path.split("?")[0], ROUTES["/sparql"])
                route(self, listener.release)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # A short poll interval: shutdown() waits for the loop to look (0.5 s by default).
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str,
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


REMOTE_ANSWER = {
    "head": {"vars": ["x"]},
    "results": {"bindings": [{"x": {"type": "literal", "value": "from the listener"}}]},
}


def trickle(handler: BaseHTTPRequestHandler, release: threading.Event) -> None:
    """Headers, then a byte of JSON now and then, for ever: each read is quicker than the
    timeout, the answer never ends."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/sparql-results+json")
    handler.end_headers()
    try:
        while not release.wait(0.1):
            handler.wfile.write(b" ")
            handler.wfile.flush()
    except OSError:
        pass


ROUTES: dict[str, Callable[[BaseHTTPRequestHandler, threading.Event], None]] = {
    "/sparql": lambda h, _: send(
        h, 200, json.dumps(REMOTE_ANSWER).encode(), "application/sparql-results+json"
    ),
    "/xml": lambda h, _: send(
        h,
        200,
        b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        b'<head><variable name="x"/></head><results><result><binding name="x">'
        b"<literal>from xml</literal></binding></result></results></sparql>",
        "application/sparql-results+xml",
    ),
    "/html": lambda h, _: send(
        h,
        200,
        b"<!DOCTYPE html>\n<html><head><title>Welcome</title></head>\n"
        b"<body><h1>Our home page</h1>\n<p>Nothing here is SPARQL.</p></body></html>\n",
        "text/html; charset=utf-8",
    ),
    "/500": lambda h, _: send(
        h,
        500,
        b"<html><body><h1>Internal Server Error</h1>\n<pre>Stack (most recent call last):\n"
        b'  File "app.py", line 1\n</pre></body></html>\n',
        "text/html",
    ),
    "/escapes": lambda h, _: send(
        h, 503, b"\x1b[2J\x1b[31mbusy\x07\r\nretry later\x1b]0;owned\x07", "text/plain"
    ),
    "/redirect": lambda h, _: send(h, 301, b"", "text/plain", {"Location": "/sparql"}),
    "/temporary": lambda h, _: send(h, 307, b"", "text/plain", {"Location": "/sparql"}),
    "/hang": lambda h, release: release.wait(60),
    "/trickle": trickle,
    "/not-json": lambda h, _: send(h, 200, b"{this is not json", "application/sparql-results+json"),
    "/wrong-json": lambda h, _: send(h, 200, b'{"results": 42}', "application/sparql-results+json"),
    "/no-content": lambda h, _: send(h, 204, b"", "application/sparql-results+json"),
    "/bad-turtle": lambda h, _: send(h, 200, b"<a> <b> .", "text/turtle"),
}


@pytest.fixture
def listener() -> Iterator[Listener]:
    started = Listener()
    yield started
    started.close()


# --- 1. ASK answers in every format ---------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("pattern", "answer"), [("?s ?p ?o", True), ("?s <http://none> ?o", False)]
)
def test_an_ask_answer_is_written_in_every_format(
    bundled_kg: Path, engine: str, pattern: str, answer: bool
) -> None:
    query = f"ASK {{ {pattern} }}"
    args = ["query", "-", "--kg", str(bundled_kg), "--engine", engine]
    word = "true" if answer else "false"
    outputs = {}
    for format in ["table", "csv", "tsv", "json", "xml"]:
        code, out, err = invoke(*args, "--format", format, stdin=query)
        assert code == 0, err
        outputs[format] = out
    assert outputs["table"] == f"{word}\n"
    assert list(csv.reader(io.StringIO(outputs["csv"]))) == [["boolean"], [word]]
    assert outputs["csv"] == f"boolean\r\n{word}\r\n"
    assert outputs["tsv"].splitlines() == ["?boolean", word]
    assert json.loads(outputs["json"]) == {"head": {}, "boolean": answer}
    parsed = Result.parse(io.BytesIO(outputs["xml"].encode()), format="xml")
    assert parsed.type == "ASK" and parsed.askAnswer is answer


@pytest.mark.process
def test_an_ask_answer_in_csv_from_the_real_process(bundled_kg: Path) -> None:
    done = osgraph("query", "-", "--kg", str(bundled_kg), "-f", "csv", *OXIGRAPH, stdin="ASK {}")
    assert (done.returncode, done.stdout, done.stderr) == (0, b"boolean\r\ntrue\r\n", b"")


# --- 2. parameters that look like IRIs -------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "value",
    [
        "<http://a b>",
        "<http://a>b>",
        "<http://a>",  # fine: the control, below
        '<http://a"b>',
        "<http://a{b}>",
        "<http://a\\b>",
        "<http://a/\x7f>",
        "<http://a%zz>",
        "<no-scheme>",
        "<x>",
        "<http://[bad/>",
    ],
)
def test_a_parameter_that_is_not_an_iri_is_refused_by_name(
    bundled_kg: Path, engine: str, value: str
) -> None:
    query = PREFIXES + "SELECT ?project WHERE { ?p osg:country ?c ; rdfs:label ?project }"
    code, out, err = invoke(
        "query", "-", "--kg", str(bundled_kg), "--engine", engine,
        "--param", f"c={value}", stdin=query,
    )  # fmt: skip
    if value == "<http://a>":
        assert code == 0, err
        assert out.endswith("0 rows\n")
        return
    assert_refused(code, err, "--param c=", "not an IRI")
    assert out == ""


def test_an_iri_for_a_parameter_matched_as_a_name_is_refused(bundled_kg: Path) -> None:
    code, out, err = invoke(
        "query", "projects-of", "--kg", str(bundled_kg),
        "--param", "country=<https://w3id.org/osgraph/id/country/CN>",
    )  # fmt: skip
    assert_refused(code, err, "--param country=", "matched as a name")
    assert out == ""


@pytest.mark.parametrize("engine", ENGINES)
def test_an_iri_parameter_is_bound_as_an_iri(bundled_kg: Path, engine: str) -> None:
    query = PREFIXES + "SELECT ?project WHERE { ?p osg:country ?c ; rdfs:label ?project }"
    code, out, err = invoke(
        "query", "-", "--kg", str(bundled_kg), "--engine", engine, "-f", "csv",
        "--param", "c=<https://w3id.org/osgraph/id/country/CN>", stdin=query,
    )  # fmt: skip
    assert code == 0, err
    assert len(out.splitlines()) == 1 + 40  # the 40 projects the list credits to China


def test_an_invalid_iri_parameter_never_reaches_an_endpoint(listener: Listener) -> None:
    code, _, err = invoke(
        "query", "projects-of", "--endpoint", f"{listener.url}/sparql",
        "--param", "institution=<http://a b>",
    )  # fmt: skip
    assert_refused(code, err, "--param institution=")
    assert listener.hits == []


@pytest.mark.process
def test_a_parameter_that_is_not_utf8_is_refused(bundled_kg: Path) -> None:
    message = "osgraph: error: --param institution: the value is not valid UTF-8 text\n"
    # The real process, whose argument holds the byte itself (rdflib) ...
    done = osgraph(
        "query", "projects-of", "--kg", str(bundled_kg), "--engine", "rdflib",
        "-p", os.fsdecode(b"institution=caf\xe9"),
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (1, message.encode())
    # ... and the same argument as Python hands it on (oxigraph), in this process.
    code, _, err = invoke(
        "query", "projects-of", "--kg", str(bundled_kg), "--engine", "oxigraph",
        "-p", os.fsdecode(b"institution=caf\xe9"),
    )  # fmt: skip
    assert (code, err) == (1, message)


# --- 3. --store-dir ----------------------------------------------------------------------------


def test_a_store_dir_that_is_a_file_is_a_message(bundled_kg: Path, tmp_path: Path) -> None:
    file = tmp_path / "store"
    file.write_text("mine\n")
    args = ["query", "contributions", "--kg", str(bundled_kg), "--engine", "oxigraph"]
    code, _, err = invoke(*args, "--store-dir", str(file))
    assert_refused(code, err, str(file), "is a file", exit_code=2)
    code, _, err = invoke(*args, "--store-dir", str(file / "inside"))
    assert_refused(code, err, str(file / "inside"), "cannot hold the Oxigraph store", exit_code=3)
    assert file.read_text() == "mine\n"


def test_a_store_dir_holding_other_files_is_left_alone(bundled_kg: Path, tmp_path: Path) -> None:
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "thesis.txt").write_text("years of work\n")
    code, _, err = invoke(
        "query", "contributions", "--kg", str(bundled_kg), "--store-dir", str(folder)
    )
    assert_refused(code, err, "not an osgraph store", exit_code=2)
    assert [p.name for p in folder.iterdir()] == ["thesis.txt"]


def test_a_broken_store_is_a_message(bundled_kg: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    args = ["query", "contributions", "--kg", str(bundled_kg), "--store-dir", str(store)]
    code, out, err = invoke(*args)
    assert code == 0 and out.endswith("128 rows\n"), err
    (store / "CURRENT").write_text("garbage\n")
    (store / ".osgraph-source").write_text("another graph\n")
    code, _, err = invoke(*args)
    assert_refused(code, err, str(store), exit_code=3)


def test_a_new_store_dir_is_made_and_used_again(bundled_kg: Path, tmp_path: Path) -> None:
    store = tmp_path / "a" / "b"
    args = [
        "query",
        "contributions",
        "--kg",
        str(bundled_kg),
        "--store-dir",
        str(store),
        "-f",
        "csv",
    ]
    first, second = invoke(*args), invoke(*args)
    assert first == second and first[0] == 0 and len(first[1].splitlines()) == 129


# --- 4. endpoints --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "localhost:7878/query",
        "ftp://127.0.0.1/sparql",
        "file:///etc/passwd",
        "http://exa mple.org/sparql",
        " http://127.0.0.1/sparql",
        "http://127.0.0.1/spa\trql",
        "",
        "http://",
        "http:///sparql",
        "http://[::1",
        "http://127.0.0.1:99999/sparql",
        "//127.0.0.1/sparql",
    ],
)
def test_an_endpoint_that_is_not_an_http_url_is_refused(url: str) -> None:
    code, out, err = invoke("query", "contributions", "--endpoint", url)
    assert_refused(code, err, "endpoint", exit_code=2)
    assert out == ""


@pytest.mark.parametrize(
    ("path", "fragments"),
    [
        ("/html", ["answered text/html, not SPARQL results"]),
        ("/500", ["answered 500 Internal Server Error", "Internal Server Error"]),
        ("/escapes", ["answered 503", "busy"]),
        ("/redirect", ["answered 301", "a redirect to /sparql", "does not follow redirects"]),
        ("/temporary", ["answered 307", "a redirect to /sparql"]),
        ("/not-json", ["not readable as SPARQL results"]),
        ("/wrong-json", ["not readable as SPARQL results"]),
        ("/no-content", ["not readable as SPARQL results"]),
        ("/bad-turtle", ["not readable as SPARQL results"]),
    ],
)
def test_an_endpoint_that_answers_badly_is_a_message(
    listener: Listener, path: str, fragments: list[str]
) -> None:
    url = listener.url + path
    code, out, err = invoke("query", "contributions", "--endpoint", url, "--timeout", "5")
    assert_refused(code, err, url, *fragments)
    assert "\x1b" not in err and "\x07" not in err
    assert out == ""
    assert listener.hits == [("POST", path)]  # asked once; a redirect is not followed


@pytest.mark.parametrize("path", ["/hang", "/trickle"])
def test_an_endpoint_that_never_answers_times_out(listener: Listener, path: str) -> None:
    started = time.monotonic()
    code, _, err = invoke(
        "query", "contributions", "--endpoint", listener.url + path, "--timeout", "0.5"
    )
    assert_refused(code, err, "did not answer within 0.5 s", exit_code=3)
    assert time.monotonic() - started < 10


def test_an_endpoint_that_answers_well_is_read_in_json_and_xml(listener: Listener) -> None:
    for path, value in [("/sparql", "from the listener"), ("/xml", "from xml")]:
        code, out, err = invoke(
            "query",
            "-",
            "--endpoint",
            listener.url + path,
            "-f",
            "csv",
            stdin="SELECT ?x WHERE { ?s ?p ?x }",
        )
        assert (code, out, err) == (0, f"x\r\n{value}\r\n", "")


def test_a_closed_port_is_a_message() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
    code, _, err = invoke("query", "contributions", "--endpoint", f"http://127.0.0.1:{port}/")
    assert_refused(code, err, f"http://127.0.0.1:{port}/", exit_code=3)


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon"])
def test_a_timeout_that_is_not_a_number_of_seconds_is_a_usage_error(value: str) -> None:
    code, _, err = invoke("query", "contributions", "--timeout", value)
    assert code == 2, err
    assert "--timeout" in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["network", "report", "view"])
def test_the_other_querying_commands_refuse_bad_endpoints_too(
    command: str, listener: Listener, tmp_path: Path
) -> None:
    out = ["--out", str(tmp_path / ("x.html" if command == "view" else "x"))]
    for url in ["ftp://127.0.0.1/x", "", f"{listener.url}/html", f"{listener.url}/500"]:
        code, _, err = invoke(command, "--endpoint", url, *out)
        if url.startswith("http"):  # an endpoint that answers what is not SPARQL results
            assert_refused(code, err, url)
        else:  # an address that is not an endpoint's
            assert_refused(code, err, "endpoint", exit_code=2)


# --- 5. standard output that takes no more ---------------------------------------------------


FULL = Path("/dev/full")
PROCESS_IDS = {True: "process", False: "in-process"}


@pytest.mark.skipif(not FULL.exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize(
    ("args", "real_process"),
    [
        pytest.param(
            ["query", "contributions", "--engine", "oxigraph"], True, marks=pytest.mark.process
        ),
        (["query", "contributions", "-f", "csv"], False),
        (["query", "-", "-f", "tsv"], False),
        (["queries"], False),
        (["network", "-f", "json"], False),
        pytest.param(["view", "--out", "VIEW"], True, marks=pytest.mark.process),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else PROCESS_IDS[value],
)
def test_a_full_standard_output_is_a_message(
    bundled_kg: Path, tmp_path: Path, args: list[str], real_process: bool
) -> None:
    """Two cases run the real process on /dev/full; the others run in this process with
    /dev/full as its standard output, which fails the same way."""
    args = [str(tmp_path / "v.html") if a == "VIEW" else a for a in args]
    if args[0] != "queries":
        args += ["--kg", str(bundled_kg)]
    message = "osgraph: error: cannot write to standard output: No space left on device\n"
    if real_process:
        with FULL.open("wb") as full:
            done = osgraph(*args, stdin="ASK {}", stdout=full)
        assert (done.returncode, done.stderr) == (3, message.encode())
    else:
        with FULL.open("w", encoding="utf-8") as full:
            assert invoke_into(full, *args, stdin="ASK {}") == (3, message)


@pytest.mark.parametrize(
    "format", [pytest.param("table", marks=pytest.mark.process), "csv", "json"]
)
def test_a_closed_pipe_ends_the_command_quietly(bundled_kg: Path, format: str) -> None:
    if format != "table":  # in this process, with a pipe whose reader is gone as its output
        reader, writer = os.pipe()
        os.close(reader)
        with os.fdopen(writer, "w", encoding="utf-8") as pipe:
            code, err = invoke_into(
                pipe, "query", "contributions", "--kg", str(bundled_kg), "-f", format
            )
        assert (code, err) == (3, "")
        return
    process = subprocess.Popen(
        [executable(), "query", "contributions", "--kg", str(bundled_kg), "-f", format, *OXIGRAPH],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before osgraph writes a byte
    stderr = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=120) == 3
    assert stderr == b""


@pytest.mark.process
def test_head_takes_the_first_line_and_osgraph_says_nothing(bundled_kg: Path) -> None:
    shell = shutil.which("bash") or shutil.which("sh")
    assert shell
    line = f'"{executable()}" network --kg "{bundled_kg}" -f json | head -c 1'
    done = subprocess.run(
        [shell, "-c", line + '; exit "${PIPESTATUS[0]:-0}"'],
        capture_output=True,
        check=False,
    )
    assert done.stdout == b"{"
    assert done.stderr == b""
    assert done.returncode in (0, 3)


@pytest.mark.process
def test_a_closed_standard_output_is_a_message(bundled_kg: Path) -> None:
    shell = shutil.which("sh")
    assert shell
    line = f'"{executable()}" query contributions --kg "{bundled_kg}" --engine oxigraph >&-'
    done = subprocess.run([shell, "-c", line], capture_output=True, check=False)
    assert done.returncode == 3
    assert done.stderr.startswith(b"osgraph: error: cannot write to standard output")
    assert done.stderr.count(b"\n") == 1


# --- 6. what rdflib's engine raises on ---------------------------------------------------------


SAME_ANSWER = {
    "group_concat distinct over an unbound optional": """
        SELECT ?p (GROUP_CONCAT(DISTINCT ?h; separator=",") AS ?hs) WHERE {
          ?p a osg:Project . OPTIONAL { ?p <http://nothing> ?h }
        } GROUP BY ?p ORDER BY ?p LIMIT 3""",
    "group_concat distinct over all, none bound": """
        SELECT (GROUP_CONCAT(DISTINCT ?h) AS ?hs) (COUNT(DISTINCT ?h) AS ?n) WHERE {
          ?p a osg:Project . OPTIONAL { ?p <http://nothing> ?h } }""",
    "sum and avg distinct over an unbound optional": """
        SELECT ?p (SUM(DISTINCT ?h) AS ?s) (AVG(DISTINCT ?h) AS ?a) WHERE {
          ?p a osg:Project . OPTIONAL { ?p <http://nothing> ?h }
        } GROUP BY ?p ORDER BY ?p LIMIT 2""",
    "sum of words": """
        SELECT (SUM(?l) AS ?total) (COUNT(?l) AS ?n) WHERE { ?c a osg:Country ; rdfs:label ?l }""",
    "a bad regular expression in a filter": """
        SELECT ?l WHERE { ?s rdfs:label ?l FILTER(REGEX(?l, "(")) }""",
    "a bad language tag in a filter": """
        SELECT ?l WHERE { ?s rdfs:label ?l FILTER(STRLANG(?l, "not a tag") = ?l) }""",
    "arithmetic on an ill-typed number in a filter": """
        SELECT ?o WHERE { VALUES ?o { "abc"^^xsd:integer 1 } FILTER(?o + 1 > 0) }""",
    "an error in a bind": """
        SELECT ?o ?x WHERE { VALUES ?o { "abc"^^xsd:integer 2 } BIND(ROUND(?o) AS ?x) }
        ORDER BY ?x""",
}


def answer_of(kg: Path, engine: str, query: str) -> tuple[int, object]:
    code, out, err = invoke(
        "query", "-", "--kg", str(kg), "--engine", engine, "-f", "json", stdin=PREFIXES + query
    )
    if code:
        assert_refused(code, err)
        return code, None
    document = json.loads(out)
    return code, (
        document["head"],
        sorted(json.dumps(b, sort_keys=True) for b in document["results"]["bindings"]),
    )


@pytest.mark.parametrize("name", sorted(SAME_ANSWER))
def test_both_engines_answer_what_rdflib_used_to_raise_on(bundled_kg: Path, name: str) -> None:
    rdflib, oxigraph = (answer_of(bundled_kg, engine, SAME_ANSWER[name]) for engine in ENGINES)
    assert rdflib[0] == 0
    assert rdflib == oxigraph


def test_an_error_in_an_aggregate_leaves_it_unbound_and_the_rest_answered(bundled_kg: Path) -> None:
    _, answer = answer_of(
        bundled_kg, "rdflib", SAME_ANSWER["group_concat distinct over all, none bound"]
    )
    assert answer == (
        {"vars": ["hs", "n"]},
        [
            json.dumps(
                {
                    "n": {
                        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                        "type": "literal",
                        "value": "0",
                    }
                },
                sort_keys=True,
            )
        ],
    )


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?l WHERE { ?s rdfs:label ?l } ORDER BY (?l + 1)",  # rdflib cannot sort errors
        # Oxigraph refuses a function it does not know; rdflib takes it for an error.
        "SELECT ?l WHERE { ?s rdfs:label ?l FILTER(<http://x/f>(?l)) }",
        "SELECT (<http://x/f>(?l) AS ?v) WHERE { ?s rdfs:label ?l }",
        "SELECT ?x WHERE { ?x ?y ",
        "SELECT ?x WHERE { BIND(1 AS ?x) BIND(2 AS ?x) }",
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?o > NOW()) } LIMIT 1",
        "DESCRIBE <http://nothing>",
    ],
)
def test_an_engine_error_is_an_answer_or_a_message(
    bundled_kg: Path, engine: str, query: str
) -> None:
    code, _, err = invoke(
        "query", "-", "--kg", str(bundled_kg), "--engine", engine, stdin=PREFIXES + query
    )
    if code:
        assert_refused(code, err)
    else:
        assert err == ""


@pytest.mark.process
def test_rdflib_says_nothing_on_standard_error_about_odd_literals(tmp_path: Path) -> None:
    kg = tmp_path / "odd.ttl"
    kg.write_text(
        '<http://a> <http://b> "x"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        '<http://a> <http://c> "1"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
    )
    query = "SELECT ?o WHERE { ?s ?p ?o FILTER(?o + 1 > 0 || ?o < NOW()) }"
    done = osgraph("query", "-", "--kg", str(kg), "--engine", "rdflib", stdin=query)
    assert done.returncode == 0
    assert done.stderr == b""


def test_a_table_shows_control_characters_escaped(tmp_path: Path) -> None:
    kg = tmp_path / "escapes.ttl"
    kg.write_text('<http://a> <http://b> "red\\u001B[31m\\nbell\\u0007" .\n')
    code, out, err = invoke("query", "-", "--kg", str(kg), stdin="SELECT ?o WHERE { ?s ?p ?o }")
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out
    assert "red\\x1b[31m\\nbell\\x07" in out


def test_a_term_no_format_can_hold_is_a_message(bundled_kg: Path) -> None:
    # rdflib makes an IRI with a space, which TSV (terms in Turtle syntax) cannot write.
    query = 'SELECT ?i WHERE { BIND(IRI("http://a b") AS ?i) }'
    args = ["query", "-", "--kg", str(bundled_kg), "--engine", "rdflib", "-f", "tsv"]
    code, out, err = invoke(*args, stdin=query)
    assert_refused(code, err, "the answer cannot be written as tsv")
    assert out == ""


# --- 7. SERVICE ---------------------------------------------------------------------------------


def service_query(listener: Listener, form: str = "SERVICE", path: str = "/sparql") -> str:
    return f"SELECT ?x WHERE {{ {form} <{listener.url}{path}> {{ ?s ?p ?x }} }}"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("form", ["SERVICE", "service", "SERVICE SILENT", "SeRvIcE\n\t"])
def test_a_service_clause_is_refused_unless_allowed(
    bundled_kg: Path, listener: Listener, engine: str, form: str
) -> None:
    code, out, err = invoke(
        "query", "-", "--kg", str(bundled_kg), "--engine", engine, "-f", "csv",
        stdin=service_query(listener, form),
    )  # fmt: skip
    assert code == 1
    assert_refused(code, err, "asks another host", "--allow-service")
    assert out == ""
    assert listener.hits == []


def test_a_service_clause_to_a_variable_or_via_an_endpoint_is_refused(
    bundled_kg: Path, listener: Listener
) -> None:
    variable = (
        f"SELECT ?x WHERE {{ BIND(<{listener.url}/sparql> AS ?u) SERVICE ?u {{ ?s ?p ?x }} }}"
    )
    code, _, err = invoke("query", "-", "--kg", str(bundled_kg), stdin=variable)
    assert_refused(code, err, "--allow-service")
    code, _, err = invoke(
        "query", "-", "--endpoint", f"{listener.url}/sparql", stdin=service_query(listener)
    )
    assert_refused(code, err, "--allow-service")
    assert listener.hits == []


@pytest.mark.parametrize("engine", ENGINES)
def test_allow_service_lets_the_engine_ask_the_host(
    bundled_kg: Path, listener: Listener, engine: str
) -> None:
    code, out, err = invoke(
        "query", "-", "--kg", str(bundled_kg), "--engine", engine, "-f", "csv", "--allow-service",
        stdin=service_query(listener),
    )  # fmt: skip
    assert code == 0, err
    assert out == "x\r\nfrom the listener\r\n"
    assert listener.hits and all(path.startswith("/sparql") for _, path in listener.hits)


@pytest.mark.parametrize("engine", ["rdflib", pytest.param("oxigraph", marks=pytest.mark.process)])
def test_an_allowed_service_that_never_answers_times_out(
    bundled_kg: Path, listener: Listener, engine: str
) -> None:
    """Oxigraph waits for the host without end: its case runs the real process, which must
    exit with the query still waiting; rdflib's runs in this process."""
    started = time.monotonic()
    args = ["query", "-", "--kg", str(bundled_kg), "--engine", engine, "--allow-service"]
    query = service_query(listener, path="/hang")
    if engine == "oxigraph":
        done = osgraph(*args, "--timeout", "1", stdin=query, timeout=60)
        code, err = done.returncode, done.stderr.decode()
    else:
        code, _, err = invoke(*args, "--timeout", "1", stdin=query)
    assert_refused(code, err, "did not end within 1 s")
    assert time.monotonic() - started < 30
    assert [path.split("?")[0] for _, path in listener.hits][:1] == ["/hang"]


def test_the_word_service_in_a_string_or_comment_is_no_service(bundled_kg: Path) -> None:
    query = 'SELECT ?x WHERE { BIND("SERVICE <http://x/> {}" AS ?x) } # SERVICE <http://x/>'
    code, out, err = invoke("query", "-", "--kg", str(bundled_kg), "-f", "csv", stdin=query)
    assert (code, err) == (0, "")
    assert out == "x\r\nSERVICE <http://x/> {}\r\n"


# --- 8. queries that would overflow an engine's stack ---------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("query", "message", "real_process"),
    [
        pytest.param(
            "SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000,
            "nests groups 51 deep",
            True,
            marks=pytest.mark.process,
        ),
        ("SELECT * WHERE " + "(" * 5000, "nests groups 51 deep", False),
        ("SELECT * WHERE { " + "?a?b?c." * 10_000 + " }", "more than the 10,000 tokens", False),
        (
            "SELECT * WHERE { "
            + " ".join(f"?s{i} <http://p> ?o{i} ." for i in range(10_000))
            + " }",
            "more than the 100,000 osgraph runs",
            False,
        ),
    ],
    ids=["5000 braces", "5000 parentheses", "10000 short patterns", "10000 long patterns"],
)
def test_a_query_too_deep_or_too_long_is_refused_not_a_crash(
    bundled_kg: Path, engine: str, query: str, message: str, real_process: bool
) -> None:
    """The deepest query runs the real process on each engine, where a stack overflow would be
    a signal rather than exit code 1; the others are refused the same way in this process."""
    args = ["query", "-", "--kg", str(bundled_kg), "--engine", engine]
    if real_process:
        done = osgraph(*args, stdin=query)
        code, err = done.returncode, done.stderr.decode()
    else:
        code, _, err = invoke(*args, stdin=query)
    assert code == 1, f"exit {code} (a negative one is a signal: -11 a segfault)"
    assert_refused(1, err, message)


# --- input that is not what it says -------------------------------------------------------------


@pytest.mark.process
def test_standard_input_that_is_not_utf8_is_a_message(bundled_kg: Path) -> None:
    done = osgraph("query", "-", "--kg", str(bundled_kg), stdin=b'SELECT * WHERE { ?s ?p "\xff" }')
    assert_refused(done.returncode, done.stderr.decode(), "standard input is not UTF-8")


def test_a_query_file_with_a_byte_order_mark_runs(bundled_kg: Path, tmp_path: Path) -> None:
    (tmp_path / "ask.rq").write_bytes("\ufeffASK {}".encode())
    code, out, err = invoke("query", str(tmp_path / "ask.rq"), "--kg", str(bundled_kg))
    assert (code, out, err) == (0, "true\n", "")


def test_a_query_path_that_is_a_folder_is_a_message(bundled_kg: Path, tmp_path: Path) -> None:
    (tmp_path / "q.rq").mkdir()
    code, _, err = invoke("query", str(tmp_path / "q.rq"), "--kg", str(bundled_kg))
    assert_refused(code, err, "cannot be read", exit_code=3)
