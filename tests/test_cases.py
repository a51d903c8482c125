"""Golden cases: each folder under tests/cases holds the sources of one build (``input/``) and
the graph it must give (``expected.ttl``), compared as graphs, not as text.

To add a case, make its folder and input, write ``expected.ttl`` by hand or from a build you
have checked line by line, and run the suite.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from osgraph import build

CASES = Path(__file__).parent / "cases"


def case_sources(case: Path) -> list[Path]:
    return sorted(p for p in (case / "input").iterdir() if p.suffix in {".md", ".csv"})


@pytest.mark.parametrize("case", sorted(CASES.iterdir()), ids=lambda case: case.name)
def test_case_builds_the_expected_graph(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case)
    built = build([path.relative_to(case) for path in case_sources(case)]).graph
    expected = Graph().parse(case / "expected.ttl", format="turtle")
    if not isomorphic(built, expected):
        _, only_built, only_expected = graph_diff(to_isomorphic(built), to_isomorphic(expected))
        pytest.fail(
            "built graph differs from expected.ttl\n"
            f"only in the build:\n{only_built.serialize(format='nt')}\n"
            f"only in expected.ttl:\n{only_expected.serialize(format='nt')}"
        )
