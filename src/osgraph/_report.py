"""A one-page summary of a built graph, for people who read rather than query.

Which lists it describes and when they were published, the counts, projects per country and per
domain, the top institutions, cross-border and academia-industry collaborations and, folded away
at the end, what the gazetteer still needs: all from the named queries (so it works on any built
graph or endpoint), in one HTML file with no script and no other host.

Every table is cut to a few rows and says how many it leaves out and which named query lists them
all, so the page stays the same size whatever the size of the list. A ranking is never cut inside
a tie without saying so: a short tie at the cut is shown whole, a long one is left out whole and
counted.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment

from osgraph import _resources
from osgraph._catalogue import named_queries
from osgraph._engines import Engine
from osgraph._iri import is_web_address
from osgraph._query import choose_engine, run_query

Row = dict[str, str | None]

TOP_INSTITUTIONS = 15
TOP_GROUPS = 20
"""How many countries, and how many domains, the page ranks."""
TABLE_ROWS = 20
"""How many rows a table of projects or of the gazetteer's work shows."""
TIE_ROOM = 5
"""How many rows past the cut a tie may take to be shown whole; a longer one is left out."""

_LIST_FACTS = (
    ("title", "title"),
    ("period", "period"),
    ("issued", "publication date"),
    ("page", "page"),
)


@dataclass(frozen=True)
class Cut:
    """The first rows of a named query's answer, and what the page says of the rest.

    ``tied`` of the ``left_out`` rows share the count ``count`` of the first one left out (a
    ranking's next group); ``0`` for a table that is not a ranking.
    """

    rows: Sequence[Mapping[str, object]]
    query: str
    left_out: int
    tied: int = 0
    count: int = 0


def render_report(engine: Engine, source: str, options: Sequence[str] = ()) -> bytes:
    """The report of the graph that ``engine`` answers for, made from ``source`` (what the
    page names as its origin: a file or an endpoint); ``options`` are what `osgraph query`
    needs to ask the same graph (``--kg FILE``, or ``--endpoint URL``), for the commands the
    page gives to list a table's rows all.

    Raises
    ------
    QueryError
        When the engine cannot answer one of the report's queries.

    Examples
    --------
    >>> from rdflib import Graph
    >>> from osgraph import open_engine
    >>> page = render_report(open_engine(Graph(), "oxigraph"), "an empty graph")
    >>> b"The graph names no list." in page, b"<script" in page
    (True, False)
    """

    def ask(name: str) -> list[Row]:
        return run_query(engine, named_queries()[name].text).as_dicts()

    def own(name: str) -> list[Row]:
        text = _resources.text("queries", "report", f"{name}.rq")
        return run_query(engine, text).as_dicts()

    (counts,) = own("counts")
    environment = Environment(autoescape=True)
    environment.filters["number"] = _number
    page: str = environment.from_string(_resources.text("templates", "report.html")).render(
        title="osgraph report",
        source=source,
        options=shlex.join(options),
        lists=[_list(row) for row in own("lists")],
        counts=[
            (name, int(counts[name] or 0))
            for name in ("lists", "rows", "projects", "institutions", "countries", "contributions")
        ],
        countries=_ranking(ask("projects-by-country"), "projects-by-country", TOP_GROUPS),
        domains=_ranking(ask("projects-by-domain"), "projects-by-domain", TOP_GROUPS),
        institutions=_ranking(
            ask("institutions-by-projects"), "institutions-by-projects", TOP_INSTITUTIONS
        ),
        cross_border=_first(ask("cross-border-projects"), "cross-border-projects"),
        academia_industry=_first(ask("academia-industry"), "academia-industry"),
        unidentified=_first(ask("unidentified-institutions"), "unidentified-institutions"),
        unaligned=_first(own("unaligned-rows"), ""),
    )
    return page.encode("utf-8")


def report_page(kg: Path | str, *, endpoint: str | None = None, graph: str | None = None) -> bytes:
    """The report of the built graph ``kg``, or of the graph the SPARQL endpoint ``endpoint``
    serves (its named graph ``graph``, when given).

    Raises
    ------
    QueryError
        When the graph cannot be read, or the endpoint cannot be asked.
    """
    options = ["--endpoint", endpoint] if endpoint else ["--kg", str(kg)]
    if endpoint and graph:
        options += ["--graph", graph]
    engine = choose_engine(kg, endpoint=endpoint, graph=graph)
    return render_report(engine, endpoint or str(kg), options)


def _list(row: Row) -> dict[str, object]:
    """A list edition as the page shows it: its facts, only web addresses as links, and the
    facts the graph does not state."""
    return {
        **row,
        "rows": int(row["rows"] or 0),
        "page": _web(row["page"]),
        "source": _web(row["source"]),
        "unknown": [name for key, name in _LIST_FACTS if not row[key]],
    }


def _web(address: str | None) -> str | None:
    """``address`` when it is an http(s) address a link may point to (not ``javascript:``)."""
    return address if address and is_web_address(address) else None


def _first(rows: list[Row], query: str) -> Cut:
    """The first rows of ``rows``, the answer of the named query ``query``."""
    return Cut(rows[:TABLE_ROWS], query, max(0, len(rows) - TABLE_ROWS))


def _ranking(rows: list[Row], query: str, limit: int) -> Cut:
    """The top of a ranking (the answer of ``query``, most projects first) as bars: ``limit``
    rows, or all of a tie at the cut that ends within :data:`TIE_ROOM` more, or only the rows
    above a longer tie.

    Examples
    --------
    >>> counts = [9, 5, 5, 5, 1, 1, 1, 1, 1, 1, 1]
    >>> rows = [{"name": name, "projects": str(n)} for name, n in zip("abcdefghijk", counts)]
    >>> cut = _ranking(rows, "q", 2)
    >>> [row["name"] for row in cut.rows], cut.left_out, cut.tied, cut.count
    (['a', 'b', 'c', 'd'], 7, 7, 1)
    >>> cut = _ranking(rows, "q", 5)
    >>> [row["name"] for row in cut.rows], cut.left_out, cut.tied, cut.count
    (['a', 'b', 'c', 'd'], 7, 7, 1)
    """
    counts = [int(row["projects"] or 0) for row in rows]
    shown = _shown(counts, limit)
    largest = max(counts, default=0) or 1
    bars = [
        {**row, "projects": count, "share": round(100 * count / largest, 1)}
        for row, count in zip(rows[:shown], counts, strict=False)
    ]
    rest = counts[shown:]
    tied = rest.count(rest[0]) if rest else 0
    return Cut(bars, query, len(rest), tied, rest[0] if rest else 0)


def _shown(counts: list[int], limit: int) -> int:
    """How many of a ranking's ``counts`` (largest first) the page shows."""
    if len(counts) <= limit or counts[limit] != counts[limit - 1]:
        return min(limit, len(counts))
    tie = counts[limit - 1]
    end = limit + counts[limit:].count(tie)
    return end if end - limit <= TIE_ROOM else counts.index(tie)


def _number(value: int) -> str:
    """``value`` with its thousands set apart, as people read large counts: ``100,000``."""
    return f"{value:,}"
