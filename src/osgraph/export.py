"""Write built graphs to files, and load them into remote triple stores.

Files are written whole or not at all: the graph goes to a temporary file beside the target,
which then replaces the target in one rename, so an interrupted write leaves the previous file
as it was. A push to a store replaces one named graph in a single SPARQL 1.1 Graph Store
Protocol request, so a push the store refuses leaves the graph it had whole.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import Graph

from osgraph.errors import OsgraphError

_READABLE_BY_ALL = 0o644


def write_turtle(graph: Graph, path: Path | str) -> Path:
    """Write ``graph`` as Turtle to ``path``, atomically, creating its folder if needed.

    The same graph always gives the same bytes: subjects, predicates and objects are written in
    sorted order, and the graph holds no blank nodes.

    Raises
    ------
    OsgraphError
        When the file or its folder cannot be written.
    """
    return write_file(path, graph.serialize(format="longturtle", encoding="utf-8"))


def write_file(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all: into a temporary file beside it, then
    renamed over it. Creates the folder if needed.

    Raises
    ------
    OsgraphError
        When the file or its folder cannot be written.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise OsgraphError(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        # mkstemp makes the file private; a published file is readable like any other.
        Path(temporary).chmod(_READABLE_BY_ALL)
        Path(temporary).replace(path)
    except OSError as error:
        raise OsgraphError(f"cannot write {path}: {error.strerror}") from None
    finally:
        Path(temporary).unlink(missing_ok=True)
    return path


DEFAULT_NAMED_GRAPH = "https://w3id.org/osgraph/id/graph"
"""The named graph ``push`` replaces unless told another."""


def push_graph(
    kg: Path | str,
    endpoint: str,
    *,
    named_graph: str = DEFAULT_NAMED_GRAPH,
    user: str | None = None,
    password: str | None = None,
    digest: bool = False,
    timeout: float = 600.0,
) -> int:
    """Replace ``named_graph`` of the store at ``endpoint`` with the Turtle file ``kg``.

    ``endpoint`` is the store's Graph Store Protocol URL (Oxigraph: ``http://host:7878/store``;
    Fuseki: ``http://host:3030/DATASET/data``; Virtuoso: ``http://host:8890/sparql-graph-crud-auth``
    with ``digest=True``). The file is sent as it is, in one ``PUT``: the store parses it, and
    refuses it whole if it cannot. Returns the HTTP status of the store's answer.

    Raises
    ------
    OsgraphError
        When ``kg`` is missing, the store cannot be reached, or it refuses the graph.
    """
    import httpx

    kg = Path(kg)
    if not kg.is_file():
        raise OsgraphError(
            f"{kg}: no such graph; build one with `osgraph build` or name it with --kg"
        )
    auth: httpx.Auth | None = None
    if user is not None:
        auth = (
            httpx.DigestAuth(user, password or "")
            if digest
            else httpx.BasicAuth(user, password or "")
        )
    try:
        with kg.open("rb") as body:
            response = httpx.put(
                endpoint,
                params={"graph": named_graph},
                content=body,
                headers={"Content-Type": "text/turtle"},
                auth=auth,
                timeout=timeout,
            )
    except httpx.HTTPError as error:
        raise OsgraphError(f"cannot push to {endpoint}: {error}") from None
    if response.status_code >= 400:
        raise OsgraphError(
            f"{endpoint} refused the graph ({response.status_code}): {response.text.strip()[:500]}"
        )
    return response.status_code
