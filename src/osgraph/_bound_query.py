"""A named query as the endpoint runs it from a URL: ``/queries/NAME?PARAMETER=VALUE&...``.

The values are bound the way ``osgraph query --param`` binds them
(:func:`osgraph._catalogue.bind_parameters`, then :func:`osgraph._catalogue.with_values`): as
RDF terms written by rdflib's escaping, never pasted into the query's text, so a value stays
data whatever it holds. The endpoint then answers the request as it answers any other query,
through the same guard, engines and limits.
"""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import parse_qs

from osgraph._catalogue import bind_parameters, named_queries, with_values
from osgraph._errors import QueryError
from osgraph._protocol import QueryRequest, Refusal


def named_request(name: str, query_string: str) -> QueryRequest | Refusal:
    r"""The request to run the named query ``name`` with the parameters of the URL's
    ``query_string`` bound, or why not: 404 when no named query has that name, 400 when the
    query string is not UTF-8 once decoded, gives a parameter twice, gives one the query does
    not take, leaves out one it needs, or has a value that cannot be bound
    (:func:`osgraph._catalogue.bind_parameters`). A parameter given empty is not given.

    Examples
    --------
    >>> request = named_request("projects-of", "country=x%22%20%7D%20%3B%20DROP%20ALL%20%3B%20%23")
    >>> print(next(line for line in request.query.splitlines() if "VALUES" in line))
    SELECT DISTINCT ?project WHERE { VALUES (?country) { ("x\" } ; drop all ; #") }
    >>> named_request("no-such-query", "").status
    <HTTPStatus.NOT_FOUND: 404>
    """
    named = named_queries().get(name)
    if named is None:
        return Refusal(HTTPStatus.NOT_FOUND, f"no named query {name!r}: /queries lists them")
    try:
        given = parse_qs(query_string, errors="strict")
    except UnicodeDecodeError:
        return Refusal(
            HTTPStatus.BAD_REQUEST, "the parameters are not UTF-8 text once percent-decoded"
        )
    repeated = sorted(key for key, values in given.items() if len(values) > 1)
    if repeated:
        return Refusal(
            HTTPStatus.BAD_REQUEST,
            f"give each parameter once, not {', '.join(repeated)} more than once",
        )
    try:
        bindings = bind_parameters(
            {key: values[0] for key, values in given.items()}, named, option="parameter"
        )
        return QueryRequest(with_values(named.text, bindings) if bindings else named.text)
    except QueryError as error:
        return Refusal(HTTPStatus.BAD_REQUEST, str(error))
