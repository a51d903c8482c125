"""The SPARQL 1.1 Service Description of ``osgraph serve``
(https://www.w3.org/TR/sparql11-service-description/): the endpoint, the language it answers,
the result formats it writes and the default dataset it queries.

What it says whatever the graph is ``templates/service.ttl``; the result formats are the
endpoint's own tables (:mod:`osgraph._engine_process`), so the description names exactly the
formats the endpoint answers in.
"""

from __future__ import annotations

from rdflib import RDF, Graph, Literal, Namespace, URIRef

from osgraph import _resources
from osgraph._engine_process import FORMAT_TYPES, GRAPH_TYPES
from osgraph._void import VOID

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
FIRST = (SD.Service, SD.Dataset, SD.Graph)
"""The classes whose things a written description starts with."""


def result_media_types() -> list[str]:
    """The media types the endpoint answers queries in: results, then graphs.

    Examples
    --------
    >>> result_media_types()[:2]
    ['application/sparql-results+json', 'application/sparql-results+xml']
    """
    results = [media_type.split(";")[0].strip() for media_type in FORMAT_TYPES.values()]
    return [*results, *GRAPH_TYPES]


def service_description(endpoint: str, default_graph: URIRef, triples: Literal) -> Graph:
    """The description of the endpoint at ``endpoint``, whose default graph is
    ``default_graph`` (the dataset of its VoID description) of ``triples`` triples.

    Examples
    --------
    >>> here = "http://127.0.0.1:7878/sparql"
    >>> void = URIRef("http://127.0.0.1:7878/.well-known/void#dataset")
    >>> description = service_description(here, void, Literal(3))
    >>> description.value(predicate=SD.endpoint, object=URIRef(here)) is not None
    True
    """
    graph = Graph(bind_namespaces="none")
    graph.parse(
        data=_resources.text("templates", "service.ttl"), format="turtle", publicID=endpoint
    )
    for prefix, namespace in (("formats", FORMATS), ("sd", SD), ("void", VOID)):
        graph.bind(prefix, namespace)
    service = URIRef(endpoint + "#service")
    written = set(result_media_types())
    for format, media_type in sorted(graph.subject_objects(FORMATS.media_type)):
        graph.remove((format, FORMATS.media_type, media_type))  # a table, not a statement
        if str(media_type) in written:
            graph.add((service, SD.resultFormat, format))
    dataset = URIRef(endpoint + "#dataset")
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((default_graph, VOID.triples, triples))
    return graph
