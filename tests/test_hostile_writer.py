"""The writer side under hostile input: the Turtle osgraph writes is exactly its data (no name
or IRI ever becomes Turtle syntax), every export parses back or is refused with a message, and
bad input is one line and a documented exit code, never a traceback or a broken file."""

from __future__ import annotations

import http.server
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS

from osgraph import OSG, ConfigurationError, OsgraphError, SourceError
from osgraph._atomic import replace_atomically
from osgraph._build import BuildOptions, build_sources
from osgraph._export import GRAPH_FORMATS, export_graph, write_turtle
from osgraph._gazetteer import load_gazetteer
from osgraph._iri import IriScheme, is_web_address
from osgraph._resolve import resolve
from osgraph._sources import read_source
from osgraph._sources.entries import Entry, ListInfo, Mention, Origin, Source
from osgraph._statements import write_statements
from osgraph._turtle import IRI_PATTERN, TurtleWriter, iri, literal, prefixed
from osgraph._validate import validate_file, validate_graph
from osgraph._vocabulary import new_graph, prefixes

from .conftest import run_osgraph
from .test_export import read_back

EX = "https://example.org/ns/"
INJECTION = (
    "https://example.org/> . <https://evil.example/s> <https://evil.example/p> "
    "<https://evil.example/o"
)
EVIL = "https://evil.example/"


def osgraph(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_osgraph(*args, cwd=cwd)


def assert_one_line_error(
    run: subprocess.CompletedProcess[str], *parts: str, exit_code: int = 1
) -> None:
    """The exit code (1: the input is wrong), one line on standard error that says osgraph
    refused, no traceback."""
    assert run.returncode == exit_code, (run.stdout, run.stderr)
    assert run.stderr.startswith("osgraph: error: "), run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr, run.stderr
    for part in parts:
        assert part in run.stderr, run.stderr


def parse_both(turtle: str) -> tuple[Graph, list[pyoxigraph.Quad]]:
    """The Turtle read by rdflib and by Oxigraph; either raises if it is not valid Turtle."""
    return (
        Graph().parse(data=turtle, format="turtle"),
        list(pyoxigraph.parse(turtle.encode(), pyoxigraph.RdfFormat.TURTLE)),
    )


def one_statement(subject: str, pairs: list[tuple[str, str]]) -> str:
    out = io.StringIO()
    TurtleWriter(out, {"ex": EX, "rdfs": str(RDFS)}).statement(subject, pairs)
    return out.getvalue()


# --- strategies --------------------------------------------------------------------------------

HOSTILE_PIECES = [
    '"',
    '"""',
    "'",
    "\\",
    "\\u0022",
    "\n",
    "\r",
    "\r\n",
    "\t",
    "\x00",
    "\x1b[31m",
    "\x07",
    "\x7f",
    "\x85",
    "\u2028",
    "\u202e",
    "\ufffe",
    "> .",
    " . <https://evil.example/s> <https://evil.example/p> <https://evil.example/o> .",
    '" ; <https://evil.example/p> "x',
    "@en",
    "^^xsd:string",
    "]]>",
    "#",
    "%",
    "%zz",
    "%20",
]
# Any text: every code point (surrogates included, which no RDF literal can hold), and the
# pieces that end a literal or an IRI, or that a terminal acts on.
TEXT = st.lists(
    st.one_of(
        st.sampled_from(HOSTILE_PIECES),
        st.characters(),
        st.characters(categories=("Cs",)),
    ),
    max_size=12,
).map("".join)
IRI_PIECES = [
    *"/?#[]@:%!$&'()*+,;=-._~<>\"{}|\\^` \t\n\r\x00\x1b",
    "> . <",
    "%41",
    "%zz",
    "//",
    "[::1]",
    "[v1.x]",
    ":8080",
    "\ue000",
    "é",
    "清华大学",
    "\ufffe",
    "\U0001fffe",
    "\u200b",
    "\u00a0",
    "\u202e",
    "\u3000",
]
IRI_TEXT = st.one_of(
    TEXT,
    st.builds(
        lambda scheme, separator, rest: scheme + separator + rest,
        st.sampled_from(["https", "http", "urn", "mailto", "javascript", "x+y.z-1", "1x", ""]),
        st.sampled_from(["://", ":", ":/", ""]),
        st.lists(
            st.one_of(st.sampled_from(IRI_PIECES), st.characters(codec="utf-8")), max_size=20
        ).map("".join),
    ),
)
LANGUAGES = st.one_of(
    st.none(),
    st.sampled_from(["en", "zh-Hans", "zh-Hans-CN", "de-CH-1996", "x-private", "i-klingon"]),
    st.sampled_from(["en ; <x>", "en\n", "e n", "-en", "", "abcdefghi", "en-", "@en"]),
    st.text(max_size=8),
)


def examples(count: int) -> settings:
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


# --- literal(), iri(), prefixed(), TurtleWriter: exact or refused ------------------------------


def stricter(character: str) -> bool:
    """Whether osgraph refuses ``character`` in an IRI though RFC 3987's grammar allows it:
    white space, and the bidirectional formatting characters (which RFC 3987 section 4.1 keeps
    out of IRIs in words)."""
    code = ord(character)
    return (
        character.isspace()
        or code in (0x200E, 0x200F)
        or 0x202A <= code <= 0x202E
        or (0x2066 <= code <= 0x2069)
    )


@examples(200)
@given(TEXT, LANGUAGES)
def test_any_text_is_a_literal_read_back_exactly_by_both_parsers_or_refused(
    text: str, language: str | None
) -> None:
    try:
        term = literal(text, language=language)
    except OsgraphError as error:
        assert any(0xD800 <= ord(c) <= 0xDFFF for c in text) or language, error
        assert "\n" not in str(error)
        return
    written = one_statement("ex:s", [("ex:p", term)])
    assert "\x1b" not in written and "\x00" not in written  # no control character reaches a file
    graph, quads = parse_both(written)
    assert len(graph) == len(quads) == 1
    value = next(iter(graph.objects()))
    assert isinstance(value, Literal)
    assert str(value) == text and quads[0].object.value == text  # type: ignore[union-attr]
    expected = (language or "").lower()
    assert (value.language or "").lower() == expected
    assert (getattr(quads[0].object, "language", None) or "").lower() == expected


@examples(300)
@given(IRI_TEXT)
def test_any_iri_is_written_exactly_or_refused_with_its_reason(text: str) -> None:
    try:
        term = iri(text)
    except OsgraphError as error:
        assert IRI_PATTERN.fullmatch(text) is None
        assert repr(text) in str(error) and "is not an IRI (RFC 3987)" in str(error)
        if not any(stricter(character) for character in text):
            with pytest.raises(ValueError):
                pyoxigraph.NamedNode(text)  # Oxigraph refuses it too: nothing valid was refused
        return
    written = one_statement(term, [("ex:p", term)])
    graph, quads = parse_both(written)
    assert len(graph) == len(quads) == 1
    ((subject, _, value),) = graph
    assert str(subject) == str(value) == text
    assert quads[0].subject.value == quads[0].object.value == text  # type: ignore[union-attr]


@examples(200)
@given(TEXT)
def test_any_local_name_is_written_prefixed_or_whole_exactly_or_refused(local: str) -> None:
    try:
        term = prefixed("ex", EX, local)
    except OsgraphError:
        assert IRI_PATTERN.fullmatch(EX + local) is None
        return
    graph, quads = parse_both(one_statement(term, [("a", "ex:Thing")]))
    assert {str(s) for s in graph.subjects()} == {EX + local}
    assert {quad.subject.value for quad in quads} == {EX + local}  # type: ignore[union-attr]


@examples(60)
@given(st.lists(st.tuples(IRI_TEXT, TEXT, LANGUAGES), min_size=1, max_size=6))
def test_a_writer_fed_hostile_terms_writes_exactly_the_triples_it_counts(
    rows: list[tuple[str, str, str | None]],
) -> None:
    out = io.StringIO()
    writer = TurtleWriter(out, {"ex": EX, "rdfs": str(RDFS)})
    expected: set[tuple[str, str, str]] = set()
    for number, (link, name, language) in enumerate(rows):
        subject = f"{EX}n{number}"
        pairs = []
        try:
            pairs.append(("ex:link", iri(link)))
            expected.add((subject, EX + "link", link))
        except OsgraphError:
            pass
        try:
            pairs.append(("rdfs:label", literal(name, language=language)))
            expected.add((subject, str(RDFS.label), name))
        except OsgraphError:
            pass
        writer.statement(f"ex:n{number}", pairs)
    graph, quads = parse_both(out.getvalue())
    assert writer.triples == len(graph) == len(quads) == len(expected)
    assert {(str(s), str(p), str(o)) for s, p, o in graph} == expected
    assert {
        (q.subject.value, q.predicate.value, q.object.value)  # type: ignore[union-attr]
        for q in quads
    } == expected


@pytest.mark.parametrize(
    "text",
    [
        INJECTION,
        "javascript:alert(1)\n",
        "not a url",
        "https://example.org/a b",
        "https://example.org/\n",
        "https://example.org/\t",
        "https://example.org/a#b#c",
        "https://example.org/%zz",
        'https://example.org/"',
        "https://example.org/{x}",
        "https://example.org/|",
        "https://example.org/\\",
        "https://example.org/^",
        "https://example.org/`",
        "https://example.org/\x7f",
        "relative/path",
        "",
    ],
)
def test_what_is_not_an_iri_is_refused_with_a_message_naming_it(text: str) -> None:
    with pytest.raises(OsgraphError, match=r"is not an IRI \(RFC 3987\): it ") as caught:
        iri(text)
    assert repr(text) in str(caught.value) and "\n" not in str(caught.value)


def test_language_tags_datatypes_and_prefixes_cannot_carry_turtle() -> None:
    with pytest.raises(OsgraphError, match="not a language tag"):
        literal("x", language="en . <https://evil.example/s> <https://evil.example/p> <o> ")
    with pytest.raises(OsgraphError, match="not a term"):
        literal("x", datatype="xsd:string . <https://evil.example/s> <p> <o>")
    with pytest.raises(OsgraphError, match="is not an IRI"):
        literal("x", datatype="<https://example.org/> . <https://evil.example/s>")
    with pytest.raises(OsgraphError, match="not a Turtle prefix"):
        TurtleWriter(io.StringIO(), {"ex: <https://evil.example/> .\n@prefix x": EX})
    with pytest.raises(OsgraphError, match="the namespace of the prefix ex:"):
        TurtleWriter(io.StringIO(), {"ex": INJECTION})
    with pytest.raises(OsgraphError, match="lone surrogate"):
        literal("a\ud800b")


# --- sources, base and gazetteer refuse first, with file, line and cell -----------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://graphscope.io", True),
        ("http://example.org/a?b=c#d", True),
        ("https://[::1]:8080/x", True),
        ("https://例え.jp/パス", True),
        ("https://x.example/\n", False),
        ("https://x.example/\r\n", False),
        ("https://x.example\n", False),
        ("https://x.example/ ", False),
        ("https://x.example/\t", False),
        ("https://x.example/\x00", False),
        ("https://x.example/\u0085", False),
        ("https://x.example/>", False),
        (INJECTION, False),
        ("https://x.example/#a#b", False),
        ("https:///no-host", False),
        ("https://user@/no-host", False),
        ("javascript:alert(1)", False),
        ("ftp://x.example/", False),
        ("not a url", False),
    ],
)
def test_a_web_address_is_a_whole_http_iri(text: str, expected: bool) -> None:
    assert is_web_address(text) is expected


@pytest.mark.parametrize(
    "base",
    [
        "https://example.org/a\tb/",
        "https://example.org/a b/",
        "https://example.org/kg/\n",
        "https://example.org/kg\n/",
        "https://example.org/kg#a#",
        "https://example.org/<kg>/",
        "https://example.org/\x00/",
        "https://example.org/%zz/",
    ],
)
def test_a_base_that_is_not_an_iri_is_refused(base: str) -> None:
    with pytest.raises(ConfigurationError, match="base IRI"):
        IriScheme(base)


def test_the_build_command_refuses_such_a_base_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "l.csv").write_text("project,institutions,countries\nP,Meta,USA\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "osgraph.ttl").write_text("<urn:x:good> <urn:x:graph> <urn:x:o> .\n")
    for base in ("https://example.org/kg/\n", "https://example.org/k\tg/", "https://e.org/a#b#"):
        run = osgraph("build", "l.csv", "--base", base, cwd=tmp_path)
        assert_one_line_error(run, "the base IRI", repr(base), exit_code=2)
    assert (tmp_path / "build" / "osgraph.ttl").read_text() == (
        "<urn:x:good> <urn:x:graph> <urn:x:o> .\n"
    )
    assert [path.name for path in (tmp_path / "build").iterdir()] == ["osgraph.ttl"]


def test_a_gazetteer_homepage_with_a_final_line_break_is_refused_with_its_line(
    tmp_path: Path,
) -> None:
    gazetteer = tmp_path / "g.toml"
    gazetteer.write_text(
        '[[institution]]\nname = "Hostile Lab"\nkind = "lab"\ncountry = "US"\n'
        'homepage = "https://x.example/\\n"\nwikidata = "unknown"\nror = "unknown"\n'
        'source = "https://example.org/source"\n'
    )
    (tmp_path / "p.toml").write_text("")
    with pytest.raises(SourceError, match=r"g\.toml:\d+: cell 'homepage'") as caught:
        load_gazetteer(gazetteer, tmp_path / "p.toml", replace=True)
    assert caught.value.line is not None


@pytest.mark.parametrize(
    "homepage", [INJECTION, "javascript:alert(1)", "https://x.example/a b", "not a url"]
)
def test_a_hostile_link_in_a_list_is_refused_with_its_line_and_cell(
    tmp_path: Path, homepage: str
) -> None:
    (tmp_path / "l.csv").write_text(
        f'project,institutions,countries,homepage\nP,Meta,USA,"{homepage}"\n'
    )
    with pytest.raises(SourceError) as caught:
        read_source(tmp_path / "l.csv")
    assert (caught.value.line, caught.value.cell) == (2, "homepage")


def test_the_build_command_refuses_a_hostile_link_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "l.csv").write_text(
        f'project,institutions,countries,homepage\nP,Meta,USA,"{INJECTION}"\n'
    )
    run = osgraph("build", "l.csv", cwd=tmp_path)
    assert_one_line_error(run, "l.csv:2: cell 'homepage'")
    assert not (tmp_path / "build").exists()


def test_a_sidecar_landing_page_that_would_inject_triples_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    previous = "<urn:x:previous> <urn:x:graph> <urn:x:whole> .\n"
    (folder / "osgraph.ttl").write_text(previous)
    (tmp_path / "l.csv").write_text("project,institutions,countries\nP,Meta,USA\n")
    (tmp_path / "l.toml").write_text(f'[list]\nlanding_page = "{INJECTION}"\n')
    run = osgraph("build", "l.csv", "--out", "out", cwd=tmp_path)
    assert_one_line_error(run)  # refused by the reader (file and key) or by the writer
    assert (folder / "osgraph.ttl").read_text() == previous
    assert sorted(path.name for path in folder.iterdir()) == ["osgraph.ttl"]


# --- the writer's own check: whatever its origin, a bad IRI never reaches a file ---------------


@pytest.fixture(scope="module")
def empty_gazetteer(tmp_path_factory: pytest.TempPathFactory) -> object:
    """A gazetteer of one institution, Meta (so that no name is looked up in ROR)."""
    folder = tmp_path_factory.mktemp("gazetteer")
    (folder / "institutions.toml").write_text(
        '[[institution]]\nname = "Meta"\nkind = "company"\ncountry = "US"\n'
        'homepage = "https://www.meta.com/"\nwikidata = "unknown"\nror = "unknown"\n'
        'source = "https://example.org/source"\n'
    )
    (folder / "projects.toml").write_text("")
    return load_gazetteer(folder / "institutions.toml", folder / "projects.toml", replace=True)


def hostile_source(landing_page: str | None = None, homepage: str | None = None) -> Source:
    """A list read by another reader than osgraph's (so nothing checked its links)."""
    entry = Entry(
        Mention("P", homepage),
        (Mention("Meta"),),
        ("US",),
        Origin("l", "l.csv", 2, "P,Meta,USA"),
    )
    return Source(ListInfo("l", "l.csv", landing_page=landing_page), (entry,))


@pytest.mark.parametrize(
    ("source", "named"),
    [
        (hostile_source(landing_page=INJECTION), INJECTION),
        (hostile_source(landing_page="not a url"), "not a url"),
        (hostile_source(homepage=INJECTION), INJECTION),
        (hostile_source(homepage="https://x.example/\n"), "https://x.example/\n"),
    ],
)
def test_the_writer_refuses_a_bad_iri_from_any_origin_and_leaves_the_file_whole(
    source: Source, named: str, empty_gazetteer: object, tmp_path: Path
) -> None:
    with pytest.raises(OsgraphError, match="is not an IRI") as caught:
        build_sources([source], BuildOptions(gazetteer=empty_gazetteer, validate=False))  # type: ignore[arg-type]
    assert repr(named) in str(caught.value)
    # The same, streamed to a file as `osgraph build` writes it: the previous file stays.
    target = tmp_path / "osgraph.ttl"
    target.write_text("previous")
    resolution = resolve([source], empty_gazetteer)  # type: ignore[arg-type]
    with pytest.raises(OsgraphError, match="is not an IRI"), replace_atomically(target) as file:
        write_statements(resolution, IriScheme(EX), TurtleWriter(file, prefixes(EX)))
    assert target.read_text() == "previous"
    assert [path.name for path in tmp_path.iterdir()] == ["osgraph.ttl"]


# --- SHACL: no pattern lets a line break through -----------------------------------------------


@pytest.fixture(scope="module")
def small_graph(empty_gazetteer: object) -> Graph:
    options = BuildOptions(gazetteer=empty_gazetteer, validate=False)  # type: ignore[arg-type]
    result = build_sources([hostile_source(homepage="https://p.example/")], options)
    assert validate_graph(result.graph).conforms
    return result.graph


def test_values_with_a_final_line_break_violate_the_shapes(small_graph: Graph) -> None:
    base = "https://w3id.org/osgraph/id/"
    graph = new_graph()
    for triple in small_graph:
        graph.add(triple)
    project, country = URIRef(base + "project/p"), URIRef(base + "country/US")
    institution = URIRef(base + "institution/meta")
    edition = URIRef(base + "list/l")
    graph.set((project, OSG.homepage, URIRef("https://x.example/\n")))
    graph.set((country, OSG.alpha2, Literal("US\n")))
    graph.set((country, OSG.alpha3, Literal("USA\n")))
    graph.set((institution, OSG.ror, URIRef("https://ror.org/00f54p054\n")))
    graph.add((edition, URIRef("http://www.w3.org/ns/dcat#landingPage"), URIRef("javascript:x")))
    bad_country = URIRef(base + "country/CN\n")
    for predicate, value in small_graph.predicate_objects(country):
        graph.add((bad_country, predicate, value))
    report = validate_graph(graph)
    found = {(r.path, r.value) for r in report.violations}
    assert ("osg:homepage", "https://x.example/\n") in found, report.describe()
    assert ("osg:alpha2", "US\n") in found and ("osg:alpha3", "USA\n") in found
    assert ("osg:ror", "https://ror.org/00f54p054\n") in found
    assert ("dcat:landingPage", "javascript:x") in found
    assert any(r.focus.endswith("country/CN\n>") for r in report.violations), report.describe()
    assert "\n" not in "".join(str(r) for r in report.results)  # each finding is one line


@pytest.mark.parametrize("base", ["https://example.org/a+b(c)$*.x/", "https://example.org/kg#"])
def test_a_base_with_characters_special_to_patterns_validates(
    base: str, empty_gazetteer: object
) -> None:
    options = BuildOptions(base=base, gazetteer=empty_gazetteer)  # type: ignore[arg-type]
    result = build_sources([hostile_source()], options)
    assert validate_graph(result.graph, base).conforms


# --- exports: parse back to the same graph, or a message naming the term ----------------------

# IRIs RFC 3987 allows, of any scheme (some of them prefixes of osgraph's JSON-LD context).
IRI_CHARACTERS = st.one_of(
    st.sampled_from([*"-._~!$&'()*+,;=:@/", "%41", "%2F", "é", "清", "\u00a0", "\U00010000"]),
    st.characters(categories=("L", "N")).filter(lambda c: IRI_PATTERN.fullmatch("x:" + c)),
)
VALID_IRIS = st.builds(
    lambda scheme, rest, query, fragment: f"{scheme}:{rest}{query}{fragment}",
    st.sampled_from(["https", "http", "urn", "mailto", "osg", "rdfs", "wd", "x+y.z-1"]),
    st.lists(IRI_CHARACTERS, max_size=12).map("".join),
    st.one_of(st.just(""), st.lists(IRI_CHARACTERS, max_size=4).map(lambda q: "?" + "".join(q))),
    st.one_of(st.just(""), st.lists(IRI_CHARACTERS, max_size=4).map(lambda f: "#" + "".join(f))),
).filter(lambda text: IRI_PATTERN.fullmatch(text) is not None)


@examples(30)
@given(
    rows=st.lists(
        st.tuples(st.one_of(st.just(EX + "s"), VALID_IRIS), TEXT, LANGUAGES),
        min_size=1,
        max_size=4,
    )
)
def test_every_export_parses_back_to_the_same_graph_or_names_the_term(
    rows: list[tuple[str, str, str | None]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    kg = tmp_path_factory.mktemp("kg") / "hostile.ttl"
    with kg.open("w", encoding="utf-8") as file:
        writer = TurtleWriter(file, {"ex": EX, "rdfs": str(RDFS)})
        for number, (link, name, language) in enumerate(rows):
            try:
                writer.statement(
                    f"ex:n{number}",
                    [("rdfs:label", literal(name, language=language)), ("ex:link", iri(link))],
                )
            except OsgraphError:
                continue
    built = Graph().parse(kg, format="turtle")
    for format in GRAPH_FORMATS:
        try:
            data = export_graph(kg, format)
        except OsgraphError as error:
            assert (format == "xml" and "XML 1.0 cannot hold" in str(error)) or (
                format == "jsonld" and "as a compact IRI" in str(error)
            ), error
            assert "\n" not in str(error)
            continue
        assert isomorphic(read_back(data, format), built), format


def test_rdf_xml_refuses_a_control_character_and_keeps_a_carriage_return(tmp_path: Path) -> None:
    kg = tmp_path / "g.ttl"
    kg.write_text(
        f'<{EX}s> <{EX}p> "bell\\u0007" .\n<{EX}s> <{EX}q> "a\\r\\nb\\rc" .\n', encoding="utf-8"
    )
    run = osgraph("export", "--kg", str(kg), "-f", "xml", "-o", "g.rdf", cwd=tmp_path)
    assert_one_line_error(run, "the literal 'bell\\x07'", "XML 1.0 cannot hold")
    assert not (tmp_path / "g.rdf").exists() and run.stdout == ""
    kg.write_text(f'<{EX}s> <{EX}q> "a\\r\\nb\\rc" .\n', encoding="utf-8")
    data = export_graph(kg, "xml")
    assert b"&#13;" in data and b"\r" not in data
    assert str(next(read_back(data, "xml").objects())) == "a\r\nb\rc"


def test_an_export_of_a_graph_with_terms_no_format_can_hold_is_refused(tmp_path: Path) -> None:
    kg = tmp_path / "g.ttl"
    kg.write_text(f'<{EX}a\\u0020b> <{EX}p> "x" .\n', encoding="utf-8")
    with pytest.raises(OsgraphError, match=r"is not an IRI: it holds ' '"):
        export_graph(kg, "nt")
    kg.write_text(f'<{EX}s> <{EX}p> "half \\uD800 a pair" .\n', encoding="utf-8")
    for format in GRAPH_FORMATS:
        with pytest.raises(OsgraphError, match="lone surrogate"):
            export_graph(kg, format)
    kg.write_text(f'<{EX}s> <{EX}1> "x" .\n', encoding="utf-8")
    with pytest.raises(OsgraphError, match="cannot be written in RDF/XML"):
        export_graph(kg, "xml")


def test_write_turtle_refuses_a_graph_it_could_not_write_as_it_is(tmp_path: Path) -> None:
    graph = Graph()
    graph.add((URIRef(EX + "s"), URIRef(EX + "p"), URIRef(EX + "a> <b")))
    with pytest.raises(OsgraphError, match=r"is not an IRI: it holds '>'"):
        write_turtle(graph, tmp_path / "g.ttl")
    graph = Graph()
    graph.add((URIRef(EX + "s"), URIRef(EX + "p"), Literal("half \ud800 a pair")))
    with pytest.raises(OsgraphError, match="lone surrogate"):
        write_turtle(graph, tmp_path / "g.ttl")
    assert list(tmp_path.iterdir()) == []


# --- what reaches the terminal ------------------------------------------------------------------

ESCAPE_SEQUENCES = ("\x1b", "\x07", "\x9b", "\u202e")


def test_names_with_escape_sequences_are_printed_escaped(tmp_path: Path) -> None:
    rows = "\x1b[31mEvil\x07\x1b[0m,Meta,USA\n"
    (tmp_path / "l.csv").write_text(
        "project,institutions,countries\n" + rows + rows + "Right\u202etfeL,Google,UK\n",
        encoding="utf-8",
    )
    (tmp_path / "l.toml").write_text('[list]\nid = "list\\u001b[2J"\n', encoding="utf-8")
    run = osgraph("build", "l.csv", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    printed = run.stdout + run.stderr
    assert not any(sequence in printed for sequence in ESCAPE_SEQUENCES), printed
    assert "list\\x1b[2J" in run.stdout  # the list id, escaped
    assert "\\x1b[31mEvil\\x07\\x1b[0m is listed 2 times" in run.stdout
    written = (tmp_path / "build" / "osgraph.ttl").read_text(encoding="utf-8")
    assert not any(sequence in written for sequence in ESCAPE_SEQUENCES[:3])
    graph = Graph().parse(data=written, format="turtle")
    assert Literal("\x1b[31mEvil\x07\x1b[0m") in set(graph.objects(None, RDFS.label))


def test_a_validation_report_prints_labels_escaped(tmp_path: Path) -> None:
    hostile = tmp_path / "h.ttl"
    hostile.write_text(
        f"<https://w3id.org/osgraph/id/project/x> a <{OSG.Project}> ;\n"
        f'    <{RDFS.label}> "\\u001B[2J\\u001B[31mEvil" .\n',
        encoding="utf-8",
    )
    run = osgraph("validate", str(hostile), cwd=tmp_path)
    assert run.returncode == 1
    assert "\\x1b[2J\\x1b[31mEvil <https://w3id.org/osgraph/id/project/x>" in run.stdout
    assert not any(sequence in run.stdout + run.stderr for sequence in ESCAPE_SEQUENCES)


# --- validate reads untrusted files: no network, no entity expansion -------------------------


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request it gets, and answers one JSON-LD
    context (and a DTD) to whoever asks."""
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            body = json.dumps({"@context": {"@vocab": EVIL}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n <!ENTITY a "'
    + "a" * 64
    + '">\n'
    + "".join(
        f' <!ENTITY {name} "{("&" + before + ";") * 16}">\n'
        for before, name in zip("abcde", "bcdef", strict=True)
    )
    + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
    ' <rdf:Description rdf:about="https://example.org/x">'
    "<rdfs:label>&f;&f;&f;&f;</rdfs:label></rdf:Description>\n</rdf:RDF>\n"
)


@pytest.mark.process
def test_validate_refuses_entity_expansion_at_once(tmp_path: Path) -> None:
    bomb = tmp_path / "lol.rdf"
    bomb.write_text(BILLION_LAUGHS)
    assert len(BILLION_LAUGHS) < 1024
    executable = shutil.which("osgraph", path=str(Path(sys.executable).parent))
    assert executable is not None
    # Refused at the first entity declared, before anything is expanded. In a process, so that
    # an osgraph that did expand would be stopped, not fill this one's memory.
    run = subprocess.run(
        [executable, "validate", str(bomb)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert_one_line_error(run, "declares the entity 'a'")


def test_validate_fetches_nothing_a_file_names(
    tmp_path: Path, listener: tuple[str, list[str]]
) -> None:
    url, requests = listener
    files = {
        "remote.jsonld": {"@context": f"{url}/context.jsonld", "@id": f"{EX}x", "name": "x"},
        "listed.jsonld": {"@context": [{"@vocab": EX}, f"{url}/c"], "@id": f"{EX}x", "n": "x"},
        "scoped.jsonld": {
            "@context": {"p": {"@id": f"{EX}p", "@context": f"{url}/scoped"}},
            "@id": f"{EX}x",
            "p": {"@id": f"{EX}y", "q": "z"},
        },
        "imported.jsonld": {"@context": {"@import": f"{url}/i"}, "@id": f"{EX}x"},
        "nested.jsonld": {"@graph": [{"@context": f"{url}/n", "@id": f"{EX}x", "n": "x"}]},
    }
    for name, document in files.items():
        (tmp_path / name).write_text(json.dumps(document))
    (tmp_path / "dtd.rdf").write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "{url}/x.dtd">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
    )
    (tmp_path / "entity.rdf").write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY e SYSTEM "{url}/e">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&e;</rdf:RDF>\n'
    )
    for name in [*files, "dtd.rdf", "entity.rdf"]:
        with pytest.raises(OsgraphError) as caught:
            validate_file(tmp_path / name)
        assert "\n" not in str(caught.value)
        assert "does not fetch" in str(caught.value) or "does not read such XML" in str(
            caught.value
        )
    run = osgraph("validate", "remote.jsonld", cwd=tmp_path)
    assert_one_line_error(run, "@context", "does not fetch")
    assert requests == []


def test_the_exports_osgraph_writes_validate_without_fetching(
    tmp_path: Path, small_graph: Graph, listener: tuple[str, list[str]]
) -> None:
    kg = tmp_path / "osgraph.ttl"
    kg.write_text(small_graph.serialize(format="turtle"), encoding="utf-8")
    for format, ending in [("jsonld", "jsonld"), ("xml", "rdf"), ("nt", "nt")]:
        exported = tmp_path / f"g.{ending}"
        exported.write_bytes(export_graph(kg, format))
        assert validate_file(exported).conforms, format
    assert listener[1] == []


# --- temporary files of killed writes ----------------------------------------------------------

HOLD = """
import sys
from pathlib import Path
from osgraph._atomic import replace_atomically
with replace_atomically(Path(sys.argv[1])) as file:
    file.write("half a graph")
    file.flush()
    print("writing", flush=True)
    sys.stdin.readline()
"""


def start_writer(target: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline() == "writing\n"
    return process


def temporaries(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


def write_in_another_process(target: Path) -> None:
    code = (
        "import sys; from osgraph._atomic import write_file; "
        "write_file(sys.argv[1], b'<urn:x:a> <urn:x:b> <urn:x:c> .\\n')"
    )
    subprocess.run([sys.executable, "-c", code, str(target)], check=True)


@pytest.mark.process
def test_the_next_write_removes_what_a_killed_write_left_and_spares_a_live_one(
    tmp_path: Path,
) -> None:
    target = tmp_path / "osgraph.ttl"
    killed = start_writer(target)
    left = temporaries(tmp_path)
    assert len(left) == 1 and left[0].startswith(".osgraph.ttl.")
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    for pipe in (killed.stdin, killed.stdout):
        pipe.close()  # type: ignore[union-attr]
    assert temporaries(tmp_path) == left  # a killed process cannot clean up after itself
    live = start_writer(target)  # a write under way in another process
    live_file = [name for name in temporaries(tmp_path) if name not in left]
    # Older than the next process, as the killed write's is: only its lock can spare it.
    an_hour_ago = time.time() - 3600
    os.utime(tmp_path / live_file[0], (an_hour_ago, an_hour_ago))
    write_in_another_process(target)
    assert temporaries(tmp_path) == live_file  # the killed write's file is gone, not the live one
    assert target.read_text() == "<urn:x:a> <urn:x:b> <urn:x:c> .\n"
    assert live.stdin is not None
    live.stdin.write("done\n")
    live.stdin.close()
    assert live.wait(timeout=30) == 0
    live.stdout.close()  # type: ignore[union-attr]
    assert target.read_text() == "half a graph" and temporaries(tmp_path) == []
    stray = tmp_path / ".other.ttl.x.tmp"  # another target's: not this write's to remove
    stray.write_text("")
    os.utime(stray, (an_hour_ago, an_hour_ago))
    write_in_another_process(target)
    assert stray.exists()
