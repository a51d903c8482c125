"""A VoID description of a built graph ("Describing Linked Datasets with the VoID Vocabulary",
https://www.w3.org/TR/void/): its size, its classes and properties, the lists it was built from,
and its links to Wikidata and ROR as linksets.

What every description says is ``templates/void.ttl``; what depends on the graph is counted by
the queries of ``queries/void/``, on whatever answers them: the embedded engine for
``osgraph export --format void``, the endpoint's engine processes for ``osgraph serve``. The
description's IRIs are relative to the description itself (``<#dataset>``) until
:func:`placed` puts it at an address; written as Turtle, the same graph gives the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from rdflib import DCTERMS, RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT
from rdflib.plugins.serializers.longturtle import LongTurtleSerializer
from rdflib.term import Identifier, Node

from osgraph import _resources
from osgraph._catalogue import with_values
from osgraph._errors import QueryError
from osgraph._results import QueryResult
from osgraph._vocabulary import new_graph

VOID = Namespace("http://rdfs.org/ns/void#")
Ask = Callable[[str], QueryResult]
"""Runs a query on the graph described and returns its answer."""
_HERE = "https://osgraph.invalid/void"
"""The description's own IRI while it is made: never written (``.invalid`` names no host)."""
DATASET = URIRef("#dataset")
"""The described graph, relative to the description."""


def void_graph(ask: Ask) -> Graph:
    """The VoID description of the graph ``ask`` queries, its IRIs relative to itself.

    Raises
    ------
    QueryError
        When a query fails.

    Examples
    --------
    >>> from osgraph._query import choose_engine, run_query
    >>> project = "<https://w3id.org/osgraph/id/project/x> a <https://w3id.org/osgraph/ontology#Project>"
    >>> graph = Graph().parse(data=project + " .", format="turtle")
    >>> engine = choose_engine(graph, engine="oxigraph")
    >>> void = void_graph(lambda text: run_query(engine, text))
    >>> int(void.value(DATASET, VOID.triples)), str(void.value(DATASET, VOID.uriSpace))
    (1, 'https://w3id.org/osgraph/')
    """
    graph = new_graph()
    graph.parse(data=_resources.text("templates", "void.ttl"), format="turtle", publicID=_HERE)
    graph.bind("void", VOID)
    dataset = URIRef(_HERE + DATASET)
    sizes = ask(_query("dataset"))
    for name, value in zip(sizes.variables, _one_row(sizes), strict=True):
        if value is not None:
            graph.add((dataset, VOID[name], value))
    fragments: set[str] = set()
    vocabularies: set[str] = set()
    for kind, link, query in (
        ("class", "classPartition", "classes"),
        ("property", "propertyPartition", "properties"),
    ):
        for term, count in ask(_query(query)).rows:
            if not isinstance(term, URIRef) or count is None:
                continue
            part = URIRef(f"{_HERE}#{_fragment(kind, term, fragments)}")
            graph.add((dataset, VOID[link], part))
            graph.add((part, VOID[kind], term))
            graph.add((part, VOID.entities if kind == "class" else VOID.triples, count))
            vocabularies.add(_namespace(term))
    for vocabulary in vocabularies - {""}:
        graph.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    _add_lists(graph, ask, dataset)
    _add_linksets(graph, ask, dataset, fragments)
    space = graph.value(dataset, VOID.uriSpace)
    if isinstance(space, Literal):
        (outside,) = _one_row(ask(with_values(_query("outside"), {"space": space})))
        if outside is None or int(outside) > 0:
            graph.remove((dataset, VOID.uriSpace, None))
    return placed(graph, "")


def _add_lists(graph: Graph, ask: Ask, dataset: URIRef) -> None:
    """The list editions the graph was built from, as the datasets it is derived from."""
    lists = ask(_query("lists")).graph
    if lists is None:
        raise QueryError("the query of the lists answered no graph")
    graph += lists
    for edition in lists.subjects(RDF.type, DCAT.Dataset):
        graph.add((dataset, DCTERMS.source, edition))


def _add_linksets(graph: Graph, ask: Ask, dataset: URIRef, fragments: set[str]) -> None:
    """A linkset for each property that links the graph's things into another dataset's URI
    space, with how many triples it holds."""
    targets = sorted(
        (target, space)
        for target, space in graph.subject_objects(VOID.uriSpace)
        if target != dataset and isinstance(target, URIRef) and isinstance(space, Literal)
    )
    for target, space in targets:
        name = target.rpartition("#")[2]
        for predicate, count in ask(with_values(_query("links"), {"space": space})).rows:
            if not isinstance(predicate, URIRef) or count is None:
                continue
            linkset = URIRef(f"{_HERE}#{_fragment(f'links-{name}', predicate, fragments)}")
            graph.add((dataset, VOID.subset, linkset))
            graph.add((linkset, RDF.type, VOID.Linkset))
            graph.add((linkset, VOID.subjectsTarget, dataset))
            graph.add((linkset, VOID.objectsTarget, target))
            graph.add((linkset, VOID.linkPredicate, predicate))
            graph.add((linkset, VOID.triples, count))


def placed(graph: Graph, document: str, endpoint: str | None = None) -> Graph:
    """``graph`` with its IRIs made relative to ``document`` (relative to itself when empty),
    and ``endpoint`` as its dataset's SPARQL endpoint when given.

    Examples
    --------
    >>> description = Graph().add((DATASET, VOID.triples, Literal(3)))
    >>> served = placed(description, "http://127.0.0.1:7878/.well-known/void")
    >>> str(next(iter(served))[0])
    'http://127.0.0.1:7878/.well-known/void#dataset'
    """
    moved = Graph(bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        moved.bind(prefix, namespace)
    for triple in graph:
        moved.add(tuple(_moved(term, document) for term in triple))  # type: ignore[arg-type]
    if document:  # its parts written :dataset, :class-Project, not whole
        moved.bind("", Namespace(document + "#"))
    if endpoint is not None:
        moved.add((URIRef(document + DATASET), VOID.sparqlEndpoint, URIRef(endpoint)))
    return moved


def _moved(term: Node, document: str) -> Node:
    if not isinstance(term, URIRef):
        return term
    text = str(term)
    for origin in (_HERE, ""):
        if text == origin or text.startswith(origin + "#"):
            return URIRef(document + text[len(origin) :])
    return term


DESCRIPTION_TYPES = ("text/turtle", "application/n-triples")
"""The media types a description is written in, the first the default."""


def write_description(
    graph: Graph,
    media_type: str = "text/turtle",
    first: Sequence[URIRef] = (VOID.DatasetDescription, VOID.Dataset, VOID.Linkset),
) -> bytes:
    """``graph`` in ``media_type``: Turtle, the things of the classes ``first`` first (the
    described dataset before its parts), or N-Triples (which holds no relative IRI) in sorted
    lines. The same graph gives the same bytes."""
    if media_type == "application/n-triples":
        lines = graph.serialize(format="nt", encoding="utf-8").splitlines(keepends=True)
        return b"".join(sorted(line for line in lines if line.strip()))
    serializer = LongTurtleSerializer(graph)  # type: ignore[no-untyped-call]
    serializer.topClasses = list(first)
    written = io.BytesIO()
    serializer.serialize(written, encoding="utf-8")
    return written.getvalue()


def void_description(kg: Path | str) -> bytes:
    """The VoID description of the built graph ``kg``, as Turtle whose IRIs are relative to
    the file it is written to.

    Raises
    ------
    ReadWriteError
        When ``kg`` is missing.
    QueryError
        When ``kg`` cannot be read, or a query fails on it.
    """
    from osgraph._query import choose_engine, run_query

    engine = choose_engine(kg, engine="oxigraph")  # counts over the whole graph: the fast one
    return write_description(void_graph(lambda text: run_query(engine, text)))


def _query(name: str) -> str:
    return _resources.text("queries", "void", f"{name}.rq")


def _one_row(result: QueryResult) -> tuple[Identifier | None, ...]:
    if len(result.rows) != 1:
        raise QueryError(f"a VoID count answered {len(result.rows)} rows, not one")
    return result.rows[0]


def _namespace(iri: str) -> str:
    """The vocabulary ``iri`` is a term of: the IRI up to its last ``#`` or ``/``."""
    return iri[: max(iri.rfind("#"), iri.rfind("/")) + 1]


_NOT_FRAGMENT = re.compile(r"[^A-Za-z0-9_-]")


def _fragment(kind: str, term: str, used: set[str]) -> str:
    """A fragment for the part of the description about ``term``: its kind and local name,
    numbered when another part took it."""
    local = _NOT_FRAGMENT.sub("", term[len(_namespace(term)) :])[:60]
    fragment = f"{kind}-{local}" if local else kind
    number = 1
    while fragment in used:
        number += 1
        fragment = f"{kind}-{local}-{number}"
    used.add(fragment)
    return fragment
