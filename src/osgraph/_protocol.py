"""What a query request to ``osgraph serve`` asks, by the SPARQL 1.1 Protocol's rules
(https://www.w3.org/TR/sparql11-protocol/, section 2.1): its query and the dataset it names, or
why the endpoint refuses it.

A query comes by GET (``?query=``), by a form POST (``application/x-www-form-urlencoded``, the
parameters in the body) or directly by POST (``application/sparql-query``, the query the body,
the other parameters in the URL). A request has exactly one query; one with two, or with an
update, or with a body that is not UTF-8, is malformed (400); another content type is 415.

``default-graph-uri`` and ``named-graph-uri`` are honoured (section 2.1.4: the dataset they name
replaces the query's own ``FROM`` and ``FROM NAMED``): the endpoint serves one graph as its
default graph and has no named graphs, so a dataset named by them is made of graphs the endpoint
does not hold, which are empty. Refusing them with 400 is allowed too, but a client that names
a dataset then gets the answer the protocol defines instead of an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import parse_qs

from osgraph._turtle import iri_problem

Dataset = tuple[list[str], list[str]]
"""The IRIs of the graphs of a dataset's default graph, and of its named graphs."""


@dataclass(frozen=True, slots=True)
class QueryRequest:
    """A well-formed query request: its query, and the dataset it names (``None``: the
    endpoint's own)."""

    query: str
    dataset: Dataset | None = None


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request is not answered, and its status."""

    status: HTTPStatus
    message: str


FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = Refusal(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")


def read_request(url_query: str, content_type: str | None, body: bytes) -> QueryRequest | Refusal:
    """The query request of a GET (``content_type`` ``None``) or POST to the endpoint, whose URL
    has ``url_query`` after its ``?``.

    Examples
    --------
    >>> read_request("query=ASK%7B%7D&default-graph-uri=urn:x", None, b"")
    QueryRequest(query='ASK{}', dataset=(['urn:x'], []))
    >>> read_request("query=ASK%7B%7D", QUERY, b"ASK {}").message
    'the query is given twice (in the body and in the URL): send one'
    >>> read_request("", "text/plain", b"ASK {}").status
    <HTTPStatus.UNSUPPORTED_MEDIA_TYPE: 415>
    """
    parameters = parse_qs(url_query, keep_blank_values=True)
    if content_type is None:
        return _query_request(parameters)
    if content_type == UPDATE:
        return READ_ONLY
    if content_type not in (FORM, QUERY):
        return Refusal(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            f"send the query as {QUERY} or as a form ({FORM}) with a field named query",
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return Refusal(HTTPStatus.BAD_REQUEST, f"the body is not UTF-8 text: {error}")
    if content_type == QUERY:
        if "query" in parameters:
            return Refusal(
                HTTPStatus.BAD_REQUEST,
                "the query is given twice (in the body and in the URL): send one",
            )
        return _query_request({**parameters, "query": [text]})
    form = parse_qs(text, keep_blank_values=True)
    for name, values in parameters.items():
        form[name] = [*values, *form.get(name, [])]
    return _query_request(form)


def _query_request(parameters: dict[str, list[str]]) -> QueryRequest | Refusal:
    queries, updates = parameters.get("query", []), parameters.get("update", [])
    if queries and updates:
        return Refusal(HTTPStatus.BAD_REQUEST, "a request holds a query or an update, not both")
    if updates:
        return READ_ONLY
    if len(queries) > 1:
        return Refusal(HTTPStatus.BAD_REQUEST, f"the query is given {len(queries)} times: send one")
    if not queries or not queries[0].strip():
        return Refusal(HTTPStatus.BAD_REQUEST, "no query: send one in the query parameter")
    default = parameters.get("default-graph-uri", [])
    named = parameters.get("named-graph-uri", [])
    for name, iris in (("default-graph-uri", default), ("named-graph-uri", named)):
        for iri in iris:
            problem = iri_problem(iri)
            if problem is not None:
                return Refusal(
                    HTTPStatus.BAD_REQUEST, f"{name} {iri[:200]!r} is not an IRI: {problem}"
                )
    return QueryRequest(queries[0], (default, named) if default or named else None)
