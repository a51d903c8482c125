"""IRIs: readable, stable, valid for any Unicode name, never shared by two different things."""

from __future__ import annotations

import io

import pyoxigraph
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from osgraph import BuildOptions, ConfigurationError, build, name_key
from osgraph._iri import IriScheme, slug
from osgraph._turtle import TurtleWriter

from .conftest import WriteFile

IRIS = IriScheme("https://example.org/id/")

HOSTILE_NAMES = [
    "<img src=x onerror=alert(1)>",
    'x" } ; DROP ALL ; #',
    "../../etc/passwd",
    ".",
    "..",
    "a/b",
    "a b",
    "a_b",
    "a%20b",
    "a%5Fb",
    "100%",
    "C++",
    "C#",
    "Twitter's Recommendation Algorithm",
    "北京大学",
    "東京大学",
    "جامعة القاهرة",
    "🦀 Rust",
    "tab\tand\nnewline",
    "nul\x00byte",
    "\u200bzero width",
    "a" * 300,
    "?query=1&x=2#fragment",
    "back\\slash {braces} ^caret `tick` |pipe|",
]


def node_iri_round_trips(iri: str) -> bool:
    """Whether ``iri`` comes back whole from osgraph's Turtle (read by rdflib and by Oxigraph)
    and from rdflib's N-Triples."""
    out = io.StringIO()
    TurtleWriter(out, IRIS.namespaces).statement(IRIS.turtle(iri), [("a", "<urn:x:Thing>")])
    graph = Graph().parse(data=out.getvalue(), format="turtle")
    oxigraph = pyoxigraph.parse(out.getvalue().encode(), pyoxigraph.RdfFormat.TURTLE)
    nt = Graph().add((URIRef(iri), RDFS.label, Literal("x"))).serialize(format="nt")
    return (
        {str(s) for s in graph.subjects()} == {iri}
        and {quad.subject.value for quad in oxigraph} == {iri}  # type: ignore[union-attr]
        and {str(s) for s in Graph().parse(data=nt, format="nt").subjects()} == {iri}
    )


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_mint_valid_iris_that_survive_ntriples_and_turtle(name: str) -> None:
    iri = IRIS.project(name_key(name))
    assert iri.startswith("https://example.org/id/project/")
    assert not any(character in iri for character in '<>" {}|\\^`\t\n\x00')
    assert "/" not in iri.removeprefix("https://example.org/id/project/")
    assert node_iri_round_trips(iri)


def test_hostile_names_mint_distinct_iris() -> None:
    keys = {name_key(name) for name in HOSTILE_NAMES}
    assert len({IRIS.institution(key) for key in keys}) == len(keys)


def test_dot_segments_are_encoded_so_no_iri_resolves_to_another() -> None:
    assert IRIS.project(".") == "https://example.org/id/project/%2E"
    assert IRIS.project("..") == "https://example.org/id/project/%2E."


def test_a_project_and_an_institution_of_the_same_name_differ() -> None:
    assert IRIS.project("langchain") != IRIS.institution("langchain")


def test_names_that_a_naive_slug_would_merge_stay_apart() -> None:
    names = ["a b", "a-b", "a_b", "a.b", "a/b", "a%b", "A B"]
    slugs = {slug(name_key(name)) for name in names}
    # "A B" and "a b" are the same name (case does not make a new thing); the rest are not.
    assert len(slugs) == len(names) - 1


def test_iris_are_stable_and_readable() -> None:
    assert IRIS.project(name_key("Service Weaver")) == (
        "https://example.org/id/project/service_weaver"
    )
    assert IRIS.institution(name_key("北京大学")) == "https://example.org/id/institution/北京大学"


names = st.text(min_size=1, max_size=40).filter(lambda text: name_key(text) != "")


@given(st.lists(names, min_size=2, max_size=8, unique_by=name_key))
def test_distinct_names_always_get_distinct_iris(names_list: list[str]) -> None:
    iris = {IRIS.project(name_key(name)) for name in names_list}
    assert len(iris) == len(names_list)


@given(names)
def test_any_name_gives_an_iri_that_round_trips(name: str) -> None:
    assert node_iri_round_trips(IRIS.country(name_key(name)))


@pytest.mark.parametrize(
    "base",
    ["relative/", "https://example.org/no-separator", "https://example.org/with space/", "x"],
)
def test_a_base_that_cannot_hold_iris_is_refused(base: str) -> None:
    with pytest.raises(ConfigurationError, match="base IRI"):
        IriScheme(base)


def test_the_base_is_configurable(write_file: WriteFile) -> None:
    path = write_file("l.csv", "project,institutions,countries\nP,LangChain,USA\nLangChain,X,UK\n")
    graph = build([path], BuildOptions(base="urn:example:")).graph
    subjects = {str(s) for s in graph.subjects() if str(s).startswith("urn:example:")}
    assert "urn:example:project/langchain" in subjects
    assert "urn:example:institution/langchain" in subjects
    assert all(not str(s).startswith("https://w3id.org/osgraph/id/") for s in graph.subjects())
