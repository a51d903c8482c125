"""Build the knowledge graph of lists: read, resolve, write as Turtle, validate, summarise.

One sequence of stages for every build, whether the graph is kept in memory (:func:`build`,
:func:`build_sources`) or streamed to a file (:func:`build_file`); what the graph holds is
written by :mod:`osgraph._statements`, under the ontology in ``ontology/osgraph.ttl``.
"""

from __future__ import annotations

import gc
import io
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from rdflib import Graph

from osgraph._atomic import replace_atomically
from osgraph._errors import ConfigurationError, ErrorPolicy, ReadWriteError, ValidationError
from osgraph._gazetteer import GAZETTEER, ROR_SOURCE, Gazetteer, load_gazetteer
from osgraph._iri import IriScheme
from osgraph._notices import Notice, NoticeKind, without_row_text
from osgraph._resolve import Resolution, resolve
from osgraph._shape_checks import ShapeChecks
from osgraph._sources import bundled_list, read_source
from osgraph._sources.columns import TableShape
from osgraph._sources.entries import ListInfo, Source
from osgraph._statements import write_statements
from osgraph._store_folder import built_store, check_store_folder, mark_store, replace_store
from osgraph._store_load import StoreLoad, store_load
from osgraph._turtle import TurtleWriter
from osgraph._validate import checked_report, shape_checks
from osgraph._vocabulary import DEFAULT_BASE, new_graph, prefixes

Progress = Callable[[str, int, int], None]
"""Told ``(stage, done, total)`` as a build goes: ``read`` counts the bytes of the files read,
``resolve`` says when it begins (0 of 1) and ends (1 of 1), ``write`` counts rows written,
``validate`` only says it began (0 of 0)."""


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """How a build reads, resolves and checks its lists; every field has a default.

    Attributes
    ----------
    base
        The base IRI under which the graph's IRIs are minted; it must end with ``/`` or ``#``
        (or ``:`` for a URN).
    gazetteer
        What is known of institutions: a loaded gazetteer, or the path of a file in the form of
        ``data/institutions.toml`` whose entries are added to the bundled ones (an entry for a
        name the bundled gazetteer knows replaces its entry). Default: the bundled gazetteer.
        Names no entry has are then looked up in ROR (see :mod:`osgraph._ror`).
    projects
        What is known of projects: the path of a file in the form of ``data/projects.toml``.
        Default: the bundled one.
    replace_gazetteer
        Use the ``gazetteer`` file's entries instead of the bundled ones.
    validate
        Check the graph against ``ontology/shapes.ttl`` (SHACL), compiled to checks of one
        subject at a time run as the statements are written (see
        :class:`osgraph._shape_checks.ShapeChecks`).
    store
        Leave an Oxigraph store of the graph next to the Turtle file of :func:`build_file`
        (``osgraph.ttl`` makes ``osgraph.oxigraph``), loaded as the Turtle is written and
        marked with its SHA-256: the commands that read the graph open it instead of loading
        the Turtle again (see :func:`osgraph.open_engine`).
    encoding
        The sources' encoding (default: UTF-8), such as ``gb18030``.
    policy
        Stop at the first row that cannot be read or resolved (``STRICT``), or leave such rows
        out and list them with their reasons (``LENIENT``: ``Summary.rows_rejected`` and the
        notices); see :class:`osgraph.ErrorPolicy`.
    shape
        The columns, separator and delimiter of the sources' tables, over what their sidecars
        say (see :class:`osgraph.TableShape`).
    progress
        Told how far each stage has gone (see :data:`Progress`).

    Examples
    --------
    >>> from osgraph import ErrorPolicy
    >>> BuildOptions(policy=ErrorPolicy.LENIENT, validate=False).base
    'https://w3id.org/osgraph/id/'
    """

    base: str = DEFAULT_BASE
    gazetteer: Gazetteer | Path | str | None = None
    projects: Path | str | None = None
    replace_gazetteer: bool = False
    validate: bool = True
    store: bool = True
    encoding: str | None = None
    policy: ErrorPolicy = ErrorPolicy.STRICT
    shape: TableShape | None = None
    progress: Progress | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    """What a build read and made, and everything the user should know about the input.

    ``seconds`` is the wall time of each stage that ran (``read``, ``resolve``, ``write``,
    ``store``: loading the Oxigraph store, ``validate``), in order. ``institution_sources`` says
    how many institutions were resolved by the gazetteer (``"gazetteer"``), by ROR (``"ROR"``),
    and by neither (``""``).
    """

    rows_read: int
    rows_rejected: int
    lists: tuple[str, ...]
    projects: int
    institutions: int
    countries: int
    contributions: int
    unaligned_rows: int
    triples: int
    notices: tuple[Notice, ...]
    seconds: tuple[tuple[str, float], ...] = ()
    institution_sources: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class BuildResult:
    """A built knowledge graph and the summary of its build."""

    graph: Graph
    summary: Summary


def build(
    sources: Sequence[Path | str] | None = None, options: BuildOptions = BuildOptions()
) -> BuildResult:
    """Read lists, resolve them and build their knowledge graph, in memory.

    Parameters
    ----------
    sources
        Markdown or CSV lists. Default: the bundled BenchCouncil Open100 2022-2023 list.
    options
        How to read, resolve and check them (see :class:`BuildOptions`).

    Raises
    ------
    SourceError
        When a source or the gazetteer cannot be read, or a country does not resolve; the
        message names the file, line and cell.
    ConfigurationError
        When the base IRI is not an absolute IRI ending with ``/`` or ``#`` (``:`` for a URN),
        or two sources claim the same list id.
    ValidationError
        When ``options.validate`` and the graph violates the shapes; the message is the report.

    See Also
    --------
    build_file : the same build, streamed to a Turtle file, for lists of any size.

    Examples
    --------
    >>> result = build()
    >>> result.summary.rows_read, result.summary.projects
    (102, 101)
    """
    graph, summary = _run(lambda: _read_sources(sources, options), options, None)
    assert graph is not None  # a build in memory keeps its graph
    return BuildResult(graph, summary)


def build_sources(sources: Sequence[Source], options: BuildOptions = BuildOptions()) -> BuildResult:
    """Resolve lists already read and build their knowledge graph (see :func:`build`)."""
    graph, summary = _run(lambda: sources, options, None)
    assert graph is not None  # a build in memory keeps its graph
    return BuildResult(graph, summary)


def build_file(
    sources: Sequence[Path | str] | None, out: Path | str, options: BuildOptions = BuildOptions()
) -> Summary:
    """Read lists, resolve them and write their knowledge graph to ``out`` as Turtle.

    The graph is written as it is made, never held whole in memory, so this is the build for
    large lists; the parameters and errors are those of :func:`build`. ``out`` is replaced
    atomically, and only by a graph that passed validation (when ``options.validate``); then
    the store of ``options.store`` replaces the one of an earlier build.

    Raises
    ------
    OsgraphError
        As :func:`build`; :class:`osgraph.ReadWriteError` when ``out`` or its store cannot be
        written; :class:`osgraph.ConfigurationError` when the store's folder is taken by
        something else than an osgraph store.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     summary = build_file(None, f"{folder}/osgraph.ttl")
    >>> summary.rows_read, summary.projects, [stage for stage, _ in summary.seconds]
    (102, 101, ['read', 'resolve', 'write', 'store', 'validate'])
    """
    return _run(lambda: _read_sources(sources, options), options, Path(out))[1]


def _run(
    read: Callable[[], Sequence[Source]], options: BuildOptions, out: Path | None
) -> tuple[Graph | None, Summary]:
    """The stages of every build: the graph is kept (and returned) when there is no ``out``
    file to write it to."""
    iris = IriScheme(options.base)  # refuse a bad base before reading anything
    keep_store = out is not None and options.store
    if out is not None:
        check_store_folder(built_store(out))  # refuse a taken folder before building
    progress = options.progress
    with _without_cycle_collection():
        clock = _StageClock()
        sources = read()
        gazetteer = options.gazetteer
        if not isinstance(gazetteer, Gazetteer):
            gazetteer = load_gazetteer(
                gazetteer, options.projects, replace=options.replace_gazetteer
            )
        clock.lap("read")
        if progress:
            progress("resolve", 0, 1)
        resolution = resolve(sources, gazetteer, policy=options.policy)
        if progress:
            progress("resolve", 1, 1)
        del sources  # the resolution holds every entry; the sources' tuples would double them
        clock.lap("resolve")
        notices = list(resolution.notices)
        counted = _summary(resolution)  # before the write, which lets go of what it wrote
        checks = shape_checks(options.base, prefixes(options.base)) if options.validate else None
        batched = _Batched(checks.statement) if checks is not None else None
        graph = None
        with _store_load(out if keep_store else None) as load:
            with _turtle_file(out) as file:
                turtle = load.tee(file) if load is not None else file
                writer = TurtleWriter(turtle, prefixes(options.base), batched)
                written = (lambda done, total: progress("write", done, total)) if progress else None
                write_statements(resolution, iris, writer, written)
                if batched is not None:
                    batched.flush()
                # The rows' text is written: what else names the rows needs only where they are,
                # and a million rows' text would otherwise be held while the graph is checked.
                notices = without_row_text(notices)
                resolution.notices.clear()
                file.flush()
                clock.lap("write")
                if load is not None:
                    load.finish()  # the store, loaded as the Turtle was written
                    clock.lap("store")
                if out is None:
                    graph = _read_back(file, options.base)
                if checks is not None and batched is not None:
                    if progress:
                        progress("validate", 0, 0)
                    notices += _validate(checks, options.base)
                    clock.lap("validate")
                    clock.move("write", "validate", batched.seconds)  # checked as it was written
                if load is not None:
                    mark_store(load.folder, Path(file.name))
            if out is not None:
                # The Turtle is in place: the store of it replaces the one of the former graph.
                replace_store(load.folder if load is not None else None, built_store(out))
        triples = writer.triples if out is not None else len(graph or ())
        laps = tuple(clock.laps)
        summary = replace(counted, triples=triples, notices=tuple(notices), seconds=laps)
        return (graph if out is None else None), summary


@contextmanager
def _turtle_file(out: Path | None) -> Iterator[IO[Any]]:
    """Where the Turtle goes: ``out``, replaced atomically when the block ends, or memory."""
    if out is None:
        yield io.StringIO()
    else:
        with replace_atomically(out) as file:
            yield file


@contextmanager
def _store_load(out: Path | None) -> Iterator[StoreLoad | None]:
    """The store of ``out`` loaded as it is written; None when no store is kept."""
    if out is None:
        yield None
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReadWriteError(f"cannot write {out}: {error.strerror}") from None
    with store_load(out) as load:
        yield load


class _Batched:
    """A check of statements, told of the subjects a batch at a time, and the time it took.

    Told of each subject as it is written, the checks of 100,000 rows took 1.8 s more than
    the same checks of a thousand subjects at a time: the writer's and the checks' code and
    data would take turns in the processor's caches.
    """

    SIZE = 1 << 10

    def __init__(self, check: Callable[[str, Sequence[tuple[str, str]]], None]) -> None:
        self._check = check
        self._batch: list[tuple[str, Sequence[tuple[str, str]]]] = []
        self.seconds = 0.0

    def __call__(self, subject: str, pairs: Sequence[tuple[str, str]]) -> None:
        self._batch.append((subject, pairs))
        if len(self._batch) >= self.SIZE:
            self.flush()

    def flush(self) -> None:
        """Check the subjects not checked yet."""
        start = time.perf_counter()
        check = self._check
        for subject, pairs in self._batch:
            check(subject, pairs)
        self._batch.clear()
        self.seconds += time.perf_counter() - start


def _read_back(file: IO[Any], base: str) -> Graph:
    graph = new_graph(base)
    if isinstance(file, io.StringIO):
        graph.parse(data=file.getvalue(), format="turtle")
    else:
        graph.parse(file.name, format="turtle")
    return graph


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Turn Python's cycle collector off for the block, and back on as it was after.

    A build makes millions of small objects that live until it ends and hold no cycles: the
    collector would walk them all again and again (a quarter of the build's time at 100,000
    rows) to free nothing. Reference counting still frees everything else as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _StageClock:
    def __init__(self) -> None:
        self.laps: list[tuple[str, float]] = []
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps.append((stage, now - self._last))
        self._last = now

    def move(self, source: str, target: str, seconds: float) -> None:
        """Count ``seconds`` of the lap of ``source`` in that of ``target``."""
        self.laps = [
            (stage, lap - seconds if stage == source else lap + seconds if stage == target else lap)
            for stage, lap in self.laps
        ]


def _read_sources(sources: Sequence[Path | str] | None, options: BuildOptions) -> list[Source]:
    paths = [bundled_list()] if not sources else [Path(source) for source in sources]
    sizes = [path.stat().st_size if path.is_file() else 0 for path in paths]
    progress = options.progress
    read = []
    for number, path in enumerate(paths):
        if progress:
            progress("read", sum(sizes[:number]), sum(sizes))
        read.append(
            read_source(
                path,
                encoding=options.encoding,
                policy=options.policy,
                shape=options.shape,
            )
        )
    if progress:
        progress("read", sum(sizes), sum(sizes))
    _check_distinct_list_ids([source.info for source in read], paths)
    return read


def _validate(checks: ShapeChecks, base: str) -> list[Notice]:
    """The warnings of the shapes; raises :class:`ValidationError` on a violation."""
    report = checked_report(checks, base)
    if not report.conforms:
        raise ValidationError(report)
    return [Notice(NoticeKind.SHAPE_WARNING, str(warning), ()) for warning in report.warnings]


def _summary(resolution: Resolution) -> Summary:
    """What the resolution counts: the summary of a build, less its triples, notices and
    times."""
    return Summary(
        rows_read=len(resolution.entries) + len(resolution.rejected),
        rows_rejected=len(resolution.rejected),
        lists=tuple(info.id for info in resolution.lists),
        projects=len(resolution.projects),
        institutions=len(resolution.institutions),
        countries=len(resolution.countries),
        contributions=len(resolution.contributions),
        unaligned_rows=len(resolution.unaligned),
        triples=0,
        notices=(),
        institution_sources=_institution_sources(resolution),
    )


def _institution_sources(resolution: Resolution) -> tuple[tuple[str, int], ...]:
    """How many institutions the gazetteer resolved, how many ROR, and how many neither."""
    counts = dict.fromkeys((GAZETTEER, ROR_SOURCE, ""), 0)
    for record in resolution.institutions.values():
        spelling = record.spellings[0] if record.spellings else record.label
        counts[resolution.gazetteer.match_institution(spelling).source] += 1
    return tuple(counts.items())


def _check_distinct_list_ids(infos: Sequence[ListInfo], paths: Sequence[Path]) -> None:
    seen: dict[str, Path] = {}
    for info, path in zip(infos, paths, strict=True):
        if info.id in seen:
            raise ConfigurationError(
                f"{seen[info.id]} and {path} are both the list {info.id!r}; give one of them a "
                "sidecar .toml with another [list] id"
            )
        seen[info.id] = path
