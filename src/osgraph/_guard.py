"""What a SPARQL text may ask before any engine sees it.

Every query osgraph runs (:func:`osgraph._query.run_query`: ``osgraph query``, ``osgraph serve``,
the network, the view, the report) passes :func:`check_query` first:

- a query larger than :data:`MAX_QUERY_CHARACTERS`, with more than :data:`MAX_TOKENS` tokens,
  or nested deeper than :data:`MAX_NESTING` (``{``, ``(``, ``[``) is refused: a few kilobytes
  of nested groups overflow an engine's stack and end the process (Oxigraph's, with a
  segmentation fault), so the text is measured by a scanner that cannot overflow;
- a ``SERVICE`` clause is refused unless the caller allows it: it makes the engine send HTTP
  requests to any host the query names;
- an update is told apart from a query by its first keyword, without parsing the whole text.

The scanner reads strings, IRIs and comments as single tokens, so what they hold never counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from osgraph._errors import RefusedQueryError

MAX_QUERY_CHARACTERS = 100_000
"""The longest query text osgraph runs; the named queries are under 2,000 characters."""
MAX_TOKENS = 10_000
"""The most tokens (words, terms, punctuation) a query may have."""
MAX_NESTING = 50
"""The deepest nesting of groups, brackets and parentheses a query may have."""

_QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
_UPDATE_FORMS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
_PROLOGUE = frozenset({"BASE", "PREFIX"})
_OPENING = {"{": "}", "(": ")", "[": "]"}

_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'  # long strings
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'  # short strings
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"  # IRIs
    r"|#[^\n]*"  # comments
    r"|[?$][A-Za-z0-9_\u00b7-\uffff]+"  # variables: ?service is no SERVICE
    r"|(?:[A-Za-z_][A-Za-z0-9_.-]*)?:[A-Za-z0-9_.:%\u00b7-\uffff-]*"  # prefixed names
    r"|[A-Za-z_][A-Za-z0-9_]*"  # words
    r"|\S",
    re.DOTALL,
)


def tokens(text: str) -> Iterator[tuple[int, str]]:
    """The position and text of each token of ``text`` that is not inside a string, an IRI or a
    comment (those are skipped whole).

    Examples
    --------
    >>> [t for _, t in tokens('SELECT * { ?s ex:service "SERVICE {" } # SERVICE')]
    ['SELECT', '*', '{', '?s', 'ex:service', '}']
    """
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token[0] not in "\"'<#" or token == "<":
            yield match.start(), token


def check_query(text: str, *, allow_service: bool = False) -> Literal["query", "update"]:
    """Whether ``text`` is a query or an update, once it is known to be within the limits.

    Raises
    ------
    RefusedQueryError
        When the text is over :data:`MAX_QUERY_CHARACTERS`, :data:`MAX_TOKENS` or
        :data:`MAX_NESTING`, or holds a ``SERVICE`` clause and ``allow_service`` is false.

    Examples
    --------
    >>> check_query("PREFIX x: <http://x/> SELECT * WHERE { ?s ?p ?o }")
    'query'
    >>> check_query("DROP ALL")
    'update'
    >>> check_query("PREFIX service: <http://x/> SELECT ?service WHERE { ?s service:p ?service }")
    'query'
    >>> remote = "SELECT * WHERE { SERVICE <http://127.0.0.1/> { ?s ?p ?o } }"
    >>> check_query(remote)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    osgraph.RefusedQueryError: the query asks another host (SERVICE <http://127.0.0.1/>): ...
    >>> check_query("SELECT * WHERE " + "{" * 5000)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    osgraph.RefusedQueryError: the query nests groups 51 deep at character 65, ...
    """
    if len(text) > MAX_QUERY_CHARACTERS:
        raise RefusedQueryError(
            f"the query has {len(text):,} characters, more than the "
            f"{MAX_QUERY_CHARACTERS:,} osgraph runs"
        )
    kind: Literal["query", "update"] | None = None
    depth = 0
    for count, (position, token) in enumerate(tokens(text), 1):
        if count > MAX_TOKENS:
            raise RefusedQueryError(
                f"the query has more than the {MAX_TOKENS:,} tokens osgraph runs"
            )
        word = token.upper()
        if kind is None and word not in _PROLOGUE and token.isidentifier():
            if word in _QUERY_FORMS:
                kind = "query"
            elif word in _UPDATE_FORMS:
                kind = "update"
        if token in _OPENING:
            depth += 1
            if depth > MAX_NESTING:
                raise RefusedQueryError(
                    f"the query nests groups {depth} deep at character {position}, more than "
                    f"the {MAX_NESTING} osgraph allows"
                )
        elif token in _OPENING.values():
            depth = max(0, depth - 1)
        elif word == "SERVICE" and not allow_service:
            raise RefusedQueryError(
                f"the query asks another host ({_service_target(text, position)}): osgraph "
                "runs no SERVICE clause unless told to (--allow-service)"
            )
    return kind or "query"


def _service_target(text: str, position: int) -> str:
    """``SERVICE <iri>`` as the query writes it, shortened, for the message."""
    found = re.match(r"SERVICE\s+(SILENT\s+)?(<[^>\s]{0,200}>|\S{0,80})", text[position:], re.I)
    return " ".join(found.group().split()) if found else "SERVICE"
