"""Tables whose keys have one value, or a list of several: in the large ones (the ROR index's
names, the values a check waits for) most keys have one, and a list for each would cost more
memory than the values themselves."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def add_one(table: dict[K, V | list[V]], key: K, value: V) -> None:
    """Add ``value`` to the values of ``key`` in ``table`` (a value is neither a list nor
    None).

    Examples
    --------
    >>> table = {}
    >>> add_one(table, "a", 1); add_one(table, "b", 2); add_one(table, "b", 3)
    >>> table
    {'a': 1, 'b': [2, 3]}
    """
    found = table.get(key)
    if found is None:
        table[key] = value
    elif isinstance(found, list):
        found.append(value)
    else:
        table[key] = [found, value]


def each(found: V | list[V]) -> list[V]:
    """The values a key of such a table has (``found``), as a list.

    Examples
    --------
    >>> each(1), each([2, 3])
    ([1], [2, 3])
    """
    return found if isinstance(found, list) else [found]
