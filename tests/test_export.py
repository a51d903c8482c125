"""Exports: every format parses back to the built graph; --ontology adds the vocabulary."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from rdflib import OWL, RDF, BNode, Dataset, Graph, URIRef

from osgraph import build, write_turtle
from osgraph._export import GRAPH_FORMATS, export_graph

from .conftest import run_osgraph

PARSERS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml"}
CASES = Path(__file__).parent / "cases"


def read_back(data: bytes, format: str) -> Graph:
    if format == "trig":
        dataset = Dataset()
        dataset.parse(data=data, format="trig")
        union = Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            union.add((s, p, o))
        return union
    return Graph().parse(data=data, format=PARSERS[format])


@pytest.fixture(scope="module")
def built(bundled_kg: Path) -> set[tuple[object, object, object]]:
    """The triples of the bundled graph as written, read once for the module. Every node of it
    is named (no blank node), so a graph with the same triples is the same graph."""
    triples = set(Graph().parse(bundled_kg, format="turtle"))
    assert not any(isinstance(term, BNode) for triple in triples for term in triple)
    return triples


@pytest.fixture(scope="module")
def exported(bundled_kg: Path) -> Callable[[str], bytes]:
    """The bundled graph exported in a format, each format exported once for the module."""
    return cache(lambda format: export_graph(bundled_kg, format))


@pytest.mark.parametrize("format", GRAPH_FORMATS)
def test_every_format_parses_back_to_the_built_graph(
    exported: Callable[[str], bytes], built: set[tuple[object, object, object]], format: str
) -> None:
    assert set(read_back(exported(format), format)) == built


@pytest.fixture(scope="module")
def two_editions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The graph of two editions of a list (tests/cases/two-editions), written as Turtle."""
    sources = sorted((CASES / "two-editions" / "input").glob("*.csv"))
    return write_turtle(build(sources).graph, tmp_path_factory.mktemp("two") / "two.ttl")


# On a small graph: the vocabulary is added whatever the graph, and every format reads back
# the bundled list's whole graph above.
@pytest.mark.parametrize("format", GRAPH_FORMATS)
def test_ontology_adds_the_vocabulary(two_editions: Path, format: str) -> None:
    back = set(read_back(export_graph(two_editions, format, ontology=True), format))
    assert (URIRef("https://w3id.org/osgraph/ontology"), RDF.type, OWL.Ontology) in back
    assert set(Graph().parse(two_editions, format="turtle")) <= back


def test_trig_has_one_named_graph_per_list(two_editions: Path) -> None:
    dataset = Dataset()
    dataset.parse(data=export_graph(two_editions, "trig"), format="trig")
    named = {
        str(g.identifier)
        for g in dataset.graphs()
        if g.identifier != dataset.default_graph.identifier
    }
    assert named == {
        "https://w3id.org/osgraph/id/list/open100-2022-2023",
        "https://w3id.org/osgraph/id/list/next-edition",
    }
    # Whisper is in both lists: its project node stays in the default graph.
    whisper = URIRef("https://w3id.org/osgraph/id/project/whisper")
    assert (whisper, None, None) in dataset.default_graph
    burn = URIRef("https://w3id.org/osgraph/id/project/burn")
    assert (burn, None, None) in dataset.graph(
        URIRef("https://w3id.org/osgraph/id/list/next-edition")
    )


def test_ntriples_are_sorted_and_stable(bundled_kg: Path, exported: Callable[[str], bytes]) -> None:
    first = exported("nt")
    assert first == export_graph(bundled_kg, "nt")  # exported again, the same bytes
    lines = first.splitlines()
    assert lines == sorted(lines)


def test_the_export_command(
    bundled_kg: Path, exported: Callable[[str], bytes], tmp_path: Path
) -> None:
    # Exactly the export that parses back to the built graph above, printed or written.
    printed = run_osgraph("export", "--kg", str(bundled_kg), "-f", "jsonld", cwd=tmp_path)
    assert printed.returncode == 0
    assert printed.stdout == exported("jsonld").decode("utf-8")
    written = run_osgraph(
        "export", "--kg", str(bundled_kg), "-f", "xml", "-o", "g.rdf", cwd=tmp_path
    )
    assert written.stdout == "Wrote g.rdf.\n"
    assert (tmp_path / "g.rdf").read_bytes() == exported("xml")
    bad = run_osgraph("export", "--kg", str(bundled_kg), "-f", "csv", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.startswith("osgraph: error: --format 'csv'")
    missing = run_osgraph("export", "--kg", "missing.ttl", "-f", "nt", cwd=tmp_path)
    assert missing.returncode == 3
    assert missing.stderr.startswith("osgraph: error: missing.ttl: no such graph")


@pytest.mark.slow
@pytest.mark.process  # the hash seed is set when Python starts
def test_every_format_is_the_same_bytes_whatever_the_hash_seed(two_editions: Path) -> None:
    # With the ontology, whose blank nodes rdflib labels at random; the two processes at once.
    script = (
        "import hashlib, sys\n"
        "from osgraph import export_graph\n"
        "from osgraph._export import GRAPH_FORMATS\n"
        "for format in GRAPH_FORMATS:\n"
        "    data = export_graph(sys.argv[1], format, ontology=True)\n"
        "    print(format, hashlib.sha256(data).hexdigest())\n"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(two_editions)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in ("1", "2")
    ]
    outputs = [process.communicate()[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0]
    assert len(outputs[0].splitlines()) == len(GRAPH_FORMATS)
    assert outputs[0] == outputs[1]
