"""The terminal table: drawn line by line where it fits the width and its cells are plain text,
it is the table rich draws, for every named query's answer on two real lists and for any text a
cell may hold; elsewhere rich draws it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osgraph import named_queries, open_engine, run_query
from osgraph._catalogue import bind_parameters
from osgraph._results import _drawn_table, _rich_table, _table_cells

# Cells as format_table makes them: any printable text (CJK, emoji, combining marks, markup-like
# brackets), non-printables written as escapes.
CELL = st.text(st.characters(codec="utf-8"), max_size=12).map(
    lambda text: "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda columns: st.tuples(
            st.lists(CELL.filter(bool), min_size=columns, max_size=columns),
            st.lists(st.lists(CELL, min_size=columns, max_size=columns), max_size=4),
            st.lists(st.booleans(), min_size=columns, max_size=columns),
        )
    ),
    st.integers(10, 120),
)
def test_a_table_that_fits_is_drawn_as_rich_draws_it(
    table: tuple[list[str], list[list[str]], list[bool]], width: int
) -> None:
    names, cells, numeric = table
    drawn = _drawn_table(names, cells, numeric, width)
    if drawn is not None:
        assert drawn == _rich_table(names, cells, numeric, width)
        assert all(len(line) <= width for line in drawn.splitlines())


@pytest.mark.parametrize("width", [200, 60])
def test_every_answer_is_the_table_rich_draws(two_lists_kg: Path, width: int) -> None:
    drawn = 0
    engine = open_engine(two_lists_kg, "oxigraph")
    for name, named in sorted(named_queries().items()):
        given_ = dict.fromkeys(named.needs[:1], "Chinese Academy of Sciences")
        result = run_query(engine, named.text, bind_parameters(given_, named))
        cells, numeric = _table_cells(result)
        table = _drawn_table(result.variables, cells, numeric, width)
        if table is not None:
            drawn += 1
            assert table == _rich_table(result.variables, cells, numeric, width), name
    assert drawn >= (8 if width == 200 else 1)  # most answers fit 200 columns
