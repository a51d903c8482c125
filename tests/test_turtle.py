"""The Turtle writer: what it writes, rdflib and Oxigraph read back as it was."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef

from osgraph import OsgraphError
from osgraph._atomic import replace_atomically
from osgraph._turtle import TurtleWriter, literal

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
# Text a literal may hold: any character but the surrogates, which UTF-8 cannot write.
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)


def written(pairs: list[tuple[str, str]]) -> str:
    out = io.StringIO()
    TurtleWriter(out, {"rdfs": "http://www.w3.org/2000/01/rdf-schema#"}).statement(
        "<https://example.org/x>", pairs
    )
    return out.getvalue()


@given(ANY_TEXT, st.sampled_from([None, "en", "zh-Hans"]))
def test_any_text_is_read_back_as_written(text: str, language: str | None) -> None:
    turtle = written([("rdfs:label", literal(text, language=language))])
    read = list(Graph().parse(data=turtle, format="turtle").objects())
    assert read == [Literal(text, lang=language)]
    quads = list(pyoxigraph.parse(turtle.encode(), pyoxigraph.RdfFormat.TURTLE))
    assert [quad.object.value for quad in quads] == [text]  # type: ignore[union-attr]


def test_objects_of_one_predicate_share_it_and_each_triple_is_counted() -> None:
    out = io.StringIO()
    writer = TurtleWriter(out, {"ex": "https://example.org/"})
    writer.statement("ex:a", [("ex:p", "ex:b"), ("ex:p", "ex:c"), ("ex:q", literal("d"))])
    writer.statement("ex:empty", [])
    assert "ex:p ex:b, ex:c ;" in out.getvalue()
    assert "ex:empty" not in out.getvalue()
    graph = Graph().parse(data=out.getvalue(), format="turtle")
    assert writer.triples == len(graph) == 3
    assert (URIRef("https://example.org/a"), URIRef("https://example.org/p"), None) in graph


def test_a_write_that_fails_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "osgraph.ttl"
    target.write_text("previous", encoding="utf-8")
    with pytest.raises(RuntimeError), replace_atomically(target) as file:
        file.write("half a graph")
        raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "previous"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["osgraph.ttl"]


def test_an_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(OsgraphError, match="cannot write"), replace_atomically(blocker / "x.ttl"):
        pass
