"""The embedded SPARQL engines that answer for a graph, and which one a graph gets.

- ``rdflib``: rdflib's own SPARQL engine over an in-memory graph; pure Python, slow on joins;
- ``oxigraph``: pyoxigraph, in memory or in a folder that keeps the loaded graph between runs;
- ``auto`` (the default): rdflib for small graphs, Oxigraph from :data:`LARGE_GRAPH_BYTES` on.

Whatever a query or a graph does, the caller gets a :class:`QueryError` with a one-line message,
never an engine's own exception. Where rdflib's engine raises on a query that SPARQL 1.1 gives an
answer (an error inside an expression or an aggregate), osgraph makes it answer as SPARQL
defines, as Oxigraph does: see :func:`_conform_rdflib`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol
from typing import Literal as TypingLiteral

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.term import Identifier

from osgraph._catalogue import with_values
from osgraph._errors import ConfigurationError, QueryError, ReadWriteError
from osgraph._messages import one_line
from osgraph._result_formats import Term, TermReader, rdflib_term
from osgraph._results import QueryResult, RowStream
from osgraph._store_folder import STORE_MARKER, built_store, check_store_folder, holds, mark_store

LARGE_GRAPH_BYTES = 5_000_000
"""From this size on, ``auto`` reads a Turtle file into Oxigraph rather than rdflib."""

EngineName = TypingLiteral["auto", "rdflib", "oxigraph"]
ENGINE_NAMES: tuple[EngineName, ...] = ("auto", "rdflib", "oxigraph")


class Engine(Protocol):
    """Something that answers SPARQL queries."""

    def query(self, text: str, bindings: Mapping[str, Identifier]) -> QueryResult:
        """Run ``text`` with ``bindings`` (variable name → term)."""
        ...


def open_engine(
    kg: Path | str | Graph, engine: EngineName = "auto", directory: Path | str | None = None
) -> Engine:
    """An embedded engine over ``kg``: a built graph's Turtle file, or an rdflib graph in memory.

    ``directory`` keeps an Oxigraph store of a file on disk: the graph is loaded into it once
    and again only when ``kg`` changes. Without one, the store ``osgraph build`` left next to
    ``kg`` (:func:`built_store`) answers for ``oxigraph`` and ``auto`` when it holds the same
    bytes (the same SHA-256); else ``kg`` is loaded as before. A graph in memory is queried as
    it is by ``rdflib`` (and ``auto``), or copied into an Oxigraph store in memory.

    Raises
    ------
    ConfigurationError
        When ``engine`` is not ``auto``, ``rdflib`` or ``oxigraph``, or ``directory`` cannot
        hold the store (a file, or a folder of other files), or is given with a graph in memory.
    ReadWriteError
        When ``kg`` is missing (with the command that builds it), or it or the store cannot be
        read or written.
    QueryError
        When ``kg`` cannot be parsed as Turtle.

    Examples
    --------
    >>> from rdflib import Graph, Literal, URIRef
    >>> graph = Graph()
    >>> _ = graph.add((URIRef("https://example.org/a"), URIRef("https://example.org/name"),
    ...                Literal("Apache Kafka")))
    >>> engine = open_engine(graph)
    >>> engine.query("SELECT ?name WHERE { ?s ?p ?name }", {}).as_dicts()
    [{'name': 'Apache Kafka'}]
    """
    engine = engine_name(engine)
    if isinstance(kg, Graph):
        if directory is not None:
            raise ConfigurationError(
                "a store folder keeps a graph file between runs: write the graph to a file, "
                "or query it in memory without a folder"
            )
        return OxigraphEngine.of_graph(kg) if engine == "oxigraph" else RdflibEngine(kg)
    kg = Path(kg)
    if not kg.is_file():
        raise ReadWriteError(
            f"{kg}: no such graph; build one with `osgraph build` or name it with --kg"
        )
    if directory is None and engine != "rdflib":
        built = _open_built_store(kg)
        if built is not None:
            return built
    if engine == "auto":
        large = kg.stat().st_size >= LARGE_GRAPH_BYTES
        engine = "oxigraph" if large or directory is not None else "rdflib"
    if engine == "oxigraph":
        return OxigraphEngine.load(kg, Path(directory) if directory else None)
    graph = Graph()
    try:
        graph.parse(kg, format="turtle")
    except Exception as error:  # rdflib raises many kinds of parse errors
        raise QueryError(f"{kg}: not readable as Turtle: {describe(error)}") from None
    return RdflibEngine(graph)


def engine_name(name: str) -> EngineName:
    """``name``, once it is known to name an engine.

    Raises
    ------
    ConfigurationError
        When it is not ``auto``, ``rdflib`` or ``oxigraph``.

    Examples
    --------
    >>> engine_name("sparql")
    Traceback (most recent call last):
    osgraph.ConfigurationError: --engine 'sparql': choose auto, rdflib or oxigraph
    """
    for known in ENGINE_NAMES:
        if name == known:
            return known
    raise ConfigurationError(f"--engine {name!r}: choose auto, rdflib or oxigraph")


class RdflibEngine:
    """rdflib's SPARQL engine over a graph in memory.

    Its answers are read whole inside :meth:`query`, so that an error rdflib meets while it
    evaluates (it evaluates lazily) is a :class:`QueryError` too.
    """

    def __init__(self, graph: Graph) -> None:
        _conform_rdflib()
        self.graph = graph

    def query(self, text: str, bindings: Mapping[str, Identifier]) -> QueryResult:
        """Run ``text`` with ``bindings``; any failure is a :class:`QueryError`."""
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
            rows = tuple(
                tuple(values.get(name) for name in variables)
                for values in (row.asdict() for row in result)  # type: ignore[union-attr]
            )
        except ParseException as error:
            raise QueryError(
                f"syntax error at line {error.lineno}, column {error.col}: {describe(error.msg)}"
            ) from None
        except RecursionError:
            raise QueryError(
                "the query is nested too deeply for rdflib's engine (try --engine oxigraph)"
            ) from None
        except Exception as error:  # rdflib's evaluation errors have no common base class
            raise QueryError(f"the query failed: {describe(error)}") from None
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
                return SPARQLError(describe(error))

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

    def __init__(self, store: Any) -> None:
        self.store = store

    @classmethod
    def load(cls, kg: Path, directory: Path | None) -> OxigraphEngine:
        """Load ``kg`` into a new store, or into ``directory`` unless it already holds it.

        ``directory`` may be new, empty, or a store osgraph made (it has a
        :data:`STORE_MARKER` file); a folder that holds anything else is refused, so that no
        other store or file is cleared.

        Raises
        ------
        ConfigurationError
            When ``directory`` is a file, or a folder of files that are not an osgraph store.
        ReadWriteError
            When ``kg`` cannot be read, or the store cannot be made, read or written.
        QueryError
            When ``kg`` cannot be parsed as Turtle.
        """
        import pyoxigraph as ox

        marker = directory / STORE_MARKER if directory else None
        held = marker is not None and holds(marker, kg)
        try:
            if directory is not None and marker is not None:
                store = _open_store(directory, marker)
                if held:
                    return cls(store)
                store.clear()
                marker.write_text("", encoding="utf-8")  # osgraph's store, holding no graph yet
            else:
                store = ox.Store()
            store.bulk_load(path=str(kg), format=ox.RdfFormat.TURTLE)
            if directory is not None:
                store.flush()
                mark_store(directory, kg)
        except (SyntaxError, ValueError) as error:
            raise QueryError(f"{kg}: not readable as Turtle: {describe(error)}") from None
        except (OSError, RuntimeError) as error:
            into = f" into the store in {directory}" if directory is not None else ""
            raise ReadWriteError(f"{kg}: cannot be loaded{into}: {describe(error)}") from None
        return cls(store)

    @classmethod
    def of_graph(cls, graph: Graph) -> OxigraphEngine:
        """A store in memory holding a copy of ``graph``."""
        import pyoxigraph as ox

        store = ox.Store()
        store.load(graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
        return cls(store)

    def query(self, text: str, bindings: Mapping[str, Identifier]) -> QueryResult:
        """Run ``text`` with ``bindings``; any failure is a :class:`QueryError`."""
        answer = self.stream(text, bindings)
        if isinstance(answer, QueryResult):
            return answer
        return answer.held()

    def stream(self, text: str, bindings: Mapping[str, Identifier]) -> QueryResult | RowStream:
        """Run ``text`` with ``bindings``: a SELECT answer's rows are read as Oxigraph finds
        them (the first of a query without ``ORDER BY`` or aggregates at once), in pyoxigraph's
        terms (:func:`oxigraph_terms` reads them), any other answer whole. Any failure, also
        while the rows are read, is a :class:`QueryError`."""
        import pyoxigraph as ox

        try:
            # pyoxigraph substitutes only projected variables, so parameters go in as VALUES.
            result = self.store.query(with_values(text, bindings) if bindings else text)
            if isinstance(result, ox.QueryBoolean):
                return QueryResult("ASK", boolean=bool(result))
            if isinstance(result, ox.QueryTriples):
                return QueryResult("CONSTRUCT", graph=graph_of_triples(result))
            variables = tuple(variable.value for variable in result.variables)
        except Exception as error:
            raise _query_error(error) from None
        return RowStream(variables, _solutions(result), oxigraph_terms())


def _solutions(solutions: Any) -> Iterator[Any]:
    """Oxigraph's solutions, computed as they are read: an engine's error while they are is a
    :class:`QueryError`."""
    try:
        yield from solutions
    except Exception as error:
        raise _query_error(error) from None


def oxigraph_terms() -> TermReader:
    """How pyoxigraph's terms are read, written straight from their text: making rdflib terms
    of a large answer costs more than the rest of its writing. Literals of other datatypes than
    strings are written as rdflib's, in its canonical form (the double ``1.0E0`` is ``1.0``;
    Oxigraph says ``1``), so that every answer is written as it always was.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> double = ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")
    >>> oxigraph_terms().term(ox.Literal("1.0E0", datatype=double)).text
    '1.0'
    """
    import pyoxigraph as ox

    string = ox.NamedNode(_XSD_STRING)

    def term(found: Any) -> Term:
        if isinstance(found, ox.NamedNode):
            return Term("uri", found.value)
        if isinstance(found, ox.BlankNode):
            return Term("bnode", found.value)
        if isinstance(found, ox.Literal):
            if found.language:
                return Term("literal", found.value, found.language)
            if found.datatype == string:
                return Term("literal", found.value)
        return rdflib_term(from_oxigraph(found))

    return TermReader(term, from_oxigraph, exact=True)


def _query_error(error: Exception) -> QueryError:
    if isinstance(error, QueryError):
        return error
    if isinstance(error, SyntaxError):
        return QueryError(oxigraph_syntax_error(str(error)))
    # OSError, RuntimeError, ValueError: a failed evaluation
    return QueryError(f"the query failed: {describe(error)}")


def _open_built_store(kg: Path) -> OxigraphEngine | None:
    """The store :func:`built_store` names, read-only (serving processes share it), when it
    holds ``kg``; None when there is none, or it holds another graph, or cannot be opened."""
    import pyoxigraph as ox

    folder = built_store(kg)
    marker = folder / STORE_MARKER
    if not holds(marker, kg):  # nor when there is no marker
        return None
    try:
        return OxigraphEngine(ox.Store.read_only(str(folder)))
    except (OSError, RuntimeError, ValueError):  # damaged, or replaced meanwhile: the Turtle
        return None


def _open_store(directory: Path, marker: Path) -> Any:
    """The Oxigraph store in ``directory``, made there if it is new or empty."""
    import pyoxigraph as ox

    check_store_folder(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(directory))
    except (OSError, RuntimeError, ValueError) as error:
        raise ReadWriteError(
            f"{directory}: cannot hold the Oxigraph store: {describe(error)}"
        ) from None


def oxigraph_syntax_error(message: str) -> str:
    """Oxigraph's syntax error ``message`` as osgraph words its messages: line, column, and
    the start of what it expected.

    Examples
    --------
    >>> oxigraph_syntax_error("error at 3:7: expected one of '}', '.'")
    "syntax error at line 3, column 7: expected one of '}', '.'"
    """
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
                from_oxigraph(triple.subject),
                from_oxigraph(triple.predicate),
                from_oxigraph(triple.object),
            )
        )
    return graph


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def from_oxigraph(term: object) -> Identifier:
    """The rdflib term of a pyoxigraph term.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> from_oxigraph(ox.Literal("Kafka", language="en")), from_oxigraph(ox.BlankNode("b1"))
    (rdflib.term.Literal('Kafka', lang='en'), rdflib.term.BNode('b1'))
    """
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise QueryError(f"osgraph cannot read the term {term!r}")


def describe(error: BaseException | str, limit: int = 300) -> str:
    """An error (or an engine's message) as one line of a message, cut at ``limit`` characters;
    the error's kind when it has no message.

    Examples
    --------
    >>> describe(ValueError("bad\\n  value")), describe(KeyError())
    ('bad value', 'KeyError')
    """
    line = one_line(str(error))
    if not line and isinstance(error, BaseException):
        return type(error).__name__
    return line if len(line) <= limit else line[: limit - 4].rstrip() + " ..."


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
