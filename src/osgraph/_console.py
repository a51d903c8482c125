"""What the ``osgraph`` command prints: its output, written to a file or to standard output, a
build's summary and progress, the names that do not resolve, the named queries, and the error
that ends a command, with its exit code (see :mod:`osgraph._errors`).

Names, ids and paths come from the data: what a terminal would act on (ESC [ ..., other control
and format characters) is printed escaped, as errors print names with ``!r``.
"""

from __future__ import annotations

import errno
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from osgraph._errors import EXIT_READ_WRITE, OsgraphError

if TYPE_CHECKING:
    from osgraph._build import Progress, Summary
    from osgraph._catalogue import NamedQuery
    from osgraph._push import Pushed
    from osgraph._review import Unresolved
    from osgraph._ror_import import ImportSummary

NOTICES_PER_KIND = 10
"""The notices of one kind a build prints unless asked for all (rejected rows: always all)."""

ORIGINS_SHOWN = 5
"""The places an unresolved name was met that ``resolve`` prints; more are counted."""


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn osgraph's errors into a message on standard error and the error's exit code."""
    try:
        yield
    except OsgraphError as error:
        typer.echo(f"osgraph: error: {error}", err=True)
        raise typer.Exit(error.exit_code) from None


def write_output(
    data: bytes | str | Iterable[bytes | str], out: Path | None, *, detail: str = ""
) -> None:
    """Write ``data`` to the file ``out`` and say so (``Wrote out{detail}.``), or to standard
    output when there is none (text in standard output's encoding, a character it cannot hold
    written as ``?``). ``data`` given in parts reaches standard output part by part, as they
    come; an osgraph error while they come ends the command with its message and exit code,
    after the parts written.

    Standard output that takes no more (a full disk, ``> /dev/full``, a closed descriptor) is
    an error: a message and exit code 3. A pipe whose reader has gone (``| head -1``) ends the
    command quietly, as it ends other Unix tools, with exit code 3 for the output it could not
    write.
    """
    import os

    from osgraph._atomic import write_file

    parts = [data] if isinstance(data, bytes | str) else data
    if out is not None:
        with user_errors():
            whole = b"".join(
                part.encode("utf-8") if isinstance(part, str) else part for part in parts
            )
            write_file(out, whole)
        parts = [f"Wrote {out}{detail}.\n"]

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
        with user_errors():
            for part in parts:
                if buffer is None:
                    stream.write(part if isinstance(part, str) else part.decode("utf-8", "replace"))
                    stream.flush()
                    continue
                if isinstance(part, str):
                    part = part.encode(stream.encoding or "utf-8", errors="replace")
                buffer.write(part)
                buffer.flush()
    except BrokenPipeError:
        discard_standard_output()
        raise typer.Exit(EXIT_READ_WRITE) from None
    except OSError as error:
        discard_standard_output()
        reason = error.strerror or str(error)
        typer.echo(f"osgraph: error: cannot write to standard output: {reason}", err=True)
        raise typer.Exit(EXIT_READ_WRITE) from None


def print_summary(summary: Summary, written: Path, *, all_notices: bool = False) -> None:
    """Print what a build read and wrote, how long each stage took, and its notices: the first
    :data:`NOTICES_PER_KIND` of each kind, or all with ``all_notices``."""
    from osgraph._messages import printable
    from osgraph._notices import NoticeKind

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
            if (
                all_notices
                or notice.kind is NoticeKind.REJECTED
                or shown[notice.kind] <= NOTICES_PER_KIND
            ):
                typer.echo(f"  - {printable(str(notice))}")
        for kind, count in shown.items():
            if not all_notices and kind is not NoticeKind.REJECTED and count > NOTICES_PER_KIND:
                typer.echo(
                    f"  ... and {count - NOTICES_PER_KIND} more {printable(kind)} notices "
                    "(--all-notices prints them)"
                )


@contextmanager
def progress_bar() -> Iterator[Progress | None]:
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


def print_review(rows: int, unresolved: list[Unresolved], draft: Path | None) -> None:
    """Print the names of ``rows`` read that do not resolve: where each was met (the first
    :data:`ORIGINS_SHOWN` places), the countries its rows give it and its candidates; or that
    every name resolves."""
    if not unresolved:
        typer.echo(f"Every institution and country of the {rows} rows read resolves.")
        return
    names = "1 name" if len(unresolved) == 1 else f"{len(unresolved)} names"
    verb = "does" if len(unresolved) == 1 else "do"
    typer.echo(f"{names} of the {rows} rows read {verb} not resolve:")
    for name in unresolved:
        where = ", ".join(str(origin) for origin in name.origins[:ORIGINS_SHOWN])
        if len(name.origins) > ORIGINS_SHOWN:
            where += f" and {len(name.origins) - ORIGINS_SHOWN} more"
        state = "not confirmed by ROR" if name.ambiguous else "unknown"
        countries = f"; rows say {', '.join(name.countries)}" if name.countries else ""
        typer.echo(f"  {name.kind} {name.name!r}: {state} ({where}{countries})")
        for candidate in name.candidates:
            typer.echo(f"      {candidate}")
    if draft is not None:
        typer.echo(f"Wrote drafts of gazetteer entries to {draft}.")


def queries_text(queries: Iterable[NamedQuery]) -> str:
    """The named queries, each with what it answers, its parameters and what it needs.

    Examples
    --------
    >>> from osgraph import named_queries
    >>> print(queries_text([named_queries()["projects-by-country"]]), end="")
    projects-by-country
        How many distinct projects the lists attribute to each country, most first.
    """
    lines = []
    for query in queries:
        lines.append(query.name)
        lines.append(f"    {query.description}")
        for name, help_text in query.parameters.items():
            lines.append(f"    --param {name}=...  {help_text}")
        if query.needs:
            lines.append(f"    (needs {' or '.join(query.needs)})")
    return "".join(f"{line}\n" for line in lines)


def import_line(summary: ImportSummary, out: Path | None) -> str:
    """What ``gazetteer import-ror`` read and wrote, in one line."""
    from osgraph._ror import bundled_index_path

    return (
        f"Read {summary.read} ROR records (release {summary.release}); wrote {summary.written} "
        f"to {out or bundled_index_path()} ({summary.withdrawn} withdrawn left out)."
    )


def push_line(kg: Path, endpoint: str, named_graph: str, pushed: Pushed) -> str:
    """What ``push`` did, without the credentials of ``endpoint``, and how to query what it
    pushed: the ``osgraph query`` line for the store's SPARQL endpoint when the push found it.

    Examples
    --------
    >>> from osgraph._push import Pushed
    >>> print(push_line(Path("osgraph.ttl"), "http://u:p@store.example/data", "urn:g", Pushed(204)))
    Pushed osgraph.ttl to http://store.example/data as <urn:g> (204).
    Query it at the store's SPARQL endpoint, with --graph urn:g.
    >>> found = Pushed(201, "http://s.example/q")
    >>> print(push_line(Path("osgraph.ttl"), "http://s.example/data", "urn:g", found))
    Pushed osgraph.ttl to http://s.example/data as <urn:g> (201).
    Query it with: osgraph query projects-by-country --endpoint http://s.example/q --graph urn:g
    """
    import shlex

    from osgraph._messages import printable
    from osgraph._push import without_credentials

    graph = shlex.quote(printable(named_graph))
    how = (
        f"Query it with: osgraph query projects-by-country --endpoint "
        f"{shlex.quote(printable(pushed.query_endpoint))} --graph {graph}"
        if pushed.query_endpoint
        else f"Query it at the store's SPARQL endpoint, with --graph {graph}."
    )
    return (
        f"Pushed {printable(str(kg))} to {without_credentials(endpoint)} as "
        f"<{printable(named_graph)}> ({pushed.status}).\n{how}"
    )
