"""The errors osgraph raises, and the exit code of each. Every one carries a message for the user.

Hierarchy, with the exit code ``osgraph`` ends with::

    OsgraphError                  anything osgraph refuses to do, with the reason          1
    ├── SourceError               a list cannot be read as a list: file, line and cell     1
    ├── ValidationError           the graph violates osgraph's shapes                      1
    ├── QueryError                a query cannot be found, bound, run or its answer read   1
    │   ├── RefusedQueryError     a query osgraph will not run (too large, SERVICE, ...)   1
    │   └── EngineCrashError      an engine process ended while it answered                1
    ├── ConfigurationError        an option or setting has a value osgraph cannot use      2
    └── ReadWriteError            a file, folder or service could not be read or written   3

Exit codes, as ``osgraph`` documents them:

- 0: done;
- 1: the input is wrong: a list, a gazetteer, a graph or a query osgraph refuses, and why;
- 2: the command line is wrong: an unknown option, a missing argument, a value osgraph cannot
  use;
- 3: osgraph could not read or write: a missing file, a full disk, a store that does not
  answer.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from osgraph._validate import ValidationReport

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_READ_WRITE = 3


class OsgraphError(Exception):
    """Something osgraph cannot do; ``str(error)`` says what and why."""

    exit_code: ClassVar[int] = EXIT_INPUT
    """The exit code of ``osgraph`` when a command ends with this error."""


class SourceError(OsgraphError):
    """A source file, or one of its rows or cells, cannot be read as a list.

    Parameters
    ----------
    path
        The file, as the user named it.
    message
        What is wrong, in words for the user.
    line
        The line the problem is on, counting from 1, when there is one.
    cell
        The column the problem is in (for example ``"institutions"``), when there is one.

    Examples
    --------
    >>> str(SourceError("list.csv", "no project", line=3, cell="project"))
    "list.csv:3: cell 'project': no project"
    """

    def __init__(
        self, path: Path | str, message: str, *, line: int | None = None, cell: str | None = None
    ) -> None:
        self.path = str(path)
        self.message = message
        self.line = line
        self.cell = cell
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        if self.cell is not None:
            where += f": cell {self.cell!r}"
        return f"{where}: {self.message}"


class ValidationError(OsgraphError):
    """A graph violates osgraph's shapes; the message is the readable report, ``report`` the
    report itself."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        super().__init__(str(report))


class QueryError(OsgraphError):
    """A query cannot be found, read, bound or run, or its answer cannot be read; the message
    says why (and where, for a syntax error: line and column)."""


class RefusedQueryError(QueryError):
    """A query osgraph will not run: too large, too deep, or asking for another host."""


class EngineCrashError(QueryError):
    """An engine process ended while it answered a query."""


class ConfigurationError(OsgraphError):
    """An option or setting has a value osgraph cannot use (for example a relative base IRI)."""

    exit_code = EXIT_USAGE


class ReadWriteError(OsgraphError):
    """A file, folder or service could not be read or written: it is missing, a disk is full,
    a store does not answer."""

    exit_code = EXIT_READ_WRITE


class ErrorPolicy(Enum):
    """What reading and resolving a list do with what they cannot use.

    ``STRICT`` (the default) stops with a :class:`SourceError` naming file, line and cell at
    the first row or cell that cannot be read, the first country that does not resolve, and
    the first project one list names in rows with different institutions or countries.
    ``LENIENT`` leaves out the rows that cannot be read and those whose country does not
    resolve, listing each with its reason (``Source.rejected``, the build's notices), and keeps
    every row's facts on a project whose rows disagree, with a notice. Nothing read is dropped
    without a word under either policy.
    """

    STRICT = "strict"
    LENIENT = "lenient"


# Tracebacks and reprs name the exceptions where users import them from.
for _error in (
    OsgraphError,
    SourceError,
    ValidationError,
    QueryError,
    RefusedQueryError,
    EngineCrashError,
    ConfigurationError,
    ReadWriteError,
    ErrorPolicy,
):
    _error.__module__ = "osgraph"
