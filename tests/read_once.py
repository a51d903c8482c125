"""One graph file read once per engine for a test module, by every command run in the test's
process: tests about what a command does with a query or its answer need not pay for reading
the same graph again each time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rdflib import Graph

from osgraph import _query
from osgraph._engines import Engine


class EnginesOnce:
    """``open_engine`` that opens the graph file ``kg`` without a store folder once per engine
    name and gives the same engine each time after (queries never change it: osgraph refuses
    updates); every other graph, and every store folder, it opens as ``open_engine`` does."""

    def __init__(self, kg: Path) -> None:
        self.kg = kg
        self.opened: dict[str, Engine] = {}
        self.open_engine = _query.open_engine

    def __call__(
        self, kg: Path | str | Graph, engine: str = "auto", directory: Path | str | None = None
    ) -> Engine:
        if directory is not None or isinstance(kg, Graph) or Path(kg) != self.kg:
            return self.open_engine(kg, engine, directory)  # type: ignore[arg-type]
        if engine not in self.opened:
            self.opened[engine] = self.open_engine(kg, engine)  # type: ignore[arg-type]
        return self.opened[engine]


@contextmanager
def read_once(kg: Path) -> Iterator[EnginesOnce]:
    """Within the block, commands (and :func:`osgraph.answer_query`) open ``kg`` through the
    :class:`EnginesOnce` given."""
    engines = EnginesOnce(kg)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_query, "open_engine", engines)
        yield engines
