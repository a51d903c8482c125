"""The files osgraph ships: its ontology, data, named queries, templates and page assets.

Every packaged file is reached through here, by its path inside the package (such as
``("ontology", "shapes.ttl")``); texts are read once per process.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from osgraph._errors import ReadWriteError


@cache
def text(*parts: str) -> str:
    """The UTF-8 text of the packaged file at ``parts``.

    Raises
    ------
    FileNotFoundError
        When osgraph ships no such file (a mistake in osgraph, not in its input).

    Examples
    --------
    >>> text("queries", "projects-by-country.rq").startswith("#")
    True
    """
    return _resource(*parts).read_text(encoding="utf-8")


@cache
def data(*parts: str) -> bytes:
    """The bytes of the packaged file at ``parts`` (see :func:`text`)."""
    return _resource(*parts).read_bytes()


def path(*parts: str) -> Path:
    """The packaged file at ``parts`` as a file on disk, for readers that need a path.

    Raises
    ------
    ReadWriteError
        When osgraph is installed somewhere that is not a folder on disk (a zip file).

    Examples
    --------
    >>> path("data", "institutions.toml").name
    'institutions.toml'
    """
    resource = _resource(*parts)
    if not isinstance(resource, Path):
        raise ReadWriteError("osgraph's bundled data can only be read from an installation on disk")
    return resource


def names(*folder: str, suffix: str) -> list[str]:
    """The names of the packaged files in ``folder`` that end in ``suffix``, without it, sorted.

    Examples
    --------
    >>> "projects-of" in names("queries", suffix=".rq")
    True
    """
    return sorted(
        entry.name.removesuffix(suffix)
        for entry in _resource(*folder).iterdir()
        if entry.name.endswith(suffix) and entry.is_file()
    )


def _resource(*parts: str) -> Traversable:
    resource = resources.files("osgraph")
    for part in parts:
        resource = resource / part
    return resource
