"""Make osgraph's ROR index from ROR's data: the official dump (a zip holding one JSON array of
schema v2 records) or JSON lines of records in either schema, gzipped or not.

Of each record that is not withdrawn, the index keeps what :class:`~osgraph._ror.RorRecord`
holds; a label that several records share gets back its "(Country)" suffix, unless the record
is the ancestor of all the others (Google, not its offices). The index is written whole or not
at all, and the same records always give the same bytes.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from osgraph._atomic import replace_atomically
from osgraph._errors import ReadWriteError, SourceError
from osgraph._names import name_key
from osgraph._ror import (
    COLUMNS,
    FORMAT,
    ROR_URL,
    SEPARATOR,
    RorIndex,
    RorRecord,
    bundled_index_path,
    match_key,
    ror_index,
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
    ReadWriteError
        When ``source`` is missing or cannot be read, or the index cannot be written.
    SourceError
        When ``source`` is not ROR's data: not a zip, gzip or JSON osgraph can read, or a record
        lacks what every ROR record has (the message names the record's line or position).
    """
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
    buffer.write(f"{FORMAT}\tROR release {release}; CC0 1.0; {len(records_out)} records\n")
    buffer.write("\t".join(COLUMNS) + "\n")
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
        raise ReadWriteError(f"{source}: no such file") from None
    except (gzip.BadGzipFile, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as error:
        raise SourceError(source, f"cannot be read: {error}") from None
    except OSError as error:
        raise ReadWriteError(f"{source}: cannot be read: {error}") from None
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
    return " ".join(str(name).replace(SEPARATOR, " ").split())


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
        if len(group) > 1 and index.root(group) is not record:
            display = record.names[0]
            record = RorRecord(**{**_fields(record), "label": display})
        told_apart.append(record)
    return told_apart


def _fields(record: RorRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in COLUMNS}


def _line(record: RorRecord) -> str:
    values = _fields(record)
    values["types"] = ",".join(record.types)
    # The match keys of the names, as the index compares them: reading the index then costs
    # no normalisation of 150,000 names.
    values["names"] = SEPARATOR.join(dict.fromkeys(match_key(n) for n in record.names))
    values["acronyms"] = SEPARATOR.join(dict.fromkeys(match_key(a) for a in record.acronyms))
    return (
        "\t".join(
            _clean(values[c] or "") if c not in ("names", "acronyms") else values[c]
            for c in COLUMNS
        )
        + "\n"
    )
