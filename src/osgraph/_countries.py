"""Resolve the names lists give countries: ISO 3166-1 and CLDR, in any language and style.

A name resolves, in this order, through:

1. ``data/countries.toml``: the everyday names no standard has ("UK", "UAE"), and the values
   that stand for no single country (*areas*: "Multinational", "Worldwide", "European Union");
2. ISO 3166-1 through pycountry: alpha-2 and alpha-3 codes, names, official and common names;
3. CLDR through Babel: the territory names of every locale ("Deutschland", "中国", "Russia"),
   and the translations of ISO 3166's names that pycountry ships ("香港").

Names are compared by :func:`country_key`: without regard to case, dots, accents or spacing,
with or without a leading "the", and with the UN's "Korea (Republic of)" and ISO's
"Korea, Republic of" both read as "Republic of Korea". A CLDR name that two locales give to
different territories ("Kongo") resolves to neither.

The names of every language are derived from CLDR and pycountry once, into
``data/country-names.tsv.gz`` (:func:`derive_country_names`), and read only when a name is not
found in the first two.
"""

from __future__ import annotations

import gettext
import gzip
import re
import tomllib
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from importlib.metadata import version
from pathlib import Path

import pycountry

from osgraph import _resources
from osgraph._names import name_key


@dataclass(frozen=True, slots=True)
class Country:
    """A country of ISO 3166-1, with its names in English and Chinese and its Wikidata item."""

    alpha2: str
    alpha3: str
    name: str
    name_zh: str
    wikidata: str | None


@dataclass(frozen=True, slots=True)
class Area:
    """A value of a country column that stands for no single country, such as
    "Multinational": ``term`` is its local name in the ontology (``osg:Multinational``)."""

    term: str
    label: str


_CLOSE = 90  # a similarity that makes a name of another language a suggestion
_PARENTHESISED = re.compile(r"^(?P<name>.+?)\s*\((?P<qualifier>[^()]+)\)$")
# "&" is "and"; dots are spaces (name_key has made every apostrophe the ASCII one).
_SPELLINGS = str.maketrans({"&": " and ", ".": " "})


def country_key(name: str) -> str:
    """The form in which country names are compared.

    Case, dots, accents on Latin letters, runs of white space and a leading "the" do not count;
    UN style ("Korea (Republic of)") and ISO style ("Korea, Republic of") both become the
    name in reading order.

    Examples
    --------
    >>> country_key("Korea (Republic of)") == country_key("Korea, Republic of")
    True
    >>> country_key("Netherlands, Kingdom of the"), country_key("The Netherlands")
    ('kingdom of the netherlands', 'netherlands')
    >>> country_key("U.S."), country_key("Côte d\u2019Ivoire")
    ('us', "cote d'ivoire")
    """
    text = name_key(name).translate(_SPELLINGS)
    text = " ".join(_without_latin_accents(text).split())
    parenthesised = _PARENTHESISED.match(text)
    if parenthesised:
        text = f"{parenthesised['qualifier'].strip()} {parenthesised['name']}"
    elif text.count(",") == 1:
        before, after = text.split(",")
        text = f"{after.strip()} {before.strip()}".strip()
    text = text.removeprefix("the ")
    # "U.S." and "US" are one name: letters that dots alone kept apart are joined again.
    if all(len(part) == 1 for part in text.split()):
        text = text.replace(" ", "")
    return text


def _without_latin_accents(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Only Latin letters lose their accents: in other scripts the marks are letters' vowels.
    return unicodedata.normalize("NFC", stripped) if stripped.isascii() else text


class CountryNames:
    """Find the country or area a name stands for.

    Examples
    --------
    >>> names = country_names()
    >>> [names.country(n).alpha2 for n in ("Korea (Republic of)", "Deutschland", "中国", "U.S.")]
    ['KR', 'DE', 'CN', 'US']
    >>> names.area("Worldwide").term, names.country("Multinational")
    ('Multinational', None)
    >>> names.country("Kongo") is None  # CLDR gives it to both Congos
    True
    """

    def __init__(
        self,
        everyday: Mapping[str, str],
        areas: Mapping[str, tuple[str, tuple[str, ...], tuple[str, ...]]],
        wikidata: Mapping[str, str],
    ) -> None:
        self._wikidata = dict(wikidata)
        self._areas = {term: Area(term, label) for term, (label, _, _) in areas.items()}
        self._area_cldr = {code: term for term, (_, _, codes) in areas.items() for code in codes}
        self._standard: dict[str, str] = {}  # key -> alpha-2 code or area term
        self._names: dict[str, str] = {}  # every name met -> alpha-2 code or area term
        self._english: set[str] = set()  # the names of data/countries.toml and ISO 3166
        for term, (label, spellings, _) in areas.items():
            for spelling in (label, *spellings):
                self._add(spelling, term)
        for spelling, iso_name in everyday.items():
            country = pycountry.countries.get(name=iso_name)
            if country is None:
                raise ValueError(f"data/countries.toml: {iso_name!r} is not an ISO 3166 name")
            self._add(spelling, country.alpha_2)
        for country in pycountry.countries:
            for attribute in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
                value = getattr(country, attribute, None)
                if value:
                    self._add(value, country.alpha_2)
        self._found: dict[str, Country | Area | None] = {}
        self._ambiguous: dict[str, tuple[str, ...]] = {}  # key -> the places it names
        self._suggestions: dict[str, tuple[list[str], list[str]]] = {}

    def _add(self, name: str, target: str) -> None:
        self._standard.setdefault(country_key(name), target)
        self._names.setdefault(name, target)
        self._english.add(name)

    @cached_property
    def _translated(self) -> dict[str, str]:
        """The names of every language, by key: CLDR's territory names and the translations
        of ISO 3166's names that pycountry ships (``data/country-names.tsv.gz``, see
        :func:`derive_country_names`), less the keys that name two places."""
        places = {country.alpha_2 for country in pycountry.countries} | set(self._area_cldr)
        named = _translated_names()
        found: dict[str, set[str]] = {}
        for key, code, _ in named:
            found.setdefault(key, set()).add(code)
        resolved: dict[str, str] = {}
        for key, codes in found.items():
            known = codes & places
            # A name of one country that is also a region's ("Micronesia") is the country's.
            if len(known) == 1 and all(code.isdigit() for code in codes - known):
                resolved[key] = self._area_cldr.get(next(iter(known)), next(iter(known)))
            elif len(known) > 1 and key not in self._standard:
                self._ambiguous[key] = tuple(sorted(known))
        for key, _, name in named:
            if key in resolved and key not in self._standard:
                self._names.setdefault(name, resolved[key])
        return resolved

    def lookup(self, name: str) -> Country | Area | None:
        """The country or area ``name`` stands for, if any."""
        if name in self._found:
            return self._found[name]
        key = country_key(name)
        target = self._standard.get(key)
        if target is None and key:
            target = self._translated.get(key)
        found = self._resolve(target)
        self._found[name] = found
        return found

    def country(self, name: str) -> Country | None:
        """The ISO 3166-1 country ``name`` stands for, if it stands for one."""
        found = self.lookup(name)
        return found if isinstance(found, Country) else None

    def area(self, name: str) -> Area | None:
        """The area (no single country) ``name`` stands for, if it stands for one."""
        found = self.lookup(name)
        return found if isinstance(found, Area) else None

    def by_code(self, alpha2: str) -> Country | None:
        """The country whose ISO 3166-1 alpha-2 code is ``alpha2``."""
        found = self._resolve(alpha2.upper())
        return found if isinstance(found, Country) else None

    def _resolve(self, target: str | None) -> Country | Area | None:
        if target is None:
            return None
        if target in self._areas:
            return self._areas[target]
        country = pycountry.countries.get(alpha_2=target)
        if country is None:
            return None
        return Country(
            alpha2=country.alpha_2,
            alpha3=country.alpha_3,
            name=getattr(country, "common_name", country.name),
            name_zh=_chinese_names().gettext(country.name),
            wikidata=self._wikidata.get(country.alpha_2),
        )

    def closest(self, name: str, limit: int = 3) -> list[tuple[str, float]]:
        """The known names closest to ``name``, with a similarity from 0 to 100, in the
        script of ``name``: a typo in Chinese gets Chinese names."""
        self._translated  # noqa: B018  (reading the translations adds their names to the choices)
        # A name that several languages give to different places ("Korea") suggests them all.
        places = [self._resolve(code) for code in self._ambiguous.get(country_key(name), ())]
        named = [
            (place.name if isinstance(place, Country) else place.label, 100.0)
            for place in places
            if place is not None
        ]
        if named:
            return named
        latin = _is_latin(name)
        # A name is suggested in the script it was written in; a Latin name gets ISO's English
        # names, unless another language has a name much closer ("Deutschlnd"), which then
        # comes first.
        if latin:
            closest = self._closest(name, self._choices("english"), limit)
            closest += [
                match
                for match in self._closest(name, self._choices("latin"), 1)
                if match[1] >= _CLOSE and match[0] not in self._english
            ]
            return sorted(closest, key=lambda item: (-item[1], item[0]))[:limit]
        return self._closest(name, self._choices("other"), limit)

    def _choices(self, script: str) -> tuple[list[str], list[str]]:
        """The names suggestions are drawn from, and their keys, made once: "english" (ISO's
        and data/countries.toml's), "latin" or "other" script. Codes are no suggestion: any
        two letters are close to "US"."""
        if script not in self._suggestions:
            names = sorted(
                spelling
                for spelling in self._names
                if not (spelling.isupper() and len(spelling) <= 3)
                and (
                    spelling in self._english
                    if script == "english"
                    else _is_latin(spelling) == (script == "latin")
                )
            )
            self._suggestions[script] = (names, [country_key(n) for n in names])
        return self._suggestions[script]

    def _closest(
        self, name: str, choices: tuple[list[str], list[str]], limit: int
    ) -> list[tuple[str, float]]:
        from rapidfuzz import fuzz, process

        names, keys = choices
        found: dict[str, tuple[str, float]] = {}
        for _, score, position in process.extract(
            country_key(name), keys, scorer=fuzz.ratio, limit=limit * 5
        ):
            match = names[position]
            target = self._names[match]
            if target not in found or score > found[target][1]:
                found[target] = (match, score)
        return sorted(found.values(), key=lambda item: (-item[1], item[0]))[:limit]

    def areas(self) -> Iterator[Area]:
        """Every area ``data/countries.toml`` declares."""
        yield from self._areas.values()


_NAMES_FORMAT = "osgraph-country-names 1"


def derive_country_names() -> str:
    """The text of ``data/country-names.tsv.gz``: one line per (key, code, name) for CLDR's
    territory names in every locale Babel ships and the translations of ISO 3166-1's names in
    every language pycountry ships; a header names their versions.

    ``make country-names`` writes it again after an upgrade of Babel or pycountry. Reading
    Babel's 1,100 locales takes seconds; reading the derived file, a tenth of one.
    """
    import babel
    from babel import localedata
    from babel.core import get_cldr_version

    named: set[tuple[str, str]] = set()
    for locale in localedata.locale_identifiers():
        territories = localedata.load(locale, merge_inherited=False).get("territories", {})
        named.update((code, name) for code, name in territories.items())
    for language in sorted(path.name for path in Path(pycountry.LOCALES_DIR).iterdir()):
        try:
            translation = gettext.translation(
                "iso3166-1", pycountry.LOCALES_DIR, languages=[language]
            )
        except OSError:
            continue
        for country in pycountry.countries:
            for attribute in ("name", "official_name", "common_name"):
                value = getattr(country, attribute, None)
                if value:
                    named.add((country.alpha_2, translation.gettext(value)))
    rows = sorted(
        (country_key(name), code, " ".join(name.split())) for code, name in named if name.strip()
    )
    versions = (
        f"CLDR {get_cldr_version()} (Babel {babel.__version__}); pycountry {version('pycountry')}"
    )
    lines = [f"{_NAMES_FORMAT}\t{versions}", "key\tcode\tname"]
    lines += ["\t".join(row) for row in rows]
    return "\n".join(lines) + "\n"


def write_country_names(path: Path | None = None) -> Path:
    """Write :func:`derive_country_names` to ``path`` (default: the bundled file), gzipped
    with a fixed time so that the same names give the same bytes."""
    path = path or _bundled_names_path()
    with gzip.GzipFile(path, "wb", mtime=0) as file:
        file.write(derive_country_names().encode("utf-8"))
    _translated_names.cache_clear()
    return path


def _bundled_names_path() -> Path:
    return _resources.path("data", "country-names.tsv.gz")


@cache
def _translated_names() -> list[tuple[str, str, str]]:
    """(key, code, name) of ``data/country-names.tsv.gz``."""
    with gzip.open(_bundled_names_path(), "rt", encoding="utf-8", newline="\n") as file:
        lines = file.read().split("\n")
    if not lines[0].startswith(_NAMES_FORMAT):
        raise ValueError("data/country-names.tsv.gz is not osgraph's table of country names")
    rows = []
    for line in lines[2:]:
        if line:
            key, code, name = line.split("\t")
            rows.append((key, code, name))
    return rows


def _is_latin(text: str) -> bool:
    return _without_latin_accents(unicodedata.normalize("NFC", text)).isascii()


@cache
def _chinese_names() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])


@cache
def country_names() -> CountryNames:
    """The country names of ``data/countries.toml``, ISO 3166-1 and CLDR, read once."""
    text = _resources.text("data", "countries.toml")
    settings = tomllib.loads(text)
    areas = {
        area["term"]: (
            area["label"],
            tuple(area.get("names", ())),
            tuple(area.get("cldr", ())),
        )
        for area in settings.get("area", [])
    }
    return CountryNames(settings["names"], areas, settings["wikidata"])
