"""Write built graphs to files in the common RDF formats.

Files are written whole or not at all (:mod:`osgraph._atomic`). Every export either parses back
to the graph it was made of or is refused with a message naming the term it cannot hold. The
same graph gives the same bytes in every format, whatever the Python hash seed: blank nodes
(the ontology's, with ``--ontology``) get labels made from what they say (rdflib's canonical
labelling), N-Triples and RDF/XML are written in sorted order, TriG as the sorted Turtle of
each of its graphs, JSON-LD with its nodes and values sorted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from osgraph import _resources
from osgraph._atomic import write_file
from osgraph._errors import ConfigurationError, OsgraphError, ReadWriteError
from osgraph._messages import one_line, printable
from osgraph._turtle import IRI_PATTERN, iri_problem


def write_turtle(graph: Graph, path: Path | str) -> Path:
    """Write ``graph`` as Turtle to ``path``, atomically, creating its folder if needed.

    The same graph always gives the same bytes: subjects, predicates and objects are written in
    sorted order, and the graph holds no blank nodes.

    Raises
    ------
    OsgraphError
        When the file or its folder cannot be written, or the graph holds a term Turtle cannot
        (an IRI that is not one, a lone surrogate).
    """
    _check_terms(graph, Path(path), xml=False, prefixes=())
    return write_file(path, graph.serialize(format="longturtle", encoding="utf-8"))


GRAPH_FORMATS = ("ttl", "nt", "jsonld", "xml", "trig")
"""The formats the graph itself is written in."""
EXPORT_FORMATS = (*GRAPH_FORMATS, "void")


def export_graph(kg: Path | str, format: str, *, ontology: bool = False) -> bytes:
    """The built graph ``kg`` (Turtle) in ``format``: ``ttl``, ``nt`` (sorted lines), ``jsonld``
    (compacted with ``ontology/context.jsonld``), ``xml`` (RDF/XML) or ``trig`` (one named graph
    per source list, named by the list edition's IRI; what belongs to several lists, or to no
    list, stays in the default graph), or ``void``: not the graph but its VoID description
    (:mod:`osgraph._void`), in Turtle whose IRIs are relative to the file. ``ontology`` adds the
    ontology's and the domain scheme's triples (in TriG, as a named graph of their own; a VoID
    description counts the graph alone).

    Raises
    ------
    ConfigurationError
        When ``format`` is not one of :data:`EXPORT_FORMATS`.
    ReadWriteError
        When ``kg`` is missing.
    OsgraphError
        When ``kg`` is not readable as Turtle, or holds a term ``format`` cannot.
    QueryError
        When a query of the VoID description fails on ``kg``.
    """
    from osgraph._vocabulary import new_graph

    if format not in EXPORT_FORMATS:
        raise ConfigurationError(f"--format {format!r}: choose one of {', '.join(EXPORT_FORMATS)}")
    kg = Path(kg)
    if not kg.is_file():
        raise ReadWriteError(
            f"{kg}: no such graph; build one with `osgraph build` or name it with --kg"
        )
    if format == "void":
        from osgraph._void import void_description

        return void_description(kg)
    graph = new_graph()
    try:
        graph.parse(kg, format="turtle")
    except Exception as error:  # rdflib's parsers raise many kinds of errors
        raise OsgraphError(f"{kg}: not readable as Turtle: {one_line(str(error))}") from None
    context = json.loads(_resources.text("ontology", "context.jsonld"))["@context"]
    _check_terms(
        graph, kg, xml=format == "xml", prefixes=set(context) if format == "jsonld" else ()
    )
    vocabulary = _ontology_graph() if ontology else None
    try:
        if format == "trig":
            return _trig(graph, vocabulary)
        if vocabulary is not None:
            graph += vocabulary
        return _serialize(graph, format)
    except Exception as error:  # what the checks above did not foresee, rdflib may still refuse
        raise OsgraphError(f"{kg}: cannot be written as {format}: {one_line(str(error))}") from None


def _serialize(graph: Graph, format: str) -> bytes:
    graph = _stable_blank_nodes(graph)
    if format == "ttl":
        return graph.serialize(format="longturtle", encoding="utf-8")
    if format == "nt":
        lines = graph.serialize(format="nt", encoding="utf-8").splitlines(keepends=True)
        return b"".join(sorted(line for line in lines if line.strip()))
    if format == "jsonld":
        context = json.loads(_resources.text("ontology", "context.jsonld"))["@context"]
        text = graph.serialize(format="json-ld", context=context, encoding="utf-8")
        return _sorted_json(json.loads(text)).encode("utf-8")
    ordered = _empty_like(graph, _SortedGraph)
    ordered += graph
    return ordered.serialize(format="xml", encoding="utf-8")


def _empty_like(graph: Graph, kind: type[Graph] = Graph) -> Graph:
    """A new, empty graph of ``kind`` with the prefixes ``graph`` binds."""
    empty = kind()
    for prefix, namespace in graph.namespaces():
        empty.bind(prefix, namespace)
    return empty


class _SortedGraph(Graph):
    """A graph that gives its triples in sorted order, so that rdflib's RDF/XML writer (which
    writes them in the order of its store's sets, which the hash seed changes) writes the same
    graph the same way."""

    def triples(self, pattern):  # type: ignore[no-untyped-def]
        yield from sorted(super().triples(pattern), key=lambda triple: tuple(map(str, triple)))


def _stable_blank_nodes(graph: Graph) -> Graph:
    """``graph``, its blank nodes (if any) labelled by what they say rather than at random."""
    if not any(isinstance(term, BNode) for triple in graph for term in triple):
        return graph
    from rdflib.compare import to_canonical_graph

    stable = _empty_like(graph)
    stable += to_canonical_graph(graph)
    return stable


def _sorted_json(document: object) -> str:
    """A JSON-LD document with its nodes and the values of each property in sorted order (the
    order of a JSON-LD array carries no meaning, but for ``@list``, which osgraph does not
    write), one member a line."""

    def sort(value: object) -> object:
        if isinstance(value, dict):
            return {key: sort(item) for key, item in value.items()}
        if isinstance(value, list):
            items = [sort(item) for item in value]
            return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
        return value

    return json.dumps(sort(document), indent=1, ensure_ascii=False, sort_keys=True) + "\n"


# What XML 1.0 cannot hold, even as a character reference: C0 controls but tab, line feed and
# carriage return (which rdflib writes as &#13;), surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_terms(graph: Graph, kg: Path, *, xml: bool, prefixes: Collection[str]) -> None:
    """Refuse a graph with a term no export could write as it is: an IRI that is not one
    (RFC 3987), text with a lone surrogate; in RDF/XML, text with a character XML 1.0 cannot
    hold, or a property whose IRI XML cannot name (it must end with a name: ``...#label``); in
    JSON-LD, an IRI that would read back as a compact IRI (``osg:x``) of the context's
    ``prefixes``."""
    seen: set[Node] = set()
    for triple in graph:
        for position, term in enumerate(triple):
            if term in seen:
                continue
            seen.add(term)
            problem = _term_problem(term, xml=xml, predicate=position == 1)
            if problem is None and isinstance(term, URIRef) and prefixes:
                scheme, _, rest = str(term).partition(":")
                if scheme in prefixes and not rest.startswith("//"):
                    problem = (
                        f"the IRI <{term}> would read back from JSON-LD as a compact IRI (the "
                        f"context names {scheme!r}); export it in another format"
                    )
            if problem is not None:
                raise OsgraphError(f"{printable(str(kg))}: {problem}")


def _term_problem(term: Node, *, xml: bool, predicate: bool) -> str | None:
    if isinstance(term, URIRef):
        if IRI_PATTERN.fullmatch(term) is None:
            return f"the term <{printable(str(term))}> is not an IRI: {iri_problem(str(term))}"
        if xml and predicate and not _XML_NAME_END.search(term):
            return (
                f"the property <{term}> cannot be written in RDF/XML, which names a property by "
                "an XML name at the end of its IRI; export it in another format"
            )
        return None
    if isinstance(term, Literal):
        text = str(term)
        if _SURROGATE.search(text):
            return f"the literal {text!r} holds a lone surrogate, which no RDF format can write"
        if xml and _NOT_XML.search(text):
            character = _NOT_XML.search(text)[0]  # type: ignore[index]
            return (
                f"the literal {text!r} holds {character!r}, which XML 1.0 cannot hold: export "
                "it in another format (ttl, nt, jsonld, trig)"
            )
        if term.datatype is not None:
            return _term_problem(term.datatype, xml=False, predicate=False)
        return None
    if isinstance(term, BNode):
        return None
    return f"the term {printable(str(term))!r} is neither an IRI, a literal nor a blank node"


# The end of an IRI that RDF/XML can write a property with: an XML name (NCName), ASCII
# letters, digits, '_', '-' and '.' and the letters of other scripts, not starting with a digit,
# '-' or '.'.
_XML_NAME_END = re.compile(r"[A-Za-z_\u00c0-\ufffd][A-Za-z0-9_.\-\u00b7-\ufffd]*$")


def _ontology_graph() -> Graph:
    from osgraph._vocabulary import domain_scheme

    vocabulary = Graph().parse(data=_resources.text("ontology", "osgraph.ttl"), format="turtle")
    vocabulary += domain_scheme()
    return vocabulary


def _trig(graph: Graph, vocabulary: Graph | None) -> bytes:
    """One named graph per list edition: its rows, and the projects and contributions that come
    from its rows alone; the rest in the default graph."""
    from rdflib.namespace import PROV, RDF

    from osgraph._vocabulary import OSG

    list_of: dict[Node, Node] = {}
    for row, edition in graph.subject_objects(OSG.inList):
        list_of[row] = edition
    for edition in graph.subjects(RDF.type, OSG.ListEdition):
        list_of[edition] = edition
    for kind in (OSG.Project, OSG.Contribution):
        for node in graph.subjects(RDF.type, kind):
            lists = {list_of.get(row) for row in graph.objects(node, PROV.wasDerivedFrom)}
            found = lists.pop() if len(lists) == 1 else None
            if found is not None:
                list_of[node] = found
    graphs: dict[str, Graph] = {}

    def named(name: str) -> Graph:
        if name not in graphs:
            graphs[name] = _empty_like(graph)
        return graphs[name]

    for triple in graph:
        home = list_of.get(triple[0])
        named(f"<{home}> {{" if isinstance(home, URIRef) else "{").add(triple)
    if vocabulary is not None:
        ontology = named("<https://w3id.org/osgraph/ontology> {")
        for prefix, namespace in vocabulary.namespaces():
            ontology.bind(prefix, namespace, override=False)
        ontology += _stable_blank_nodes(vocabulary)
    # Each graph is written as the Turtle of export's ttl (sorted, so byte-stable) inside its
    # braces, under the prefixes all of them use, at the head of the file.
    head: set[str] = set()
    blocks = []
    for opening in sorted(graphs, key=lambda opening: (opening != "{", opening)):
        # split("\n"), not splitlines(), which also splits at the line breaks a literal may
        # hold; the prefixes are the lines before the first that is not one (a line of a long
        # literal may start with "PREFIX " too).
        lines = graphs[opening].serialize(format="longturtle").split("\n")
        prefixes = next((n for n, line in enumerate(lines) if not line.startswith("PREFIX ")), 0)
        head.update(lines[:prefixes])
        blocks.append("\n".join([opening, *lines[prefixes:], "}"]))
    return ("\n".join(sorted(head)) + "\n\n" + "\n\n".join(blocks) + "\n").encode("utf-8")
