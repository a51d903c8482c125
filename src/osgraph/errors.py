"""The errors osgraph raises. Every one of them carries a message meant for the user.

Hierarchy::

    OsgraphError                  anything osgraph refuses to do, with the reason
    ├── SourceError               a source file cannot be read as a list: names file, line and cell
    └── ConfigurationError        an option or setting has a value osgraph cannot use
"""

from __future__ import annotations

from pathlib import Path


class OsgraphError(Exception):
    """Something osgraph cannot do; ``str(error)`` says what and why."""


class SourceError(OsgraphError):
    """A source file, or one of its rows or cells, cannot be read.

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


class ConfigurationError(OsgraphError):
    """An option or setting has a value osgraph cannot use (for example a relative base IRI)."""
