"""The knowledge graph of the bundled BenchCouncil Open100 2022-2023 list."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import PROV, RDF, RDFS

from osgraph import OSG, BuildResult, build, write_turtle

PREFIXES = {"osg": OSG._NS, "rdfs": RDFS, "prov": PROV}


def select(graph: Graph, query: str, **bindings: object) -> list[tuple[object, ...]]:
    return [
        tuple(row)
        for row in graph.query(
            query,
            initNs=PREFIXES,
            initBindings={
                k: Literal(v) if isinstance(v, str | int) else v for k, v in bindings.items()
            },
        )
    ]


def count_of(graph: Graph, cls: URIRef) -> int:
    return len(set(graph.subjects(RDF.type, cls)))


def test_counts_after_whitespace_is_normalised(bundled: BuildResult) -> None:
    graph, summary = bundled.graph, bundled.summary
    assert summary.rows_read == count_of(graph, OSG.SourceRow) == 102
    assert summary.projects == count_of(graph, OSG.Project) == 101
    assert summary.institutions == count_of(graph, OSG.Institution) == 95
    assert summary.countries == count_of(graph, OSG.Country) == 17
    assert summary.contributions == count_of(graph, OSG.Contribution)
    assert summary.triples == len(graph)


def test_institution_spellings_with_runs_of_spaces_are_one_institution(
    bundled: BuildResult,
) -> None:
    rows = select(
        bundled.graph,
        """SELECT ?project WHERE {
            ?institution rdfs:label ?label .
            ?project osg:developedBy ?institution ; rdfs:label ?project_label .
        } ORDER BY ?project_label""",
        label="Institute of Computing Technology Chinese Academy of Sciences",
    )
    # BayLing spells it with single spaces; DeePMD-kit and OSTrack with a run of spaces.
    labels = [bundled.graph.value(row[0], RDFS.label) for row in rows]
    assert labels == [Literal("BayLing"), Literal("DeePMD-kit"), Literal("OSTrack")]


def test_a_project_listed_twice_is_one_project_with_both_rows(
    bundled: BuildResult, bundled_lines: list[str]
) -> None:
    rows = select(
        bundled.graph,
        """SELECT ?project ?line ?text WHERE {
            ?project a osg:Project ; rdfs:label ?label ; prov:wasDerivedFrom ?row .
            ?row osg:line ?line ; osg:rawText ?text .
        } ORDER BY ?line""",
        label="Service Weaver",
    )
    assert len({row[0] for row in rows}) == 1
    service_weaver_lines = [
        n for n, line in enumerate(bundled_lines, 1) if ">Service Weaver<" in line
    ]
    assert [row[1].toPython() for row in rows] == service_weaver_lines  # type: ignore[union-attr]
    assert [str(row[2]) for row in rows] == [bundled_lines[n - 1] for n in service_weaver_lines]
    (contribution,) = bundled.graph.objects(rows[0][0], OSG.contribution)
    derived_from = set(bundled.graph.objects(contribution, PROV.wasDerivedFrom))
    assert len(derived_from) == 2
    notices = [n for n in bundled.summary.notices if n.kind == "duplicate-row"]
    assert [n.origins[0].line for n in notices] == [service_weaver_lines[0]]


CONTRIBUTIONS = """SELECT ?institution ?country ?method WHERE {
    ?project rdfs:label ?project_label ; osg:contribution ?c .
    ?c osg:institution/rdfs:label ?institution ;
       osg:inCountry/rdfs:label ?country ;
       osg:alignment ?method ;
       osg:project ?project .
} ORDER BY ?institution ?country"""


def test_one_institution_in_two_countries_makes_one_contribution_per_country(
    bundled: BuildResult,
) -> None:
    rows = select(bundled.graph, CONTRIBUTIONS, project_label="Comprehensive-rust")
    assert rows == [
        (Literal("Google"), Literal("Switzerland"), OSG.OneInstitutionPerCountry),
        (Literal("Google"), Literal("UK"), OSG.OneInstitutionPerCountry),
    ]


def test_as_many_countries_as_institutions_pair_by_position(bundled: BuildResult) -> None:
    rows = select(bundled.graph, CONTRIBUTIONS, project_label="PRQL")
    assert rows == [
        (Literal("EdgeDB"), Literal("Slovenia"), OSG.ByPosition),
        (Literal("Quantitative Trading Firm"), Literal("USA"), OSG.ByPosition),
    ]


def test_one_country_goes_to_every_institution(bundled: BuildResult) -> None:
    rows = select(bundled.graph, CONTRIBUTIONS, project_label="Stable Diffusion")
    assert rows == [
        (Literal(name), Literal("Germany"), OSG.OneCountryForAll)
        for name in (
            "Heidelberg University",
            "Ludwig Maximilian University of Munich",
            "Stability AI",
        )
    ]


def test_rows_that_do_not_line_up_are_recorded_and_reported_not_guessed(
    bundled: BuildResult,
) -> None:
    graph = bundled.graph
    unaligned = {
        str(graph.value(project, RDFS.label))
        for row in graph.subjects(OSG.alignment, OSG.Unaligned)
        for project in graph.subjects(PROV.wasDerivedFrom, row)
    }
    assert unaligned == {"ArchProbe", "ChatGLM", "GraphScope", "OmniObject3D"}
    reported = {n.message.split(":")[0] for n in bundled.summary.notices if n.kind == "unaligned"}
    assert reported == unaligned
    assert bundled.summary.unaligned_rows == 4
    chatglm = select(
        graph,
        """SELECT (COUNT(DISTINCT ?i) AS ?institutions) (COUNT(DISTINCT ?c) AS ?countries)
                  (COUNT(DISTINCT ?k) AS ?contributions)
           WHERE { ?p rdfs:label ?label ; osg:developedBy ?i ; osg:country ?c .
                   OPTIONAL { ?p osg:contribution ?k } }""",
        label="ChatGLM",
    )
    assert [tuple(v.toPython() for v in row) for row in chatglm] == [(4, 2, 0)]  # type: ignore[union-attr]


def test_every_aligned_row_has_all_its_contributions(
    bundled: BuildResult, bundled_lines: list[str]
) -> None:
    """Each row's contributions, counted from the file by the three alignment rules, are in
    the graph, derived from that row."""
    graph = bundled.graph
    for row in graph.subjects(RDF.type, OSG.SourceRow):
        text = str(graph.value(row, OSG.rawText))
        cells = text.strip().strip("|").split(" | ")
        institutions = cells[1].count("|") + 1
        countries = cells[2].count("|") + 1
        if institutions == countries or countries == 1:
            expected = institutions
        elif institutions == 1:
            expected = countries
        else:
            expected = 0
        made = set(graph.subjects(PROV.wasDerivedFrom, row)) & set(
            graph.subjects(RDF.type, OSG.Contribution)
        )
        assert len(made) == expected, text


def test_the_recognition_and_the_edition_are_in_the_graph(bundled: BuildResult) -> None:
    rows = select(
        bundled.graph,
        """PREFIX dcat: <http://www.w3.org/ns/dcat#>
           PREFIX dcterms: <http://purl.org/dc/terms/>
           SELECT (COUNT(DISTINCT ?project) AS ?projects) ?issued ?page ?series_title WHERE {
             ?project osg:listedIn ?edition .
             ?edition a osg:ListEdition ; dcterms:issued ?issued ; dcat:landingPage ?page ;
                      dcat:inSeries/dcterms:title ?series_title .
           } GROUP BY ?issued ?page ?series_title""",
    )
    assert [tuple(v.toPython() for v in row) for row in rows] == [  # type: ignore[union-attr]
        (
            101,
            __import__("datetime").date(2023, 11, 8),
            "https://www.benchcouncil.org/evaluation/opencs/annual.html",
            "BenchCouncil Open100",
        )
    ]


def test_linked_names_keep_their_homepages(bundled: BuildResult) -> None:
    graph = bundled.graph
    homepages = {
        str(graph.value(node, RDFS.label)): str(url)
        for node, url in graph.subject_objects(OSG.homepage)
    }
    assert homepages == {
        "Fairseq": "https://github.com/facebookresearch/fairseq",
        "Fly.io": "http://fly.io/",
    }


def test_two_builds_write_identical_bytes(tmp_path: Path) -> None:
    first = write_turtle(build().graph, tmp_path / "first" / "osgraph.ttl")
    second = write_turtle(build().graph, tmp_path / "second" / "osgraph.ttl")
    assert first.read_bytes() == second.read_bytes()


def test_the_written_turtle_parses_back_to_the_same_graph(
    bundled: BuildResult, tmp_path: Path
) -> None:
    path = write_turtle(bundled.graph, tmp_path / "osgraph.ttl")
    parsed = Graph().parse(path, format="turtle")
    assert len(parsed) == len(bundled.graph)
    assert isomorphic(parsed, bundled.graph)


def test_countries_of_projects_count_projects_only(bundled: BuildResult) -> None:
    """osg:country belongs to projects alone, so a path over it never counts contributions."""
    rows = select(
        bundled.graph,
        """SELECT ?country (COUNT(DISTINCT ?project) AS ?projects) WHERE {
               ?project osg:country/rdfs:label ?country .
           } GROUP BY ?country""",
    )
    per_country = {str(country): count.toPython() for country, count in rows}  # type: ignore[union-attr]
    assert max(per_country.values()) <= bundled.summary.projects
    subjects = set(bundled.graph.subjects(OSG.country, None))
    assert subjects <= set(bundled.graph.subjects(RDF.type, OSG.Project))
