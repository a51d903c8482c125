"""The gazetteer: what osgraph knows about institutions, projects and countries, from ``data/``.

Institutions come from ``data/institutions.toml`` (or a file of the same form that the user
names): canonical name, aliases, kind, headquarters country, homepage, Wikidata and ROR ids,
parent, and the source of every fact. Projects come from ``data/projects.toml`` (or the user's):
repositories, homepage, Wikidata id and a domain of the SKOS scheme in ``ontology/domains.ttl``.
Countries come from :mod:`osgraph._countries` (ISO 3166, CLDR and ``data/countries.toml``).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import pycountry

from osgraph import _resources
from osgraph._countries import Area, Country, CountryNames, country_names
from osgraph._errors import SourceError
from osgraph._iri import is_web_address
from osgraph._names import name_key
from osgraph._ror import RorIndex, RorMatch, RorRecord, ror_index
from osgraph._vocabulary import domains

UNKNOWN = "unknown"
KINDS = (
    "university",
    "company",
    "research-institute",
    "government-lab",
    "foundation-or-community",
    "lab",
)
_FACTS = ("kind", "country", "homepage", "wikidata", "ror")
# \A and \Z, not ^ and $: $ also matches before a final newline ("Q42\n").
_WIKIDATA_ID = re.compile(r"\AQ[1-9][0-9]*\Z")
# ROR ids: a leading 0, six characters of Crockford base32, and a two-digit checksum.
_ROR_ID = re.compile(r"\A0[0-9a-hj-km-np-tv-z]{6}[0-9]{2}\Z")


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


GAZETTEER = "gazetteer"
ROR_SOURCE = "ROR"
_MAX_PARENTS = 8  # ROR's parent chains are short; a longer one is an error in the data


@dataclass(frozen=True, slots=True)
class InstitutionMatch:
    """What a name of an institution was resolved to: its facts and where they come from
    (``"gazetteer"``, ``"ROR"``, or ``""`` when nothing is known), with ROR's answer when ROR
    was asked (its candidates, when it could not choose)."""

    facts: InstitutionFacts | None
    source: str
    ror: RorMatch | None = None


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


class Gazetteer:
    """Look up institutions and countries by any of their names.

    Examples
    --------
    >>> gazetteer = load_gazetteer()
    >>> ict = gazetteer.institution("Institute of Computing Technology Chinese Academy of Sciences")
    >>> ict.parent, ict.ror
    ('Chinese Academy of Sciences', '0090r4d87')
    >>> gazetteer.country("UK").alpha2, gazetteer.country("USA").name_zh
    ('GB', '美国')
    >>> gazetteer.within("HK", "CN"), gazetteer.within("CA", "US")
    (True, False)
    """

    def __init__(
        self,
        institutions: Iterable[InstitutionFacts],
        projects: Iterable[ProjectFacts],
        countries: CountryNames | None = None,
        ror: RorIndex | bool = True,
    ) -> None:
        self._institutions: dict[str, InstitutionFacts] = {}
        self._by_ror: dict[str, InstitutionFacts] = {}
        for facts in institutions:
            for name in (facts.name, *facts.aliases):
                self._institutions[name_key(name)] = facts
            if facts.ror:
                self._by_ror.setdefault(facts.ror, facts)
        self._projects = {name_key(facts.name): facts for facts in projects}
        self._countries = countries or country_names()
        self._ror_option = ror
        self._from_ror: dict[str, InstitutionFacts] = {}  # by the key of their name
        self._matches: dict[str, InstitutionMatch] = {}
        self.overrides: tuple[tuple[str, str], ...] = ()
        """(user's entry, bundled entry) for each bundled entry a user's entry replaces."""

    @property
    def ror(self) -> RorIndex | None:
        """The ROR index names are looked up in after the curated entries, if any; the bundled
        one is read on first use (most lists' names are all curated or none are)."""
        if self._ror_option is True:
            self._ror_option = ror_index()
        return self._ror_option or None

    def match_institution(self, name: str, countries: Iterable[str] = ()) -> InstitutionMatch:
        """What the institution ``name`` is: the curated entry that has it as name or alias;
        else the ROR record it stands for, with the ISO 3166-1 codes of the countries the lists
        give it as evidence (see :meth:`RorIndex.match`), as the curated entry with that ROR id
        or as facts taken from the record; else nothing, with ROR's candidates if it has any.

        A name is matched once: later calls return the first answer, whatever their countries.
        """
        found = self._matches.get(name)
        if found is not None:
            return found
        found = self._match(name, countries)
        self._matches[name] = found
        return found

    def _match(self, name: str, countries: Iterable[str]) -> InstitutionMatch:
        variants = name_variants(name)
        for variant in variants:
            key = name_key(variant)
            if key in self._institutions:
                return InstitutionMatch(self._institutions[key], GAZETTEER)
            if key in self._from_ror:
                return InstitutionMatch(self._from_ror[key], ROR_SOURCE)
        if self.ror is None:
            return InstitutionMatch(None, "")
        countries = tuple(countries)
        first = None
        for variant in variants:
            ror = self.ror.match(variant, countries, within=self.within)
            if ror.record is not None:
                facts = self._facts_of(ror.record)
                curated = facts.ror in self._by_ror and self._by_ror[facts.ror] is facts
                return InstitutionMatch(facts, GAZETTEER if curated else ROR_SOURCE, ror)
            first = first or ror
        return InstitutionMatch(None, "", first)

    def _facts_of(self, record: RorRecord, depth: int = 0) -> InstitutionFacts:
        """The curated entry with ``record``'s id or name, else the facts the record states,
        each with the record as its source. The curated gazetteer wins where they disagree."""
        curated = self._by_ror.get(record.id) or self._institutions.get(name_key(record.label))
        if curated is not None:
            return curated
        key = name_key(record.label)
        if key in self._from_ror:
            return self._from_ror[key]
        parent = None
        above = self.ror.record(record.parent) if self.ror and record.parent else None
        if above is not None and depth < _MAX_PARENTS:
            parent = self._facts_of(above, depth + 1).name
        kind = ror_kind(record)
        facts: dict[str, str | None] = {
            "kind": kind,
            "country": record.country
            if pycountry.countries.get(alpha_2=record.country or "")
            else None,
            "homepage": record.homepage
            if record.homepage and is_web_address(record.homepage)
            else None,
            "wikidata": record.wikidata
            if record.wikidata and _WIKIDATA_ID.match(record.wikidata)
            else None,
            "ror": record.id,
        }
        stated = [field for field, value in facts.items() if value is not None]
        made = InstitutionFacts(
            name=record.label,
            aliases=(),
            kind=facts["kind"],
            country=facts["country"],
            homepage=facts["homepage"],
            wikidata=facts["wikidata"],
            ror=record.id,
            parent=parent,
            sources=dict.fromkeys([*stated, *(["parent"] if parent else [])], record.url),
            note=None,
        )
        self._from_ror[key] = made
        return made

    def institution(self, name: str) -> InstitutionFacts | None:
        """The curated entry, or the facts of the ROR record, that ``name`` stands for, if any
        (see :meth:`match_institution`)."""
        return self.match_institution(name).facts

    def institution_key(self, name: str) -> str:
        """The identity key of the institution ``name`` names: that of its entry's or record's
        name when it is known, else that of ``name``."""
        facts = self.match_institution(name).facts
        return name_key(facts.name) if facts else name_key(name)

    def project(self, name: str) -> ProjectFacts | None:
        """What is known of the project ``name``, if anything."""
        return self._projects.get(name_key(name))

    def institutions(self) -> list[InstitutionFacts]:
        """Every entry, once, in the order of their names."""
        unique = {facts.name: facts for facts in self._institutions.values()}
        return [unique[name] for name in sorted(unique)]

    def closest_institutions(self, name: str, limit: int = 3) -> list[tuple[str, float]]:
        """The names of the entries closest to ``name``, with a similarity from 0 to 100."""
        from rapidfuzz import fuzz, process

        choices = {key: facts.name for key, facts in self._institutions.items()}
        found: dict[str, float] = {}
        for key, score, _ in process.extract(
            name_key(name), list(choices), scorer=fuzz.WRatio, limit=limit * 3
        ):
            canonical = choices[key]
            found[canonical] = max(score, found.get(canonical, 0.0))
        return sorted(found.items(), key=lambda item: (-item[1], item[0]))[:limit]

    def country(self, name: str) -> Country | None:
        """The ISO 3166-1 country that ``name`` names, in any language or style, if any."""
        return self._countries.country(name)

    def area(self, name: str) -> Area | None:
        """The area (no single country, such as "Multinational") that ``name`` names, if any."""
        return self._countries.area(name)

    def country_by_code(self, alpha2: str) -> Country | None:
        """The country whose ISO 3166-1 alpha-2 code is ``alpha2``."""
        return self._countries.by_code(alpha2)

    def closest_countries(self, name: str, limit: int = 3) -> list[tuple[str, float]]:
        """The country names closest to ``name``, in its script, with a similarity from 0 to 100."""
        return self._countries.closest(name, limit)

    def within(self, inner: str, outer: str) -> bool:
        """Whether the country ``inner`` is ``outer`` or, in ISO 3166-2, a part of it.

        Hong Kong, Macao and Taiwan have country codes of their own and are also listed as
        subdivisions of China (CN-HK, ...). A subdivision code alone is not enough (US-CA is
        California, not Canada), so the subdivision's name must begin like the country's.
        """
        if inner == outer:
            return True
        subdivision = pycountry.subdivisions.get(code=f"{outer}-{inner}")  # type: ignore[no-untyped-call]
        country = pycountry.countries.get(alpha_2=inner)
        if subdivision is None or country is None:
            return False
        country_name = getattr(country, "common_name", country.name).split(",")[0]
        return bool(subdivision.name.split()[0] == country_name.split()[0])


def load_gazetteer(
    institutions: Path | str | None = None,
    projects: Path | str | None = None,
    *,
    replace: bool = False,
    ror: RorIndex | bool = True,
) -> Gazetteer:
    """Read the gazetteer: the bundled ``data/institutions.toml`` and ``data/projects.toml``,
    with the user's entries of institutions added, or instead of them when ``replace``.

    A user's entry that has the name, an alias or the ROR id of a bundled entry replaces it
    (``Gazetteer.overrides`` lists each). ``ror`` is the ROR index to look names up in after
    the curated entries: by default the bundled one, ``False`` for none.

    Raises
    ------
    SourceError
        When a file cannot be read, or an entry has a malformed fact, a fact without a source,
        an unknown parent or domain, or a name that another entry of the file already uses.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as file:
    ...     _ = file.write(
    ...         '[[institution]]\\nname = "Tsinghua Univ."\\naliases = ["Tsinghua University"]\\n'
    ...     )
    >>> gazetteer = load_gazetteer(file.name)
    >>> gazetteer.institution("Tsinghua University").name, gazetteer.overrides
    ('Tsinghua Univ.', (('Tsinghua Univ.', 'Tsinghua University'),))
    >>> gazetteer.institution("Peking University").kind  # the bundled entries are still there
    'university'
    """
    overrides: tuple[tuple[str, str], ...] = ()
    if institutions is None:
        entries = _bundled_institutions()
    elif replace:
        entries = _read_institutions(Path(institutions))
    else:
        bundled = _bundled_institutions()
        users = _read_institutions(Path(institutions), known=bundled)
        entries, overrides = _merged(bundled, users)
    gazetteer = Gazetteer(
        entries, _read_projects(Path(projects)) if projects else _bundled_projects(), ror=ror
    )
    gazetteer.overrides = overrides
    return gazetteer


def _merged(
    bundled: tuple[InstitutionFacts, ...], users: tuple[InstitutionFacts, ...]
) -> tuple[tuple[InstitutionFacts, ...], tuple[tuple[str, str], ...]]:
    """The user's entries, then the bundled ones that none of them replaces, with parents
    renamed after the entries that replace them; and (user's name, bundled name) per
    replacement."""
    claimed = {name_key(n): facts.name for facts in users for n in (facts.name, *facts.aliases)}
    by_ror = {facts.ror: facts.name for facts in users if facts.ror}
    renamed: dict[str, str] = {}
    for facts in bundled:
        replacing = by_ror.get(facts.ror or "") or next(
            (claimed[key] for n in (facts.name, *facts.aliases) if (key := name_key(n)) in claimed),
            None,
        )
        if replacing is not None:
            renamed[facts.name] = replacing
    kept = [
        facts if facts.parent not in renamed else replace(facts, parent=renamed[facts.parent])
        for facts in bundled
        if facts.name not in renamed
    ]
    return (*users, *kept), tuple(sorted((new, old) for old, new in renamed.items()))


def _bundled(name: str) -> Path:
    return _resources.path("data", name)


_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)")
_ALTERNATIVES = re.compile(r"\s+/\s+")


def name_variants(name: str) -> list[str]:
    """The names that ``name`` may stand for, most literal first: itself, without its
    parentheses, each of the alternatives it gives with " / ", and what its parentheses hold
    (often an acronym). Lists write "Carnegie Mellon University (CMU)" and "University of
    Montreal / Université de Montréal"; registries have one name at a time.

    Examples
    --------
    >>> name_variants("Beijing Academy of Artificial Intelligence / BAAI")[1:]
    ['Beijing Academy of Artificial Intelligence', 'BAAI']
    >>> name_variants("University of California (UC) Berkeley")
    ['University of California (UC) Berkeley', 'University of California Berkeley', 'UC']
    """
    variants = [name]
    for part in [name, *_ALTERNATIVES.split(name)]:
        bare = " ".join(_PARENTHESIS.sub(" ", part).split())
        for candidate in (part, bare):
            if candidate and candidate not in variants:
                variants.append(candidate)
    for inside in _PARENTHESIS.findall(name):
        inside = inside.strip()
        if inside and inside not in variants:
            variants.append(inside)
    return variants


def ror_kind(record: RorRecord) -> str | None:
    """The osgraph kind of a ROR record: that of the first of its types ``data/ror.toml``
    names, if any."""
    kinds = _ror_kinds()
    return next((kinds[t] for t in record.types if t in kinds), None)


@cache
def _ror_kinds() -> dict[str, str]:
    """ROR's organisation types and the kinds they stand for (``data/ror.toml``)."""
    kinds: dict[str, str] = tomllib.loads(_bundled("ror.toml").read_text(encoding="utf-8"))["kinds"]
    unknown = set(kinds.values()) - set(KINDS)
    assert not unknown, f"data/ror.toml names kinds osgraph does not have: {unknown}"
    return kinds


@cache
def _bundled_institutions() -> tuple[InstitutionFacts, ...]:
    return _read_institutions(_bundled("institutions.toml"))


@cache
def _bundled_projects() -> tuple[ProjectFacts, ...]:
    return _read_projects(_bundled("projects.toml"))


def _read_toml(path: Path) -> tuple[dict[str, object], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SourceError(path, f"cannot be read: {error}") from None
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


def _read_institutions(
    path: Path, known: Iterable[InstitutionFacts] = ()
) -> tuple[InstitutionFacts, ...]:
    """The entries of ``path``; their parents may also be entries of ``known``."""
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


def _read_projects(path: Path) -> tuple[ProjectFacts, ...]:
    settings, text = _read_toml(path)
    _check_top_level(settings, "project", path)
    entries = _tables(settings, "project", path)
    lines = _name_lines(text, "project", entries)
    projects = [_project(entry, path, line) for entry, line in zip(entries, lines, strict=True)]
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
    if facts["ror"] is not None and not _ROR_ID.match(facts["ror"]):
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


def _project(entry: object, path: Path, line: int | None) -> ProjectFacts:
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
    if facts["domain"] is not None and facts["domain"] not in domains():
        raise fail(
            "domain",
            f"domain {facts['domain']!r} is not in ontology/domains.ttl "
            f"({', '.join(sorted(domains()))})",
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
    if wikidata is not None and not _WIKIDATA_ID.match(wikidata):
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
