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
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal as TypingLiteral
from typing import Protocol

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Identifier

from osgraph.errors import OsgraphError
from osgraph.guard import RefusedQueryError, check_query, tokens

LARGE_GRAPH_BYTES = 5_000_000
"""From this size on, ``auto`` reads a Turtle file into Oxigraph rather than rdflib."""

EngineName = TypingLiteral["auto", "rdflib", "oxigraph"]
ResultFormat = TypingLiteral["table", "csv", "tsv", "json", "xml"]

_PARAMETER = re.compile(r"^#\s*param\s+([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$")
_NEEDS = re.compile(r"^#\s*needs\s*:\s*(.*)$")


class QueryError(OsgraphError):
    """A query cannot be found, read, bound or run; the message says why (and where, for a
    syntax error: line and column)."""


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
        """Write the result in a W3C SPARQL 1.1 results format (``csv``, ``tsv``, ``json``,
        ``xml``); a graph is written as Turtle, whatever the format."""
        if self.kind == "CONSTRUCT":
            assert self.graph is not None
            return self.graph.serialize(format="turtle", encoding="utf-8")
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
    found = {}
    for resource in sorted(
        (resources.files("osgraph") / "queries").iterdir(), key=lambda r: r.name
    ):
        if resource.name.endswith(".rq"):
            name = resource.name.removesuffix(".rq")
            found[name] = _named_query(name, resource.read_text(encoding="utf-8"))
    return found


def load_query(spec: str) -> tuple[str, NamedQuery | None]:
    """Find the query ``spec`` names: a named query, a ``.rq`` file, or ``-`` (standard input).

    Returns the query text, and the named query when it is one.
    """
    import sys

    if spec == "-":
        return sys.stdin.read(), None
    if spec.endswith(".rq") or "/" in spec or Path(spec).is_file():
        path = Path(spec)
        try:
            return path.read_text(encoding="utf-8"), None
        except FileNotFoundError:
            raise QueryError(f"{spec}: no such file") from None
        except (OSError, UnicodeDecodeError) as error:
            raise QueryError(f"{spec}: cannot be read: {error}") from None
    queries = named_queries()
    if spec not in queries:
        raise QueryError(f"no named query {spec!r}; the named queries are: {', '.join(queries)}")
    return queries[spec].text, queries[spec]


def bind_parameters(given: Mapping[str, str], named: NamedQuery | None) -> dict[str, Identifier]:
    """Turn ``name=value`` parameters into RDF terms: ``<...>`` is an IRI, anything else a
    plain literal. A named query's parameters that are not given are bound to ``""``.

    Examples
    --------
    >>> bind_parameters({"institution": 'x" } ; DROP ALL ; #'}, named_queries()["projects-of"])
    {'institution': rdflib.term.Literal('x" } ; DROP ALL ; #'), 'country': rdflib.term.Literal('')}
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
        is_iri = value.startswith("<") and value.endswith(">") and len(value) > 2
        bindings[name] = URIRef(value[1:-1]) if is_iri else Literal(value)
    return bindings


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
        raise QueryError(f"{kg}: not readable as Turtle: {error}") from None
    return RdflibEngine(graph)


def run_query(
    engine: Engine,
    text: str,
    bindings: Mapping[str, Identifier] | None = None,
    *,
    allow_service: bool = False,
) -> QueryResult:
    """Run ``text`` on ``engine`` with ``bindings``, once :func:`osgraph.guard.check_query`
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


class RdflibEngine:
    """rdflib's SPARQL engine over a graph in memory."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def query(self, text: str, bindings: Mapping[str, Identifier]) -> QueryResult:
        from pyparsing import ParseException

        try:
            result = self.graph.query(
                text, initBindings={Variable(k): v for k, v in bindings.items()}
            )
        except ParseException as error:
            raise QueryError(
                f"syntax error at line {error.lineno}, column {error.col}: {error.msg}"
            ) from None
        except Exception as error:  # rdflib's evaluation errors have no common base class
            raise QueryError(f"the query failed: {error}") from None
        if result.type == "ASK":
            return QueryResult("ASK", boolean=bool(result.askAnswer))
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            assert result.graph is not None
            return QueryResult("CONSTRUCT", graph=result.graph)
        variables = tuple(str(v) for v in result.vars or ())
        rows = [
            tuple(values.get(name) for name in variables)
            for values in (row.asdict() for row in result)  # type: ignore[union-attr]
        ]
        return QueryResult("SELECT", variables, rows)


class OxigraphEngine:
    """Oxigraph's SPARQL engine (pyoxigraph), over a store in memory or in a folder."""

    def __init__(self, store: object) -> None:
        self.store = store

    @classmethod
    def load(cls, kg: Path, directory: Path | None) -> OxigraphEngine:
        """Load ``kg`` into a new store, or into ``directory`` unless it already holds it."""
        import pyoxigraph as ox

        stamp = f"{kg.resolve()}\n{kg.stat().st_size}\n{kg.stat().st_mtime_ns}\n"
        marker = directory / ".osgraph-source" if directory else None
        if directory is not None and marker is not None:
            directory.mkdir(parents=True, exist_ok=True)
            store = ox.Store(str(directory))
            if marker.is_file() and marker.read_text() == stamp:
                return cls(store)
            store.clear()
        else:
            store = ox.Store()
        try:
            store.bulk_load(path=str(kg), format=ox.RdfFormat.TURTLE)
        except (SyntaxError, ValueError, OSError) as error:
            raise QueryError(f"{kg}: not readable as Turtle: {error}") from None
        if marker is not None:
            store.flush()
            marker.write_text(stamp)
        return cls(store)

    def query(self, text: str, bindings: Mapping[str, Identifier]) -> QueryResult:
        import pyoxigraph as ox

        try:
            # pyoxigraph substitutes only projected variables, so parameters go in as VALUES.
            result = self.store.query(with_values(text, bindings) if bindings else text)  # type: ignore[attr-defined]
        except SyntaxError as error:
            raise QueryError(_oxigraph_syntax_error(str(error))) from None
        except (ValueError, OSError, RuntimeError) as error:
            raise QueryError(f"the query failed: {error}") from None
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("ASK", boolean=bool(result))
        if isinstance(result, ox.QueryTriples):
            graph = Graph()
            for triple in result:
                graph.add(
                    (
                        _from_oxigraph(triple.subject),
                        _from_oxigraph(triple.predicate),
                        _from_oxigraph(triple.object),
                    )
                )
            return QueryResult("CONSTRUCT", graph=graph)
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
        return QueryResult("SELECT", variables, rows)


class RemoteEngine:
    """A SPARQL 1.1 Protocol endpoint, asked over HTTP for JSON results.

    ``default_graph`` sends ``default-graph-uri``, to query one named graph of a store.
    """

    def __init__(
        self, endpoint: str, default_graph: str | None = None, timeout: float = 60.0
    ) -> None:
        self.endpoint = endpoint
        self.default_graph = default_graph
        self.timeout = timeout

    def query(self, text: str, bindings: Mapping[str, Identifier]) -> QueryResult:
        import httpx

        body: dict[str, str] = {"query": with_values(text, bindings) if bindings else text}
        if self.default_graph:
            body["default-graph-uri"] = self.default_graph
        headers = {
            # Some stores (Virtuoso) answer in RDF/XML unless JSON is asked for by name.
            "Accept": "application/sparql-results+json, text/turtle;q=0.9",
        }
        try:
            response = httpx.post(self.endpoint, data=body, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as error:
            raise QueryError(f"{self.endpoint}: {error}") from None
        if response.status_code >= 400:
            raise QueryError(
                f"{self.endpoint} answered {response.status_code}: {response.text[:500]}"
            )
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        if content_type in ("text/turtle", "application/n-triples"):
            graph = Graph().parse(data=response.text, format="turtle")
            return QueryResult("CONSTRUCT", graph=graph)
        result = Result.parse(io.BytesIO(response.content), format="json")
        if result.type == "ASK":
            return QueryResult("ASK", boolean=bool(result.askAnswer))
        variables = tuple(str(v) for v in result.vars or ())
        rows = [tuple(binding.get(Variable(v)) for v in variables) for binding in result.bindings]
        return QueryResult("SELECT", variables, rows)


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
        raise QueryError("to bind parameters on a remote endpoint, the query needs a WHERE clause")
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(term.n3() for term in bindings.values())
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
    from rich.markup import escape

    return escape(str(term))


def _is_number(term: Identifier | None) -> bool:
    return (
        isinstance(term, Literal)
        and isinstance(term.value, int | float)
        and not isinstance(term.value, bool)
    )


def _tsv(result: QueryResult) -> str:
    """The SPARQL 1.1 TSV results format: a header of ``?names``, then terms in Turtle syntax."""
    if result.kind == "ASK":
        return "true\n" if result.boolean else "false\n"
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
