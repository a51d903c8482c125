"""Write Turtle as a stream of statements, one subject at a time.

A graph of a million rows holds tens of millions of triples: building them as rdflib terms in a
``Graph`` and serializing that costs about 3.5 µs a triple and keeps them all in memory, where
formatting each subject's statement as text costs a tenth of that and keeps nothing. The
writer is small, and it trusts nothing it is given: every IRI it writes, wherever it comes from
(the base, a sidecar, the gazetteer, a cell of a list, ROR), passes :func:`iri` (or
:func:`prefixed`, which falls back to it), which refuses anything that is not an absolute IRI by
RFC 3987's syntax; every literal passes :func:`literal`, which escapes what Turtle or a terminal
cannot take raw and refuses what no RDF literal can hold (a lone surrogate). So a name or a link
in the data stays data: it can never close a term and write Turtle of its own.

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
from collections.abc import Callable, Mapping, Sequence
from typing import IO, Protocol

from osgraph._errors import OsgraphError

# What a literal cannot hold raw: the quote and the backslash, and the control characters
# (C0 but tab, DEL, C1), which Turtle would take but which are not text: written as \uXXXX, they
# never reach a terminal or an editor from a .ttl file. Line breaks keep their short escapes.
_ESCAPES = {code: f"\\u{code:04X}" for code in (*range(0x20), *range(0x7F, 0xA0)) if code != 0x09}
_ESCAPES |= {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r"}
_SURROGATE = re.compile("[\ud800-\udfff]")


def _language_pattern() -> re.Pattern[str]:
    """A well-formed language tag (BCP 47, RFC 5646 section 2.1), which Turtle's LANGTAG allows
    and Oxigraph asks for."""
    alnum = "[A-Za-z0-9]"
    language = r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4}|[A-Za-z]{5,8})"
    script, region = r"[A-Za-z]{4}", r"(?:[A-Za-z]{2}|[0-9]{3})"
    variant = rf"(?:{alnum}{{5,8}}|[0-9]{alnum}{{3}})"
    extension = rf"[0-9A-WYZa-wyz](?:-{alnum}{{2,8}})+"
    private = rf"[Xx](?:-{alnum}{{1,8}})+"
    grandfathered = (
        "en-GB-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|"
        "i-pwn|i-tao|i-tay|i-tsu|sgn-BE-FR|sgn-BE-NL|sgn-CH-DE|art-lojban|cel-gaulish|no-bok|"
        "no-nyn|zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang"
    )
    return re.compile(
        rf"{language}(?:-{script})?(?:-{region})?(?:-{variant})*(?:-{extension})*"
        rf"(?:-{private})?|{private}|(?i:{grandfathered})"
    )


_LANGUAGE = _language_pattern()
_LANGUAGES_SEEN: set[str] = set()
# A datatype as written: a prefixed name (checked here) or a full IRI (checked by iri()).
_PREFIXED_NAME = re.compile(r"[A-Za-z](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?:[A-Za-z0-9_]+")
_PREFIX = re.compile(r"(?:[A-Za-z](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?")
# A local name that Turtle accepts after a prefix (ASCII only, which keeps the check simple: a
# slug with other characters is written as a full IRI), where a % starts a two-digit escape.
_LOCAL_NAME = re.compile(r"[A-Za-z0-9_%](?:[A-Za-z0-9_.%/-]*[A-Za-z0-9_%/-])?")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _ranges(spans: list[tuple[int, int]], without: set[int]) -> str:
    """The code points of ``spans`` (inclusive), but those ``without``, as the inside of a
    character class."""
    parts = []
    for first, last in spans:
        start = first
        for code in [*sorted(c for c in without if first <= c <= last), last + 1]:
            if start < code:
                parts.append(chr(start) if start == code - 1 else f"{chr(start)}-{chr(code - 1)}")
            start = code + 1
    return "".join(parts)


# Characters RFC 3987 allows in the letters of an IRI (ucschar) that osgraph does not write:
# the bidirectional formatting characters, which RFC 3987 (section 4.1) says IRIs must not
# hold, with the later isolates; and white space (U+00A0, U+2028, U+3000, ...), which reads as
# an end of the IRI to people and to rdflib's N-Triples parser.
_NOT_IN_IRIS = {
    0x200E,
    0x200F,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    *(code for code in range(0xA0, 0x3001) if chr(code).isspace()),
}
# RFC 3987's ucschar (letters of any script, allowed anywhere) and iprivate (in a query only).
_UCSCHAR = _ranges(
    [(0xA0, 0xD7FF), (0xF900, 0xFDCF), (0xFDF0, 0xFFEF)]
    + [
        (plane << 16 | (0x1000 if plane == 0xE else 0), plane << 16 | 0xFFFD)
        for plane in range(1, 15)
    ],
    _NOT_IN_IRIS,
)
_IPRIVATE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"


def _iri_pattern() -> re.Pattern[str]:
    """RFC 3987's ``IRI`` (an absolute IRI, with an optional fragment), as a regular expression,
    without the characters of ``_NOT_IN_IRIS``.

    Every repetition is possessive (it never gives back what it took, which it never needs to:
    what may follow it is never a character it takes), so a check takes linear time whatever
    the text.
    """
    unreserved = rf"A-Za-z0-9\-._~{_UCSCHAR}"
    sub_delims = r"!$&'()*+,;="
    pct = r"%[0-9A-Fa-f]{2}"
    ipchar = rf"(?:[{unreserved}{sub_delims}:@]|{pct})"
    segment, segment_nz = rf"{ipchar}*+", rf"{ipchar}++"
    h16, dec_octet = "[0-9A-Fa-f]{1,4}", r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
    ls32 = rf"(?:{h16}:{h16}|{dec_octet}(?:\.{dec_octet}){{3}})"
    ipv6 = "|".join(
        [rf"(?:{h16}:){{6}}{ls32}", rf"::(?:{h16}:){{5}}{ls32}"]
        + [
            rf"(?:(?:{h16}:){{0,{before}}}{h16})?::{after}"
            for before, after in [
                (0, rf"(?:{h16}:){{4}}{ls32}"),
                (1, rf"(?:{h16}:){{3}}{ls32}"),
                (2, rf"(?:{h16}:){{2}}{ls32}"),
                (3, rf"{h16}:{ls32}"),
                (4, ls32),
                (5, h16),
                (6, ""),
            ]
        ]
    )
    ip_literal = rf"\[(?:{ipv6}|v[0-9A-Fa-f]++\.[A-Za-z0-9\-._~{sub_delims}:]++)\]"
    userinfo = rf"(?:[{unreserved}{sub_delims}:]|{pct})*+"
    reg_name = rf"(?:[{unreserved}{sub_delims}]|{pct})*+"
    authority = rf"(?:{userinfo}@)?(?:{ip_literal}|{reg_name})(?::[0-9]*+)?"
    hier_part = (
        rf"(?://{authority}(?:/{segment})*+"
        rf"|/(?:{segment_nz}(?:/{segment})*+)?"
        rf"|{segment_nz}(?:/{segment})*+"
        r"|)"
    )
    query = rf"(?:{ipchar}|[/?{_IPRIVATE}])*+"
    fragment = rf"(?:{ipchar}|[/?])*+"
    scheme = r"[A-Za-z][A-Za-z0-9+\-.]*+"
    return re.compile(rf"{scheme}:{hier_part}(?:\?{query})?(?:#{fragment})?")


IRI_PATTERN = _iri_pattern()
"""RFC 3987's syntax of an absolute IRI (``IRI``); match it with ``fullmatch``."""

# The characters an IRI may hold somewhere (to name the first one it may not).
_IRI_CHARACTER = re.compile(rf"[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]%{_UCSCHAR}{_IPRIVATE}]")


def iri_problem(text: str) -> str | None:
    """What makes ``text`` not an absolute IRI by RFC 3987's syntax, or None when it is one.

    Examples
    --------
    >>> iri_problem("https://example.org/a?b#c") is None
    True
    >>> iri_problem("https://example.org/a b")
    "it holds ' ' (U+0020) at position 21"
    >>> iri_problem("not-a-url")
    'it is not absolute: it has no scheme such as https:'
    """
    if IRI_PATTERN.fullmatch(text):
        return None
    for position, character in enumerate(text):
        if not _IRI_CHARACTER.fullmatch(character):
            return f"it holds {character!r} (U+{ord(character):04X}) at position {position}"
    if not re.match(r"[A-Za-z][A-Za-z0-9+\-.]*:", text):
        return "it is not absolute: it has no scheme such as https:"
    if text.count("#") > 1:
        return "it has a second '#'"
    if re.search(r"%(?![0-9A-Fa-f]{2})", text):
        return "it has a '%' that two hexadecimal digits do not follow"
    return "it is not well-formed (RFC 3987)"


def is_language_tag(text: str) -> bool:
    """Whether ``text`` is a well-formed language tag (BCP 47), as a literal's language must be.

    Examples
    --------
    >>> is_language_tag("zh-Hans"), is_language_tag("en ; <x>"), is_language_tag("a")
    (True, False, False)
    """
    return text in _LANGUAGES_SEEN or _LANGUAGE.fullmatch(text) is not None


def check_iri(text: str, what: str | None = None) -> str:
    """``text``, when it is an absolute IRI by RFC 3987's syntax; else an error that names it,
    and ``what`` it was to be (``"the base IRI"``).

    Raises
    ------
    OsgraphError
        When ``text`` is not an IRI.
    """
    if IRI_PATTERN.fullmatch(text) is None:
        named = f"{what} {text!r}" if what else repr(text)
        raise OsgraphError(
            f"{named} is not an IRI (RFC 3987): {iri_problem(text)}; osgraph writes no graph "
            "with it"
        )
    return text


def literal(text: str, *, language: str | None = None, datatype: str | None = None) -> str:
    """A literal as Turtle writes it; ``datatype`` is a term as written (``xsd:date``).

    Raises
    ------
    OsgraphError
        When ``text`` holds a lone surrogate (no RDF literal can), or ``language`` is not a
        language tag, or ``datatype`` is not a term.

    Examples
    --------
    >>> literal("a\\nb"), literal("2023-07-01", datatype="xsd:date")
    ('"a\\\\nb"', '"2023-07-01"^^xsd:date')
    >>> literal("bell\\x07")
    '"bell\\\\u0007"'
    """
    # str.translate costs some 2 µs on a row's text; most texts have nothing to escape, and
    # every character to escape is one Python does not print.
    if not text.isprintable() or '"' in text or "\\" in text:
        if _SURROGATE.search(text):
            raise OsgraphError(f"the text {text!r} holds a lone surrogate, which RDF cannot hold")
        text = text.translate(_ESCAPES)
    quoted = f'"{text}"'
    if language:
        if language not in _LANGUAGES_SEEN:
            if not is_language_tag(language):
                raise OsgraphError(
                    f"{language!r} is not a language tag (BCP 47, such as en or zh-Hans)"
                )
            _LANGUAGES_SEEN.add(language)
        return f"{quoted}@{language}"
    if datatype:
        if datatype.startswith("<") and datatype.endswith(">"):
            check_iri(datatype[1:-1], "the datatype")
        elif not _PREFIXED_NAME.fullmatch(datatype):
            raise OsgraphError(f"the datatype {datatype!r} is not a term (such as xsd:date)")
        return f"{quoted}^^{datatype}"
    return quoted


def integer(value: int) -> str:
    """An ``xsd:integer`` literal in Turtle's short form."""
    return str(value)


def iri(text: str) -> str:
    """A full IRI as Turtle writes it.

    Every IRI osgraph writes comes through here (or through :func:`prefixed`, whose IRIs
    are checked here when they are not written with a prefix).

    Raises
    ------
    OsgraphError
        When ``text`` is not an absolute IRI by RFC 3987's syntax: not absolute, or holding a
        character an IRI cannot hold (space, ``<``, ``>``, ``"``, ``{``, ``}``, ``|``, ``\\``,
        ``^``, backquote, a control character), or malformed (a second ``#``, a lone ``%``).

    Examples
    --------
    >>> iri("https://example.org/清华大学")
    '<https://example.org/清华大学>'
    >>> iri("https://example.org/> . <https://evil.example/s")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    osgraph.OsgraphError: '...' is not an IRI (RFC 3987): it holds '>' (U+003E) at ...
    """
    if IRI_PATTERN.fullmatch(text) is None:
        check_iri(text)
    return f"<{text}>"


def prefixed(prefix: str, namespace: str, local: str) -> str:
    """``prefix:local`` when Turtle allows ``local`` after a prefix, else the full IRI.

    A ``/`` in ``local`` is escaped, as Turtle asks. The full IRI is checked as :func:`iri`
    checks it; ``prefix`` must be declared as ``namespace`` (which :class:`TurtleWriter`
    checks).

    Examples
    --------
    >>> prefixed("project", "https://example.org/project/", "c%2B%2B")
    'project:c%2B%2B'
    >>> prefixed("row", "https://example.org/list/", "open100/line/7")
    'row:open100\\\\/line\\\\/7'
    >>> prefixed("project", "https://example.org/project/", "清华大学")
    '<https://example.org/project/清华大学>'
    """
    if _LOCAL_NAME.fullmatch(local) and not ("%" in local and _LONE_PERCENT.search(local)):
        return f"{prefix}:{local.replace('/', chr(92) + '/')}"
    return iri(f"{namespace}{local}")


class Text(Protocol):
    """Where Turtle is written: a text file, or anything that takes its text."""

    def write(self, text: str, /) -> object: ...


class TurtleWriter:
    """Writes prefixes, then one statement per subject, to a text file; counts the triples.

    The caller writes each triple once: Turtle allows a triple twice, but the count would then
    be wrong.
    """

    def __init__(
        self,
        out: IO[str] | Text,
        prefixes: Mapping[str, str],
        check: Callable[[str, Sequence[tuple[str, str]]], None] | None = None,
    ) -> None:
        self._write = out.write
        self.triples = 0
        self.check = check
        """Told each subject and all its pairs, before they are written."""
        for prefix, namespace in prefixes.items():
            if not _PREFIX.fullmatch(prefix):
                raise OsgraphError(f"{prefix!r} is not a Turtle prefix (such as ex)")
            check_iri(namespace, f"the namespace of the prefix {prefix}:")
            self._write(f"@prefix {prefix}: <{namespace}> .\n")
        self._write("\n")

    def statement(self, subject: str, pairs: Sequence[tuple[str, str]]) -> None:
        """Write every ``(predicate, object)`` of ``subject`` as one statement, once the check
        is told of them.

        Objects of the same predicate that follow one another share it (``p o1, o2``). Nothing
        is written when ``pairs`` is empty.
        """
        if self.check is not None:
            self.check(subject, pairs)
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
