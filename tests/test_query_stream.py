"""Answers written as they are found: the results formats row by row, `--limit`, and what the
writers give compared with rdflib's own SPARQL results serializers and parsers."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import XSD, BNode, Literal, URIRef, Variable
from rdflib.query import Result

from osgraph import named_queries, open_engine, run_query
from osgraph._catalogue import bind_parameters, with_values
from osgraph._engines import from_oxigraph
from osgraph._query import answer_parts, stream_query
from osgraph._results import RESULT_FORMATS, QueryResult, RowStream, result_parts
from tests.conftest import run_osgraph

# One pattern, every contribution's project: Oxigraph finds its rows one by one.
UNORDERED = """
PREFIX osg: <https://w3id.org/osgraph/ontology#>
SELECT ?contribution ?project WHERE { ?contribution osg:project ?project }
"""


def rdflib_result(answer: QueryResult) -> Result:
    result = Result("SELECT")
    result.vars = [Variable(name) for name in answer.variables]
    result.bindings = [
        {
            Variable(name): term
            for name, term in zip(answer.variables, row, strict=True)
            if term is not None
        }
        for row in answer.rows
    ]
    return result


def every_answer(kg: Path) -> list[QueryResult]:
    """Every named query's answer on ``kg`` (with a parameter where one is needed), and odd
    terms no list holds: a blank node, markup, quotes, a new line, a language and a datatype."""
    engine = open_engine(kg, "oxigraph")
    answers = []
    for named in named_queries().values():
        given = dict.fromkeys(named.needs[:1], "Tsinghua University")
        answers.append(run_query(engine, named.text, bind_parameters(given, named)))
    odd = (
        (BNode("b1"), Literal('<b>"x" & y</b>', lang="en")),
        (URIRef("https://example.org/é?a=1&b=2"), Literal("line\nbreak, comma")),
        (None, Literal(3)),
    )
    answers.append(QueryResult("SELECT", ("a", "b"), odd))
    return answers


PARSERS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "tsv": ox.QueryResultsFormat.TSV,
}


def test_the_results_formats_are_what_rdflib_writes_and_oxigraph_reads(bundled_kg: Path) -> None:
    answers = every_answer(bundled_kg)
    assert sum(len(answer.rows) for answer in answers) > 300
    for answer in answers:
        theirs = rdflib_result(answer)
        for format in ("csv", "xml"):
            assert answer.serialize(format) == theirs.serialize(format=format, encoding="utf-8")
        # rdflib puts the head after the results; osgraph before, so that it can be streamed.
        ours = json.loads(answer.serialize("json"))
        assert ours == json.loads(theirs.serialize(format="json", encoding="utf-8"))
        assert list(ours) == ["head", "results"]
        for format in ("json", "xml", "tsv"):
            parsed = ox.parse_query_results(answer.serialize(format), PARSERS[format])
            read = [tuple(None if t is None else from_oxigraph(t) for t in row) for row in parsed]
            assert read == [tuple(row) for row in answer.rows]  # blank nodes keep their labels


# Terms no list holds, as a graph file: literals whose lexical form rdflib writes in its own
# canonical form, an ill-typed one, another datatype, markup, quotes, separators, an empty string,
# a language with a region, a blank node and an IRI with a comma.
ODD_GRAPH = r"""
@prefix ex: <https://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:p "1.0E0"^^xsd:double, "01"^^xsd:integer, "abc"^^xsd:integer, "0.10"^^xsd:decimal,
    "x"^^xsd:string, "y"^^ex:unit, "<b>&amp; \"q\"</b>"@en-GB, "line\nbreak, comma\r\ttab",
    "", _:b1, <https://example.org/é?a=1,b=2> .
"""

ODD_QUERIES = (
    "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY STR(?o)",
    "SELECT ?o WHERE { ?s ?p ?o } ORDER BY STR(?o)",  # a row of one empty string
    "SELECT ?x ?o WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?x } } ORDER BY STR(?o)",
    "SELECT ?x WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?x } }",  # rows of one unbound variable
)


def test_oxigraph_terms_are_written_as_rdflib_terms_are(bundled_kg: Path, tmp_path: Path) -> None:
    # A stream writes pyoxigraph's terms as they are; an answer held whole, rdflib's terms, as
    # rdflib's own serializers do (above): every named query, and odd terms, write the same.
    odd = tmp_path / "odd.ttl"
    odd.write_text(ODD_GRAPH, encoding="utf-8")
    asked = [(odd, text) for text in ODD_QUERIES]
    for named in named_queries().values():
        given = dict.fromkeys(named.needs[:1], "Tsinghua University")
        asked.append((bundled_kg, with_values(named.text, bind_parameters(given, named))))
    engines = {kg: open_engine(kg, "oxigraph") for kg in (odd, bundled_kg)}
    for kg, text in asked:
        whole = run_query(engines[kg], text)
        for format in RESULT_FORMATS:
            stream = stream_query(engines[kg], text)
            assert isinstance(stream, RowStream)
            assert b"".join(result_parts(stream, format)) == whole.serialize(format), text
    whole = run_query(engines[odd], ODD_QUERIES[0])
    written = {Literal("1.0", datatype=XSD.double), Literal("abc", datatype=XSD.integer)}
    assert written <= {term for row in whole.rows for term in row}
    for text in ODD_QUERIES:
        whole = run_query(engines[odd], text)
        for format in ("csv", "xml"):
            theirs = rdflib_result(whole).serialize(format=format, encoding="utf-8")
            assert whole.serialize(format) == theirs


def test_streamed_parts_make_the_whole_answer(bundled_kg: Path) -> None:
    engine = open_engine(bundled_kg, "oxigraph")
    whole = run_query(engine, UNORDERED)
    assert len(whole.rows) > 100
    for format in RESULT_FORMATS:
        stream = stream_query(engine, UNORDERED)
        assert isinstance(stream, RowStream)
        parts = list(result_parts(stream, format))
        # The head, the first row on its own, then the others in batches, then the end.
        assert len(parts) >= 3
        assert b"".join(parts) == whole.serialize(format)


def test_the_first_row_is_written_before_the_others_are_read(bundled_kg: Path) -> None:
    engine = open_engine(bundled_kg, "oxigraph")
    stream = stream_query(engine, UNORDERED)
    assert isinstance(stream, RowStream)
    parts = result_parts(stream, "tsv")
    assert next(parts) == b"?contribution\t?project\n"
    first = next(parts)
    assert first.count(b"\n") == 1
    # The rest is still with the engine: reading it now gives every other row.
    rest = list(stream.rows)
    assert len(rest) == len(run_query(engine, UNORDERED).rows) - 1


@pytest.mark.parametrize("format", ["table", *RESULT_FORMATS])
def test_limit_keeps_the_first_rows(bundled_kg: Path, format: str) -> None:
    def answer(limit: int | None) -> bytes:
        parts = answer_parts("contributions", bundled_kg, format=format, limit=limit)
        return b"".join(p.encode() if isinstance(p, str) else p for p in parts)

    engine = open_engine(bundled_kg, "oxigraph")
    whole = run_query(engine, named_queries()["contributions"].text)
    for limit in (0, 1, 7):
        cut = QueryResult("SELECT", whole.variables, whole.rows[:limit])
        if format == "table":
            assert answer(limit).endswith(f"{limit} row{'' if limit == 1 else 's'}\n".encode())
        else:
            assert answer(limit) == cut.serialize(format)  # type: ignore[arg-type]
    assert answer(None) == answer(len(whole.rows) + 5)


def test_limit_on_the_command_line(bundled_kg: Path) -> None:
    kg = str(bundled_kg)
    whole = run_osgraph("query", "contributions", "--kg", kg, "-f", "csv", cwd=bundled_kg.parent)
    cut = run_osgraph(
        "query", "contributions", "--kg", kg, "-f", "csv", "--limit", "3", cwd=bundled_kg.parent
    )
    assert cut.returncode == 0, cut.stderr
    assert cut.stdout.splitlines() == whole.stdout.splitlines()[:4]
    ask = "ASK { ?s ?p ?o }"
    asked = run_osgraph("query", "-", "--kg", kg, "--limit", "0", stdin=ask, cwd=bundled_kg.parent)
    assert asked.stdout == "true\n"
    refused = run_osgraph("query", "contributions", "--kg", kg, "--limit", "-1", cwd=Path.cwd())
    assert refused.returncode == 2
    assert refused.stderr == "osgraph: error: --limit -1: give a number of rows, 0 or more\n"
