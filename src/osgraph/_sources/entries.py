"""What reading a list gives: its entries (project, institutions, countries), where each was
read, which list it is, and the rows and lines left out of it with why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an entry was read: the list it belongs to, the file, the line and the raw text.

    The notices of a build name the rows of its graph without their text (``text`` is empty):
    the graph holds it (``osg:rawText``). Rejected rows keep theirs.
    """

    list_id: str
    file: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Mention:
    """A name as a list writes it, with the homepage it links the name to, if any."""

    name: str
    homepage: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of a list: a project, the institutions that built it and their countries."""

    project: Mention
    institutions: tuple[Mention, ...]
    countries: tuple[str, ...]
    origin: Origin


@dataclass(frozen=True, slots=True)
class ListInfo:
    """Which list a source file is: an edition (``id``) of a series, with where it was published."""

    id: str
    file_name: str
    title: dict[str, str] = field(default_factory=dict)
    period: str | None = None
    issued: dt.date | None = None
    landing_page: str | None = None
    report: str | None = None
    language: str | None = None
    series_id: str | None = None
    series_title: str | None = None
    publisher: str | None = None


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row that was read and left out of the graph, and why."""

    origin: Origin
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Source:
    """A source file read in full: which list it is, its entries, the rows it rejected (read
    under :attr:`ErrorPolicy.LENIENT <osgraph.ErrorPolicy.LENIENT>`; under ``STRICT`` the first
    stops the reading) and the columns it ignored.

    ``notices`` holds what was read and is not a row of the list, with why: a line of a markdown
    file that looks like a table row but lies outside the list's tables (after prose, or inside
    an HTML comment), and a table whose headers are not a list's. They are not rows: rows read
    are ``entries`` and ``rejected``.
    """

    info: ListInfo
    entries: tuple[Entry, ...]
    ignored_columns: tuple[str, ...] = ()
    rejected: tuple[Rejection, ...] = ()
    notices: tuple[Rejection, ...] = ()
