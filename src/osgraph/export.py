"""Write built graphs to files in the common RDF formats, and load them into remote stores.

Files are written whole or not at all: the graph goes to a temporary file beside the target,
which then replaces the target in one rename, so an interrupted write leaves the previous file
as it was. A push to a store replaces one named graph in a single SPARQL 1.1 Graph Store
Protocol request, so a push the store refuses leaves the graph it had whole.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import IO, Any

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


EXPORT_FORMATS = ("ttl", "nt", "jsonld", "xml", "trig")


def export_graph(kg: Path | str, format: str, *, ontology: bool = False) -> bytes:
    """The built graph ``kg`` (Turtle) in ``format``: ``ttl``, ``nt`` (sorted lines), ``jsonld``
    (compacted with ``ontology/context.jsonld``), ``xml`` (RDF/XML) or ``trig`` (one named graph
    per source list, named by the list edition's IRI; what belongs to several lists, or to no
    list, stays in the default graph). ``ontology`` adds the ontology's and the domain scheme's
    triples (in TriG, as a named graph of their own).

    Raises
    ------
    OsgraphError
        When ``kg`` is missing or unreadable, or ``format`` is not one of :data:`EXPORT_FORMATS`.
    """
    from osgraph.graph import new_graph

    if format not in EXPORT_FORMATS:
        raise OsgraphError(f"--format {format!r}: choose one of {', '.join(EXPORT_FORMATS)}")
    kg = Path(kg)
    if not kg.is_file():
        raise OsgraphError(
            f"{kg}: no such graph; build one with `osgraph build` or name it with --kg"
        )
    graph = new_graph()
    try:
        graph.parse(kg, format="turtle")
    except Exception as error:  # rdflib's parsers raise many kinds of errors
        raise OsgraphError(f"{kg}: not readable as Turtle: {error}") from None
    vocabulary = _ontology_graph() if ontology else None
    if format == "trig":
        return _trig(graph, vocabulary)
    if vocabulary is not None:
        graph += vocabulary
    if format == "ttl":
        return graph.serialize(format="longturtle", encoding="utf-8")
    if format == "nt":
        lines = graph.serialize(format="nt", encoding="utf-8").splitlines(keepends=True)
        return b"".join(sorted(line for line in lines if line.strip()))
    if format == "jsonld":
        context = json.loads(_ontology_file("context.jsonld"))["@context"]
        return graph.serialize(format="json-ld", context=context, indent=1, encoding="utf-8")
    return graph.serialize(format="xml", encoding="utf-8")


def _ontology_file(name: str) -> str:
    return (resources.files("osgraph") / "ontology" / name).read_text(encoding="utf-8")


def _ontology_graph() -> Graph:
    vocabulary = Graph()
    for name in ("osgraph.ttl", "domains.ttl"):
        vocabulary.parse(data=_ontology_file(name), format="turtle")
    return vocabulary


def _trig(graph: Graph, vocabulary: Graph | None) -> bytes:
    """One named graph per list edition: its rows, and the projects and contributions that come
    from its rows alone; the rest in the default graph."""
    from rdflib import Dataset, URIRef
    from rdflib.namespace import PROV, RDF
    from rdflib.term import Node

    from osgraph.namespaces import OSG

    list_of: dict[Node, Node] = {}
    for row, edition in graph.subject_objects(OSG.inList):
        list_of[row] = edition
    for edition in graph.subjects(RDF.type, OSG.ListEdition):
        list_of[edition] = edition
    for kind in (OSG.Project, OSG.Contribution):
        for node in graph.subjects(RDF.type, kind):
            lists = {list_of.get(row) for row in graph.objects(node, PROV.wasDerivedFrom)}
            found = lists.pop() if len(lists) == 1 else None
            if found is not None:
                list_of[node] = found
    dataset = Dataset()
    for prefix, namespace in graph.namespaces():
        dataset.bind(prefix, namespace)
    for triple in graph:
        home = list_of.get(triple[0])
        target = dataset.graph(home) if isinstance(home, URIRef) else dataset.default_graph
        target.add(triple)
    if vocabulary is not None:
        ontology_graph = dataset.graph(URIRef("https://w3id.org/osgraph/ontology"))
        for triple in vocabulary:
            ontology_graph.add(triple)
    return dataset.serialize(format="trig", encoding="utf-8")


def write_file(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all (see :func:`replace_atomically`).

    Raises
    ------
    OsgraphError
        When the file or its folder cannot be written.
    """
    with replace_atomically(Path(path), binary=True) as file:
        file.write(data)
    return Path(path)


@contextmanager
def replace_atomically(path: Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """A file to write ``path`` through: a temporary file beside it (UTF-8 text, or bytes when
    ``binary``), renamed over ``path`` when the block ends, and removed if the block raises.
    Creates the folder if needed.

    Raises
    ------
    OsgraphError
        When the file or its folder cannot be written.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise OsgraphError(f"cannot write {path}: {error.strerror}") from None
    try:
        mode = "wb" if binary else "w"
        encoding = None if binary else "utf-8"
        os.close(descriptor)
        # Opened by name, so that the file's name is its path (to read it back, say).
        with Path(temporary).open(mode, buffering=1 << 20, encoding=encoding) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        # mkstemp makes the file private; a published file is readable like any other.
        Path(temporary).chmod(_READABLE_BY_ALL)
        Path(temporary).replace(path)
    except OSError as error:
        raise OsgraphError(f"cannot write {path}: {error.strerror}") from None
    finally:
        Path(temporary).unlink(missing_ok=True)


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
