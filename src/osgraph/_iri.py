"""Mint IRIs: readable, stable, valid for any Unicode name, and never shared by two things.

Every IRI is ``BASE + kind + "/" + slug``. The kind (``project``, ``institution``, ...) keeps a
project and an institution of the same name apart. The slug is the name's identity key
(:func:`osgraph._names.name_key`) written so that no two keys give the same slug: letters and
digits of any script stay as they are, a space becomes ``_``, and every other character is
percent-encoded (``_`` itself included), as is a leading ``.`` that would make a ``.``/``..``
path segment.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from osgraph._errors import ConfigurationError
from osgraph._turtle import IRI_PATTERN, iri_problem, prefixed

_KEEP = frozenset("-.")
# Keys whose slug is the key with spaces as ``_``: the common case, and a quick one.
_PLAIN_KEY = re.compile(r"[A-Za-z0-9-][A-Za-z0-9 .-]*")
# A web address: its scheme, and its authority (checked for a host; the whole address is
# checked as an IRI, RFC 3987).
_WEB_ADDRESS = re.compile(r"https?://(?P<authority>[^/?#]*)")


@lru_cache(maxsize=1 << 16)
def slug(key: str) -> str:
    """Write an identity key as one IRI path segment; distinct keys give distinct slugs.

    Examples
    --------
    >>> slug("service weaver")
    'service_weaver'
    >>> slug("comprehensive-rust"), slug("fly.io"), slug("c++")
    ('comprehensive-rust', 'fly.io', 'c%2B%2B')
    >>> slug("a b"), slug("a_b"), slug("a/b")
    ('a_b', 'a%5Fb', 'a%2Fb')
    >>> slug("清华大学")
    '清华大学'
    """
    if not key:
        raise ValueError("cannot mint an IRI for an empty name")
    if _PLAIN_KEY.fullmatch(key):
        return key.replace(" ", "_")
    parts = []
    for position, character in enumerate(key):
        if character == " ":
            parts.append("_")
        elif (character.isalnum() and _is_iri_character(character)) or (
            character in _KEEP and not (position == 0 and character == ".")
        ):
            parts.append(character)
        else:
            parts.append("".join(f"%{byte:02X}" for byte in character.encode()))
    return "".join(parts)


def is_web_address(text: str) -> bool:
    """Whether ``text`` is an http(s) address that can stand in the graph as an IRI.

    The whole text must be an absolute IRI by RFC 3987's syntax, with a host: no space, no
    ``<``, ``>``, ``"``, ``{``, ``}``, ``|``, ``\\``, ``^``, backquote or control character
    anywhere, not even a final line break.

    Examples
    --------
    >>> is_web_address("https://graphscope.io"), is_web_address("javascript:alert(1)")
    (True, False)
    >>> is_web_address("https://example.org/a b"), is_web_address("https://example.org/<x>")
    (False, False)
    >>> is_web_address("https://example.org/\\n"), is_web_address("https:///no-host")
    (False, False)
    """
    found = _WEB_ADDRESS.match(text)
    if found is None or IRI_PATTERN.fullmatch(text) is None:
        return False
    host = found["authority"].rpartition("@")[2]
    return bool(host if host.startswith("[") else host.partition(":")[0])


def _is_iri_character(character: str) -> bool:
    """Whether a letter or digit may stand unencoded in an IRI path (RFC 3987 ``iunreserved``)."""
    code = ord(character)
    if code < 0x80:
        return True
    # Letters and digits outside these ranges (compatibility blocks, non-characters) are encoded.
    return (
        0xA0 <= code <= 0xD7FF
        or 0xF900 <= code <= 0xFDCF
        or 0xFDF0 <= code <= 0xFFEF
        or (0x10000 <= code <= 0xEFFFD and (code & 0xFFFF) < 0xFFFE)
    )


class IriScheme:
    """The IRIs of one graph, all under ``base``, as plain strings.

    Examples
    --------
    >>> iris = IriScheme("https://example.org/")
    >>> iris.project("langchain"), iris.institution("langchain")
    ('https://example.org/project/langchain', 'https://example.org/institution/langchain')
    >>> iris.turtle(iris.row("open100", 7)), iris.turtle(iris.project("清华大学"))
    ('list:open100\\\\/line\\\\/7', '<https://example.org/project/清华大学>')
    """

    KINDS = ("project", "institution", "country", "contribution", "list", "series", "agent")
    """The kinds of things osgraph mints IRIs for; each is also the prefix of its namespace."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        if not parts.scheme or not (parts.netloc or parts.scheme == "urn"):
            raise ConfigurationError(f"the base IRI {base!r} is not absolute (say https://...)")
        separators = (":", "/", "#") if parts.scheme == "urn" else ("/", "#")
        if not base.endswith(separators):
            raise ConfigurationError(
                f"the base IRI {base!r} must end with {' or '.join(map(repr, separators))}"
            )
        problem = iri_problem(base)
        if problem is not None:
            raise ConfigurationError(f"the base IRI {base!r} is not an IRI (RFC 3987): {problem}")
        self.base = base
        self.namespaces = {kind: f"{base}{kind}/" for kind in self.KINDS}
        """The namespace of each kind of thing, by its prefix."""

    def turtle(self, iri: str) -> str:
        """``iri``, minted by this scheme, as Turtle writes it: prefixed when it can be."""
        kind, _, local = iri[len(self.base) :].partition("/")
        return prefixed(kind, self.namespaces[kind], local)

    def project(self, key: str) -> str:
        """The IRI of the project whose identity key is ``key``."""
        return f"{self.base}project/{slug(key)}"

    def institution(self, key: str) -> str:
        """The IRI of the institution whose identity key is ``key``."""
        return f"{self.base}institution/{slug(key)}"

    def country(self, key: str) -> str:
        """The IRI of the country whose identity key is ``key``."""
        return f"{self.base}country/{slug(key)}"

    def contribution(self, project: str, institution: str, country: str) -> str:
        """The IRI of one (project, institution, country) contribution."""
        path = self.contribution_path(slug(project), slug(institution), slug(country))
        return f"{self.base}contribution/{path}"

    @staticmethod
    def contribution_path(project_slug: str, institution_slug: str, country_slug: str) -> str:
        """The path of a contribution's IRI in its namespace, from the slugs of its project,
        institution and country (a writer that made them already need not make them again).

        Examples
        --------
        >>> IriScheme.contribution_path("graphscope", "alibaba_group", "CN")
        'graphscope/alibaba_group/CN'
        """
        return f"{project_slug}/{institution_slug}/{country_slug}"

    def edition(self, list_id: str) -> str:
        """The IRI of a list edition."""
        return f"{self.base}list/{slug(list_id)}"

    def row(self, list_id: str, line: int) -> str:
        """The IRI of the row of a list edition that starts on ``line``."""
        return f"{self.base}list/{slug(list_id)}/line/{line}"

    def series(self, series_id: str) -> str:
        """The IRI of a series of lists."""
        return f"{self.base}series/{slug(series_id)}"

    def agent(self, key: str) -> str:
        """The IRI of the organisation that publishes lists whose identity key is ``key``."""
        return f"{self.base}agent/{slug(key)}"
