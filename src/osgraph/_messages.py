"""How osgraph shows text it did not write (names, paths, answers of other servers) in its
messages: every character a terminal would act on escaped, and on one line where it must be."""

from __future__ import annotations

import unicodedata


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on, or that would hide text, written
    as its Python escape (``\\x1b``, ``\\u202e``, ``\\n``): control and format characters,
    line and paragraph separators, surrogates, private-use and unassigned code points. Letters,
    marks, punctuation, symbols and spaces of every script stay as they are.

    Examples
    --------
    >>> printable("北京大学"), printable("\\x1b[31mred\\x1b[0m")
    ('北京大学', '\\\\x1b[31mred\\\\x1b[0m')
    """
    if text.isprintable():
        return text
    return "".join(
        character
        if character.isprintable() or unicodedata.category(character) == "Zs"
        else repr(character)[1:-1]
        for character in text
    )


def one_line(text: str) -> str:
    """``text`` on one line, as :func:`printable` writes it: its white space runs made one space.

    Examples
    --------
    >>> one_line("Bad syntax\\n  at line 3\\x1b[2J")
    'Bad syntax at line 3\\\\x1b[2J'
    """
    return printable(" ".join(text.split()))
