"""Serve a built graph as a read-only SPARQL 1.1 Protocol endpoint, with a query page.

- ``/sparql``: queries by GET (``?query=``) or POST (form, or ``application/sparql-query``);
  results in JSON, XML, CSV or TSV by the ``Accept`` header (JSON when it names none of them);
  graphs (CONSTRUCT, DESCRIBE) in Turtle or N-Triples. Updates are refused with 403.
- Each query runs under a time limit (503 past it; the query itself runs on to its end, since
  neither engine can interrupt one) and returns at most a number of rows (the header
  ``X-Osgraph-Truncated: true`` says when rows were cut). At most four queries run at once.
- ``/``: a page to type queries (YASGUI, served from osgraph's own files) and to pick the named
  queries, which ``/queries`` lists as JSON.

The server listens on loopback unless told otherwise.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from osgraph.query import Engine, QueryError, QueryResult, named_queries, open_engine, run_query

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0
DEFAULT_ROW_LIMIT = 10_000
MAX_RUNNING_QUERIES = 4
"""Queries that may run at once, abandoned ones included; more are answered with 503."""

_SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
_FORMAT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
_ASSETS = {
    "yasgui/yasgui.min.js": "text/javascript; charset=utf-8",
    "yasgui/yasgui.min.css": "text/css; charset=utf-8",
}


@dataclass(frozen=True, slots=True)
class EndpointSettings:
    """How the endpoint answers: its graph, and the limits of each query."""

    graph_name: str
    timeout: float = DEFAULT_TIMEOUT
    row_limit: int = DEFAULT_ROW_LIMIT


def make_server(
    kg: Path | str,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    engine: str = "oxigraph",
    timeout: float = DEFAULT_TIMEOUT,
    row_limit: int = DEFAULT_ROW_LIMIT,
) -> ThreadingHTTPServer:
    """Load ``kg`` and return an HTTP server for it, bound but not yet serving.

    Call ``serve_forever()`` on it (and ``shutdown()`` from another thread to stop it). Port 0
    picks a free port: ``server.server_address`` says which.

    Raises
    ------
    QueryError
        When ``kg`` is missing or cannot be read.
    OSError
        When the address cannot be bound (say, the port is taken).
    """
    store = open_engine(kg, engine)  # type: ignore[arg-type]
    settings = EndpointSettings(str(kg), timeout, row_limit)
    handler = _handler_class(store, settings)
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def _handler_class(store: Engine, settings: EndpointSettings) -> type[BaseHTTPRequestHandler]:
    running = threading.BoundedSemaphore(MAX_RUNNING_QUERIES)
    page = (resources.files("osgraph") / "templates" / "sparql.html").read_bytes()
    listing = json.dumps(
        {
            "graph": settings.graph_name,
            "queries": [
                {
                    "name": q.name,
                    "description": q.description,
                    "parameters": q.parameters,
                    "text": q.text,
                }
                for q in named_queries().values()
            ],
        }
    ).encode("utf-8")

    class SparqlHandler(BaseHTTPRequestHandler):
        server_version = "osgraph"
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/":
                self._send(HTTPStatus.OK, page, "text/html; charset=utf-8")
            elif url.path == "/queries":
                self._send(HTTPStatus.OK, listing, "application/json")
            elif url.path.startswith("/assets/") and url.path[8:] in _ASSETS:
                asset = resources.files("osgraph") / "static" / url.path[8:]
                self._send(HTTPStatus.OK, asset.read_bytes(), _ASSETS[url.path[8:]])
            elif url.path == "/sparql":
                parameters = parse_qs(url.query)
                if "update" in parameters:
                    self._refuse_update()
                    return
                self._answer(parameters.get("query", [""])[0])
            else:
                self._error(HTTPStatus.NOT_FOUND, f"no such page: {url.path}")

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/sparql":
                self._error(HTTPStatus.NOT_FOUND, f"no such endpoint: {url.path}")
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", errors="replace")
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if content_type == "application/sparql-update":
                self._refuse_update()
            elif content_type == "application/sparql-query":
                self._answer(body)
            elif content_type == "application/x-www-form-urlencoded":
                form = parse_qs(body)
                if "update" in form:
                    self._refuse_update()
                else:
                    self._answer(form.get("query", [""])[0])
            else:
                self._error(
                    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                    "send the query as application/sparql-query or a form field named query",
                )

        def do_PUT(self) -> None:
            self._refuse_update()

        def do_DELETE(self) -> None:
            self._refuse_update()

        def do_PATCH(self) -> None:
            self._refuse_update()

        def _answer(self, text: str) -> None:
            if not text.strip():
                self._error(HTTPStatus.BAD_REQUEST, "no query: send one in the query parameter")
                return
            if _is_update(text):
                self._refuse_update()
                return
            if not running.acquire(blocking=False):
                self._error(
                    HTTPStatus.SERVICE_UNAVAILABLE, "too many queries are running; try again"
                )
                return
            answer = _Answer(store, text, running)
            if not answer.done.wait(settings.timeout):
                self._error(
                    HTTPStatus.SERVICE_UNAVAILABLE,
                    f"the query ran longer than {settings.timeout:g} s and was abandoned",
                )
                return
            if answer.error is not None:
                self._error(HTTPStatus.BAD_REQUEST, str(answer.error))
                return
            result = answer.result
            assert result is not None
            truncated = _truncate(result, settings.row_limit)
            body, media_type = _negotiate(result, self.headers.get("Accept") or "")
            extra = {"X-Osgraph-Truncated": "true"} if truncated else {}
            self._send(HTTPStatus.OK, body, media_type, extra)

        def _refuse_update(self) -> None:
            self._error(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")

        def _error(self, status: HTTPStatus, message: str) -> None:
            self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")

        def _send(
            self,
            status: HTTPStatus,
            body: bytes,
            media_type: str,
            extra: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", "Accept")
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            # Keep the terminal for the address and errors; one line per request is noise.
            if args and str(args[1]).startswith(("4", "5")):
                super().log_message(format, *args)

    return SparqlHandler


class _Answer:
    """A query running on a thread of its own, so that a request can stop waiting for it.

    Neither engine can interrupt a query, so an abandoned one runs on to its end; its thread is
    a daemon, so that it never keeps the server from stopping, and it holds one of the
    :data:`MAX_RUNNING_QUERIES` places until it ends.
    """

    def __init__(self, store: Engine, text: str, running: threading.BoundedSemaphore) -> None:
        self.done = threading.Event()
        self.result: QueryResult | None = None
        self.error: QueryError | None = None
        self._running = running
        threading.Thread(target=self._run, args=(store, text), daemon=True).start()

    def _run(self, store: Engine, text: str) -> None:
        try:
            self.result = run_query(store, text, {})
        except QueryError as error:
            self.error = error
        finally:
            self._running.release()
            self.done.set()


def _is_update(text: str) -> bool:
    """Whether ``text`` is a SPARQL update rather than a query."""
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        parseQuery(text)
        return False
    except Exception:  # not a query: it may still be an update
        try:
            parseUpdate(text)
        except Exception:  # neither: the engine will report the syntax error
            return False
        return True


def _truncate(result: QueryResult, limit: int) -> bool:
    if result.kind == "SELECT" and len(result.rows) > limit:
        result.rows = result.rows[:limit]
        return True
    return False


def _negotiate(result: QueryResult, accept: str) -> tuple[bytes, str]:
    """The body and media type the ``Accept`` header asks for (JSON when it names none)."""
    wanted = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if result.kind == "CONSTRUCT":
        assert result.graph is not None
        if "application/n-triples" in wanted and "text/turtle" not in wanted:
            return result.graph.serialize(format="nt", encoding="utf-8"), "application/n-triples"
        return result.graph.serialize(format="turtle", encoding="utf-8"), "text/turtle"
    format = next((_SELECT_TYPES[t] for t in wanted if t in _SELECT_TYPES), "json")
    return result.serialize(format), _FORMAT_TYPES[format]  # type: ignore[arg-type]


def serve(
    kg: Path | str,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    engine: str = "oxigraph",
    timeout: float = DEFAULT_TIMEOUT,
    row_limit: int = DEFAULT_ROW_LIMIT,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve ``kg`` until interrupted, announcing the address once it listens."""
    server = make_server(
        kg, host=host, port=port, engine=engine, timeout=timeout, row_limit=row_limit
    )
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    announce(f"Serving {kg} at http://{bound_host}:{bound_port}/ (SPARQL endpoint: /sparql)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        announce(f"Listening on {host}: other machines can reach this endpoint.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        announce("Stopped.")
    finally:
        server.server_close()
