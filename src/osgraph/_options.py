"""The options and arguments of the ``osgraph`` command: their names, help, metavars and the
defaults that are the command line's own (where it reads and writes); a default the library
has is the library's.

Each is a type for a command's parameter (``kg: KgOption = DEFAULT_KG``), shared by the
commands that take it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from osgraph._console import NOTICES_PER_KIND

if TYPE_CHECKING:
    from osgraph._sources.columns import TableShape

DEFAULT_OUT = Path("build")
"""The folder commands write into, and read the built graph from, unless told another."""
GRAPH_FILE_NAME = "osgraph.ttl"


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"osgraph {version('osgraph')}")
        raise typer.Exit()


VersionOption = Annotated[
    bool,
    typer.Option(
        "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
    ),
]

# Reading lists: build and resolve.
SourcesArgument = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Lists to read: markdown (.md) tables, CSV (.csv, .txt), TSV (.tsv) or Excel "
        "(.xlsx) files. "
        "Default: the bundled BenchCouncil Open100 2022-2023 list.",
        show_default=False,
        metavar="SOURCE",
    ),
]
GazetteerOption = Annotated[
    Path | None,
    typer.Option(
        help="Gazetteer of institutions, in the form of data/institutions.toml, added to the "
        "bundled one (an entry for a name the bundled one knows replaces its entry).",
        show_default=False,
        metavar="FILE",
    ),
]
ReplaceGazetteerOption = Annotated[
    bool,
    typer.Option(
        "--replace-gazetteer",
        help="Use the --gazetteer file instead of the bundled gazetteer, not in addition to it.",
    ),
]
ProjectsOption = Annotated[
    Path | None,
    typer.Option(
        help="What is known of projects, in the form of data/projects.toml "
        "(default: the bundled one).",
        show_default=False,
        metavar="FILE",
    ),
]
EncodingOption = Annotated[
    str | None,
    typer.Option(help="The sources' encoding, such as gb18030 (default: UTF-8).", metavar="NAME"),
]
ColumnOption = Annotated[
    list[str] | None,
    typer.Option(
        "--column",
        help="The header of a field's column, FIELD=HEADER, such as institutions=Organization "
        "(repeatable; FIELD: project, institutions, countries or homepage). Over the sidecar's "
        "[columns] and data/columns.toml.",
        show_default=False,
        metavar="FIELD=HEADER",
    ),
]
SeparatorOption = Annotated[
    str | None,
    typer.Option(
        help="What separates several institutions or countries in one cell, such as ',' "
        "(default: ; or | in CSV, TSV and Excel).",
        show_default=False,
        metavar="SEP",
    ),
]
DelimiterOption = Annotated[
    str | None,
    typer.Option(
        help="The character between the columns of .csv and .txt files: one character, or tab, "
        "comma, semicolon, pipe or space (default: guessed from the first lines).",
        show_default=False,
        metavar="CHAR",
    ),
]
BaseOption = Annotated[
    str | None,
    typer.Option(
        help="Base IRI of the graph's projects, institutions, countries, ... "
        "(default: https://w3id.org/osgraph/id/)",
        show_default=False,
        metavar="IRI",
    ),
]
ValidateOption = Annotated[
    bool,
    typer.Option(
        "--validate/--no-validate",
        help="Check the graph against osgraph's SHACL shapes before writing it.",
    ),
]
KeepStoreOption = Annotated[
    bool,
    typer.Option(
        "--store/--no-store",
        help="Leave an Oxigraph store of the graph next to it (DIR/osgraph.oxigraph), which "
        "query, serve, network, view and report open instead of loading the Turtle.",
    ),
]
LenientOption = Annotated[
    bool,
    typer.Option(
        "--lenient",
        help="Leave out the rows that cannot be read, and list them with their reasons, "
        "instead of stopping at the first.",
    ),
]
AllNoticesOption = Annotated[
    bool,
    typer.Option(
        "--all-notices",
        help=f"Print every notice, not only the first {NOTICES_PER_KIND} of each kind "
        "(rejected rows are always all printed).",
    ),
]
DraftOption = Annotated[
    Path | None,
    typer.Option(
        help="Write the unresolved institutions as gazetteer entries to FILE, each with the "
        "facts of its ROR candidate and their source, for a person to check.",
        show_default=False,
        metavar="FILE",
    ),
]
ServiceOption = Annotated[
    str | None,
    typer.Option(
        help="Also ask this reconciliation service (the Reconciliation Service API, such as "
        "another osgraph's /reconcile) for the institutions osgraph cannot resolve, and add "
        "its candidates to the list and the draft.",
        show_default=False,
        metavar="URL",
    ),
]

# Reading a built graph, or the graph an endpoint serves.
KgOption = Annotated[
    Path,
    typer.Option("--kg", help="The built graph to read (Turtle).", metavar="FILE"),
]
EndpointOption = Annotated[
    str | None,
    typer.Option(help="Read the graph from this SPARQL endpoint instead of --kg.", metavar="URL"),
]
GraphOption = Annotated[
    str | None,
    typer.Option(
        help="With --endpoint: the named graph to read (default-graph-uri).", metavar="IRI"
    ),
]
NetworkOption = Annotated[
    str,
    typer.Option(
        "--network",
        "-n",
        help="bipartite (projects and institutions), institutions (shared projects between "
        "institutions) or countries.",
    ),
]

# Writing.
OutputFileOption = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="File to write (default: standard output).", metavar="FILE"),
]
OutputFolderOption = Annotated[
    Path, typer.Option("--out", "-o", help="Folder to write report.html into.", metavar="DIR")
]
MaxNodesOption = Annotated[
    int | None,
    typer.Option(
        help="The most nodes the page shows (default 2000): of a larger network, the part that "
        "matters most, and the page says what is left out.",
        min=1,
        show_default=False,
    ),
]
ViewCountryOption = Annotated[
    str | None,
    typer.Option(
        "--country",
        help="Show only the nodes credited in this country (its English name, as the page's "
        "country filter lists it).",
        metavar="NAME",
    ),
]
HtmlFileOption = Annotated[
    Path, typer.Option("--out", "-o", help="The HTML file to write.", metavar="FILE")
]
ExportFormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="ttl, nt, jsonld, xml (RDF/XML), trig, or void (the graph's VoID description).",
    ),
]
OntologyOption = Annotated[
    bool, typer.Option("--ontology", help="Add the ontology's triples to the graph.")
]
NetworkFormatOption = Annotated[
    str,
    typer.Option("--format", "-f", help="graphml, gexf (opens in Gephi) or json (node-link)."),
]
RdfFileArgument = Annotated[
    Path,
    typer.Argument(
        help="An RDF file (Turtle, N-Triples, JSON-LD or RDF/XML, by its ending).", metavar="FILE"
    ),
]
RorDataArgument = Annotated[
    Path,
    typer.Argument(
        help="ROR's data: the official dump (a .zip holding one JSON array of schema v2 "
        "records) or JSON lines of records in schema v1 or v2 (.jsonl, .jsonl.gz).",
        show_default=False,
        metavar="FILE",
    ),
]
RorIndexOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="Index file to write (default: the bundled data/ror.tsv.gz).",
        show_default=False,
        metavar="FILE",
    ),
]

# Serving: the limits are checked where they are used, in osgraph._serve.
HostOption = Annotated[
    str, typer.Option(help="Address to listen on; other than loopback, others can reach it.")
]
PortOption = Annotated[int, typer.Option(help="Port to listen on (0: any free port).")]
QueryTimeOption = Annotated[
    float,
    typer.Option(
        "--timeout",
        help="Seconds a query may run; past them its engine is stopped and replaced (503).",
    ),
]
QueryLimitOption = Annotated[
    int | None,
    typer.Option(
        "--limit",
        help="Write at most this many rows (csv, tsv, json and xml are written as the rows "
        "come; Oxigraph stops at the limit).",
        metavar="ROWS",
    ),
]
RowLimitOption = Annotated[
    int, typer.Option(help="Rows a query may return; more are cut (X-Osgraph-Truncated).")
]
WorkersOption = Annotated[
    int,
    typer.Option(
        help="Engine processes, each with the graph loaded: queries that may run at once."
    ),
]
MemoryLimitOption = Annotated[
    int,
    typer.Option(
        help="Megabytes an engine process may use; a query past them is stopped (500).", min=64
    ),
]

# Pushing: the values are checked where they are used, in osgraph._push.
StoreOption = Annotated[
    str,
    typer.Option(
        "--endpoint",
        help="The store's SPARQL Graph Store Protocol URL, such as "
        "http://localhost:7878/store for Oxigraph.",
        metavar="URL",
    ),
]
NamedGraphOption = Annotated[str, typer.Option(help="The named graph to replace.", metavar="IRI")]
UserOption = Annotated[
    str | None,
    typer.Option(
        help="User name for the store; the password is read from $OSGRAPH_PASSWORD.",
        metavar="NAME",
    ),
]
DigestOption = Annotated[
    bool, typer.Option("--digest", help="Use HTTP digest authentication (Virtuoso).")
]
PushTimeoutOption = Annotated[
    float,
    typer.Option(
        "--timeout",
        help="Seconds to wait for the store at each step: to connect (10 at most), to take "
        "each part of the graph, to answer.",
        metavar="SECONDS",
    ),
]


def table_shape(
    column: list[str] | None, separator: str | None, delimiter: str | None
) -> TableShape | None:
    """The table shape of --column, --separator and --delimiter; a malformed one is a usage
    error (exit code 2), as the command line is wrong."""
    from osgraph._errors import ConfigurationError
    from osgraph._sources.columns import TableShape

    if not column and separator is None and delimiter is None:
        return None
    try:
        return TableShape.from_options(column or (), separator=separator, delimiter=delimiter)
    except ConfigurationError as error:
        raise typer.BadParameter(str(error)) from None
