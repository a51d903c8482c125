"""A one-page summary of a built graph, for people who read rather than query.

Counts, projects per country and per domain, top institutions, cross-border and
academia-industry collaborations, and the names osgraph could not resolve: all from the named
queries (so it works on any built graph or endpoint), in one HTML file with no script and no
other host.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Template

from osgraph import _resources
from osgraph._catalogue import named_queries
from osgraph._engines import Engine
from osgraph._query import choose_engine, run_query

TOP_INSTITUTIONS = 15


def render_report(engine: Engine, source: str) -> bytes:
    """The report of the graph that ``engine`` answers for, made from ``source``."""

    def ask(name: str) -> list[dict[str, str | None]]:
        return run_query(engine, named_queries()[name].text).as_dicts()

    def own(name: str) -> list[dict[str, str | None]]:
        text = _resources.text("queries", "report", f"{name}.rq")
        return run_query(engine, text).as_dicts()

    (counts,) = own("counts")
    template = Template(_template(), autoescape=True)
    page: str = template.render(
        title="osgraph report",
        source=f"Made from {source}",
        counts=[
            (name, counts[name])
            for name in ("lists", "rows", "projects", "institutions", "countries", "contributions")
        ],
        countries=_bars(ask("projects-by-country"), "country", "projects"),
        domains=_bars(ask("projects-by-domain"), "domain", "projects"),
        institutions=_bars(
            ask("institutions-by-projects")[:TOP_INSTITUTIONS], "institution", "projects"
        ),
        cross_border=ask("cross-border-projects"),
        academia_industry=ask("academia-industry"),
        unaligned=own("unaligned-rows"),
        unidentified=ask("unidentified-institutions"),
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
    return render_report(choose_engine(kg, endpoint=endpoint, graph=graph), endpoint or str(kg))


def _bars(rows: list[dict[str, str | None]], name: str, value: str) -> list[tuple[str, int, float]]:
    """(name, value, share of the largest value in percent) for each row."""
    values = [(str(row[name]), int(row[value] or 0)) for row in rows]
    largest = max((v for _, v in values), default=0) or 1
    return [(label, count, round(100 * count / largest, 1)) for label, count in values]


def _template() -> str:
    return _resources.text("templates", "report.html")
