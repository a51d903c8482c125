"""Serve a built graph as a read-only SPARQL 1.1 Protocol endpoint, with a query page.

- ``/sparql``: queries by GET (``?query=``) or POST (form, or ``application/sparql-query``), with
  ``default-graph-uri`` and ``named-graph-uri`` as the protocol defines them
  (:mod:`osgraph._protocol`); results in JSON, XML, CSV or TSV by the ``Accept`` header and its
  weights (JSON when it accepts none of them); graphs (CONSTRUCT, DESCRIBE) in Turtle or
  N-Triples. Updates are refused with 403, malformed requests with 400. A GET without
  parameters answers the endpoint's SPARQL 1.1 Service Description
  (:mod:`osgraph._service_description`).
- ``/.well-known/void``: the VoID description of the graph (:mod:`osgraph._void`), made by the
  engines on the first request that needs it; Turtle or N-Triples by the ``Accept`` header.
- ``/``: a page to type queries (YASGUI, served from osgraph's own files) and to pick the named
  queries, which ``/queries`` lists as JSON; ``/queries/NAME?PARAMETER=VALUE`` runs one with its
  parameters bound as RDF terms (:mod:`osgraph._bound_query`), as ``/sparql`` runs any query.
- ``/reconcile``: the Reconciliation Service API (:mod:`osgraph._reconcile`).

What the endpoint guarantees, whatever a client sends:

- queries run in engine processes of their own (:mod:`osgraph._engine_pool`), never in the
  server's: an engine that crashes or runs past ``timeout`` is stopped and replaced, and the
  endpoint answers the next request (500 for the crash, 503 for the time limit);
- a request that is not one query by the protocol's rules (two queries, a query and an update, a
  body that is not UTF-8, a graph IRI that is not one) gets 400, a body of another content type
  415; the descriptions name the endpoint by the request's ``Host`` when it is a host name or
  address, by the address the server listens on otherwise;
- every query passes :func:`osgraph._guard.check_query` first: too large or too deeply nested
  queries are refused with 400, a ``SERVICE`` clause too (the endpoint never contacts another
  host), an update with 403;
- an answer holds at most ``row_limit`` rows or triples, cut while the engine produces them
  (``X-Osgraph-Truncated: true``), and an engine process may use at most ``memory_limit``
  bytes;
- at most ``workers`` queries run at once; a request that finds every engine busy waits at
  most a second, then gets 503;
- a request body over :data:`MAX_REQUEST_BYTES` gets 413, a malformed ``Content-Length`` 400,
  and a client that sends nothing for :data:`IDLE_SECONDS` is disconnected;
- a form POST from a page of another origin is refused with 403 (and no response grants
  cross-origin reads, but those of ``/reconcile``, as its protocol requires).

What it does not: authenticate clients, or encrypt (put a reverse proxy in front for either),
or bound the total memory of many engines over a very large graph (each loads the graph).
The server listens on loopback unless told otherwise.
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from rdflib import Graph, Literal, URIRef, Variable
from rdflib.query import Result

from osgraph import _resources
from osgraph._bound_query import named_request
from osgraph._catalogue import named_queries
from osgraph._engine_pool import EnginePool
from osgraph._engine_process import GRAPH_TYPES
from osgraph._errors import ConfigurationError, QueryError, ReadWriteError, RefusedQueryError
from osgraph._guard import check_query
from osgraph._negotiation import preferred
from osgraph._protocol import READ_ONLY, QueryRequest, Refusal, read_request
from osgraph._reconcile import respond
from osgraph._results import QueryResult
from osgraph._service_description import FIRST, service_description
from osgraph._void import DATASET, DESCRIPTION_TYPES, VOID, placed, void_graph, write_description

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0
DEFAULT_ROW_LIMIT = 10_000
DEFAULT_WORKERS = 2
DEFAULT_MEMORY_LIMIT = 4 * 2**30
MAX_REQUEST_BYTES = 1_000_000
"""The largest request body the endpoint reads; a query is at most 100,000 characters."""
IDLE_SECONDS = 20.0
"""Seconds a client may send nothing before the connection is closed."""
WELL_KNOWN_VOID = "/.well-known/void"
"""Where VoID says a host's datasets are described (RFC 8615's well-known URIs)."""
_DESCRIPTION_ROWS = 1_000_000  # a description's queries have a row per class or property
_HOST = re.compile(r"(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?")
_ASSETS = {
    "yasgui/yasgui.min.js": "text/javascript; charset=utf-8",
    "yasgui/yasgui.min.css": "text/css; charset=utf-8",
}


class EndpointServer(ThreadingHTTPServer):
    """An HTTP server with its engine pool, which ``server_close`` stops too."""

    daemon_threads = True
    pool: EnginePool

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()


def make_server(
    kg: Path | str,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    engine: str = "oxigraph",
    timeout: float = DEFAULT_TIMEOUT,
    row_limit: int = DEFAULT_ROW_LIMIT,
    workers: int = DEFAULT_WORKERS,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
    idle_seconds: float = IDLE_SECONDS,
) -> EndpointServer:
    """Load ``kg`` into ``workers`` engine processes and return an HTTP server for it, bound
    but not yet serving.

    Call ``serve_forever()`` on it (and ``shutdown()`` from another thread, then
    ``server_close()``, to stop it and its engines). Port 0 picks a free port:
    ``server.server_address`` says which.

    Raises
    ------
    ConfigurationError
        When a limit is out of range (``timeout`` and ``workers`` above 0, ``row_limit`` 0 or
        more, ``port`` from 0 to 65535).
    ReadWriteError
        When ``kg`` is missing.
    QueryError
        When the engines cannot load ``kg``.
    OSError
        When the address cannot be bound (say, the port is taken).
    """
    _check_settings(port=port, timeout=timeout, row_limit=row_limit, workers=workers)
    path = Path(kg)
    if not path.is_file():
        raise ReadWriteError(f"{kg}: no such file (build the graph first: osgraph build)")
    pool = EnginePool(
        path,
        engine,
        workers=workers,
        timeout=timeout,
        row_limit=row_limit,
        memory_limit=memory_limit,
    )
    try:
        server = EndpointServer((host, port), _handler_class(pool, str(kg), idle_seconds))
    except OSError:
        pool.close()
        raise
    server.pool = pool
    return server


def _check_settings(*, port: int, timeout: float, row_limit: int, workers: int) -> None:
    if not 0 <= port <= 65535:
        raise ConfigurationError(f"the port must be from 0 to 65535, not {port}")
    if not timeout > 0:
        raise ConfigurationError(f"the time limit must be more than 0 seconds, not {timeout:g}")
    if row_limit < 0:
        raise ConfigurationError(f"the row limit must be 0 or more, not {row_limit}")
    if workers < 1:
        raise ConfigurationError(f"at least one query engine is needed, not {workers}")


def _handler_class(
    pool: EnginePool, graph_name: str, idle_seconds: float
) -> type[BaseHTTPRequestHandler]:
    page = _resources.data("templates", "sparql.html")
    description = _Description(pool)
    listing = json.dumps(
        {
            "graph": graph_name,
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
        timeout = idle_seconds  # the socket's: a client that sends nothing is let go

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/":
                self._send(HTTPStatus.OK, page, "text/html; charset=utf-8")
            elif url.path == "/queries":
                self._send(HTTPStatus.OK, listing, "application/json")
            elif url.path.startswith("/queries/"):
                self._answer(named_request(unquote(url.path.removeprefix("/queries/")), url.query))
            elif url.path.startswith("/assets/") and url.path[8:] in _ASSETS:
                asset = _resources.data("static", *url.path[8:].split("/"))
                self._send(HTTPStatus.OK, asset, _ASSETS[url.path[8:]])
            elif url.path == "/sparql" and not url.query:
                self._describe(service=True)
            elif url.path == "/sparql":
                self._answer(read_request(url.query, None, b""))
            elif url.path == WELL_KNOWN_VOID:
                self._describe(service=False)
            elif url.path == "/reconcile":
                self._send(*respond(graph_name, url.query, None, "", self.headers["Host"] or ""))
            else:
                self._error(HTTPStatus.NOT_FOUND, f"no such page: {url.path}")

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            body = self._body()
            if body is None:
                return
            if url.path == "/reconcile":
                kind = (self.headers.get("Content-Type") or "").split(";")[0].strip()
                self._send(*respond(graph_name, url.query, body, kind, self.headers["Host"] or ""))
                return
            if url.path != "/sparql":
                self._error(HTTPStatus.NOT_FOUND, f"no such endpoint: {url.path}")
                return
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if content_type in _FORM_TYPES and self._from_another_origin():
                self._error(
                    HTTPStatus.FORBIDDEN,
                    "a form of another site may not send queries here: send them from this "
                    "endpoint's page, or as application/sparql-query",
                )
                return
            self._answer(read_request(url.query, content_type, body))

        def do_PUT(self) -> None:
            if self._body() is not None:
                self._refuse_update()

        def do_DELETE(self) -> None:
            self.do_PUT()

        def do_PATCH(self) -> None:
            self.do_PUT()

        def _body(self) -> bytes | None:
            """The request's body, within :data:`MAX_REQUEST_BYTES`; ``None`` when it was
            refused (and the answer sent)."""
            declared = self.headers.get("Content-Length")
            if declared is None:
                return b""
            if not declared.strip().isdigit():
                self.close_connection = True
                self._error(HTTPStatus.BAD_REQUEST, f"malformed Content-Length: {declared!r}")
                return None
            length = int(declared)
            if length > MAX_REQUEST_BYTES:
                self.close_connection = True
                self._error(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    f"the request has {length:,} bytes; this endpoint reads at most "
                    f"{MAX_REQUEST_BYTES:,}",
                )
                return None
            body = self.rfile.read(length)
            if len(body) < length:  # the client stopped sending
                self.close_connection = True
                return None
            return body

        def _from_another_origin(self) -> bool:
            """Whether a browser says the request comes from a page of another site."""
            if self.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
                return True
            origin = self.headers.get("Origin")
            if origin is None:  # not a browser, or a page of this endpoint on an old browser
                return False
            # "null" is the origin of sandboxed frames and local files, which may be anyone's.
            return origin == "null" or urlsplit(origin).netloc != (self.headers.get("Host") or "")

        def _answer(self, request: QueryRequest | Refusal) -> None:
            if isinstance(request, Refusal):
                self._error(request.status, request.message)
                return
            try:
                kind = check_query(request.query)
            except RefusedQueryError as refused:
                self._error(HTTPStatus.BAD_REQUEST, str(refused))
                return
            if kind == "update":
                self._refuse_update()
                return
            status, media_type, truncated, body = pool.answer(
                request.query, self.headers.get("Accept") or "", dataset=request.dataset
            )
            extra = {"X-Osgraph-Truncated": "true"} if truncated else {}
            self._send(HTTPStatus(status), body, media_type, extra)

        def _describe(self, *, service: bool) -> None:
            """The service description, or the VoID description, of what this serves."""
            try:
                void = description.graph()
            except QueryError as error:
                self._error(
                    HTTPStatus.SERVICE_UNAVAILABLE, f"the description could not be made: {error}"
                )
                return
            origin = f"http://{self._host()}"
            document, endpoint = origin + WELL_KNOWN_VOID, origin + "/sparql"
            accept = self.headers.get("Accept") or ""
            media_type = preferred(accept, DESCRIPTION_TYPES) or DESCRIPTION_TYPES[0]
            if service:
                triples = void.value(DATASET, VOID.triples)
                assert isinstance(triples, Literal)
                graph = service_description(endpoint, URIRef(document + DATASET), triples)
                body = write_description(graph, media_type, FIRST)
            else:
                body = write_description(placed(void, document, endpoint), media_type)
            self._send(HTTPStatus.OK, body, media_type)

        def _host(self) -> str:
            """The host and port clients reach this endpoint at."""
            host = self.headers.get("Host") or ""
            if _HOST.fullmatch(host):
                return host
            bound = self.server.server_address
            assert isinstance(bound, tuple)  # an internet socket's: (host, port, ...)
            address, port = str(bound[0]), int(bound[1])
            return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"

        def _refuse_update(self) -> None:
            self._error(READ_ONLY.status, READ_ONLY.message)

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
            self.send_header("X-Content-Type-Options", "nosniff")
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            # Keep the terminal for the address and errors; one line per request is noise.
            if len(args) > 1 and str(args[1]).startswith(("4", "5")):
                super().log_message(format, *args)

    return SparqlHandler


class _Description:
    """The VoID description of the served graph, made by the engines when first asked for and
    kept: the graph does not change while it is served."""

    def __init__(self, pool: EnginePool) -> None:
        self._pool = pool
        self._lock = threading.Lock()
        self._graph: Graph | None = None

    def graph(self) -> Graph:
        """The description, its IRIs relative to itself.

        Raises
        ------
        QueryError
            When an engine cannot answer one of its queries (busy, or past the time limit).
        """
        with self._lock:
            if self._graph is None:
                self._graph = void_graph(self._ask)
            return self._graph

    def _ask(self, text: str) -> QueryResult:
        status, media_type, truncated, body = self._pool.answer(
            text,
            "application/sparql-results+json, application/n-triples",
            row_limit=_DESCRIPTION_ROWS,
        )
        if status != HTTPStatus.OK:
            raise QueryError(body.decode("utf-8", errors="replace").strip())
        if truncated:
            raise QueryError(f"the graph has over {_DESCRIPTION_ROWS:,} classes or properties")
        if media_type in GRAPH_TYPES:
            graph = Graph().parse(data=body, format=GRAPH_TYPES[media_type])
            return QueryResult("CONSTRUCT", graph=graph)
        answer = Result.parse(io.BytesIO(body), format="json")
        variables = tuple(str(v) for v in answer.vars or ())
        rows = tuple(tuple(row.get(Variable(v)) for v in variables) for row in answer.bindings)
        return QueryResult("SELECT", variables, rows)


_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
"""The content types a page of another site can POST without asking the server first."""


def serve(
    kg: Path | str,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    engine: str = "oxigraph",
    timeout: float = DEFAULT_TIMEOUT,
    row_limit: int = DEFAULT_ROW_LIMIT,
    workers: int = DEFAULT_WORKERS,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve ``kg`` until interrupted, announcing the address once it listens.

    Raises
    ------
    ConfigurationError, ReadWriteError, QueryError
        As :func:`make_server`; ``ReadWriteError`` too when the address cannot be bound.
    """
    try:
        server = make_server(
            kg,
            host=host,
            port=port,
            engine=engine,
            timeout=timeout,
            row_limit=row_limit,
            workers=workers,
            memory_limit=memory_limit,
        )
    except OSError as error:
        raise ReadWriteError(f"cannot listen on {host}:{port}: {error.strerror}") from None
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
