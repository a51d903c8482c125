"""The entities a reconciliation query may name, and how well each fits it.

Three sources are searched, and an entity found in several is one entity: the graph being
served (its institutions, projects and countries, with every label and other spelling), the
curated gazetteer (names and aliases) and the ROR index (names in any language, aliases,
acronyms), as :mod:`osgraph._gazetteer` resolves names for a build. Each entity is named by its
IRI in the graph, less the graph's base: the IRI a build mints for it (``institution/`` and the
slug of its canonical name), whether or not the graph holds it yet; a ROR record whose name
another entity or record has too is named with its ROR id as well.

A candidate scores 100 when one of its names is the query's (or a part of the query that
:func:`~osgraph._gazetteer.name_variants` finds: an acronym in parentheses, an alternative after
" / "), or when ROR resolves the query to it; otherwise its similarity, below 100. It is a match
only when it is the one candidate that scores 100.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from osgraph import _resources
from osgraph._gazetteer import Gazetteer, name_variants, ror_kind
from osgraph._gazetteer_file import InstitutionFacts, read_projects
from osgraph._iri import IriScheme
from osgraph._names import name_key
from osgraph._ror import RorRecord, match_key
from osgraph._vocabulary import DEFAULT_BASE, INSTITUTION_KINDS, OSG, domains

KINDS = ("institution", "country", "project")
"""The kinds of entity reconciliation finds, each an ``osg:`` class of the same name."""
EXACT = 100.0
_SIMILAR = 99.0  # the most a similar name scores: only a name itself scores EXACT
_WITHIN_ROR = 80.0  # a ROR record of the name whose organisation ROR chose instead
_ACRONYM = 70.0  # an acronym that no country backs
_FUZZY_SHOWN = 5
_LEAST = 50.0  # below this, a similar name is noise
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LABELS = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#altLabel",
)
_CLASS_KINDS = {str(OSG.Institution): "institution", str(OSG.Country): "country"}
_CLASS_KINDS[str(OSG.Project)] = "project"
_KIND_OF_CLASS = {str(term): kind for kind, term in INSTITUTION_KINDS.items()}


@dataclass(frozen=True, slots=True)
class Entity:
    """An institution, country or project: ``id`` is its IRI less the graph's base."""

    id: str
    name: str
    kind: str  # one of KINDS
    institution_kind: str | None = None  # "university", ...: a kind of INSTITUTION_KINDS
    country: str | None = None  # ISO 3166-1 alpha-2: where an institution is, or the country
    ror: str | None = None
    wikidata: str | None = None
    sources: tuple[str, ...] = ()  # "graph", "gazetteer", "ROR"
    placed: tuple[str, ...] = ()  # where the graph's contributions place an institution

    def countries(self) -> tuple[str, ...]:
        """Where the entity is: its country, else where the graph's lists place it."""
        return (self.country,) if self.country else self.placed


@dataclass(frozen=True, slots=True)
class Scored:
    """A candidate and its score; ``exact`` when one of its names is the query's."""

    entity: Entity
    score: float
    exact: bool


@dataclass(slots=True)
class _GraphEntity:
    kind: str = ""
    classes: set[str] = field(default_factory=set)
    names: list[str] = field(default_factory=list)
    country: str | None = None
    ror: str | None = None
    wikidata: str | None = None
    placed: set[str] = field(default_factory=set)
    of: str | None = None  # a contribution's institution


class EntityIndex:
    """The entities of a served graph, the gazetteer and ROR, found by name.

    Examples
    --------
    >>> from osgraph._gazetteer import load_gazetteer
    >>> index = EntityIndex(load_gazetteer())
    >>> [(s.entity.id, s.score, s.exact) for s in index.find("清华大学", {"institution"})][:1]
    [('institution/tsinghua_university', 100.0, True)]
    >>> [s.entity.name for s in index.find("Deutschland", {"country"})][:1]
    ['Germany']
    """

    def __init__(self, gazetteer: Gazetteer, graph: Path | None = None) -> None:
        self.gazetteer = gazetteer
        read = _read_graph(graph) if graph is not None else {}
        self.base = _base_of(read) or DEFAULT_BASE
        self._iris = IriScheme(self.base)
        self._by_id: dict[str, Entity] = {}
        self._names: dict[str, set[str]] = {}  # match key -> ids
        self._by_ror: dict[str, str] = {}  # ROR id -> entity id
        for iri, found in read.items():
            if found.kind and found.names:
                self._add(self._graph_entity(iri, found), found.names)
        for facts in gazetteer.institutions():
            self._add(self._curated(facts), (facts.name, *facts.aliases))
        for project in read_projects(_resources.path("data", "projects.toml"), domains()):
            entity = Entity(
                self._id(self._iris.project(name_key(project.name))),
                project.name,
                "project",
                wikidata=project.wikidata,
                sources=("gazetteer",),
            )
            self._add(entity, (project.name,))

    def _id(self, iri: str) -> str:
        return iri[len(self.base) :]

    def _graph_entity(self, iri: str, found: _GraphEntity) -> Entity:
        kinds = sorted(_KIND_OF_CLASS[c] for c in found.classes if c in _KIND_OF_CLASS)
        return Entity(
            self._id(iri),
            found.names[0],
            found.kind,
            kinds[0] if kinds else None,
            found.country,
            found.ror,
            found.wikidata,
            ("graph",),
            tuple(sorted(found.placed)),
        )

    def _curated(self, facts: InstitutionFacts) -> Entity:
        return Entity(
            self._id(self._iris.institution(name_key(facts.name))),
            facts.name,
            "institution",
            facts.kind,
            facts.country,
            facts.ror,
            facts.wikidata,
            ("gazetteer",),
        )

    def _add(self, entity: Entity, names: Iterable[str]) -> Entity:
        """Add ``entity`` under ``names``; an entity already known by its id keeps what it
        has and gains what it lacks."""
        known = self._by_id.get(entity.id)
        if known is not None:
            entity = replace(
                known,
                institution_kind=known.institution_kind or entity.institution_kind,
                country=known.country or entity.country,
                ror=known.ror or entity.ror,
                wikidata=known.wikidata or entity.wikidata,
                sources=tuple(dict.fromkeys((*known.sources, *entity.sources))),
            )
        self._by_id[entity.id] = entity
        for name in names:
            self._names.setdefault(match_key(name), set()).add(entity.id)
        if entity.ror:
            self._by_ror.setdefault(entity.ror, entity.id)
        return entity

    def entity(self, entity_id: str) -> Entity | None:
        """The entity whose id is ``entity_id``, if it is in the graph or the gazetteer."""
        return self._by_id.get(entity_id)

    def country_entity(self, alpha2: str) -> Entity | None:
        """The country whose ISO 3166-1 code is ``alpha2``."""
        country = self.gazetteer.country_by_code(alpha2)
        if country is None:
            return None
        entity_id = self._id(self._iris.country(country.alpha2))
        return self._by_id.get(entity_id) or Entity(
            entity_id,
            country.name,
            "country",
            country=country.alpha2,
            wikidata=country.wikidata,
            sources=("ISO 3166",),
        )

    def _country_named(self, name: str) -> Entity | None:
        """The country ``name`` names, in any language or style, if any."""
        country = self.gazetteer.country(name)
        return self.country_entity(country.alpha2) if country is not None else None

    def _of_record(self, record: RorRecord) -> Entity:
        """The entity a ROR record stands for: the one with its ROR id, else a new one named
        as a build would name it; or, when that name is another entity's or another ROR
        record's too, named with its ROR id as well (two institutions never share an id)."""
        known = self._by_ror.get(record.id)
        if known is not None:
            return self._by_id[known]
        entity_id = self._id(self._iris.institution(name_key(record.label)))
        if entity_id in self._by_id or self._shared(record):
            named = f"{record.label} ror {record.id}"
            entity_id = self._id(self._iris.institution(name_key(named)))
        return Entity(
            entity_id,
            record.label,
            "institution",
            ror_kind(record),
            record.country,
            record.id,
            record.wikidata,
            ("ROR",),
        )

    def _shared(self, record: RorRecord) -> bool:
        """Whether another ROR record has the name ``record`` has."""
        ror = self.gazetteer.ror
        key = match_key(record.label)
        others = ror.match(record.label).candidates if ror is not None else ()
        return any(o.id != record.id and match_key(o.label) == key for o in others)

    def find(
        self, text: str, kinds: Collection[str], countries: Collection[str] = ()
    ) -> list[Scored]:
        """The candidates for the name ``text`` among ``kinds``, best first, with the ISO
        3166-1 codes of ``countries`` as a constraint: an institution or country known to be
        in none of them (by its country, else by where the graph's lists place it) is left
        out, one whose country is unknown is never exact."""
        found: dict[str, Scored] = {}

        def add(entity: Entity, score: float, exact: bool) -> None:
            if entity.kind not in kinds or score < _LEAST:
                return
            if countries and entity.kind != "project":
                where = entity.countries()
                if not where:
                    exact, score = False, min(score, _SIMILAR)
                elif not any(self.gazetteer.within(w, c) for w in where for c in countries):
                    return
            known = found.get(entity.id)
            if known is None or (score, exact) > (known.score, known.exact):
                found[entity.id] = Scored(entity, score, exact)

        variants = name_variants(text)
        for variant in variants:
            for entity_id in sorted(self._names.get(match_key(variant), ())):
                add(self._by_id[entity_id], EXACT, True)
            country = self._country_named(variant)
            if country is not None:
                add(country, EXACT, True)
        if text in self._by_id:  # an id for a query names its entity
            add(self._by_id[text], EXACT, True)
        if "institution" in kinds:
            self._find_in_ror(variants, countries, add)
        if not any(scored.exact for scored in found.values()):
            self._find_similar(text, kinds, add)
        return sorted(found.values(), key=lambda s: (-s.score, not s.exact, s.entity.name))

    def _find_in_ror(
        self,
        variants: list[str],
        countries: Collection[str],
        add: Callable[[Entity, float, bool], None],
    ) -> None:
        ror = self.gazetteer.ror
        if ror is None:
            return
        for variant in variants:
            answer = ror.match(variant, countries, within=self.gazetteer.within)
            if answer.record is not None:
                add(self._of_record(answer.record), EXACT, True)
            key = match_key(variant)
            for record in answer.candidates:
                if record is answer.record:
                    continue
                if answer.record is not None:
                    add(self._of_record(record), _WITHIN_ROR, False)
                else:  # several records have the name and nothing tells them apart
                    exact = key in record.names or key == match_key(record.label)
                    add(self._of_record(record), EXACT if exact else _ACRONYM, exact)

    def _find_similar(
        self, text: str, kinds: Collection[str], add: Callable[[Entity, float, bool], None]
    ) -> None:
        from rapidfuzz import fuzz, process

        key = match_key(text)
        for name, score, _ in process.extract(
            key, list(self._names), scorer=fuzz.ratio, limit=_FUZZY_SHOWN * 2
        ):
            for entity_id in sorted(self._names[name]):
                add(self._by_id[entity_id], min(score, _SIMILAR), False)
        if "country" in kinds:
            for name, score in self.gazetteer.closest_countries(text, _FUZZY_SHOWN):
                country = self._country_named(name)
                if country is not None:
                    add(country, min(score, _SIMILAR), False)
        if "institution" in kinds and self.gazetteer.ror is not None:
            for record, score in self.gazetteer.ror.closest(text, _FUZZY_SHOWN):
                add(self._of_record(record), min(score, _SIMILAR), False)


def _read_graph(path: Path) -> dict[str, _GraphEntity]:
    """The institutions, projects and countries of the graph file ``path``, read as a stream
    (the graph is not held in memory, only what reconciliation uses of these entities)."""
    import pyoxigraph as ox

    from osgraph._errors import ReadWriteError, SourceError

    wanted = {_RDF_TYPE, *_LABELS, str(OSG.basedIn), str(OSG.ror), str(OSG.alpha2)}
    wanted |= {str(OSG.institution), str(OSG.inCountry)}
    exact_match = "http://www.w3.org/2004/02/skos/core#exactMatch"
    wanted.add(exact_match)
    found: dict[str, _GraphEntity] = {}
    try:
        format = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.TURTLE
        for triple in ox.parse(path=path, format=format, lenient=True):
            predicate = triple.predicate.value
            if predicate not in wanted or not isinstance(triple.subject, ox.NamedNode):
                continue
            entity = found.setdefault(triple.subject.value, _GraphEntity())
            value = triple.object.value
            if predicate == _RDF_TYPE:
                entity.classes.add(value)
                entity.kind = entity.kind or _CLASS_KINDS.get(value, "")
            elif predicate in _LABELS:
                entity.names.append(value)
            elif predicate == str(OSG.alpha2):
                entity.country = value
            elif predicate == str(OSG.basedIn):
                entity.country = value.rpartition("/")[2] or None
            elif predicate == str(OSG.ror):
                entity.ror = value.rpartition("/")[2]
            elif predicate == str(OSG.institution):
                entity.of = value
            elif predicate == str(OSG.inCountry):
                entity.placed.add(value.rpartition("/")[2])
            elif value.startswith("http://www.wikidata.org/entity/"):
                entity.wikidata = value.rpartition("/")[2]
    except OSError as error:
        raise ReadWriteError(f"{path}: cannot be read: {error}") from None
    except SyntaxError as error:
        raise SourceError(path, f"cannot be read as RDF: {error}") from None
    for contribution in found.values():
        if contribution.of in found:
            found[contribution.of].placed |= contribution.placed
    return found


def _base_of(entities: dict[str, _GraphEntity]) -> str | None:
    """The base IRI of a graph: what its institutions', projects' and countries' IRIs begin
    with, before their kind."""
    for iri, entity in entities.items():
        marker = f"/{entity.kind}/"
        if entity.kind and marker in iri and "/" not in iri.rpartition(marker)[2]:
            return iri[: iri.rindex(marker) + 1]
    return None
