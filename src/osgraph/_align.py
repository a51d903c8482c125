"""Pair the institutions of each row with its countries: the contributions a row states.

First by the shape of the row (:func:`align_contributions`); when the shape does not tell, by
each institution's own country in the gazetteer, then by the countries the same institution has
in other rows (:func:`align_by_knowledge`). An institution that none of these places is left
unplaced, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from osgraph._gazetteer import Gazetteer, InstitutionMatch
from osgraph._sources.entries import Entry, Mention


class AlignmentMethod(Enum):
    """How an institution of a row was paired with one of the row's countries.

    Each value is the local name of the method's individual in ``ontology/osgraph.ttl``, which
    describes it; the members are in the order a contribution lists its methods.
    """

    BY_POSITION = "ByPosition"
    ONE_COUNTRY_FOR_ALL = "OneCountryForAll"
    ONE_INSTITUTION_PER_COUNTRY = "OneInstitutionPerCountry"
    BY_GAZETTEER = "ByGazetteer"
    BY_OTHER_ROWS = "ByOtherRows"
    UNALIGNED = "Unaligned"


@dataclass(frozen=True, slots=True)
class Alignment:
    """The (institution, country) pairs of one row, and how they were found."""

    method: AlignmentMethod
    pairs: tuple[tuple[Mention, str], ...]


def align_contributions(entry: Entry) -> Alignment:
    """Pair the institutions of a row with its countries, from the shape of the row alone.

    - as many countries as institutions: by position;
    - one country: every institution gets it;
    - one institution and several countries: one pair per country;
    - anything else cannot be paired from the row alone: no pairs, ``UNALIGNED``.

    Examples
    --------
    >>> from osgraph._sources.entries import Origin
    >>> def row(institutions, countries):
    ...     mentions = tuple(Mention(name) for name in institutions)
    ...     return Entry(Mention("P"), mentions, tuple(countries), Origin("l", "f", 1, ""))
    >>> alignment = align_contributions(row(["Google"], ["Switzerland", "UK"]))
    >>> alignment.method.name, [(i.name, c) for i, c in alignment.pairs]
    ('ONE_INSTITUTION_PER_COUNTRY', [('Google', 'Switzerland'), ('Google', 'UK')])
    >>> align_contributions(row(["A", "B", "C"], ["USA", "China"])).method.name
    'UNALIGNED'
    """
    institutions, countries = entry.institutions, entry.countries
    if len(institutions) == len(countries):
        return Alignment(
            AlignmentMethod.BY_POSITION, tuple(zip(institutions, countries, strict=True))
        )
    if len(countries) == 1:
        return Alignment(
            AlignmentMethod.ONE_COUNTRY_FOR_ALL, tuple((i, countries[0]) for i in institutions)
        )
    if len(institutions) == 1:
        return Alignment(
            AlignmentMethod.ONE_INSTITUTION_PER_COUNTRY,
            tuple((institutions[0], c) for c in countries),
        )
    return Alignment(AlignmentMethod.UNALIGNED, ())


def align_by_knowledge(
    entry: Entry, gazetteer: Gazetteer, seen_in: Mapping[str, set[str]]
) -> tuple[list[Alignment], list[Mention]]:
    """Pair the institutions of a row whose shape does not tell, from what is known of them.

    Each institution goes with the one country of the row that is its own country in the
    gazetteer (or contains it: Hong Kong is in China); failing that, with the one country of
    the row it has in other rows (``seen_in``: institution key → country codes). Returns the
    alignments found and the institutions that neither places.
    """
    row_countries = [(name, country_code(gazetteer, name)) for name in entry.countries]
    by_gazetteer: list[tuple[Mention, str]] = []
    by_other_rows: list[tuple[Mention, str]] = []
    unplaced: list[Mention] = []
    for institution in entry.institutions:
        facts = gazetteer.institution(institution.name)
        home = facts.country if facts else None
        matches = [name for name, code in row_countries if home and gazetteer.within(home, code)]
        if len(matches) == 1:
            by_gazetteer.append((institution, matches[0]))
            continue
        seen = seen_in.get(gazetteer.institution_key(institution.name), set())
        matches = [name for name, code in row_countries if code in seen]
        if len(matches) == 1:
            by_other_rows.append((institution, matches[0]))
        else:
            unplaced.append(institution)
    alignments = [
        Alignment(method, tuple(pairs))
        for method, pairs in (
            (AlignmentMethod.BY_GAZETTEER, by_gazetteer),
            (AlignmentMethod.BY_OTHER_ROWS, by_other_rows),
        )
        if pairs
    ]
    return alignments, unplaced


def match_institutions(
    entries: Iterable[Entry], gazetteer: Gazetteer
) -> dict[str, InstitutionMatch]:
    """Match every institution name of ``entries`` once, with the countries of every row that
    names it as evidence (see :meth:`Gazetteer.match_institution`): a name's record does not
    depend on which of its rows came first."""
    return {
        name: gazetteer.match_institution(name, found)
        for name, found in institution_countries(entries, gazetteer).items()
    }


def institution_countries(entries: Iterable[Entry], gazetteer: Gazetteer) -> dict[str, set[str]]:
    """The ISO 3166-1 codes (or area terms) the rows give each institution name: the country a
    row pairs it with, where the row's shape tells; else every country of the row."""
    evidence: dict[str, set[str]] = {}
    codes: dict[str, str] = {}
    for entry in entries:
        for country in entry.countries:
            if country not in codes:
                codes[country] = country_code(gazetteer, country)
        alignment = align_contributions(entry)
        for institution in entry.institutions:
            evidence.setdefault(institution.name, set())
        if alignment.method is AlignmentMethod.UNALIGNED:
            for institution in entry.institutions:
                evidence[institution.name].update(codes[c] for c in entry.countries)
        for institution, country in alignment.pairs:
            evidence[institution.name].add(codes[country])
    return evidence


def country_code(gazetteer: Gazetteer, name: str) -> str:
    """The ISO 3166-1 code of the country ``name`` names, or the term of its area."""
    country = gazetteer.country(name)
    if country is not None:
        return country.alpha2
    area = gazetteer.area(name)
    # Every country of an entry was resolved when the entry was added.
    assert area is not None, name
    return area.term
