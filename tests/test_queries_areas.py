"""Named queries on a graph with areas (Multinational, European Union) in place of countries and a
row whose institutions and countries do not line up, against the same facts read from the graph's
triples one by one, on both embedded engines."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import RDFS, Graph, Namespace
from rdflib.term import Node

from osgraph import open_engine, run_query
from osgraph._catalogue import load_query

OSG = Namespace("https://w3id.org/osgraph/ontology#")


@pytest.fixture(scope="module")
def triples(areas_kg: Path) -> Graph:
    return Graph().parse(areas_kg, format="turtle")


def label(graph: Graph, node: Node, english: bool = False) -> str:
    labels = [
        str(text)
        for text in graph.objects(node, RDFS.label)
        if not english or getattr(text, "language", None) == "en"
    ]
    assert len(labels) == 1, (node, labels)
    return labels[0]


def answer(kg: Path, engine: str, name: str) -> list[tuple[str | None, ...]]:
    return [
        tuple(row.values())
        for row in run_query(open_engine(kg, engine), load_query(name)[0]).as_dicts()
    ]


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_contributions_in_areas_are_listed_and_unaligned_rows_are_not(
    areas_kg: Path, triples: Graph, engine: str
) -> None:
    expected = [
        (
            label(triples, triples.value(c, OSG.project)),
            label(triples, triples.value(c, OSG.institution)),
            label(triples, place, english=True),
        )
        for c in triples.subjects(OSG.project, None)
        for place in [*triples.objects(c, OSG.inCountry), *triples.objects(c, OSG.inArea)]
    ]
    assert any(triples.objects(None, OSG.inArea))
    assert sorted(answer(areas_kg, engine, "contributions")) == sorted(expected)


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_only_countries_count_for_projects_by_country_and_across_borders(
    areas_kg: Path, triples: Graph, engine: str
) -> None:
    countries = {
        label(triples, p): {
            label(triples, c, english=True) for c in triples.objects(p, OSG.country)
        }
        for p in set(triples.subjects(OSG.country, None))
    }
    per_country = Counter(c for names in countries.values() for c in names)
    by_country = answer(areas_kg, engine, "projects-by-country")
    assert {country: int(projects) for country, projects in by_country} == per_country
    across = {
        p: set(str(names).split(", "))
        for p, names in answer(areas_kg, engine, "cross-border-projects")
    }
    assert across == {p: names for p, names in countries.items() if len(names) >= 2}


@pytest.mark.parametrize("kg", ["areas_kg", "two_lists_kg"])
def test_an_institution_is_credited_in_the_places_of_its_contributions(
    kg: str, request: pytest.FixtureRequest
) -> None:
    """``osg:creditedInCountry`` and ``osg:creditedInArea``, the shortcuts the build writes on
    each institution, are the countries and areas of the contributions that name it: no more,
    no fewer (and an institution of a row that could not be aligned has none)."""
    graph = Graph().parse(request.getfixturevalue(kg), format="turtle")
    for shortcut, place in [
        (OSG.creditedInCountry, OSG.inCountry),
        (OSG.creditedInArea, OSG.inArea),
    ]:
        of_contributions = {
            (institution, found)
            for contribution, institution in graph.subject_objects(OSG.institution)
            for found in graph.objects(contribution, place)
        }
        assert set(graph.subject_objects(shortcut)) == of_contributions
        assert of_contributions or kg == "two_lists_kg"  # the real lists have no area
