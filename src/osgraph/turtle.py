"""Write Turtle as a stream of statements, one subject at a time.

A graph of a million rows holds tens of millions of triples: building them as rdflib terms in a
``Graph`` and serializing that costs about 3.5 µs a triple and keeps them all in memory, where
formatting each subject's statement as text costs a tenth of that and keeps nothing. The
writer is small because what it writes is: osgraph mints its IRIs with characters that are safe
in an IRI (:mod:`osgraph.iri`), and checks every web address it reads, so terms need no
checking here, only literals need escaping.

Examples
--------
>>> import io
>>> out = io.StringIO()
>>> writer = TurtleWriter(out, {"ex": "https://example.org/"})
>>> writer.statement("ex:a", [("a", "ex:Thing"), ("ex:name", literal('Say "hi"', language="en"))])
>>> print(out.getvalue())
@prefix ex: <https://example.org/> .
<BLANKLINE>
ex:a a ex:Thing ;
    ex:name "Say \\"hi\\""@en .
<BLANKLINE>
>>> writer.triples
2
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import IO

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
# A local name that Turtle accepts after a prefix (ASCII only, which keeps the check simple: a
# slug with other characters is written as a full IRI).
_LOCAL_NAME = re.compile(r"[A-Za-z0-9_%](?:[A-Za-z0-9_.%/-]*[A-Za-z0-9_%/-])?")


def literal(text: str, *, language: str | None = None, datatype: str | None = None) -> str:
    """A literal as Turtle writes it; ``datatype`` is a term as written (``xsd:date``).

    Examples
    --------
    >>> literal("a\\nb"), literal("2023-07-01", datatype="xsd:date")
    ('"a\\\\nb"', '"2023-07-01"^^xsd:date')
    """
    # str.translate costs some 2 µs on a row's text; most texts have nothing to escape.
    if '"' in text or "\\" in text or "\n" in text or "\r" in text:
        text = text.translate(_ESCAPES)
    quoted = f'"{text}"'
    if language:
        return f"{quoted}@{language}"
    if datatype:
        return f"{quoted}^^{datatype}"
    return quoted


def integer(value: int) -> str:
    """An ``xsd:integer`` literal in Turtle's short form."""
    return str(value)


def iri(text: str) -> str:
    """A full IRI as Turtle writes it (``text`` must be a valid IRI)."""
    return f"<{text}>"


def prefixed(prefix: str, namespace: str, local: str) -> str:
    """``prefix:local`` when Turtle allows ``local`` after a prefix, else the full IRI.

    A ``/`` in ``local`` is escaped, as Turtle asks.

    Examples
    --------
    >>> prefixed("project", "https://example.org/project/", "c%2B%2B")
    'project:c%2B%2B'
    >>> prefixed("row", "https://example.org/list/", "open100/line/7")
    'row:open100\\\\/line\\\\/7'
    >>> prefixed("project", "https://example.org/project/", "清华大学")
    '<https://example.org/project/清华大学>'
    """
    if _LOCAL_NAME.fullmatch(local):
        return f"{prefix}:{local.replace('/', chr(92) + '/')}"
    return f"<{namespace}{local}>"


class TurtleWriter:
    """Writes prefixes, then one statement per subject, to a text file; counts the triples.

    The caller writes each triple once: Turtle allows a triple twice, but the count would then
    be wrong.
    """

    def __init__(self, out: IO[str], prefixes: Mapping[str, str]) -> None:
        self._write = out.write
        self.triples = 0
        for prefix, namespace in prefixes.items():
            self._write(f"@prefix {prefix}: <{namespace}> .\n")
        self._write("\n")

    def statement(self, subject: str, pairs: Sequence[tuple[str, str]]) -> None:
        """Write every ``(predicate, object)`` of ``subject`` as one statement.

        Objects of the same predicate that follow one another share it (``p o1, o2``). Nothing
        is written when ``pairs`` is empty.
        """
        parts = [subject]
        last = ""
        for predicate, value in pairs:
            if predicate == last:
                parts += (", ", value)
            else:
                parts += (" ;\n    " if last else " ", predicate, " ", value)
                last = predicate
        if last:
            self.triples += len(pairs)
            parts.append(" .\n")
            self._write("".join(parts))
