"""Golden cases: each folder under tests/cases holds the sources of one build (``input/``) and
the graph it must give (``expected.ttl``), compared as graphs, not as text, and, when it has a
``notices.txt``, the notices the build must print, one a line.

To add a case, make its folder and input, write ``expected.ttl`` by hand or from a build you
have checked line by line, and run the suite.
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from osgraph import BuildResult, NoticeKind, build

CASES = Path(__file__).parent / "cases"


def case_sources(case: Path) -> list[Path]:
    return sorted(
        p for p in (case / "input").iterdir() if p.suffix in {".md", ".csv", ".tsv", ".xlsx"}
    )


@functools.cache
def built(case: Path) -> BuildResult:
    """The build of ``case``'s sources, named as from its folder; once for the session, as
    two tests read the build of one case."""
    with contextlib.chdir(case):
        return build([path.relative_to(case) for path in case_sources(case)])


@pytest.mark.parametrize("case", sorted(CASES.iterdir()), ids=lambda case: case.name)
def test_case_builds_the_expected_graph(case: Path) -> None:
    result = built(case)
    built_graph = result.graph
    if (case / "notices.txt").is_file():
        expected_notices = (case / "notices.txt").read_text(encoding="utf-8").splitlines()
        assert [str(notice) for notice in result.summary.notices] == expected_notices
    expected = Graph().parse(case / "expected.ttl", format="turtle")
    if not isomorphic(built_graph, expected):
        _, only_built, only_expected = graph_diff(
            to_isomorphic(built_graph), to_isomorphic(expected)
        )
        pytest.fail(
            "built graph differs from expected.ttl\n"
            f"only in the build:\n{only_built.serialize(format='nt')}\n"
            f"only in expected.ttl:\n{only_expected.serialize(format='nt')}"
        )


def test_lists_that_disagree_are_found_by_the_conflicts_query(tmp_path: Path) -> None:
    from osgraph import named_queries, open_engine, run_query, write_turtle

    result = built(CASES / "two-lists-disagree")
    conflicting = {
        notice.message.split(":")[0]
        for notice in result.summary.notices
        if notice.kind is NoticeKind.CONFLICTING_LISTS
    }
    assert conflicting == {
        "Autogen",
        "CeresDB",
        "GraphScope",
        "GreptimeDB",
        "Langflow",
        "OpenHarmony",
        "Secretflow",
    }
    kg = write_turtle(result.graph, tmp_path / "osgraph.ttl")
    for engine in ("rdflib", "oxigraph"):
        rows = run_query(
            open_engine(kg, engine=engine), named_queries()["conflicts"].text
        ).as_dicts()
        assert {row["project"] for row in rows} == conflicting, engine
        claims = {
            (row["project"], row["list"]): (
                set(row["institutions"].split(", ")),
                set(row["countries"].split(", ")),
            )
            for row in rows
        }
        assert claims["Langflow", "open100-2022-2023"] == ({"Logspace"}, {"Brazil"})
        assert claims["Langflow", "opendigger-companies"] == ({"DataStax"}, {"United States"})
        assert claims["CeresDB", "opendigger-companies"] == ({"Ant group"}, {"China"})
