"""The ``osgraph`` command: a thin layer over the library, one library call per command.

Exit codes:

- 0: done;
- 1: osgraph refused the input or could not write the output; the message says where and why;
- 2: the command line itself is wrong (unknown option, missing argument).
"""

from __future__ import annotations

import errno
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from osgraph._build import Progress, Summary
    from osgraph._sources import TableShape

EXIT_INPUT_ERROR = 1

app = typer.Typer(
    name="osgraph",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DEFAULT_OUT = Path("build")

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
ProjectsOption = Annotated[
    Path | None,
    typer.Option(
        help="What is known of projects, in the form of data/projects.toml "
        "(default: the bundled one).",
        show_default=False,
        metavar="FILE",
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
GRAPH_FILE_NAME = "osgraph.ttl"
NOTICES_PER_KIND = 10


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"osgraph {version('osgraph')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Build RDF knowledge graphs of open-source achievement lists: which institutions, in which
    countries, build the projects that matter, and who builds them together.

    Start with `osgraph build`, which reads the bundled BenchCouncil Open100 2022-2023 list.
    """


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn osgraph's errors into a message on standard error and the error's exit code."""
    from osgraph._errors import OsgraphError

    try:
        yield
    except OsgraphError as error:
        typer.echo(f"osgraph: error: {error}", err=True)
        raise typer.Exit(error.exit_code) from None


def _table_shape(
    column: list[str] | None, separator: str | None, delimiter: str | None
) -> TableShape | None:
    """The table shape of --column, --separator and --delimiter; a malformed one is a usage
    error (exit code 2), as the command line is wrong."""
    from osgraph._errors import ConfigurationError
    from osgraph._sources import TableShape

    if not column and separator is None and delimiter is None:
        return None
    try:
        return TableShape.from_options(column or (), separator=separator, delimiter=delimiter)
    except ConfigurationError as error:
        raise typer.BadParameter(str(error)) from None


def _write_output(data: bytes | str, out: Path | None) -> None:
    """Write ``data`` to the file ``out`` and say so, or to standard output when there is none
    (text in standard output's encoding, a character it cannot hold written as ``?``).

    Standard output that takes no more (a full disk, ``> /dev/full``, a closed descriptor) is
    an error: a message and exit code 1. A pipe whose reader has gone (``| head -1``) ends the
    command quietly, as it ends other Unix tools, with exit code 1 for the output it could not
    write.
    """
    import os

    from osgraph._atomic import write_file

    if out is not None:
        with _user_errors():
            write_file(out, data.encode("utf-8") if isinstance(data, str) else data)
        data = f"Wrote {out}.\n"

    def discard_standard_output() -> None:
        # What is still buffered would fail again as Python exits: let it go nowhere.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):  # not a real file (tests), or gone
            pass

    stream = sys.stdout
    try:
        if stream is None:
            raise OSError(errno.EBADF, "it is closed")
        stream.flush()
        buffer = getattr(stream, "buffer", None)
        if buffer is None:
            stream.write(data if isinstance(data, str) else data.decode("utf-8", "replace"))
            stream.flush()
            return
        if isinstance(data, str):
            data = data.encode(stream.encoding or "utf-8", errors="replace")
        buffer.write(data)
        buffer.flush()
    except BrokenPipeError:
        discard_standard_output()
        raise typer.Exit(EXIT_INPUT_ERROR) from None
    except OSError as error:
        discard_standard_output()
        reason = error.strerror or str(error)
        typer.echo(f"osgraph: error: cannot write to standard output: {reason}", err=True)
        raise typer.Exit(EXIT_INPUT_ERROR) from None


@app.command()
def build(
    sources: SourcesArgument = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write osgraph.ttl into.", metavar="DIR")
    ] = DEFAULT_OUT,
    base: Annotated[
        str | None,
        typer.Option(
            help="Base IRI of the graph's projects, institutions, countries, ... "
            "(default: https://w3id.org/osgraph/id/)",
            show_default=False,
            metavar="IRI",
        ),
    ] = None,
    gazetteer: GazetteerOption = None,
    replace_gazetteer: ReplaceGazetteerOption = False,
    projects: ProjectsOption = None,
    validate: Annotated[
        bool,
        typer.Option(
            "--validate/--no-validate",
            help="Check the graph against osgraph's SHACL shapes before writing it.",
        ),
    ] = True,
    encoding: EncodingOption = None,
    column: ColumnOption = None,
    separator: SeparatorOption = None,
    delimiter: DelimiterOption = None,
    lenient: Annotated[
        bool,
        typer.Option(
            "--lenient",
            help="Leave out the rows that cannot be read, and list them with their reasons, "
            "instead of stopping at the first.",
        ),
    ] = False,
    all_notices: Annotated[
        bool,
        typer.Option(
            "--all-notices",
            help=f"Print every notice, not only the first {NOTICES_PER_KIND} of each kind "
            "(rejected rows are always all printed).",
        ),
    ] = False,
) -> None:
    """Read lists and write their knowledge graph as Turtle to DIR/osgraph.ttl.

    Prints what was read and built, how long each stage took, and the notices: rows listed
    twice and merged, rows whose institutions and countries do not line up, institutions the
    gazetteer does not know. A progress bar shows on a terminal while a build takes a while.
    """
    from osgraph._build import build_file
    from osgraph._vocabulary import DEFAULT_BASE

    written = out / GRAPH_FILE_NAME
    shape = _table_shape(column, separator, delimiter)
    with _user_errors(), _progress_bar() as progress:
        summary = build_file(
            sources,
            written,
            base=base or DEFAULT_BASE,
            gazetteer=gazetteer,
            replace_gazetteer=replace_gazetteer,
            projects=projects,
            validate=validate,
            encoding=encoding,
            lenient=lenient,
            progress=progress,
            shape=shape,
        )
    _print_summary(summary, written, all_notices=all_notices)


@app.command()
def export(
    format: Annotated[
        str, typer.Option("--format", "-f", help="ttl, nt, jsonld, xml (RDF/XML) or trig.")
    ],
    kg: KgOption = DEFAULT_OUT / GRAPH_FILE_NAME,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="File to write (default: standard output).", metavar="FILE"
        ),
    ] = None,
    ontology: Annotated[
        bool, typer.Option("--ontology", help="Add the ontology's triples to the graph.")
    ] = False,
) -> None:
    """Write the built graph in another RDF format: N-Triples, JSON-LD (with osgraph's context),
    RDF/XML, or TriG with one named graph per source list."""
    from osgraph._export import export_graph

    with _user_errors():
        data = export_graph(kg, format, ontology=ontology)
    _write_output(data, out)


@app.command()
def report(
    kg: KgOption = DEFAULT_OUT / GRAPH_FILE_NAME,
    endpoint: EndpointOption = None,
    graph: GraphOption = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write report.html into.", metavar="DIR")
    ] = DEFAULT_OUT,
) -> None:
    """Write a one-page HTML summary of the graph: counts, projects per country and per domain,
    top institutions, collaborations, and the names osgraph could not resolve."""
    from osgraph._engines import quiet_engines
    from osgraph._query import choose_engine
    from osgraph._report import render_report

    with _user_errors(), quiet_engines():
        engine = choose_engine(kg, endpoint=endpoint, graph=graph)
        page = render_report(engine, endpoint or str(kg))
    _write_output(page, out / "report.html")


@app.command()
def document(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The HTML file to write.", metavar="FILE")
    ] = DEFAULT_OUT / "ontology.html",
) -> None:
    """Write the ontology's documentation (its classes and properties, from
    ontology/osgraph.ttl) as one HTML page."""
    from osgraph._atomic import write_file
    from osgraph._ontology_page import document_ontology

    with _user_errors():
        written = write_file(out, document_ontology())
    typer.echo(f"Wrote {written}.")


@app.command()
def validate(
    file: Annotated[
        Path,
        typer.Argument(
            help="An RDF file (Turtle, N-Triples, JSON-LD or RDF/XML, by its ending).",
            metavar="FILE",
        ),
    ],
) -> None:
    """Check a graph against osgraph's SHACL shapes (ontology/shapes.ttl).

    Exits 0 when it conforms (warnings allowed) and 1 when it violates them.
    """
    from osgraph._validate import validate_file

    with _user_errors():
        report = validate_file(file)
    typer.echo(report.describe())
    if not report.conforms:
        raise typer.Exit(EXIT_INPUT_ERROR)


gazetteer_app = typer.Typer(
    no_args_is_help=True,
    help="Manage what osgraph knows of institutions: the curated gazetteer and the ROR index.",
)
app.add_typer(gazetteer_app, name="gazetteer")


@gazetteer_app.command("import-ror")
def import_ror(
    source: Annotated[
        Path,
        typer.Argument(
            help="ROR's data: the official dump (a .zip holding one JSON array of schema v2 "
            "records) or JSON lines of records in schema v1 or v2 (.jsonl, .jsonl.gz).",
            show_default=False,
            metavar="FILE",
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Index file to write (default: the bundled data/ror.tsv.gz).",
            show_default=False,
            metavar="FILE",
        ),
    ] = None,
) -> None:
    """Rebuild the ROR index that institutions are looked up in after the gazetteer.

    Keeps, of every record that is not withdrawn, what osgraph uses: id, status, country,
    types, Wikidata id, parent, website, and every name, label, alias and acronym.
    """
    from osgraph._ror import bundled_index_path, import_ror

    with _user_errors():
        summary = import_ror(source, out)
    typer.echo(
        f"Read {summary.read} ROR records (release {summary.release}); wrote {summary.written} "
        f"to {out or bundled_index_path()} ({summary.withdrawn} withdrawn left out)."
    )


@app.command()
def resolve(
    sources: SourcesArgument = None,
    gazetteer: GazetteerOption = None,
    replace_gazetteer: ReplaceGazetteerOption = False,
    encoding: EncodingOption = None,
    column: ColumnOption = None,
    separator: SeparatorOption = None,
    delimiter: DelimiterOption = None,
    draft: Annotated[
        Path | None,
        typer.Option(
            help="Write the unresolved institutions as gazetteer entries to FILE, each with the "
            "facts of its ROR candidate and their source, for a person to check.",
            show_default=False,
            metavar="FILE",
        ),
    ] = None,
) -> None:
    """List the institutions and countries of lists that osgraph cannot resolve.

    An institution resolves through the gazetteer, then ROR (with the countries its rows give
    it as evidence). For each name that does not, or that several ROR records may be, prints
    where it was met, the countries its rows give it, and the closest candidates from the
    gazetteer and from ROR (ROR id, country, type, similarity). Exits 1 when a name does not
    resolve, 0 when all do.
    """
    from osgraph._review import review_and_draft

    shape = _table_shape(column, separator, delimiter)
    with _user_errors():
        rows, unresolved = review_and_draft(
            sources,
            gazetteer=gazetteer,
            replace_gazetteer=replace_gazetteer,
            encoding=encoding,
            shape=shape,
            draft=draft,
        )
    if not unresolved:
        typer.echo(f"Every institution and country of the {rows} rows read resolves.")
        return
    names = "1 name" if len(unresolved) == 1 else f"{len(unresolved)} names"
    verb = "does" if len(unresolved) == 1 else "do"
    typer.echo(f"{names} of the {rows} rows read {verb} not resolve:")
    for name in unresolved:
        where = ", ".join(str(origin) for origin in name.origins[:_ORIGINS_SHOWN])
        if len(name.origins) > _ORIGINS_SHOWN:
            where += f" and {len(name.origins) - _ORIGINS_SHOWN} more"
        state = "not confirmed by ROR" if name.ambiguous else "unknown"
        countries = f"; rows say {', '.join(name.countries)}" if name.countries else ""
        typer.echo(f"  {name.kind} {name.name!r}: {state} ({where}{countries})")
        for candidate in name.candidates:
            typer.echo(f"      {candidate}")
    if draft is not None:
        typer.echo(f"Wrote drafts of gazetteer entries to {draft}.")
    raise typer.Exit(EXIT_INPUT_ERROR)


_ORIGINS_SHOWN = 5


KgOption = Annotated[
    Path,
    typer.Option("--kg", help="The built graph to read (Turtle).", metavar="FILE"),
]


@app.command()
def queries() -> None:
    """List the named queries, with what each answers and its parameters."""
    from osgraph._catalogue import named_queries

    lines = []
    for query in named_queries().values():
        lines.append(query.name)
        lines.append(f"    {query.description}")
        for name, help_text in query.parameters.items():
            lines.append(f"    --param {name}=...  {help_text}")
        if query.needs:
            lines.append(f"    (needs {' or '.join(query.needs)})")
    _write_output("".join(f"{line}\n" for line in lines), None)


@app.command()
def query(
    spec: Annotated[
        str,
        typer.Argument(
            help="A named query (see `osgraph queries`), a .rq file, or - for standard input.",
            metavar="NAME|FILE.rq|-",
        ),
    ],
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="A parameter, name=value (repeatable). <...> is an absolute IRI, anything else "
            "text.",
            metavar="NAME=VALUE",
        ),
    ] = None,
    format: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="table, or a SPARQL 1.1 results format: csv, tsv, json, xml."
        ),
    ] = "table",
    kg: KgOption = DEFAULT_OUT / GRAPH_FILE_NAME,
    endpoint: Annotated[
        str | None,
        typer.Option(help="Ask this SPARQL endpoint instead of the built graph.", metavar="URL"),
    ] = None,
    graph: Annotated[
        str | None,
        typer.Option(
            help="With --endpoint: the named graph to query (default-graph-uri).", metavar="IRI"
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            help="Embedded engine: auto (rdflib for small graphs, Oxigraph for large), "
            "rdflib or oxigraph."
        ),
    ] = "auto",
    store_dir: Annotated[
        Path | None,
        typer.Option(
            help="Keep an Oxigraph store of the graph in this folder (new, empty, or one osgraph "
            "made), loaded again only when the graph changes.",
            metavar="DIR",
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            help="Seconds to wait for --endpoint (to connect, and for its whole answer) and, "
            "with --allow-service, for the query and the hosts it asks.",
            metavar="SECONDS",
        ),
    ] = 60.0,
    allow_service: Annotated[
        bool,
        typer.Option(
            "--allow-service",
            help="Run SERVICE clauses, which make the engine send the query's parts to the "
            "hosts they name (refused without it).",
        ),
    ] = False,
) -> None:
    """Run a SPARQL query on the built graph, or on a remote endpoint, and print its answer.

    An ASK answer is a boolean in JSON and XML, and a column `boolean` (true or false) in CSV
    and TSV.
    """
    from osgraph._query import answer_query

    with _user_errors():
        answer = answer_query(
            spec,
            kg,
            parameters=param or [],
            format=format,
            endpoint=endpoint,
            graph=graph,
            engine=engine,
            store_dir=store_dir,
            timeout=timeout,
            allow_service=allow_service,
        )
    _write_output(answer, None)


@app.command()
def serve(
    kg: KgOption = DEFAULT_OUT / GRAPH_FILE_NAME,
    host: Annotated[
        str, typer.Option(help="Address to listen on; other than loopback, others can reach it.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(help="Port to listen on (0: any free port).", min=0, max=65535)
    ] = 7878,
    timeout: Annotated[
        float,
        typer.Option(
            help="Seconds a query may run; past them its engine is stopped and replaced (503).",
            min=0.001,
        ),
    ] = 30.0,
    row_limit: Annotated[
        int,
        typer.Option(help="Rows a query may return; more are cut (X-Osgraph-Truncated).", min=0),
    ] = 10_000,
    workers: Annotated[
        int,
        typer.Option(
            help="Engine processes, each with the graph loaded: queries that may run at once.",
            min=1,
        ),
    ] = 2,
    memory_limit: Annotated[
        int,
        typer.Option(
            help="Megabytes an engine process may use; a query past them is stopped (500).",
            min=64,
        ),
    ] = 4096,
) -> None:
    """Serve the built graph as a read-only SPARQL 1.1 endpoint (/sparql) with a query page (/).

    Queries run in engine processes of their own, within the time, row and memory limits; a
    query that crashes or outruns its engine gets an error and a fresh engine, and the endpoint
    goes on. Stop it with Ctrl-C.
    """
    from osgraph._serve import serve as serve_graph

    with _user_errors():
        serve_graph(
            kg,
            host=host,
            port=port,
            timeout=timeout,
            row_limit=row_limit,
            workers=workers,
            memory_limit=memory_limit * 2**20,
            announce=typer.echo,
        )


@app.command()
def push(
    endpoint: Annotated[
        str,
        typer.Option(
            help="The store's SPARQL Graph Store Protocol URL, such as "
            "http://localhost:7878/store for Oxigraph.",
            metavar="URL",
        ),
    ],
    kg: KgOption = DEFAULT_OUT / GRAPH_FILE_NAME,
    named_graph: Annotated[
        str,
        typer.Option(help="The named graph to replace.", metavar="IRI"),
    ] = "https://w3id.org/osgraph/id/graph",
    user: Annotated[
        str | None,
        typer.Option(
            help="User name for the store; the password is read from $OSGRAPH_PASSWORD.",
            metavar="NAME",
        ),
    ] = None,
    digest: Annotated[
        bool, typer.Option("--digest", help="Use HTTP digest authentication (Virtuoso).")
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(
            help="Seconds to wait for the store at each step: to connect (10 at most), to take "
            "each part of the graph, to answer.",
            metavar="SECONDS",
        ),
    ] = 120.0,
) -> None:
    """Load the built graph into a remote triple store, replacing one named graph in a single
    request: a push the store refuses leaves its graph whole. Only a 2xx answer is success (a
    redirect stored nothing); credentials are never printed."""
    import math
    import os

    from osgraph._messages import printable
    from osgraph._push import push_graph, without_credentials

    if not (math.isfinite(timeout) and timeout > 0):
        raise typer.BadParameter("give a number of seconds above 0", param_hint="'--timeout'")
    with _user_errors():
        status = push_graph(
            kg,
            endpoint,
            named_graph=named_graph,
            user=user,
            password=os.environ.get("OSGRAPH_PASSWORD"),
            digest=digest,
            timeout=timeout,
        )
    typer.echo(
        f"Pushed {printable(str(kg))} to {without_credentials(endpoint)} as "
        f"<{printable(named_graph)}> ({status})."
    )


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


@app.command()
def network(
    kg: KgOption = DEFAULT_OUT / GRAPH_FILE_NAME,
    endpoint: EndpointOption = None,
    graph: GraphOption = None,
    kind: NetworkOption = "bipartite",
    format: Annotated[
        str,
        typer.Option("--format", "-f", help="graphml, gexf (opens in Gephi) or json (node-link)."),
    ] = "graphml",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="File to write (default: standard output).", metavar="FILE"
        ),
    ] = None,
) -> None:
    """Write a collaboration network, with its measures (degree, betweenness, components,
    communities), for network tools such as Gephi."""
    from osgraph._engines import quiet_engines
    from osgraph._errors import QueryError
    from osgraph._network import FORMATS, collaboration_network, write_network
    from osgraph._query import choose_engine

    with _user_errors(), quiet_engines():
        if format not in FORMATS:
            raise QueryError(f"--format {format!r}: choose one of {', '.join(FORMATS)}")
        engine = choose_engine(kg, endpoint=endpoint, graph=graph)
        data = write_network(collaboration_network(engine, kind), format)  # type: ignore[arg-type]
    _write_output(data, out)


@app.command()
def view(
    kg: KgOption = DEFAULT_OUT / GRAPH_FILE_NAME,
    endpoint: EndpointOption = None,
    graph: GraphOption = None,
    kind: NetworkOption = "bipartite",
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The HTML file to write.", metavar="FILE")
    ] = DEFAULT_OUT / "osgraph.html",
) -> None:
    """Write the interactive view of a collaboration network: one HTML file that works offline,
    with search, filters by country and kind, colours by country or community, and facts on
    click."""
    from osgraph._atomic import write_file
    from osgraph._engines import quiet_engines
    from osgraph._network import collaboration_network
    from osgraph._query import choose_engine
    from osgraph._view import view_page

    with _user_errors(), quiet_engines():
        engine = choose_engine(kg, endpoint=endpoint, graph=graph)
        network = collaboration_network(engine, kind, betweenness=False)  # type: ignore[arg-type]
        write_file(out, view_page(network, kind, endpoint or str(kg)))
    nodes, edges = network.number_of_nodes(), network.number_of_edges()
    _write_output(f"Wrote {out}: {nodes} nodes, {edges} edges.\n", None)


def _print_summary(summary: Summary, written: Path, *, all_notices: bool = False) -> None:
    # Names, ids and paths come from the data: what a terminal would act on (ESC [ ..., other
    # control and format characters) is printed escaped, as errors print names with !r.
    from osgraph._messages import printable

    lists = printable(", ".join(summary.lists))
    plural = "list" if len(summary.lists) == 1 else "lists"
    rows = "1 row" if summary.rows_read == 1 else f"{summary.rows_read} rows"
    typer.echo(f"Read {rows} from {len(summary.lists)} {plural} ({lists}).")
    if summary.rows_rejected:
        kept = summary.rows_read - summary.rows_rejected
        typer.echo(f"  {kept} are in the graph; {summary.rows_rejected} were rejected (see below).")
    typer.echo(f"Wrote {printable(str(written))} ({summary.triples} triples):")
    counts = {
        "projects": summary.projects,
        "institutions": summary.institutions,
        "countries": summary.countries,
        "contributions": summary.contributions,
        "unaligned rows": summary.unaligned_rows,
    }
    for label, count in counts.items():
        typer.echo(f"  {label:<15}{count:>6}")
    sources = dict(summary.institution_sources)
    if sources:
        typer.echo(
            f"Institutions resolved: {sources.get('gazetteer', 0)} by the gazetteer, "
            f"{sources.get('ROR', 0)} by ROR, {sources.get('', 0)} by neither."
        )
    stages = ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in summary.seconds)
    total = sum(seconds for _, seconds in summary.seconds)
    typer.echo(f"Took {total:.1f} s ({stages}).")
    if summary.notices:
        typer.echo(f"{len(summary.notices)} notices:")
        shown: Counter[str] = Counter()
        for notice in summary.notices:
            shown[notice.kind] += 1
            if all_notices or notice.kind == "rejected" or shown[notice.kind] <= NOTICES_PER_KIND:
                typer.echo(f"  - {printable(str(notice))}")
        for kind, count in shown.items():
            if not all_notices and kind != "rejected" and count > NOTICES_PER_KIND:
                typer.echo(
                    f"  ... and {count - NOTICES_PER_KIND} more {printable(kind)} notices "
                    "(--all-notices prints them)"
                )


@contextmanager
def _progress_bar() -> Iterator[Progress | None]:
    """A progress bar for a build, on standard error when it is a terminal; else nothing."""
    from rich.console import Console
    from rich.progress import BarColumn, TaskID, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as ProgressDisplay

    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    with ProgressDisplay(
        TextColumn("{task.description:<9}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def advance(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total or None)
            bar.update(tasks[stage], completed=done, total=total or None)

        yield advance


def main() -> None:
    """Run the ``osgraph`` command."""
    app()
