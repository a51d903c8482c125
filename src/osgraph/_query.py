"""Ask a knowledge graph a question in SPARQL: the engine to ask, the query run on it within
osgraph's limits, and the answer in the format asked for.

The query and its parameters come from :mod:`osgraph._catalogue`, the engines from
:mod:`osgraph._engines` (a graph) and :mod:`osgraph._remote` (an endpoint), the answer's formats
from :mod:`osgraph._results`. Whatever a query, a parameter, a graph or an endpoint does, the
caller gets one of osgraph's errors with a one-line message, never an engine's own exception.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from osgraph._catalogue import bind_parameters, load_query, parse_parameters
from osgraph._engines import Engine, OxigraphEngine, engine_name, open_engine, quiet_engines
from osgraph._errors import ConfigurationError, QueryError
from osgraph._guard import check_query
from osgraph._messages import printable
from osgraph._remote import RemoteEngine, check_one_copy, check_timeout, find_osgraph_graph
from osgraph._results import RESULT_FORMATS, QueryResult, RowStream, format_table, result_parts

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Identifier

FORMATS = ("table", *RESULT_FORMATS)
"""What :func:`answer_query` writes: a table for the terminal, or a SPARQL results format."""


def choose_engine(
    kg: Path | str | Graph,
    *,
    endpoint: str | None = None,
    graph: str | None = None,
    engine: str = "auto",
    store_dir: Path | str | None = None,
    timeout: float = 60.0,
) -> Engine:
    """The engine that answers: the SPARQL endpoint ``endpoint`` when one is given (its named
    graph ``graph``, within ``timeout`` seconds), else ``kg`` in the embedded ``engine``
    (:func:`osgraph.open_engine`, with ``store_dir`` for an Oxigraph store on disk).

    Raises
    ------
    ConfigurationError
        When ``endpoint``, ``engine``, ``store_dir`` or ``timeout`` cannot be used.
    ReadWriteError
        When ``kg`` or the store cannot be read.
    QueryError
        When ``kg`` cannot be parsed.
    """
    if endpoint is not None:
        return RemoteEngine(endpoint, default_graph=graph, timeout=timeout)
    return open_engine(kg, engine_name(engine), store_dir)


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
    RefusedQueryError
        When the query is too large or deep, or has a ``SERVICE`` clause without
        ``allow_service``.
    QueryError
        When it is an update, or the engine cannot parse or run it.
    """
    _refuse_outside_limits(text, allow_service)
    return engine.query(text, bindings or {})


def _refuse_outside_limits(text: str, allow_service: bool) -> None:
    """Raise unless :func:`osgraph._guard.check_query` finds ``text`` a query within
    osgraph's limits."""
    if check_query(text, allow_service=allow_service) == "update":
        raise QueryError("osgraph runs queries, not updates: the graph is read-only")


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


def answer_query(
    spec: str,
    kg: Path | str | Graph,
    *,
    parameters: Sequence[str] = (),
    format: str = "table",
    endpoint: str | None = None,
    graph: str | None = None,
    engine: str = "auto",
    store_dir: Path | str | None = None,
    timeout: float = 60.0,
    allow_service: bool = False,
    limit: int | None = None,
    announce: Callable[[str], None] | None = None,
) -> str | bytes:
    """The answer to the query ``spec`` names, as ``osgraph query`` writes it: the parts of
    :func:`answer_parts`, joined.

    Examples
    --------
    >>> from rdflib import Graph
    >>> answer_query("projects-by-country", Graph(), format="csv")
    b'country,projects\\r\\n'
    """
    parts = list(
        answer_parts(
            spec,
            kg,
            parameters=parameters,
            format=format,
            endpoint=endpoint,
            graph=graph,
            engine=engine,
            store_dir=store_dir,
            timeout=timeout,
            allow_service=allow_service,
            limit=limit,
            announce=announce,
        )
    )
    if format == "table":
        return "".join(str(part) for part in parts)
    return b"".join(part if isinstance(part, bytes) else part.encode() for part in parts)


def answer_parts(
    spec: str,
    kg: Path | str | Graph,
    *,
    parameters: Sequence[str] = (),
    format: str = "table",
    endpoint: str | None = None,
    graph: str | None = None,
    engine: str = "auto",
    store_dir: Path | str | None = None,
    timeout: float = 60.0,
    allow_service: bool = False,
    limit: int | None = None,
    announce: Callable[[str], None] | None = None,
) -> Iterator[str | bytes]:
    """The answer to the query ``spec`` names, as ``osgraph query`` writes it, in parts as they
    are found: a SPARQL results format's rows (:func:`osgraph._results.result_parts`) reach the
    caller while Oxigraph reads the store, so a million rows start at once and never wait in
    memory. A table is one part: it is sized to its widest cells, so it waits for the last row.

    ``spec`` is a named query, a ``.rq`` file or ``-`` (standard input); ``parameters`` are
    its ``name=value`` pairs. The query asks ``kg``, or ``endpoint`` when one is given (see
    :func:`choose_engine` for ``graph``, ``engine`` and ``store_dir``). ``timeout`` bounds the
    wait for the endpoint and, with ``allow_service`` (which lets ``SERVICE`` clauses ask the
    hosts they name), for the whole query. rdflib's log records and warnings stay off standard
    error meanwhile (:func:`osgraph._engines.quiet_engines`).

    Asked without ``graph``, an ``endpoint`` whose default graph holds osgraph data more than
    once (the union of several graphs osgraph built) has its answer refused
    (:func:`osgraph._remote.check_one_copy`), and one whose answer is empty (no row, ``false``, no
    triple) is asked where osgraph's data is (:func:`osgraph._remote.find_osgraph_graph`): when
    its default graph holds none and one named graph does, the answer is that graph's, and
    ``announce`` is told so in one line.

    ``limit`` keeps the first rows of a SELECT answer (an ASK or CONSTRUCT answer is whole);
    with Oxigraph the rows after it are never computed.

    Yields the table (``format="table"``) as text, for the terminal's encoding; a SPARQL 1.1
    results format (``csv``, ``tsv``, ``json``, ``xml``) or a graph's Turtle as bytes.

    Raises
    ------
    ConfigurationError
        When ``format``, ``engine``, ``endpoint``, ``store_dir``, ``timeout`` or a parameter
        pair cannot be used, or an ``endpoint`` asked without ``graph`` holds osgraph data more
        than once in its default graph, or none there and none or several named graphs that
        do.
    ReadWriteError
        When the query file, ``kg``, the store or the endpoint cannot be read or reached.
    QueryError
        When the query cannot be found, bound, run, or its answer read or written; the parts
        given before stay given.

    Examples
    --------
    >>> from rdflib import Graph
    >>> list(answer_parts("projects-by-country", Graph(), format="tsv", limit=5))
    [b'?country\\t?projects\\n']
    """
    check_timeout(timeout)
    if format not in FORMATS:
        raise ConfigurationError(f"--format {format!r}: choose table, csv, tsv, json or xml")
    if limit is not None and limit < 0:
        raise ConfigurationError(f"--limit {limit}: give a number of rows, 0 or more")
    engine_name(engine)
    with quiet_engines():
        text, named = load_query(spec)
        bindings = bind_parameters(parse_parameters(parameters), named)
        asked = choose_engine(
            kg, endpoint=endpoint, graph=graph, engine=engine, store_dir=store_dir, timeout=timeout
        )

        def answer(engine: Engine) -> QueryResult | RowStream:
            if allow_service:  # the hosts a SERVICE asks may never answer
                return run_query_within(timeout, engine, text, bindings, allow_service=True)
            return stream_query(engine, text, bindings)

        result = answer(asked)
        if isinstance(asked, RemoteEngine) and graph is None:
            if not _empty(result):
                check_one_copy(asked)
            elif (found := find_osgraph_graph(asked)) is not None:
                result = answer(RemoteEngine(asked.endpoint, default_graph=found, timeout=timeout))
                if announce is not None:
                    announce(
                        f"the default graph of {asked.endpoint} holds no osgraph data: this is "
                        f"the answer of its named graph <{printable(found)}> (--graph "
                        f"{printable(found)})"
                    )
        result = _first_rows(result, limit)
        if format == "table":
            if isinstance(result, RowStream):
                result = result.held()
            yield format_table(result)
            return
        # The format checked above, as the ResultFormat it is (no cast needed to say so).
        yield from result_parts(result, next(known for known in RESULT_FORMATS if known == format))


def stream_query(
    engine: Engine, text: str, bindings: Mapping[str, Identifier] | None = None
) -> QueryResult | RowStream:
    """:func:`run_query`, but the rows of a SELECT answer are read from Oxigraph as they are
    found; other engines give their answer whole.

    Raises
    ------
    RefusedQueryError, QueryError
        As :func:`run_query`; a :class:`RowStream`'s rows raise :class:`QueryError` when the
        engine fails while they are read.
    """
    if isinstance(engine, OxigraphEngine):
        _refuse_outside_limits(text, allow_service=False)
        return engine.stream(text, bindings or {})
    return run_query(engine, text, bindings)


def _first_rows(result: QueryResult | RowStream, limit: int | None) -> QueryResult | RowStream:
    """The first ``limit`` rows of a SELECT answer, all of them without a limit."""
    if limit is None:
        return result
    if isinstance(result, RowStream):
        return dataclasses.replace(result, rows=itertools.islice(result.rows, limit))
    if result.kind != "SELECT":
        return result
    return QueryResult("SELECT", result.variables, result.rows[:limit])


def _empty(result: QueryResult | RowStream) -> bool:
    """Whether ``result`` answers nothing: no row, ``false``, or no triple (a remote engine's
    answer is whole)."""
    assert isinstance(result, QueryResult)
    if result.kind == "CONSTRUCT":
        return result.graph is None or len(result.graph) == 0
    return not (result.rows or result.boolean)
