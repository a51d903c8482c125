"""osgraph: knowledge graphs of open-source achievement lists.

Read lists (``_sources``), resolve their names (``_resolve``, against ``_gazetteer``,
``_countries`` and ``_ror``), build the RDF graph (``_build``, ``_statements``), validate it
(``_validate``), then export, push, query, draw and serve it. ARCHITECTURE.md names the module of
every stage. The modules are private: everything public is named here, once, in ``__all__``,
and loads on first use, so that ``import osgraph`` and the command line stay quick
(``osgraph --help`` loads no RDF library).
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from osgraph._align import align_contributions
    from osgraph._build import BuildOptions, BuildResult, Summary, build, build_file
    from osgraph._catalogue import NamedQuery, named_queries
    from osgraph._engines import open_engine
    from osgraph._errors import (
        ConfigurationError,
        EngineCrashError,
        ErrorPolicy,
        OsgraphError,
        QueryError,
        ReadWriteError,
        RefusedQueryError,
        SourceError,
        ValidationError,
    )
    from osgraph._export import export_graph, write_turtle
    from osgraph._gazetteer import Gazetteer, load_gazetteer
    from osgraph._names import name_key
    from osgraph._network import collaboration_network, write_network
    from osgraph._notices import NoticeKind
    from osgraph._ontology_page import document_ontology
    from osgraph._query import answer_query, run_query
    from osgraph._reconcile import ReconciliationService
    from osgraph._reconcile_client import ServiceCandidate, ask_service
    from osgraph._report import render_report
    from osgraph._results import QueryResult
    from osgraph._review import Unresolved, draft_gazetteer, review_names
    from osgraph._ror import RorIndex, ror_index
    from osgraph._ror_import import import_ror
    from osgraph._sources import bundled_list, read_source
    from osgraph._sources.columns import TableShape
    from osgraph._sources.entries import Entry, ListInfo, Mention, Origin, Source
    from osgraph._view import view_page
    from osgraph._vocabulary import DEFAULT_BASE, OSG

_MODULES = {
    "osgraph._ontology_page": ["document_ontology"],
    "osgraph._errors": [
        "ConfigurationError",
        "EngineCrashError",
        "ErrorPolicy",
        "OsgraphError",
        "QueryError",
        "ReadWriteError",
        "RefusedQueryError",
        "SourceError",
        "ValidationError",
    ],
    "osgraph._export": ["export_graph", "write_turtle"],
    "osgraph._gazetteer": ["Gazetteer", "load_gazetteer"],
    "osgraph._build": ["BuildOptions", "BuildResult", "Summary", "build", "build_file"],
    "osgraph._names": ["name_key"],
    "osgraph._vocabulary": ["DEFAULT_BASE", "OSG"],
    "osgraph._network": ["collaboration_network", "write_network"],
    "osgraph._notices": ["NoticeKind"],
    "osgraph._catalogue": ["NamedQuery", "named_queries"],
    "osgraph._engines": ["open_engine"],
    "osgraph._query": ["answer_query", "run_query"],
    "osgraph._results": ["QueryResult"],
    "osgraph._report": ["render_report"],
    "osgraph._align": ["align_contributions"],
    "osgraph._reconcile": ["ReconciliationService"],
    "osgraph._reconcile_client": ["ServiceCandidate", "ask_service"],
    "osgraph._review": ["Unresolved", "draft_gazetteer", "review_names"],
    "osgraph._ror": ["RorIndex", "ror_index"],
    "osgraph._ror_import": ["import_ror"],
    "osgraph._sources": ["bundled_list", "read_source"],
    "osgraph._sources.columns": ["TableShape"],
    "osgraph._sources.entries": ["Entry", "ListInfo", "Mention", "Origin", "Source"],
    "osgraph._view": ["view_page"],
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> object:
    if name in _HOME:
        value = getattr(import_module(_HOME[name]), name)
        globals()[name] = value  # found directly from now on
        return value
    raise AttributeError(f"module 'osgraph' has no attribute {name!r}")


__all__ = [
    "DEFAULT_BASE",
    "OSG",
    "BuildOptions",
    "BuildResult",
    "ConfigurationError",
    "EngineCrashError",
    "Entry",
    "ErrorPolicy",
    "Gazetteer",
    "ListInfo",
    "Mention",
    "NamedQuery",
    "NoticeKind",
    "Origin",
    "OsgraphError",
    "QueryError",
    "QueryResult",
    "ReadWriteError",
    "ReconciliationService",
    "RefusedQueryError",
    "RorIndex",
    "ServiceCandidate",
    "Source",
    "SourceError",
    "Summary",
    "TableShape",
    "Unresolved",
    "ValidationError",
    "align_contributions",
    "answer_query",
    "ask_service",
    "build",
    "build_file",
    "bundled_list",
    "collaboration_network",
    "document_ontology",
    "draft_gazetteer",
    "export_graph",
    "import_ror",
    "load_gazetteer",
    "name_key",
    "named_queries",
    "open_engine",
    "read_source",
    "render_report",
    "review_names",
    "ror_index",
    "run_query",
    "view_page",
    "write_network",
    "write_turtle",
]
