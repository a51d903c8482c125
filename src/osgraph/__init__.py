"""osgraph: knowledge graphs of open-source achievement lists.

The pipeline, one module per stage::

    sources   read lists (markdown tables as published, CSV) into entries
    resolve   entries → projects, institutions, countries, aligned contributions,
              against the gazetteer of data/ (gazetteer)
    build     the RDF graph, under the ontology in ontology/osgraph.ttl
    export    write graphs to files, in every RDF format
    query     named SPARQL queries (queries/*.rq) on an embedded engine or an endpoint
    network   networkx collaboration graphs, made from the RDF graph by SPARQL
    view      the interactive network page; report: the one-page summary
    document  the ontology's documentation page

Everything public is named here. The output stages (query onwards) load on first use, so that
``import osgraph`` and the command line stay quick.
"""

from importlib import import_module
from typing import TYPE_CHECKING

from osgraph.build import BuildResult, Summary, build
from osgraph.errors import ConfigurationError, OsgraphError, SourceError
from osgraph.export import write_turtle
from osgraph.gazetteer import Gazetteer, load_gazetteer
from osgraph.names import name_key
from osgraph.namespaces import DEFAULT_BASE, OSG
from osgraph.resolve import align_contributions, find_unknown_names
from osgraph.sources import Entry, ListInfo, Mention, Origin, Source, bundled_list, read_source

if TYPE_CHECKING:
    from osgraph.document import document_ontology
    from osgraph.export import export_graph
    from osgraph.network import collaboration_network, write_network
    from osgraph.query import (
        NamedQuery,
        QueryError,
        QueryResult,
        named_queries,
        open_engine,
        run_query,
    )
    from osgraph.report import render_report
    from osgraph.view import view_page

_LOADED_ON_USE = {
    "document_ontology": "osgraph.document",
    "export_graph": "osgraph.export",
    "collaboration_network": "osgraph.network",
    "write_network": "osgraph.network",
    "NamedQuery": "osgraph.query",
    "QueryError": "osgraph.query",
    "QueryResult": "osgraph.query",
    "named_queries": "osgraph.query",
    "open_engine": "osgraph.query",
    "run_query": "osgraph.query",
    "render_report": "osgraph.report",
    "view_page": "osgraph.view",
}


def __getattr__(name: str) -> object:
    if name in _LOADED_ON_USE:
        return getattr(import_module(_LOADED_ON_USE[name]), name)
    raise AttributeError(f"module 'osgraph' has no attribute {name!r}")


__all__ = [
    "DEFAULT_BASE",
    "OSG",
    "BuildResult",
    "ConfigurationError",
    "Entry",
    "Gazetteer",
    "ListInfo",
    "Mention",
    "NamedQuery",
    "Origin",
    "OsgraphError",
    "QueryError",
    "QueryResult",
    "Source",
    "SourceError",
    "Summary",
    "align_contributions",
    "build",
    "bundled_list",
    "collaboration_network",
    "document_ontology",
    "export_graph",
    "find_unknown_names",
    "load_gazetteer",
    "name_key",
    "named_queries",
    "open_engine",
    "read_source",
    "render_report",
    "run_query",
    "view_page",
    "write_network",
    "write_turtle",
]
