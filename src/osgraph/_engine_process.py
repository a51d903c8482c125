"""A query engine in a process of its own, which ``osgraph serve`` talks to through a pipe.

An engine that crashes (a stack overflow ends the process, whatever Python does) or runs too
long takes only this process with it: the server answers the request that caused it and starts
another. Run as ``python -m osgraph._engine_process KG ENGINE MEMORY_BYTES``: it loads the graph,
writes ``ready\\n``, then answers requests until its input closes.

Each request is one line of JSON (``query``, ``accept``, ``row_limit``, and ``dataset`` when the
client named one: the IRIs of its default and named graphs); each answer is one line of JSON
(``status``, ``media_type``, ``truncated``, ``length``) followed by ``length`` bytes of body.
Answers stop at the row limit while the engine is still producing rows, so a query that would
return millions of rows never holds them all.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import sys
from collections.abc import Iterable, Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any, BinaryIO

from rdflib import Graph

from osgraph._engines import (
    Engine,
    OxigraphEngine,
    RdflibEngine,
    engine_name,
    from_oxigraph,
    graph_of_triples,
    open_engine,
    oxigraph_syntax_error,
)
from osgraph._errors import QueryError
from osgraph._guard import check_query
from osgraph._negotiation import preferred
from osgraph._protocol import Dataset
from osgraph._results import QueryResult, ResultFormat

SELECT_TYPES: dict[str, ResultFormat] = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
FORMAT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
GRAPH_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt"}
"""The media types of graphs (CONSTRUCT, DESCRIBE), the first the default, and rdflib's names."""


def answer(
    engine: Engine, text: str, accept: str, row_limit: int, dataset: Dataset | None = None
) -> tuple[int, str, bool, bytes]:
    """Run ``text`` over ``dataset`` (the whole graph when ``None``) and serialise its answer as
    ``accept`` asks, cut at ``row_limit`` rows (or triples): status, media type, whether rows
    were cut, body."""
    try:
        result, truncated = _limited(engine, text, row_limit, dataset)
        body, media_type = negotiate(result, accept)
    except QueryError as error:
        return HTTPStatus.BAD_REQUEST, "text/plain; charset=utf-8", False, _line(str(error))
    except MemoryError:
        raise  # the server replaces an engine that ran out of memory
    except Exception as error:
        message = f"osgraph could not answer this query: {type(error).__name__}: {error}"
        return HTTPStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", False, _line(message)
    return HTTPStatus.OK, media_type, truncated, body


def _limited(
    engine: Engine, text: str, limit: int, dataset: Dataset | None
) -> tuple[QueryResult, bool]:
    """The answer to ``text`` with at most ``limit`` rows or triples, read from the engine one
    at a time where it can give them so; and whether more were left."""
    if check_query(text) == "update":
        raise QueryError("this endpoint is read-only: updates are refused")
    if isinstance(engine, OxigraphEngine):
        import pyoxigraph as ox

        graphs: dict[str, Any] = {}
        if dataset is not None:  # the protocol's dataset replaces the query's (FROM, FROM NAMED)
            graphs["default_graph"] = [ox.NamedNode(iri) for iri in dataset[0]]
            graphs["named_graphs"] = [ox.NamedNode(iri) for iri in dataset[1]]
        try:
            found = engine.store.query(text, **graphs)
        except SyntaxError as error:
            raise QueryError(oxigraph_syntax_error(str(error))) from None
        except (ValueError, OSError, RuntimeError) as error:
            raise QueryError(f"the query failed: {error}") from None
        try:
            if isinstance(found, ox.QueryBoolean):
                return QueryResult("ASK", boolean=bool(found)), False
            if isinstance(found, ox.QueryTriples):
                triples, cut = _first(found, limit)
                return QueryResult("CONSTRUCT", graph=graph_of_triples(triples)), cut
            variables = tuple(variable.value for variable in found.variables)
            solutions, cut = _first(found, limit)
            rows = tuple(
                tuple(None if term is None else from_oxigraph(term) for term in solution)
                for solution in solutions
            )
            return QueryResult("SELECT", variables, rows), cut
        except (ValueError, OSError, RuntimeError) as error:
            raise QueryError(f"the query failed: {error}") from None
    if dataset is not None:
        # The graph is the store's default graph, and it has no named graphs: the graphs the
        # dataset names are empty. rdflib's engine is given an empty graph, which holds them.
        engine = RdflibEngine(Graph())
    result = engine.query(text, {})
    if result.kind == "SELECT" and len(result.rows) > limit:
        return dataclasses.replace(result, rows=result.rows[:limit]), True
    if result.kind == "CONSTRUCT" and result.graph is not None and len(result.graph) > limit:
        graph = Graph()
        for triple in itertools.islice(sorted(result.graph), limit):
            graph.add(triple)
        return QueryResult("CONSTRUCT", graph=graph), True
    return result, False


def _first(items: Iterable[Any], limit: int) -> tuple[list[Any], bool]:
    taken = list(itertools.islice(iter(items), limit + 1))
    return taken[:limit], len(taken) > limit


def negotiate(result: QueryResult, accept: str) -> tuple[bytes, str]:
    """The body and media type the ``Accept`` header weighs most (:mod:`osgraph._negotiation`);
    JSON results or Turtle when it accepts none of them."""
    if result.kind == "CONSTRUCT":
        assert result.graph is not None
        media_type = preferred(accept, list(GRAPH_TYPES)) or next(iter(GRAPH_TYPES))
        return result.graph.serialize(format=GRAPH_TYPES[media_type], encoding="utf-8"), media_type
    chosen = preferred(accept, list(SELECT_TYPES))
    format: ResultFormat = SELECT_TYPES[chosen] if chosen is not None else "json"
    return result.serialize(format), FORMAT_TYPES[format]


def _line(message: str) -> bytes:
    return (message + "\n").encode("utf-8")


def serve_requests(engine: Engine, requests: BinaryIO, answers: BinaryIO) -> None:
    """Answer every request read from ``requests`` on ``answers``, until it closes."""
    for line in _lines(requests):
        request = json.loads(line)
        dataset = request.get("dataset")
        status, media_type, truncated, body = answer(
            engine,
            request["query"],
            request.get("accept", ""),
            int(request["row_limit"]),
            None if dataset is None else (list(dataset[0]), list(dataset[1])),
        )
        header = {
            "status": int(status),
            "media_type": media_type,
            "truncated": truncated,
            "length": len(body),
        }
        answers.write(json.dumps(header).encode("utf-8") + b"\n" + body)
        answers.flush()


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    while line := stream.readline():
        yield line


def _limit_memory(limit: int) -> None:
    """Cap this process's address space, so that a query that would take the machine's
    memory fails here instead (the server then starts another engine)."""
    import resource

    if limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main(arguments: list[str]) -> None:
    kg, name, memory = arguments
    _limit_memory(int(memory))
    engine = open_engine(Path(kg), engine_name(name))
    assert isinstance(engine, OxigraphEngine | RdflibEngine)
    sys.stdout.buffer.write(b"ready\n")
    sys.stdout.buffer.flush()
    serve_requests(engine, sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main(sys.argv[1:])
