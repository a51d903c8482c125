"""When two names name the same thing: the ways lists write one name resolve to one entity."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Literal

from osgraph import OSG, BuildOptions, build, name_key
from osgraph._ror import ror_index

APOSTROPHES = ["'", "\u2019", "\u2018", "\u02bc", "`"]


@pytest.mark.parametrize("apostrophe", APOSTROPHES[1:])
def test_every_way_of_writing_an_apostrophe_is_the_apostrophe(apostrophe: str) -> None:
    assert name_key(f"King{apostrophe}s College London") == name_key("King's College London")
    # The key is what a named query's parameter is matched with: one form in the graph.
    assert "'" in name_key(f"Xi{apostrophe}an") and apostrophe not in name_key(f"Xi{apostrophe}an")


def test_a_name_written_with_a_typographic_apostrophe_resolves_as_the_plain_one(
    tmp_path: Path,
) -> None:
    lines = ["project,institutions,countries"]
    lines += [
        f"Project {index},Xi{apostrophe}an Jiaotong University,China"
        for index, apostrophe in enumerate(APOSTROPHES)
    ]
    source = tmp_path / "apostrophes.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    graph = build([source], BuildOptions(validate=False)).graph
    institutions = set(graph.subjects(RDF.type, OSG.Institution))
    assert len(institutions) == 1
    (institution,) = institutions
    # ROR names it with the plain apostrophe; every spelling of the list finds that record.
    record = ror_index().match("Xi'an Jiaotong University", ["CN"]).record
    assert record is not None
    assert (institution, OSG.ror, None) in graph
    assert str(graph.value(institution, OSG.ror)).endswith(record.id)
    assert graph.value(institution, RDFS.label) == Literal(record.label)
