"""osgraph: knowledge graphs of open-source achievement lists.

The pipeline, one module per stage::

    sources   read lists (markdown tables as published, CSV) into entries
    resolve   entries → projects, institutions, countries, aligned contributions,
              against the gazetteer of data/ (gazetteer)
    build     the RDF graph, under the ontology in ontology/osgraph.ttl
    export    write graphs to files

Everything public is named here.
"""

from osgraph.build import BuildResult, Summary, build
from osgraph.errors import ConfigurationError, OsgraphError, SourceError
from osgraph.export import write_turtle
from osgraph.gazetteer import Gazetteer, load_gazetteer
from osgraph.names import name_key
from osgraph.namespaces import DEFAULT_BASE, OSG
from osgraph.resolve import align_contributions, find_unknown_names
from osgraph.sources import Entry, ListInfo, Mention, Origin, Source, bundled_list, read_source

__all__ = [
    "DEFAULT_BASE",
    "OSG",
    "BuildResult",
    "ConfigurationError",
    "Entry",
    "Gazetteer",
    "ListInfo",
    "Mention",
    "Origin",
    "OsgraphError",
    "Source",
    "SourceError",
    "Summary",
    "align_contributions",
    "build",
    "bundled_list",
    "find_unknown_names",
    "load_gazetteer",
    "name_key",
    "read_source",
    "write_turtle",
]
