"""The gazetteer: what osgraph knows about institutions, projects and countries, from ``data/``.

Institutions come from ``data/institutions.toml`` (or a file of the same form that the user
names): canonical name, aliases, kind, headquarters country, homepage, Wikidata and ROR ids,
parent, and the source of every fact. Projects come from ``data/projects.toml`` (or the user's):
repositories, homepage, Wikidata id and a domain of the SKOS scheme in ``ontology/domains.ttl``.
Countries come from ISO 3166 through ``pycountry``, with the everyday names and Wikidata items
of ``data/countries.toml``.
"""

from __future__ import annotations

import gettext
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pycountry
from rdflib import URIRef

from osgraph.errors import SourceError
from osgraph.iri import is_web_address
from osgraph.names import name_key

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
_WIKIDATA_ID = re.compile(r"^Q[1-9][0-9]*$")
# ROR ids: a leading 0, six characters of Crockford base32, and a two-digit checksum.
_ROR_ID = re.compile(r"^0[0-9a-hj-km-np-tv-z]{6}[0-9]{2}$")


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


@dataclass(frozen=True, slots=True)
class Country:
    """A country of ISO 3166-1, with its names in English and Chinese and its Wikidata item."""

    alpha2: str
    alpha3: str
    name: str
    name_zh: str
    wikidata: str | None


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
        country_names: Mapping[str, str],
        country_wikidata: Mapping[str, str],
    ) -> None:
        self._institutions: dict[str, InstitutionFacts] = {}
        for facts in institutions:
            for name in (facts.name, *facts.aliases):
                self._institutions[name_key(name)] = facts
        self._projects = {name_key(facts.name): facts for facts in projects}
        self._country_names = {name_key(k): v for k, v in country_names.items()}
        self._country_wikidata = dict(country_wikidata)
        self._countries_by_name: dict[str, Country | None] = {}
        self._institutions_by_name: dict[str, tuple[InstitutionFacts | None, str]] = {}

    def institution(self, name: str) -> InstitutionFacts | None:
        """The entry that ``name`` (or one of its aliases) names, if any."""
        return self._institution_named(name)[0]

    def institution_key(self, name: str) -> str:
        """The identity key of the institution ``name`` names: that of its entry's name when
        the gazetteer knows it, else that of ``name``."""
        return self._institution_named(name)[1]

    def _institution_named(self, name: str) -> tuple[InstitutionFacts | None, str]:
        # Lists name the same institutions again and again: look each spelling up once.
        found = self._institutions_by_name.get(name)
        if found is None:
            key = name_key(name)
            facts = self._institutions.get(key)
            found = (facts, name_key(facts.name) if facts else key)
            self._institutions_by_name[name] = found
        return found

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
        """The ISO 3166-1 country that ``name`` names (a name, an everyday name or a code)."""
        # A list names a few hundred countries in a million rows: look each name up once.
        if name not in self._countries_by_name:
            self._countries_by_name[name] = _country(
                self._country_names.get(name_key(name), name), self._country_wikidata
            )
        return self._countries_by_name[name]

    def closest_countries(self, name: str, limit: int = 3) -> list[tuple[str, float]]:
        """The country names closest to ``name``, with a similarity from 0 to 100."""
        from rapidfuzz import fuzz, process

        names = sorted(
            {country.name for country in pycountry.countries}
            | {getattr(country, "common_name", country.name) for country in pycountry.countries}
            | set(self._country_names)
        )
        matches = process.extract(name, names, scorer=fuzz.WRatio, limit=limit)
        return [(match, score) for match, score, _ in matches]

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
    institutions: Path | str | None = None, projects: Path | str | None = None
) -> Gazetteer:
    """Read the gazetteer: the bundled ``data/institutions.toml`` and ``data/projects.toml``,
    or the files the user names instead.

    Raises
    ------
    SourceError
        When a file cannot be read, or an entry has a malformed fact, a fact without a source,
        an unknown parent or domain, or a name that another entry already uses.
    """
    countries = _country_settings()
    return Gazetteer(
        _read_institutions(Path(institutions)) if institutions else _bundled_institutions(),
        _read_projects(Path(projects)) if projects else _bundled_projects(),
        countries["names"],
        countries["wikidata"],
    )


def _bundled(name: str) -> Path:
    return Path(str(resources.files("osgraph") / "data" / name))


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
        raise SourceError(path, f"not valid TOML: {error}") from None


def _tables(settings: dict[str, object], name: str, path: Path) -> list[object]:
    entries = settings.get(name, [])
    if not isinstance(entries, list):
        raise SourceError(path, f"entries must be [[{name}]] tables")
    return entries


def _read_institutions(path: Path) -> tuple[InstitutionFacts, ...]:
    settings, text = _read_toml(path)
    institutions = [
        _institution(entry, path, text) for entry in _tables(settings, "institution", path)
    ]
    _check_names_and_parents(institutions, path, text)
    return tuple(institutions)


def _read_projects(path: Path) -> tuple[ProjectFacts, ...]:
    settings, text = _read_toml(path)
    projects = [_project(entry, path, text) for entry in _tables(settings, "project", path)]
    seen: dict[str, str] = {}
    for facts in projects:
        key = name_key(facts.name)
        if key in seen:
            raise SourceError(
                path,
                f"{facts.name}: {seen[key]!r} already has an entry",
                line=_line_of(facts.name, text),
                cell="name",
            )
        seen[key] = facts.name
    return tuple(projects)


@cache
def domains() -> dict[str, URIRef]:
    """The concepts of the domain scheme in ``ontology/domains.ttl``, by their local name."""
    from rdflib import Graph
    from rdflib.namespace import RDF, SKOS

    text = (resources.files("osgraph") / "ontology" / "domains.ttl").read_text(encoding="utf-8")
    graph = Graph().parse(data=text, format="turtle")
    return {
        str(concept).rsplit("/", 1)[1]: concept
        for concept in graph.subjects(RDF.type, SKOS.Concept)
        if isinstance(concept, URIRef)
    }


@cache
def _country_settings() -> dict[str, dict[str, str]]:
    text = (resources.files("osgraph") / "data" / "countries.toml").read_text(encoding="utf-8")
    settings = tomllib.loads(text)
    return {"names": settings["names"], "wikidata": settings["wikidata"]}


def _line_of(name: str, text: str) -> int | None:
    """The line of the entry named ``name``, so that errors can point at it."""
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(r"\s*name\s*=", line) and f'"{name}"' in line:
            return number
    return None


def _institution(entry: object, path: Path, text: str) -> InstitutionFacts:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise SourceError(path, "every [[institution]] needs a name")
    name: str = entry["name"]
    line = _line_of(name, text)

    fail = _failure(path, name, line)
    facts: dict[str, str | None] = {}
    for field in _FACTS:
        value = entry.get(field, UNKNOWN)
        if not isinstance(value, str) or not value:
            raise fail(field, f'{field} must be a string ("unknown" when no source states it)')
        facts[field] = None if value == UNKNOWN else value
    if facts["kind"] is not None and facts["kind"] not in KINDS:
        raise fail("kind", f"kind {facts['kind']!r} is not one of {', '.join(KINDS)}")
    if facts["country"] is not None and pycountry.countries.get(alpha_2=facts["country"]) is None:
        raise fail("country", f"{facts['country']!r} is not an ISO 3166-1 alpha-2 code")
    _check_wikidata_and_homepage(facts["wikidata"], facts["homepage"], fail)
    if facts["ror"] is not None and not _ROR_ID.match(facts["ror"]):
        raise fail("ror", f"{facts['ror']!r} is not a ROR id (such as 03cve4549)")
    parent = entry.get("parent")
    stated = [field for field in _FACTS if facts[field] is not None]
    if parent is not None:
        stated.append("parent")
    sources = _sources(entry, stated, fail)

    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(alias, str) for alias in aliases):
        raise fail("aliases", "aliases must be a list of names")
    note = entry.get("note")
    return InstitutionFacts(
        name=name,
        aliases=tuple(aliases),
        kind=facts["kind"],
        country=facts["country"],
        homepage=facts["homepage"],
        wikidata=facts["wikidata"],
        ror=facts["ror"],
        parent=parent if isinstance(parent, str) else None,
        sources=sources,
        note=note if isinstance(note, str) else None,
    )


def _project(entry: object, path: Path, text: str) -> ProjectFacts:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise SourceError(path, "every [[project]] needs a name")
    name: str = entry["name"]
    fail = _failure(path, name, _line_of(name, text))
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
    return ProjectFacts(
        name=name,
        repositories=tuple(repositories),
        homepage=facts["homepage"],
        wikidata=facts["wikidata"],
        domain=facts["domain"],
        sources=_sources(entry, stated, fail),
        note=note if isinstance(note, str) else None,
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
    entry: dict[str, object], stated: list[str], fail: Callable[[str, str], SourceError]
) -> dict[str, str]:
    """The source of every stated fact: ``sources.<field>``, else ``source``; refuse a fact
    that has neither."""
    extra = entry.get("sources", {})
    if not isinstance(extra, dict):
        raise fail("sources", "sources must be a table of field = URL")
    sources: dict[str, str] = {}
    for field in stated:
        source = extra.get(field, entry.get("source"))
        if not isinstance(source, str) or not is_web_address(source):
            raise fail(field, f"{field} has no source: add source = URL, or write unknown")
        sources[field] = source
    return sources


def _check_names_and_parents(institutions: list[InstitutionFacts], path: Path, text: str) -> None:
    owners: dict[str, str] = {}
    for facts in institutions:
        for name in (facts.name, *facts.aliases):
            key = name_key(name)
            if key in owners and owners[key] != facts.name:
                raise SourceError(
                    path,
                    f"{facts.name}: the name {name!r} already names {owners[key]}",
                    line=_line_of(facts.name, text),
                    cell="aliases",
                )
            owners[key] = facts.name
    names = {facts.name for facts in institutions}
    for facts in institutions:
        if facts.parent is not None and facts.parent not in names:
            raise SourceError(
                path,
                f"{facts.name}: the parent {facts.parent!r} has no entry of its own",
                line=_line_of(facts.name, text),
                cell="parent",
            )


@cache
def _chinese_names() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])


def _country(name: str, wikidata: Mapping[str, str]) -> Country | None:
    try:
        country = pycountry.countries.lookup(name.strip())
    except LookupError:
        return None
    english = getattr(country, "common_name", country.name)
    return Country(
        alpha2=country.alpha_2,
        alpha3=country.alpha_3,
        name=english,
        name_zh=_chinese_names().gettext(country.name),
        wikidata=wikidata.get(country.alpha_2),
    )
