"""Institutions from the Research Organization Registry (ROR), through an index osgraph ships.

``data/ror.tsv.gz`` holds what osgraph uses of each ROR record that is not withdrawn: id, status,
country, types, Wikidata id, parent, website, the name osgraph shows (ROR's display name, less
its "(Country)" suffix where no other record needs it), every other name (labels in any
language, aliases) and acronyms. :func:`osgraph._ror_import.import_ror` makes it from ROR's data.

:meth:`RorIndex.match` finds the records a name may stand for, with a row's countries as
evidence; a name that stays ambiguous is not guessed. A ROR record is a source with a name, not
ground truth: the curated gazetteer (``data/institutions.toml``) overrides it.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from osgraph import _resources
from osgraph._errors import ReadWriteError, SourceError
from osgraph._names import name_key
from osgraph._one_or_many import add_one, each

ROR_URL = "https://ror.org/"
FORMAT = "osgraph-ror-index 1"
COLUMNS = (
    "id",
    "status",
    "country",
    "types",
    "wikidata",
    "parent",
    "homepage",
    "label",
    "names",
    "acronyms",
)
SEPARATOR = "\x1f"  # between the names of one column: no name holds it
_PUNCTUATION = re.compile(r"[\s,.;:()\[\]\-\u2010-\u2015/&]+")


def match_key(name: str) -> str:
    """The form in which ROR names are compared: :func:`~osgraph._names.name_key`, less the
    punctuation and the leading "The" that lists drop or add ("University of California,
    Berkeley" is "University of California Berkeley").

    Examples
    --------
    >>> match_key("Max-Planck-Institut für Informatik (MPI)")
    'max planck institut für informatik mpi'
    """
    # Most names are ASCII, where name_key only lowers the case and folds the backtick: done
    # here in the same pass as the punctuation (whose pattern takes white space too).
    if name.isascii():
        return _PUNCTUATION.sub(" ", name.lower().replace("`", "'")).strip().removeprefix("the ")
    return " ".join(_PUNCTUATION.sub(" ", name_key(name)).split()).removeprefix("the ")


@dataclass(frozen=True, slots=True)
class RorRecord:
    """What osgraph uses of one ROR record. ``id`` is the part after ``https://ror.org/``."""

    id: str
    status: str
    country: str | None
    types: tuple[str, ...]
    wikidata: str | None
    parent: str | None
    homepage: str | None
    label: str
    names: tuple[str, ...]  # in an index read back: their match_key
    acronyms: tuple[str, ...]

    @property
    def url(self) -> str:
        """The record's address, which is also the source of every fact taken from it."""
        return f"{ROR_URL}{self.id}"


@dataclass(frozen=True, slots=True)
class RorMatch:
    """What a name stands for in ROR: the record, when one alone fits; otherwise the records
    it may stand for (``candidates``), none chosen."""

    record: RorRecord | None
    candidates: tuple[RorRecord, ...]
    by: str  # "name", "name and country", "acronym and country", "parent of the others", ""


class RorIndex:
    """ROR's records, found by name, label in any language, alias or acronym.

    Examples
    --------
    >>> index = ror_index()
    >>> index.match("清华大学").record.label
    'Tsinghua University'
    >>> embl = index.match("European Molecular Biology Laboratory", countries={"GB"})
    >>> embl.record.label, embl.record.country, embl.by  # the organisation, not a site of it
    ('European Molecular Biology Laboratory', 'DE', 'parent of the others')
    >>> index.record("03cve4549").wikidata
    'Q16955'
    """

    def __init__(self, records: Iterable[RorRecord] = ()) -> None:
        # Records are kept as the index's lines until asked for: 50,000 records are read in a
        # fraction of the time it takes to make objects of them all.
        self._records: dict[str, RorRecord | str] = {}
        # The id of the one record of a name, or the ids of its several: most names have one,
        # and a list for each of 240,000 names would hold 15 MB to say so.
        self._by_name: dict[str, str | list[str]] = {}
        self._by_acronym: dict[str, str | list[str]] = {}
        for record in records:
            self._add(record.id, match_key(record.label), record.names, record.acronyms, record)

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> RorIndex:
        """The index of the lines of a file :func:`import_ror` wrote (names already keys)."""
        index = cls()
        for line in lines:
            ror_id, _, _, _, _, _, _, label, names, acronyms = line.split("\t")
            index._add(
                ror_id,
                match_key(label),
                names.split(SEPARATOR) if names else (),
                acronyms.split(SEPARATOR) if acronyms else (),
                line,
            )
        return index

    def _add(
        self,
        ror_id: str,
        label: str,
        names: Iterable[str],
        acronyms: Iterable[str],
        record: RorRecord | str,
    ) -> None:
        self._records[ror_id] = record
        for name in {label, *names}:
            add_one(self._by_name, name, ror_id)
        for acronym in acronyms:
            add_one(self._by_acronym, acronym, ror_id)

    def __len__(self) -> int:
        return len(self._records)

    def record(self, ror_id: str) -> RorRecord | None:
        """The record whose id is ``ror_id`` (the part after ``https://ror.org/``)."""
        record = self._records.get(ror_id)
        if isinstance(record, str):
            record = self._records[ror_id] = _read_line(record)
        return record

    def ids(self) -> list[str]:
        """The id of every record, in order."""
        return sorted(self._records)

    def _all(self, ids: str | list[str]) -> list[RorRecord]:
        return [record for ror_id in each(ids) if (record := self.record(ror_id)) is not None]

    def match(self, name: str, countries: Iterable[str] = (), *, within: Any = None) -> RorMatch:
        """The record ``name`` stands for, with the ISO 3166-1 codes of the countries the list
        gives it as evidence.

        A name, label or alias that one record has is that record, unless the list places
        the institution elsewhere and the name is one word or the record a subsidiary. When
        several records have the name, the one that is an ancestor of all the others is
        (Google, not Google's offices); failing that, the one in the list's countries. An
        acronym counts only with a country to back it. Active records are preferred to inactive
        ones. Anything else is not guessed: ``record`` is ``None`` and ``candidates`` holds the
        records it may be.

        ``within(inner, outer)`` says whether one country lies in another (Hong Kong in China);
        by default only equal codes agree.
        """
        key = match_key(name)
        countries = set(countries)
        inside = within or (lambda inner, outer: inner == outer)

        def in_countries(record: RorRecord) -> bool:
            return record.country is not None and any(
                inside(record.country, code) for code in countries
            )

        named = self._all(self._by_name.get(key, []))
        if named:
            found = _prefer_active(named)
            if len(found) == 1:
                record = found[0]
                # A record in none of the list's countries is taken only when its name says
                # enough: not one word ("Magic" is also a Portuguese lab), not a subsidiary
                # (Saudi Aramco's office in the United States).
                contradicted = countries and not in_countries(record)
                if contradicted and (record.parent is not None or len(key.split()) < 2):
                    return RorMatch(None, tuple(named), "")
                return RorMatch(record, tuple(named), "name")
            root = self.root(found)
            if root is not None:
                return RorMatch(root, tuple(named), "parent of the others")
            placed = [record for record in found if in_countries(record)]
            if len(placed) == 1:
                return RorMatch(placed[0], tuple(named), "name and country")
            return RorMatch(None, tuple(named), "")
        acronyms = self._all(self._by_acronym.get(key, []))
        placed = _prefer_active([record for record in acronyms if in_countries(record)])
        if len(placed) == 1:
            return RorMatch(placed[0], tuple(acronyms), "acronym and country")
        return RorMatch(None, tuple(acronyms), "")

    def root(self, records: list[RorRecord]) -> RorRecord | None:
        """The one record of ``records`` that is an ancestor of every other, if any."""
        ids = {record.id for record in records}
        roots = []
        for record in records:
            ancestors = set()
            parent = record.parent
            while parent is not None and parent not in ancestors:
                ancestors.add(parent)
                above = self.record(parent)
                parent = above.parent if above else None
            if not ancestors & ids:
                roots.append(record)
        if len(roots) != 1:
            return None
        root = roots[0]
        for record in records:
            if record is root:
                continue
            parent = record.parent
            seen = set()
            while parent is not None and parent != root.id and parent not in seen:
                seen.add(parent)
                above = self.record(parent)
                parent = above.parent if above else None
            if parent != root.id:
                return None
        return root

    def closest(self, name: str, limit: int = 3) -> list[tuple[RorRecord, float]]:
        """The records whose names are closest to ``name``, with a similarity from 0 to 100."""
        from rapidfuzz import fuzz, process

        keys = self._choices()
        found: dict[str, tuple[RorRecord, float]] = {}
        for key, score, _ in process.extract(
            # Plain ratio: WRatio's partial matches make "Univ" close to any university.
            match_key(name),
            keys,
            scorer=fuzz.ratio,
            limit=limit * 4,
        ):
            for record in self._all(self._by_name[key]):
                if record.id not in found or score > found[record.id][1]:
                    found[record.id] = (record, score)
        return sorted(found.values(), key=lambda item: (-item[1], item[0].label))[:limit]

    @cache  # noqa: B019  (one index for the life of the process)
    def _choices(self) -> list[str]:
        return sorted(self._by_name)


def _prefer_active(records: list[RorRecord]) -> list[RorRecord]:
    active = [record for record in records if record.status == "active"]
    return active or records


def bundled_index_path() -> Path:
    """The path of the ROR index that ships with osgraph (``data/ror.tsv.gz``)."""
    return _resources.path("data", "ror.tsv.gz")


@cache
def ror_index(path: Path | None = None) -> RorIndex:
    """Read a ROR index written by :func:`import_ror`; by default the bundled one.

    Raises
    ------
    ReadWriteError
        When the file is missing or cannot be read.
    SourceError
        When it is not a gzipped index osgraph wrote.
    """
    path = path or bundled_index_path()
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="\n") as file:
            lines = file.read().split("\n")
    except FileNotFoundError:
        raise ReadWriteError(f"{path}: no such file") from None
    except (gzip.BadGzipFile, EOFError, UnicodeDecodeError) as error:
        raise SourceError(path, f"cannot be read as a gzipped ROR index: {error}") from None
    except OSError as error:
        raise ReadWriteError(f"{path}: cannot be read as a gzipped ROR index: {error}") from None
    if not lines or lines[0].split("\t")[0] != FORMAT:
        raise SourceError(path, "is not a ROR index written by `osgraph gazetteer import-ror`")
    return RorIndex.from_lines(line for line in lines[2:] if line)


def _read_line(line: str) -> RorRecord:
    (ror_id, status, country, types, wikidata, parent, homepage, label, names, acronyms) = (
        line.split("\t")
    )
    return RorRecord(
        id=ror_id,
        status=status,
        country=country or None,
        types=tuple(types.split(",")) if types else (),
        wikidata=wikidata or None,
        parent=parent or None,
        homepage=homepage or None,
        label=label,
        names=tuple(names.split(SEPARATOR)) if names else (),
        acronyms=tuple(acronyms.split(SEPARATOR)) if acronyms else (),
    )
