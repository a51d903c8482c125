"""Ask a knowledge graph questions in SPARQL: named queries, parameters, engines, results.

Named queries are ``.rq`` files in ``osgraph/queries``. Each starts with comment lines that say
what it answers; ``# param NAME: help`` lines declare its parameters (each bound to the empty
string when not given) and ``# needs: a | b`` says that at least one of them must be given.

Parameters are bound as RDF terms, never pasted into query text: through rdflib's own binding
(``initBindings``), or, for Oxigraph and remote endpoints, as a ``VALUES`` block at the start of
the WHERE clause whose terms are written by rdflib's escaping. A value such as
``x" } ; DROP ALL ; #`` is a literal that matches nothing.

Engines:

- ``rdflib``: rdflib's own SPARQL engine over an in-memory graph; pure Python, slow on joins;
- ``oxigraph``: pyoxigraph, in memory or in a folder that keeps the loaded graph between runs;
- ``auto`` (the default): rdflib for small graphs, Oxigraph from :data:`LARGE_GRAPH_BYTES` on;
- a remote SPARQL 1.1 endpoint (:class:`RemoteEngine`), asked for JSON results explicitly.

Whatever a query, a parameter, a graph or an endpoint does, the caller gets a :class:`QueryError`
with a one-line message, never an engine's own exception. Where rdflib's engine raises on a query
that SPARQL 1.1 gives an answer (an error inside an expression or an aggregate), osgraph makes it
answer as SPARQL defines, as Oxigraph does: see :func:`_conform_rdflib`.
"""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from typing import Literal as TypingLiteral

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Identifier

from osgraph import _resources
from osgraph._errors import QueryError, RefusedQueryError
from osgraph._guard import check_query, tokens

LARGE_GRAPH_BYTES = 5_000_000
"""From this size on, ``auto`` reads a Turtle file into Oxigraph rather than rdflib."""

EngineName = TypingLiteral["auto", "rdflib", "oxigraph"]
ResultFormat = TypingLiteral["table", "csv", "tsv", "json", "xml"]

STORE_MARKER = ".osgraph-source"
"""The file that marks a folder as an Oxigraph store osgraph made, and says which graph it holds."""

_NOT_IN_IRIS = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f]')
"""Characters no IRI holds, which rdflib refuses to write between ``<>``."""
_PARAMETER = re.compile(r"^#\s*param\s+([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$")
_NEEDS = re.compile(r"^#\s*needs\s*:\s*(.*)$")


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """A query shipped with osgraph, with what it answers and the parameters it takes."""

    name: str
    description: str
    parameters: Mapping[str, str]
    needs: tuple[str, ...]
    text: str


@dataclass(slots=True)
class QueryResult:
    """The answer to a query: rows of RDF terms (SELECT), a boolean (ASK) or a graph."""

    kind: TypingLiteral["SELECT", "ASK", "CONSTRUCT"]
    variables: tuple[str, ...] = ()
    rows: Sequence[tuple[Identifier | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    def as_dicts(self) -> list[dict[str, str | None]]:
        """The rows as dictionaries of lexical values (``None`` where a variable is unbound)."""
        return [
            {
                name: (None if term is None else str(term))
                for name, term in zip(self.variables, row, strict=True)
            }
            for row in self.rows
        ]

    def serialize(self, format: ResultFormat) -> bytes:
        r"""Write the result in a W3C SPARQL 1.1 results format (``csv``, ``tsv``, ``json``,
        ``xml``; ``table`` is written as ``csv``); a graph is written as Turtle, whatever the
        format.

        An ASK answer is the boolean of the JSON and XML formats. CSV and TSV have no boolean, so
        osgraph writes it as a table of one column, ``boolean``, and one row, ``true`` or
        ``false`` (TSV's header names it ``?boolean``, as TSV names variables).

        Examples
        --------
        >>> QueryResult("ASK", boolean=True).serialize("csv")
        b'boolean\r\ntrue\r\n'
        >>> QueryResult("ASK", boolean=False).serialize("tsv")
        b'?boolean\nfalse\n'
        >>> QueryResult("ASK", boolean=True).serialize("json")
        b'{"head": {}, "boolean": true}'
        """
        try:
            return self._serialize(format)
        except Exception as error:  # a term that no format can hold, such as an IRI with a space
            raise QueryError(
                f"the answer cannot be written as {format}: {_describe(error)}"
            ) from None

    def _serialize(self, format: ResultFormat) -> bytes:
        if self.kind == "CONSTRUCT":
            assert self.graph is not None
            return self.graph.serialize(format="turtle", encoding="utf-8")
        if self.kind == "ASK" and format != "json" and format != "xml":
            answer = "true" if self.boolean else "false"
            if format == "tsv":
                return f"?boolean\n{answer}\n".encode()
            return f"boolean\r\n{answer}\r\n".encode()
        if format == "tsv":
            return _tsv(self).encode("utf-8")
        result = Result(self.kind)
        if self.kind == "ASK":
            result.askAnswer = bool(self.boolean)
        else:
            result.vars = [Variable(name) for name in self.variables]
            result.bindings = [
                {
                    Variable(name): term
                    for name, term in zip(self.variables, row, strict=True)
                    if term is not None
                }
                for row in self.rows
            ]
        serialized = result.serialize(
            format="csv" if format == "table" else format, encoding="utf-8"
        )
        assert isinstance(serialized, bytes)
        return serialized


class Engine(Protocol):
    """Something that answers SPARQL queries."""

    def query(self, text: str, bindings: Mapping[str, Identifier]) -> QueryResult:
        """Run ``text`` with ``bindings`` (variable name → term)."""
        ...


def named_queries() -> dict[str, NamedQuery]:
    """Every named query shipped with osgraph, by name.

    Examples
    --------
    >>> queries = named_queries()
    >>> queries["projects-of"].parameters.keys(), queries["projects-of"].needs
    (dict_keys(['institution', 'country']), ('institution', 'country'))
    """
    return {
        name: _named_query(name, _resources.text("queries", f"{name}.rq"))
        for name in _resources.names("queries", suffix=".rq")
    }


def load_query(spec: str) -> tuple[str, NamedQuery | None]:
    """Find the query ``spec`` names: a named query, a ``.rq`` file, or ``-`` (standard input).

    Returns the query text, and the named query when it is one.
    """
    import sys

    if spec == "-":
        if sys.stdin is None:
            raise QueryError("-: standard input is closed")
        try:
            data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
        except OSError as error:
            raise QueryError(f"-: standard input cannot be read: {error.strerror}") from None
        if isinstance(data, str):
            return data, None
        try:
            return data.decode("utf-8-sig"), None
        except UnicodeDecodeError as error:
            raise QueryError(f"-: standard input is not UTF-8 text: {error}") from None
    if spec.endswith(".rq") or "/" in spec or Path(spec).is_file():
        path = Path(spec)
        try:
            return path.read_text(encoding="utf-8-sig"), None
        except FileNotFoundError:
            raise QueryError(f"{spec}: no such file") from None
        except UnicodeDecodeError as error:
            raise QueryError(f"{spec}: cannot be read: not UTF-8 text: {error}") from None
        except OSError as error:
            raise QueryError(f"{spec}: cannot be read: {error.strerror or error}") from None
    queries = named_queries()
    if spec not in queries:
        raise QueryError(f"no named query {spec!r}; the named queries are: {', '.join(queries)}")
    return queries[spec].text, queries[spec]


def bind_parameters(given: Mapping[str, str], named: NamedQuery | None) -> dict[str, Identifier]:
    """Turn ``name=value`` parameters into RDF terms: ``<...>`` is an IRI, anything else a
    plain literal. A named query's parameters that are not given are bound to ``""``.

    An IRI must be one that every engine takes: absolute (with a scheme, such as ``https:``),
    with none of the characters IRIs cannot hold (spaces, ``<>"{}|^`\\``, controls).

    Examples
    --------
    >>> bind_parameters({"institution": 'x" } ; DROP ALL ; #'}, named_queries()["projects-of"])
    {'institution': rdflib.term.Literal('x" } ; DROP ALL ; #'), 'country': rdflib.term.Literal('')}
    >>> bind_parameters({"country": "<http://a b>"}, None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    osgraph.QueryError: --param country='<http://a b>': not an IRI (Invalid IRI code point ...
    """
    if named is not None:
        unknown = sorted(set(given) - set(named.parameters))
        if unknown:
            accepted = ", ".join(named.parameters) or "none"
            raise QueryError(
                f"{named.name} has no parameter {', '.join(unknown)} (its parameters: {accepted})"
            )
        if named.needs and not any(given.get(name) for name in named.needs):
            raise QueryError(
                f"{named.name} needs a value for {' or '.join(named.needs)} "
                f"(for example --param {named.needs[0]}=...)"
            )
    bindings: dict[str, Identifier] = {}
    for name in named.parameters if named else {}:
        bindings[name] = Literal("")
    for name, value in given.items():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise QueryError(f"--param {name}: the value is not valid UTF-8 text") from None
        is_iri = value.startswith("<") and value.endswith(">") and len(value) > 2
        if is_iri:
            problem = _iri_problem(value[1:-1])
            if problem:
                raise QueryError(
                    f"--param {name}={value!r}: not an IRI ({problem}); write an absolute IRI, "
                    "such as <https://w3id.org/osgraph/id/country/CN>, or the value without <...> "
                    "to match text"
                )
        bindings[name] = URIRef(value[1:-1]) if is_iri else Literal(value)
    return bindings


def _iri_problem(iri: str) -> str | None:
    """Why ``iri`` is not an absolute IRI that Oxigraph, rdflib's writer and endpoints all take;
    ``None`` when it is one."""
    import pyoxigraph as ox

    try:
        ox.NamedNode(iri)
    except ValueError as error:
        return _one_line(error)
    if _NOT_IN_IRIS.search(iri):
        return 'it holds a space, a control character or one of <>"{}|^`\\'
    return None


def open_engine(
    kg: Path | str, engine: EngineName = "auto", directory: Path | str | None = None
) -> Engine:
    """Load the built graph ``kg`` (Turtle) into an embedded engine.

    ``directory`` keeps an Oxigraph store on disk: the graph is loaded into it once and again
    only when ``kg`` changes.

    Raises
    ------
    QueryError
        When ``kg`` is missing (with the command that builds it) or cannot be parsed.
    """
    kg = Path(kg)
    if not kg.is_file():
        raise QueryError(
            f"{kg}: no such graph; build one with `osgraph build` or name it with --kg"
        )
    if engine == "auto":
        large = kg.stat().st_size >= LARGE_GRAPH_BYTES
        engine = "oxigraph" if large or directory is not None else "rdflib"
    if engine == "oxigraph":
        return OxigraphEngine.load(kg, Path(directory) if directory else None)
    graph = Graph()
    try:
        graph.parse(kg, format="turtle")
    except Exception as error:  # rdflib raises many kinds of parse errors
        raise QueryError(f"{kg}: not readable as Turtle: {_one_line(error)}") from None
    return RdflibEngine(graph)


def run_query(
    engine: Engine,
    text: str,
    bindings: Mapping[str, Identifier] | None = None,
    *,
    allow_service: bool = False,
) -> QueryResult:
    """Run ``text`` on ``engine`` with ``bindings``, once :func:`osgraph._guard.check_query`
    finds it within osgraph's limits.

    Raises
    ------
    QueryError
        When the query is refused (too large or deep, an update, a ``SERVICE`` clause without
        ``allow_service``), or the engine cannot parse or run it.
    """
    try:
        kind = check_query(text, allow_service=allow_service)
    except RefusedQueryError as refused:
        raise QueryError(str(refused)) from None
    if kind == "update":
        raise QueryError("osgraph runs queries, not updates: the graph is read-only")
    return engine.query(text, bindings or {})


def run_query_within(
    seconds: float,
    engine: Engine,
    text: str,
    bindings: Mapping[str, Identifier] | None = None,
    *,
    allow_service: bool = False,
) -> QueryResult:
    """:func:`run_query`, given up after ``seconds``.

    Neither engine can stop a query, and Oxigraph waits for a ``SERVICE`` host without end: the
    query runs on a daemon thread, which is left to itself when the time is up. For a process
    that ends soon after, such as the command line's.

    Raises
    ------
    QueryError
        As :func:`run_query` does, and when the query has not ended within ``seconds``.
    """
    outcome: list[QueryResult | BaseException] = []

    def run() -> None:
        try:
            outcome.append(run_query(engine, text, bindings, allow_service=allow_service))
        except BaseException as error:  # handed to the caller's thread
            outcome.append(error)

    thread = threading.Thread(target=run, name="osgraph query", daemon=True)
    thread.start()
    thread.join(seconds)
    if not outcome:
        raise QueryError(f"the query did not end within {seconds:g} s")
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


class RdflibEngine:
    """rdflib's SPARQL engine over a graph in memory.

    Its answers are read whole inside :meth:`query`, so that an error rdflib meets while it
    evaluates (it evaluates lazily) is a :class:`QueryError` too.
    """

    def __init__(self, graph: Graph) -> None:
        _conform_rdflib()
        self.graph = graph

    def query(self, text: str, bindings: Mapping[str, Identifier]) -> QueryResult:
        from pyparsing import ParseException

        try:
            result = self.graph.query(
                text, initBindings={Variable(k): v for k, v in bindings.items()}
            )
            if result.type == "ASK":
                return QueryResult("ASK", boolean=bool(result.askAnswer))
            if result.type in ("CONSTRUCT", "DESCRIBE"):
                assert result.graph is not None
                return QueryResult("CONSTRUCT", graph=result.graph)
            variables = tuple(str(v) for v in result.vars or ())
            # Iterating leaves out the solutions that bind no variable: rdflib makes such
            # solutions where SPARQL has none (a GROUP BY of no solutions), and where it has one
            # (``SELECT * {}``), which Oxigraph then answers and rdflib does not.
            rows = [
                tuple(values.get(name) for name in variables)
                for values in (row.asdict() for row in result)  # type: ignore[union-attr]
            ]
        except ParseException as error:
            raise QueryError(
                f"syntax error at line {error.lineno}, column {error.col}: {_one_line(error.msg)}"
            ) from None
        except RecursionError:
            raise QueryError(
                "the query is nested too deeply for rdflib's engine (try --engine oxigraph)"
            ) from None
        except Exception as error:  # rdflib's evaluation errors have no common base class
            raise QueryError(f"the query failed: {_describe(error)}") from None
        return QueryResult("SELECT", variables, rows)


_CONFORMED = threading.Lock()


def _conform_rdflib() -> None:
    """Make rdflib's SPARQL engine answer, as SPARQL 1.1 defines, the queries it raises on.

    SPARQL 1.1 evaluates an expression that fails (a type error, an unbound variable, a bad
    regular expression or language tag) to an *error*: a ``FILTER`` that errs drops the solution
    (section 17.2), a ``BIND`` or projected expression that errs leaves its variable unbound
    (18.5), and an aggregate over a group where its expression errs is unbound (18.5.1; the
    Working Group's answer on ``agg-err-01``). rdflib does so for its own ``SPARQLError``, but
    lets other exceptions out of expressions (``re.error``, ``ValueError``, ``RecursionError``,
    ...) and out of aggregates (``NotBoundError`` from ``GROUP_CONCAT(DISTINCT ?x)``, ``SUM``,
    ``AVG`` with an unbound ``?x``; ``SPARQLTypeError`` from ``SUM`` of a non-number). Oxigraph
    answers those queries; with this, rdflib gives the same answers.

    Only what rdflib would raise changes: a query rdflib answers answers as before. The change
    is made once, to rdflib's classes, so it holds for every rdflib graph of the process.
    """
    try:
        from rdflib.plugins.sparql import evaluate, parserutils
        from rdflib.plugins.sparql.aggregates import Aggregator
        from rdflib.plugins.sparql.sparql import FrozenBindings, SPARQLError

        parserutils.Expr.eval  # noqa: B018
        evaluate.Aggregator  # type: ignore[attr-defined]  # noqa: B018
    except (ImportError, AttributeError):  # another rdflib: its errors stay one-line messages
        return
    with _CONFORMED:
        if getattr(parserutils.Expr.eval, "_osgraph", False):
            return
        rdflib_eval = parserutils.Expr.eval

        def eval(self: parserutils.Expr, ctx: object = {}) -> object:
            try:
                return rdflib_eval(self, ctx)
            except RecursionError:
                return SPARQLError("the expression is nested too deeply")
            except Exception as error:  # any failure is the expression's error, as SPARQL says
                return SPARQLError(_describe(error))

        eval._osgraph = True  # type: ignore[attr-defined]
        parserutils.Expr.eval = eval  # type: ignore[method-assign]

        class SparqlAggregator(Aggregator):
            """An aggregate whose expression errs on a solution of its group is unbound."""

            def update(self, row: FrozenBindings) -> None:
                for key, accumulator in list(self.accumulators.items()):
                    try:
                        if accumulator.use_row(row):
                            accumulator.update(row, self)
                    except Exception:  # an aggregate that errs is an error: unbound
                        self.accumulators.pop(key, None)
                        self.bindings.pop(accumulator.var, None)

        evaluate.Aggregator = SparqlAggregator  # type: ignore[attr-defined]


class OxigraphEngine:
    """Oxigraph's SPARQL engine (pyoxigraph), over a store in memory or in a folder."""

    def __init__(self, store: object) -> None:
        self.store = store

    @classmethod
    def load(cls, kg: Path, directory: Path | None) -> OxigraphEngine:
        """Load ``kg`` into a new store, or into ``directory`` unless it already holds it.

        ``directory`` may be new, empty, or a store osgraph made (it has a
        :data:`STORE_MARKER` file); a folder that holds anything else is refused, so that no
        other store or file is cleared.
        """
        import pyoxigraph as ox

        try:
            facts = kg.stat()
        except OSError as error:
            raise QueryError(f"{kg}: cannot be read: {error.strerror}") from None
        stamp = f"{kg.resolve()}\n{facts.st_size}\n{facts.st_mtime_ns}\n"
        marker = directory / STORE_MARKER if directory else None
        try:
            if directory is not None and marker is not None:
                store = _open_store(directory, marker)
                if _read_marker(marker) == stamp:
                    return cls(store)
                store.clear()
                marker.write_text("", encoding="utf-8")  # osgraph's store, holding no graph yet
            else:
                store = ox.Store()
            store.bulk_load(path=str(kg), format=ox.RdfFormat.TURTLE)
            if marker is not None:
                store.flush()
                marker.write_text(stamp, encoding="utf-8")
        except QueryError:
            raise
        except (SyntaxError, ValueError) as error:
            raise QueryError(f"{kg}: not readable as Turtle: {_one_line(error)}") from None
        except (OSError, RuntimeError) as error:
            into = f" into the store in {directory}" if directory is not None else ""
            raise QueryError(f"{kg}: cannot be loaded{into}: {_describe(error)}") from None
        return cls(store)

    def query(self, text: str, bindings: Mapping[str, Identifier]) -> QueryResult:
        import pyoxigraph as ox

        try:
            # pyoxigraph substitutes only projected variables, so parameters go in as VALUES.
            result = self.store.query(with_values(text, bindings) if bindings else text)  # type: ignore[attr-defined]
            # Solutions are computed as they are read: read them here, where errors are caught.
            if isinstance(result, ox.QueryBoolean):
                return QueryResult("ASK", boolean=bool(result))
            if isinstance(result, ox.QueryTriples):
                return QueryResult("CONSTRUCT", graph=graph_of_triples(result))
            variables = tuple(variable.value for variable in result.variables)
            # Answers repeat their terms (an institution in every row of its projects): each
            # distinct term becomes an rdflib term once.
            converted: dict[object, Identifier] = {}

            def convert(term: object) -> Identifier | None:
                if term is None:
                    return None
                found = converted.get(term)
                if found is None:
                    found = converted[term] = _from_oxigraph(term)
                return found

            rows = [tuple(map(convert, solution)) for solution in result]
        except QueryError:
            raise
        except SyntaxError as error:
            raise QueryError(_oxigraph_syntax_error(str(error))) from None
        except Exception as error:  # OSError, RuntimeError, ValueError: a failed evaluation
            raise QueryError(f"the query failed: {_describe(error)}") from None
        return QueryResult("SELECT", variables, rows)


def _open_store(directory: Path, marker: Path) -> Any:
    """The Oxigraph store in ``directory``, made there if it is new or empty."""
    import pyoxigraph as ox

    if directory.exists() and not directory.is_dir():
        raise QueryError(f"{directory}: is a file; the Oxigraph store needs a folder")
    try:
        if directory.is_dir() and not marker.is_file() and any(directory.iterdir()):
            raise QueryError(
                f"{directory}: holds files that are not an osgraph store; name a new or empty "
                "folder for the Oxigraph store"
            )
        directory.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(directory))
    except QueryError:
        raise
    except (OSError, RuntimeError, ValueError) as error:
        raise QueryError(
            f"{directory}: cannot hold the Oxigraph store: {_describe(error)}"
        ) from None


def _read_marker(marker: Path) -> str | None:
    try:
        return marker.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


_JSON_RESULTS = frozenset({"application/sparql-results+json", "application/json"})
_XML_RESULTS = frozenset({"application/sparql-results+xml", "application/xml", "text/xml"})
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
    QueryError
        Naming the URL and what is wrong with it.

    Examples
    --------
    >>> check_endpoint("http://localhost:7878/query")
    'http://localhost:7878/query'
    >>> check_endpoint("ftp://example.org/sparql")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    osgraph.QueryError: endpoint 'ftp://example.org/sparql': not an http:// or https:// ...
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
            problem = f"not a URL ({_one_line(error)})"
        else:
            if parsed.scheme not in ("http", "https"):
                problem = "not an http:// or https:// URL"
            elif not parsed.host:
                problem = "it names no host"
            elif parsed.port is not None and not 0 < parsed.port < 65536:
                problem = f"port {parsed.port} is not a port"
    if problem:
        raise QueryError(
            f"endpoint {url!r}: {problem}; give the endpoint's whole address, such as "
            "http://localhost:7878/query"
        )
    return url


class RemoteEngine:
    """A SPARQL 1.1 Protocol endpoint, asked over HTTP for JSON results.

    ``default_graph`` sends ``default-graph-uri``, to query one named graph of a store.
    ``timeout`` bounds, in seconds, the wait to connect, for each part of the answer, and for
    the whole answer. Redirects are not followed: a query is a POST, which a redirect may not
    carry on with, so the answer names the address to use instead.
    """

    def __init__(
        self, endpoint: str, default_graph: str | None = None, timeout: float = 60.0
    ) -> None:
        if not timeout > 0 or timeout == float("inf"):
            raise QueryError(f"a timeout of {timeout} s: give a number of seconds above 0")
        self.endpoint = check_endpoint(endpoint)
        self.default_graph = default_graph
        self.timeout = timeout

    def query(self, text: str, bindings: Mapping[str, Identifier]) -> QueryResult:
        body: dict[str, str] = {"query": with_values(text, bindings) if bindings else text}
        if self.default_graph:
            body["default-graph-uri"] = self.default_graph
        status, reason, headers, content = self._post(body)
        if 300 <= status < 400:
            location = headers.get("location")
            target = f" to {_one_line(location, 200)}" if location else ""
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
                f"not readable as SPARQL results: {_describe(error)}"
            ) from None

    def _post(self, body: Mapping[str, str]) -> tuple[int, str, Mapping[str, str], bytes]:
        """Status, reason, headers and body of the endpoint's answer to ``body``, read within
        the timeout."""
        import httpx

        headers = {
            # Some stores (Virtuoso) answer in RDF/XML unless JSON is asked for by name.
            "Accept": "application/sparql-results+json, text/turtle;q=0.9",
        }
        late = QueryError(f"{self.endpoint} did not answer within {self.timeout:g} s")
        deadline = time.monotonic() + self.timeout
        try:
            with (
                httpx.Client(timeout=self.timeout, follow_redirects=False) as client,
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
            raise QueryError(f"{self.endpoint}: {_describe(error)}") from None
        except (httpx.InvalidURL, ValueError, OSError) as error:  # bad IDNA host, ...
            raise QueryError(f"{self.endpoint}: {_describe(error)}") from None


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
    rows = [tuple(binding.get(Variable(v)) for v in variables) for binding in result.bindings]
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
    return _one_line(text, limit)


def _one_line(text: object, limit: int = 300) -> str:
    """``text`` as one line for a message: white space runs as one space, characters that are
    not printable (controls, escape sequences) left out, cut at ``limit`` characters."""
    line = " ".join(
        "".join(c for c in word if c.isprintable()) for word in str(text).split()
    ).strip()
    return line if len(line) <= limit else line[: limit - 4].rstrip() + " ..."


def _describe(error: BaseException) -> str:
    """An exception's message as one line, or its kind when it has none."""
    return _one_line(error) or type(error).__name__


@contextmanager
def quiet_engines() -> Iterator[None]:
    """Keep rdflib's log records and warnings off standard error while it works.

    rdflib logs what it finds odd in a graph or a query (an IRI with a space, a literal it cannot
    read as its datatype, with a traceback) and warns on some queries: what osgraph reports is
    the :class:`QueryError`, on one line. For the command line: Python's warning filters are
    the process's, not a thread's.
    """
    import logging
    import warnings

    logger = logging.getLogger("rdflib")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def with_values(text: str, bindings: Mapping[str, Identifier]) -> str:
    r"""Bind variables by a ``VALUES`` block at the start of the query's WHERE clause.

    Terms are written by rdflib (``n3()``), which escapes them, so no value can end the block.

    Examples
    --------
    >>> print(with_values('SELECT ?p WHERE { ?p ?q "WHERE {" }', {"q": Literal('a" }')}))
    SELECT ?p WHERE { VALUES (?q) { ("a\" }") } ?p ?q "WHERE {" }
    """
    position = _where_brace(text)
    if position is None:
        raise QueryError(
            "to bind parameters with Oxigraph or on a remote endpoint, the query needs the "
            "WHERE keyword before its pattern"
        )
    names = " ".join(f"?{name}" for name in bindings)
    try:
        values = " ".join(term.n3() for term in bindings.values())
    except Exception as error:  # rdflib refuses to write an IRI that no IRI can be
        raise QueryError(f"a parameter cannot be written in SPARQL: {_describe(error)}") from None
    return f"{text[: position + 1]} VALUES ({names}) {{ ({values}) }}{text[position + 1 :]}"


def _where_brace(text: str) -> int | None:
    """The position of the ``{`` that opens the WHERE clause, outside strings, IRIs and
    comments; ``None`` when the query has no ``WHERE`` keyword."""
    seen_where = False
    for position, token in tokens(text):
        if token.upper() == "WHERE":
            seen_where = True
        elif token == "{" and seen_where:
            return position
    return None


def format_table(result: QueryResult) -> str:
    """Render a result as a readable terminal table (a graph as Turtle, a boolean as text)."""
    from rich.console import Console
    from rich.table import Table

    if result.kind == "ASK":
        return "true\n" if result.boolean else "false\n"
    if result.kind == "CONSTRUCT":
        return result.serialize("table").decode("utf-8")
    table = Table(show_lines=False, header_style="bold")
    for name in result.variables:
        numeric = bool(result.rows) and all(
            _is_number(row[result.variables.index(name)]) for row in result.rows
        )
        table.add_column(name, justify="right" if numeric else "left")
    for row in result.rows:
        table.add_row(*("" if term is None else _display(term) for term in row))
    output = io.StringIO()
    Console(file=output, width=200, no_color=True, soft_wrap=False).print(table)
    rows = len(result.rows)
    return output.getvalue() + f"{rows} row{'' if rows == 1 else 's'}\n"


def _display(term: Identifier) -> str:
    """A term as a table cell: its text, with what is not printable (new lines, escape
    sequences that would drive the terminal) written as Python escapes."""
    from rich.markup import escape

    text = str(term)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return escape(text)


def _is_number(term: Identifier | None) -> bool:
    return (
        isinstance(term, Literal)
        and isinstance(term.value, int | float)
        and not isinstance(term.value, bool)
    )


def _tsv(result: QueryResult) -> str:
    """The SPARQL 1.1 TSV results format: a header of ``?names``, then terms in Turtle syntax."""
    if result.kind == "ASK":
        return result.serialize("tsv").decode("utf-8")
    lines = ["\t".join(f"?{name}" for name in result.variables)]
    lines += ["\t".join("" if term is None else term.n3() for term in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def _named_query(name: str, text: str) -> NamedQuery:
    description: list[str] = []
    parameters: dict[str, str] = {}
    needs: tuple[str, ...] = ()
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if match := _PARAMETER.match(line):
            parameters[match[1]] = match[2].strip()
        elif match := _NEEDS.match(line):
            needs = tuple(part.strip() for part in match[1].split("|"))
        else:
            description.append(line.lstrip("#").strip())
    return NamedQuery(name, " ".join(description), parameters, needs, text)


def _oxigraph_syntax_error(message: str) -> str:
    match = re.match(r"error at (\d+):(\d+): (.*)", message, re.DOTALL)
    if not match:
        return f"syntax error: {message}"
    # Oxigraph lists every token it would accept, Unicode ranges included: keep the start.
    detail = " ".join(match[3].split())
    if len(detail) > 120:
        detail = detail[:120].rsplit(" ", 1)[0] + " ..."
    return f"syntax error at line {match[1]}, column {match[2]}: {detail}"


def graph_of_triples(triples: Iterable[Any]) -> Graph:
    """An rdflib graph of pyoxigraph's triples (a CONSTRUCT or DESCRIBE answer)."""
    graph = Graph()
    for triple in triples:
        graph.add(
            (
                _from_oxigraph(triple.subject),
                _from_oxigraph(triple.predicate),
                _from_oxigraph(triple.object),
            )
        )
    return graph


def _from_oxigraph(term: object) -> Identifier:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise QueryError(f"osgraph cannot read the term {term!r}")


def parse_parameters(pairs: Sequence[str]) -> dict[str, str]:
    """Read ``name=value`` command-line parameters.

    Examples
    --------
    >>> parse_parameters(["country=CN", "institution=A=B"])
    {'country': 'CN', 'institution': 'A=B'}
    """
    parameters = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(f"--param {pair!r}: write it as name=value")
        parameters[name] = value
    return parameters


def graph_engine(
    kg: Path | str, *, endpoint: str | None = None, graph: str | None = None
) -> Engine:
    """The engine that answers for a graph: the SPARQL endpoint ``endpoint`` (asked for its
    named graph ``graph``, when given) or, without one, the built graph ``kg`` loaded by
    :func:`open_engine`.

    Raises
    ------
    QueryError
        When ``endpoint`` is not the address of an endpoint, or ``kg`` is missing or cannot be
        read.

    Examples
    --------
    >>> graph_engine("unread.ttl", endpoint="http://localhost:7878/query").endpoint
    'http://localhost:7878/query'
    """
    if endpoint is not None:
        return RemoteEngine(endpoint, default_graph=graph)
    return open_engine(kg)
