"""The VoID description (``osgraph export --format void``, ``/.well-known/void``) and the
service description (``/sparql`` without a query) against their specifications: every term they
use is one the published vocabularies define (copies in tests/vocabularies, with their
sources), the structure the specifications ask for is there, and every number is what SPARQL
counts in the built graph, by queries written here and run by Oxigraph itself."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import DCTERMS, FOAF, RDF, RDFS, SKOS, Dataset, Graph, Literal, Namespace, URIRef

from osgraph._export import export_graph
from osgraph._serve import EndpointServer, make_server

from .conftest import run_osgraph
from .web import http

VOCABULARIES = Path(__file__).parent / "vocabularies"
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
OSG = Namespace("https://w3id.org/osgraph/ontology#")
HERE = "http://example.org/descriptions/void.ttl"
"""Where the exported file is read from, as a client resolves its relative IRIs."""


def vocabulary() -> Graph:
    """The published VoID, Service Description and formats vocabularies, together."""
    graph = Graph()
    void = Dataset()
    void.parse(VOCABULARIES / "void.nq", format="nquads")
    for s, p, o, _ in void.quads((None, None, None, None)):
        graph.add((s, p, o))
    graph.parse(VOCABULARIES / "sparql-service-description.ttl", format="turtle")
    graph.parse(VOCABULARIES / "formats.ttl", format="turtle")
    return graph


@pytest.fixture(scope="module")
def store(bundled_kg: Path) -> ox.Store:
    """The built graph in Oxigraph, for the counts the descriptions must give."""
    store = ox.Store()
    store.load(path=str(bundled_kg), format=ox.RdfFormat.TURTLE)
    return store


def count(store: ox.Store, where: str) -> int:
    solutions = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    return int(next(iter(solutions))["n"].value)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def exported(bundled_kg: Path) -> bytes:
    return export_graph(bundled_kg, "void")


@pytest.fixture(scope="module")
def void(exported: bytes) -> Graph:
    return Graph().parse(data=exported, format="turtle", publicID=HERE)


@pytest.fixture(scope="module")
def endpoint(bundled_kg: Path) -> Iterator[str]:
    server: EndpointServer = make_server(bundled_kg, port=0, workers=1)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def described(void: Graph) -> URIRef:
    """The dataset the description is about: the primary topic of the description document."""
    (document,) = void.subjects(RDF.type, VOID.DatasetDescription)
    dataset = void.value(document, FOAF.primaryTopic)
    assert isinstance(dataset, URIRef) and (dataset, RDF.type, VOID.Dataset) in void
    return dataset


def number(graph: Graph, subject: URIRef, predicate: URIRef) -> int:
    value = graph.value(subject, predicate)
    assert isinstance(value, Literal), (subject, predicate)
    return int(value)


def test_every_term_is_defined_by_its_vocabulary(void: Graph, endpoint: str) -> None:
    defined = set(vocabulary().subjects(RDF.type, None))
    service = Graph().parse(data=http.get(f"{endpoint}/sparql").text, format="turtle")
    used = {
        term
        for graph in (void, service)
        for s, p, o in graph
        for term in (
            p,
            o if p == RDF.type else None,
            o if p in (SD.supportedLanguage, SD.resultFormat, SD.feature) else None,
        )
        if isinstance(term, URIRef) and str(term).startswith((str(VOID), str(SD), str(FORMATS)))
    }
    assert used and used <= defined, used - defined


def test_the_dataset_counts_the_built_graph(void: Graph, store: ox.Store) -> None:
    dataset = described(void)
    assert number(void, dataset, VOID.triples) == count(store, "?s ?p ?o") > 0
    assert number(void, dataset, VOID.entities) == len(
        {s for (s,) in store.query("SELECT DISTINCT ?s WHERE { ?s a ?c FILTER(isIRI(?s)) }")}  # type: ignore[misc]
    )
    distinct = "SELECT (COUNT(DISTINCT ?{0}) AS ?n) WHERE {{ ?s ?p ?o }}"
    for name, variable in (
        ("distinctSubjects", "s"),
        ("distinctObjects", "o"),
        ("properties", "p"),
    ):
        answer = next(iter(store.query(distinct.format(variable))))
        assert number(void, dataset, VOID[name]) == int(answer["n"].value)  # type: ignore[index]


def test_each_class_partition_counts_its_entities(void: Graph, store: ox.Store) -> None:
    dataset = described(void)
    partitions = {
        void.value(part, VOID["class"]): part for part in void.objects(dataset, VOID.classPartition)
    }
    classes = {
        URIRef(row["c"].value): int(row["n"].value)  # type: ignore[index]
        for row in store.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")  # type: ignore[union-attr]
    }
    assert set(partitions) == set(classes)
    assert number(void, dataset, VOID.classes) == len(classes)
    for klass, part in partitions.items():
        assert number(void, part, VOID.entities) == classes[klass], klass  # type: ignore[index]
    assert classes[URIRef(OSG.Project)] == 101


def test_the_property_partitions_hold_every_triple(void: Graph, store: ox.Store) -> None:
    dataset = described(void)
    parts = list(void.objects(dataset, VOID.propertyPartition))
    assert sum(number(void, part, VOID.triples) for part in parts) == count(store, "?s ?p ?o")  # type: ignore[arg-type]
    for part in parts:
        predicate = void.value(part, VOID.property)
        assert number(void, part, VOID.triples) == count(store, f"?s <{predicate}> ?o")  # type: ignore[arg-type]


def test_linksets_count_the_links_to_wikidata_and_ror(void: Graph, store: ox.Store) -> None:
    dataset = described(void)
    found = {}
    for linkset in void.subjects(RDF.type, VOID.Linkset):
        assert (dataset, VOID.subset, linkset) in void
        assert void.value(linkset, VOID.subjectsTarget) == dataset
        target = void.value(linkset, VOID.objectsTarget)
        space = void.value(target, VOID.uriSpace)
        predicate = void.value(linkset, VOID.linkPredicate)
        links = f'?s <{predicate}> ?o FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{space}"))'
        assert number(void, linkset, VOID.triples) == count(store, links)  # type: ignore[arg-type]
        found[(str(void.value(target, DCTERMS.title)), predicate)] = number(
            void, linkset, VOID.triples
        )  # type: ignore[arg-type]
    assert found[("Wikidata", SKOS.exactMatch)] == 50
    assert found[("Research Organization Registry (ROR)", OSG.ror)] == 48


def test_the_lists_are_the_sources_of_the_dataset(void: Graph, store: ox.Store) -> None:
    dataset = described(void)
    edition = URIRef("https://w3id.org/osgraph/id/list/open100-2022-2023")
    assert set(void.objects(dataset, DCTERMS.source)) == {edition}
    assert void.value(edition, DCTERMS.source) == URIRef(
        "https://www.benchcouncil.org/ficc2023/cn.html"
    )
    assert str(void.value(edition, DCTERMS.issued)) == "2023-11-08"
    assert {str(t) for t in void.objects(edition, DCTERMS.title)} >= {
        "Outstanding Open Source Systems Achievements (2022-2023)"
    }
    publisher = void.value(edition, DCTERMS.publisher)
    assert str(void.value(publisher, RDFS.label)) == "BenchCouncil"


def test_the_uri_space_and_vocabularies_are_the_graphs(void: Graph, store: ox.Store) -> None:
    dataset = described(void)
    space = str(void.value(dataset, VOID.uriSpace))
    assert count(store, f'?s a ?c FILTER(isIRI(?s) && !STRSTARTS(STR(?s), "{space}"))') == 0
    vocabularies = {str(v) for v in void.objects(dataset, VOID.vocabulary)}
    assert {str(OSG), str(SKOS), str(DCTERMS)} <= vocabularies


def test_a_graph_of_another_base_has_no_uri_space(tmp_path: Path) -> None:
    kg = tmp_path / "other.ttl"
    kg.write_text("<https://example.org/a> a <https://example.org/Thing> .\n", encoding="utf-8")
    void = Graph().parse(data=export_graph(kg, "void"), format="turtle", publicID=HERE)
    dataset = described(void)
    assert void.value(dataset, VOID.uriSpace) is None
    assert number(void, dataset, VOID.triples) == 1
    assert not list(void.subjects(RDF.type, VOID.Linkset))


def test_the_served_description_is_the_exported_one_at_its_address(
    exported: bytes, endpoint: str
) -> None:
    answer = http.get(f"{endpoint}/.well-known/void")
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/turtle"
    here = f"{endpoint}/.well-known/void"
    served = Graph().parse(data=answer.text, format="turtle", publicID=here)
    dataset = URIRef(f"{here}#dataset")
    assert served.value(dataset, VOID.sparqlEndpoint) == URIRef(f"{endpoint}/sparql")
    served.remove((dataset, VOID.sparqlEndpoint, None))
    assert set(served) == set(Graph().parse(data=exported, format="turtle", publicID=here))
    ntriples = http.get(here, headers={"Accept": "application/n-triples;q=0.9, text/html;q=0.1"})
    assert ntriples.headers["content-type"] == "application/n-triples"
    assert set(Graph().parse(data=ntriples.text, format="nt")) == set(
        Graph().parse(data=answer.text, format="turtle", publicID=here)
    )


def test_the_service_description_says_what_the_endpoint_does(
    endpoint: str, store: ox.Store
) -> None:
    answer = http.get(f"{endpoint}/sparql")
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/turtle"
    description = Graph().parse(data=answer.text, format="turtle")
    (service,) = description.subjects(RDF.type, SD.Service)
    assert description.value(service, SD.endpoint) == URIRef(f"{endpoint}/sparql")
    assert set(description.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}
    # No feature: it dereferences nothing, runs no SERVICE, holds no named graphs.
    assert list(description.objects(service, SD.feature)) == []
    dataset = description.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in description
    graph = description.value(dataset, SD.defaultGraph)
    assert (graph, RDF.type, SD.Graph) in description
    assert number(description, graph, VOID.triples) == count(store, "?s ?p ?o")  # type: ignore[arg-type]
    assert graph == URIRef(f"{endpoint}/.well-known/void#dataset")

    # The result formats are exactly those the endpoint answers in, by their W3C media types.
    media_types = {
        str(vocabulary().value(format, FORMATS.media_type))
        for format in description.objects(service, SD.resultFormat)
    }
    select = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
    construct = "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"
    answered = {
        http.get(f"{endpoint}/sparql", params={"query": query}, headers={"Accept": media_type})
        .headers["content-type"]
        .split(";")[0]
        for media_type in media_types
        for query in (select, construct)
    }
    assert answered == media_types


def test_the_descriptions_name_the_host_the_client_asked(endpoint: str) -> None:
    asked = http.get(f"{endpoint}/sparql", headers={"Host": "sparql.example.org:8080"})
    description = Graph().parse(data=asked.text, format="turtle")
    assert URIRef("http://sparql.example.org:8080/sparql") in set(
        description.objects(None, SD.endpoint)
    )
    hostile = http.get(f"{endpoint}/sparql", headers={"Host": "a> <b"})
    description = Graph().parse(data=hostile.text, format="turtle")
    assert set(description.objects(None, SD.endpoint)) == {URIRef(f"{endpoint}/sparql")}


def test_the_export_command_writes_it(bundled_kg: Path, exported: bytes, tmp_path: Path) -> None:
    written = run_osgraph(
        "export", "--kg", str(bundled_kg), "-f", "void", "-o", "void.ttl", cwd=tmp_path
    )
    assert written.returncode == 0 and written.stdout == "Wrote void.ttl.\n"
    assert (tmp_path / "void.ttl").read_bytes() == exported


@pytest.mark.process
def test_the_same_graph_gives_the_same_bytes_in_another_process(
    bundled_kg: Path, exported: bytes
) -> None:
    code = (
        "import sys; from osgraph._export import export_graph; "
        "sys.stdout.buffer.write(export_graph(sys.argv[1], 'void'))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run(
        [sys.executable, "-c", code, str(bundled_kg)], capture_output=True, env=env, check=True
    )
    assert other.stdout == exported


def test_hostile_names_stay_data(tmp_path: Path) -> None:
    kg = tmp_path / "hostile.ttl"
    kg.write_text(
        "@prefix e: <https://example.org/> .\n"
        'e:a a <https://example.org/Weird%20Class#> , <urn:x:y> ; e:p "x\\" } ; DROP ALL" .\n'
        "e:l a <https://w3id.org/osgraph/ontology#ListEdition> ;\n"
        '    <http://purl.org/dc/terms/title> "T\\"itle <b> #not-a-fragment" .\n',
        encoding="utf-8",
    )
    void = Graph().parse(data=export_graph(kg, "void"), format="turtle", publicID=HERE)
    dataset = described(void)
    classes = {
        void.value(part, VOID["class"]) for part in void.objects(dataset, VOID.classPartition)
    }
    assert classes == {
        URIRef("https://example.org/Weird%20Class#"),
        URIRef("urn:x:y"),
        URIRef(OSG.ListEdition),
    }
    edition = URIRef("https://example.org/l")
    assert str(void.value(edition, DCTERMS.title)) == 'T"itle <b> #not-a-fragment'
    assert number(void, dataset, VOID.triples) == 5
