"""Read gazetteer files into entries: ``data/institutions.toml`` and ``data/projects.toml``, or
a user's file of the same form, refusing what the graph could not hold or would hold wrongly.

Every fact must be well formed (an ISO 3166-1 country, a Wikidata item id, a ROR id, an http(s)
homepage, one of :data:`KINDS`) and have a source, or be written ``"unknown"``; a field osgraph
does not read, a name two entries claim, a parent with no entry and parents that go round in a
circle are refused. Every refusal names the file, the line of the entry and the field.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pycountry

from osgraph._errors import ReadWriteError, SourceError
from osgraph._iri import is_web_address
from osgraph._names import name_key
from osgraph._vocabulary import INSTITUTION_KINDS

UNKNOWN = "unknown"
KINDS = tuple(INSTITUTION_KINDS)
_FACTS = ("kind", "country", "homepage", "wikidata", "ror")
# \A and \Z, not ^ and $: $ also matches before a final newline ("Q42\n").
WIKIDATA_ID = re.compile(r"\AQ[1-9][0-9]*\Z")
# ROR ids: a leading 0, six characters of Crockford base32, and a two-digit checksum.
ROR_ID = re.compile(r"\A0[0-9a-hj-km-np-tv-z]{6}[0-9]{2}\Z")


@dataclass(frozen=True, slots=True)
class InstitutionFacts:
    """One gazetteer entry. A fact that no source states is ``None``."""

    name: str
    aliases: tuple[str, ...]
    kind: str | None
    country: str | None
    homepage: str | None
    wikidata: str | None
    ror: str | None
    parent: str | None
    sources: Mapping[str, str]
    note: str | None


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    """What is known of a project. A fact that no source states is ``None`` (or empty)."""

    name: str
    repositories: tuple[str, ...]
    homepage: str | None
    wikidata: str | None
    domain: str | None
    sources: Mapping[str, str]
    note: str | None


def _read_toml(path: Path) -> tuple[dict[str, object], str]:
    """The settings of the TOML file ``path``, and its text."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReadWriteError(f"{path}: no such file") from None
    except UnicodeDecodeError as error:
        raise SourceError(path, f"cannot be read: {error}") from None
    except OSError as error:
        raise ReadWriteError(f"{path}: cannot be read: {error}") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as error:
        at = _TOML_ERROR_LINE.search(str(error))
        raise SourceError(
            path, f"not valid TOML: {error}", line=int(at["line"]) if at else None
        ) from None


_TOML_ERROR_LINE = re.compile(r"\(at line (?P<line>[0-9]+), column [0-9]+\)\Z")
_INSTITUTION_FIELDS = (
    "name",
    "aliases",
    *_FACTS,
    "parent",
    "source",
    "sources",
    "note",
)
_PROJECT_FIELDS = (
    "name",
    "repositories",
    "homepage",
    "wikidata",
    "domain",
    "source",
    "sources",
    "note",
)


def _tables(settings: dict[str, object], name: str, path: Path) -> list[object]:
    entries = settings.get(name, [])
    if not isinstance(entries, list):
        raise SourceError(path, f"entries must be [[{name}]] tables")
    return entries


def read_institutions(
    path: Path, known: Iterable[InstitutionFacts] = ()
) -> tuple[InstitutionFacts, ...]:
    """The entries of the institutions file ``path``; their parents may also be entries of
    ``known``.

    Raises
    ------
    ReadWriteError
        When the file is missing or cannot be read.
    SourceError
        When it is not UTF-8 TOML, or an entry is refused (see the module's introduction).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as file:
    ...     _ = file.write('[[institution]]\\nname = "Jq Lab"\\nkind = "lab"\\n')
    ...     _ = file.write('source = "https://example.org/"\\n')
    >>> entries = read_institutions(Path(file.name))
    >>> [(facts.name, facts.kind, dict(facts.sources)) for facts in entries]
    [('Jq Lab', 'lab', {'kind': 'https://example.org/'})]
    """
    settings, text = _read_toml(path)
    _check_top_level(settings, "institution", path)
    entries = _tables(settings, "institution", path)
    lines = _name_lines(text, "institution", entries)
    institutions = [
        _institution(entry, path, line) for entry, line in zip(entries, lines, strict=True)
    ]
    _check_names_and_parents(institutions, path, lines, tuple(known))
    return tuple(institutions)


def _check_top_level(settings: dict[str, object], name: str, path: Path) -> None:
    """Refuse what a gazetteer file holds besides its ``[[name]]`` entries: a misspelt table
    (``[[institutions]]``) would otherwise load as no entries at all."""
    for key in settings:
        if key != name:
            raise SourceError(
                path, f"{key!r} is not a table osgraph reads here: write each entry as [[{name}]]"
            )


def read_projects(path: Path, domains: Collection[str]) -> tuple[ProjectFacts, ...]:
    """The entries of the projects file ``path``, whose domains must be among ``domains``.

    Raises
    ------
    ReadWriteError
        When the file is missing or cannot be read.
    SourceError
        When it is not UTF-8 TOML, or an entry is refused (see the module's introduction).
    """
    settings, text = _read_toml(path)
    _check_top_level(settings, "project", path)
    entries = _tables(settings, "project", path)
    lines = _name_lines(text, "project", entries)
    projects = [
        _project(entry, path, line, domains) for entry, line in zip(entries, lines, strict=True)
    ]
    seen: dict[str, tuple[str, int | None]] = {}
    for facts, line in zip(projects, lines, strict=True):
        key = name_key(facts.name)
        if key in seen:
            first, first_line = seen[key]
            raise SourceError(
                path,
                f"{facts.name}: {first!r} already has an entry{_on_line(first_line)}",
                line=line,
                cell="name",
            )
        seen[key] = facts.name, line
    return tuple(projects)


def _on_line(line: int | None) -> str:
    return "" if line is None else f" (line {line})"


# A name in an entry written inline, { name = "..." }, or on a line of its own.
_NAME_LINE = re.compile(
    r"""(?:\A|[{,\s])(?:name|"name"|'name')\s*=\s*(?P<value>"(?:[^"\\]|\\.)*"|'[^']*')"""
)
_NAME_KEY = re.compile(r"""\s*(?:name|"name"|'name')\s*=""")


def _name_lines(text: str, table: str, entries: list[object]) -> list[int | None]:
    """The line of each entry's ``name = ...`` (of its ``[[table]]`` header, when it has no
    name), in the order of ``entries``, so that errors can point at it; read in one pass (a
    gazetteer of 10,000 entries would otherwise take seconds).

    Entries are told apart by their headers, not by their names: two entries of one name each
    get their own line, whatever quotes the name is written in.
    """
    header = re.compile(rf"""\s*\[\[\s*(?:{table}|"{table}"|'{table}')\s*\]\]\s*(?:#.*)?\Z""")
    headers: list[int] = []
    names: list[int | None] = []
    inside = False  # in an entry's own keys, not in a sub-table such as [institution.sources]
    for number, line in enumerate(text.split("\n"), 1):
        if header.match(line):
            headers.append(number)
            names.append(None)
            inside = True
        elif line.lstrip().startswith("["):
            inside = False
        elif inside and names[-1] is None and _NAME_KEY.match(line):
            names[-1] = number
    if len(headers) == len(entries):
        return [name or at for name, at in zip(names, headers, strict=True)]
    # Entries written otherwise (an inline array of tables): by their names.
    by_name: dict[str, list[int]] = {}
    for number, line in enumerate(text.split("\n"), 1):
        for found in _NAME_LINE.finditer(line):
            try:
                name = tomllib.loads(f"name = {found['value']}")["name"]
            except tomllib.TOMLDecodeError:
                continue
            by_name.setdefault(name, []).append(number)
    lines: list[int | None] = []
    for entry in entries:
        name = entry.get("name") if isinstance(entry, dict) else None
        found_lines = by_name.get(name, []) if isinstance(name, str) else []
        lines.append(found_lines.pop(0) if found_lines else None)
    return lines


def _check_fields(
    entry: dict[str, object], known: tuple[str, ...], fail: Callable[[str, str], SourceError]
) -> None:
    """Refuse a field osgraph does not read: a misspelt one (``aliasses``) would otherwise be
    dropped without a word."""
    for key in entry:
        if key not in known:
            raise fail(key, f"{key!r} is not a field osgraph reads: use {', '.join(known)}")


def _name_problem(name: str, what: str) -> str | None:
    """What is wrong with a name: empty, or holding a control character or a line break."""
    if not name.strip():
        return f"{what} is empty"
    if name.isprintable():  # most names: no control character, no line break
        return None
    odd = next((c for c in name if unicodedata.category(c) in ("Cc", "Zl", "Zp")), None)
    if odd is not None:
        return f"{what} {name!r} holds a control character or a line break (U+{ord(odd):04X})"
    return None


def _institution(entry: object, path: Path, line: int | None) -> InstitutionFacts:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise SourceError(path, "every [[institution]] needs a name", line=line, cell="name")
    name: str = entry["name"]
    problem = _name_problem(name, "the name")
    if problem is not None:
        raise SourceError(path, problem, line=line, cell="name")

    fail = _failure(path, name, line)
    _check_fields(entry, _INSTITUTION_FIELDS, fail)
    facts: dict[str, str | None] = {}
    for field in _FACTS:
        value = entry.get(field, UNKNOWN)
        if not isinstance(value, str) or not value:
            raise fail(field, f'{field} must be a string ("unknown" when no source states it)')
        facts[field] = None if value == UNKNOWN else value
    if facts["kind"] is not None and facts["kind"] not in KINDS:
        raise fail("kind", f"kind {facts['kind']!r} is not one of {', '.join(KINDS)}")
    if facts["country"] is not None and (
        pycountry.countries.get(alpha_2=facts["country"]) is None
        or not re.fullmatch(r"[A-Z]{2}", facts["country"])
    ):
        raise fail("country", f"{facts['country']!r} is not an ISO 3166-1 alpha-2 code")
    _check_wikidata_and_homepage(facts["wikidata"], facts["homepage"], fail)
    if facts["ror"] is not None and not ROR_ID.match(facts["ror"]):
        raise fail("ror", f"{facts['ror']!r} is not a ROR id (such as 03cve4549)")

    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(alias, str) for alias in aliases):
        raise fail("aliases", "aliases must be a list of names")
    for alias in aliases:
        if (problem := _name_problem(alias, "an alias")) is not None:
            raise fail("aliases", problem)
    parent = entry.get("parent")
    if parent is not None:
        if not isinstance(parent, str):
            raise fail("parent", "parent must be the name of another entry, as a string")
        if (problem := _name_problem(parent, "the parent")) is not None:
            raise fail("parent", problem)
        if name_key(parent) in {name_key(own) for own in (name, *aliases)}:
            raise fail("parent", f"{parent!r} is the entry itself: an entry is not its own parent")
    note = entry.get("note")
    if note is not None and not isinstance(note, str):
        raise fail("note", "note must be a string")
    stated = [field for field in _FACTS if facts[field] is not None]
    if parent is not None:
        stated.append("parent")
    sources = _sources(entry, stated, fail, (*_FACTS, "parent", "aliases"))
    return InstitutionFacts(
        name=name,
        aliases=tuple(aliases),
        kind=facts["kind"],
        country=facts["country"],
        homepage=facts["homepage"],
        wikidata=facts["wikidata"],
        ror=facts["ror"],
        parent=parent,
        sources=sources,
        note=note,
    )


def _project(entry: object, path: Path, line: int | None, domains: Collection[str]) -> ProjectFacts:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise SourceError(path, "every [[project]] needs a name", line=line, cell="name")
    name: str = entry["name"]
    problem = _name_problem(name, "the name")
    if problem is not None:
        raise SourceError(path, problem, line=line, cell="name")
    fail = _failure(path, name, line)
    _check_fields(entry, _PROJECT_FIELDS, fail)
    repositories = entry.get("repositories", UNKNOWN)
    if repositories == UNKNOWN:
        repositories = []
    if not isinstance(repositories, list) or not all(
        isinstance(url, str) and is_web_address(url) for url in repositories
    ):
        raise fail("repositories", 'repositories must be a list of http(s) URLs, or "unknown"')
    facts: dict[str, str | None] = {}
    for field in ("homepage", "wikidata", "domain"):
        value = entry.get(field, UNKNOWN)
        if not isinstance(value, str) or not value:
            raise fail(field, f'{field} must be a string ("unknown" when no source states it)')
        facts[field] = None if value == UNKNOWN else value
    _check_wikidata_and_homepage(facts["wikidata"], facts["homepage"], fail)
    if facts["domain"] is not None and facts["domain"] not in domains:
        raise fail(
            "domain",
            f"domain {facts['domain']!r} is not in ontology/domains.ttl "
            f"({', '.join(sorted(domains))})",
        )
    stated = [field for field, value in facts.items() if value is not None]
    if repositories:
        stated.append("repositories")
    note = entry.get("note")
    if note is not None and not isinstance(note, str):
        raise fail("note", "note must be a string")
    return ProjectFacts(
        name=name,
        repositories=tuple(repositories),
        homepage=facts["homepage"],
        wikidata=facts["wikidata"],
        domain=facts["domain"],
        sources=_sources(entry, stated, fail, ("homepage", "wikidata", "domain", "repositories")),
        note=note,
    )


def _failure(path: Path, name: str, line: int | None) -> Callable[[str, str], SourceError]:
    def fail(field: str, message: str) -> SourceError:
        return SourceError(path, f"{name}: {message}", line=line, cell=field)

    return fail


def _check_wikidata_and_homepage(
    wikidata: str | None, homepage: str | None, fail: Callable[[str, str], SourceError]
) -> None:
    if wikidata is not None and not WIKIDATA_ID.match(wikidata):
        raise fail("wikidata", f"{wikidata!r} is not a Wikidata item id (Q...)")
    if homepage is not None and not is_web_address(homepage):
        raise fail("homepage", f"{homepage!r} is not an http(s) URL")


def _sources(
    entry: dict[str, object],
    stated: list[str],
    fail: Callable[[str, str], SourceError],
    fields: tuple[str, ...] = (),
) -> dict[str, str]:
    """The source of every stated fact: ``sources.<field>``, else ``source``; refuse a fact
    that has neither, a source that is not an http(s) URL, and a source for a field that is not
    one of ``fields``."""
    extra = entry.get("sources", {})
    if not isinstance(extra, dict):
        raise fail("sources", "sources must be a table of field = URL")
    for field, source in extra.items():
        if fields and field not in fields:
            raise fail(
                "sources", f"sources.{field}: {field!r} is not a field ({', '.join(fields)})"
            )
        if not isinstance(source, str) or not is_web_address(source):
            raise fail("sources", f"sources.{field} must be an http(s) URL")
    default = entry.get("source")
    if default is not None and (not isinstance(default, str) or not is_web_address(default)):
        raise fail("source", "source must be an http(s) URL")
    sources: dict[str, str] = {}
    for field in stated:
        source = extra.get(field, default)
        if not isinstance(source, str):
            raise fail(field, f"{field} has no source: add source = URL, or write unknown")
        sources[field] = source
    return sources


def _check_names_and_parents(
    institutions: list[InstitutionFacts],
    path: Path,
    lines: Sequence[int | None],
    known: Sequence[InstitutionFacts] = (),
) -> None:
    """Refuse a name (or alias) that two entries claim, a parent that has no entry, and parents
    that go round in a circle (through ``known`` entries too, which the file's replace)."""
    owners: dict[str, int] = {}  # name key -> the index of the entry that claims it
    for index, facts in enumerate(institutions):
        for field, name in [("name", facts.name), *(("aliases", a) for a in facts.aliases)]:
            key = name_key(name)
            owner = owners.setdefault(key, index)
            if owner != index:
                raise SourceError(
                    path,
                    f"{facts.name}: the name {name!r} already names "
                    f"{institutions[owner].name}{_on_line(lines[owner])}",
                    line=lines[index],
                    cell=field,
                )
    names = {facts.name for facts in institutions} | {facts.name for facts in known}
    for facts, line in zip(institutions, lines, strict=True):
        if facts.parent is not None and facts.parent not in names:
            raise SourceError(
                path,
                f"{facts.name}: the parent {facts.parent!r} has no entry of its own",
                line=line,
                cell="parent",
            )
    # Parents as lookups find them: by any name or alias, the file's entries over known ones.
    entry_of: dict[str, InstitutionFacts] = {}
    for facts in (*known, *institutions):
        for name in (facts.name, *facts.aliases):
            entry_of[name_key(name)] = facts
    for facts, line in zip(institutions, lines, strict=True):
        chain = [facts]
        above = entry_of.get(name_key(facts.parent)) if facts.parent else None
        while above is not None and not any(above is entry for entry in chain):
            chain.append(above)
            above = entry_of.get(name_key(above.parent)) if above.parent else None
        if above is facts:
            circle = " → ".join(entry.name for entry in [*chain, facts])
            raise SourceError(
                path,
                f"{facts.name}: its parents go round in a circle ({circle})",
                line=line,
                cell="parent",
            )
