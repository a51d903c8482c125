"""Asking a remote SPARQL 1.1 endpoint: its address checked, the query sent over HTTP, and its
answer read as a :class:`~osgraph.QueryResult`, whatever the endpoint sends back.

The endpoint is asked for JSON results explicitly (some stores answer in RDF/XML otherwise);
XML results, and Turtle, N-Triples or RDF/XML for graphs, are read too. Anything else, a
redirect or an error status is a one-line :class:`QueryError` that says what came back.
"""

from __future__ import annotations

import functools
import io
import math
import re
import ssl
import time
from collections.abc import Mapping

from rdflib import Graph, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Identifier

from osgraph import _resources
from osgraph._catalogue import with_values
from osgraph._engines import describe
from osgraph._errors import ConfigurationError, QueryError, ReadWriteError
from osgraph._messages import printable
from osgraph._results import QueryResult

_JSON_RESULTS = frozenset({"application/sparql-results+json", "application/json"})
_XML_RESULTS = frozenset({"application/sparql-results+xml", "application/xml", "text/xml"})
_VIRTUOSO_ASK = "__ASK_RETVAL"
"""The one variable of the table Virtuoso answers an ASK query with."""
_GRAPH_FORMATS = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}


def check_endpoint(url: str) -> str:
    """``url``, once it is known to be the address of an endpoint osgraph can ask: an
    ``http://`` or ``https://`` URL with a host, and no white space or control character.

    Raises
    ------
    ConfigurationError
        Naming the URL and what is wrong with it.

    Examples
    --------
    >>> check_endpoint("http://localhost:7878/query")
    'http://localhost:7878/query'
    >>> check_endpoint("ftp://example.org/sparql")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    osgraph.ConfigurationError: endpoint 'ftp://example.org/sparql': not an http:// or https:// ...
    """
    import httpx

    problem = None
    if not url.strip():
        problem = "empty"
    elif any(character.isspace() or not character.isprintable() for character in url):
        problem = "it holds white space or control characters (write a space as %20)"
    else:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError, TypeError) as error:
            problem = f"not a URL ({describe(error)})"
        else:
            if parsed.scheme not in ("http", "https"):
                problem = "not an http:// or https:// URL"
            elif not parsed.host:
                problem = "it names no host"
            elif parsed.port is not None and not 0 < parsed.port < 65536:
                problem = f"port {parsed.port} is not a port"
    if problem:
        raise ConfigurationError(
            f"endpoint {url!r}: {problem}; give the endpoint's whole address, such as "
            "http://localhost:7878/query"
        )
    return url


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The TLS settings of every request osgraph makes, as httpx makes them by default
    (certifi's authorities, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``), made once: loading the
    authorities costs about 35 ms, which every push, query or reconciliation request paid again.
    """
    import httpx

    return httpx.create_ssl_context()


def check_timeout(seconds: float) -> float:
    """``seconds``, once it is known to be a time limit: a finite number above 0.

    Raises
    ------
    ConfigurationError
        When it is not.

    Examples
    --------
    >>> check_timeout(float("nan"))
    Traceback (most recent call last):
    osgraph.ConfigurationError: --timeout nan: give a number of seconds above 0
    """
    if not (math.isfinite(seconds) and seconds > 0):
        raise ConfigurationError(f"--timeout {seconds:g}: give a number of seconds above 0")
    return seconds


class RemoteEngine:
    """A SPARQL 1.1 Protocol endpoint, asked over HTTP for JSON results.

    ``default_graph`` sends ``default-graph-uri``, to query one named graph of a store.
    ``timeout`` bounds, in seconds, the wait to connect, for each part of the answer, and for
    the whole answer. Redirects are not followed: a query is a POST, which a redirect may not
    carry on with, so the answer names the address to use instead.

    Raises
    ------
    ConfigurationError
        When ``endpoint`` is not an http(s) address (:func:`check_endpoint`) or ``timeout`` is
        not a number of seconds above 0.
    """

    def __init__(
        self, endpoint: str, default_graph: str | None = None, timeout: float = 60.0
    ) -> None:
        self.timeout = check_timeout(timeout)
        self.endpoint = check_endpoint(endpoint)
        self.default_graph = default_graph

    def query(self, text: str, bindings: Mapping[str, Identifier]) -> QueryResult:
        """Send ``text`` with ``bindings`` (as a ``VALUES`` block) and read the answer.

        Raises
        ------
        ReadWriteError
            When the endpoint cannot be reached or does not answer within the timeout.
        QueryError
            When it answers with an error status, a redirect, or what is not SPARQL results.
        """
        body: dict[str, str] = {"query": with_values(text, bindings) if bindings else text}
        if self.default_graph:
            body["default-graph-uri"] = self.default_graph
        status, reason, headers, content = self._post(body)
        if 300 <= status < 400:
            location = headers.get("location")
            target = f" to {describe(location, 200)}" if location else ""
            raise QueryError(
                f"{self.endpoint} answered {status} {reason}, a redirect{target}; osgraph does "
                "not follow redirects: give the address the endpoint answers at"
            )
        if not 200 <= status < 300:
            excerpt = _text_excerpt(content, headers.get("content-type", ""))
            raise QueryError(
                f"{self.endpoint} answered {status} {reason}" + (f": {excerpt}" if excerpt else "")
            )
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            return _read_answer(media_type, content, self.endpoint)
        except QueryError:
            raise
        except Exception as error:  # the parsers raise many kinds of errors
            raise QueryError(
                f"{self.endpoint} answered {media_type or 'without a content type'}, which is "
                f"not readable as SPARQL results: {describe(error)}"
            ) from None

    def _post(self, body: Mapping[str, str]) -> tuple[int, str, Mapping[str, str], bytes]:
        """Status, reason, headers and body of the endpoint's answer to ``body``, read within
        the timeout."""
        import httpx

        headers = {
            # Some stores (Virtuoso) answer in RDF/XML unless JSON is asked for by name.
            "Accept": "application/sparql-results+json, text/turtle;q=0.9",
        }
        late = ReadWriteError(f"{self.endpoint} did not answer within {self.timeout:g} s")
        deadline = time.monotonic() + self.timeout
        try:
            with (
                httpx.Client(
                    timeout=self.timeout, follow_redirects=False, verify=tls_context()
                ) as client,
                client.stream("POST", self.endpoint, data=body, headers=headers) as response,
            ):
                chunks = []
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise late
                return (
                    response.status_code,
                    response.reason_phrase,
                    response.headers,
                    b"".join(chunks),
                )
        except httpx.TimeoutException:
            raise late from None
        except httpx.HTTPError as error:
            raise ReadWriteError(f"{self.endpoint}: {describe(error)}") from None
        except (httpx.InvalidURL, ValueError) as error:  # a host IDNA refuses, ...
            raise ConfigurationError(f"{self.endpoint}: {describe(error)}") from None
        except OSError as error:
            raise ReadWriteError(f"{self.endpoint}: {describe(error)}") from None


def find_osgraph_graph(engine: RemoteEngine) -> str | None:
    """Where osgraph's data is on ``engine``'s endpoint, asked without a named graph: ``None``
    when its default graph holds osgraph data (a project), else the one named graph that does.

    Raises
    ------
    ConfigurationError
        When neither the default graph nor any named graph holds osgraph data, or several named
        graphs do (the message names them, to choose one with ``--graph``).
    ReadWriteError
        When the endpoint cannot be reached or does not answer in time.
    QueryError
        When it answers with an error, or what is not SPARQL results.
    """
    holds = _resources.text("queries", "endpoint", "holds-osgraph-data.rq")
    if engine.query(holds, {}).rows:
        return None
    graphs = _osgraph_graphs(engine)
    if len(graphs) == 1:
        return graphs[0]
    where = f"the default graph of {engine.endpoint} holds no osgraph data"
    if not graphs:
        raise ConfigurationError(
            f"{where}, nor does any of its named graphs: push a graph there with `osgraph push`, "
            "or ask another --endpoint"
        )
    raise ConfigurationError(
        f"{where}; the named graphs that do: {_named(graphs)}; choose one with --graph"
    )


def check_one_copy(engine: RemoteEngine) -> None:
    """Refuse the default graph of ``engine``'s endpoint when it holds osgraph data more than
    once: the union of several graphs osgraph built, which some stores make their default graph
    (Virtuoso, GraphDB). Each fact two of those graphs share is matched once per graph there,
    so answers would repeat their rows.

    Raises
    ------
    ConfigurationError
        When the default graph types a country twice (the message names the named graphs that
        hold osgraph data, to choose one with ``--graph``).
    ReadWriteError
        When the endpoint cannot be reached or does not answer in time.
    QueryError
        When it answers with an error, or what is not SPARQL results.
    """
    twice = _resources.text("queries", "endpoint", "osgraph-data-twice.rq")
    # A country is an IRI: an endpoint that answers every query alike says nothing of its graph.
    if not any(row and isinstance(row[0], URIRef) for row in engine.query(twice, {}).rows):
        return
    raise ConfigurationError(
        f"the default graph of {engine.endpoint} holds osgraph data more than once (the union "
        f"of the named graphs that hold it: {_named(_osgraph_graphs(engine))}), so answers "
        "would repeat rows; choose one graph with --graph, or push one graph built of every list"
    )


def _osgraph_graphs(engine: RemoteEngine) -> list[str]:
    """The named graphs of ``engine``'s endpoint that hold osgraph data (20 at most)."""
    listed = engine.query(_resources.text("queries", "endpoint", "osgraph-graphs.rq"), {})
    return [str(row[0]) for row in listed.rows if row and row[0] is not None]


def _named(graphs: list[str]) -> str:
    return ", ".join(f"<{printable(graph)}>" for graph in graphs)


def _read_answer(media_type: str, content: bytes, endpoint: str) -> QueryResult:
    """The result an endpoint sent as ``content`` of ``media_type``."""
    if media_type in _GRAPH_FORMATS:
        graph = Graph().parse(data=content, format=_GRAPH_FORMATS[media_type])
        return QueryResult("CONSTRUCT", graph=graph)
    if media_type in _XML_RESULTS:
        result = Result.parse(io.BytesIO(content), format="xml")
    elif media_type in _JSON_RESULTS or (
        # Some endpoints send JSON results under another name.
        media_type not in ("text/html", "application/xhtml+xml") and content.lstrip()[:1] == b"{"
    ):
        result = Result.parse(io.BytesIO(content), format="json")
    else:
        raise QueryError(
            f"{endpoint} answered {media_type or 'without a content type'}, not SPARQL "
            "results: is it a SPARQL endpoint's address?"
        )
    if result.type == "ASK":
        if not isinstance(result.askAnswer, bool):
            raise ValueError(f"the boolean is {result.askAnswer!r}")
        return QueryResult("ASK", boolean=result.askAnswer)
    if result.type != "SELECT":
        raise ValueError(f"results of type {result.type}")
    variables = tuple(str(v) for v in result.vars or ())
    rows = tuple(tuple(binding.get(Variable(v)) for v in variables) for binding in result.bindings)
    if variables == (_VIRTUOSO_ASK,) and {str(row[0]) for row in rows} <= {"1", "0"}:
        # Virtuoso 7.2 answers ASK with a table, a row 1 for true, none for false, not with the
        # boolean of the results formats.
        return QueryResult("ASK", boolean=any(str(row[0]) == "1" for row in rows))
    return QueryResult("SELECT", variables, rows)


def _text_excerpt(content: bytes, content_type: str, limit: int = 200) -> str:
    """The start of a body, as one line of text without markup, for a message."""
    charset = re.search(r"charset=([\w-]+)", content_type)
    try:
        text = content[: limit * 20].decode(charset[1] if charset else "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        text = content[: limit * 20].decode("utf-8", errors="replace")
    if "html" in content_type or text.lstrip()[:1] == "<":
        text = re.sub(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", " ", text, flags=re.S | re.I)
    return describe(text, limit)
