"""Write built graphs to files.

Files are written whole or not at all: the graph goes to a temporary file beside the target,
which then replaces the target in one rename, so an interrupted write leaves the previous file
as it was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import Graph

from osgraph.errors import OsgraphError

_READABLE_BY_ALL = 0o644


def write_turtle(graph: Graph, path: Path | str) -> Path:
    """Write ``graph`` as Turtle to ``path``, atomically, creating its folder if needed.

    The same graph always gives the same bytes: subjects, predicates and objects are written in
    sorted order, and the graph holds no blank nodes.

    Raises
    ------
    OsgraphError
        When the file or its folder cannot be written.
    """
    path = Path(path)
    data = graph.serialize(format="longturtle", encoding="utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise OsgraphError(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        # mkstemp makes the file private; a published graph is readable like any other file.
        Path(temporary).chmod(_READABLE_BY_ALL)
        Path(temporary).replace(path)
    except OSError as error:
        raise OsgraphError(f"cannot write {path}: {error.strerror}") from None
    finally:
        Path(temporary).unlink(missing_ok=True)
    return path
