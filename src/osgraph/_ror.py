"""Institutions from the Research Organization Registry (ROR), through an index osgraph ships.

``data/ror.tsv.gz`` holds what osgraph uses of each ROR record that is not withdrawn: id, status,
country, types, Wikidata id, parent, website, the name osgraph shows (ROR's display name, less
its "(Country)" suffix where no other record needs it), every other name (labels in any
language, aliases) and acronyms. :func:`import_ror` makes it from ROR's data: the official dump
(a zip holding one JSON array of schema v2 records) or JSON lines of records in either schema,
gzipped or not.

:meth:`RorIndex.match` finds the records a name may stand for, with a row's countries as
evidence; a name that stays ambiguous is not guessed. A ROR record is a source with a name, not
ground truth: the curated gazetteer (``data/institutions.toml``) overrides it.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from osgraph import _resources
from osgraph._errors import SourceError
from osgraph._names import name_key

ROR_URL = "https://ror.org/"
_FORMAT = "osgraph-ror-index 1"
_COLUMNS = (
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
_SEPARATOR = "\x1f"  # between the names of one column: no name holds it
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
        self._by_name: dict[str, list[str]] = {}
        self._by_acronym: dict[str, list[str]] = {}
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
                names.split(_SEPARATOR) if names else (),
                acronyms.split(_SEPARATOR) if acronyms else (),
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
            self._by_name.setdefault(name, []).append(ror_id)
        for acronym in acronyms:
            self._by_acronym.setdefault(acronym, []).append(ror_id)

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

    def _all(self, ids: list[str]) -> list[RorRecord]:
        return [record for ror_id in ids if (record := self.record(ror_id)) is not None]

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
            root = self._root(found)
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

    def _root(self, records: list[RorRecord]) -> RorRecord | None:
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
    SourceError
        When the file cannot be read or is not an index osgraph wrote.
    """
    path = path or bundled_index_path()
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="\n") as file:
            lines = file.read().split("\n")
    except FileNotFoundError:
        raise SourceError(path, "no such file") from None
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise SourceError(path, f"cannot be read as a gzipped ROR index: {error}") from None
    if not lines or lines[0].split("\t")[0] != _FORMAT:
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
        names=tuple(names.split(_SEPARATOR)) if names else (),
        acronyms=tuple(acronyms.split(_SEPARATOR)) if acronyms else (),
    )


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What :func:`import_ror` read and wrote."""

    read: int
    written: int
    withdrawn: int
    release: str


def import_ror(source: Path | str, out: Path | str | None = None) -> ImportSummary:
    """Make a ROR index from ROR's data and write it to ``out`` (default: the bundled index).

    ``source`` is ROR's official dump (a ``.zip`` holding one JSON array of schema v2 records),
    or a file of JSON lines (``.jsonl``, ``.jsonl.gz``) of records in schema v1 or v2.
    Withdrawn records are left out. The index is written whole or not at all.

    Raises
    ------
    SourceError
        When ``source`` cannot be read, or a record lacks what every ROR record has (the
        message names the record's line or position).
    """
    from osgraph._atomic import replace_atomically

    source = Path(source)
    records, release = _read_ror(source)
    read = written = withdrawn = 0
    parsed = []
    releases = set()
    for position, raw in records:
        read += 1
        if isinstance(raw, dict) and isinstance(raw.get("_release"), str):
            releases.add(raw["_release"])
        try:
            record = _record(raw)
        except (KeyError, TypeError, ValueError, IndexError) as error:
            raise SourceError(
                source, f"not a ROR record: {error!r} is missing or malformed", line=position
            ) from None
        if record is None:
            withdrawn += 1
            continue
        parsed.append(record)
    if not release:  # JSON lines may say which release each record is from: the latest
        release = max(releases, key=_version) if releases else source.name
    records_out = _labels_told_apart(parsed)
    target = Path(out) if out else bundled_index_path()
    buffer = io.StringIO()
    buffer.write(f"{_FORMAT}\tROR release {release}; CC0 1.0; {len(records_out)} records\n")
    buffer.write("\t".join(_COLUMNS) + "\n")
    for record in sorted(records_out, key=lambda r: r.id):
        buffer.write(_line(record))
        written += 1
    # A fixed mtime keeps the gzip bytes the same for the same records.
    with (
        replace_atomically(target, binary=True) as file,
        gzip.GzipFile(filename="", fileobj=file, mode="wb", mtime=0) as packed,
    ):
        packed.write(buffer.getvalue().encode("utf-8"))
    ror_index.cache_clear()
    return ImportSummary(read, written, withdrawn, release)


def _read_ror(source: Path) -> tuple[Iterator[tuple[int, dict[str, Any]]], str]:
    try:
        if source.suffix == ".zip":
            with zipfile.ZipFile(source) as archive:
                members = [n for n in archive.namelist() if n.endswith(".json")]
                if len(members) != 1:
                    raise SourceError(source, "the zip should hold one .json file of ROR records")
                data = json.loads(archive.read(members[0]))
            if not isinstance(data, list):
                raise SourceError(source, "the zip's JSON is not an array of ROR records")
            release = members[0].split("-ror-data")[0]
            return enumerate(data, 1), release
        opener = gzip.open if source.suffix == ".gz" else open
        with opener(source, "rt", encoding="utf-8") as file:
            lines = file.read().splitlines()
    except FileNotFoundError:
        raise SourceError(source, "no such file") from None
    except (OSError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as error:
        raise SourceError(source, f"cannot be read: {error}") from None
    except json.JSONDecodeError as error:
        raise SourceError(source, f"not valid JSON: {error}") from None

    def parsed() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as error:
                raise SourceError(source, f"not valid JSON: {error.msg}", line=number) from None

    return parsed(), ""


def _version(release: str) -> tuple[int, ...]:
    return tuple(int(part) for part in release.lstrip("v").split(".") if part.isdigit())


_KIND_ORDER = ("education", "company", "facility", "government", "nonprofit")


def _record(raw: Mapping[str, Any]) -> RorRecord | None:
    """What osgraph uses of a ROR record in schema v1 or v2; ``None`` when it is withdrawn."""
    if raw["status"] == "withdrawn":
        return None
    ror_id = str(raw["id"]).removeprefix(ROR_URL)
    if "names" in raw:  # schema v2
        names = raw["names"]
        display = next(n["value"] for n in names if "ror_display" in n["types"])
        others = [n["value"] for n in names if "acronym" not in n["types"]]
        acronyms = [n["value"] for n in names if "acronym" in n["types"]]
        locations = raw.get("locations") or []
        country = locations[0]["geonames_details"]["country_code"] if locations else None
        country_name = locations[0]["geonames_details"].get("country_name") if locations else None
        wikidata = _wikidata_v2(raw.get("external_ids") or [])
        parents = [r["id"] for r in raw.get("relationships") or [] if r["type"] == "parent"]
        links = [link["value"] for link in raw.get("links") or [] if link["type"] == "website"]
        types = [str(t).lower() for t in raw.get("types") or []]
    else:  # schema v1
        display = raw["name"]
        others = [*raw.get("aliases", []), *(label["label"] for label in raw.get("labels", []))]
        acronyms = list(raw.get("acronyms", []))
        country = (raw.get("country") or {}).get("country_code")
        country_name = (raw.get("country") or {}).get("country_name")
        ids = (raw.get("external_ids") or {}).get("Wikidata") or {}
        wikidata = _preferred(ids.get("preferred"), ids.get("all") or [])
        parents = [r["id"] for r in raw.get("relationships") or [] if r["type"] == "Parent"]
        links = list(raw.get("links") or [])
        types = [str(t).lower() for t in raw.get("types") or []]
    suffix = f" ({country_name})" if country_name else None
    short = display.removesuffix(suffix) if suffix and display.endswith(suffix) else display
    return RorRecord(
        id=ror_id,
        status=str(raw["status"]),
        country=country,
        types=tuple(sorted(set(types), key=lambda t: (_rank(t), t))),
        wikidata=wikidata,
        parent=parents[0].removeprefix(ROR_URL) if len(parents) == 1 else None,
        homepage=links[0] if links else None,
        label=short,
        names=tuple(dict.fromkeys(_clean(n) for n in [display, *others] if _clean(n))),
        acronyms=tuple(dict.fromkeys(_clean(a) for a in acronyms if _clean(a))),
    )


def _rank(kind: str) -> int:
    return _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER)


def _wikidata_v2(external_ids: list[Mapping[str, Any]]) -> str | None:
    for external in external_ids:
        if external["type"] == "wikidata":
            return _preferred(external.get("preferred"), external.get("all") or [])
    return None


def _preferred(preferred: object, every: list[str] | str) -> str | None:
    """ROR's preferred id, or its only one; several without a preferred one are no answer."""
    if isinstance(preferred, str) and preferred:
        return preferred
    every = [every] if isinstance(every, str) else every
    return every[0] if len(every) == 1 else None


def _clean(name: str) -> str:
    return " ".join(str(name).replace(_SEPARATOR, " ").split())


def _labels_told_apart(records: list[RorRecord]) -> list[RorRecord]:
    """Give back the "(Country)" suffix to a short label that records share, unless the
    record is the ancestor of all the others that share it (Google, not its offices)."""
    sharing: dict[str, list[RorRecord]] = {}
    for record in records:
        sharing.setdefault(name_key(record.label), []).append(record)
    index = RorIndex(records)
    told_apart = []
    for record in records:
        group = sharing[name_key(record.label)]
        if len(group) > 1 and index._root(group) is not record:
            display = record.names[0]
            record = RorRecord(**{**_fields(record), "label": display})
        told_apart.append(record)
    return told_apart


def _fields(record: RorRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in _COLUMNS}


def _line(record: RorRecord) -> str:
    values = _fields(record)
    values["types"] = ",".join(record.types)
    # The match keys of the names, as the index compares them: reading the index then costs
    # no normalisation of 150,000 names.
    values["names"] = _SEPARATOR.join(dict.fromkeys(match_key(n) for n in record.names))
    values["acronyms"] = _SEPARATOR.join(dict.fromkeys(match_key(a) for a in record.acronyms))
    return (
        "\t".join(
            _clean(values[c] or "") if c not in ("names", "acronyms") else values[c]
            for c in _COLUMNS
        )
        + "\n"
    )
