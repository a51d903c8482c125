"""The review loop: what lists name that osgraph could not resolve, and drafts of gazetteer
entries for a person to check.

:func:`review_names` lists every institution that neither the curated gazetteer nor ROR
resolves (or that several ROR records may be), and every country name no standard knows, with
the closest candidates, from the gazetteer and from ROR, and the evidence (the name matched,
country, type). :func:`draft_gazetteer` writes them as ``[[institution]]`` entries in the form of
``data/institutions.toml``: the facts of the best ROR candidate, each with its record as source,
or ``unknown``; the file loads as a gazetteer once a person has checked it. With a
reconciliation service (:mod:`osgraph._reconcile_client`), the names are also asked of it, and
its candidates join the others; the one it calls a match fills the draft of a name nothing else
resolves, with the service as source. Nothing a service says is accepted without a person.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from osgraph._align import institution_countries
from osgraph._atomic import write_file
from osgraph._gazetteer import GAZETTEER, Gazetteer, load_gazetteer, ror_kind
from osgraph._messages import printable
from osgraph._names import name_key
from osgraph._reconcile_client import BatchProgress, ServiceCandidate, ask_service
from osgraph._ror import RorRecord
from osgraph._sources import bundled_list, read_source
from osgraph._sources.columns import TableShape
from osgraph._sources.entries import Origin, Source

_SHOWN = 3
_LIKELY = 80  # a similarity that makes a gazetteer entry worth naming in a draft


@dataclass(frozen=True, slots=True)
class Candidate:
    """A known name close to an unresolved one: from the gazetteer, a ROR record, or what a
    reconciliation service proposes."""

    name: str
    score: float  # similarity from 0 to 100; 100 for a record that has the very name
    source: str  # "gazetteer", "ROR", for countries "ISO 3166 / CLDR", or a service's URL
    record: RorRecord | None = None
    proposed: ServiceCandidate | None = None

    def __str__(self) -> str:
        if self.proposed is not None:
            found = self.proposed
            decision = ", a match" if found.match else ""
            return printable(
                f"{found.name} ({found.iri} from {found.service}, {found.score:g}{decision})"
            )
        if self.record is None:
            return f"{self.name} (gazetteer, {self.score:.0f})"
        record = self.record
        kind = ", ".join(record.types) or "no type"
        country = record.country or "no country"
        return f"{self.name} (ROR {record.url}, {country}, {kind}, {self.score:.0f})"


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A name of an institution or country that did not resolve, where it was met, the
    countries its rows give it (ISO 3166-1 codes), and the closest candidates. ``ambiguous``:
    several ROR records have the name, and nothing told them apart."""

    kind: str  # "institution" or "country"
    name: str
    origins: tuple[Origin, ...]
    countries: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    ambiguous: bool = False


def review_names(sources: Iterable[Source], gazetteer: Gazetteer | None = None) -> list[Unresolved]:
    """Every institution and country name of ``sources`` that does not resolve, with the
    closest candidates from the gazetteer and from ROR.

    Examples
    --------
    >>> from osgraph._sources.delimited import read_csv_table
    >>> from osgraph._sources.entries import ListInfo
    >>> table = "project,institutions,countries\\nX,Tsinghua Univ,China\\nY,Acme Widgets,Atlantis"
    >>> entries, _ = read_csv_table(table, "l.csv", list_id="l")
    >>> found = review_names([Source(ListInfo("l", "l.csv"), tuple(entries))])
    >>> [(u.kind, u.name) for u in found]
    [('institution', 'Tsinghua Univ'), ('institution', 'Acme Widgets'), ('country', 'Atlantis')]
    >>> found[0].candidates[0].name
    'Tsinghua University'
    >>> found[2].candidates[0].name, found[0].countries
    ('Albania', ('CN',))
    """
    gazetteer = gazetteer or load_gazetteer()
    sources = list(sources)
    entries = [entry for source in sources for entry in source.entries]
    met: dict[tuple[str, str], list[Origin]] = {}
    for entry in entries:
        for country in entry.countries:
            if gazetteer.country(country) is None and gazetteer.area(country) is None:
                met.setdefault(("country", country), []).append(entry.origin)
    resolvable = [
        entry
        for entry in entries
        if all(("country", country) not in met for country in entry.countries)
    ]
    # The countries shown are those the match was given as evidence.
    evidence = institution_countries(resolvable, gazetteer)
    matches = {name: gazetteer.match_institution(name, found) for name, found in evidence.items()}
    for entry in entries:
        for institution in entry.institutions:
            match = matches.get(institution.name)
            if match is None or match.facts is None:
                met.setdefault(("institution", institution.name), []).append(entry.origin)
    found = []
    for (kind, name), origins in sorted(met.items(), key=lambda item: item[0][0] != "institution"):
        if kind == "country":
            candidates = tuple(
                Candidate(match, score, "ISO 3166 / CLDR")
                for match, score in gazetteer.closest_countries(name)
            )
            found.append(Unresolved(kind, name, tuple(origins), (), candidates))
            continue
        match = matches.get(name)
        same_name = match.ror.candidates if match and match.ror else ()
        found.append(
            Unresolved(
                kind,
                name,
                tuple(origins),
                tuple(sorted(evidence.get(name, ()))),
                _institution_candidates(gazetteer, name, same_name),
                bool(same_name),
            )
        )
    return found


def _institution_candidates(
    gazetteer: Gazetteer, name: str, records: Iterable[RorRecord]
) -> tuple[Candidate, ...]:
    """ROR's records of the very name, then the closest entries of the gazetteer, then the
    closest records of ROR."""
    candidates = [Candidate(record.label, 100.0, "ROR", record) for record in records]
    candidates += [
        Candidate(match, score, GAZETTEER)
        for match, score in gazetteer.closest_institutions(name, _SHOWN)
    ]
    if gazetteer.ror is not None:
        candidates += [
            Candidate(record.label, score, "ROR", record)
            for record, score in gazetteer.ror.closest(name, _SHOWN)
        ]
    seen: set[tuple[str, str]] = set()
    unique = []
    for candidate in candidates:
        key = (candidate.name, candidate.record.id if candidate.record else "")
        if key not in seen:
            seen.add(key)
            unique.append(candidate)
    return tuple(unique)


def draft_gazetteer(unresolved: Iterable[Unresolved]) -> str:
    """Gazetteer entries, in the form of ``data/institutions.toml``, for the institutions of
    ``unresolved``: the facts of the ROR candidate in the rows' countries (or the only one),
    each with its record as source, else ``unknown``; every candidate in a comment.

    Examples
    --------
    >>> record = RorRecord("03cve4549", "active", "CN", ("education",), "Q16955", None,
    ...                    "https://www.tsinghua.edu.cn", "Tsinghua University", (), ())
    >>> unresolved = Unresolved("institution", "THU", (), ("CN",),
    ...                         (Candidate("Tsinghua University", 100.0, "ROR", record),), True)
    >>> print(draft_gazetteer([unresolved]))  # doctest: +ELLIPSIS
    # Drafts of gazetteer entries ...
    <BLANKLINE>
    [[institution]]
    # candidates for 'THU': Tsinghua University (ROR https://ror.org/03cve4549, CN, education, 100)
    name = "Tsinghua University"
    aliases = ["THU"]
    kind = "university"
    country = "CN"
    homepage = "https://www.tsinghua.edu.cn"
    wikidata = "Q16955"
    ror = "03cve4549"
    source = "https://ror.org/03cve4549"
    note = "draft from ROR: check that the record is the institution the list names"
    <BLANKLINE>
    """
    lines = [
        "# Drafts of gazetteer entries for the institutions osgraph could not resolve.",
        "# Check each against its source, correct it, then pass this file to",
        "# `osgraph build --gazetteer FILE` (it adds to the bundled gazetteer).",
        "",
    ]
    # One entry per record: names that stand for the same record become its aliases.
    drafts: dict[str, tuple[RorRecord | ServiceCandidate | None, list[Unresolved]]] = {}
    for name in unresolved:
        if name.kind != "institution":
            continue
        found = _best_record(name) or _service_match(name)
        key = found.iri if isinstance(found, ServiceCandidate) else found.id if found else ""
        drafts.setdefault(key or name_key(name.name), (found, []))[1].append(name)
    for record, names in drafts.values():
        lines.append("[[institution]]")
        lines += [
            _comment(f"candidates for {n.name!r}: {'; '.join(str(c) for c in n.candidates)}")
            for n in names
            if n.candidates
        ]
        lines += [
            _comment(f"or, if it is {c.name}, add {n.name!r} to the aliases of its entry instead")
            for n in names
            for c in n.candidates[:1]
            if c.source == GAZETTEER and c.score >= _LIKELY
        ]
        if isinstance(record, ServiceCandidate):
            lines += _proposed_entry(record, names)
        elif record is None:
            lines.append(f"name = {_string(names[0].name)}")
            lines += [f'{field} = "unknown"' for field in ("kind", "country", "homepage")]
            lines += [f'{field} = "unknown"' for field in ("wikidata", "ror")]
        else:
            kind = ror_kind(record) or "unknown"
            aliases = [_string(n.name) for n in names if name_key(n.name) != name_key(record.label)]
            lines += [
                f"name = {_string(record.label)}",
                *([f"aliases = [{', '.join(aliases)}]"] if aliases else []),
                f"kind = {_string(kind)}",
                f"country = {_string(record.country or 'unknown')}",
                f"homepage = {_string(record.homepage or 'unknown')}",
                f"wikidata = {_string(record.wikidata or 'unknown')}",
                f"ror = {_string(record.id)}",
                f"source = {_string(record.url)}",
                'note = "draft from ROR: check that the record is the institution the list names"',
            ]
        lines.append("")
    return "\n".join(lines)


def _proposed_entry(found: ServiceCandidate, names: list[Unresolved]) -> list[str]:
    """The lines of a draft entry from what a reconciliation service proposes, its facts
    (those the candidate's id and types give) with the service as source."""
    aliases = [_string(n.name) for n in names if name_key(n.name) != name_key(found.name)]
    return [
        f"name = {_string(found.name)}",
        *([f"aliases = [{', '.join(aliases)}]"] if aliases else []),
        f"kind = {_string(found.kind or 'unknown')}",
        'country = "unknown"',
        'homepage = "unknown"',
        f"wikidata = {_string(found.wikidata or 'unknown')}",
        f"ror = {_string(found.ror or 'unknown')}",
        f"source = {_string(found.service)}",
        "note = "
        + _string(
            f"draft from the reconciliation service {found.service}, which calls {found.iri} "
            f"a match (score {found.score:g}): check that it is the institution the list names"
        ),
    ]


def _service_match(name: Unresolved) -> ServiceCandidate | None:
    """The candidate a reconciliation service calls a match for ``name``, if one does and its
    name could be a gazetteer's (no control or format character, not blank)."""
    return next(
        (
            c.proposed
            for c in name.candidates
            if c.proposed is not None
            and c.proposed.match
            and c.proposed.name.strip()
            and printable(c.proposed.name) == c.proposed.name
        ),
        None,
    )


def _best_record(name: Unresolved) -> RorRecord | None:
    """The ROR candidate of the very name in the rows' countries, or the only one when the
    rows give no country; never one that the rows' countries contradict."""
    exact = [c.record for c in name.candidates if c.record is not None and c.score >= 100]
    placed = [record for record in exact if record.country in name.countries]
    if len(placed) == 1:
        return placed[0]
    return exact[0] if len(exact) == 1 and not name.countries else None


def _comment(text: str) -> str:
    """A TOML comment line of ``text``, whatever it holds: a character a comment may not hold
    (a control character, a line break) is written as its escape."""
    return "# " + "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode() for c in text
    )


def _string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's."""
    return json.dumps(text, ensure_ascii=False)


def review_and_draft(
    sources: Sequence[Path | str] | None = None,
    *,
    gazetteer: Path | str | None = None,
    replace_gazetteer: bool = False,
    encoding: str | None = None,
    shape: TableShape | None = None,
    draft: Path | str | None = None,
    service: str | None = None,
    progress: BatchProgress | None = None,
) -> tuple[int, list[Unresolved]]:
    """Read lists (default: the bundled one) and :func:`review_names` them against the
    gazetteer (the bundled one, with the ``gazetteer`` file's entries, or only those when
    ``replace_gazetteer``); with ``service``, a reconciliation service's URL, add its
    candidates for the institutions (see :func:`with_service_candidates`); with ``draft``,
    also write :func:`draft_gazetteer` of them there. Returns the number of rows read and the
    unresolved names.

    Raises
    ------
    OsgraphError
        When a source or the gazetteer cannot be read, the service cannot be reached or does
        not answer as a reconciliation service (``ReadWriteError``), or the draft cannot be
        written.
    """
    known = load_gazetteer(gazetteer, replace=replace_gazetteer)
    read = [
        read_source(path, encoding=encoding, shape=shape) for path in (sources or [bundled_list()])
    ]
    unresolved = review_names(read, known)
    if service is not None:
        unresolved = with_service_candidates(unresolved, service, progress=progress)
    if draft is not None:
        write_file(Path(draft), draft_gazetteer(unresolved).encode("utf-8"))
    return sum(len(source.entries) for source in read), unresolved


def with_service_candidates(
    unresolved: Sequence[Unresolved], service: str, *, progress: BatchProgress | None = None
) -> list[Unresolved]:
    """``unresolved``, each institution with the candidates the reconciliation service at
    ``service`` proposes for it (after its own), told the countries its rows give it.

    Raises
    ------
    ConfigurationError
        When ``service`` is not an http(s) address.
    ReadWriteError
        When the service cannot be reached or does not answer as a reconciliation service.
    """
    asked = [(u.name, u.countries) for u in unresolved if u.kind == "institution"]
    if not asked:
        return list(unresolved)
    found = ask_service(service, asked, progress=progress)
    return [
        replace(
            name,
            candidates=(
                *name.candidates,
                *(Candidate(c.name, c.score, c.service, proposed=c) for c in found[name.name]),
            ),
        )
        if name.kind == "institution"
        else name
        for name in unresolved
    ]
