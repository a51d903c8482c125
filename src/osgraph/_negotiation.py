"""Which media type to answer in: the one a request's ``Accept`` header weighs most (RFC 9110,
section 12.5.1), among those osgraph can write."""

from __future__ import annotations

from collections.abc import Sequence


def preferred(accept: str, offered: Sequence[str]) -> str | None:
    """The type of ``offered`` that ``accept`` weighs most, or ``None`` when it accepts none.

    A type takes the weight (``q``) of the most specific range that matches it (``text/csv``
    before ``text/*`` before ``*/*``); of types of equal weight, the one whose range the header
    names first wins, then the one ``offered`` names first. An empty header accepts anything.
    A weight that is not a number from 0 to 1 is 0: that range accepts nothing.

    Examples
    --------
    >>> offered = ["application/sparql-results+json", "text/csv"]
    >>> preferred("text/csv;q=0.5, application/sparql-results+json;q=0.9", offered)
    'application/sparql-results+json'
    >>> preferred("text/html, */*;q=0.8", offered)
    'application/sparql-results+json'
    >>> preferred("text/*, application/sparql-results+json;q=0", offered)
    'text/csv'
    >>> preferred("image/png", offered) is None
    True
    """
    if not accept.strip():
        return offered[0] if offered else None
    ranges = [found for part in accept.split(",") if (found := _range(part)) is not None]
    best: str | None = None
    best_rank = (0.0, 0)
    for candidate in offered:
        rank = _rank(candidate.lower(), ranges)
        if rank[0] > 0 and rank > best_rank:
            best, best_rank = candidate, rank
    return best


def _range(part: str) -> tuple[str, float] | None:
    """A media range of the header and its weight; ``None`` for what is not one."""
    media, *parameters = part.split(";")
    media = media.strip().lower()
    if media.count("/") != 1:
        return None
    weight = 1.0
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value.strip())
            except ValueError:
                weight = 0.0
            if not 0.0 <= weight <= 1.0:  # NaN too
                weight = 0.0
    return media, weight


def _rank(media_type: str, ranges: list[tuple[str, float]]) -> tuple[float, int]:
    """The weight of ``media_type`` and how early its range comes (higher is earlier)."""
    for pattern in (media_type, media_type.split("/")[0] + "/*", "*/*"):
        matches = [
            (weight, -index) for index, (media, weight) in enumerate(ranges) if media == pattern
        ]
        if matches:
            return max(matches)
    return 0.0, 0
