"""Which query to run and with what: the named queries, query files, and parameters as RDF terms.

Named queries are ``.rq`` files in ``osgraph/queries``. Each starts with comment lines that say
what it answers; ``# param NAME: help`` lines declare its parameters (a parameter not given is
left unbound, so the query matches any value there), ``# param NAME (name): help`` one that is
matched as a name: bound to the value's key (:func:`osgraph.name_key`), which the graph holds
for every name of an institution or country (``osg:nameKey``), so any spelling of a name is found
by one exact match; and ``# needs: a | b`` says that at least one of them must be given.

Parameters are bound as RDF terms, never pasted into query text: through rdflib's own binding
(``initBindings``), or, for Oxigraph and remote endpoints, as a ``VALUES`` block at the start of
the WHERE clause whose terms are written by rdflib's escaping (:func:`with_values`). A value
such as ``x" } ; DROP ALL ; #`` is a literal that matches nothing.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from osgraph import _resources
from osgraph._errors import ConfigurationError, QueryError, ReadWriteError
from osgraph._guard import tokens
from osgraph._messages import one_line
from osgraph._names import name_key

_NOT_IN_IRIS = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f]')
"""Characters no IRI holds, which rdflib refuses to write between ``<>``."""
_PARAMETER = re.compile(r"^#\s*param\s+([A-Za-z_][A-Za-z0-9_]*)\s*(\(name\))?\s*:\s*(.*)$")
_NEEDS = re.compile(r"^#\s*needs\s*:\s*(.*)$")


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """A query shipped with osgraph, with what it answers and the parameters it takes."""

    name: str
    description: str
    parameters: Mapping[str, str]
    needs: tuple[str, ...]
    text: str
    names: frozenset[str] = frozenset()
    """The parameters matched as names, by their key."""


def named_queries() -> dict[str, NamedQuery]:
    """Every named query shipped with osgraph, by name.

    Examples
    --------
    >>> queries = named_queries()
    >>> queries["projects-of"].parameters.keys(), queries["projects-of"].needs
    (dict_keys(['institution', 'country']), ('institution', 'country'))
    >>> sorted(queries["projects-of"].names)
    ['country', 'institution']
    """
    return {
        name: _named_query(name, _resources.text("queries", f"{name}.rq"))
        for name in _resources.names("queries", suffix=".rq")
    }


def load_query(spec: str) -> tuple[str, NamedQuery | None]:
    """Find the query ``spec`` names: a named query, a ``.rq`` file, or ``-`` (standard input).

    Returns the query text, and the named query when it is one.

    Raises
    ------
    QueryError
        When no named query has that name, or the text is not UTF-8.
    ReadWriteError
        When the file does not exist or cannot be read, or standard input cannot be read.

    Examples
    --------
    >>> text, named = load_query("projects-by-country")
    >>> named.name, text == named.text
    ('projects-by-country', True)
    """
    if spec == "-":
        return _standard_input(), None
    if spec.endswith(".rq") or "/" in spec or Path(spec).is_file():
        path = Path(spec)
        try:
            return path.read_text(encoding="utf-8-sig"), None
        except FileNotFoundError:
            raise ReadWriteError(f"{spec}: no such file") from None
        except UnicodeDecodeError as error:
            raise QueryError(f"{spec}: cannot be read: not UTF-8 text: {error}") from None
        except OSError as error:
            raise ReadWriteError(f"{spec}: cannot be read: {error.strerror or error}") from None
    queries = named_queries()
    if spec not in queries:
        raise QueryError(f"no named query {spec!r}; the named queries are: {', '.join(queries)}")
    return queries[spec].text, queries[spec]


def _standard_input() -> str:
    """The query text on standard input."""
    if sys.stdin is None:
        raise ReadWriteError("-: standard input is closed")
    try:
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    except OSError as error:
        raise ReadWriteError(f"-: standard input cannot be read: {error.strerror}") from None
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise QueryError(f"-: standard input is not UTF-8 text: {error}") from None


def parse_parameters(pairs: Sequence[str]) -> dict[str, str]:
    """Read ``name=value`` command-line parameters.

    Raises
    ------
    ConfigurationError
        When a pair is not ``name=value`` with a SPARQL variable name.

    Examples
    --------
    >>> parse_parameters(["country=CN", "institution=A=B"])
    {'country': 'CN', 'institution': 'A=B'}
    """
    parameters = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ConfigurationError(f"--param {pair!r}: write it as name=value")
        parameters[name] = value
    return parameters


def bind_parameters(
    given: Mapping[str, str], named: NamedQuery | None, *, option: str = "--param"
) -> dict[str, Identifier]:
    """Turn ``name=value`` parameters into RDF terms: ``<...>`` is an IRI, anything else a
    plain literal, and the key of that literal for a parameter matched as a name. A named
    query's parameters that are not given are left unbound.

    Messages name a parameter as ``option NAME=VALUE``, as the user gave it.

    An IRI must be one that every engine takes: absolute (with a scheme, such as ``https:``),
    with none of the characters IRIs cannot hold (spaces, ``<>"{}|^`\\``, controls).

    Raises
    ------
    QueryError
        When a parameter is not one of the named query's, the query needs one that is not
        given, or a value is not UTF-8 or not an IRI between ``<...>``.

    Examples
    --------
    >>> bind_parameters({"institution": 'X" } ; DROP ALL ; #'}, named_queries()["projects-of"])
    {'institution': rdflib.term.Literal('x" } ; drop all ; #')}
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
                f"(for example {option} {named.needs[0]}=...)"
            )
    names = named.names if named else frozenset()
    bindings: dict[str, Identifier] = {}
    for name, value in given.items():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise QueryError(f"{option} {name}: the value is not valid UTF-8 text") from None
        is_iri = value.startswith("<") and value.endswith(">") and len(value) > 2
        if is_iri:
            problem = _iri_problem(value[1:-1])
            if problem:
                raise QueryError(
                    f"{option} {name}={value!r}: not an IRI ({problem}); write an absolute IRI, "
                    "such as <https://w3id.org/osgraph/id/country/CN>, or the value without <...> "
                    "to match text"
                )
        if is_iri and name in names:
            raise QueryError(
                f"{option} {name}={value!r}: {name} is matched as a name; give the name, "
                "without <...>"
            )
        if is_iri:
            bindings[name] = URIRef(value[1:-1])
        else:
            bindings[name] = Literal(name_key(value) if name in names else value)
    return bindings


def _iri_problem(iri: str) -> str | None:
    """Why ``iri`` is not an absolute IRI that Oxigraph, rdflib's writer and endpoints all take;
    ``None`` when it is one."""
    import pyoxigraph as ox

    try:
        ox.NamedNode(iri)
    except ValueError as error:
        return one_line(str(error))
    if _NOT_IN_IRIS.search(iri):
        return 'it holds a space, a control character or one of <>"{}|^`\\'
    return None


def with_values(text: str, bindings: Mapping[str, Identifier]) -> str:
    r"""Bind variables by a ``VALUES`` block at the start of the query's WHERE clause.

    Terms are written by rdflib (``n3()``), which escapes them, so no value can end the block.

    Raises
    ------
    QueryError
        When the query has no ``WHERE`` keyword, or a term cannot be written in SPARQL.

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
        reason = one_line(str(error)) or type(error).__name__
        raise QueryError(f"a parameter cannot be written in SPARQL: {reason}") from None
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


def _named_query(name: str, text: str) -> NamedQuery:
    description: list[str] = []
    parameters: dict[str, str] = {}
    names: set[str] = set()
    needs: tuple[str, ...] = ()
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if match := _PARAMETER.match(line):
            parameters[match[1]] = match[3].strip()
            if match[2]:
                names.add(match[1])
        elif match := _NEEDS.match(line):
            needs = tuple(part.strip() for part in match[1].split("|"))
        else:
            description.append(line.lstrip("#").strip())
    return NamedQuery(name, " ".join(description), parameters, needs, text, frozenset(names))
