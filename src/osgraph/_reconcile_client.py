"""Ask a reconciliation service (the Reconciliation Service API, 0.1 or 0.2) for the entities
names may stand for: Wikidata's service, ROR's, another ``osgraph serve``, or any other.

The service's manifest is read first, then the names are sent in batches of the size it
announces (at most :data:`BATCH_SIZE`). A candidate's id is read in the service's identifier
space: Wikidata's ids are Wikidata items, ROR's are ROR ids, and another osgraph's types name
the kind of institution. The country a list gives a name is sent only to another osgraph (the
``country`` property is osgraph's; other services name their properties otherwise).

What a service answers is data: a candidate is only ever a suggestion for a person to check.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from osgraph._errors import ConfigurationError, ReadWriteError
from osgraph._gazetteer_file import ROR_ID, WIKIDATA_ID
from osgraph._iri import is_web_address
from osgraph._remote import tls_context
from osgraph._vocabulary import INSTITUTION_KINDS, OSG

BATCH_SIZE = 10
"""The most names sent in one request (OpenRefine sends ten), unless the service asks fewer."""
CANDIDATES = 3
"""The candidates asked for each name."""
TIMEOUT = 30.0
"""Seconds to wait for the service to connect, and for each answer."""
MAX_ANSWER_BYTES = 16 * 2**20
_WIKIDATA = ("http://www.wikidata.org/entity/", "https://www.wikidata.org/entity/")
_ROR = ("https://ror.org/", "http://ror.org/")
_KINDS = {str(term): kind for kind, term in INSTITUTION_KINDS.items()}

BatchProgress = Callable[[str, int, int], None]
"""Told, after each batch, the stage (``"ask"``) and how many names have been asked of how
many, as a build's progress is told of its stages."""


@dataclass(frozen=True, slots=True)
class ServiceCandidate:
    """An entity a reconciliation service proposes for a name: its name, its IRI (the
    service's identifier space and its id), the service's score and matching decision, and
    the facts its id and types give (a Wikidata item, a ROR id, osgraph's kind of
    institution), each with the service as source."""

    name: str
    iri: str
    score: float
    match: bool
    service: str
    kind: str | None = None
    wikidata: str | None = None
    ror: str | None = None


def ask_service(
    url: str,
    names: Sequence[tuple[str, Sequence[str]]],
    *,
    timeout: float = TIMEOUT,
    progress: BatchProgress | None = None,
) -> dict[str, list[ServiceCandidate]]:
    """The candidates the reconciliation service at ``url`` proposes for each of ``names``
    (each a name and the ISO 3166-1 codes of the countries its rows give it), best first.

    Raises
    ------
    ConfigurationError
        When ``url`` is not an http(s) address.
    ReadWriteError
        When the service cannot be reached, answers with an error, or answers what is not a
        reconciliation service's manifest or results.

    Examples
    --------
    >>> ask_service("file:///etc/passwd", [("PingCAP", ["CN"])])
    Traceback (most recent call last):
    osgraph.ConfigurationError: the service 'file:///etc/passwd' is not an http(s) address
    """
    import httpx

    if not is_web_address(url):
        raise ConfigurationError(f"the service {url!r} is not an http(s) address")
    found: dict[str, list[ServiceCandidate]] = {}
    unique = list(dict.fromkeys(name for name, _ in names))
    countries = {name: tuple(codes) for name, codes in names}
    with httpx.Client(timeout=timeout, follow_redirects=True, verify=tls_context()) as client:
        manifest = _manifest(_read(client, "GET", url, {}))
        space = manifest["identifierSpace"]
        osgraph = manifest.get("schemaSpace") == str(OSG)
        size = manifest.get("batchSize")
        size = size if isinstance(size, int) and 0 < size < BATCH_SIZE else BATCH_SIZE
        for start in range(0, len(unique), size):
            batch = unique[start : start + size]
            queries = {f"q{i}": _query(n, countries[n], osgraph) for i, n in enumerate(batch)}
            answer = _read(client, "POST", url, {"queries": json.dumps(queries)})
            for i, name in enumerate(batch):
                found[name] = _results(answer, f"q{i}", url, space)
            if progress is not None:
                progress("ask", start + len(batch), len(unique))
    return found


def _query(name: str, countries: Sequence[str], osgraph: bool) -> dict[str, Any]:
    query: dict[str, Any] = {"query": name, "limit": CANDIDATES}
    if osgraph:
        query["type"] = str(OSG.Institution)
        if countries:
            query["properties"] = [{"pid": "country", "v": list(countries)}]
    return query


def _read(client: Any, method: str, url: str, form: dict[str, str]) -> object:
    """The JSON of the service's answer to a request; a clear error for anything else."""
    import httpx

    try:
        with client.stream(method, url, data=form or None) as response:
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_ANSWER_BYTES:
                    raise ReadWriteError(
                        f"the reconciliation service {url} answered over {MAX_ANSWER_BYTES:,} bytes"
                    )
    except httpx.TimeoutException:
        raise ReadWriteError(
            f"the reconciliation service {url} did not answer within {client.timeout.read:g} s"
        ) from None
    except httpx.HTTPError as error:
        raise ReadWriteError(f"cannot reach the reconciliation service {url}: {error}") from None
    if response.status_code != 200:
        reason = body.decode("utf-8", "replace").strip().splitlines()[:1]
        raise ReadWriteError(
            f"the reconciliation service {url} answered {response.status_code}"
            + (f": {reason[0][:200]!r}" if reason else "")
        )
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise ReadWriteError(
            f"{url} does not answer JSON: is it a reconciliation service?"
        ) from None


def _manifest(answer: object) -> dict[str, Any]:
    if not (
        isinstance(answer, dict)
        and isinstance(answer.get("name"), str)
        and isinstance(answer.get("identifierSpace"), str)
    ):
        raise ReadWriteError(
            "the service's manifest has no name or identifierSpace: is it a reconciliation service?"
        )
    return answer


def _results(answer: object, key: str, url: str, space: str) -> list[ServiceCandidate]:
    """The candidates of the query ``key`` in ``answer``, checked as the specification
    describes them."""
    results = answer.get(key) if isinstance(answer, dict) else None
    candidates = results.get("result") if isinstance(results, dict) else None
    if not isinstance(candidates, list):
        raise ReadWriteError(f"the reconciliation service {url} gave no result for a query")
    found = []
    for candidate in candidates:
        if not (
            isinstance(candidate, dict)
            and isinstance(candidate.get("id"), str)
            and isinstance(candidate.get("name"), str)
            and isinstance(candidate.get("score"), int | float)
            and not isinstance(candidate.get("score"), bool)
        ):
            raise ReadWriteError(
                f"the reconciliation service {url} gave a candidate without id, name and score"
            )
        found.append(_candidate(candidate, url, space))
    return sorted(found, key=lambda c: -c.score)


def _candidate(candidate: dict[str, Any], url: str, space: str) -> ServiceCandidate:
    entity_id = candidate["id"]
    iri = entity_id if is_web_address(entity_id) else space + entity_id
    local = iri.removeprefix(space) if iri.startswith(space) else entity_id
    given = candidate.get("type")
    types = given if isinstance(given, list) else []
    type_ids = [t.get("id") if isinstance(t, dict) else t for t in types]
    kinds = [_KINDS[t] for t in type_ids if isinstance(t, str) and t in _KINDS]
    return ServiceCandidate(
        name=candidate["name"],
        iri=iri,
        score=float(candidate["score"]),
        match=candidate.get("match") is True,
        service=url,
        kind=kinds[0] if kinds else None,
        wikidata=local if space in _WIKIDATA and WIKIDATA_ID.match(local) else None,
        ror=local if space in _ROR and ROR_ID.match(local) else None,
    )
