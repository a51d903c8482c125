"""A reconciliation service: the W3C Entity Reconciliation Community Group's Reconciliation
Service API, version 0.2 (the protocol OpenRefine speaks), over a graph, the gazetteer and ROR.

- ``GET`` without ``queries``: the service manifest (versions, name, identifier and schema
  spaces, the default types institution, country and project, and a view template that
  describes an entity with the graph's SPARQL endpoint);
- ``GET ?queries=`` or ``POST`` a form field ``queries``: a JSON batch of reconciliation
  queries (``query``, ``type``, ``limit``, ``properties``, ``type_strict``), answered with
  the candidates of each (:mod:`osgraph._reconcile_match`).

The only property is ``country`` (an ISO 3166-1 code or a country's name in any language):
it leaves out the institutions and countries known to be elsewhere. A batch that is not what
the specification describes (a wrong shape, an unknown type or property, more than
:data:`BATCH_SIZE` queries, JSON nested too deeply) is refused with 400 (413 for the size) and
a message, never a guess. Every answer allows reads from any origin (CORS), as the
specification requires; JSONP, which it leaves optional, is refused.
"""

from __future__ import annotations

import json
import math
import re
import threading
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from osgraph._errors import OsgraphError, QueryError
from osgraph._gazetteer import load_gazetteer
from osgraph._reconcile_match import EXACT, KINDS, Entity, EntityIndex, Scored
from osgraph._vocabulary import INSTITUTION_KINDS, OSG

VERSIONS = ("0.2",)
BATCH_SIZE = 50
"""The most queries a batch may hold."""
DEFAULT_LIMIT = 5
MAX_LIMIT = 25
MAX_QUERY_CHARACTERS = 1_000
"""The longest query string: a name, not a document."""
_MAX_VALUES = 10  # properties of a query, and values of a property
_QUERY_FIELDS = frozenset({"query", "type", "limit", "properties", "type_strict"})
_TYPE_NAMES = {"institution": "Institution", "country": "Country", "project": "Project"}
_TYPES = {str(OSG[name]): kind for kind, name in _TYPE_NAMES.items()}
_KIND_TYPES = {str(term): kind for kind, term in INSTITUTION_KINDS.items()}
_HOST = re.compile(r"[A-Za-z0-9.\-]{1,253}(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]{2,45}\](:[0-9]{1,5})?")
JSON_TYPE = "application/json"
CORS = {"Access-Control-Allow-Origin": "*"}


@dataclass(frozen=True, slots=True)
class ReconciliationQuery:
    """One query of a batch, checked: its text, the kinds it asks for, the countries it is
    constrained to (ISO 3166-1 codes; ``None`` for a country value that names none), and at
    most how many candidates it wants."""

    text: str
    kinds: frozenset[str]
    institution_kinds: frozenset[str]
    countries: tuple[str, ...] | None
    limit: int


class ReconciliationService:
    """Answers reconciliation queries about the graph ``graph`` (if any), the gazetteer and ROR.

    Examples
    --------
    >>> service = ReconciliationService()
    >>> service.manifest("127.0.0.1:7878")["defaultTypes"][0]["name"]
    'Institution'
    >>> in_us = [{"pid": "country", "v": "US"}]
    >>> best = service.answer({"q0": {"query": "MIT", "properties": in_us}})["q0"]["result"][0]
    >>> best["name"], best["match"]
    ('Massachusetts Institute of Technology', True)
    """

    def __init__(self, graph: Path | str | None = None, name: str = "osgraph") -> None:
        self.name = name
        self.index = EntityIndex(load_gazetteer(), Path(graph) if graph is not None else None)

    def manifest(self, host: str) -> dict[str, Any]:
        """The service manifest, its view template on the SPARQL endpoint at ``host`` (a
        ``Host`` header; one that is not a host name and port gives ``127.0.0.1``)."""
        host = host if _HOST.fullmatch(host) else "127.0.0.1"
        describe = quote(f"DESCRIBE <{self.index.base}", safe="")
        return {
            "versions": list(VERSIONS),
            "name": self.name,
            "identifierSpace": self.index.base,
            "schemaSpace": str(OSG),
            "defaultTypes": [{"id": str(OSG[n]), "name": n} for n in _TYPE_NAMES.values()],
            "view": {"url": f"http://{host}/sparql?query={describe}{{{{id}}}}%3E"},
            "batchSize": BATCH_SIZE,
        }

    def answer(self, batch: str | dict[str, Any]) -> dict[str, Any]:
        """The reconciliation result batch of the query batch ``batch`` (JSON, or read).

        Raises
        ------
        QueryError
            When ``batch`` is not a query batch as the specification describes it, or asks
            for a type or property this service does not have (its message says what is
            wrong, and where), or holds over :data:`BATCH_SIZE` queries.
        """
        batch = read_batch(batch) if isinstance(batch, str) else batch
        if len(batch) > BATCH_SIZE:
            raise QueryError(f"a batch may hold at most {BATCH_SIZE} queries, not {len(batch):,}")
        queries = {key: self._query(key, value) for key, value in batch.items()}
        return {key: {"result": self._result(query)} for key, query in queries.items()}

    def _result(self, query: ReconciliationQuery) -> list[dict[str, Any]]:
        if not query.text or query.countries is None:
            return []
        found = self.index.find(query.text, query.kinds, query.countries)
        if query.institution_kinds:
            found = [
                s
                for s in found
                if s.entity.kind != "institution"
                or s.entity.institution_kind in query.institution_kinds
            ]
        exact = [scored for scored in found if scored.exact]
        return [
            _candidate(scored, len(exact) == 1 and scored is exact[0])
            for scored in found[: query.limit]
        ]

    def _query(self, key: str, value: object) -> ReconciliationQuery:
        where = f"query {key!r}"
        if not isinstance(value, dict):
            raise QueryError(f"{where} is not an object")
        unknown = set(value) - _QUERY_FIELDS
        if unknown:
            raise QueryError(f"{where} has fields the specification does not: {sorted(unknown)}")
        text = value.get("query", "")
        if not isinstance(text, str):
            raise QueryError(f"{where}: query must be a string")
        if len(text) > MAX_QUERY_CHARACTERS:
            raise QueryError(f"{where}: query has over {MAX_QUERY_CHARACTERS:,} characters")
        if not text.strip() and not value.get("properties"):
            raise QueryError(f"{where} has neither a query nor properties")
        if value.get("type_strict", "any") not in ("any", "should", "all"):
            raise QueryError(f'{where}: type_strict must be "any", "should" or "all"')
        kinds, institution_kinds = _kinds(where, value.get("type"))
        return ReconciliationQuery(
            " ".join(text.split()),
            kinds,
            institution_kinds,
            self._countries(where, value.get("properties", [])),
            _limit(where, value.get("limit", DEFAULT_LIMIT)),
        )

    def _countries(self, where: str, properties: object) -> tuple[str, ...] | None:
        """The ISO 3166-1 codes the ``country`` properties name; ``None`` when one of their
        values names no country (no candidate can be in it)."""
        if not isinstance(properties, list) or len(properties) > _MAX_VALUES:
            raise QueryError(f"{where}: properties must be a list of at most {_MAX_VALUES}")
        codes: list[str] = []
        for mapping in properties:
            if not isinstance(mapping, dict) or set(mapping) != {"pid", "v"}:
                raise QueryError(f"{where}: each property must be an object with pid and v")
            if mapping["pid"] != "country":
                raise QueryError(
                    f"{where}: unknown property {mapping['pid']!r}; this service has only 'country'"
                )
            values = mapping["v"] if isinstance(mapping["v"], list) else [mapping["v"]]
            if len(values) > _MAX_VALUES:
                raise QueryError(f"{where}: a property has over {_MAX_VALUES} values")
            for given in values:
                code = self._country_code(where, given)
                if code is None:
                    return None
                codes.append(code)
        return tuple(dict.fromkeys(codes))

    def _country_code(self, where: str, given: object) -> str | None:
        if isinstance(given, dict) and isinstance(given.get("id"), str):
            given = given["id"]  # a value reconciled before: a country's id here, or a code
        if not isinstance(given, str):
            raise QueryError(f"{where}: a country must be a code, a name or an entity's id")
        gazetteer = self.index.gazetteer
        entity = self.index.entity(given)
        if entity is not None and entity.kind == "country":
            return entity.country
        country = gazetteer.country_by_code(given.upper()) or gazetteer.country(given)
        return country.alpha2 if country is not None else None


def read_batch(text: str) -> dict[str, Any]:
    """The query batch the JSON ``text`` holds, its queries not yet checked.

    Raises
    ------
    QueryError
        When ``text`` is not a JSON object, or is nested too deeply to read.
    """
    try:
        batch = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise QueryError("queries is nested too deeply to be a query batch") from None
    except ValueError as error:
        raise QueryError(f"queries is not JSON: {error}") from None
    if not isinstance(batch, dict):
        raise QueryError("queries must be a JSON object of queries, each under its own key")
    return batch


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _kinds(where: str, given: object) -> tuple[frozenset[str], frozenset[str]]:
    """The kinds of entity (``institution``, ...) and of institution (``university``, ...)
    that a query's ``type`` names; every kind when it names none."""
    if given is None:
        return frozenset(KINDS), frozenset()
    types = [given] if isinstance(given, str) else given
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise QueryError(f"{where}: type must be a type's id or a list of them")
    if len(types) > _MAX_VALUES:
        raise QueryError(f"{where}: type names over {_MAX_VALUES} types")
    kinds, institution_kinds = set(), set()
    for type_id in types:
        if type_id in _TYPES:
            kinds.add(_TYPES[type_id])
        elif type_id in _KIND_TYPES:
            kinds.add("institution")
            institution_kinds.add(_KIND_TYPES[type_id])
        else:
            known = ", ".join([*_TYPES, *_KIND_TYPES])
            raise QueryError(f"{where}: unknown type {type_id!r} (this service has {known})")
    if "institution" in kinds and str(OSG.Institution) in types:
        institution_kinds.clear()  # any institution, whatever its kind
    return frozenset(kinds or KINDS), frozenset(institution_kinds)


def _limit(where: str, given: object) -> int:
    if (
        isinstance(given, bool)
        or not isinstance(given, int | float)
        or not math.isfinite(given)
        or given != int(given)
        or given < 1
    ):
        raise QueryError(f"{where}: limit must be a positive integer")
    return min(int(given), MAX_LIMIT)


def _candidate(scored: Scored, match: bool) -> dict[str, Any]:
    entity = scored.entity
    types = []
    if entity.institution_kind in INSTITUTION_KINDS:
        term = INSTITUTION_KINDS[entity.institution_kind]
        types.append({"id": str(term), "name": str(term).rpartition("#")[2]})
    types.append({"id": str(OSG[_TYPE_NAMES[entity.kind]]), "name": _TYPE_NAMES[entity.kind]})
    return {
        "id": entity.id,
        "name": entity.name,
        "description": _description(entity),
        "score": round(scored.score, 1),
        "match": match and scored.score >= EXACT,
        "type": types,
    }


def _description(entity: Entity) -> str:
    """What tells the candidate from its namesakes: where it is, its ids, what knows it."""
    parts = []
    if entity.kind == "institution" and entity.country:
        parts.append(f"in {entity.country}")
    if entity.ror:
        parts.append(f"ROR {entity.ror}")
    if entity.wikidata:
        parts.append(f"Wikidata {entity.wikidata}")
    parts.append("from " + ", ".join(entity.sources))
    return "; ".join(parts)


_SERVICES: dict[str, ReconciliationService] = {}
_SERVICES_LOCK = threading.Lock()


def respond(
    graph: str, query_string: str, body: bytes | None, content_type: str, host: str
) -> tuple[HTTPStatus, bytes, str, dict[str, str]]:
    """The HTTP answer of the reconciliation service of the graph file ``graph`` to a request:
    ``body`` is ``None`` for a GET, and ``content_type`` that of a POST's body. Returns the
    status, the body, its media type and the headers to add. The service of a graph is made on
    its first request, and kept.

    A graph that cannot be read is answered with 500 and the reason, a batch this service
    refuses with 400 (413 over :data:`BATCH_SIZE` queries): the server goes on.
    """
    try:
        fields = parse_qs(query_string, keep_blank_values=True, max_num_fields=20)
        if body is not None:
            if content_type != "application/x-www-form-urlencoded":
                return _text(
                    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                    "send the queries as a form field named queries "
                    "(application/x-www-form-urlencoded)",
                )
            form = body.decode("utf-8", errors="replace")
            fields |= parse_qs(form, keep_blank_values=True, max_num_fields=20)
    except ValueError:
        return _text(HTTPStatus.BAD_REQUEST, "too many fields: send one named queries")
    if "callback" in fields:
        return _text(HTTPStatus.BAD_REQUEST, "JSONP is not supported: this service allows CORS")
    try:
        with _SERVICES_LOCK:
            if graph not in _SERVICES:
                _SERVICES[graph] = ReconciliationService(graph, f"osgraph ({Path(graph).name})")
            service = _SERVICES[graph]
    except OsgraphError as error:
        return _text(HTTPStatus.INTERNAL_SERVER_ERROR, f"cannot reconcile: {error}")
    if "queries" not in fields:
        return _json(service.manifest(host))
    try:
        batch = read_batch(fields["queries"][0])
        if len(batch) > BATCH_SIZE:
            message = f"a batch may hold at most {BATCH_SIZE} queries, not {len(batch):,}"
            return _text(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, message)
        return _json(service.answer(batch))
    except QueryError as refused:
        return _text(HTTPStatus.BAD_REQUEST, str(refused))


def _json(data: dict[str, Any]) -> tuple[HTTPStatus, bytes, str, dict[str, str]]:
    return HTTPStatus.OK, json.dumps(data, ensure_ascii=False).encode(), JSON_TYPE, CORS


def _text(status: HTTPStatus, message: str) -> tuple[HTTPStatus, bytes, str, dict[str, str]]:
    return status, f"{message}\n".encode(), "text/plain; charset=utf-8", CORS
