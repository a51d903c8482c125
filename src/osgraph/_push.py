"""Load a built graph into a remote store.

A push replaces one named graph in a single SPARQL 1.1 Graph Store Protocol request, so a push
the store refuses leaves the graph it had whole; only a 2xx answer is success, waits are
bounded, and no message shows credentials. The graph is streamed from its file, read again from
its start when digest authentication sends the request a second time.

After a push, the store's SPARQL endpoint (``data/stores.toml`` says where each store has it) is
asked whether it answers from the graph pushed, so that the command can say how to query it.
"""

from __future__ import annotations

import base64
import math
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from osgraph import _resources
from osgraph._errors import ConfigurationError, OsgraphError, ReadWriteError
from osgraph._messages import one_line, printable
from osgraph._remote import RemoteEngine, tls_context

DEFAULT_NAMED_GRAPH = "https://w3id.org/osgraph/id/graph"
"""The named graph ``push`` replaces unless told another."""


DEFAULT_PUSH_TIMEOUT = 120.0
"""Seconds ``push`` waits for the store at each step: to send each part of the graph, and for
its answer."""
CONNECT_TIMEOUT = 10.0
"""Seconds ``push`` waits at most for a connection to the store."""

QUERY_TIMEOUT = 10.0
"""Seconds ``push`` waits at most for the store's SPARQL endpoint to say whether it answers from
the graph pushed."""


@dataclass(frozen=True)
class Pushed:
    """What a push did: the HTTP status of the store's answer (a 2xx), and the store's SPARQL
    endpoint that answers from the graph pushed, when osgraph found it."""

    status: int
    query_endpoint: str | None = None


_USERINFO = re.compile(r"(?<=//)[^/?#@\s]*@")


def without_credentials(url: str) -> str:
    """``url`` (or any text with URLs in it) without the user name and password of its URLs,
    fit to print.

    Examples
    --------
    >>> without_credentials("https://admin:s3cret@store.example/data?graph=x")
    'https://store.example/data?graph=x'
    """
    return printable(_USERINFO.sub("", url))


def push_graph(
    kg: Path | str,
    endpoint: str,
    *,
    named_graph: str = DEFAULT_NAMED_GRAPH,
    user: str | None = None,
    password: str | None = None,
    digest: bool = False,
    timeout: float = DEFAULT_PUSH_TIMEOUT,
) -> Pushed:
    """Replace ``named_graph`` of the store at ``endpoint`` with the Turtle file ``kg``.

    ``endpoint`` is the store's Graph Store Protocol URL (Oxigraph: ``http://host:7878/store``;
    Fuseki: ``http://host:3030/DATASET/data``; Virtuoso: ``http://host:8890/sparql-graph-crud-auth``
    with ``digest=True``). The file is sent as it is, in one ``PUT``, streamed (a graph of any
    size takes little memory): the store parses it, and refuses it whole if it cannot. Returns
    the HTTP status of the store's answer, a 2xx, and the SPARQL endpoint beside ``endpoint``
    that answers from ``named_graph`` (asked without credentials), when there is one.

    Credentials come from ``user`` and ``password``, or from the URL (``http://user:pass@...``);
    no message shows them. osgraph waits at most ``timeout`` seconds at each step (to connect: at
    most :data:`CONNECT_TIMEOUT`), and follows no redirect: a store that answers 3xx stored
    nothing, and the message names where it points.

    Raises
    ------
    ConfigurationError
        When ``named_graph`` is not an IRI, ``endpoint`` not an http(s) URL, or ``timeout`` not
        a number of seconds above 0.
    ReadWriteError
        When ``kg`` is missing, the store cannot be reached or does not answer in time, or it
        answers anything but 2xx.
    """
    import httpx

    from osgraph._turtle import iri_problem  # compiles RFC 3987's pattern: not for --help

    kg = Path(kg)
    shown = without_credentials(endpoint)
    if not kg.is_file():
        raise ReadWriteError(
            f"{printable(str(kg))}: no such graph; build one with `osgraph build` or name it with "
            "--kg"
        )
    if not (math.isfinite(timeout) and timeout > 0):
        raise ConfigurationError(f"--timeout {timeout}: give a number of seconds above 0")
    problem = iri_problem(named_graph)
    if problem is not None:
        raise ConfigurationError(
            f"--named-graph {named_graph!r} is not an IRI (RFC 3987): {problem}"
        )
    try:
        url = httpx.URL(endpoint)
    except (httpx.InvalidURL, TypeError, ValueError) as error:
        raise ConfigurationError(
            f"--endpoint {shown!r} is not a URL: {without_credentials(str(error))}"
        ) from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"--endpoint {shown!r} is not an http(s) URL with a host")
    if user is None and (url.username or url.password):
        user, password = url.username, url.password
    auth: httpx.Auth | None = None
    secrets = [secret for secret in (password, url.password) if secret]
    if user is not None:
        auth = (
            httpx.DigestAuth(user, password or "")
            if digest
            else httpx.BasicAuth(user, password or "")
        )
        # What a store that echoes the request would show of the Authorization header.
        secrets.append(base64.b64encode(f"{user}:{password or ''}".encode()).decode())

    def clean(text: str) -> str:
        for secret in filter(None, secrets):
            text = text.replace(secret, "***")
        return one_line(_USERINFO.sub("", text))

    limits = httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT))
    try:
        with (
            kg.open("rb") as file,
            httpx.stream(
                "PUT",
                url.copy_with(username=None, password=None),
                params={"graph": named_graph},
                content=_Body(file),
                headers={"Content-Type": "text/turtle"},
                auth=auth,
                timeout=limits,
                follow_redirects=False,
                verify=tls_context(),
            ) as response,
        ):
            status = response.status_code
            answer = _start_of(response)
            location = response.headers.get("location")
            target = str(response.url.join(location)) if location else None
    except httpx.TimeoutException as error:
        waited = {
            httpx.ConnectTimeout: f"connect within {min(timeout, CONNECT_TIMEOUT):g} s",
            httpx.WriteTimeout: f"take the graph within {timeout:g} s (--timeout)",
        }.get(type(error), f"answer within {timeout:g} s (--timeout)")
        raise ReadWriteError(f"cannot push to {shown}: the store did not {waited}") from None
    except httpx.HTTPError as error:
        raise ReadWriteError(f"cannot push to {shown}: {clean(str(error))}") from None
    except OSError as error:
        raise ReadWriteError(f"cannot read {printable(str(kg))}: {error.strerror}") from None
    except Exception as error:  # the HTTP stack's own errors that httpx lets through (h11's)
        raise ReadWriteError(f"cannot push to {shown}: {clean(str(error))}") from None
    if 300 <= status < 400:
        where = f"to {clean(target)}" if target else "with no Location"
        raise ReadWriteError(
            f"{shown} answered {status}, a redirect {where}: nothing was stored; if that is the "
            "store, push to it with --endpoint"
        )
    if not 200 <= status < 300:
        raise ReadWriteError(f"{shown} refused the graph ({status}): {clean(answer)[:500]}")
    public = str(url.copy_with(username=None, password=None, query=None, fragment=None))
    return Pushed(status, _query_endpoint(public, named_graph, min(timeout, QUERY_TIMEOUT)))


def _query_endpoint(store: str, named_graph: str, timeout: float) -> str | None:
    """The SPARQL endpoint beside the Graph Store Protocol URL ``store`` that answers from
    ``named_graph``, when ``data/stores.toml`` knows the store and the endpoint says it does."""
    holds = _resources.text("queries", "endpoint", "holds-osgraph-data.rq")
    for known in tomllib.loads(_resources.text("data", "stores.toml"))["store"]:
        if not store.endswith(known["push"]):
            continue
        candidate = store.removesuffix(known["push"]) + str(known["query"])
        try:
            if RemoteEngine(candidate, named_graph, timeout).query(holds, {}).rows:
                return candidate
        except OsgraphError:  # not that store after all, or it does not answer queries here
            continue
    return None


class _Body:
    """A file's bytes as the body of a request, read from its start each time the request is
    sent (digest authentication sends it twice), with its length known (``fileno``)."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file

    def fileno(self) -> int:
        return self._file.fileno()

    def __iter__(self) -> Iterator[bytes]:
        self._file.seek(0)
        while chunk := self._file.read(1 << 20):
            yield chunk


def _start_of(response: Any, limit: int = 1 << 16) -> str:
    """The first ``limit`` bytes of an answer, as text."""
    read = bytearray()
    for chunk in response.iter_bytes():
        read += chunk
        if len(read) >= limit:
            break
    return read[:limit].decode(response.encoding or "utf-8", errors="replace")
