"""What a user would write by hand instead of osgraph: the flat form of a list (see
:mod:`bench.generate`) mapped to the same triples as ``bench/mapping.rml.ttl``, one triple at a
time, with plain rdflib (``Graph.add``, then Turtle) or with pyoxigraph (``Store.bulk_extend``,
then Turtle).

Usage: python -m bench.baselines {rdflib,pyoxigraph} FLAT_FOLDER OUT.ttl
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Iterator
from pathlib import Path

ID = "https://w3id.org/osgraph/id/"
OSG = "https://w3id.org/osgraph/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

# An object: ("iri", text) or ("literal", text, language or "", datatype or "").
Object = tuple[str, ...]
Triple = tuple[str, str, Object]


def flat_triples(folder: Path) -> Iterator[Triple]:
    """The triples of ``bench/mapping.rml.ttl`` over the flat tables in ``folder``."""
    for row in _table(folder, "rows"):
        line = f"{ID}list/{row['list']}/line/{row['line']}"
        edition = ("iri", f"{ID}list/{row['list']}")
        yield line, RDF_TYPE, ("iri", f"{OSG}SourceRow")
        yield line, f"{OSG}inList", edition
        yield line, f"{OSG}line", ("literal", row["line"], "", INTEGER)
        yield line, f"{OSG}rawText", ("literal", row["text"], "", "")
        project = f"{ID}project/{row['project']}"
        yield project, RDF_TYPE, ("iri", f"{OSG}Project")
        yield project, LABEL, ("literal", row["label"], "", "")
        yield project, DERIVED_FROM, ("iri", line)
        yield project, f"{OSG}listedIn", edition
    for row in _table(folder, "contributions"):
        project = f"{ID}project/{row['project']}"
        institution = ("iri", f"{ID}institution/{row['institution']}")
        country = ("iri", f"{ID}country/{row['country']}")
        node = f"{ID}contribution/{row['project']}/{row['institution']}/{row['country']}"
        yield project, f"{OSG}developedBy", institution
        yield project, f"{OSG}country", country
        yield project, f"{OSG}contribution", ("iri", node)
        yield node, RDF_TYPE, ("iri", f"{OSG}Contribution")
        yield node, f"{OSG}project", ("iri", project)
        yield node, f"{OSG}institution", institution
        yield node, f"{OSG}inCountry", country
        yield institution[1], f"{OSG}creditedInCountry", country
        yield node, f"{OSG}alignment", ("iri", f"{OSG}ByPosition")
        yield node, DERIVED_FROM, ("iri", f"{ID}list/{row['list']}/line/{row['line']}")
    for row in _table(folder, "institutions"):
        node = f"{ID}institution/{row['institution']}"
        yield node, RDF_TYPE, ("iri", f"{OSG}Institution")
        yield node, LABEL, ("literal", row["label"], "", "")
    for row in _table(folder, "countries"):
        node = f"{ID}country/{row['country']}"
        yield node, RDF_TYPE, ("iri", f"{OSG}Country")
        yield node, LABEL, ("literal", row["label"], "en", "")
        yield node, LABEL, ("literal", row["label_zh"], "zh", "")
        if row["spelling"]:
            yield node, ALT_LABEL, ("literal", row["spelling"], "", "")
        yield node, f"{OSG}alpha2", ("literal", row["country"], "", "")
        yield node, f"{OSG}alpha3", ("literal", row["alpha3"], "", "")


def with_rdflib(folder: Path, out: Path) -> None:
    from rdflib import Graph, Literal, URIRef

    graph = Graph()
    for subject, predicate, value in flat_triples(folder):
        term = (
            URIRef(value[1])
            if value[0] == "iri"
            else Literal(value[1], lang=value[2] or None, datatype=value[3] or None)
        )
        graph.add((URIRef(subject), URIRef(predicate), term))
    graph.serialize(out, format="turtle", encoding="utf-8")


def with_pyoxigraph(folder: Path, out: Path) -> None:
    import pyoxigraph as ox

    store = ox.Store()
    batch: list[ox.Quad] = []
    for subject, predicate, value in flat_triples(folder):
        term: ox.NamedNode | ox.Literal
        if value[0] == "iri":
            term = ox.NamedNode(value[1])
        elif value[2]:
            term = ox.Literal(value[1], language=value[2])
        elif value[3]:
            term = ox.Literal(value[1], datatype=ox.NamedNode(value[3]))
        else:
            term = ox.Literal(value[1])
        batch.append(ox.Quad(ox.NamedNode(subject), ox.NamedNode(predicate), term))
        if len(batch) >= 100_000:
            store.bulk_extend(batch)
            batch.clear()
    store.bulk_extend(batch)
    store.dump(str(out), ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph())


def _table(folder: Path, name: str) -> Iterator[dict[str, str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as file:
        yield from csv.DictReader(file)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", choices=["rdflib", "pyoxigraph"])
    parser.add_argument("flat", type=Path)
    parser.add_argument("out", type=Path)
    arguments = parser.parse_args()
    build = with_rdflib if arguments.library == "rdflib" else with_pyoxigraph
    build(arguments.flat, arguments.out)


if __name__ == "__main__":
    main()
