"""The ``osgraph`` command: one library call for each command, and what it prints.

The options are those of :mod:`osgraph._options`; what a command prints is written by
:mod:`osgraph._console`; the exit codes are those :mod:`osgraph._errors` documents.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from osgraph._console import (
    import_line,
    print_review,
    print_summary,
    progress_bar,
    push_line,
    queries_text,
    user_errors,
    write_output,
)
from osgraph._errors import EXIT_INPUT
from osgraph._options import (
    DEFAULT_OUT,
    GRAPH_FILE_NAME,
    AllNoticesOption,
    BaseOption,
    ColumnOption,
    DelimiterOption,
    DigestOption,
    DraftOption,
    EncodingOption,
    EndpointOption,
    ExportFormatOption,
    GazetteerOption,
    GraphOption,
    HostOption,
    HtmlFileOption,
    KeepStoreOption,
    KgOption,
    LenientOption,
    MaxNodesOption,
    MemoryLimitOption,
    NamedGraphOption,
    NetworkFormatOption,
    NetworkOption,
    OntologyOption,
    OutputFileOption,
    OutputFolderOption,
    PortOption,
    ProjectsOption,
    PushTimeoutOption,
    QueryLimitOption,
    QueryTimeOption,
    RdfFileArgument,
    ReplaceGazetteerOption,
    RorDataArgument,
    RorIndexOption,
    RowLimitOption,
    SeparatorOption,
    ServiceOption,
    SourcesArgument,
    StoreOption,
    UserOption,
    ValidateOption,
    VersionOption,
    ViewCountryOption,
    WorkersOption,
    table_shape,
)
from osgraph._push import DEFAULT_NAMED_GRAPH, DEFAULT_PUSH_TIMEOUT

app = typer.Typer(
    name="osgraph",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
gazetteer_app = typer.Typer(
    no_args_is_help=True,
    help="Manage what osgraph knows of institutions: the curated gazetteer and the ROR index.",
)


@app.callback()
def _options(version: VersionOption = False) -> None:
    """Build RDF knowledge graphs of open-source achievement lists: which institutions, in which
    countries, build the projects that matter, and who builds them together.

    Start with `osgraph build`, which reads the bundled BenchCouncil Open100 2022-2023 list.
    """


@app.command()
def build(
    sources: SourcesArgument = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write osgraph.ttl into.", metavar="DIR")
    ] = DEFAULT_OUT,
    base: BaseOption = None,
    gazetteer: GazetteerOption = None,
    replace_gazetteer: ReplaceGazetteerOption = False,
    projects: ProjectsOption = None,
    validate: ValidateOption = True,
    store: KeepStoreOption = True,
    encoding: EncodingOption = None,
    column: ColumnOption = None,
    separator: SeparatorOption = None,
    delimiter: DelimiterOption = None,
    lenient: LenientOption = False,
    all_notices: AllNoticesOption = False,
) -> None:
    """Read lists and write their knowledge graph as Turtle to DIR/osgraph.ttl.

    Prints what was read and built, how long each stage took, and the notices: rows listed
    twice and merged, rows whose institutions and countries do not line up, institutions the
    gazetteer does not know. A progress bar shows on a terminal while a build takes a while.
    """
    from osgraph._build import BuildOptions, build_file
    from osgraph._errors import ErrorPolicy
    from osgraph._vocabulary import DEFAULT_BASE

    written = out / GRAPH_FILE_NAME
    shape = table_shape(column, separator, delimiter)
    with user_errors(), progress_bar() as progress:
        summary = build_file(
            sources,
            written,
            BuildOptions(
                base=base or DEFAULT_BASE,
                gazetteer=gazetteer,
                replace_gazetteer=replace_gazetteer,
                projects=projects,
                validate=validate,
                store=store,
                encoding=encoding,
                policy=ErrorPolicy.LENIENT if lenient else ErrorPolicy.STRICT,
                progress=progress,
                shape=shape,
            ),
        )
    print_summary(summary, written, all_notices=all_notices)


@app.command()
def export(
    format: ExportFormatOption,
    kg: KgOption = DEFAULT_OUT / GRAPH_FILE_NAME,
    out: OutputFileOption = None,
    ontology: OntologyOption = False,
) -> None:
    """Write the built graph in another RDF format: N-Triples, JSON-LD (with osgraph's context),
    RDF/XML, or TriG with one named graph per source list."""
    from osgraph._export import export_graph

    with user_errors():
        data = export_graph(kg, format, ontology=ontology)
    write_output(data, out)


@app.command()
def report(
    kg: KgOption = DEFAULT_OUT / GRAPH_FILE_NAME,
    endpoint: EndpointOption = None,
    graph: GraphOption = None,
    out: OutputFolderOption = DEFAULT_OUT,
) -> None:
    """Write a one-page HTML summary of the graph: the lists it holds and when they were
    published, counts, projects per country and per domain, top institutions and
    collaborations (each table cut to its first rows, with the query that lists them all), and
    what the gazetteer still needs, folded away at the end."""
    from osgraph._engines import quiet_engines
    from osgraph._report import report_page

    with user_errors(), quiet_engines():
        page = report_page(kg, endpoint=endpoint, graph=graph)
    write_output(page, out / "report.html")


@app.command()
def document(out: HtmlFileOption = DEFAULT_OUT / "ontology.html") -> None:
    """Write the ontology's documentation (its classes and properties, from
    ontology/osgraph.ttl) as one HTML page."""
    from osgraph._ontology_page import document_ontology

    write_output(document_ontology(), out)


@app.command()
def validate(
    file: RdfFileArgument,
    engine: Annotated[
        str,
        typer.Option(
            help="oxigraph (the shapes compiled to SPARQL queries over an Oxigraph store: fast) "
            "or pyshacl (a SHACL engine of its own: slow on large graphs)."
        ),
    ] = "oxigraph",
) -> None:
    """Check a graph against osgraph's SHACL shapes (ontology/shapes.ttl).

    Exits 0 when it conforms (warnings allowed) and 1 when it violates them.
    """
    from osgraph._validate import validate_file

    with user_errors():
        report = validate_file(file, engine)
    typer.echo(report.describe())
    if not report.conforms:
        raise typer.Exit(EXIT_INPUT)


@gazetteer_app.command("import-ror")
def import_ror(source: RorDataArgument, out: RorIndexOption = None) -> None:
    """Rebuild the ROR index that institutions are looked up in after the gazetteer.

    Keeps, of every record that is not withdrawn, what osgraph uses: id, status, country,
    types, Wikidata id, parent, website, and every name, label, alias and acronym.
    """
    from osgraph._ror_import import import_ror

    with user_errors():
        summary = import_ror(source, out)
    typer.echo(import_line(summary, out))


app.add_typer(gazetteer_app, name="gazetteer")


@app.command()
def resolve(
    sources: SourcesArgument = None,
    gazetteer: GazetteerOption = None,
    replace_gazetteer: ReplaceGazetteerOption = False,
    encoding: EncodingOption = None,
    column: ColumnOption = None,
    separator: SeparatorOption = None,
    delimiter: DelimiterOption = None,
    draft: DraftOption = None,
    service: ServiceOption = None,
) -> None:
    """List the institutions and countries of lists that osgraph cannot resolve.

    An institution resolves through the gazetteer, then ROR (with the countries its rows give
    it as evidence). For each name that does not, or that several ROR records may be, prints
    where it was met, the countries its rows give it, and the closest candidates from the
    gazetteer and from ROR (ROR id, country, type, similarity), and from the reconciliation
    service --service names. Exits 1 when a name does not resolve, 0 when all do, 3 when the
    service cannot be reached or does not answer as one.
    """
    from osgraph._review import review_and_draft

    shape = table_shape(column, separator, delimiter)
    with user_errors(), progress_bar() as progress:
        rows, unresolved = review_and_draft(
            sources,
            gazetteer=gazetteer,
            replace_gazetteer=replace_gazetteer,
            encoding=encoding,
            shape=shape,
            draft=draft,
            service=service,
            progress=progress,
        )
    print_review(rows, unresolved, draft)
    if unresolved:
        raise typer.Exit(EXIT_INPUT)


@app.command()
def queries() -> None:
    """List the named queries, with what each answers and its parameters."""
    from osgraph._catalogue import named_queries

    write_output(queries_text(named_queries().values()), None)


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
    limit: QueryLimitOption = None,
) -> None:
    """Run a SPARQL query on the built graph, or on a remote endpoint, and print its answer.

    An ASK answer is a boolean in JSON and XML, and a column `boolean` (true or false) in CSV
    and TSV.
    """
    from osgraph._query import answer_parts

    write_output(
        answer_parts(
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
            limit=limit,
            announce=lambda line: typer.echo(f"osgraph: {line}", err=True),
        ),
        None,
    )


@app.command()
def serve(
    kg: KgOption = DEFAULT_OUT / GRAPH_FILE_NAME,
    host: HostOption = "127.0.0.1",
    port: PortOption = 7878,
    timeout: QueryTimeOption = 30.0,
    row_limit: RowLimitOption = 10_000,
    workers: WorkersOption = 2,
    memory_limit: MemoryLimitOption = 4096,
) -> None:
    """Serve the built graph as a read-only SPARQL 1.1 endpoint (/sparql) with a query page (/).

    Queries run in engine processes of their own, within the time, row and memory limits; a
    query that crashes or outruns its engine gets an error and a fresh engine, and the endpoint
    goes on. Stop it with Ctrl-C.
    """
    from osgraph._serve import serve as serve_graph

    with user_errors():
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
    endpoint: StoreOption,
    kg: KgOption = DEFAULT_OUT / GRAPH_FILE_NAME,
    named_graph: NamedGraphOption = DEFAULT_NAMED_GRAPH,
    user: UserOption = None,
    digest: DigestOption = False,
    timeout: PushTimeoutOption = DEFAULT_PUSH_TIMEOUT,
) -> None:
    """Load the built graph into a remote triple store, replacing one named graph in a single
    request: a push the store refuses leaves its graph whole. Only a 2xx answer is success (a
    redirect stored nothing); credentials are never printed."""
    import os

    from osgraph._push import push_graph

    with user_errors():
        pushed = push_graph(
            kg,
            endpoint,
            named_graph=named_graph,
            user=user,
            password=os.environ.get("OSGRAPH_PASSWORD"),
            digest=digest,
            timeout=timeout,
        )
    typer.echo(push_line(kg, endpoint, named_graph, pushed))


@app.command()
def network(
    kg: KgOption = DEFAULT_OUT / GRAPH_FILE_NAME,
    endpoint: EndpointOption = None,
    graph: GraphOption = None,
    kind: NetworkOption = "bipartite",
    format: NetworkFormatOption = "graphml",
    out: OutputFileOption = None,
) -> None:
    """Write a collaboration network, with its measures (degree, betweenness, components,
    communities), for network tools such as Gephi."""
    from osgraph._engines import quiet_engines
    from osgraph._network import network_file

    with user_errors(), quiet_engines():
        data = network_file(kg, kind, format, endpoint=endpoint, graph=graph)
    write_output(data, out)


@app.command()
def view(
    kg: KgOption = DEFAULT_OUT / GRAPH_FILE_NAME,
    endpoint: EndpointOption = None,
    graph: GraphOption = None,
    kind: NetworkOption = "bipartite",
    max_nodes: MaxNodesOption = None,
    country: ViewCountryOption = None,
    out: HtmlFileOption = DEFAULT_OUT / "osgraph.html",
) -> None:
    """Write the interactive view of a collaboration network: one HTML file that works offline,
    with search, filters by country and kind, colours by country or community, and facts on
    click. A progress bar shows on a terminal while it takes a while."""
    from osgraph._engines import quiet_engines
    from osgraph._view import network_view

    with user_errors(), quiet_engines(), progress_bar() as steps:
        network, shown, page = network_view(
            kg,
            kind,
            endpoint=endpoint,
            graph=graph,
            max_nodes=max_nodes,
            country=country,
            steps=steps,
        )
    nodes, edges = network.number_of_nodes(), network.number_of_edges()
    part = ""
    if shown.number_of_nodes() < nodes:
        part = f"; it shows {shown.number_of_nodes()} (--max-nodes), and says what it leaves out"
    write_output(page, out, detail=f": {nodes} nodes, {edges} edges{part}")


def main() -> None:
    """Run the ``osgraph`` command."""
    app()
