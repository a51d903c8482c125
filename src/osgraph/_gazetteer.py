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
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import pycountry

from osgraph import _resources
from osgraph._countries import Area, Country, CountryNames, country_names
from osgraph._gazetteer_file import (
    KINDS,
    WIKIDATA_ID,
    InstitutionFacts,
    ProjectFacts,
    read_institutions,
    read_projects,
)
from osgraph._iri import is_web_address
from osgraph._names import name_key
from osgraph._ror import RorIndex, RorMatch, RorRecord, ror_index
from osgraph._vocabulary import domains

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
            if record.wikidata and WIKIDATA_ID.match(record.wikidata)
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

    def project_by_key(self, key: str) -> ProjectFacts | None:
        """What is known of the project whose name's key (:func:`osgraph._names.name_key`) is
        ``key``, if anything: :meth:`project` without making the key again."""
        return self._projects.get(key)

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
    ReadWriteError
        When a file is missing or cannot be read.
    SourceError
        When a file is not UTF-8 TOML, or an entry has a malformed fact, a fact without a
        source, an unknown parent or domain, or a name that another entry of the file already
        uses (see :mod:`osgraph._gazetteer_file`).

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
        entries = read_institutions(Path(institutions))
    else:
        bundled = _bundled_institutions()
        users = read_institutions(Path(institutions), known=bundled)
        entries, overrides = _merged(bundled, users)
    gazetteer = Gazetteer(
        entries,
        read_projects(Path(projects), domains()) if projects else _bundled_projects(),
        ror=ror,
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
    kinds: dict[str, str] = tomllib.loads(_resources.text("data", "ror.toml"))["kinds"]
    unknown = set(kinds.values()) - set(KINDS)
    assert not unknown, f"data/ror.toml names kinds osgraph does not have: {unknown}"
    return kinds


@cache
def _bundled_institutions() -> tuple[InstitutionFacts, ...]:
    return read_institutions(_bundled("institutions.toml"))


@cache
def _bundled_projects() -> tuple[ProjectFacts, ...]:
    return read_projects(_bundled("projects.toml"), domains())
